//! Finding a case reference in what a resident wrote, so a reply threads onto its case.

use frontdoor_domain::Reference;

/// The first valid case reference in the subject, else in the text.
///
/// A reference counts when written as on our letters (`HX7M-2KQ9`, any case, or as two
/// groups of four) or as eight upper-case symbols with a digit among them; the check
/// symbol rejects almost every ordinary word that happens to fit.
pub fn find_reference(subject: &str, text: &str) -> Option<Reference> {
    scan(subject).or_else(|| scan(text))
}

fn scan(text: &str) -> Option<Reference> {
    let tokens: Vec<&str> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .map(|t| t.trim_matches('-'))
        .filter(|t| !t.is_empty())
        .collect();
    let singles = tokens.iter().filter_map(|t| single(t));
    let pairs = tokens.windows(2).filter_map(|w| pair(w[0], w[1]));
    singles.chain(pairs).next()
}

fn single(token: &str) -> Option<Reference> {
    let hyphenated = token.len() == 9 && token.as_bytes()[4] == b'-';
    let compact = token.len() == 8
        && token
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && token.chars().any(|c| c.is_ascii_digit());
    (hyphenated || compact)
        .then(|| Reference::parse(token).ok())
        .flatten()
}

fn pair(first: &str, second: &str) -> Option<Reference> {
    let group = |t: &str| t.len() == 4 && t.chars().all(|c| c.is_ascii_alphanumeric());
    let has_digit = format!("{first}{second}")
        .chars()
        .any(|c| c.is_ascii_digit());
    (group(first) && group(second) && has_digit)
        .then(|| Reference::parse(&format!("{first}{second}")).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a_reference() -> Reference {
        Reference::from_payload([7, 3, 20, 11, 0, 17, 25])
    }

    #[test]
    fn references_are_found_in_subject_or_body_in_any_written_form() {
        let r = a_reference();
        let shown = r.to_string();
        assert_eq!(
            find_reference(&format!("Re: Your report {shown}"), ""),
            Some(r)
        );
        let lower = shown.to_lowercase();
        assert_eq!(
            find_reference("Re: bin", &format!("my ref is {lower}.")),
            Some(r)
        );
        let spaced = shown.replace('-', " ");
        assert_eq!(find_reference("", &format!("ref: {spaced}")), Some(r));
        assert_eq!(
            find_reference("", &format!("({})", r.as_compact())),
            Some(r)
        );
    }

    #[test]
    fn ordinary_words_and_bad_checks_are_not_references() {
        assert_eq!(
            find_reference("HAPPENED yesterday", "the bin was missed"),
            None
        );
        let shown = a_reference().to_string();
        let mut wrong = shown.clone().into_bytes();
        wrong[0] = if wrong[0] == b'2' { b'3' } else { b'2' };
        let wrong = String::from_utf8(wrong).unwrap();
        assert_eq!(find_reference(&wrong, ""), None);
    }
}

//! Turning what a resident wrote into words the model can count.
//!
//! Real messages arrive with quoted reply chains, signatures, "Sent from my iPhone",
//! text-speak and typos. Cleaning strips what the resident did not write for this
//! contact; tokenising lower-cases, expands contractions and text-speak, and stems, so
//! "bins", "binned" and "bin" count as one word.

use rust_stemmers::{Algorithm, Stemmer};
use std::sync::LazyLock;

/// One word of a message: its stem (what the model counts) and the word as written
/// (what staff are shown when it explains a decision).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub stem: String,
    pub surface: String,
    /// The word with text-speak and contractions expanded, before stemming: what the
    /// embedding table reads.
    pub word: String,
}

/// Removes the parts of a message the resident did not write for this contact: quoted
/// earlier messages, signatures, mail headers other than the subject, and device footers.
pub fn clean(text: &str) -> String {
    let mut kept = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if starts_quoted_history(trimmed) {
            break;
        }
        if trimmed == "--" || trimmed == "-- " {
            break;
        }
        if trimmed.starts_with('>') || is_footer(trimmed) || is_dropped_header(trimmed) {
            continue;
        }
        kept.push(trimmed.strip_prefix("Subject:").unwrap_or(trimmed).trim());
    }
    kept.join("\n")
}

fn starts_quoted_history(line: &str) -> bool {
    let lower = line.to_lowercase();
    (lower.starts_with("on ") && lower.ends_with("wrote:"))
        || lower.starts_with("-----original message")
        || lower.starts_with("________________")
}

fn is_footer(line: &str) -> bool {
    let lower = line.to_lowercase();
    [
        "sent from my ",
        "get outlook for ",
        "sent from outlook",
        "sent from yahoo",
    ]
    .iter()
    .any(|footer| lower.starts_with(footer))
}

fn is_dropped_header(line: &str) -> bool {
    ["From:", "To:", "Cc:", "Date:", "Sent:"]
        .iter()
        .any(|header| line.starts_with(header))
}

static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// Every word of the text, in order, stemmed, with contractions and text-speak expanded.
/// Numbers, e-mail addresses and web links are dropped: they identify, they don't route.
pub fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    for chunk in text.split_whitespace() {
        if chunk.contains('@') || chunk.contains("://") || chunk.starts_with("www.") {
            continue;
        }
        for raw in chunk.split(|c: char| SPLITTERS.contains(&c)) {
            let word = raw
                .trim_matches(|c: char| !c.is_alphanumeric())
                .replace('’', "'")
                .to_lowercase();
            push_word(&word, raw, &mut out);
        }
    }
    out
}

const SPLITTERS: &[char] = &[
    ',', '.', ';', ':', '!', '?', '(', ')', '"', '/', '[', ']', '“', '”', '—', '–',
];

fn push_word(word: &str, raw: &str, out: &mut Vec<Token>) {
    if word.is_empty() || word.chars().any(|c| c.is_ascii_digit()) && !is_text_speak(word) {
        return;
    }
    let expanded = expand(word);
    for part in expanded.split(' ') {
        let part = part.trim_matches('\'');
        if part.is_empty() {
            continue;
        }
        let stem = STEMMER.stem(part).into_owned();
        out.push(Token {
            stem,
            surface: raw.trim_matches(|c: char| !c.is_alphanumeric()).to_owned(),
            word: part.to_owned(),
        });
    }
}

fn is_text_speak(word: &str) -> bool {
    TEXT_SPEAK.iter().any(|(from, _)| *from == word)
}

fn expand(word: &str) -> String {
    if let Some((_, to)) = TEXT_SPEAK.iter().find(|(from, _)| *from == word) {
        return (*to).to_owned();
    }
    if let Some((_, to)) = CONTRACTIONS.iter().find(|(from, _)| *from == word) {
        return (*to).to_owned();
    }
    for (suffix, replacement) in SUFFIX_CONTRACTIONS {
        if let Some(base) = word.strip_suffix(suffix)
            && !base.is_empty()
        {
            return format!("{base}{replacement}");
        }
    }
    word.to_owned()
}

const CONTRACTIONS: &[(&str, &str)] = &[
    ("can't", "can not"),
    ("cant", "can not"),
    ("cannot", "can not"),
    ("won't", "will not"),
    ("wont", "will not"),
    ("shan't", "shall not"),
    ("ain't", "is not"),
    ("i'm", "i am"),
    ("im", "i am"),
    ("ive", "i have"),
];

const SUFFIX_CONTRACTIONS: &[(&str, &str)] = &[
    ("n't", " not"),
    ("'ve", " have"),
    ("'re", " are"),
    ("'ll", " will"),
    ("'d", " would"),
    ("'s", ""),
    ("'m", " am"),
];

/// Text-speak and common misspellings seen in SMS, chat and social posts.
const TEXT_SPEAK: &[(&str, &str)] = &[
    ("pls", "please"),
    ("plz", "please"),
    ("plse", "please"),
    ("u", "you"),
    ("ur", "your"),
    ("r", "are"),
    ("thx", "thanks"),
    ("ty", "thanks"),
    ("2day", "today"),
    ("2nite", "tonight"),
    ("2night", "tonight"),
    ("tonite", "tonight"),
    ("nite", "night"),
    ("2moro", "tomorrow"),
    ("2morrow", "tomorrow"),
    ("tmrw", "tomorrow"),
    ("cos", "because"),
    ("coz", "because"),
    ("cuz", "because"),
    ("bc", "because"),
    ("wot", "what"),
    ("wat", "what"),
    ("ppl", "people"),
    ("msg", "message"),
    ("dont", "do not"),
    ("didnt", "did not"),
    ("doesnt", "does not"),
    ("isnt", "is not"),
    ("wasnt", "was not"),
    ("havent", "have not"),
    ("hasnt", "has not"),
    ("couldnt", "could not"),
    ("hes", "he is"),
    ("shes", "she is"),
    ("theyre", "they are"),
    ("b4", "before"),
    ("gr8", "great"),
    ("bin's", "bin"),
    ("binmen", "bin men"),
    ("recyling", "recycling"),
    ("recylcing", "recycling"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|t| t.stem).collect()
    }

    #[test]
    fn quoted_history_signatures_and_footers_are_removed() {
        let text = "Subject: Bin not emptied\nHi, my bin was missed again.\n\nSent from my iPhone\n\nOn 3 May 2026, at 09:14, Council <info@council.example> wrote:\n> Thank you for reporting a pothole";
        let cleaned = clean(text);
        assert!(cleaned.contains("Bin not emptied"));
        assert!(cleaned.contains("missed again"));
        assert!(!cleaned.contains("iPhone"));
        assert!(!cleaned.contains("pothole"));
    }

    #[test]
    fn signature_separator_ends_the_message() {
        let cleaned = clean(
            "Street light out on Elm Road\n-- \nJo Bloggs\nParish Clerk, Noise Abatement Society",
        );
        assert!(!cleaned.contains("Noise"));
    }

    #[test]
    fn text_speak_and_contractions_are_expanded() {
        assert_eq!(stems("pls"), ["pleas"]);
        assert_eq!(stems("can't"), ["can", "not"]);
        assert_eq!(stems("nowhere 2 stay 2nite"), ["nowher", "stay", "tonight"]);
        assert_eq!(stems("hes"), ["he", "is"]);
    }

    #[test]
    fn plurals_and_tenses_share_a_stem() {
        assert_eq!(stems("bins"), stems("bin"));
        assert_eq!(stems("collected"), stems("collection")[..1].to_vec());
    }

    #[test]
    fn numbers_addresses_and_links_are_dropped() {
        assert_eq!(
            stems("call 07700 900123 or jo@example.com see https://x.example/a"),
            ["call", "or", "see"]
        );
    }

    #[test]
    fn surface_words_are_kept_for_explanations() {
        let tokens = tokens("Flytipping, again!");
        assert_eq!(tokens[0].surface, "Flytipping");
    }
}

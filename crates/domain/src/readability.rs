//! How hard English guidance is to read: the Flesch–Kincaid grade, given as a UK reading
//! age (grade + 5), the measure GOV.UK and the NHS use for "a reading age of 9".
//!
//! Syllables are counted by a rule of thumb (groups of vowels, a silent final "e"), which is
//! within a syllable of a dictionary count for nearly every word residents read here. Scores
//! are for a body of text (a page's guidance), not a single short sentence, where the
//! formula says little.

use crate::i18n::{Locale, SOURCES, parse_messages};
use std::collections::BTreeMap;

/// Counts for a body of text.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    pub sentences: usize,
    pub words: usize,
    pub syllables: usize,
}

impl Counts {
    pub fn of(text: &str) -> Counts {
        let mut counts = Counts::default();
        for sentence in sentences(text) {
            let words: Vec<&str> = sentence
                .split(|c: char| c.is_whitespace() || c == '/')
                .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
                .filter(|w| !w.is_empty())
                .collect();
            if words.is_empty() {
                continue;
            }
            counts.sentences += 1;
            counts.words += words.len();
            counts.syllables += words.iter().map(|w| syllables(w)).sum::<usize>();
        }
        counts
    }

    /// The Flesch–Kincaid grade level (US school years).
    pub fn grade(&self) -> f64 {
        if self.words == 0 || self.sentences == 0 {
            return 0.0;
        }
        let words_per_sentence = self.words as f64 / self.sentences as f64;
        let syllables_per_word = self.syllables as f64 / self.words as f64;
        0.39 * words_per_sentence + 11.8 * syllables_per_word - 15.59
    }

    /// The UK reading age: the age at which a child reads at that grade.
    pub fn reading_age(&self) -> f64 {
        self.grade() + 5.0
    }
}

impl std::ops::Add for Counts {
    type Output = Counts;

    fn add(self, other: Counts) -> Counts {
        Counts {
            sentences: self.sentences + other.sentences,
            words: self.words + other.words,
            syllables: self.syllables + other.syllables,
        }
    }
}

/// Sentences end at `.`, `?`, `!` or `:` followed by a space, or at the end of the text.
fn sentences(text: &str) -> Vec<String> {
    let text = without_placeholders(text);
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        current.push(c);
        let ends = matches!(c, '.' | '?' | '!' | ':')
            && chars.peek().is_none_or(|next| next.is_whitespace());
        if ends {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out
}

/// `{team}` reads as a one-syllable word wherever a message names something.
fn without_placeholders(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        match rest[start..].find('}') {
            Some(end) => {
                out.push_str("it");
                rest = &rest[start + end + 1..];
            }
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Syllables in one English word, by vowel groups.
pub fn syllables(word: &str) -> usize {
    let word = word.to_lowercase();
    if word.chars().any(|c| c.is_ascii_digit()) {
        return 1;
    }
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() <= 3 {
        return 1;
    }
    let vowel = |c: char| "aeiouy".contains(c);
    let mut count = 0;
    let mut previous = false;
    for &c in &letters {
        let is = vowel(c);
        if is && !previous {
            count += 1;
        }
        previous = is;
    }
    let n = letters.len();
    // A silent final "e" ("make", "home"), but not "-le" after a consonant ("table").
    if letters[n - 1] == 'e'
        && !vowel(letters[n - 2])
        && !(letters[n - 2] == 'l' && n > 3 && !vowel(letters[n - 3]))
    {
        count -= 1;
    }
    // "-ed" is silent unless after t or d ("moved", but "needed").
    if word.ends_with("ed")
        && n > 3
        && !matches!(letters[n - 3], 't' | 'd')
        && !vowel(letters[n - 3])
    {
        count -= 1;
    }
    count.max(1)
}

/// A service's guidance, as its start page and questions show it: the description and every
/// hint (hints are written without full stops; each is a sentence of its own).
pub fn service_guidance(service: &crate::Service) -> String {
    let mut texts = vec![service.description.clone()];
    texts.extend(service.fields.iter().filter_map(|f| f.hint.clone()));
    texts
        .iter()
        .map(|t| {
            let t = t.trim();
            if t.ends_with(['.', '?', '!']) {
                t.to_owned()
            } else {
                format!("{t}.")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Guidance: the messages that are sentences of advice or explanation, grouped by the page
/// section they belong to. Labels, buttons and error messages (which follow the Design
/// System's own wording rules instead) are not guidance.
pub fn guidance(locale: Locale) -> BTreeMap<String, Vec<String>> {
    let text = SOURCES
        .iter()
        .find(|(l, _)| *l == locale)
        .map(|(_, t)| *t)
        .unwrap_or_default();
    let messages = parse_messages(text).unwrap_or_default();
    let mut sections: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, message) in messages {
        let section = key.split('.').next().unwrap_or("").to_owned();
        if section == "error" || !message.trim_end().ends_with('.') {
            continue;
        }
        sections.entry(section).or_default().push(message);
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllables_are_counted_by_rule_of_thumb() {
        for (word, n) in [
            ("bin", 1),
            ("home", 1),
            ("table", 2),
            ("request", 2),
            ("council", 2),
            ("collection", 3),
            ("moved", 1),
            ("needed", 2),
            ("information", 4),
            ("2026", 1),
        ] {
            assert_eq!(syllables(word), n, "{word}");
        }
    }

    #[test]
    fn plain_words_read_young_and_long_words_read_old() {
        let plain = Counts::of("We will empty your bin. Put it out by 7am. Tell us if we miss it.");
        let hard = Counts::of(
            "Notwithstanding the aforementioned considerations, residents' obligations regarding receptacle presentation remain unaltered.",
        );
        assert!(plain.reading_age() < 9.0, "{}", plain.reading_age());
        assert!(hard.reading_age() > 16.0, "{}", hard.reading_age());
        assert_eq!(plain.sentences, 3);
    }

    #[test]
    fn the_english_guidance_has_a_reading_age_of_9_or_under() {
        let sections = guidance(Locale::En);
        assert!(sections.len() > 10, "{sections:?}");
        let mut all = Counts::default();
        for (section, messages) in &sections {
            let counts = Counts::of(&messages.join(" "));
            all = all + counts;
            assert!(
                counts.reading_age() <= 9.0,
                "{section}: reading age {:.1} in {messages:#?}",
                counts.reading_age()
            );
        }
        assert!(all.reading_age() <= 9.0, "{:.1}", all.reading_age());
    }
}

//! The features a message is counted by: word stems, pairs of neighbouring stems, and the
//! channel it came in on. Each feature remembers the words that produced it, so a decision
//! can be explained in the resident's own words.

use crate::normalise::Token;
use crate::rules::CueMatch;

/// Words too common to say anything about which service a resident needs. Negations and
/// "tonight"-style words stay: they matter.
const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "ani", "are", "as", "at",
    "be", "becaus", "been", "befor", "being", "but", "by", "can", "could", "did", "do", "doe",
    "for", "from", "get", "got", "had", "has", "have", "he", "her", "here", "him", "his", "how",
    "i", "if", "in", "into", "is", "it", "it", "just", "know", "like", "me", "mi", "my", "of",
    "on", "onli", "or", "our", "out", "pleas", "she", "so", "some", "than", "thank", "that", "the",
    "their", "them", "then", "there", "these", "they", "this", "those", "to", "too", "up", "us",
    "veri", "was", "we", "were", "what", "when", "where", "which", "who", "whi", "will", "with",
    "would", "you", "your", "hi", "hello", "dear", "regard", "sincer", "faith", "caller", "agent",
    "yes", "yeah", "ok", "oh", "sir", "madam", "mr", "mrs", "ms", "dr", "hiya", "cheer", "best",
    "wish", "kind",
];

pub fn is_stop_word(stem: &str) -> bool {
    STOP_WORDS.contains(&stem)
}

/// A feature of a message and the words it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feature {
    pub key: String,
    pub words: String,
}

/// Every feature of a message, with repeats (the caller counts them).
pub fn extract(tokens: &[Token], channel: &str) -> Vec<Feature> {
    let content: Vec<&Token> = tokens.iter().filter(|t| !is_stop_word(&t.stem)).collect();
    let mut features = Vec::with_capacity(content.len() * 2 + 1);
    for token in &content {
        features.push(Feature {
            key: format!("w:{}", token.stem),
            words: token.surface.clone(),
        });
    }
    for pair in content.windows(2) {
        features.push(Feature {
            key: format!("b:{}_{}", pair[0].stem, pair[1].stem),
            words: format!("{} {}", pair[0].surface, pair[1].surface),
        });
    }
    if !channel.is_empty() {
        features.push(Feature {
            key: format!("c:{channel}"),
            words: String::new(),
        });
    }
    features
}

/// A feature per service whose referral cue matched: the council's own knowledge of what
/// residents say, which generalises where a dozen examples cannot.
pub fn cue_features(matches: &[CueMatch], features: &mut Vec<Feature>) {
    for found in matches {
        features.push(Feature {
            key: format!("q:{}", found.service),
            words: found.words.join(" … "),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::tokens;

    #[test]
    fn stop_words_are_skipped_and_pairs_join_content_words() {
        let features = extract(&tokens("The bins were missed"), "sms");
        let keys: Vec<&str> = features.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["w:bin", "w:miss", "b:bin_miss", "c:sms"]);
        assert_eq!(features[2].words, "bins missed");
    }
}

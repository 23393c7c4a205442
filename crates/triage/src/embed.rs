//! Sentence meaning without a transformer at run time: a static table with one vector per
//! WordPiece token, distilled offline from all-MiniLM-L6-v2 (`tools/distil_static_embeddings.py`).
//! A message is embedded as the mean of its tokens' vectors, scaled to unit length, so
//! "nowhere to sleep" and "on the streets tonight" land near each other although they
//! share no word.

use crate::fast_map::FastMap;
use crate::framing::{self, Framing};
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

const MAGIC: &[u8] = b"frontdoor-static-embeddings\n";
const FORMAT: u32 = 1;
/// BERT's WordPiece gives up on longer words and calls them unknown.
const MAX_WORD_CHARS: usize = 100;
const CONTINUATION: &str = "##";

/// The table: a vocabulary and, per token, eight-bit values with one scale.
#[derive(Debug, Clone)]
pub struct StaticEmbeddings {
    id: String,
    dims: usize,
    vocab: FastMap<String, u32>,
    unknown: Option<u32>,
    scales: Vec<f32>,
    values: Vec<i8>,
}

#[derive(Debug, thiserror::Error)]
pub enum EmbeddingError {
    #[error("not a Front Door static embedding file")]
    NotEmbeddings,
    #[error("static embedding format {0} is not one this version reads (it reads {FORMAT})")]
    Format(u32),
    #[error("the static embedding file is damaged: {0}")]
    Damaged(String),
}

#[derive(serde::Deserialize)]
struct Header {
    format: u32,
    dims: usize,
    vocab: Vec<String>,
}

impl StaticEmbeddings {
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EmbeddingError> {
        let damaged = |why: &str| EmbeddingError::Damaged(why.to_owned());
        let (json, table) = match framing::split(bytes, MAGIC) {
            Framing::Foreign => return Err(EmbeddingError::NotEmbeddings),
            Framing::Damaged(why) => return Err(damaged(why)),
            Framing::Parts { header, data } => (header, data),
        };
        let header: Header =
            serde_json::from_slice(json).map_err(|e| EmbeddingError::Damaged(e.to_string()))?;
        if header.format != FORMAT {
            return Err(EmbeddingError::Format(header.format));
        }
        let row = 4 + header.dims;
        if header.dims == 0 || table.len() != row * header.vocab.len() {
            return Err(damaged("sizes do not agree"));
        }
        let mut scales = Vec::with_capacity(header.vocab.len());
        let mut values = Vec::with_capacity(header.vocab.len() * header.dims);
        for chunk in table.chunks_exact(row) {
            scales.push(f32::from_le_bytes(
                chunk[..4].try_into().expect("four bytes"),
            ));
            values.extend(chunk[4..].iter().map(|&b| b as i8));
        }
        let vocab: FastMap<String, u32> = header
            .vocab
            .into_iter()
            .enumerate()
            .map(|(i, token)| (token, i as u32))
            .collect();
        Ok(Self {
            id: short_hash(bytes),
            dims: header.dims,
            unknown: vocab.get("[UNK]").copied(),
            vocab,
            scales,
            values,
        })
    }

    /// A short hash of the file: a model records the table it was trained with.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    /// The mean of the words' token vectors, at unit length; zeros when nothing matched.
    pub fn embed<'a>(&self, words: impl IntoIterator<Item = &'a str>) -> Vec<f32> {
        let mut sum = vec![0.0f32; self.dims];
        let mut count = 0usize;
        let mut pieces = Vec::new();
        for word in words {
            pieces.clear();
            self.word_pieces(word, &mut pieces);
            for &token in &pieces {
                self.add_row(token, &mut sum);
                count += 1;
            }
        }
        if count > 0 {
            let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt();
            if norm > 0.0 {
                sum.iter_mut().for_each(|x| *x /= norm);
            }
        }
        sum
    }

    fn add_row(&self, token: u32, sum: &mut [f32]) {
        let start = token as usize * self.dims;
        let scale = self.scales[token as usize];
        for (acc, &v) in sum.iter_mut().zip(&self.values[start..start + self.dims]) {
            *acc += f32::from(v) * scale;
        }
    }

    /// BERT's uncased tokenising: accents off, punctuation split off, then the longest
    /// vocabulary piece first, continuing pieces marked "##".
    fn word_pieces(&self, word: &str, out: &mut Vec<u32>) {
        let plain: String = word
            .nfd()
            .filter(|c| !is_combining_mark(*c))
            .flat_map(char::to_lowercase)
            .collect();
        for part in split_punctuation(&plain) {
            self.greedy_pieces(part, out);
        }
    }

    fn greedy_pieces(&self, word: &str, out: &mut Vec<u32>) {
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        if chars.len() > MAX_WORD_CHARS {
            out.extend(self.unknown);
            return;
        }
        let found_before = out.len();
        let mut start = 0;
        let mut candidate = String::new();
        while start < chars.len() {
            let mut end = chars.len();
            let mut piece = None;
            while end > start {
                let from = chars[start].0;
                let to = chars.get(end).map_or(word.len(), |c| c.0);
                candidate.clear();
                if start > 0 {
                    candidate.push_str(CONTINUATION);
                }
                candidate.push_str(&word[from..to]);
                if let Some(&id) = self.vocab.get(candidate.as_str()) {
                    piece = Some(id);
                    break;
                }
                end -= 1;
            }
            match piece {
                Some(id) => {
                    out.push(id);
                    start = end;
                }
                None => {
                    out.truncate(found_before);
                    out.extend(self.unknown);
                    return;
                }
            }
        }
    }
}

fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036f}' | '\u{1ab0}'..='\u{1aff}' | '\u{20d0}'..='\u{20ff}')
}

fn split_punctuation(word: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in word.char_indices() {
        if c.is_ascii_punctuation() || (!c.is_alphanumeric() && !c.is_whitespace()) {
            if start < i {
                parts.push(&word[start..i]);
            }
            parts.push(&word[i..i + c.len_utf8()]);
            start = i + c.len_utf8();
        }
    }
    if start < word.len() {
        parts.push(&word[start..]);
    }
    parts
}

fn short_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny table in the real file format: four tokens in two dimensions.
    fn table() -> StaticEmbeddings {
        let vocab = ["[UNK]", "bin", "##s", "missed", "!"];
        let header = serde_json::json!({"format": 1, "dims": 2, "vocab": vocab});
        let json = serde_json::to_vec(&header).unwrap();
        let mut bytes = framing::start(MAGIC, &json, 0);
        for row in [[0i8, 0], [127, 0], [0, 127], [127, 127], [0, 0]] {
            bytes.extend(1.0f32.to_le_bytes());
            bytes.extend(row.iter().map(|&v| v as u8));
        }
        StaticEmbeddings::from_bytes(&bytes).unwrap()
    }

    #[test]
    fn words_split_into_the_longest_pieces_first() {
        let table = table();
        let mut out = Vec::new();
        table.word_pieces("Bins!", &mut out);
        assert_eq!(out, [1, 2, 4]);
        out.clear();
        table.word_pieces("binx", &mut out);
        assert_eq!(
            out,
            [0],
            "a word with an unknown piece is one unknown token"
        );
    }

    #[test]
    fn a_message_embeds_at_unit_length() {
        let vector = table().embed(["missed", "bin"]);
        let norm: f32 = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5);
        assert!(vector[0] > vector[1]);
    }

    #[test]
    fn a_damaged_file_is_refused() {
        assert!(matches!(
            StaticEmbeddings::from_bytes(b"nonsense"),
            Err(EmbeddingError::NotEmbeddings)
        ));
        let mut bytes = MAGIC.to_vec();
        bytes.extend(4u64.to_le_bytes());
        bytes.extend(b"{}xx");
        assert!(StaticEmbeddings::from_bytes(&bytes).is_err());
    }
}

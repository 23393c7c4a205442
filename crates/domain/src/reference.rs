//! Case reference numbers: short, typeable, read aloud over the phone, with a check character.
//!
//! Seven symbols plus one check symbol, shown as `ABCD-EFGH`. The alphabet has 29 symbols
//! (a prime) and leaves out those easily confused when written or spoken: 0/O, 1/I/L, 5/S, U.
//! The check symbol makes a position-weighted sum 0 mod 29; because 29 is prime and the
//! weights are distinct and non-zero, every single wrong symbol and every swap of two
//! symbols is caught, so a mistyped reference is rejected rather than misdirected.

use std::fmt;

const ALPHABET: &[u8; 29] = b"23456789ABCDEFGHJKMNPQRTVWXYZ";
const MODULUS: u32 = 29;
/// Symbols chosen at random when a reference is issued.
pub const PAYLOAD_LEN: usize = 7;
const LEN: usize = PAYLOAD_LEN + 1;

/// A case reference whose check character has been verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reference([u8; LEN]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.text())]
pub enum ReferenceError {
    Empty,
    WrongLength,
    BadCharacter,
    CheckFailed,
}

impl ReferenceError {
    pub fn text(&self) -> crate::i18n::Text {
        crate::i18n::Text::new(match self {
            ReferenceError::Empty => "error.reference.empty",
            ReferenceError::WrongLength => "error.reference.length",
            ReferenceError::BadCharacter => "error.reference.character",
            ReferenceError::CheckFailed => "error.reference.check",
        })
    }
}

impl Reference {
    /// Builds a reference from seven symbol indices (each taken mod 29), adding the check symbol.
    pub fn from_payload(indices: [u32; PAYLOAD_LEN]) -> Self {
        let values: Vec<u32> = indices.iter().map(|i| i % MODULUS).collect();
        let mut symbols = [0u8; LEN];
        for (slot, value) in symbols.iter_mut().zip(&values) {
            *slot = ALPHABET[*value as usize];
        }
        symbols[PAYLOAD_LEN] = ALPHABET[check_value(&values) as usize];
        Self(symbols)
    }

    /// Parses what a resident typed: case, spaces and hyphens are forgiven; wrong symbols are not.
    pub fn parse(input: &str) -> Result<Self, ReferenceError> {
        let cleaned: Vec<u8> = input
            .bytes()
            .filter(|b| !matches!(b, b' ' | b'-' | b'\t'))
            .map(|b| b.to_ascii_uppercase())
            .collect();
        if cleaned.is_empty() {
            return Err(ReferenceError::Empty);
        }
        if cleaned.len() != LEN {
            return Err(ReferenceError::WrongLength);
        }
        let values = cleaned
            .iter()
            .map(|b| symbol_value(*b).ok_or(ReferenceError::BadCharacter))
            .collect::<Result<Vec<u32>, _>>()?;
        if !weighted_sum(&values).is_multiple_of(MODULUS) {
            return Err(ReferenceError::CheckFailed);
        }
        let mut symbols = [0u8; LEN];
        symbols.copy_from_slice(&cleaned);
        Ok(Self(symbols))
    }

    pub fn as_compact(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = std::str::from_utf8(&self.0).expect("references hold ASCII symbols only");
        write!(f, "{}-{}", &text[..4], &text[4..])
    }
}

impl std::str::FromStr for Reference {
    type Err = ReferenceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

fn symbol_value(symbol: u8) -> Option<u32> {
    ALPHABET.iter().position(|s| *s == symbol).map(|p| p as u32)
}

/// Weights 1..=8 by position: distinct and non-zero mod 29.
fn weighted_sum(values: &[u32]) -> u32 {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| (i as u32 + 1) * v)
        .sum()
}

/// The value whose weighted contribution brings the whole sum to 0 mod 29.
fn check_value(payload: &[u32]) -> u32 {
    let partial = weighted_sum(payload) % MODULUS;
    let weight = LEN as u32;
    // weight * check ≡ -partial (mod 29); search is fine for 29 candidates.
    (0..MODULUS)
        .find(|c| (partial + weight * c).is_multiple_of(MODULUS))
        .expect("29 is prime, so every weight has an inverse")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn payload() -> impl Strategy<Value = [u32; PAYLOAD_LEN]> {
        proptest::array::uniform7(0u32..29)
    }

    #[test]
    fn a_reference_reads_as_two_groups_of_four() {
        let reference = Reference::from_payload([0, 1, 2, 3, 4, 5, 6]);
        let shown = reference.to_string();
        assert_eq!(shown.len(), 9);
        assert_eq!(&shown[4..5], "-");
        assert_eq!(Reference::parse(&shown), Ok(reference));
    }

    #[test]
    fn typing_mistakes_get_a_clear_reason() {
        assert_eq!(Reference::parse("  "), Err(ReferenceError::Empty));
        assert_eq!(Reference::parse("ABC"), Err(ReferenceError::WrongLength));
        assert_eq!(
            Reference::parse("ABCD-EFG0"),
            Err(ReferenceError::BadCharacter)
        );
    }

    proptest! {
        #[test]
        fn every_issued_reference_parses_back(p in payload()) {
            let reference = Reference::from_payload(p);
            prop_assert_eq!(Reference::parse(&reference.to_string()), Ok(reference));
            prop_assert_eq!(Reference::parse(&reference.as_compact().to_lowercase()), Ok(reference));
        }

        #[test]
        fn any_single_wrong_character_is_rejected(p in payload(), at in 0usize..LEN, shift in 1u32..29) {
            let mut symbols = Reference::from_payload(p).0;
            let value = symbol_value(symbols[at]).unwrap();
            symbols[at] = ALPHABET[((value + shift) % MODULUS) as usize];
            let typed = String::from_utf8(symbols.to_vec()).unwrap();
            prop_assert_eq!(Reference::parse(&typed), Err(ReferenceError::CheckFailed));
        }

        #[test]
        fn any_swap_of_two_different_characters_is_rejected(p in payload(), a in 0usize..LEN, b in 0usize..LEN) {
            let mut symbols = Reference::from_payload(p).0;
            prop_assume!(symbols[a] != symbols[b]);
            symbols.swap(a, b);
            let typed = String::from_utf8(symbols.to_vec()).unwrap();
            prop_assert_eq!(Reference::parse(&typed), Err(ReferenceError::CheckFailed));
        }
    }
}

//! How instants and dates are written to the database: fixed-width text that sorts in time order.

use crate::StoreError;
use jiff::civil::Date;
use jiff::{Timestamp, Unit};

/// `2026-11-25T09:30:00.000000Z`: always six fractional digits, so text order is time order.
pub fn encode_instant(at: Timestamp) -> String {
    let at = at.round(Unit::Microsecond).unwrap_or(at);
    at.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub fn decode_instant(text: &str) -> Result<Timestamp, StoreError> {
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("instant '{text}': {e}")))
}

pub fn encode_date(day: Date) -> String {
    day.to_string()
}

pub fn decode_date(text: &str) -> Result<Date, StoreError> {
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("date '{text}': {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_round_trip_and_sort_as_text() {
        let earlier: Timestamp = "2026-11-25T09:30:00Z".parse().unwrap();
        let later: Timestamp = "2026-11-25T09:30:00.5Z".parse().unwrap();
        let (a, b) = (encode_instant(earlier), encode_instant(later));
        assert_eq!(a, "2026-11-25T09:30:00.000000Z");
        assert!(a < b);
        assert_eq!(decode_instant(&b).unwrap(), later);
    }
}

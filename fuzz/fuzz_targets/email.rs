#![no_main]
//! Any bytes as a raw email: never a panic, and a readable message's reference search runs.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|raw: &[u8]| {
    if let Ok(email) = frontdoor_intake::parse_email(raw) {
        let _ = frontdoor_intake::find_reference(&email.subject, &email.full_text);
    }
});

#![no_main]
//! Any bytes as an SMS or social webhook, both as JSON and as form data, and its signature.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let _ = frontdoor_intake::parse_message("application/json", body);
    let _ = frontdoor_intake::parse_message("application/x-www-form-urlencoded", body);
    let _ = frontdoor_intake::verify(b"secret", body, "sha256=00");
    let _ = frontdoor_intake::webhook::verify_twilio(b"secret", "https://x/", body, "AA==");
});

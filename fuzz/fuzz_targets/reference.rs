#![no_main]
//! Any text as a case reference, as residents type them into tracking and email subjects.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(reference) = frontdoor_domain::Reference::parse(text) {
        // What parses prints back to something that parses to the same reference.
        let again = frontdoor_domain::Reference::parse(&reference.to_string());
        assert_eq!(again.ok(), Some(reference));
    }
});

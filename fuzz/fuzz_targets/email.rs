#![no_main]
//! Any bytes as a raw email: never a panic that escapes, and a readable message's reference
//! search runs. `parse_email` catches panics inside mail-parser on purpose (see
//! crates/intake/src/email.rs), so the default panic hook is put back: libFuzzer's hook
//! would abort on a panic even when it is caught. A panic that escapes still aborts.
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: {
        let _ = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
    },
    |raw: &[u8]| {
        if let Ok(email) = frontdoor_intake::parse_email(raw) {
            let _ = frontdoor_intake::find_reference(&email.subject, &email.full_text);
        }
    }
);

#![no_main]
//! Any bytes as a chat transcript.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(chat) = frontdoor_intake::ChatTranscript::parse(body) {
        let _ = chat.transcript();
    }
});

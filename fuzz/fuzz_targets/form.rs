#![no_main]
//! Any bytes as a form body, validated against every service in the demo catalogue and as
//! a resident's contact details: what the portal, assisted entry and Open311 all do.
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn catalogue() -> &'static frontdoor_domain::Catalogue {
    static CATALOGUE: OnceLock<frontdoor_domain::Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let text = include_str!("../../catalogue/demo-council.toml");
        frontdoor_domain::Catalogue::parse("demo-council.toml", text).expect("valid catalogue")
    })
}

fuzz_target!(|body: &[u8]| {
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body) else {
        return;
    };
    let raw: frontdoor_domain::RawAnswers = pairs.into_iter().collect();
    let today = jiff::civil::date(2026, 11, 26);
    for service in &catalogue().services {
        let _ = frontdoor_domain::form::validate_all(&service.fields, &raw, today);
    }
    let _ = frontdoor_domain::form::validate_contact(&raw);
});

//! The demo council's catalogue ships every service in the reference list, unchanged.

use frontdoor_domain::Catalogue;
use std::path::PathBuf;

fn repo_file(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

fn demo_catalogue() -> Catalogue {
    let path = repo_file("catalogue/demo-council.toml");
    let text = std::fs::read_to_string(&path).expect("the demo catalogue is in the repository");
    Catalogue::parse("catalogue/demo-council.toml", &text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_reference_service_is_in_the_demo_catalogue_as_listed() {
    let catalogue = demo_catalogue();
    let path = repo_file("../shared/reference/services.csv");
    let csv = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{} should sit beside the repository: {e}", path.display()));
    let mut rows = 0;
    for line in csv.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split(',').collect();
        let [slug, name, department, level, sla, statute, location] = cells[..] else {
            panic!("unexpected row shape: {line}");
        };
        let service = catalogue
            .service(slug)
            .unwrap_or_else(|| panic!("{slug} is missing"));
        assert_eq!(service.name, name, "{slug}");
        assert_eq!(service.department, department, "{slug}");
        assert_eq!(service.level.number().to_string(), level, "{slug}");
        assert_eq!(service.sla_working_days.to_string(), sla, "{slug}");
        assert_eq!(
            service.statutory_basis.as_deref().unwrap_or(""),
            statute,
            "{slug}"
        );
        assert_eq!(service.location_based, location == "yes", "{slug}");
        rows += 1;
    }
    assert_eq!(rows, 39);
    assert_eq!(
        catalogue.services.len(),
        rows,
        "the demo catalogue has only the reference services"
    );
}

#[test]
fn residents_find_the_missed_bin_service_by_searching() {
    let catalogue = demo_catalogue();
    for query in ["missed bin", "my bin wasn't collected", "wheelie bin"] {
        let found = catalogue.search(query);
        assert_eq!(
            found.first().map(|s| s.slug.as_str()),
            Some("missed-bin-collection"),
            "{query}"
        );
    }
}

#[test]
fn every_topic_on_the_home_page_has_services() {
    let catalogue = demo_catalogue();
    for topic in &catalogue.topics {
        assert!(
            catalogue.services_in_topic(&topic.slug).count() > 0,
            "{}",
            topic.slug
        );
    }
}

#[test]
fn the_demo_council_reads_wholly_in_welsh() {
    let english = demo_catalogue();
    let path = repo_file("catalogue/demo-council.cy.toml");
    let text = std::fs::read_to_string(&path).expect("the Welsh catalogue is in the repository");
    let welsh = english
        .translated("catalogue/demo-council.cy.toml", &text)
        .unwrap_or_else(|e| panic!("{e}"));
    let left: Vec<String> = welsh
        .untranslated(&english)
        .into_iter()
        .filter(|p| !p.ends_with(".choices") || !is_numbers(&welsh, p))
        .collect();
    assert!(left.is_empty(), "still in English: {left:#?}");
    // Answers stay in English words, whatever language residents read.
    for (w, e) in welsh.services.iter().zip(&english.services) {
        for (wf, ef) in w.fields.iter().zip(&e.fields) {
            assert_eq!(wf.choices, ef.choices, "{}.{}", w.slug, wf.id);
        }
    }
}

/// A choice list of plain numbers ("1", "2", "3") reads the same in Welsh.
fn is_numbers(catalogue: &Catalogue, path: &str) -> bool {
    let parts: Vec<&str> = path.split('.').collect();
    let (slug, id) = (parts[1], parts[3]);
    catalogue
        .service(slug)
        .and_then(|s| s.fields.iter().find(|f| f.id == id))
        .is_some_and(|f| f.choices.iter().all(|c| c.parse::<u32>().is_ok()))
}

#[test]
fn every_service_explains_itself_at_a_reading_age_of_9_or_under() {
    use frontdoor_domain::readability::{Counts, service_guidance};
    for service in &demo_catalogue().services {
        let text = service_guidance(service);
        let age = Counts::of(&text).reading_age();
        assert!(age <= 9.0, "{}: reading age {age:.1}: {text}", service.slug);
    }
}

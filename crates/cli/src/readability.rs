//! `frontdoor readability`: the reading age of the guidance residents read, page by page,
//! from Front Door's own words and the council's catalogue.

use anyhow::{Result, bail};
use frontdoor_domain::readability::{Counts, guidance, service_guidance};
use frontdoor_domain::{Catalogue, Locale};

/// The target: guidance at or below a reading age of 9.
const TARGET: f64 = 9.0;

pub fn run(catalogue: &Catalogue, strict: bool) -> Result<()> {
    println!("Reading age (Flesch-Kincaid grade + 5) of guidance; target {TARGET} or under.\n");
    println!(
        "{:<34} {:>9} {:>6} {:>12}",
        "Front Door's words", "sentences", "words", "reading age"
    );
    let mut over = Vec::new();
    let mut all = Counts::default();
    for (section, messages) in guidance(Locale::En) {
        let counts = Counts::of(&messages.join(" "));
        all = all + counts;
        report(&section, counts, &mut over);
    }
    report("all of Front Door's guidance", all, &mut over);
    println!(
        "\n{:<34} {:>9} {:>6} {:>12}",
        "The catalogue's services", "sentences", "words", "reading age"
    );
    let mut council = Counts::default();
    for service in &catalogue.services {
        let counts = Counts::of(&service_guidance(service));
        council = council + counts;
        report(&service.slug, counts, &mut over);
    }
    report("all of the catalogue", council, &mut over);
    if over.is_empty() {
        println!("\nEvery page's guidance is at a reading age of {TARGET} or under.");
        return Ok(());
    }
    println!("\nOver {TARGET}: {}", over.join(", "));
    if strict {
        bail!("{} pages of guidance read older than {TARGET}", over.len());
    }
    Ok(())
}

fn report(name: &str, counts: Counts, over: &mut Vec<String>) {
    let age = counts.reading_age();
    let flag = if age > TARGET { "  over" } else { "" };
    println!(
        "{name:<34} {:>9} {:>6} {age:>12.1}{flag}",
        counts.sentences, counts.words
    );
    if age > TARGET {
        over.push(name.to_owned());
    }
}

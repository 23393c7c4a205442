//! The council's area and gazetteer: loading the GeoJSON the catalogue names, and importing
//! an address file (`frontdoor import gazetteer FILE`).

use crate::settings::Settings;
use anyhow::{Context, Result, bail};
use frontdoor_domain::area::{CouncilArea, GeoJsonFile};
use frontdoor_domain::{Catalogue, GazetteerAddress, Place, Point, Postcode};
use frontdoor_store::Store;
use std::path::{Path, PathBuf};

const DEMO_BOUNDARY: &str = include_str!("../../../catalogue/demo-council/boundary.geojson");
const DEMO_WARDS: &str = include_str!("../../../catalogue/demo-council/wards.geojson");
const DEMO_NEIGHBOURS: &str = include_str!("../../../catalogue/demo-council/neighbours.geojson");
pub const DEMO_GAZETTEER: &str = include_str!("../../../catalogue/demo-council/gazetteer.csv");

/// The boundary, wards and neighbours the catalogue names, read relative to the catalogue
/// file (or built in, for the demo council). `None` when the catalogue names no area.
pub fn load_area(settings: &Settings, catalogue: &Catalogue) -> Result<Option<CouncilArea>> {
    let Some(files) = &catalogue.council.area else {
        return Ok(None);
    };
    let area = match &settings.catalogue {
        None => CouncilArea::from_geojson(
            GeoJsonFile {
                name: &files.boundary,
                text: DEMO_BOUNDARY,
            },
            GeoJsonFile {
                name: &files.wards,
                text: DEMO_WARDS,
            },
            Some(GeoJsonFile {
                name: "neighbours",
                text: DEMO_NEIGHBOURS,
            }),
        ),
        Some(path) => {
            let dir = path.parent().unwrap_or(Path::new("."));
            let read = |name: &str| -> Result<(String, String)> {
                let file: PathBuf = dir.join(name);
                let text = std::fs::read_to_string(&file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                Ok((file.display().to_string(), text))
            };
            let boundary = read(&files.boundary)?;
            let wards = read(&files.wards)?;
            let neighbours = files.neighbours.as_deref().map(read).transpose()?;
            CouncilArea::from_geojson(
                GeoJsonFile {
                    name: &boundary.0,
                    text: &boundary.1,
                },
                GeoJsonFile {
                    name: &wards.0,
                    text: &wards.1,
                },
                neighbours
                    .as_ref()
                    .map(|(name, text)| GeoJsonFile { name, text }),
            )
        }
    };
    Ok(Some(area.context("the council's area is not valid")?))
}

#[derive(serde::Deserialize)]
struct GazetteerRow {
    uprn: String,
    line1: String,
    line2: Option<String>,
    town: String,
    postcode: String,
    street: String,
    lat: String,
    lon: String,
}

/// Reads a gazetteer CSV (uprn,line1,line2,town,postcode,street,lat,lon; WGS 84), refusing
/// the whole file with the line of the first bad row.
pub fn parse_gazetteer(name: &str, text: &str) -> Result<Vec<GazetteerAddress>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut addresses = Vec::new();
    for (i, row) in reader.deserialize::<GazetteerRow>().enumerate() {
        let line = i + 2;
        let row = row.with_context(|| format!("{name}:{line}: not a gazetteer row"))?;
        let fail = |what: String| anyhow::anyhow!("{name}:{line}: {what}");
        if !GazetteerAddress::is_uprn(row.uprn.trim()) {
            return Err(fail(format!("UPRN '{}' must be 1 to 12 digits", row.uprn)));
        }
        let postcode = Postcode::parse(&row.postcode).map_err(|e| fail(e.to_string()))?;
        let point = Point::parse(&row.lat, &row.lon).map_err(|e| fail(e.to_string()))?;
        for (column, value) in [
            ("line1", &row.line1),
            ("town", &row.town),
            ("street", &row.street),
        ] {
            if value.trim().is_empty() {
                return Err(fail(format!("{column} is empty")));
            }
        }
        addresses.push(GazetteerAddress {
            uprn: row.uprn.trim().to_owned(),
            line1: row.line1.trim().to_owned(),
            line2: row
                .line2
                .map(|l| l.trim().to_owned())
                .filter(|l| !l.is_empty()),
            town: row.town.trim().to_owned(),
            postcode,
            street: row.street.trim().to_owned(),
            point,
        });
    }
    if addresses.is_empty() {
        bail!(
            "{name}: no addresses (expected a header row then uprn,line1,line2,town,postcode,street,lat,lon)"
        );
    }
    Ok(addresses)
}

pub async fn import_gazetteer(store: &Store, file: &Path) -> Result<usize> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let addresses = parse_gazetteer(&file.display().to_string(), &text)?;
    Ok(store.import_gazetteer(&addresses).await?)
}

/// Loads the demo council's invented gazetteer into an empty gazetteer table.
pub async fn seed_demo_gazetteer(store: &Store) -> Result<()> {
    if store.count_gazetteer().await? == 0 {
        let addresses = parse_gazetteer("catalogue/demo-council/gazetteer.csv", DEMO_GAZETTEER)?;
        store.import_gazetteer(&addresses).await?;
    }
    Ok(())
}

/// Places for demo reports: near each demo gazetteer address, with their wards.
pub fn demo_places(area: Option<&CouncilArea>) -> Result<Vec<Place>> {
    let addresses = parse_gazetteer("catalogue/demo-council/gazetteer.csv", DEMO_GAZETTEER)?;
    Ok(addresses
        .into_iter()
        .map(|a| Place {
            ward: area
                .and_then(|area| area.locate(a.point).ok().flatten())
                .map(|w| w.name.clone()),
            point: Some(a.point),
            uprn: Some(a.uprn.clone()),
            address: Some(a.one_line()),
            street: Some(a.street.clone()),
            description: None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_gazetteer_lies_inside_the_demo_area() {
        let catalogue = Catalogue::parse("demo", crate::demo::DEMO_CATALOGUE).unwrap();
        let area = load_area(&Settings::default(), &catalogue)
            .unwrap()
            .unwrap();
        let places = demo_places(Some(&area)).unwrap();
        assert_eq!(places.len(), 211);
        assert!(
            places.iter().all(|p| p.ward.is_some()),
            "every address has a ward"
        );
        let wards: std::collections::BTreeSet<_> =
            places.iter().filter_map(|p| p.ward.clone()).collect();
        assert_eq!(wards.len(), 4, "{wards:?}");
    }

    #[test]
    fn a_bad_gazetteer_row_is_refused_with_its_line() {
        let text = "uprn,line1,line2,town,postcode,street,lat,lon\n1,1 A St,,T,DC1 1AA,A St,53,-1.5\n2,2 A St,,T,NOTAPOSTCODE,A St,53,-1.5\n";
        let error = parse_gazetteer("g.csv", text).unwrap_err().to_string();
        assert!(error.starts_with("g.csv:3: "), "{error}");
        let text =
            "uprn,line1,line2,town,postcode,street,lat,lon\nabc,1 A St,,T,DC1 1AA,A St,53,-1.5\n";
        assert!(
            parse_gazetteer("g.csv", text)
                .unwrap_err()
                .to_string()
                .contains("UPRN")
        );
        let text =
            "uprn,line1,line2,town,postcode,street,lat,lon\n1,1 A St,,T,DC1 1AA,A St,95,-1.5\n";
        assert!(
            parse_gazetteer("g.csv", text)
                .unwrap_err()
                .to_string()
                .contains("Latitude")
        );
    }
}

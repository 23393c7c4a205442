//! The council's area: its boundary, its wards, and its neighbours, read from GeoJSON.
//!
//! A reported point inside the boundary is given its ward; a point outside it is refused
//! with the name of the council that is responsible there, so the resident is not left
//! without somewhere to go.

use crate::location::Point;
use geo::{Intersects, MultiPolygon};
use geojson::GeoJson;
use serde::Serialize;

/// Where residents can find the right council for a place we do not cover.
pub const FIND_YOUR_COUNCIL: &str = "https://www.gov.uk/find-local-council";

#[derive(Debug, Clone)]
pub struct CouncilArea {
    boundary: MultiPolygon<f64>,
    /// The boundary's GeoJSON as given, for maps.
    boundary_geojson: String,
    wards: Vec<Ward>,
    neighbours: Vec<Neighbour>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Ward {
    pub code: String,
    pub name: String,
    #[serde(skip)]
    shape: MultiPolygon<f64>,
}

/// A neighbouring council, named when a resident reports a place in its area.
#[derive(Debug, Clone, Serialize)]
pub struct Neighbour {
    pub name: String,
    pub website: Option<String>,
    pub phone: Option<String>,
    #[serde(skip)]
    shape: MultiPolygon<f64>,
}

/// Why a point is not ours to deal with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outside<'a> {
    /// It lies in a neighbour's area.
    Neighbour(&'a str, Option<&'a str>, Option<&'a str>),
    /// It lies somewhere we have no boundary for.
    Unknown,
}

impl Outside<'_> {
    /// The message a resident sees, naming who to contact instead.
    pub fn message(&self, council: &str) -> crate::i18n::Text {
        use crate::i18n::Text;
        match self {
            Outside::Neighbour(name, website, phone) => {
                let key = match (website, phone) {
                    (Some(_), Some(_)) => "error.outside.neighbour_web_phone",
                    (Some(_), None) => "error.outside.neighbour_web",
                    (None, Some(_)) => "error.outside.neighbour_phone",
                    (None, None) => "error.outside.neighbour",
                };
                Text::new(key)
                    .with("council", council)
                    .with("neighbour", name)
                    .with("website", website.unwrap_or_default())
                    .with("phone", phone.unwrap_or_default())
            }
            Outside::Unknown => Text::new("error.outside.unknown")
                .with("council", council)
                .with("link", FIND_YOUR_COUNCIL),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AreaError {
    #[error("{file}: not valid GeoJSON: {reason}")]
    Json { file: String, reason: String },
    #[error("{file}: feature {index} has no Polygon or MultiPolygon geometry")]
    Geometry { file: String, index: usize },
    #[error("{file}: feature {index} has no \"{property}\" property")]
    Property {
        file: String,
        index: usize,
        property: &'static str,
    },
}

/// One feature's shape and properties.
struct Feature {
    shape: MultiPolygon<f64>,
    properties: serde_json::Map<String, serde_json::Value>,
}

fn features(file: &str, text: &str) -> Result<Vec<Feature>, AreaError> {
    let json_error = |reason: String| AreaError::Json {
        file: file.to_owned(),
        reason,
    };
    let geojson: GeoJson = text.parse().map_err(|e| json_error(format!("{e}")))?;
    let list = match geojson {
        GeoJson::FeatureCollection(c) => c.features,
        GeoJson::Feature(f) => vec![f],
        GeoJson::Geometry(g) => vec![geojson::Feature {
            geometry: Some(g),
            ..Default::default()
        }],
    };
    list.into_iter()
        .enumerate()
        .map(|(index, feature)| {
            let geometry_error = || AreaError::Geometry {
                file: file.to_owned(),
                index,
            };
            let geometry = feature.geometry.ok_or_else(geometry_error)?;
            let shape: geo::Geometry<f64> = geometry.try_into().map_err(|_| geometry_error())?;
            let shape = match shape {
                geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
                geo::Geometry::MultiPolygon(m) => m,
                _ => return Err(geometry_error()),
            };
            Ok(Feature {
                shape,
                properties: feature.properties.unwrap_or_default(),
            })
        })
        .collect()
}

fn property(
    file: &str,
    index: usize,
    feature: &Feature,
    name: &'static str,
) -> Result<String, AreaError> {
    optional(feature, name).ok_or_else(|| AreaError::Property {
        file: file.to_owned(),
        index,
        property: name,
    })
}

fn optional(feature: &Feature, name: &str) -> Option<String> {
    feature
        .properties
        .get(name)
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

/// A GeoJSON file's name and text.
pub struct GeoJsonFile<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

impl CouncilArea {
    /// Reads the boundary (one or more polygons, holes allowed), the wards (each with
    /// `code` and `name`) and the neighbours (each with `name`, and optionally `website`
    /// and `phone`).
    pub fn from_geojson(
        boundary: GeoJsonFile<'_>,
        wards: GeoJsonFile<'_>,
        neighbours: Option<GeoJsonFile<'_>>,
    ) -> Result<Self, AreaError> {
        let boundary_shape = MultiPolygon(
            features(boundary.name, boundary.text)?
                .into_iter()
                .flat_map(|f| f.shape.0)
                .collect(),
        );
        let wards = features(wards.name, wards.text)?
            .into_iter()
            .enumerate()
            .map(|(i, f)| {
                Ok(Ward {
                    code: property(wards.name, i, &f, "code")?,
                    name: property(wards.name, i, &f, "name")?,
                    shape: f.shape,
                })
            })
            .collect::<Result<_, AreaError>>()?;
        let neighbours = match neighbours {
            None => Vec::new(),
            Some(file) => features(file.name, file.text)?
                .into_iter()
                .enumerate()
                .map(|(i, f)| {
                    Ok(Neighbour {
                        name: property(file.name, i, &f, "name")?,
                        website: optional(&f, "website"),
                        phone: optional(&f, "phone"),
                        shape: f.shape,
                    })
                })
                .collect::<Result<_, AreaError>>()?,
        };
        Ok(Self {
            boundary: boundary_shape,
            boundary_geojson: boundary.text.to_owned(),
            wards,
            neighbours,
        })
    }

    /// The ward a point lies in, or who to contact when it is outside the boundary. A point
    /// exactly on an edge counts as inside; on a ward edge, the first ward in the file wins.
    pub fn locate(&self, point: Point) -> Result<Option<&Ward>, Outside<'_>> {
        let p = geo::Point::new(point.lon(), point.lat());
        if !self.boundary.intersects(&p) {
            return Err(self
                .neighbours
                .iter()
                .find(|n| n.shape.intersects(&p))
                .map(|n| Outside::Neighbour(&n.name, n.website.as_deref(), n.phone.as_deref()))
                .unwrap_or(Outside::Unknown));
        }
        Ok(self.wards.iter().find(|w| w.shape.intersects(&p)))
    }

    pub fn wards(&self) -> &[Ward] {
        &self.wards
    }

    pub fn ward(&self, code: &str) -> Option<&Ward> {
        self.wards.iter().find(|w| w.code == code)
    }

    pub fn boundary_geojson(&self) -> &str {
        &self.boundary_geojson
    }

    /// The middle of the boundary's bounding box, where maps start.
    pub fn centre(&self) -> Option<Point> {
        use geo::BoundingRect;
        let rect = self.boundary.bounding_rect()?;
        let c = rect.center();
        Point::new(c.y, c.x).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A square 0..10 with a square hole 4..6 (a neighbour's enclave), and a detached square
    // 20..22 (an exclave). Coordinates are lon, lat as GeoJSON has them.
    const BOUNDARY: &str = r#"{"type":"Feature","properties":{},"geometry":{"type":"MultiPolygon","coordinates":[
        [[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]],
        [[[20,0],[22,0],[22,2],[20,2],[20,0]]]]}}"#;
    const WARDS: &str = r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"code":"W","name":"West"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[5,0],[5,10],[0,10],[0,0]]]}},
        {"type":"Feature","properties":{"code":"E","name":"East"},"geometry":{"type":"MultiPolygon","coordinates":[
            [[[5,0],[10,0],[10,10],[5,10],[5,0]]], [[[20,0],[22,0],[22,2],[20,2],[20,0]]]]}}]}"#;
    const NEIGHBOURS: &str = r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"name":"Enclave Council","phone":"01632 960111"},"geometry":{"type":"Polygon","coordinates":[[[4,4],[6,4],[6,6],[4,6],[4,4]]]}}]}"#;

    fn area() -> CouncilArea {
        CouncilArea::from_geojson(
            GeoJsonFile {
                name: "b",
                text: BOUNDARY,
            },
            GeoJsonFile {
                name: "w",
                text: WARDS,
            },
            Some(GeoJsonFile {
                name: "n",
                text: NEIGHBOURS,
            }),
        )
        .unwrap()
    }

    fn ward_of(area: &CouncilArea, lat: f64, lon: f64) -> Result<Option<String>, String> {
        area.locate(Point::new(lat, lon).unwrap())
            .map(|w| w.map(|w| w.code.clone()))
            .map_err(|o| o.message("Demo Council").to_string())
    }

    #[test]
    fn points_get_their_ward_including_in_an_exclave() {
        let area = area();
        assert_eq!(ward_of(&area, 2.0, 2.0), Ok(Some("W".into())));
        assert_eq!(ward_of(&area, 8.0, 8.0), Ok(Some("E".into())));
        assert_eq!(ward_of(&area, 1.0, 21.0), Ok(Some("E".into())));
    }

    #[test]
    fn a_point_in_the_hole_names_the_neighbour() {
        let err = ward_of(&area(), 5.0, 5.0).unwrap_err();
        assert!(err.contains("Enclave Council looks after it"), "{err}");
        assert!(err.contains("on 01632 960111"), "{err}");
    }

    #[test]
    fn a_point_nowhere_known_points_to_the_gov_uk_finder() {
        let err = ward_of(&area(), 50.0, 50.0).unwrap_err();
        assert!(err.contains(FIND_YOUR_COUNCIL), "{err}");
    }

    #[test]
    fn edges_count_as_inside_and_the_first_ward_wins() {
        let area = area();
        assert_eq!(ward_of(&area, 0.0, 0.0), Ok(Some("W".into())));
        assert_eq!(ward_of(&area, 3.0, 5.0), Ok(Some("W".into())));
        assert_eq!(ward_of(&area, 3.0, 5.000001), Ok(Some("E".into())));
    }

    #[test]
    fn bad_files_are_named() {
        let bad = CouncilArea::from_geojson(
            GeoJsonFile {
                name: "b.geojson",
                text: "{",
            },
            GeoJsonFile {
                name: "w",
                text: WARDS,
            },
            None,
        )
        .unwrap_err();
        assert!(bad.to_string().starts_with("b.geojson: not valid GeoJSON"));
        let no_code = r#"{"type":"Feature","properties":{"name":"X"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}"#;
        let bad = CouncilArea::from_geojson(
            GeoJsonFile {
                name: "b",
                text: BOUNDARY,
            },
            GeoJsonFile {
                name: "w.geojson",
                text: no_code,
            },
            None,
        )
        .unwrap_err();
        assert_eq!(
            bad.to_string(),
            "w.geojson: feature 0 has no \"code\" property"
        );
        let point = r#"{"type":"Point","coordinates":[0,0]}"#;
        assert!(matches!(
            CouncilArea::from_geojson(
                GeoJsonFile {
                    name: "b",
                    text: point
                },
                GeoJsonFile {
                    name: "w",
                    text: WARDS
                },
                None
            ),
            Err(AreaError::Geometry { .. })
        ));
    }
}

//! Places residents report: a point on the map, the distance between two points, and the
//! box a nearby search must look inside.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Mean radius of the Earth in metres (IUGG), for great-circle distances.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A WGS 84 position, as a map or a phone's GPS gives it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawPoint", into = "RawPoint")]
pub struct Point {
    lat: f64,
    lon: f64,
}

// `Point::new` refuses NaN and infinities, so equality is total.
impl Eq for Point {}

#[derive(Serialize, Deserialize)]
struct RawPoint {
    lat: f64,
    lon: f64,
}

impl TryFrom<RawPoint> for Point {
    type Error = LocationError;
    fn try_from(raw: RawPoint) -> Result<Self, Self::Error> {
        Point::new(raw.lat, raw.lon)
    }
}

impl From<Point> for RawPoint {
    fn from(p: Point) -> Self {
        RawPoint {
            lat: p.lat,
            lon: p.lon,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.text())]
pub enum LocationError {
    Latitude,
    Longitude,
}

impl LocationError {
    pub fn text(&self) -> crate::i18n::Text {
        crate::i18n::Text::new(match self {
            LocationError::Latitude => "error.location.latitude",
            LocationError::Longitude => "error.location.longitude",
        })
    }
}

impl Point {
    pub fn new(lat: f64, lon: f64) -> Result<Self, LocationError> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(LocationError::Latitude);
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(LocationError::Longitude);
        }
        Ok(Self { lat, lon })
    }

    /// Parses decimal degrees as typed or posted ("54.5", " -1.23 ").
    pub fn parse(lat: &str, lon: &str) -> Result<Self, LocationError> {
        let lat = lat.trim().parse().map_err(|_| LocationError::Latitude)?;
        let lon = lon.trim().parse().map_err(|_| LocationError::Longitude)?;
        Self::new(lat, lon)
    }

    pub fn lat(self) -> f64 {
        self.lat
    }

    pub fn lon(self) -> f64 {
        self.lon
    }

    /// Great-circle distance in metres (haversine; within 0.5 % of the ellipsoid).
    pub fn distance_m(self, other: Point) -> f64 {
        let (phi1, phi2) = (self.lat.to_radians(), other.lat.to_radians());
        let dphi = phi2 - phi1;
        let dlambda = (other.lon - self.lon).to_radians();
        let a =
            (dphi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (dlambda / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
    }

    /// A box of latitudes and longitudes that holds every point within `radius_m`, for a
    /// spatial index to narrow the search before exact distances are taken.
    pub fn bounding_box(self, radius_m: f64) -> BoundingBox {
        let angular = radius_m / EARTH_RADIUS_M;
        let dlat = angular.to_degrees();
        let min_lat = (self.lat - dlat).max(-90.0);
        let max_lat = (self.lat + dlat).min(90.0);
        // Longitude degrees shrink towards the poles; widen by the cosine of the latitude
        // furthest from the equator that the box reaches.
        let widest = min_lat.abs().max(max_lat.abs()).to_radians().cos();
        let (min_lon, max_lon) = if widest < 1e-9 || angular / widest >= std::f64::consts::PI {
            (-180.0, 180.0)
        } else {
            let dlon = (angular.sin() / widest).min(1.0).asin().to_degrees() * 1.000_001;
            (self.lon - dlon, self.lon + dlon)
        };
        BoundingBox {
            min_lat,
            max_lat,
            min_lon,
            max_lon,
        }
    }
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.6}, {:.6}", self.lat, self.lon)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundingBox {
    pub min_lat: f64,
    pub max_lat: f64,
    pub min_lon: f64,
    pub max_lon: f64,
}

impl BoundingBox {
    pub fn contains(&self, p: Point) -> bool {
        (self.min_lat..=self.max_lat).contains(&p.lat)
            && (self.min_lon..=self.max_lon).contains(&p.lon)
    }
}

/// Where a report is: at least one of a point, a gazetteer address or a street, and the
/// ward it falls in once the council's area has placed it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point: Option<Point>,
    /// The Unique Property Reference Number of a gazetteer address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uprn: Option<String>,
    /// The gazetteer address as one line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    /// The resident's description of the spot ("by the bus shelter").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ward: Option<String>,
}

impl Place {
    /// The place as one line for people: the address, else the street and description,
    /// else the coordinates.
    pub fn display(&self) -> String {
        if let Some(address) = &self.address {
            return address.clone();
        }
        let mut parts: Vec<String> = Vec::new();
        parts.extend(self.street.clone());
        parts.extend(self.description.clone());
        if parts.is_empty()
            && let Some(point) = self.point
        {
            parts.push(format!("Map point {point}"));
        }
        parts.join(", ")
    }
}

/// An address in the council's gazetteer (its list of every property and street).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GazetteerAddress {
    pub uprn: String,
    pub line1: String,
    pub line2: Option<String>,
    pub town: String,
    pub postcode: crate::Postcode,
    pub street: String,
    pub point: Point,
}

impl GazetteerAddress {
    pub fn one_line(&self) -> String {
        let mut lines = vec![self.line1.clone()];
        lines.extend(self.line2.clone());
        lines.extend([self.town.clone(), self.postcode.to_string()]);
        lines.join(", ")
    }

    /// A UPRN is 1 to 12 digits.
    pub fn is_uprn(text: &str) -> bool {
        (1..=12).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(lat: f64, lon: f64) -> Point {
        Point::new(lat, lon).unwrap()
    }

    #[test]
    fn known_distances() {
        // One degree of latitude is about 111.2 km on the mean sphere.
        let d = p(53.0, -1.5).distance_m(p(54.0, -1.5));
        assert!((d - 111_195.0).abs() < 5.0, "{d}");
        // London (Charing Cross) to Edinburgh (Waverley) is about 534 km.
        let d = p(51.5080, -0.1247).distance_m(p(55.9520, -3.1890));
        assert!((d - 534_000.0).abs() < 3_000.0, "{d}");
    }

    #[test]
    fn parse_refuses_nonsense() {
        assert_eq!(Point::parse("91", "0"), Err(LocationError::Latitude));
        assert_eq!(Point::parse("abc", "0"), Err(LocationError::Latitude));
        assert_eq!(Point::parse("52", "NaN"), Err(LocationError::Longitude));
        assert_eq!(Point::parse(" 52.5 ", "-1.25").unwrap(), p(52.5, -1.25));
    }

    #[test]
    fn serde_refuses_out_of_range() {
        assert!(serde_json::from_str::<Point>(r#"{"lat":100,"lon":0}"#).is_err());
        let back: Point = serde_json::from_str(r#"{"lat":53,"lon":-1.5}"#).unwrap();
        assert_eq!(back, p(53.0, -1.5));
    }

    fn point() -> impl Strategy<Value = Point> {
        (-85.0f64..85.0, -179.0f64..179.0).prop_map(|(a, b)| p(a, b))
    }

    /// The point `d` metres from `from` on bearing `theta` (radians), on the same sphere.
    fn destination(from: Point, theta: f64, d: f64) -> Point {
        let delta = d / EARTH_RADIUS_M;
        let phi1 = from.lat.to_radians();
        let phi2 = (phi1.sin() * delta.cos() + phi1.cos() * delta.sin() * theta.cos()).asin();
        let lambda = from.lon.to_radians()
            + (theta.sin() * delta.sin() * phi1.cos()).atan2(delta.cos() - phi1.sin() * phi2.sin());
        p(phi2.to_degrees(), lambda.to_degrees())
    }

    proptest! {
        #[test]
        fn distance_is_a_metric(a in point(), b in point(), c in point()) {
            prop_assert!(a.distance_m(a).abs() < 1e-6);
            prop_assert!((a.distance_m(b) - b.distance_m(a)).abs() < 1e-6);
            prop_assert!(a.distance_m(c) <= a.distance_m(b) + b.distance_m(c) + 1e-6);
            prop_assert!(a.distance_m(b) <= std::f64::consts::PI * EARTH_RADIUS_M + 1e-6);
        }

        #[test]
        fn distance_matches_the_bearing_walk(a in point(), theta in 0.0f64..std::f64::consts::TAU, d in 0.0f64..5_000.0) {
            let b = destination(a, theta, d);
            prop_assert!((a.distance_m(b) - d).abs() < 0.01 + d * 1e-9, "{} vs {}", a.distance_m(b), d);
        }

        /// The spatial index may only narrow the search: nothing within the radius may fall
        /// outside the box.
        #[test]
        fn the_box_holds_every_point_within_the_radius(a in point(), theta in 0.0f64..std::f64::consts::TAU, frac in 0.0f64..1.0, r in 1.0f64..2_000.0) {
            let b = destination(a, theta, r * frac);
            prop_assert!(a.bounding_box(r).contains(b), "{a} -> {b} r={r}");
        }
    }
}

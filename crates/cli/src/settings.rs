//! Settings: built-in defaults, then a TOML file, then `FRONTDOOR_*` environment variables.

use anyhow::{Context, Result};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Clone, Serialize, Deserialize)]
pub struct Settings {
    pub addr: String,
    pub database: String,
    /// The council's catalogue file; unset means the built-in demo council.
    pub catalogue: Option<PathBuf>,
    pub secure_cookies: bool,
    /// The triage model file; unset means the built-in demo council model.
    pub triage_model: Option<PathBuf>,
    /// The triage rules for training; unset means the demo council's (with its catalogue).
    pub triage_rules: Option<PathBuf>,
    /// Map tiles for location pages, `{z}/{x}/{y}` style; empty shows only the boundary.
    pub map_tiles: String,
    pub map_attribution: String,
    /// How close (metres) an open report must be to be offered as a duplicate.
    pub duplicate_radius_m: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            addr: "127.0.0.1:8080".into(),
            database: "sqlite://data/frontdoor.db".into(),
            catalogue: None,
            secure_cookies: false,
            triage_model: None,
            triage_rules: None,
            map_tiles: "https://tile.openstreetmap.org/{z}/{x}/{y}.png".into(),
            map_attribution: "© OpenStreetMap contributors".into(),
            duplicate_radius_m: 50.0,
        }
    }
}

impl std::fmt::Debug for Settings {
    // A database URL can carry a password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("addr", &self.addr)
            .field("catalogue", &self.catalogue)
            .finish_non_exhaustive()
    }
}

impl Settings {
    pub fn load(file: &Path) -> Result<Self> {
        Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("FRONTDOOR_"))
            .extract()
            .with_context(|| {
                format!(
                    "bad setting (in {} or a FRONTDOOR_ variable)",
                    file.display()
                )
            })
    }
}

//! Settings: built-in defaults, then a TOML file, then `FRONTDOOR_*` environment variables.

use anyhow::{Context, Result};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use frontdoor_domain::Channel;
use frontdoor_domain::mi::{ChannelCost, UnitCosts};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
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
    /// The static embedding table triage reads meaning with; unset means the built-in one.
    pub triage_embeddings: Option<PathBuf>,
    /// Map tiles for location pages, `{z}/{x}/{y}` style; empty shows only the boundary.
    pub map_tiles: String,
    pub map_attribution: String,
    /// How close (metres) an open report must be to be offered as a duplicate.
    pub duplicate_radius_m: f64,
    /// Where residents and gateways reach this server, e.g. https://frontdoor.council.gov.uk
    pub public_url: String,
    /// Secret gateways sign inbound webhooks with (HMAC-SHA256); unset turns them off.
    pub intake_secret: Option<String>,
    /// Listen for mail from the council's relay on this address (also `serve --smtp`).
    pub smtp_listen: Option<String>,
    /// How email goes out: "log" (the dev mailbox folder), "smtp" or "notify".
    pub email_sender: String,
    /// How text messages go out: "log" or "notify".
    pub sms_sender: String,
    /// Where the log sender writes each message in full.
    pub dev_mailbox: PathBuf,
    pub smtp_url: String,
    pub mail_from: String,
    pub notify_url: String,
    pub notify_api_key: Option<String>,
    pub notify_email_template: String,
    pub notify_sms_template: String,
    /// Back-office systems told of life events by signed webhook.
    pub back_office: Vec<frontdoor_web::BackOffice>,
    /// The `authserv-id` of the council's mail relay, whose `Authentication-Results` header
    /// decides whether an email's sender is proven; unset, Front Door checks DKIM itself.
    pub email_relay: Option<String>,
    /// Look DKIM keys up in DNS; off, only `email_dkim_keys` are used.
    pub email_dkim_dns: bool,
    /// DKIM keys by the name they are published at (`selector._domainkey.example.org`).
    pub email_dkim_keys: BTreeMap<String, String>,
    /// Partner systems allowed to send cases to the open API as phone, face-to-face and
    /// other staffed channels: `[[api_partners]] name, key, channels`.
    pub api_partners: Vec<frontdoor_web::ApiPartner>,
    /// Secret the back-office webhooks are signed with.
    pub back_office_secret: Option<String>,
    pub outbox_lease_ms: u64,
    pub outbox_retry_base_ms: u64,
    pub outbox_max_attempts: i64,
    /// The council's own cost per contact and agent minutes, by channel, replacing the
    /// published defaults: `[unit_costs.phone] pounds = 3.10, agent_minutes = 7`.
    pub unit_costs: BTreeMap<String, UnitCost>,
    /// Failed staff sign-ins per email address in 15 minutes before sign-in is refused.
    pub sign_in_failures_per_email: u32,
    /// Public submissions per client address in 10 minutes; 0 for no limit.
    pub submissions_per_address: u32,
    /// Failed tracking attempts per reference in 15 minutes (four times that per client
    /// address) before tracking is refused; 0 for no limit.
    pub track_failures_per_reference: u32,
    /// Behind the council's reverse proxy: trust the address it adds to X-Forwarded-For.
    pub behind_proxy: bool,
    /// Several councils served by this one deployment, each at its own host name and on
    /// its own database (docs/deploy.md). Empty: one council, as the settings above say.
    pub councils: Vec<CouncilSite>,
}

/// One council of several: what differs from the shared settings.
#[derive(Clone, Serialize, Deserialize)]
pub struct CouncilSite {
    /// The host name its residents and staff use, e.g. frontdoor.north-shire.gov.uk.
    pub host: String,
    /// Its own database: a SQLite file or a PostgreSQL database (never another council's).
    pub database: String,
    /// Its catalogue file; unset means the built-in demo council.
    pub catalogue: Option<PathBuf>,
    pub triage_model: Option<PathBuf>,
    pub public_url: Option<String>,
    pub intake_secret: Option<String>,
    pub mail_from: Option<String>,
    /// Its own partner systems; a partner's key is never shared between councils.
    #[serde(default)]
    pub api_partners: Vec<frontdoor_web::ApiPartner>,
}

#[derive(Clone, Serialize, Deserialize)]
pub struct UnitCost {
    pub pounds: f64,
    pub agent_minutes: f64,
    pub source: Option<String>,
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
            triage_embeddings: None,
            map_tiles: "https://tile.openstreetmap.org/{z}/{x}/{y}.png".into(),
            map_attribution: "© OpenStreetMap contributors".into(),
            duplicate_radius_m: 50.0,
            public_url: "http://127.0.0.1:8080".into(),
            intake_secret: None,
            smtp_listen: None,
            email_sender: "log".into(),
            sms_sender: "log".into(),
            dev_mailbox: PathBuf::from("data/mail"),
            smtp_url: "smtp://127.0.0.1:25".into(),
            mail_from: "Front Door <noreply@demo-council.example>".into(),
            notify_url: frontdoor_notify::NOTIFY_URL.into(),
            notify_api_key: None,
            notify_email_template: String::new(),
            notify_sms_template: String::new(),
            back_office: Vec::new(),
            api_partners: Vec::new(),
            email_relay: None,
            email_dkim_dns: true,
            email_dkim_keys: BTreeMap::new(),
            back_office_secret: None,
            outbox_lease_ms: 60_000,
            outbox_retry_base_ms: 30_000,
            outbox_max_attempts: 10,
            unit_costs: BTreeMap::new(),
            sign_in_failures_per_email: 5,
            submissions_per_address: 120,
            track_failures_per_reference: 5,
            behind_proxy: false,
            councils: Vec::new(),
        }
    }
}

impl std::fmt::Debug for Settings {
    // A database URL, API keys and secrets must never be printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("addr", &self.addr)
            .field("catalogue", &self.catalogue)
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// The settings one council of several runs with: the shared ones, with its own.
    pub fn for_council(&self, site: &CouncilSite) -> Settings {
        let mut settings = self.clone();
        settings.councils = Vec::new();
        settings.database = site.database.clone();
        settings.catalogue = site.catalogue.clone();
        settings.triage_model = site.triage_model.clone();
        settings.triage_rules = None;
        settings.public_url = site
            .public_url
            .clone()
            .unwrap_or_else(|| format!("https://{}", site.host));
        settings.intake_secret = site.intake_secret.clone();
        settings.api_partners = site.api_partners.clone();
        if let Some(from) = &site.mail_from {
            settings.mail_from = from.clone();
        }
        settings
    }

    /// Refuses a councils list that would mix two councils' requests or data.
    pub fn check_councils(&self) -> Result<()> {
        let mut hosts = std::collections::BTreeSet::new();
        let mut databases = std::collections::BTreeSet::new();
        for site in &self.councils {
            let host = site.host.trim().to_ascii_lowercase();
            if host.is_empty() || host.contains(['/', ':', ' ']) {
                anyhow::bail!("councils: host '{}' must be a bare host name", site.host);
            }
            if !hosts.insert(host) {
                anyhow::bail!("councils: host '{}' is listed twice", site.host);
            }
            if !databases.insert(site.database.trim().to_owned()) {
                anyhow::bail!(
                    "councils: two councils share a database; each needs its own (host '{}')",
                    site.host
                );
            }
        }
        Ok(())
    }

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

    /// The published defaults with the council's own figures laid over them.
    pub fn unit_costs(&self) -> Result<UnitCosts> {
        let mut costs = UnitCosts::default();
        for (name, cost) in &self.unit_costs {
            let channel = Channel::parse(name).map_err(|e| anyhow::anyhow!("unit_costs: {e}"))?;
            let sane = |v: f64| v.is_finite() && (0.0..=10_000.0).contains(&v);
            if !sane(cost.pounds) || !sane(cost.agent_minutes) {
                anyhow::bail!(
                    "unit_costs.{name}: pounds and agent_minutes must be numbers from 0 to 10000"
                );
            }
            let source = cost
                .source
                .clone()
                .unwrap_or_else(|| "Set by the council in its settings".into());
            costs.0.insert(
                channel,
                ChannelCost {
                    pounds: cost.pounds,
                    agent_minutes: cost.agent_minutes,
                    source,
                },
            );
        }
        Ok(costs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(toml: &str) -> Result<Settings> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("frontdoor.toml");
        std::fs::write(&path, toml).unwrap();
        Settings::load(&path)
    }

    #[test]
    fn councils_need_their_own_host_and_database() {
        let two = |a: (&str, &str), b: (&str, &str)| {
            load(&format!(
                "[[councils]]\nhost = \"{}\"\ndatabase = \"{}\"\n\n[[councils]]\nhost = \"{}\"\ndatabase = \"{}\"\n",
                a.0, a.1, b.0, b.1
            ))
            .unwrap()
        };
        let fine = two(
            ("north.example", "sqlite://n.db"),
            ("south.example", "sqlite://s.db"),
        );
        fine.check_councils().unwrap();
        let south = fine.for_council(&fine.councils[1]);
        assert_eq!(south.database, "sqlite://s.db");
        assert_eq!(south.public_url, "https://south.example");
        assert!(south.councils.is_empty());
        let same_host = two(
            ("north.example", "sqlite://n.db"),
            ("North.Example", "sqlite://s.db"),
        );
        let error = same_host.check_councils().unwrap_err().to_string();
        assert!(error.contains("listed twice"), "{error}");
        let same_db = two(
            ("north.example", "sqlite://n.db"),
            ("south.example", "sqlite://n.db"),
        );
        let error = same_db.check_councils().unwrap_err().to_string();
        assert!(error.contains("share a database"), "{error}");
        let with_port = two(
            ("north.example:8080", "sqlite://n.db"),
            ("s", "sqlite://s.db"),
        );
        assert!(with_port.check_councils().is_err());
    }

    #[test]
    fn a_council_sets_its_own_unit_costs_and_keeps_the_defaults_for_the_rest() {
        let settings = load(
            "[unit_costs.phone]\npounds = 3.40\nagent_minutes = 7.5\nsource = \"Our 2025/26 budget\"\n",
        )
        .unwrap();
        let costs = settings.unit_costs().unwrap();
        let phone = costs.get(Channel::Phone);
        assert_eq!((phone.pounds, phone.agent_minutes), (3.40, 7.5));
        assert_eq!(phone.source, "Our 2025/26 budget");
        assert_eq!(costs.get(Channel::Web).pounds, 0.15);
    }

    #[test]
    fn impossible_unit_costs_are_refused_with_a_reason() {
        let negative = load("[unit_costs.phone]\npounds = -1\nagent_minutes = 5\n").unwrap();
        let error = negative.unit_costs().unwrap_err().to_string();
        assert!(error.contains("unit_costs.phone"), "{error}");
        let pigeon = load("[unit_costs.pigeon]\npounds = 1\nagent_minutes = 5\n").unwrap();
        let error = pigeon.unit_costs().unwrap_err().to_string();
        assert!(error.contains("Unknown channel 'pigeon'"), "{error}");
    }
}

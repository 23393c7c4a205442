//! What every request handler can reach: the store, the catalogue and the calendar.

use frontdoor_domain::area::CouncilArea;
use frontdoor_domain::{Catalogue, WorkingCalendar};
use frontdoor_store::Store;
use frontdoor_triage::Model;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub catalogue: Arc<Catalogue>,
    pub calendar: Arc<WorkingCalendar>,
    pub settings: Arc<WebSettings>,
    /// The triage model in use; its id is shown in the console and kept with each decision.
    pub triage: Arc<Model>,
    /// The council's boundary and wards; without one, places are not checked or given wards.
    pub area: Option<Arc<CouncilArea>>,
    /// The catalogue in Welsh, where the council has a translation of it.
    pub welsh: Option<Arc<Catalogue>>,
    pub limits: Arc<crate::rate_limit::Limits>,
    /// Proves an email's sender before its address is trusted (docs/security.md).
    pub senders: Arc<frontdoor_intake::SenderCheck>,
}

#[derive(Debug, Clone)]
pub struct WebSettings {
    /// Mark cookies `Secure`; on wherever Front Door is served over HTTPS.
    pub secure_cookies: bool,
    /// Map tile URL template (`{z}/{x}/{y}`); empty draws maps with the boundary only.
    pub map_tiles: String,
    pub map_attribution: String,
    /// How near (metres) an open report of the same service must be to be offered to follow.
    pub duplicate_radius_m: f64,
    /// Shared secret gateways sign inbound webhooks with; without one the webhooks are off.
    pub intake_secret: Option<String>,
    /// The `authserv-id` of the council's mail relay: its `Authentication-Results` header
    /// decides whether a sender is proven. Unset: Front Door checks DKIM itself.
    pub email_relay: Option<String>,
    /// Look DKIM keys up in DNS (off: only `email_dkim_keys`).
    pub email_dkim_dns: bool,
    /// DKIM keys by the name they are published at, used before DNS.
    pub email_dkim_keys: std::collections::BTreeMap<String, String>,
    /// Where residents and gateways reach Front Door (for Twilio's signed URL).
    pub public_url: String,
    /// Back-office systems told of life events (Tell Us Once), by signed webhook.
    pub back_office: Vec<BackOffice>,
    /// Partner systems that may say a case came by phone, face to face and so on.
    pub api_partners: Vec<ApiPartner>,
    /// What a contact costs on each channel, for cost to serve and the simulator.
    pub unit_costs: frontdoor_domain::mi::UnitCosts,
    /// Failed staff sign-ins allowed per email address in 15 minutes (ten times as many per
    /// client address); 0 turns the limit off.
    pub sign_in_failures_per_email: u32,
    /// Public submissions allowed per client address in 10 minutes; 0 turns the limit off.
    pub submissions_per_address: u32,
    /// Failed tracking attempts allowed per reference in 15 minutes (four times as many per
    /// client address); 0 turns the limit off.
    pub track_failures_per_reference: u32,
    /// Served behind the council's own reverse proxy: count clients by the address it adds
    /// to `X-Forwarded-For`, not the proxy's own.
    pub behind_proxy: bool,
}

/// A partner system (the council's telephony, a contact-centre product) allowed to send
/// cases and contacts to the open API as arriving by channels other than `api` and `web`.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct ApiPartner {
    pub name: String,
    /// Sent as `Authorization: Bearer KEY`.
    pub key: String,
    pub channels: Vec<frontdoor_domain::Channel>,
}

impl std::fmt::Debug for ApiPartner {
    // The key is a secret: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiPartner")
            .field("name", &self.name)
            .field("channels", &self.channels)
            .finish_non_exhaustive()
    }
}

/// A back-office system (revenues, housing, electoral registration) that wants to hear of
/// life events, and which ones.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct BackOffice {
    pub name: String,
    pub url: String,
    pub events: Vec<frontdoor_domain::LifeEventKind>,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            map_tiles: String::new(),
            map_attribution: String::new(),
            duplicate_radius_m: 50.0,
            intake_secret: None,
            email_relay: None,
            email_dkim_dns: true,
            email_dkim_keys: Default::default(),
            public_url: "http://127.0.0.1:8080".into(),
            back_office: Vec::new(),
            api_partners: Vec::new(),
            unit_costs: Default::default(),
            sign_in_failures_per_email: 5,
            submissions_per_address: 120,
            track_failures_per_reference: 5,
            behind_proxy: false,
        }
    }
}

/// The sender check the settings describe. A key that cannot be read is left out and
/// logged; `frontdoor` refuses such settings before it gets here.
fn sender_check(settings: &WebSettings) -> frontdoor_intake::SenderCheck {
    let check =
        frontdoor_intake::SenderCheck::new(settings.email_relay.clone(), settings.email_dkim_dns);
    for (name, record) in &settings.email_dkim_keys {
        if let Err(why) = check.add_key(name, record) {
            tracing::error!(error = %why, "DKIM key left out");
        }
    }
    check
}

impl AppState {
    pub fn new(store: Store, catalogue: Catalogue, settings: WebSettings, triage: Model) -> Self {
        Self {
            store,
            catalogue: Arc::new(catalogue),
            calendar: Arc::new(WorkingCalendar::england_and_wales()),
            limits: Arc::new(crate::rate_limit::Limits::new(&settings)),
            senders: Arc::new(sender_check(&settings)),
            settings: Arc::new(settings),
            triage: Arc::new(triage),
            area: None,
            welsh: None,
        }
    }

    /// The catalogue in a resident's language: Welsh words where the council gave them.
    pub fn catalogue_in(&self, locale: frontdoor_domain::Locale) -> &Catalogue {
        match (locale, &self.welsh) {
            (frontdoor_domain::Locale::Cy, Some(welsh)) => welsh,
            _ => &self.catalogue,
        }
    }

    /// The catalogue in the language of the page being answered.
    pub fn local_catalogue(&self) -> &Catalogue {
        self.catalogue_in(crate::locale::current())
    }

    pub fn with_welsh(mut self, welsh: Catalogue) -> Self {
        self.welsh = Some(Arc::new(welsh));
        self
    }

    /// A service's name for people, or its slug if the catalogue no longer has it.
    pub fn service_name(&self, slug: &str) -> String {
        self.service_name_in(frontdoor_domain::Locale::En, slug)
    }

    /// A service's name in the language of the page being answered.
    pub fn local_service_name(&self, slug: &str) -> String {
        self.service_name_in(crate::locale::current(), slug)
    }

    /// A service's name in a language, or its slug if the catalogue no longer has it.
    pub fn service_name_in(&self, locale: frontdoor_domain::Locale, slug: &str) -> String {
        self.catalogue_in(locale)
            .service(slug)
            .map(|s| s.name.clone())
            .unwrap_or_else(|| slug.to_owned())
    }

    pub fn with_area(mut self, area: CouncilArea) -> Self {
        self.area = Some(Arc::new(area));
        self
    }
}

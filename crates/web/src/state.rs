//! What every request handler can reach: the store, the catalogue and the calendar.

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
}

#[derive(Debug, Clone, Default)]
pub struct WebSettings {
    /// Mark cookies `Secure`; on wherever Front Door is served over HTTPS.
    pub secure_cookies: bool,
}

impl AppState {
    pub fn new(store: Store, catalogue: Catalogue, settings: WebSettings, triage: Model) -> Self {
        Self {
            store,
            catalogue: Arc::new(catalogue),
            calendar: Arc::new(WorkingCalendar::england_and_wales()),
            settings: Arc::new(settings),
            triage: Arc::new(triage),
        }
    }
}

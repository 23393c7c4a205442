//! Erasure (UK GDPR Article 17): what a request to erase a resident would do to each of
//! their cases, and doing it. A closed case in a service with no statutory basis is
//! anonymised; an open case, or one the law requires the council to keep, is kept, and
//! the reason is given so the data-protection officer can tell the resident. The same
//! steps serve the console page and `frontdoor erase`.

use frontdoor_domain::retention::{Erasure, on_erasure_request};
use frontdoor_domain::{Catalogue, Vulnerability};
use frontdoor_store::{PersonView, Store, StoreError};

/// One case and what erasure does to it.
#[derive(Debug, Clone)]
pub struct ErasureStep {
    pub case_id: i64,
    pub reference: String,
    pub service: String,
    /// `None`: anonymised. `Some(why)`: kept, and why.
    pub kept_because: Option<String>,
}

/// What erasing this resident would do, case by case (nothing is changed).
pub fn erasure_plan(catalogue: &Catalogue, person: &PersonView) -> Vec<ErasureStep> {
    person
        .cases
        .iter()
        .map(|case| {
            let service = catalogue.service(&case.service);
            let kept_because = match on_erasure_request(case.state.status.is_open(), service) {
                Erasure::Anonymise => None,
                Erasure::Keep(why) => Some(why),
            };
            ErasureStep {
                case_id: case.id,
                reference: case.reference.to_string(),
                service: service.map_or_else(|| case.service.clone(), |s| s.name.clone()),
                kept_because,
            }
        })
        .collect()
}

/// Carries out the plan: anonymises what may go and, when no case is kept, removes the
/// resident's vulnerability flags too (a kept case may need them). Returns the plan done.
pub async fn erase_resident(
    store: &Store,
    catalogue: &Catalogue,
    person: &PersonView,
    staff_id: i64,
) -> Result<Vec<ErasureStep>, StoreError> {
    let plan = erasure_plan(catalogue, person);
    for step in plan.iter().filter(|s| s.kept_because.is_none()) {
        store.anonymise_case(step.case_id).await?;
    }
    if plan.iter().all(|s| s.kept_because.is_none()) {
        for flag in Vulnerability::ALL {
            if person.flags.contains(&flag) {
                store.remove_flag(person.person_id, flag, staff_id).await?;
            }
        }
    }
    Ok(plan)
}

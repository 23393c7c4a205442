//! `frontdoor subject-access`: everything held on one resident, as JSON, for the
//! data-protection officer. Named administrators only; each export goes on the audit trail.

use anyhow::{Context, Result, bail};
use frontdoor_domain::{Catalogue, Permission, Role, Staffer};
use frontdoor_store::{NewAuditEvent, Store};
use std::path::Path;

pub async fn run(
    store: &Store,
    catalogue: &Catalogue,
    resident: i64,
    by: &str,
    out: Option<&Path>,
) -> Result<()> {
    let Some(staff) = store.staff_by_email(by).await? else {
        bail!("no member of staff has the email address {by}");
    };
    let allowed = Role::parse(&staff.role).is_some_and(|role| {
        Staffer {
            role,
            team: &staff.team,
        }
        .has(Permission::SubjectAccess)
    });
    if !allowed {
        bail!(
            "only an administrator may export a resident's data; {by} is {}",
            staff.role
        );
    }
    let Some(export) = frontdoor_web::subject_access(store, catalogue, resident).await? else {
        bail!("there is no resident {resident}");
    };
    store
        .record_audit(NewAuditEvent {
            staff_id: staff.id,
            action: "CLI subject-access",
            subject: &format!("resident {resident}"),
            outcome: 200,
            reason: None,
        })
        .await?;
    let json = serde_json::to_string_pretty(&export)?;
    match out {
        Some(path) => {
            std::fs::write(path, json)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!(
                "Wrote everything held on resident {resident} to {}",
                path.display()
            );
        }
        None => println!("{json}"),
    }
    Ok(())
}

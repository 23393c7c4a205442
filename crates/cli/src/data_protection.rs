//! The data-protection officer's commands: `subject-access` (everything held on one
//! resident, as JSON) and `erase` (erasure on request, keeping what the law requires).
//! Named administrators only; each goes on the audit trail.

use anyhow::{Context, Result, bail};
use frontdoor_domain::{Catalogue, Permission, Role, Staffer};
use frontdoor_store::{NewAuditEvent, StaffRecord, Store};
use std::path::Path;

/// The member of staff named by `--by`, if their role carries `permission`.
async fn administrator(store: &Store, by: &str, permission: Permission) -> Result<StaffRecord> {
    let Some(staff) = store.staff_by_email(by).await? else {
        bail!("no member of staff has the email address {by}");
    };
    let allowed = Role::parse(&staff.role).is_some_and(|role| {
        Staffer {
            role,
            team: &staff.team,
        }
        .has(permission)
    });
    if !allowed {
        bail!("only an administrator may do this; {by} is {}", staff.role);
    }
    Ok(staff)
}

async fn record(store: &Store, staff: &StaffRecord, action: &str, resident: i64) -> Result<()> {
    store
        .record_audit(NewAuditEvent {
            staff_id: staff.id,
            action,
            subject: &format!("resident {resident}"),
            outcome: 200,
            reason: None,
        })
        .await?;
    Ok(())
}

pub async fn subject_access(
    store: &Store,
    catalogue: &Catalogue,
    resident: i64,
    by: &str,
    out: Option<&Path>,
) -> Result<()> {
    let staff = administrator(store, by, Permission::SubjectAccess).await?;
    let Some(export) = frontdoor_web::subject_access(store, catalogue, resident).await? else {
        bail!("there is no resident {resident}");
    };
    record(store, &staff, "CLI subject-access", resident).await?;
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

/// Anonymises each of the resident's cases that may go now and says why each other is kept;
/// their vulnerability flags go too once nothing of theirs is kept.
pub async fn erase(store: &Store, catalogue: &Catalogue, resident: i64, by: &str) -> Result<()> {
    let staff = administrator(store, by, Permission::EraseResident).await?;
    let Some(person) = store.person(resident).await? else {
        bail!("there is no resident {resident}");
    };
    let done = frontdoor_web::erase_resident(store, catalogue, &person, staff.id).await?;
    let mut kept = 0;
    for step in &done {
        match &step.kept_because {
            None => println!("{}: anonymised", step.reference),
            Some(why) => {
                kept += 1;
                println!("{}: kept, because {why}", step.reference);
            }
        }
    }
    record(store, &staff, "CLI erase", resident).await?;
    println!(
        "Resident {resident}: {} case(s) anonymised, {kept} kept.",
        person.cases.len() - kept
    );
    Ok(())
}

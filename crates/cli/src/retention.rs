//! `frontdoor retention run`: anonymises every closed case kept longer than its service's
//! retention period (`retention_years` in the catalogue), service by service, and deletes
//! quarantined messages older than `QUARANTINE_DAYS`.

use anyhow::{Result, bail};
use clap::Subcommand;
use frontdoor_domain::Catalogue;
use frontdoor_domain::calendar::london;
use frontdoor_domain::retention::{QUARANTINE_DAYS, kept_since};
use frontdoor_store::Store;
use jiff::ToSpan;
use jiff::civil::Date;

#[derive(Subcommand)]
pub enum RetentionCommand {
    /// Anonymise what has been kept long enough, and say how much per service.
    Run {
        /// Only count what would be anonymised.
        #[arg(long)]
        dry_run: bool,
        /// Act as if today were this day (YYYY-MM-DD), e.g. to see what a later run would do.
        #[arg(long)]
        today: Option<String>,
    },
}

pub async fn run(store: &Store, catalogue: &Catalogue, command: RetentionCommand) -> Result<()> {
    let RetentionCommand::Run { dry_run, today } = command;
    let today = match today {
        Some(text) => match text.parse::<Date>() {
            Ok(day) => day,
            Err(_) => bail!("--today must be a date like 2032-11-26, not '{text}'"),
        },
        None => frontdoor_domain::calendar::london_date(jiff::Timestamp::now()),
    };
    let mut total = 0;
    for service in &catalogue.services {
        let since = kept_since(today, service.retention_years);
        let before = since.to_zoned_datetime(london())?.timestamp();
        let expired = store.closed_before(&service.slug, before).await?;
        if expired.is_empty() {
            continue;
        }
        if !dry_run {
            for case in &expired {
                store.anonymise_case(*case).await?;
            }
        }
        println!(
            "{}: {} case{} closed before {since} ({} years)",
            service.slug,
            expired.len(),
            if expired.len() == 1 { "" } else { "s" },
            service.retention_years
        );
        total += expired.len();
    }
    quarantine(store, today, dry_run).await?;
    let done = if dry_run {
        "would be anonymised"
    } else {
        "anonymised"
    };
    println!("{total} case{} {done}.", if total == 1 { "" } else { "s" });
    tracing::info!(cases = total, dry_run, "retention run finished");
    Ok(())
}

/// Unreadable messages are kept whole for staff to look at, not for ever.
async fn quarantine(store: &Store, today: Date, dry_run: bool) -> Result<()> {
    let since = today.checked_sub(QUARANTINE_DAYS.days())?;
    let before = since.to_zoned_datetime(london())?.timestamp();
    let old = if dry_run {
        store.quarantined_before(before).await?
    } else {
        i64::try_from(store.delete_quarantined_before(before).await?)?
    };
    if old > 0 {
        let done = if dry_run {
            "would be deleted"
        } else {
            "deleted"
        };
        println!(
            "quarantine: {old} message{} received before {since} ({QUARANTINE_DAYS} days) {done}",
            if old == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

//! The store against a real SQLite file on disk, or a real PostgreSQL server where
//! `FRONTDOOR_TEST_POSTGRES` names one.

use frontdoor_domain::case::{add_note, change_status};
use frontdoor_domain::form::Answer;
use frontdoor_domain::{
    CaseEvent, CaseState, Channel, ContactDetails, Email, NewCase, Reference, Status, Submission,
    Team,
};
use frontdoor_store::{NewStaff, Store, StoreError};
use jiff::Timestamp;
use jiff::civil::date;

async fn fresh_store(dir: &tempfile::TempDir) -> Store {
    fresh_store_at(&database_url(dir).await).await
}

/// A new database in a folder that does not exist yet (SQLite), or a new schema.
async fn database_url(dir: &tempfile::TempDir) -> String {
    frontdoor_store::scratch::database_url(&dir.path().join("nested")).await
}

async fn fresh_store_at(url: &str) -> Store {
    let store = Store::open(url)
        .await
        .expect("a new database opens and migrates");
    store
        .sync_teams(&[Team {
            slug: "waste".into(),
            name: "Waste".into(),
            tell_us_once: vec![],
            department: "Environment".into(),
        }])
        .await
        .unwrap();
    store
}

fn missed_bin(reference: Reference) -> NewCase {
    NewCase {
        reference,
        team: "waste".into(),
        due_by: date(2026, 11, 27),
        submission: Submission {
            service: "missed-bin-collection".into(),
            channel: Channel::Web,
            received_at: "2026-11-25T09:00:00Z".parse().unwrap(),
            answers: [(
                "bin-type".to_string(),
                Answer::Choice("Recycling (blue bin)".into()),
            )]
            .into(),
            contact: ContactDetails {
                name: "Jo Bloggs".into(),
                email: Some(Email::parse("jo@example.org").unwrap()),
                phone: None,
                postcode: None,
            },
            summary: None,
            meta: Default::default(),
        },
    }
}

#[tokio::test]
async fn a_case_is_stored_with_its_contact_and_history_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let reference = Reference::from_payload([1, 2, 3, 4, 5, 6, 7]);
    let url = database_url(&dir).await;
    let officer;
    {
        let store = fresh_store_at(&url).await;
        officer = store
            .upsert_staff(NewStaff {
                email: "Sam@Council.example",
                name: "Sam",
                team: "waste",
                role: "officer",
                password_hash: "x",
            })
            .await
            .unwrap();
        let case_id = store
            .create_case(&missed_bin(reference), None)
            .await
            .unwrap();
        let assigned = CaseEvent::Assigned {
            officer_id: officer,
            officer: "Sam".into(),
            team: "Waste".into(),
        };
        let state = store
            .append_event(
                case_id,
                &CaseState::new(),
                &assigned,
                Some(officer),
                Timestamp::now(),
            )
            .await
            .unwrap();
        assert_eq!(state.status, Status::Assigned);
        let note = add_note("Crew sent back", true).unwrap();
        store
            .append_event(case_id, &state, &note, Some(officer), Timestamp::now())
            .await
            .unwrap();
    }
    let store = Store::open(&url).await.unwrap();
    let case = store
        .case_by_reference(&reference)
        .await
        .unwrap()
        .expect("the case is still there");
    assert_eq!(case.summary.state.status, Status::Assigned);
    assert_eq!(case.summary.assigned_to_name.as_deref(), Some("Sam"));
    assert_eq!(case.contact.email.unwrap().as_str(), "jo@example.org");
    assert_eq!(
        case.contacts[0].answers["bin-type"],
        Answer::Choice("Recycling (blue bin)".into())
    );
    let kinds: Vec<&str> = case.events.iter().map(|e| e.event.kind()).collect();
    assert_eq!(kinds, ["created", "assigned", "note"]);
    assert_eq!(
        store
            .staff_by_email("sam@council.example")
            .await
            .unwrap()
            .unwrap()
            .id,
        officer
    );
}

#[tokio::test]
async fn a_stale_change_is_refused_rather_than_overwriting_another_officer() {
    let dir = tempfile::tempdir().unwrap();
    let store = fresh_store(&dir).await;
    let case_id = store
        .create_case(&missed_bin(Reference::from_payload([9; 7])), None)
        .await
        .unwrap();
    let start = change_status(Status::New, Status::InProgress, "").unwrap();
    store
        .append_event(case_id, &CaseState::new(), &start, None, Timestamp::now())
        .await
        .unwrap();
    let close = change_status(Status::New, Status::Closed, "Done").unwrap();
    let stale = store
        .append_event(case_id, &CaseState::new(), &close, None, Timestamp::now())
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict)), "{stale:?}");
}

#[tokio::test]
async fn a_reference_is_never_issued_twice() {
    let dir = tempfile::tempdir().unwrap();
    let store = fresh_store(&dir).await;
    let reference = Reference::from_payload([3; 7]);
    store
        .create_case(&missed_bin(reference), None)
        .await
        .unwrap();
    let again = store.create_case(&missed_bin(reference), None).await;
    assert!(
        matches!(again, Err(StoreError::DuplicateReference)),
        "{again:?}"
    );
    assert_eq!(
        store.count_cases().await.unwrap(),
        1,
        "the failed insert left nothing behind"
    );
}

#[tokio::test]
async fn case_history_cannot_be_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(&dir).await;
    let store = fresh_store_at(&url).await;
    store
        .create_case(&missed_bin(Reference::from_payload([4; 7])), None)
        .await
        .unwrap();
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let rewrite = sqlx::query("UPDATE case_events SET data = '{}'")
        .execute(&pool)
        .await;
    assert!(rewrite.unwrap_err().to_string().contains("append-only"));
    let erase = sqlx::query("DELETE FROM case_events").execute(&pool).await;
    assert!(erase.unwrap_err().to_string().contains("append-only"));
}

#[tokio::test]
async fn the_team_queue_lists_open_cases_soonest_due_first() {
    let dir = tempfile::tempdir().unwrap();
    let store = fresh_store(&dir).await;
    for (i, due) in [(1u32, 30i8), (2, 26), (3, 28)] {
        let mut case = missed_bin(Reference::from_payload([i; 7]));
        case.due_by = date(2026, 11, due);
        store.create_case(&case, None).await.unwrap();
    }
    let queue = store.open_cases_for_team("waste", None, 50).await.unwrap();
    let due: Vec<i8> = queue.iter().map(|c| c.due_by.day()).collect();
    assert_eq!(due, [26, 28, 30]);
    assert!(
        store
            .open_cases_for_team("highways", None, 50)
            .await
            .unwrap()
            .is_empty()
    );
}

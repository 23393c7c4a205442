//! The management-information rollups kept on every write agree with a rebuild from
//! the base tables, on a real SQLite file (or PostgreSQL, with `FRONTDOOR_TEST_POSTGRES`).

use frontdoor_domain::case::change_status;
use frontdoor_domain::form::Answer;
use frontdoor_domain::mi::Slot;
use frontdoor_domain::{
    Channel, ContactDetails, Email, NewCase, Place, Reference, Status, Submission, Team,
};
use frontdoor_store::{Narrow, Reroute, RollupQuery, Shape, Store};
use jiff::Timestamp;
use jiff::civil::date;
use sqlx::Row;

async fn fresh_store(dir: &tempfile::TempDir) -> (Store, String) {
    let url = frontdoor_store::scratch::database_url(dir.path()).await;
    let store = Store::open(&url).await.unwrap();
    let team = |slug: &str| Team {
        slug: slug.into(),
        name: slug.into(),
        tell_us_once: vec![],
        department: "Environment".into(),
    };
    store
        .sync_teams(&[team("waste"), team("highways")])
        .await
        .unwrap();
    (store, url)
}

fn submission(service: &str, channel: Channel, at: &str, text: &str) -> Submission {
    Submission {
        service: service.into(),
        channel,
        received_at: at.parse().unwrap(),
        answers: [("details".to_string(), Answer::Text(text.into()))].into(),
        contact: ContactDetails {
            name: "Jo Bloggs".into(),
            email: Some(Email::parse("jo@example.org").unwrap()),
            phone: None,
            postcode: None,
        },
        summary: None,
        meta: Default::default(),
    }
}

fn case(n: u32, submission: Submission) -> NewCase {
    NewCase {
        reference: Reference::from_payload([n, 2, 3, 4, 5, 6, 7]),
        team: "waste".into(),
        due_by: date(2026, 3, 4),
        submission,
    }
}

/// Every rollup row, in a fixed order, as text.
async fn snapshot(url: &str) -> Vec<String> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let mut out = Vec::new();
    for (table, order) in [
        ("mi_day", "ward, day, service, channel"),
        ("mi_month", "ward, month, service, channel"),
        ("mi_open", "ward, opened_on, service, channel"),
    ] {
        let rows = sqlx::query(&format!("SELECT * FROM {table} ORDER BY {order}"))
            .fetch_all(&pool)
            .await
            .unwrap();
        for row in rows {
            let cells: Vec<String> = (0..row.len())
                .map(|i| match row.try_get::<i64, _>(i) {
                    Ok(n) => n.to_string(),
                    Err(_) => match row.try_get::<String, _>(i) {
                        Ok(s) => s,
                        Err(_) => format!("{:?}", row.get::<Vec<u8>, _>(i)),
                    },
                })
                .collect();
            // Rows whose counts are all back to zero are the same as absent rows.
            if table != "mi_open" && cells[4..14].iter().all(|c| c == "0") {
                continue;
            }
            out.push(format!("{table}: {}", cells.join(" | ")));
        }
    }
    pool.close().await;
    out
}

#[tokio::test]
async fn rollups_kept_on_every_write_match_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let (store, url) = fresh_store(&dir).await;
    // Monday 2 March 2026, 09:15 UK time (GMT): a missed bin reported online.
    let web = submission(
        "missed-bin-collection",
        Channel::Web,
        "2026-03-02T09:15:00Z",
        "Bin missed",
    );
    let bin = store.create_case(&case(1, web), None).await.unwrap();
    // A phone call with a place in a ward, later rerouted to highways.
    let mut phone = submission(
        "fly-tipping",
        Channel::Phone,
        "2026-03-03T14:05:00Z",
        "Sofa dumped",
    );
    phone.meta.duration_minutes = Some(7);
    phone.answers.insert(
        "where".into(),
        Answer::Location(Place {
            ward: Some("Riverside".into()),
            ..Place::default()
        }),
    );
    let tip = store.create_case(&case(2, phone), None).await.unwrap();
    // The resident chases the bin by email, and a neighbour follows the fly-tipping.
    let chase = submission(
        "missed-bin-collection",
        Channel::Email,
        "2026-03-04T19:30:00Z",
        "Any update? Still not collected",
    );
    store.add_message_to_case(bin, &chase, &[]).await.unwrap();
    let follow = submission(
        "fly-tipping",
        Channel::Web,
        "2026-03-04T08:00:00Z",
        "Same sofa",
    );
    store.follow_case(tip, &follow).await.unwrap();

    // The bin case closes late, is reopened, and closes again; a survey is answered.
    let mut state = store
        .case_by_reference(&Reference::from_payload([1, 2, 3, 4, 5, 6, 7]))
        .await
        .unwrap()
        .unwrap()
        .summary
        .state;
    for (to, at) in [
        (Status::Closed, "2026-03-05T10:00:00Z"),
        (Status::InProgress, "2026-03-06T10:00:00Z"),
        (Status::Closed, "2026-03-09T11:00:00Z"),
    ] {
        let event = change_status(state.status, to, "Collected").unwrap();
        let at: Timestamp = at.parse().unwrap();
        state = store
            .append_event(bin, &state, &event, None, at)
            .await
            .unwrap();
    }
    store
        .offer_survey(bin, "hash-1", Timestamp::now())
        .await
        .unwrap();
    assert!(
        store
            .answer_survey(
                "hash-1",
                4,
                Some("Quick once chased"),
                "2026-03-10T12:00:00Z".parse().unwrap()
            )
            .await
            .unwrap()
    );
    assert!(
        !store
            .answer_survey("hash-1", 1, None, Timestamp::now())
            .await
            .unwrap()
    );
    let officer = store
        .upsert_staff(frontdoor_store::NewStaff {
            email: "sam@council.example",
            name: "Sam",
            team: "highways",
            role: "officer",
            password_hash: "x",
        })
        .await
        .unwrap();
    let tip_state = store
        .case_by_reference(&Reference::from_payload([2, 2, 3, 4, 5, 6, 7]))
        .await
        .unwrap()
        .unwrap()
        .summary
        .state;
    store
        .reroute_case(&Reroute {
            case_id: tip,
            before: &tip_state,
            from_service: "fly-tipping",
            to_service: "pothole",
            to_team: "highways",
            to_team_name: "Highways",
            due_by: date(2026, 3, 20),
            actor: officer,
            at: "2026-03-04T10:00:00Z".parse().unwrap(),
            correction: None,
        })
        .await
        .unwrap();

    let kept = snapshot(&url).await;
    let march = RollupQuery {
        from: date(2026, 3, 1),
        to: date(2026, 3, 31),
        ward: None,
        ..Default::default()
    };
    let buckets = store
        .rollup_buckets(&march, &Shape::Rows { heat: true })
        .await
        .unwrap();
    let total = |f: fn(&frontdoor_domain::mi::Measures) -> i64| -> i64 {
        buckets.iter().map(|b| f(&b.measures)).sum()
    };
    assert_eq!(total(|m| m.contacts), 4);
    assert_eq!(total(|m| m.opened), 2);
    assert_eq!(total(|m| m.repeats), 2);
    assert_eq!(
        total(|m| m.chasers),
        1,
        "the email chases; the follower does not"
    );
    assert_eq!(
        total(|m| m.closed),
        1,
        "reopening took the first closure back"
    );
    assert_eq!(total(|m| m.on_time), 0, "closed on 9 March, due 4 March");
    assert_eq!((total(|m| m.surveys), total(|m| m.score)), (1, 4));
    assert_eq!(total(|m| m.minutes), 7);
    let pothole: i64 = buckets
        .iter()
        .filter(|b| b.service == "pothole")
        .map(|b| b.measures.contacts)
        .sum();
    assert_eq!(pothole, 2, "a reroute moves the case's contacts with it");
    assert!(
        buckets
            .iter()
            .all(|b| b.service != "fly-tipping" || b.measures.contacts == 0)
    );
    let monday_nine = Slot::of("2026-03-02T09:15:00Z".parse().unwrap()).heat_index();
    let heat: i64 = buckets
        .iter()
        .map(|b| b.heat.as_ref().unwrap()[monday_nine])
        .sum();
    assert_eq!(heat, 1);
    let summed = store.rollup_heat(&march).await.unwrap();
    assert_eq!(summed[monday_nine], 1);
    assert_eq!(
        summed.iter().sum::<i64>(),
        4,
        "every contact is in some hour"
    );
    let mid_month = RollupQuery {
        from: date(2026, 3, 3),
        to: date(2026, 3, 4),
        ..Default::default()
    };
    let mid_month = store.rollup_heat(&mid_month).await.unwrap();
    assert_eq!(
        mid_month.iter().sum::<i64>(),
        3,
        "day rows land on their weekday"
    );
    // Tuesday 3 March, 14:05: the phone call.
    assert_eq!(mid_month[24 + 14], 1);
    let riverside = RollupQuery {
        ward: Some("Riverside".into()),
        ..march.clone()
    };
    let in_ward: i64 = store
        .rollup_buckets(&riverside, &Shape::Rows { heat: false })
        .await
        .unwrap()
        .iter()
        .map(|b| b.measures.contacts)
        .sum();
    assert_eq!(in_ward, 2);
    let open = store.open_counts(None, date(2026, 3, 10)).await.unwrap();
    assert_eq!(open.iter().map(|o| o.open).sum::<i64>(), 1);
    assert_eq!(open[0].service, "pothole");

    // A range that starts and ends mid-month reads day rows and agrees.
    let part = RollupQuery {
        from: date(2026, 3, 3),
        to: date(2026, 3, 4),
        ward: None,
        ..Default::default()
    };
    let contacts: i64 = store
        .rollup_buckets(&part, &Shape::Rows { heat: false })
        .await
        .unwrap()
        .iter()
        .map(|b| b.measures.contacts)
        .sum();
    assert_eq!(contacts, 3);

    // The same figures read as totals per service, and per month for one service.
    let by_service = store
        .rollup_buckets(&part, &Shape::ByService)
        .await
        .unwrap();
    assert_eq!(
        by_service.iter().map(|b| b.measures.contacts).sum::<i64>(),
        3
    );
    let by_month = store
        .rollup_buckets(
            &RollupQuery {
                services: Some(vec!["pothole".into()]),
                ..march.clone()
            },
            &Shape::ByMonth,
        )
        .await
        .unwrap();
    assert!(by_month.iter().all(|b| b.service == "*" && b.month == 3));
    assert_eq!(by_month.iter().map(|b| b.measures.contacts).sum::<i64>(), 2);

    // The rerouted pothole is open and past its due date (20 March) in its ward.
    let overdue = |ward: &'static str, services: Option<Vec<&'static str>>| {
        let store = store.clone();
        async move {
            let narrow = Narrow {
                services,
                channels: None,
                ward: Some(ward),
            };
            store
                .overdue_cases(date(2026, 4, 1), &narrow, 10)
                .await
                .unwrap()
        }
    };
    let (count, cases) = overdue("Riverside", None).await;
    assert_eq!((count, cases.len()), (1, 1));
    assert_eq!(cases[0].service, "pothole");
    assert_eq!(overdue("Elsewhere", None).await.0, 0);
    assert_eq!(
        overdue("Riverside", Some(vec!["missed-bin-collection"]))
            .await
            .0,
        0
    );

    let read = store.rebuild_rollups().await.unwrap();
    assert_eq!(read, 4);
    assert_eq!(snapshot(&url).await, kept);
}

#[tokio::test]
async fn a_bulk_load_counts_exactly_what_a_rebuild_reads_back() {
    use frontdoor_store::{HistoricCase, HistoricContact, HistoricResident};
    let dir = tempfile::tempdir().unwrap();
    let (store, url) = fresh_store(&dir).await;
    let resident = store
        .bulk_residents(
            &[HistoricResident {
                name: "Jo Bloggs".into(),
                email: Some("jo@example.org".into()),
                phone: None,
                postcode: "DC1 1AA".into(),
            }],
            Timestamp::now(),
        )
        .await
        .unwrap();
    let contact = |channel, at: &str, text: &str, minutes| HistoricContact {
        channel,
        received_at: at.parse().unwrap(),
        text: text.into(),
        duration_minutes: minutes,
    };
    let case = |n: u32, contacts: Vec<HistoricContact>, closed: Option<&str>| HistoricCase {
        reference: Reference::from_payload([n, 9, 9, 9, 9, 9, 9]).as_compact(),
        service: "missed-bin-collection".into(),
        team: "waste".into(),
        resident_id: resident,
        due_by: date(2026, 3, 4),
        contacts,
        closed_at: closed.map(|c| c.parse().unwrap()),
        outcome: closed.map(|_| "Collected".into()),
        ward: n.is_multiple_of(2).then(|| "Riverside".into()),
        survey: closed.map(|c| {
            (
                c.parse::<Timestamp>().unwrap() + jiff::SignedDuration::from_hours(2),
                3,
            )
        }),
    };
    let cases = vec![
        case(
            1,
            vec![contact(
                Channel::Web,
                "2026-03-02T09:15:00Z",
                "Missed",
                None,
            )],
            Some("2026-03-03T10:00:00Z"),
        ),
        case(
            2,
            vec![
                contact(Channel::Phone, "2026-03-02T10:00:00Z", "Missed", Some(6)),
                contact(
                    Channel::Email,
                    "2026-03-05T19:00:00Z",
                    "Any update? Still waiting",
                    None,
                ),
            ],
            Some("2026-03-09T12:00:00Z"),
        ),
        case(
            3,
            vec![
                contact(Channel::Web, "2026-03-30T22:30:00Z", "Missed", None),
                contact(
                    Channel::Phone,
                    "2026-04-01T09:00:00Z",
                    "Some more details",
                    Some(4),
                ),
            ],
            None,
        ),
    ];
    let mut load = store.bulk_load();
    load.cases(&store, &cases).await.unwrap();
    load.finish(&store).await.unwrap();
    let loaded = snapshot(&url).await;
    assert!(!loaded.is_empty());
    let spring = RollupQuery {
        from: date(2026, 3, 1),
        to: date(2026, 4, 30),
        ward: None,
        ..Default::default()
    };
    let buckets = store
        .rollup_buckets(&spring, &Shape::Rows { heat: false })
        .await
        .unwrap();
    let total = |f: fn(&frontdoor_domain::mi::Measures) -> i64| -> i64 {
        buckets.iter().map(|b| f(&b.measures)).sum()
    };
    assert_eq!(
        (
            total(|m| m.contacts),
            total(|m| m.chasers),
            total(|m| m.closed),
            total(|m| m.on_time)
        ),
        (5, 1, 2, 1)
    );
    assert_eq!(total(|m| m.minutes), 10);
    let open = store.open_counts(None, date(2026, 4, 2)).await.unwrap();
    assert_eq!(
        (open.len(), open[0].age),
        (1, 0),
        "opened 30 March: under a week"
    );
    store.rebuild_rollups().await.unwrap();
    assert_eq!(snapshot(&url).await, loaded);
}

//! The single view of a resident and Tell Us Once, through the real router, store and
//! outbox worker: flags that reorder the queue, merges and splits with their audit trail,
//! a life event told once reaching cases, team tasks and a signed back-office webhook.

mod support;

use axum::body::Bytes;
use axum::http::HeaderMap;
use frontdoor_domain::{Destination, Reference};
use frontdoor_notify::{
    EmailSender, LogSender, Senders, SmsSender, WebhookSender, Worker, WorkerSettings,
};
use frontdoor_web::{BackOffice, WebSettings};
use reqwest::StatusCode;
use std::sync::{Arc, Mutex};
use support::{Browser, TestApp, sign_in, sign_in_as, spawn_app, spawn_app_with, test_settings};

/// A resident writes in through the contact-us page; returns the case's reference.
async fn contact_us(
    browser: &Browser,
    text: &str,
    name: &str,
    email: &str,
    postcode: &str,
) -> Reference {
    let form = browser.get("/contact-us").await;
    let sent = browser
        .submit(
            &form,
            "/contact-us",
            &[
                ("message", text),
                ("contact-name", name),
                ("contact-email", email),
                ("contact-postcode", postcode),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let done = browser.get("/contact-us/confirmation").await;
    let marker = "id=\"reference\">";
    let start = done
        .body
        .find(marker)
        .expect("a reference on the confirmation")
        + marker.len();
    Reference::parse(done.body[start..].split('<').next().unwrap()).unwrap()
}

async fn person_of(app: &TestApp, reference: &Reference) -> i64 {
    app.case(reference).await.person_id
}

#[tokio::test]
async fn a_vulnerability_flag_moves_the_residents_case_up_among_those_due_the_same_day() {
    let app = spawn_app().await;
    let staff = sign_in(&app).await;
    let resident = app.browser();
    let first = contact_us(
        &resident,
        "My bin was not collected today",
        "Bob Jones",
        "bob@example.org",
        "",
    )
    .await;
    let second = contact_us(
        &resident,
        "My bin was not collected again",
        "Cath Hill",
        "cath@example.org",
        "",
    )
    .await;
    let queue = staff.get("/console/queues/waste").await;
    let order = |body: &str| body.find(&first.to_string()) < body.find(&second.to_string());
    assert!(order(&queue.body), "oldest first before any flag");

    let cath = person_of(&app, &second).await;
    let page = staff.get(&format!("/console/residents/{cath}")).await;
    let saved = staff
        .submit(
            &page,
            &format!("/console/residents/{cath}/flags"),
            &[("flag", "older-person"), ("flag", "disability")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = staff.get(&format!("/console/residents/{cath}")).await;
    page.assert_contains("Older person");
    page.assert_contains("Flag added: Disability");
    let queue = staff.get("/console/queues/waste").await;
    assert!(
        !order(&queue.body),
        "the flagged resident's case comes first"
    );
    queue.assert_contains("Vulnerable");

    // Unticking every box removes the flags, and says so.
    staff
        .submit(&page, &format!("/console/residents/{cath}/flags"), &[])
        .await;
    assert!(app.store.person_flags(cath).await.unwrap().is_empty());
}

#[tokio::test]
async fn staff_merge_by_hand_undo_the_merge_and_separate_a_wrong_match() {
    let app = spawn_app().await;
    // Keeping the resident index tidy is a team lead's work.
    let staff =
        support::sign_in_with_role(&app, "tl@demo-council.example", "waste", "team-lead").await;
    let resident = app.browser();
    let a = contact_us(
        &resident,
        "Pothole on Hill Road",
        "Jo Brown",
        "jo@example.org",
        "",
    )
    .await;
    let b = contact_us(
        &resident,
        "Fly tipping in the lane",
        "Joanne Brown",
        "jb@example.net",
        "",
    )
    .await;
    let (pa, pb) = (person_of(&app, &a).await, person_of(&app, &b).await);
    assert_ne!(
        pa, pb,
        "different names and unproven emails are not matched"
    );

    let page = staff.get(&format!("/console/residents/{pa}")).await;
    let refused = staff
        .submit(
            &page,
            &format!("/console/residents/{pa}/merge"),
            &[("other", "not a number")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Enter the resident number to merge");
    let merged = staff
        .submit(
            &page,
            &format!("/console/residents/{pa}/merge"),
            &[("other", &pb.to_string())],
        )
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER, "{}", merged.body);
    let person = app.store.person(pa).await.unwrap().unwrap();
    assert_eq!(person.cases.len(), 2, "one view of both contacts");

    let page = staff.get(&format!("/console/residents/{pa}")).await;
    page.assert_contains("Merged by hand");
    let event = person
        .events
        .iter()
        .find(|e| e.event.kind() == "merged")
        .unwrap()
        .id;
    let undone = staff
        .submit(
            &page,
            &format!("/console/residents/{pa}/undo-merge"),
            &[("event", &event.to_string())],
        )
        .await;
    assert_eq!(undone.status, StatusCode::SEE_OTHER);
    assert_eq!(app.store.person(pa).await.unwrap().unwrap().cases.len(), 1);
    assert_eq!(app.store.person(pb).await.unwrap().unwrap().cases.len(), 1);

    // An automatic match (the same email address, proven by two signed messages)
    // separated by hand.
    let mut references = Vec::new();
    for n in 1..=2 {
        let raw = format!(
            "From: jo@example.org\r\nSubject: bin\r\nMessage-ID: <m{n}@example.org>\r\n\r\nMissed bin at 3 Elm Street, time {n}\r\n"
        );
        let signed = support::dkim_signed("example.org", &raw);
        let response = app
            .post_signed("/intake/email", "message/rfc822", &signed)
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: serde_json::Value = response.json().await.unwrap();
        references.push(Reference::parse(body["reference"].as_str().unwrap()).unwrap());
    }
    let pm = person_of(&app, &references[0]).await;
    assert_eq!(pm, person_of(&app, &references[1]).await);
    assert_ne!(pm, pa, "a typed address on a web form is not joined to");
    let person = app.store.person(pm).await.unwrap().unwrap();
    assert_eq!(person.records.len(), 2, "matched on the proven email");
    let matched = person
        .records
        .iter()
        .find(|r| r.match_reason.is_some())
        .unwrap()
        .id;
    let page = staff.get(&format!("/console/residents/{pm}")).await;
    page.assert_contains("Matched: same email address");
    let split = staff
        .submit(
            &page,
            &format!("/console/residents/{pm}/split"),
            &[("record", &matched.to_string())],
        )
        .await;
    assert_eq!(split.status, StatusCode::SEE_OTHER);
    let person = app.store.person(pm).await.unwrap().unwrap();
    assert_eq!(person.records.len(), 1);
    assert!(
        person
            .events
            .iter()
            .any(|e| e.event.kind() == "split" && e.actor_name.is_some())
    );
}

/// A back-office system that keeps what it is sent, after checking the signature.
async fn back_office_receiver(secret: &'static str) -> (String, Arc<Mutex<Vec<(String, String)>>>) {
    let got: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let kept = got.clone();
    let handler = move |headers: HeaderMap, body: Bytes| {
        let kept = kept.clone();
        async move {
            let signature = headers["x-signature"].to_str().unwrap();
            if !frontdoor_intake::verify(secret.as_bytes(), &body, signature) {
                return StatusCode::UNAUTHORIZED;
            }
            let key = headers["idempotency-key"].to_str().unwrap().to_owned();
            kept.lock()
                .unwrap()
                .push((key, String::from_utf8(body.to_vec()).unwrap()));
            StatusCode::NO_CONTENT
        }
    };
    let router = axum::Router::new().route("/events", axum::routing::post(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/events", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, got)
}

#[tokio::test]
async fn a_move_told_once_reaches_open_cases_subscribed_teams_and_the_back_office() {
    let (url, received) = back_office_receiver("back-office-secret").await;
    let settings = WebSettings {
        back_office: vec![BackOffice {
            name: "Revenues system".into(),
            url,
            events: vec![frontdoor_domain::LifeEventKind::ChangeOfAddress],
        }],
        ..test_settings()
    };
    let app = spawn_app_with(settings).await;
    let resident = app.browser();
    let open = contact_us(
        &resident,
        "My bin was not collected",
        "Ann Smith",
        "ann@example.org",
        "DC1 1AA",
    )
    .await;

    let form = resident.get("/tell-us-once").await;
    let refused = resident
        .submit(&form, "/tell-us-once", &[("kind", "change-of-address")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("There is a problem");
    let told = resident
        .submit(
            &form,
            "/tell-us-once",
            &[
                ("kind", "change-of-address"),
                ("address", "4 Rowan Way, Demoton"),
                ("new-postcode", "DC2 2BB"),
                ("date", "1 11 2026"),
                ("contact-name", "Ann Smith"),
                ("contact-email", "ann@example.org"),
                ("contact-postcode", "DC1 1AA"),
            ],
        )
        .await;
    assert_eq!(told.status, StatusCode::SEE_OTHER, "{}", told.body);
    let confirmation = resident.get("/tell-us-once/confirmation").await;
    confirmation.assert_contains(&format!("added to your open request {open}"));
    confirmation.assert_contains(
        "Revenues and Benefits: asked to update their records"
            .replace(": ", "</strong>: ")
            .as_str(),
    );
    confirmation.assert_contains("Revenues system");

    // The open case's timeline, the team's task list, and the person's new postcode.
    let case = app.case(&open).await;
    assert!(case.events.iter().any(|e| e.event.kind() == "life-event"));
    let tasks = app.store.open_tasks("revenues-benefits").await.unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].person_id, case.person_id);
    let person = app.store.person(case.person_id).await.unwrap().unwrap();
    assert_eq!(person.latest().postcode.as_deref(), Some("DC2 2BB"));

    // The worker delivers the signed webhook and the resident's copy of who was told.
    let worker = Worker::new(
        app.store.clone(),
        Senders {
            email: EmailSender::Log(LogSender::new(tempfile::tempdir().unwrap().keep())),
            sms: SmsSender::Log(LogSender::new(tempfile::tempdir().unwrap().keep())),
            webhook: WebhookSender::new("back-office-secret"),
        },
        WorkerSettings::default(),
    );
    worker.deliver_due().await.unwrap();
    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "one signed post to the back office");
    let body: serde_json::Value = serde_json::from_str(&got[0].1).unwrap();
    assert_eq!(body["event"]["kind"], "change-of-address");
    assert_eq!(body["event"]["postcode"], "DC2 2BB");
    let recent = app.store.outbox_recent(50).await.unwrap();
    let copy = recent
        .iter()
        .find(|m| m.key.ends_with("-ack") && m.key.starts_with("tuo-"))
        .expect("a copy of who was told");
    assert!(
        matches!(&copy.destination, Destination::Email { address } if address == "ann@example.org")
    );
    assert!(copy.body.contains("Revenues system"));
    assert!(
        recent
            .iter()
            .all(|m| m.status == frontdoor_store::DeliveryStatus::Sent)
    );

    // The revenues team marks its task done.
    let staff = sign_in_as(&app, "rev@demo-council.example", "revenues-benefits").await;
    let page = staff.get("/console/tasks/revenues-benefits").await;
    page.assert_contains("Moved to 4 Rowan Way");
    let done = staff
        .submit(
            &page,
            &format!("/console/tasks/revenues-benefits/{}/done", tasks[0].id),
            &[],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert!(
        app.store
            .open_tasks("revenues-benefits")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn an_agent_records_a_death_told_by_phone_on_the_resident_page() {
    let app = spawn_app().await;
    let staff = sign_in(&app).await;
    let resident = app.browser();
    let case = contact_us(
        &resident,
        "Missed bin collection",
        "Arthur Dent",
        "arthur@example.org",
        "",
    )
    .await;
    let person = person_of(&app, &case).await;
    let page = staff.get(&format!("/console/residents/{person}")).await;
    let future = staff
        .submit(
            &page,
            &format!("/console/residents/{person}/tell-us-once"),
            &[
                ("kind", "death"),
                ("date", "1 1 2099"),
                ("told_by", "Son"),
                ("channel", "phone"),
            ],
        )
        .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    future.assert_contains("The date must be today or in the past");
    let told = staff
        .submit(
            &page,
            &format!("/console/residents/{person}/tell-us-once"),
            &[
                ("kind", "death"),
                ("date", "20 11 2026"),
                ("told_by", "Son"),
                ("channel", "phone"),
            ],
        )
        .await;
    assert_eq!(told.status, StatusCode::SEE_OTHER, "{}", told.body);
    let page = staff.get(&format!("/console/residents/{person}")).await;
    page.assert_contains("Died on 20 November 2026 (told by Son)");
    page.assert_contains("Adult Social Care");
    let detail = app.case(&case).await;
    assert!(
        detail
            .events
            .iter()
            .any(|e| e.event.for_staff().contains("Tell Us Once"))
    );

    // Closing the case afterwards sends the resident nothing more.
    let before = app
        .store
        .outbox_for_case(detail.summary.id)
        .await
        .unwrap()
        .len();
    let page = staff.get(&format!("/console/cases/{case}")).await;
    let closed = staff
        .submit(
            &page,
            &format!("/console/cases/{case}/status"),
            &[("status", "closed"), ("outcome", "Closed after a death")],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    let after = app
        .store
        .outbox_for_case(detail.summary.id)
        .await
        .unwrap()
        .len();
    assert_eq!(after, before, "no letter to someone who has died");
}

#[tokio::test]
async fn staff_replies_go_on_the_residents_channel_and_status_changes_are_sent() {
    let app = spawn_app().await;
    let staff = sign_in(&app).await;
    let resident = app.browser();
    let form = resident.get("/contact-us").await;
    let refused = resident
        .submit(
            &form,
            "/contact-us",
            &[
                ("message", "Bin missed"),
                ("contact-name", "Kim Lee"),
                ("contact-email", "kim@example.org"),
                ("contact-reply-by", "sms"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Enter a mobile number to get updates by text message");
    let sent = resident
        .submit(
            &form,
            "/contact-us",
            &[
                ("message", "My bin was not collected"),
                ("contact-name", "Kim Lee"),
                ("contact-email", "kim@example.org"),
                ("contact-phone", "07700 900555"),
                ("contact-reply-by", "sms"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let done = resident.get("/contact-us/confirmation").await;
    let start = done.body.find("id=\"reference\">").unwrap() + "id=\"reference\">".len();
    let reference = Reference::parse(done.body[start..].split('<').next().unwrap()).unwrap();

    let page = staff.get(&format!("/console/cases/{reference}")).await;
    page.assert_contains("Goes by text to 07700900555");
    let replied = staff
        .submit(
            &page,
            &format!("/console/cases/{reference}/reply"),
            &[("reply", "We will collect it tomorrow")],
        )
        .await;
    assert_eq!(replied.status, StatusCode::SEE_OTHER, "{}", replied.body);
    let page = staff.get(&format!("/console/cases/{reference}")).await;
    page.assert_contains("Reply sent by text to 07700900555: We will collect it tomorrow");
    let changed = staff
        .submit(
            &page,
            &format!("/console/cases/{reference}/status"),
            &[("status", "resolved"), ("outcome", "Collected")],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);

    let case = app.case(&reference).await;
    let outbox = app.store.outbox_for_case(case.summary.id).await.unwrap();
    let texts: Vec<&str> = outbox
        .iter()
        .filter(|m| matches!(m.destination, Destination::Sms { .. }))
        .map(|m| m.body.as_str())
        .collect();
    assert_eq!(
        texts.len(),
        3,
        "acknowledgement, reply and resolution by text: {texts:?}"
    );
    assert!(texts[1].contains("We will collect it tomorrow"));
    assert!(texts[2].contains("Collected"));
    let keys: std::collections::BTreeSet<_> = outbox.iter().map(|m| m.key.clone()).collect();
    assert_eq!(keys.len(), outbox.len(), "every message has its own key");
}

#[tokio::test]
async fn assisted_entry_records_call_length_and_the_hub() {
    let app = spawn_app().await;
    let staff = sign_in(&app).await;
    let path = "/console/contacts/new?service=pothole-report";
    let form = staff.get(path).await;
    let mut fields = vec![
        ("channel", "face-to-face"),
        (
            "said",
            "Resident says there is a deep pothole outside the school",
        ),
        ("surface", "On the road"),
        ("size", "Larger than a car tyre"),
        ("location-street", "School Lane"),
        ("location-description", "By the crossing"),
        ("details", "Outside the school gates"),
        ("contact-name", "Pat Jones"),
        ("contact-postcode", "DC3 1LN"),
        ("duration", "ninety"),
    ];
    let refused = staff.submit(&form, path, &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Enter how long the call or visit took in whole minutes");
    refused.assert_contains("Enter the hub or office where you saw the resident");
    fields.pop();
    fields.extend([("duration", "12"), ("hub", "Central Library hub")]);
    let recorded = staff.submit(&form, path, &fields).await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let case_page = staff.get(recorded.location.as_deref().unwrap()).await;
    case_page.assert_contains("12 minutes, at Central Library hub");
}

#[tokio::test]
async fn the_same_home_and_name_on_two_forms_is_one_resident_by_uprn() {
    let app = spawn_app().await;
    let staff = sign_in(&app).await;
    let record =
        |slug: &'static str, extra: Vec<(&'static str, &'static str)>, email: &'static str| {
            let staff = &staff;
            async move {
                let path = format!("/console/contacts/new?service={slug}");
                let form = staff.get(&path).await;
                let mut fields = vec![
                    ("channel", "phone"),
                    ("location-line1", "1, High Street"),
                    ("location-town", "Demoton"),
                    ("location-postcode", "dc1 1aa"),
                    ("contact-name", "Mrs Jo Brown"),
                    ("contact-email", email),
                ];
                fields.extend(extra);
                let done = staff.submit(&form, &path, &fields).await;
                assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
                let reference = done
                    .location
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_owned();
                Reference::parse(&reference).unwrap()
            }
        };
    let bin = record(
        "new-bin-request",
        vec![
            ("bin-type", "Recycling (blue bin)"),
            ("reason", "It is damaged"),
        ],
        "jo@example.org",
    )
    .await;
    let garden = record(
        "garden-waste-subscription",
        vec![("bins", "1"), ("existing-bin", "No")],
        "jo.brown@work.example",
    )
    .await;
    let (a, b) = (person_of(&app, &bin).await, person_of(&app, &garden).await);
    assert_eq!(a, b, "same property and name");
    let person = app.store.person(a).await.unwrap().unwrap();
    assert!(
        person
            .records
            .iter()
            .all(|r| r.identity.uprn.as_deref() == Some("100090000001"))
    );
    let page = staff.get(&format!("/console/residents/{a}")).await;
    page.assert_contains("same property (UPRN) and the same name");
}

#[tokio::test]
async fn resident_search_reads_percent_and_underscore_as_themselves() {
    let app = spawn_app().await;
    let resident = app.browser();
    for (name, email) in [
        ("Ann Lee", "ann.lee@example.org"),
        ("Bea Cole", "bea_cole@example.org"),
        ("Cy Ames", "cy@example.org"),
    ] {
        contact_us(&resident, "My bin was not collected", name, email, "").await;
    }
    let staff = sign_in(&app).await;
    let hits = |body: &str| body.matches("href=\"/console/residents/").count();
    for wildcard in ["__", "%%", "_%", "%_%", "\\%", "a%e"] {
        let page = staff
            .get(&format!("/console/residents?q={}", urlencode(wildcard)))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(hits(&page.body), 0, "{wildcard} matched: {}", page.body);
    }
    let underscore = staff.get("/console/residents?q=bea_c").await;
    assert_eq!(hits(&underscore.body), 1, "{}", underscore.body);
    underscore.assert_contains("Bea Cole");
    assert_eq!(hits(&staff.get("/console/residents?q=e").await.body), 0);
    assert_eq!(hits(&staff.get("/console/residents?q=ee").await.body), 1);
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("q", text)]).unwrap()[2..].to_owned()
}

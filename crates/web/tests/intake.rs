//! Every channel in, through the real router and store: signed email, SMS, social and chat
//! webhooks; replies threading onto their case; redeliveries; quarantine; attachments;
//! acknowledgements queued in the outbox; identity matching across channels.

mod support;

use frontdoor_domain::{Channel, Destination, Reference, Status};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{INTAKE_SECRET, sign_in, spawn_app, spawn_app_with};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../intake/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(path).unwrap()
}

async fn json_of(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    (status, response.json().await.unwrap())
}

fn reference(answer: &Value) -> Reference {
    Reference::parse(answer["reference"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn unsigned_or_wrongly_signed_posts_are_refused_and_nothing_is_kept() {
    let app = spawn_app().await;
    let raw = fixture("01-plain-ascii.eml");
    let client = reqwest::Client::new();
    let unsigned = client
        .post(format!("{}/intake/email", app.address))
        .body(raw.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    let forged = frontdoor_intake::sign(b"not the secret", &raw);
    let wrong = client
        .post(format!("{}/intake/email", app.address))
        .header("x-signature", forged)
        .body(raw)
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(wrong).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "bad_signature");
    assert_eq!(app.store.count_cases().await.unwrap(), 0);
    assert!(app.store.quarantined(true).await.unwrap().is_empty());
}

#[tokio::test]
async fn webhooks_are_off_until_a_secret_is_set() {
    let app = spawn_app_with(frontdoor_web::WebSettings::default()).await;
    let response = app
        .post_signed(
            "/intake/sms",
            "application/json",
            br#"{"from":"07700900123","text":"hi"}"#,
        )
        .await;
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"]["code"], "intake_not_configured");
}

#[tokio::test]
async fn an_email_opens_a_case_is_acknowledged_and_a_redelivery_is_the_same_contact() {
    let app = spawn_app().await;
    let raw = fixture("01-plain-ascii.eml");
    let (status, opened) = json_of(
        app.post_signed("/intake/email", "message/rfc822", &raw)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{opened}");
    assert_eq!(opened["outcome"], "opened");
    assert_eq!(
        opened["service"], "missed-bin-collection",
        "triage routes the words"
    );
    let case = app.case(&reference(&opened)).await;
    assert_eq!(case.summary.channel, Channel::Email);
    assert_eq!(
        case.contact.email.as_ref().unwrap().as_str(),
        "ann.smith@example.org"
    );
    assert_eq!(case.contact.name, "Ann Smith");
    let said = case.contacts[0].summary.as_deref().unwrap();
    assert!(said.starts_with("Subject: Missed bin"), "{said}");
    assert!(said.contains("green bin was not collected"), "{said}");

    let outbox = app.store.outbox_for_case(case.summary.id).await.unwrap();
    assert_eq!(outbox.len(), 1, "one acknowledgement, by email");
    let ack = &outbox[0];
    assert_eq!(
        ack.destination,
        Destination::Email {
            address: "ann.smith@example.org".into()
        }
    );
    assert!(ack.body.contains(&case.summary.reference.to_string()));
    assert!(ack.body.contains("What happens next"), "{}", ack.body);

    let (status, again) = json_of(
        app.post_signed("/intake/email", "message/rfc822", &raw)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["outcome"], "duplicate");
    assert_eq!(again["reference"], opened["reference"]);
    assert_eq!(app.store.count_cases().await.unwrap(), 1);
}

#[tokio::test]
async fn a_reply_quoting_the_reference_threads_onto_its_case_and_wakes_it() {
    let app = spawn_app().await;
    let first = fixture("01-plain-ascii.eml");
    let (_, opened) = json_of(
        app.post_signed("/intake/email", "message/rfc822", &first)
            .await,
    )
    .await;
    let reference = reference(&opened);
    let case = app.case(&reference).await;
    let awaiting = frontdoor_domain::CaseEvent::StatusChanged {
        from: Status::New,
        to: Status::AwaitingResident,
        outcome: None,
    };
    let staff = app
        .add_staff("o@demo-council.example", "waste", "a long enough password")
        .await;
    app.store
        .append_event(
            case.summary.id,
            &case.summary.state,
            &awaiting,
            Some(staff),
            jiff::Timestamp::now(),
        )
        .await
        .unwrap();

    let reply = format!(
        "From: Ann Smith <ann.smith@example.org>\r\nTo: contact@demo-council.gov.uk\r\n\
         Subject: Re: We have your request {reference}\r\nMessage-ID: <reply-1@example.org>\r\n\r\n\
         It is still not collected, and here is the photo you asked for.\r\n\r\n\
         On Mon, 3 Nov 2025 at 10:02, Demo Council wrote:\r\n> Your reference is {reference}\r\n"
    );
    let reply = support::dkim_signed("example.org", &reply);
    let (status, threaded) = json_of(
        app.post_signed("/intake/email", "message/rfc822", &reply)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{threaded}");
    assert_eq!(threaded["outcome"], "threaded");
    assert_eq!(app.store.count_cases().await.unwrap(), 1, "no new case");
    let case = app.case(&reference).await;
    assert_eq!(case.contacts.len(), 2);
    let added = case.contacts[1].summary.as_deref().unwrap();
    assert!(added.contains("still not collected"));
    assert!(
        !added.contains("Your reference is"),
        "quotes are stripped: {added}"
    );
    assert_eq!(
        case.summary.state.status,
        Status::InProgress,
        "back with the council"
    );
    assert!(case.events.iter().any(|e| e.event.kind() == "message-in"));

    // A neighbour writing about the same case is told, not the resident who opened it.
    let neighbour = format!(
        "From: Bob Next Door <bob@example.net>\r\nSubject: About {reference}\r\n\
         Message-ID: <bob-1@example.net>\r\n\r\nThe bin is blocking my drive too.\r\n"
    );
    let neighbour = support::dkim_signed("example.net", &neighbour);
    let (status, _) = json_of(
        app.post_signed("/intake/email", "message/rfc822", &neighbour)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let outbox = app.store.outbox_for_case(case.summary.id).await.unwrap();
    let added: Vec<_> = outbox
        .iter()
        .filter(|m| m.body.contains("We have added your message"))
        .map(|m| m.destination.describe())
        .collect();
    assert_eq!(
        added,
        ["email to ann.smith@example.org", "email to bob@example.net"]
    );
}

#[tokio::test]
async fn attachments_are_stored_listed_and_downloadable_by_staff() {
    let app = spawn_app().await;
    let raw = fixture("14-pdf-attachment.eml");
    let (_, opened) = json_of(
        app.post_signed("/intake/email", "message/rfc822", &raw)
            .await,
    )
    .await;
    let case = app.case(&reference(&opened)).await;
    let listed = app
        .store
        .attachments_for_case(case.summary.id)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].filename, "Blue badge form.pdf");

    let staff = sign_in(&app).await;
    let page = staff
        .get(&format!("/console/cases/{}", case.summary.reference))
        .await;
    page.assert_contains("Blue badge form.pdf");
    let download = staff
        .client
        .get(format!(
            "{}/console/cases/{}/attachments/{}",
            app.address, case.summary.reference, listed[0].id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    let disposition = download.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(download.bytes().await.unwrap().starts_with(b"%PDF-1.4"));
}

#[tokio::test]
async fn unreadable_mail_is_quarantined_whole_and_shown_to_staff() {
    let app = spawn_app().await;
    let raw = fixture("91-no-from.eml");
    let (status, kept) = json_of(
        app.post_signed("/intake/email", "message/rfc822", &raw)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(kept["outcome"], "quarantined");
    let id = kept["id"].as_i64().unwrap();
    assert_eq!(
        app.store.quarantined_raw(id).await.unwrap().unwrap(),
        raw,
        "byte for byte"
    );
    assert_eq!(app.store.count_cases().await.unwrap(), 0);
    // A message that makes the MIME parser itself fail (found by fuzzing) is kept too.
    let mangled = fixture("95-fuzz-multipart-panic.eml");
    let response = app
        .post_signed("/intake/email", "message/rfc822", &mangled)
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);

    let staff =
        support::sign_in_with_role(&app, "tl@demo-council.example", "waste", "team-lead").await;
    let page = staff.get("/console/quarantine").await;
    page.assert_contains("no sender (From) address");
    let download = staff
        .client
        .get(format!("{}/console/quarantine/{id}/raw", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(download.bytes().await.unwrap().as_ref(), raw.as_slice());
    let released = staff
        .submit(&page, &format!("/console/quarantine/{id}/release"), &[])
        .await;
    assert_eq!(released.status, StatusCode::SEE_OTHER);
    assert_eq!(app.store.quarantined(false).await.unwrap().len(), 1);
    assert_eq!(
        app.store.quarantined(true).await.unwrap().len(),
        2,
        "still kept"
    );
}

#[tokio::test]
async fn text_messages_in_json_and_gateway_forms_open_cases_and_get_a_text_back() {
    let app = spawn_app().await;
    let body = json!({"from": "07700 900123", "text": "There is a big pothole on Station Road", "id": "sms-1"});
    let body = body.to_string();
    let (status, opened) = json_of(
        app.post_signed("/intake/sms", "application/json", body.as_bytes())
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{opened}");
    let case = app.case(&reference(&opened)).await;
    assert_eq!(case.summary.channel, Channel::Sms);
    let outbox = app.store.outbox_for_case(case.summary.id).await.unwrap();
    assert!(
        matches!(&outbox[0].destination, Destination::Sms { number } if number.contains("07700")),
        "{outbox:?}"
    );

    // Twilio's shape, signed Twilio's way against the public URL.
    let form = b"From=%2B447700900999&Body=Bins+not+emptied+on+Oak+Close&MessageSid=SM123";
    let url = "http://127.0.0.1:8080/intake/sms";
    let signature = twilio_signature(url, form);
    let response = reqwest::Client::new()
        .post(format!("{}/intake/sms", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", signature)
        .body(form.to_vec())
        .send()
        .await
        .unwrap();
    let (status, twilio) = json_of(response).await;
    assert_eq!(status, StatusCode::CREATED, "{twilio}");
    assert_eq!(app.store.count_cases().await.unwrap(), 2);
}

fn twilio_signature(url: &str, form: &[u8]) -> String {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let mut fields: Vec<(String, String)> = serde_urlencoded::from_bytes(form).unwrap();
    fields.sort();
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(INTAKE_SECRET.as_bytes()).unwrap();
    mac.update(url.as_bytes());
    for (k, v) in fields {
        mac.update(k.as_bytes());
        mac.update(v.as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn social_posts_open_cases_and_unreadable_posts_are_kept() {
    let app = spawn_app().await;
    let post = json!({"from": "@annsmith", "name": "Ann", "platform": "x", "text": "Street light out on Mill Lane for a week", "id": "1"});
    let (status, opened) = json_of(
        app.post_signed(
            "/intake/social",
            "application/json",
            post.to_string().as_bytes(),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{opened}");
    let case = app.case(&reference(&opened)).await;
    assert_eq!(case.summary.channel, Channel::Social);
    assert!(case.contact.name.contains("@annsmith"));

    let broken = br#"{"from": "@x", "text": "#;
    let (status, refused) = json_of(
        app.post_signed("/intake/social", "application/json", broken)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["error"]["code"], "unreadable_message");
    let kept = app.store.quarantined(false).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].channel, Channel::Social);
}

#[tokio::test]
async fn a_chat_transcript_becomes_a_contact_with_the_whole_conversation() {
    let app = spawn_app().await;
    let chat = json!({
        "id": "chat-77",
        "name": "Priya Patel",
        "email": "priya@example.org",
        "messages": [
            {"from": "bot", "text": "Hello, how can I help?"},
            {"from": "resident", "text": "My council tax bill is wrong, I have been charged twice"},
            {"from": "agent", "text": "I will pass this to the council tax team"}
        ]
    });
    let (status, opened) = json_of(
        app.post_signed(
            "/intake/chat",
            "application/json",
            chat.to_string().as_bytes(),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{opened}");
    let case = app.case(&reference(&opened)).await;
    assert_eq!(case.summary.channel, Channel::Chat);
    let said = case.contacts[0].summary.as_deref().unwrap();
    assert!(said.contains("Assistant: Hello, how can I help?"), "{said}");
    assert!(said.contains("Adviser: I will pass this"), "{said}");
}

#[tokio::test]
async fn only_proven_mail_joins_a_resident_by_email_address() {
    let app = spawn_app().await;
    let staff = sign_in(&app).await;
    // A web contact types the address: that proves nothing.
    let form = staff.get("/contact-us").await;
    let sent = staff
        .submit(
            &form,
            "/contact-us",
            &[
                (
                    "message",
                    "The streetlight outside my house flickers all night",
                ),
                ("contact-name", "Ann Smith"),
                ("contact-email", "ann.smith@example.org"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let typed_person = app.store.search_people("ann.smith", 10).await.unwrap()[0].person_id;

    let raw = String::from_utf8(fixture("01-plain-ascii.eml")).unwrap();
    let first = email_in(&app, &raw, Some("example.org")).await;
    let second_raw = raw
        .replace("Message-ID: <", "Message-ID: <second-")
        .replace("green bin", "blue bin");
    let second = email_in(&app, &second_raw, Some("example.org")).await;
    let first = app.case(&reference(&first)).await;
    let second = app.case(&reference(&second)).await;
    assert_eq!(
        first.person_id, second.person_id,
        "two proven emails are one resident"
    );
    assert_ne!(
        first.person_id, typed_person,
        "a typed address joins no one"
    );
    let person = app.store.person(first.person_id).await.unwrap().unwrap();
    assert_eq!(person.records.len(), 2);

    let page = staff
        .get(&format!("/console/residents/{}", first.person_id))
        .await;
    page.assert_contains("same email address, proven by mail sent from it");
    page.assert_contains("ann.smith@example.org (proven)");
    let typed_page = staff
        .get(&format!("/console/residents/{typed_person}"))
        .await;
    assert!(!typed_page.body.contains("(proven)"), "{}", typed_page.body);
}

#[tokio::test]
async fn automatic_replies_are_kept_but_never_answered() {
    let app = spawn_app().await;
    let (_, opened) = json_of(
        app.post_signed(
            "/intake/email",
            "message/rfc822",
            &fixture("01-plain-ascii.eml"),
        )
        .await,
    )
    .await;
    let reference = reference(&opened);
    let out_of_office = format!(
        "From: Ann Smith <ann.smith@example.org>\r\nSubject: Automatic reply: We have your request {reference}\r\n\
         Auto-Submitted: auto-replied\r\nMessage-ID: <ooo@example.org>\r\n\r\nI am away until Monday.\r\n"
    );
    let (status, threaded) = json_of(
        app.post_signed("/intake/email", "message/rfc822", out_of_office.as_bytes())
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{threaded}");
    assert_eq!(threaded["outcome"], "threaded");
    let case = app.case(&reference).await;
    assert_eq!(case.contacts.len(), 2, "kept on the case");
    let outbox = app.store.outbox_for_case(case.summary.id).await.unwrap();
    assert_eq!(
        outbox.len(),
        1,
        "only the first acknowledgement: no reply to a robot"
    );

    let bounce = fixture("34-bounce-report.eml");
    let (status, kept) = json_of(
        app.post_signed("/intake/email", "message/rfc822", &bounce)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{kept}");
    assert_eq!(kept["outcome"], "quarantined");
    assert_eq!(
        app.store.count_cases().await.unwrap(),
        1,
        "no case for a bounce"
    );
}

#[tokio::test]
async fn a_text_back_without_a_reference_joins_the_one_case_we_texted_about() {
    let app = spawn_app().await;
    let text =
        |body: &str, id: &str| json!({"from": "07700 900123", "text": body, "id": id}).to_string();
    let first = text("There is a big pothole on Station Road", "t1");
    let (_, opened) = json_of(
        app.post_signed("/intake/sms", "application/json", first.as_bytes())
            .await,
    )
    .await;
    let reply = text("It is getting bigger and a car hit it", "t2");
    let (status, threaded) = json_of(
        app.post_signed("/intake/sms", "application/json", reply.as_bytes())
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{threaded}");
    assert_eq!(threaded["outcome"], "threaded");
    assert_eq!(threaded["reference"], opened["reference"]);

    // A second open case texted to the same number: a text back is no longer clearly about
    // either, so it opens its own case.
    let resident = app.browser();
    let form = resident.get("/contact-us").await;
    let sent = resident
        .submit(
            &form,
            "/contact-us",
            &[
                ("message", "My bin was not collected"),
                ("contact-name", "Ann"),
                ("contact-phone", "07700 900123"),
                ("contact-postcode", "DC1 1AA"),
                ("contact-reply-by", "sms"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let unclear = text("Thanks", "t3");
    let (status, opened) = json_of(
        app.post_signed("/intake/sms", "application/json", unclear.as_bytes())
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{opened}");
    assert_eq!(app.store.count_cases().await.unwrap(), 3);
}

/// An email as received, signed by `domain` where given, as a mail program would send it.
async fn email_in(app: &support::TestApp, raw: &str, signed_by: Option<&str>) -> Value {
    let raw = match signed_by {
        Some(domain) => support::dkim_signed(domain, raw),
        None => raw.as_bytes().to_vec(),
    };
    let (status, body) = json_of(
        app.post_signed("/intake/email", "message/rfc822", &raw)
            .await,
    )
    .await;
    assert!(status.is_success(), "{body}");
    body
}

fn dkim_fixture(name: &str) -> String {
    std::fs::read_to_string(support::dkim_fixture(name)).unwrap()
}

#[tokio::test]
async fn a_forged_from_is_kept_but_never_trusted_joined_or_answered() {
    let app = spawn_app().await;
    let staff = sign_in(&app).await;
    // Jo writes from her own mail provider, which signs her mail.
    let genuine = email_in(&app, &dkim_fixture("dkim-pass.eml"), None).await;
    let jo_case = app.case(&reference(&genuine)).await;
    let jo = jo_case.person_id;
    assert!(
        app.store.person(jo).await.unwrap().unwrap().records[0]
            .identity
            .email_verified
    );

    // Someone else writes "From: Jo" with no signature, and with a signature of their own.
    for (n, signed_by) in [(1, None), (2, Some("attacker.example"))] {
        let forged = format!(
            "From: Jo Bloggs <jo@residents.example>\r\nSubject: Bins\r\n\
             Message-ID: <forged-{n}@attacker.example>\r\n\r\nMy recycling bin was missed again.\r\n"
        );
        let opened = email_in(&app, &forged, signed_by).await;
        assert_eq!(
            opened["outcome"], "opened",
            "nothing a resident sends is lost"
        );
        let case = app.case(&reference(&opened)).await;
        assert_ne!(case.person_id, jo, "an unproven address joins no one");
        let page = staff
            .get(&format!("/console/cases/{}", case.summary.reference))
            .await;
        page.assert_contains("sender not verified");
        let person = staff
            .get(&format!("/console/residents/{}", case.person_id))
            .await;
        person.assert_contains("jo@residents.example (sender not verified)");
    }
    let jo_page = staff
        .get(&format!("/console/cases/{}", jo_case.summary.reference))
        .await;
    jo_page.assert_contains("jo@residents.example (verified)");

    // A forged message quoting Jo's reference is added to her case, marked, and neither
    // Jo nor the forger is sent word of it.
    let before = app
        .store
        .outbox_for_case(jo_case.summary.id)
        .await
        .unwrap()
        .len();
    let quoting = format!(
        "From: Jo Bloggs <jo@residents.example>\r\nSubject: Re: {}\r\n\
         Message-ID: <forged-3@attacker.example>\r\n\r\nPlease send the details to my new address.\r\n",
        jo_case.summary.reference
    );
    let threaded = email_in(&app, &quoting, None).await;
    assert_eq!(threaded["outcome"], "threaded");
    let after = app
        .store
        .outbox_for_case(jo_case.summary.id)
        .await
        .unwrap()
        .len();
    assert_eq!(after, before, "no acknowledgement of an unproven message");
    let page = staff
        .get(&format!("/console/cases/{}", jo_case.summary.reference))
        .await;
    page.assert_contains("Please send the details to my new address");
    page.assert_contains("sender not verified");
}

#[tokio::test]
async fn a_stranger_quoting_a_restricted_case_is_shown_to_staff_and_told_nothing() {
    let app = spawn_app().await;
    let reference = app
        .open_case(support::safeguarding_concern("lee@example.org"))
        .await;
    let case = app.case(&Reference::parse(&reference).unwrap()).await;
    let before = app
        .store
        .outbox_for_case(case.summary.id)
        .await
        .unwrap()
        .len();
    let stranger = format!(
        "From: Sam <sam@example.net>\r\nSubject: {reference}\r\n\
         Message-ID: <stranger-1@example.net>\r\n\r\nWhat is happening with this?\r\n"
    );
    let threaded = email_in(&app, &stranger, Some("example.net")).await;
    assert_eq!(threaded["outcome"], "threaded");
    let after = app
        .store
        .outbox_for_case(case.summary.id)
        .await
        .unwrap()
        .len();
    assert_eq!(
        after, before,
        "a proven stranger learns nothing of a restricted case"
    );
    let officer = support::sign_in_as(&app, "sg@demo-council.example", "safeguarding").await;
    let page = officer.open_restricted(&reference).await;
    page.assert_contains("sam@example.net (verified). Not this case&#39;s own address");
}

#[tokio::test]
async fn a_senders_display_name_loses_invisible_and_control_characters() {
    let app = spawn_app().await;
    let raw = "From: \"\u{202E}Jo\u{200B} Bloggs\u{7}\" <jo@example.org>\r\nSubject: Bin\r\n\
               Message-ID: <names-1@example.org>\r\n\r\nMy bin\u{0} was missed.\r\n";
    let opened = email_in(&app, raw, None).await;
    let case = app.case(&reference(&opened)).await;
    assert_eq!(case.contact.name, "Jo Bloggs");
    let said = case.contacts[0].summary.as_deref().unwrap();
    assert!(said.contains("My bin was missed."), "{said:?}");
}

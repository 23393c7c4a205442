//! The worker against real transports: a local SMTP server (Front Door's own listener, as a
//! sink) for email, and a fake GOV.UK Notify that checks JWTs, for email and SMS. Retries,
//! permanent refusals, and an in-doubt message found at the provider instead of resent.

use frontdoor_domain::{Destination, Outgoing};
use frontdoor_intake::smtp::MailSink;
use frontdoor_notify::fake::{self, FakeNotify};
use frontdoor_notify::{
    EmailSender, LogSender, NotifyClient, Senders, SmsSender, SmtpSender, WebhookSender, Worker,
    WorkerSettings,
};
use frontdoor_store::{DeliveryStatus, Store};
use jiff::{SignedDuration, Timestamp};
use std::sync::{Arc, Mutex};
use std::time::Duration;

async fn store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite://{}/fd.db", dir.path().display()))
        .await
        .unwrap();
    (store, dir)
}

fn email(key: &str, to: &str) -> Outgoing {
    Outgoing {
        key: key.into(),
        destination: Destination::Email { address: to.into() },
        subject: "We have your request HX7M-2KQ9".into(),
        body: "Dear Ann,\n\nThank you.".into(),
    }
}

fn sms(key: &str) -> Outgoing {
    Outgoing {
        key: key.into(),
        destination: Destination::Sms {
            number: "07700900123".into(),
        },
        subject: String::new(),
        body: "Demo Council: we have your request".into(),
    }
}

fn quick() -> WorkerSettings {
    WorkerSettings {
        lease: Duration::from_millis(300),
        retry_base: Duration::from_millis(50),
        max_attempts: 3,
        ..WorkerSettings::default()
    }
}

fn notify_senders(base: &str) -> Senders {
    let client = || {
        NotifyClient::new(
            base,
            &fake::api_key(),
            fake::EMAIL_TEMPLATE,
            fake::SMS_TEMPLATE,
        )
        .unwrap()
    };
    Senders {
        email: EmailSender::Notify(client()),
        sms: SmsSender::Notify(client()),
        webhook: WebhookSender::new("s"),
    }
}

#[derive(Default)]
struct Inbox(Mutex<Vec<Vec<u8>>>);

impl MailSink for Inbox {
    async fn deliver(&self, raw: Vec<u8>) -> Result<String, String> {
        self.0.lock().unwrap().push(raw);
        Ok("queued".into())
    }
}

#[tokio::test]
async fn email_goes_over_smtp_with_the_key_as_message_id() {
    let (store, _dir) = store().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox = Arc::new(Inbox::default());
    tokio::spawn(frontdoor_intake::smtp::serve(listener, inbox.clone()));
    let smtp = SmtpSender::new(
        &format!("smtp://127.0.0.1:{port}"),
        "Demo Council <noreply@demo-council.example>",
    )
    .unwrap();
    let senders = Senders {
        email: EmailSender::Smtp(smtp),
        sms: SmsSender::Log(LogSender::new(tempfile::tempdir().unwrap().keep())),
        webhook: WebhookSender::new("s"),
    };
    store
        .enqueue_messages(None, &[email("ack-1", "ann@example.org")])
        .await
        .unwrap();
    let worker = Worker::new(store.clone(), senders, quick());
    assert_eq!(worker.deliver_due().await.unwrap(), 1);
    let got = inbox.0.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let message = frontdoor_intake::parse_email(&got[0]).unwrap();
    assert_eq!(message.subject, "We have your request HX7M-2KQ9");
    assert_eq!(
        message.message_id.as_deref(),
        Some("ack-1@frontdoor.invalid")
    );
    assert!(message.body.contains("Thank you."));
    assert!(
        message.automatic,
        "marked Auto-Submitted so responders stay quiet"
    );
    let sent = &store.outbox_recent(10).await.unwrap()[0];
    assert_eq!(sent.status, DeliveryStatus::Sent);
    assert!(sent.sent_at.is_some());
}

#[tokio::test]
async fn notify_gets_a_signed_request_with_template_personalisation_and_reference() {
    let (store, _dir) = store().await;
    let notify = FakeNotify::default();
    let base = notify.start().await;
    store
        .enqueue_messages(None, &[email("ack-2", "ann@example.org"), sms("ack-2-sms")])
        .await
        .unwrap();
    let worker = Worker::new(store.clone(), notify_senders(&base), quick());
    worker.deliver_due().await.unwrap();
    let accepted = notify.accepted();
    assert_eq!(notify.refused_auth(), 0);
    assert_eq!(accepted.len(), 2);
    let (reference, body) = &accepted[0];
    assert_eq!(reference, "ack-2");
    assert_eq!(body["email_address"], "ann@example.org");
    assert_eq!(body["template_id"], fake::EMAIL_TEMPLATE);
    assert_eq!(
        body["personalisation"]["subject"],
        "We have your request HX7M-2KQ9"
    );
    assert_eq!(accepted[1].1["phone_number"], "07700900123");
    let recent = store.outbox_recent(10).await.unwrap();
    assert!(recent.iter().all(|m| m.status == DeliveryStatus::Sent));
    assert!(
        recent
            .iter()
            .all(|m| m.provider_id.as_deref().unwrap_or("").starts_with("fake-"))
    );
}

#[tokio::test]
async fn a_provider_outage_is_retried_with_backoff_and_a_refusal_is_final() {
    let (store, _dir) = store().await;
    let notify = FakeNotify::default();
    let base = notify.start().await;
    notify.fail_with(Some(503));
    store
        .enqueue_messages(None, &[email("retry-1", "a@example.org")])
        .await
        .unwrap();
    let patient = WorkerSettings {
        retry_base: Duration::from_millis(800),
        ..quick()
    };
    let worker = Worker::new(store.clone(), notify_senders(&base), patient);
    worker.deliver_due().await.unwrap();
    let waiting = &store.outbox_recent(1).await.unwrap()[0];
    assert_eq!(waiting.status, DeliveryStatus::Pending);
    assert!(waiting.last_error.as_deref().unwrap().contains("503"));
    assert_eq!(
        worker.deliver_due().await.unwrap(),
        0,
        "not due until the backoff passes"
    );

    notify.fail_with(None);
    tokio::time::sleep(Duration::from_millis(900)).await;
    worker.deliver_due().await.unwrap();
    assert_eq!(
        store.outbox_recent(1).await.unwrap()[0].status,
        DeliveryStatus::Sent
    );
    assert_eq!(notify.accepted().len(), 1);

    notify.fail_with(Some(400));
    store
        .enqueue_messages(None, &[email("refused-1", "b@example.org")])
        .await
        .unwrap();
    worker.deliver_due().await.unwrap();
    let refused = &store.outbox_recent(1).await.unwrap()[0];
    assert_eq!(refused.status, DeliveryStatus::Failed);
    assert_eq!(refused.attempts, 1, "a 400 is not retried");
}

#[tokio::test]
async fn an_in_doubt_message_already_at_notify_is_marked_sent_not_resent() {
    let (store, _dir) = store().await;
    let notify = FakeNotify::default();
    let base = notify.start().await;
    store
        .enqueue_messages(None, &[email("doubt-1", "c@example.org")])
        .await
        .unwrap();
    // A worker leases the message and Notify accepts it, then the server dies before the
    // outbox row is marked sent.
    let lease = SignedDuration::from_millis(200);
    let claimed = store
        .claim_outbox(Timestamp::now(), lease, 10)
        .await
        .unwrap();
    let senders = notify_senders(&base);
    senders.send(&claimed[0]).await.unwrap();
    assert_eq!(notify.accepted().len(), 1);

    tokio::time::sleep(Duration::from_millis(250)).await;
    let worker = Worker::new(store.clone(), notify_senders(&base), quick());
    assert_eq!(worker.deliver_due().await.unwrap(), 1, "the lease ran out");
    assert_eq!(
        notify.accepted().len(),
        1,
        "found by reference, not sent again"
    );
    let done = &store.outbox_recent(1).await.unwrap()[0];
    assert_eq!(done.status, DeliveryStatus::Sent);
    assert_eq!(done.attempts, 2);
}

#[tokio::test]
async fn the_same_key_is_queued_once() {
    let (store, _dir) = store().await;
    let twice = [
        email("once", "d@example.org"),
        email("once", "d@example.org"),
    ];
    store.enqueue_messages(None, &twice).await.unwrap();
    store.enqueue_messages(None, &twice[..1]).await.unwrap();
    assert_eq!(store.outbox_recent(10).await.unwrap().len(), 1);
}

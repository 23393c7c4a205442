//! The outbox worker and its senders, from the settings.

use crate::settings::Settings;
use anyhow::{Context, Result, bail};
use frontdoor_notify::{
    EmailSender, LogSender, NotifyClient, Senders, SmsSender, SmtpSender, WebhookSender, Worker,
    WorkerSettings,
};
use frontdoor_store::Store;
use std::time::Duration;

/// The senders the settings name, refusing a half-configured one before the server starts.
pub fn senders(settings: &Settings) -> Result<Senders> {
    let log = || LogSender::new(&settings.dev_mailbox);
    let email = match settings.email_sender.as_str() {
        "log" => EmailSender::Log(log()),
        "smtp" => EmailSender::Smtp(
            SmtpSender::new(&settings.smtp_url, &settings.mail_from).map_err(anyhow::Error::msg)?,
        ),
        "notify" => EmailSender::Notify(notify(
            settings,
            "notify_email_template",
            &settings.notify_email_template,
        )?),
        other => bail!("email_sender '{other}' is not one of log, smtp, notify"),
    };
    let sms = match settings.sms_sender.as_str() {
        "log" => SmsSender::Log(log()),
        "notify" => SmsSender::Notify(notify(
            settings,
            "notify_sms_template",
            &settings.notify_sms_template,
        )?),
        other => bail!("sms_sender '{other}' is not one of log, notify"),
    };
    if !settings.back_office.is_empty() && settings.back_office_secret.is_none() {
        bail!("back_office systems are set but back_office_secret is not: webhooks must be signed");
    }
    let secret = settings.back_office_secret.clone().unwrap_or_default();
    Ok(Senders {
        email,
        sms,
        webhook: WebhookSender::new(&secret),
    })
}

/// A Notify client, refusing a missing key or a missing template for the channel it serves.
fn notify(settings: &Settings, template_key: &str, template: &str) -> Result<NotifyClient> {
    let key = settings
        .notify_api_key
        .as_deref()
        .context("notify_api_key must be set to send through Notify")?;
    if template.trim().is_empty() {
        bail!("{template_key} must be set to send through Notify");
    }
    NotifyClient::new(
        &settings.notify_url,
        key,
        &settings.notify_email_template,
        &settings.notify_sms_template,
    )
    .context("notify_api_key")
}

pub fn worker(settings: &Settings, store: Store, senders: Senders) -> Worker {
    let worker_settings = WorkerSettings {
        lease: Duration::from_millis(settings.outbox_lease_ms.max(100)),
        retry_base: Duration::from_millis(settings.outbox_retry_base_ms.max(10)),
        max_attempts: settings.outbox_max_attempts.max(1),
        ..WorkerSettings::default()
    };
    Worker::new(store, senders, worker_settings)
}

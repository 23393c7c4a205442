//! Subject-access export: everything Front Door holds on one resident, as one JSON document
//! for the data-protection officer to review and send (UK GDPR Article 15). It includes
//! cases in restricted services: the officer decides what an exemption holds back.

use base64::Engine;
use frontdoor_domain::Catalogue;
use frontdoor_store::{AuditFilter, CaseDetail, PersonView, Store, StoreError};
use jiff::Timestamp;
use serde_json::{Value, json};

/// The most access-log rows given for any one subject.
const ACCESS_ROWS: i64 = 10_000;

/// Everything held on `person_id`, or `None` if there is no such resident.
pub async fn subject_access(
    store: &Store,
    catalogue: &Catalogue,
    person_id: i64,
) -> Result<Option<Value>, StoreError> {
    let Some(person) = store.person(person_id).await? else {
        return Ok(None);
    };
    let mut cases = Vec::new();
    let mut subjects = vec![format!("resident {person_id}")];
    for summary in &person.cases {
        if let Some(case) = store.case_by_reference(&summary.reference).await? {
            subjects.push(format!("case {}", case.summary.reference));
            cases.push(case_json(store, catalogue, &case).await?);
        }
    }
    Ok(Some(json!({
        "exported_at": Timestamp::now().to_string(),
        "resident": person_id,
        "records": records_json(&person),
        "vulnerability_flags": person.flags.iter().map(|f| f.label()).collect::<Vec<_>>(),
        "cases": cases,
        "life_events": person.life_events.iter().map(|e| json!({
            "told_at": e.told_at.to_string(),
            "channel": e.channel.label(),
            "what": e.event.describe(),
            "told": e.told.iter().map(|t| format!("{}: {}", t.who, t.how)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "record_history": person.events.iter().map(|e| json!({
            "at": e.at.to_string(),
            "what": e.event.describe(),
        })).collect::<Vec<_>>(),
        "access_log": access_log(store, &subjects).await?,
    })))
}

fn records_json(person: &PersonView) -> Vec<Value> {
    person
        .records
        .iter()
        .map(|r| {
            let i = &r.identity;
            json!({
                "record": r.id,
                "created_at": r.created_at.to_string(),
                "name": i.name,
                "email": i.email,
                "phone": i.phone,
                "postcode": i.postcode,
                "date_of_birth": i.date_of_birth.map(|d| d.to_string()),
                "uprn": i.uprn,
                "joined_because": r.match_reason.as_ref().map(|m| m.explain()),
            })
        })
        .collect()
}

async fn case_json(
    store: &Store,
    catalogue: &Catalogue,
    case: &CaseDetail,
) -> Result<Value, StoreError> {
    let s = &case.summary;
    let service = catalogue.service(&s.service);
    let title = |id: &str| {
        service
            .and_then(|sv| sv.fields.iter().find(|f| f.id == id))
            .map(|f| f.summary_title())
            .unwrap_or_else(|| id.to_owned())
    };
    let contacts: Vec<Value> = case
        .contacts
        .iter()
        .map(|k| {
            let answers: serde_json::Map<String, Value> = k
                .answers
                .iter()
                .map(|(id, a)| (title(id), Value::String(a.display())))
                .collect();
            json!({
                "received_at": k.received_at.to_string(),
                "channel": k.channel.label(),
                "said": k.summary,
                "answers": answers,
            })
        })
        .collect();
    let events: Vec<Value> = case
        .events
        .iter()
        .map(|e| json!({"at": e.at.to_string(), "by": e.actor_name, "what": e.event.for_staff()}))
        .collect();
    let messages: Vec<Value> = store
        .outbox_for_case(s.id)
        .await?
        .iter()
        .map(|m| {
            json!({
                "to": m.destination.describe(),
                "subject": m.subject,
                "body": m.body,
                "created_at": m.created_at.to_string(),
                "sent_at": m.sent_at.map(|t| t.to_string()),
            })
        })
        .collect();
    let mut attachments = Vec::new();
    for info in store.attachments_for_case(s.id).await? {
        if let Some((info, data)) = store.attachment(s.id, info.id).await? {
            attachments.push(json!({
                "filename": info.filename,
                "content_type": info.content_type,
                "size": info.size,
                "base64": base64::engine::general_purpose::STANDARD.encode(data),
            }));
        }
    }
    Ok(json!({
        "reference": s.reference.to_string(),
        "service": service.map_or(s.service.as_str(), |sv| sv.name.as_str()),
        "team": catalogue.team(&s.team).map_or(s.team.as_str(), |t| t.name.as_str()),
        "status": s.state.status.label(),
        "channel": s.channel.label(),
        "opened_at": s.created_at.to_string(),
        "due_by": s.due_by.to_string(),
        "contact": {
            "name": case.contact.name,
            "email": case.contact.email.as_ref().map(|e| e.to_string()),
            "phone": case.contact.phone.as_ref().map(|p| p.to_string()),
            "postcode": case.contact.postcode.as_ref().map(|p| p.to_string()),
        },
        "contacts": contacts,
        "history": events,
        "messages": messages,
        "attachments": attachments,
    }))
}

/// Who at the council looked at or changed the resident's record and cases: by role, not
/// by name (staff names are their own personal data; the officer can add them).
async fn access_log(store: &Store, subjects: &[String]) -> Result<Vec<Value>, StoreError> {
    let mut rows = Vec::new();
    for subject in subjects {
        let filter = AuditFilter {
            subject: Some(subject.clone()),
            ..AuditFilter::default()
        };
        rows.extend(store.audit_trail(&filter, ACCESS_ROWS).await?);
    }
    rows.sort_by_key(|r| std::cmp::Reverse((r.at, r.id)));
    Ok(rows
        .iter()
        .map(|r| {
            json!({
                "at": r.at.to_string(),
                "role": r.staff_role,
                "action": r.action,
                "subject": r.subject,
                "reason": r.reason,
            })
        })
        .collect())
}

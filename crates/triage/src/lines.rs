//! The `frontdoor triage` stream: JSON lines in, one JSON line out per input, in order.
//! A bad line gets an error object for that line; the stream carries on.

use crate::model::Model;
use serde_json::{Value, json};
use std::io::{self, BufRead, Write};

/// How many characters of text one contact may carry; longer is refused, not cut.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// Reads contacts from `input` and writes decisions to `output` until input ends.
/// Returns how many lines were answered and how many of those were errors.
pub fn run(
    model: &Model,
    input: impl BufRead,
    mut output: impl Write,
) -> io::Result<(usize, usize)> {
    let (mut answered, mut errors) = (0, 0);
    let mut reader = input;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            break;
        }
        if line.trim().is_empty() {
            continue;
        }
        let answer = answer(model, &line);
        errors += usize::from(answer.get("error").is_some());
        answered += 1;
        serde_json::to_writer(&mut output, &answer)?;
        output.write_all(b"\n")?;
        // Answer promptly when the input is interactive, without flushing per line in bulk.
        if reader.fill_buf()?.is_empty() {
            output.flush()?;
        }
    }
    output.flush()?;
    Ok((answered, errors))
}

/// The decision for one input line, or an error object naming what was wrong.
pub fn answer(model: &Model, line: &str) -> Value {
    let value: Value = match serde_json::from_str(line) {
        Ok(value) => value,
        Err(e) => return json!({"id": null, "error": format!("not a JSON object: {e}")}),
    };
    let Some(object) = value.as_object() else {
        return json!({"id": null, "error": "not a JSON object"});
    };
    let id = object.get("id").cloned().unwrap_or(Value::Null);
    let text = match object.get("text") {
        Some(Value::String(text)) if !text.trim().is_empty() => text,
        Some(Value::String(_)) => return json!({"id": id, "error": "text is empty"}),
        Some(_) => return json!({"id": id, "error": "text must be a string"}),
        None => return json!({"id": id, "error": "text is missing"}),
    };
    if text.chars().count() > MAX_TEXT_CHARS {
        return json!({"id": id, "error": format!("text is longer than {MAX_TEXT_CHARS} characters")});
    }
    let channel = match object.get("channel") {
        None | Some(Value::Null) => "",
        Some(Value::String(channel)) => channel.as_str(),
        Some(_) => return json!({"id": id, "error": "channel must be a string"}),
    };
    let triage = model.triage(text, channel);
    let mut explanation = triage.urgent_because.clone();
    explanation.extend(triage.explanation.iter().cloned());
    explanation.dedup();
    json!({
        "id": id,
        "service": triage.service,
        "confidence": (f64::from(triage.confidence) * 1000.0).round() / 1000.0,
        "urgent": triage.urgent,
        "check_for_risk": triage.check_for_risk,
        "risk_kind": triage.risk_kind,
        "referrals": triage.referrals.iter().map(|r| r.service.as_str()).collect::<Vec<_>>(),
        "explanation": explanation,
    })
}

//! Turning what a resident gave for "where" into a located place: a gazetteer address is
//! confirmed and given its point, a known street gets the middle of its addresses, and any
//! point is checked against the council's boundary and given its ward. Every front end
//! (portal, assisted entry, JSON API, Open311) validates answers through here.

use crate::error::WebError;
use crate::state::AppState;
use frontdoor_domain::Text;
use frontdoor_domain::form::{Answer, RawAnswers, validate_all};
use frontdoor_domain::{Field, FieldError, FieldKind, Place, Service};
use jiff::civil::Date;
use std::collections::BTreeMap;

/// A field's answer, validated and (for a location question) located.
pub async fn validate_answer(
    state: &AppState,
    field: &Field,
    raw: &RawAnswers,
    today: Date,
) -> Result<Result<Option<Answer>, FieldError>, WebError> {
    let answer = match field.validate(raw, today) {
        Ok(answer) => answer,
        Err(error) => return Ok(Err(error)),
    };
    match answer {
        Some(Answer::Location(place)) => Ok(locate(state, field, place)
            .await?
            .map(|place| Some(Answer::Location(place)))),
        other => Ok(Ok(other)),
    }
}

/// Every answer of a form at once, as assisted entry and the APIs send them.
pub async fn validate_answers(
    state: &AppState,
    service: &Service,
    raw: &RawAnswers,
    today: Date,
) -> Result<Result<BTreeMap<String, Answer>, Vec<FieldError>>, WebError> {
    let mut answers = match validate_all(&service.fields, raw, today) {
        Ok(answers) => answers,
        Err(errors) => return Ok(Err(errors)),
    };
    for field in service
        .fields
        .iter()
        .filter(|f| f.kind == FieldKind::Location)
    {
        if let Some(Answer::Location(place)) = answers.remove(&field.id) {
            match locate(state, field, place).await? {
                Ok(place) => answers.insert(field.id.clone(), Answer::Location(place)),
                Err(error) => return Ok(Err(vec![error])),
            };
        }
    }
    Ok(Ok(answers))
}

/// Confirms a place against the gazetteer and the council's area.
pub async fn locate(
    state: &AppState,
    field: &Field,
    mut place: Place,
) -> Result<Result<Place, FieldError>, WebError> {
    let error = |input: &str, text: Text| {
        FieldError::new(field.id.clone(), format!("{}-{input}", field.id), text)
    };
    if let Some(uprn) = &place.uprn {
        let Some(address) = state.store.gazetteer_address(uprn).await? else {
            return Ok(Err(error("uprn", Text::new("error.location.uprn"))));
        };
        place.address = Some(address.one_line());
        place.street = Some(address.street.clone());
        place.point = Some(address.point);
    }
    place.ward = None;
    let Some(area) = &state.area else {
        return Ok(Ok(place));
    };
    if let Some(point) = place.point {
        match area.locate(point) {
            Ok(ward) => place.ward = ward.map(|w| w.name.clone()),
            Err(outside) => {
                let input = if place.uprn.is_some() { "uprn" } else { "lat" };
                return Ok(Err(error(
                    input,
                    outside.message(&state.local_catalogue().council.name),
                )));
            }
        }
    } else if let Some(street) = &place.street
        && let Some((name, centre)) = state.store.street_centre(street).await?
    {
        // A street and a description has no exact point, so it is not put on the map or
        // offered as a duplicate; the middle of the street's addresses is enough for a ward.
        place.street = Some(name);
        place.ward = area.locate(centre).ok().flatten().map(|w| w.name.clone());
    }
    Ok(Ok(place))
}

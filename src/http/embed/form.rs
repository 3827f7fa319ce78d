//! The registration form sent without JavaScript: its fields, named as the meeting widget
//! names them, read into the [`RegistrationForm`] that the JSON API gets as a body.

use std::collections::HashMap;

use crate::domain::public::{MeetingDetail, RegistrationForm, STANDARD_FIELDS};

/// The visitor's answers; the meeting's questions map the `question_{i}` fields to their titles.
pub(super) fn registration_form(
    fields: &HashMap<String, String>,
    detail: &MeetingDetail,
) -> RegistrationForm {
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    RegistrationForm {
        first_name: get("first_name"),
        last_name: get("last_name"),
        email: get("email"),
        occurrence_id: fields.get("occurrence_id").cloned(),
        fields: STANDARD_FIELDS
            .iter()
            .filter_map(|f| {
                fields
                    .get(&format!("field_{f}"))
                    .map(|v| ((*f).to_owned(), v.clone()))
            })
            .collect(),
        answers: detail
            .questions
            .iter()
            .flat_map(|q| &q.custom_questions)
            .enumerate()
            .filter_map(|(i, q)| {
                fields
                    .get(&format!("question_{i}"))
                    .map(|v| (q.title.clone(), v.clone()))
            })
            .collect(),
        honeypot: get("website"),
    }
}

/// The hidden field carrying the form's idempotency key (a fresh one in each page the form is
/// on; `http::idempotency` reads it).
pub const KEY_FIELD: &str = "idempotency_key";

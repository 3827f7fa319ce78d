//! An error answer of Zoom's API as the operations produce it (docs/zoom.md §4.1): the HTTP status,
//! Zoom's numeric `code` and its message; a validation failure names the field (code 300,
//! "Validation Failed."), and a daily limit says when to retry (§5.3). It knows nothing of HTTP
//! libraries: `crate::http::respond` writes it out.

/// A refused API call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub status: u16,
    pub code: i64,
    pub message: String,
    /// The field and message of a validation failure (sent as `errors: [{field, message}]`).
    pub invalid_field: Option<(String, String)>,
    /// `Retry-After`: when a daily limit resets.
    pub retry_after: Option<String>,
}

impl ApiError {
    /// Zoom's `{code, message}` with this HTTP status.
    pub(crate) fn new(status: u16, code: i64, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            invalid_field: None,
            retry_after: None,
        }
    }

    /// Zoom's validation failure: HTTP 400, code 300, the offending field (docs/zoom.md §4.1).
    pub(crate) fn invalid(field: &str, message: &str) -> Self {
        Self {
            invalid_field: Some((field.to_string(), message.to_string())),
            ..Self::new(400, 300, "Validation Failed.")
        }
    }

    /// Code 300 without a field: a body Zoom rejects as a whole.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, 300, message)
    }

    /// The 404 of a meeting id that does not exist (any more).
    pub(crate) fn meeting_not_found(id: i64) -> Self {
        Self::new(
            404,
            3001,
            format!("Meeting {id} is not found or has expired."),
        )
    }

    /// The 404 of an unknown `userId`.
    pub(crate) fn user_not_found(key: &str) -> Self {
        Self::new(404, 1001, format!("User does not exist: {key}."))
    }

    /// The 400 of an occurrence id the meeting does not have.
    pub(crate) fn invalid_occurrence() -> Self {
        Self::new(400, 3000, "Invalid occurrence_id.")
    }

    /// The 404 of a recording that does not exist (or may not be seen).
    pub(crate) fn no_recording() -> Self {
        Self::new(404, 3301, "There is no recording for this meeting.")
    }

    /// A 429 that lifts at `retry_after` (docs/zoom.md §5.3).
    pub(crate) fn daily_limit(message: String, retry_after: String) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(429, 429, message)
        }
    }
}

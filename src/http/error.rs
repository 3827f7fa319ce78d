//! The one place where errors become HTTP: every error body is
//! `{"error": {"code": "...", "message": "..."}}` with the status that fits.

use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};

use crate::service::ServiceError;
use crate::store::StoreError;

/// An error's machine-readable code and human-readable message.
#[derive(Object, Clone, Debug)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `not_found`, `invalid_request`.
    pub code: String,
    /// What went wrong, for people (for visitor-facing errors: meant to be shown as is).
    pub message: String,
    /// The input field to fix, when one is to blame (e.g. `email`, `question_0`).
    #[oai(skip_serializing_if_is_none)]
    pub field: Option<String>,
}

/// The error envelope of every API error.
#[derive(Object, Clone, Debug)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

impl ErrorBody {
    pub fn new(code: &str, message: impl Into<String>) -> Json<Self> {
        Json(Self {
            error: ErrorDetail {
                code: code.to_owned(),
                message: message.into(),
                field: None,
            },
        })
    }

    /// An error that names the input field to fix.
    pub fn for_field(code: &str, message: impl Into<String>, field: &str) -> Json<Self> {
        let mut body = Self::new(code, message);
        body.0.error.field = Some(field.to_owned());
        body
    }
}

/// Every error an API operation can answer with.
#[derive(ApiResponse, Debug)]
#[oai(bad_request_handler = "bad_request")]
pub enum ApiError {
    /// The request is malformed or a value is invalid.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// Missing or unknown credentials.
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    /// Valid credentials, but not allowed to do this.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such resource (or not visible to this caller).
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The request clashes with the current state (e.g. slug taken, Zoom not connected).
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// The request body is too large.
    #[oai(status = 413)]
    PayloadTooLarge(Json<ErrorBody>),
    /// Too many requests (abuse limits, or Zoom's daily registrant limit); retry after the
    /// given seconds.
    #[oai(status = 429)]
    TooManyRequests(
        Json<ErrorBody>,
        #[oai(header = "Retry-After")] Option<String>,
    ),
    /// Something failed on our side.
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
    /// Zoom refused in a way the caller cannot fix by retrying.
    #[oai(status = 502)]
    BadGateway(Json<ErrorBody>),
    /// Temporarily unavailable (database or Zoom); retry after the given seconds.
    #[oai(status = 503)]
    Unavailable(
        Json<ErrorBody>,
        #[oai(header = "Retry-After")] Option<String>,
    ),
}

/// poem-openapi's own parse failures (bad JSON, wrong types, missing parameters) get our envelope.
fn bad_request(err: poem::Error) -> ApiError {
    if err.status() == poem::http::StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::PayloadTooLarge(ErrorBody::new(
            "payload_too_large",
            "request body is too large",
        ));
    }
    ApiError::BadRequest(ErrorBody::new("invalid_request", err.to_string()))
}

impl ApiError {
    pub fn unauthorized(message: &str) -> Self {
        Self::Unauthorized(ErrorBody::new("unauthorized", message))
    }

    pub fn forbidden(code: &str, message: &str) -> Self {
        Self::Forbidden(ErrorBody::new(code, message))
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::BadRequest(ErrorBody::new("invalid_request", message))
    }
}

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        let message = err.to_string();
        match err {
            ServiceError::NotFound(_) => Self::NotFound(ErrorBody::new("not_found", message)),
            ServiceError::Invalid { .. } => {
                Self::BadRequest(ErrorBody::new("invalid_request", message))
            }
            ServiceError::Form(f) => {
                Self::BadRequest(ErrorBody::for_field("invalid_field", f.message, &f.field))
            }
            ServiceError::Conflict(_) => Self::Conflict(ErrorBody::new("conflict", message)),
            ServiceError::Refused { code, .. } => Self::Conflict(ErrorBody::new(code, message)),
            ServiceError::TooManyRequests {
                code, retry_after, ..
            } => Self::TooManyRequests(
                ErrorBody::new(code, message),
                Some(retry_after.as_secs().max(1).to_string()),
            ),
            ServiceError::MissingScope(_) => {
                Self::Forbidden(ErrorBody::new("missing_scope", message))
            }
            ServiceError::NotConnected(_) => {
                Self::Conflict(ErrorBody::new("zoom_not_connected", message))
            }
            ServiceError::BadSignature(_) => {
                Self::Unauthorized(ErrorBody::new("unauthorized", message))
            }
            ServiceError::ZoomUnavailable { retry_after }
            | ServiceError::ZoomRateLimited { retry_after, .. } => {
                let secs = retry_after.map_or(30, |d| d.as_secs().max(1));
                Self::Unavailable(
                    ErrorBody::new("zoom_unavailable", message),
                    Some(secs.to_string()),
                )
            }
            ServiceError::ZoomRefused(_) | ServiceError::ZoomNotFound(_) => {
                Self::BadGateway(ErrorBody::new("zoom_refused", message))
            }
            ServiceError::Store(StoreError::Unavailable(_)) => {
                tracing::error!(error = %message, "database unavailable");
                Self::Unavailable(
                    ErrorBody::new("unavailable", "the database is unavailable"),
                    Some("5".into()),
                )
            }
            ServiceError::Store(_) | ServiceError::Crypto(_) => {
                tracing::error!(error = %message, "internal error");
                Self::Internal(ErrorBody::new("internal", "internal error"))
            }
        }
    }
}

/// Rewrites errors raised outside our handlers (unknown route, wrong method, body limit) into
/// the same JSON envelope. Errors that already carry a response body pass through unchanged.
pub fn to_json_error(err: poem::Error) -> poem::Response {
    if err.is_from_response() {
        return err.into_response();
    }
    let status = err.status();
    let code = match status.as_u16() {
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        411 => "length_required",
        413 => "payload_too_large",
        400..=499 => "invalid_request",
        _ => "internal",
    };
    let message = match status.as_u16() {
        401 => "missing or invalid credentials: send `Authorization: Bearer <key>` or sign in"
            .to_owned(),
        404 => "no such route".to_owned(),
        500..=599 => "internal error".to_owned(),
        _ => err.to_string(),
    };
    let body = serde_json::json!({ "error": { "code": code, "message": message } });
    poem::Response::builder()
        .status(status)
        .content_type("application/json; charset=utf-8")
        .body(body.to_string())
}

//! The one place where errors become HTTP. [`classify`] decides, for every [`ServiceError`],
//! the status, stable code, public message, field and `Retry-After` of the answer (a
//! [`Problem`]); the JSON API ([`ApiError`]), the widgets and the owner pages all render that
//! answer, so one failure gets one status everywhere. Every JSON error body is
//! `{"error": {"code": "...", "message": "..."}}`.

use poem::http::{HeaderValue, StatusCode, header};
use poem::{IntoResponse, Response};
use poem_openapi::error::ParseParamError;
use poem_openapi::payload::Json;
use poem_openapi::registry::{MetaHeader, MetaResponse, MetaResponses, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiResponse, Object, ResponseContent};

use crate::crypto::CryptoError;
use crate::service::ServiceError;
use crate::service::error::{StoreFailure, StoreFailureKind};

/// How long a client should wait when Zoom is unavailable and did not say.
const ZOOM_RETRY_SECS: u64 = 30;
/// How long a client should wait when the database is unavailable.
const DATABASE_RETRY_SECS: u64 = 5;
/// How long a client should wait for the first request with its `Idempotency-Key` to finish.
const IN_FLIGHT_RETRY_SECS: u64 = 1;

/// An error's machine-readable code and human-readable message.
#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct ErrorDetail {
    /// Stable machine-readable code (the list and their statuses: `docs/api.md`):
    /// `invalid_request`, `invalid_field`, `unauthorized`, `missing_scope`, `csrf_failed`,
    /// `forbidden`, `not_found`, `method_not_allowed`, `conflict`, `zoom_not_connected`,
    /// `registration_closed`, `registration_unavailable`, `meeting_ended`, `meeting_full`, `idempotency_key_in_flight`,
    /// `length_required`, `payload_too_large`, `unsupported_media_type`,
    /// `idempotency_key_reused`, `rate_limited`, `daily_limit`, `internal`, `zoom_refused`,
    /// `zoom_unavailable`, `unavailable`, `not_ready`. New codes may be added.
    pub code: String,
    /// What went wrong, for people (for visitor-facing errors: meant to be shown as is).
    pub message: String,
    /// The input field to fix, when one is to blame (e.g. `email`, `question_0`).
    pub field: Option<String>,
    /// The request's id, as in the `X-Request-Id` header (present on every `/api/…` error):
    /// quote it when reporting a problem.
    pub request_id: Option<String>,
}

/// The error envelope of every API error.
#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
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
                request_id: None,
            },
        })
    }
}

/// How one failure is answered, whichever surface answers it.
#[derive(Clone, Debug)]
pub struct Problem {
    pub status: StatusCode,
    /// Stable machine-readable code, e.g. `not_found`, `zoom_unavailable`.
    pub code: &'static str,
    /// What went wrong, for people. Never an internal cause (those are logged).
    pub message: String,
    /// The input field to fix, when one is to blame.
    pub field: Option<String>,
    /// Seconds to wait before trying again, when trying again may help.
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }

    /// Names the input field to fix.
    pub fn with_field(mut self, field: String) -> Self {
        self.field = Some(field);
        self
    }

    fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs.max(1));
        self
    }

    /// Missing or unknown credentials.
    pub fn unauthorized(message: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// Valid credentials, but not allowed to do this.
    pub fn forbidden(code: &'static str, message: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }

    /// A malformed request.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", message)
    }

    /// A path, query or header parameter that does not parse, named as the document names
    /// it (as body fields are named).
    pub fn bad_parameter(name: &str, reason: &str) -> Self {
        // poem-openapi prefixes the reason with the type (`failed to parse "string": …`).
        let reason = reason
            .strip_prefix("failed to parse \"")
            .and_then(|rest| rest.split_once("\": "))
            .map_or(reason, |(_, why)| why);
        Self::invalid(format!("{name}: {reason}")).with_field(name.to_owned())
    }

    /// Something failed on our side; the cause stays in the log.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error",
        )
    }

    /// The JSON error envelope of this answer.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message.clone(),
                field: self.field.clone(),
                request_id: None,
            },
        }
    }

    /// Adds `Retry-After` to a response of any surface, when this answer has one.
    pub fn set_retry_after(&self, resp: &mut Response) {
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
    }

    /// The JSON API's answer: status, error envelope and `Retry-After`.
    pub fn json_response(&self) -> Response {
        let mut resp = Json(self.body()).into_response();
        resp.set_status(self.status);
        self.set_retry_after(&mut resp);
        resp
    }
}

impl From<ServiceError> for Problem {
    fn from(err: ServiceError) -> Self {
        classify(err)
    }
}

impl From<Problem> for poem::Error {
    fn from(problem: Problem) -> Self {
        poem::Error::from_response(problem.json_response())
    }
}

/// How every service error is answered. Internal causes are logged here and never sent.
pub fn classify(err: ServiceError) -> Problem {
    let message = err.to_string();
    match err {
        ServiceError::NotFound(_) => Problem::new(StatusCode::NOT_FOUND, "not_found", message),
        ServiceError::Invalid { field, .. } => Problem::invalid(message).with_field(field.into()),
        ServiceError::Form(f) => {
            Problem::new(StatusCode::BAD_REQUEST, "invalid_field", f.message).with_field(f.field)
        }
        ServiceError::Conflict(_) => Problem::new(StatusCode::CONFLICT, "conflict", message),
        ServiceError::Refused { code, .. } => Problem::new(StatusCode::CONFLICT, code, message),
        ServiceError::TooManyRequests {
            code, retry_after, ..
        } => Problem::new(StatusCode::TOO_MANY_REQUESTS, code, message)
            .with_retry_after(retry_after.as_secs()),
        ServiceError::IdempotencyKeyReused => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            message,
        )
        .with_field("Idempotency-Key".into()),
        ServiceError::IdempotencyKeyInFlight => {
            Problem::new(StatusCode::CONFLICT, "idempotency_key_in_flight", message)
                .with_retry_after(IN_FLIGHT_RETRY_SECS)
        }
        ServiceError::MissingScope(_) => Problem::forbidden("missing_scope", &message),
        ServiceError::NotConnected(_) => {
            Problem::new(StatusCode::CONFLICT, "zoom_not_connected", message)
        }
        ServiceError::BadSignature(_) => Problem::unauthorized(&message),
        ServiceError::ZoomUnavailable { retry_after }
        | ServiceError::ZoomRateLimited { retry_after, .. } => {
            Problem::new(StatusCode::SERVICE_UNAVAILABLE, "zoom_unavailable", message)
                .with_retry_after(retry_after.map_or(ZOOM_RETRY_SECS, |d| d.as_secs()))
        }
        ServiceError::ZoomRefused(_) | ServiceError::ZoomNotFound(_) => {
            Problem::new(StatusCode::BAD_GATEWAY, "zoom_refused", message)
        }
        ServiceError::Store(failure) => classify_store(&failure),
        ServiceError::Crypto(err) => classify_crypto(err),
    }
}

fn classify_store(failure: &StoreFailure) -> Problem {
    match failure.kind() {
        StoreFailureKind::Unavailable => {
            tracing::error!(error = %failure, "database unavailable");
            Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "the database is unavailable",
            )
            .with_retry_after(DATABASE_RETRY_SECS)
        }
        StoreFailureKind::Internal => internal(failure),
    }
}

fn classify_crypto(err: CryptoError) -> Problem {
    match err {
        CryptoError::UnknownKey(_) | CryptoError::Corrupt => internal(&err),
    }
}

fn internal(cause: &dyn std::error::Error) -> Problem {
    tracing::error!(error = %cause, "internal error");
    Problem::internal()
}

/// Every error status the API documents: its description and whether it carries
/// `Retry-After`. An operation's [`ApiError`] picks the ones it can answer.
const DOCUMENTED: [(u16, &str, bool); 12] = [
    (
        400,
        "The request is malformed or a value is invalid.",
        false,
    ),
    (401, "Missing or unknown credentials.", false),
    (403, "Valid credentials, but not allowed to do this.", false),
    (
        404,
        "No such resource (or not visible to this caller).",
        false,
    ),
    (
        409,
        "The request clashes with the current state (e.g. slug taken, Zoom not connected).",
        false,
    ),
    (413, "The request body is too large.", false),
    (
        415,
        "The body's `Content-Type` is missing or not `application/json`.",
        false,
    ),
    (
        422,
        "The `Idempotency-Key` was already used with a different request (method, path or body).",
        false,
    ),
    (
        429,
        "Too many requests (abuse limits, or Zoom's daily registrant limit); retry after the\ngiven seconds.",
        true,
    ),
    (500, "Something failed on our side.", false),
    (
        502,
        "Zoom refused in a way the caller cannot fix by retrying.",
        false,
    ),
    (
        503,
        "Temporarily unavailable (database or Zoom); retry after the given seconds.",
        true,
    ),
];

/// The set of error statuses an operation can answer, for [`ApiError`]'s parameter, e.g.
/// `ApiError<{ statuses(&[401, 404, 500, 503]) }>`. A status the API does not document
/// fails to compile.
pub const fn statuses(list: &[u16]) -> u16 {
    let mut set = 0;
    let mut i = 0;
    while i < list.len() {
        set |= 1 << documented_index(list[i]);
        i += 1;
    }
    set
}

const fn documented_index(status: u16) -> usize {
    let mut i = 0;
    while i < DOCUMENTED.len() {
        if DOCUMENTED[i].0 == status {
            return i;
        }
        i += 1;
    }
    panic!("an error status the API does not document")
}

/// An error of a JSON API operation that can answer only with the statuses in `STATUSES` (see
/// [`statuses`]); its OpenAPI description lists exactly those. Built from a [`ServiceError`]
/// (with `?`) or a [`Problem`].
#[derive(Debug)]
pub struct ApiError<const STATUSES: u16>(Problem);

impl<const STATUSES: u16> ApiError<STATUSES> {
    fn documents(status: StatusCode) -> bool {
        DOCUMENTED
            .iter()
            .position(|(documented, ..)| *documented == status.as_u16())
            .is_some_and(|i| STATUSES & (1 << i) != 0)
    }
}

impl<const STATUSES: u16> From<ServiceError> for ApiError<STATUSES> {
    fn from(err: ServiceError) -> Self {
        Self(classify(err))
    }
}

impl<const STATUSES: u16> From<Problem> for ApiError<STATUSES> {
    fn from(problem: Problem) -> Self {
        Self(problem)
    }
}

impl<const STATUSES: u16> IntoResponse for ApiError<STATUSES> {
    fn into_response(self) -> Response {
        if !Self::documents(self.0.status) {
            tracing::error!(
                http.status = self.0.status.as_u16(),
                code = self.0.code,
                "an API error with a status its operation does not document"
            );
        }
        self.0.json_response()
    }
}

impl<const STATUSES: u16> From<ApiError<STATUSES>> for poem::Error {
    fn from(err: ApiError<STATUSES>) -> Self {
        poem::Error::from_response(err.into_response())
    }
}

impl<const STATUSES: u16> ApiResponse for ApiError<STATUSES> {
    fn meta() -> MetaResponses {
        let responses = DOCUMENTED
            .iter()
            .enumerate()
            .filter(|(i, _)| STATUSES & (1 << i) != 0)
            .map(|(_, &(status, description, retry))| {
                error_response_meta(status, description, retry)
            })
            .collect();
        MetaResponses { responses }
    }

    fn register(registry: &mut Registry) {
        <Json<ErrorBody> as ResponseContent>::register(registry);
    }
}

/// A documented error answer: the error envelope, with `Retry-After` if `retry` says so.
pub fn error_response_meta(status: u16, description: &'static str, retry: bool) -> MetaResponse {
    MetaResponse {
        description,
        status: Some(status),
        status_range: None,
        content: <Json<ErrorBody> as ResponseContent>::media_types(),
        headers: if retry {
            vec![retry_after_meta()]
        } else {
            vec![]
        },
    }
}

/// The description the API gives an error status, e.g. for an answer added to an operation.
pub fn documented_description(status: u16) -> &'static str {
    DOCUMENTED[documented_index(status)].1
}

/// The optional `Retry-After` header of an answer.
pub fn retry_after_meta() -> MetaHeader {
    MetaHeader {
        name: "RETRY-AFTER".to_owned(),
        description: None,
        required: false,
        deprecated: false,
        schema: <String as Type>::schema_ref(),
    }
}

/// Rewrites errors raised outside our handlers (unknown route, wrong method, body limit,
/// malformed parameters) into the same JSON envelope. Errors that already carry a response
/// body pass through unchanged.
pub fn to_json_error(err: poem::Error) -> Response {
    // The matched route's template travels on, for the request metrics (`http::middleware`).
    let pattern = err.data::<poem::PathPattern>().cloned();
    let mut resp = json_error_of(err);
    if let Some(pattern) = pattern {
        resp.set_data(pattern);
    }
    resp
}

fn json_error_of(err: poem::Error) -> Response {
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
        415 => "unsupported_media_type",
        400..=499 => "invalid_request",
        _ => "internal",
    };
    if let Some(param) = err.downcast_ref::<ParseParamError>() {
        return Problem::bad_parameter(param.name, &param.reason).json_response();
    }
    let message = match status.as_u16() {
        401 => "missing or invalid credentials: send `Authorization: Bearer <key>` or sign in"
            .to_owned(),
        404 => "no such route".to_owned(),
        500..=599 => "internal error".to_owned(),
        _ => err.to_string(),
    };
    Problem::new(status, code, message).json_response()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{ApiError, Problem, StatusCode, classify, statuses};
    use crate::domain::public::FieldError;
    use crate::service::ServiceError;

    fn answer(err: ServiceError) -> (u16, &'static str, Option<u64>) {
        let p = classify(err);
        (p.status.as_u16(), p.code, p.retry_after)
    }

    #[test]
    fn zoom_trouble_is_503_with_retry_after() {
        let down = ServiceError::ZoomUnavailable { retry_after: None };
        assert_eq!(answer(down), (503, "zoom_unavailable", Some(30)));
        let limited = ServiceError::ZoomRateLimited {
            retry_after: Some(Duration::from_secs(7)),
            daily: false,
            limit: None,
        };
        assert_eq!(answer(limited), (503, "zoom_unavailable", Some(7)));
        let refused = ServiceError::ZoomRefused("no".into());
        assert_eq!(answer(refused), (502, "zoom_refused", None));
    }

    #[test]
    fn visitor_refusals_keep_their_codes() {
        let not_connected = ServiceError::NotConnected("reconnect".into());
        assert_eq!(answer(not_connected), (409, "zoom_not_connected", None));
        let full = ServiceError::Refused {
            code: "meeting_full",
            message: "full".into(),
        };
        assert_eq!(answer(full), (409, "meeting_full", None));
        let daily = ServiceError::TooManyRequests {
            code: "daily_limit",
            message: "tomorrow".into(),
            retry_after: Duration::from_millis(10),
            limit: None,
        };
        assert_eq!(answer(daily), (429, "daily_limit", Some(1)));
        let form = classify(ServiceError::Form(FieldError {
            field: "email".into(),
            message: "Enter a valid e-mail address.".into(),
        }));
        assert_eq!((form.status.as_u16(), form.code), (400, "invalid_field"));
        assert_eq!(form.field.as_deref(), Some("email"));
        assert_eq!(form.message, "Enter a valid e-mail address.");
    }

    #[test]
    fn idempotency_refusals_have_their_own_codes() {
        let reused = classify(ServiceError::IdempotencyKeyReused);
        assert_eq!(
            (reused.status.as_u16(), reused.code),
            (422, "idempotency_key_reused")
        );
        assert_eq!(reused.field.as_deref(), Some("Idempotency-Key"));
        assert_eq!(
            answer(ServiceError::IdempotencyKeyInFlight),
            (409, "idempotency_key_in_flight", Some(1))
        );
    }

    #[test]
    fn internal_causes_are_never_sent() {
        let corrupt = classify(ServiceError::unreadable_data("key id k9 in row 7"));
        assert_eq!((corrupt.status.as_u16(), corrupt.code), (500, "internal"));
        assert_eq!(corrupt.message, "internal error");
        let down = classify(ServiceError::database_unavailable(
            "pool timed out at 10.0.0.5",
        ));
        assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(down.message, "the database is unavailable");
        assert_eq!(down.retry_after, Some(5));
    }

    #[test]
    fn an_api_error_documents_only_its_statuses() {
        type Lookup = ApiError<{ statuses(&[401, 404, 500, 503]) }>;
        assert!(Lookup::documents(StatusCode::NOT_FOUND));
        assert!(!Lookup::documents(StatusCode::BAD_GATEWAY));
        let meta = <Lookup as poem_openapi::ApiResponse>::meta();
        let listed: Vec<_> = meta.responses.iter().map(|r| r.status).collect();
        assert_eq!(listed, [Some(401), Some(404), Some(500), Some(503)]);
        let unavailable = &meta.responses[3];
        assert_eq!(unavailable.headers[0].name, "RETRY-AFTER");
    }

    #[test]
    fn a_bad_parameter_is_named_without_the_frameworks_type_prefix() {
        let reason = "failed to parse \"integer(int64)\": verification failed. minimum(1)";
        let limit = Problem::bad_parameter("limit", reason);
        assert_eq!(limit.message, "limit: verification failed. minimum(1)");
        assert_eq!(
            (limit.code, limit.field.as_deref()),
            ("invalid_request", Some("limit"))
        );
        assert_eq!(Problem::bad_parameter("x", "odd").message, "x: odd");
    }

    #[test]
    fn the_json_answer_carries_status_and_retry_after() {
        let resp =
            Problem::from(ServiceError::ZoomUnavailable { retry_after: None }).json_response();
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(resp.headers()["retry-after"], "30");
        assert_eq!(
            resp.headers()["content-type"],
            "application/json; charset=utf-8"
        );
    }
}

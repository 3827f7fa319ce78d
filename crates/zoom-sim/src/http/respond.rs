//! The responses every handler writes: Zoom's JSON bodies and API errors ([`ApiError`] becomes
//! a response here, and nowhere else), HTML pages, redirects and the escaping they need.

use marquee_zoom_protocol::models::ApiErrorBody;
use poem::Response;
use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::error::ApiError;

/// A handler's result: both arms are finished responses (`Err` = an error response).
pub(crate) type HResult = Result<Response, Response>;

/// A JSON body as Zoom sends it (`application/json;charset=UTF-8`).
pub(crate) fn json_response(status: u16, body: &Value) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
        .content_type("application/json;charset=UTF-8")
        .body(serde_json::to_vec(body).expect("JSON values serialize"))
}

/// Zoom's API error body `{code, message}` (docs/zoom.md §4.1).
pub(crate) fn zoom_error(status: u16, code: i64, message: impl Into<String>) -> Response {
    ApiError::new(status, code, message).into()
}

/// Zoom's validation failure: code 300 with `errors` (docs/zoom.md §4.1).
pub(crate) fn validation_error(field: &str, message: &str) -> Response {
    ApiError::invalid(field, message).into()
}

impl From<ApiError> for Response {
    fn from(e: ApiError) -> Self {
        let body = match &e.invalid_field {
            Some((field, message)) => json!({"code": e.code, "message": e.message,
                "errors": [{"field": field, "message": message}]}),
            None => json!(ApiErrorBody {
                code: e.code,
                message: e.message.clone(),
            }),
        };
        let mut response = json_response(e.status, &body);
        if let Some(v) = e.retry_after.and_then(|r| r.parse().ok()) {
            response.headers_mut().insert("Retry-After", v);
        }
        response
    }
}

/// 204 with no body.
pub(crate) fn no_content() -> Response {
    Response::builder().status(StatusCode::NO_CONTENT).finish()
}

/// An HTML page.
pub(crate) fn html(status: u16, body: String) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
        .content_type("text/html; charset=utf-8")
        .body(body)
}

/// A 302 to `location`.
pub(crate) fn redirect(location: &str) -> Response {
    Response::builder()
        .status(StatusCode::FOUND)
        .header("Location", location)
        .finish()
}

/// Minimal HTML escaping for the simulator's pages.
pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

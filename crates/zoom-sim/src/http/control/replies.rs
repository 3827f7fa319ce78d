//! The control API's own error bodies, `{"error": "..."}` (it is not Zoom's API, so not Zoom's
//! error shape; errors of the Zoom operations it calls keep Zoom's).

use serde_json::json;

use crate::http::respond::json_response;

/// 400 with a message saying what the body should be.
pub(super) fn bad_request(message: impl Into<String>) -> poem::Response {
    json_response(400, &json!({"error": message.into()}))
}

/// 404 naming what was not found.
pub(super) fn not_found(what: &str) -> poem::Response {
    json_response(404, &json!({"error": format!("{what} not found")}))
}

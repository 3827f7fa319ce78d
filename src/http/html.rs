//! Server-rendered HTML answers, shared by the owner pages and the widgets' failure pages.

use poem::Response;
use poem::http::{StatusCode, header};

/// An HTML response with its own Content-Security-Policy, never stored by caches.
pub fn response(status: StatusCode, body: String, csp: &str) -> Response {
    Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .header(header::CONTENT_SECURITY_POLICY, csp)
        .header(header::CACHE_CONTROL, "no-store")
        .body(body)
}

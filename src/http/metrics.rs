//! `GET /metrics`: Prometheus text exposition (`telemetry::metrics`). Open when
//! `MARQUEE_METRICS_TOKEN` is unset — the labels carry no tenant, site or id, so the page
//! tells an outsider only how busy the instance is; keep it off the public listener or set the
//! token (docs/operations.md). With the token set, anything but `Authorization: Bearer <token>`
//! is a 401.

use poem::http::{StatusCode, header};
use poem::web::Data;
use poem::{Request, Response, handler};

use crate::crypto::constant_time_eq;
use crate::service::Services;

/// The content type Prometheus scrapes (text format 0.0.4).
const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

#[handler]
pub async fn metrics(req: &Request, s: Data<&Services>) -> Response {
    if let Some(token) = &s.config().metrics_token
        && !bearer_matches(req, token)
    {
        return Response::builder()
            .status(StatusCode::UNAUTHORIZED)
            .header(header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\"")
            .body("a bearer token is required\n");
    }
    s.health().record_site_states().await;
    Response::builder()
        .content_type(CONTENT_TYPE)
        .header(header::CACHE_CONTROL, "no-store")
        .body(crate::telemetry::metrics::render())
}

fn bearer_matches(req: &Request, token: &str) -> bool {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|presented| constant_time_eq(presented.trim().as_bytes(), token.as_bytes()))
}

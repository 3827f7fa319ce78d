//! Middleware applied to every route.
//!
//! * [`SecurityHeaders`]: the OWASP set that the Zoom client checks on HTML (docs/zoom.md §3.5).
//!   Handlers that need a different Content-Security-Policy set their own; this only fills in
//!   what is missing.
//! * [`RequestLog`]: gives every request an id (`X-Request-Id`: the proxy's, when it set a sane
//!   one, else a new one), carries it in a tracing span around the request (so every log line
//!   of the request names it), in the answer's header and in every `/api/…` error body; then
//!   logs one line per request with method, *path* (never the query string: admin links and
//!   OAuth callbacks carry one-time secrets there), status and latency.

use poem::http::{HeaderName, HeaderValue, header};
use std::time::Instant;

use poem::{Body, Endpoint, IntoResponse, Middleware, PathPattern, Request, Response, Result};
use serde_json::Value;
use tracing::Instrument;

/// The header that carries a request's id, in both directions.
pub const REQUEST_ID_HEADER: &str = "x-request-id";
/// The longest request id taken from a proxy.
const MAX_REQUEST_ID_LEN: usize = 128;

/// For JSON and anything else without its own policy: load nothing, frame nowhere.
pub const DEFAULT_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

pub struct SecurityHeaders;

impl<E: Endpoint> Middleware<E> for SecurityHeaders {
    type Output = SecurityHeadersEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        SecurityHeadersEndpoint(ep)
    }
}

pub struct SecurityHeadersEndpoint<E>(E);

impl<E: Endpoint> Endpoint for SecurityHeadersEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let mut resp = match self.0.call(req).await {
            Ok(r) => r.into_response(),
            Err(err) => err.into_response(),
        };
        let headers = resp.headers_mut();
        let defaults: [(HeaderName, &str); 4] = [
            (
                header::STRICT_TRANSPORT_SECURITY,
                "max-age=31536000; includeSubDomains",
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
            (header::CONTENT_SECURITY_POLICY, DEFAULT_CSP),
        ];
        for (name, value) in defaults {
            if !headers.contains_key(&name) {
                headers.insert(name, HeaderValue::from_static(value));
            }
        }
        Ok(resp)
    }
}

pub struct RequestLog;

impl<E: Endpoint> Middleware<E> for RequestLog {
    type Output = RequestLogEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        RequestLogEndpoint(ep)
    }
}

pub struct RequestLogEndpoint<E>(E);

impl<E: Endpoint> Endpoint for RequestLogEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let request_id = request_id(&req);
        let is_api = req.uri().path().starts_with("/api/");
        let span = tracing::info_span!(
            "request",
            request_id = %request_id,
            http.method = %req.method(),
            http.path = %req.uri().path()
        );
        let method = req.method().to_string();
        async move {
            let started = Instant::now();
            let (mut resp, route) = match self.0.call(req).await {
                Ok(r) => {
                    let r = r.into_response();
                    let route = route_template(r.data::<PathPattern>());
                    (r, route)
                }
                Err(err) => {
                    let route = route_template(err.data::<PathPattern>());
                    (err.into_response(), route)
                }
            };
            let status = resp.status().as_u16();
            let took = started.elapsed();
            crate::telemetry::metrics::http_request(&route, &method, status, took);
            let duration_ms = took.as_secs_f64() * 1000.0;
            if status >= 500 {
                tracing::warn!(http.status = status, duration_ms, "request failed");
            } else {
                tracing::info!(http.status = status, duration_ms, "request");
            }
            if is_api && status >= 400 {
                resp = with_request_id_in_error(resp, &request_id).await;
            }
            if let Ok(value) = HeaderValue::from_str(&request_id) {
                resp.headers_mut().insert(REQUEST_ID_HEADER, value);
            }
            Ok(resp)
        }
        .instrument(span)
        .await
    }
}

/// The matched route's template (`/embed/:site/meetings/:id`) for metric labels: bounded,
/// unlike the path itself. Requests no route matched share one label.
fn route_template(pattern: Option<&PathPattern>) -> String {
    match pattern {
        Some(PathPattern(p)) if !p.is_empty() && p.as_ref() != "/" => p.to_string(),
        _ => "unmatched".to_owned(),
    }
}

/// The id a proxy gave the request, when it is sane (1–128 visible ASCII characters), else a
/// new one.
fn request_id(req: &Request) -> String {
    req.headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|id| is_sane_request_id(id))
        .map_or_else(|| uuid::Uuid::now_v7().simple().to_string(), str::to_owned)
}

fn is_sane_request_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_REQUEST_ID_LEN && id.bytes().all(|b| b.is_ascii_graphic())
}

/// Adds `request_id` to a JSON error envelope (`{"error": {…}}`); other bodies pass as they are.
async fn with_request_id_in_error(mut resp: Response, request_id: &str) -> Response {
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return resp;
    }
    let Ok(bytes) = resp.take_body().into_bytes().await else {
        return resp;
    };
    let mut body: Value = match serde_json::from_slice(&bytes) {
        Ok(body) => body,
        Err(_) => {
            resp.set_body(bytes);
            return resp;
        }
    };
    if let Some(error) = body.get_mut("error").and_then(Value::as_object_mut) {
        error.insert("request_id".to_owned(), Value::from(request_id));
    }
    let json = serde_json::to_vec(&body).expect("a JSON value serializes");
    resp.headers_mut().remove(header::CONTENT_LENGTH);
    resp.set_body(Body::from(json));
    resp
}

/// Refuses request bodies over `max` bytes with 413. Bodies must declare their length: a
/// chunked body (no `Content-Length`) gets 411, since its size cannot be checked up front.
/// Requests without a body pass untouched (poem's own `SizeLimit` would refuse every GET).
pub struct BodyLimit {
    pub max: usize,
}

impl<E: Endpoint> Middleware<E> for BodyLimit {
    type Output = BodyLimitEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        BodyLimitEndpoint {
            inner: ep,
            max: self.max,
        }
    }
}

pub struct BodyLimitEndpoint<E> {
    inner: E,
    max: usize,
}

impl<E: Endpoint> Endpoint for BodyLimitEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        match length {
            Some(n) if n > self.max => {
                return Err(poem::Error::from_status(
                    poem::http::StatusCode::PAYLOAD_TOO_LARGE,
                ));
            }
            None if req.headers().contains_key(header::TRANSFER_ENCODING) => {
                return Err(poem::Error::from_status(
                    poem::http::StatusCode::LENGTH_REQUIRED,
                ));
            }
            _ => {}
        }
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}

/// Adds `Allow` to 405 answers: the methods the document lists for the requested path
/// (poem's own 405 does not say them). The lookup is built once from the OpenAPI document.
pub struct AllowedMethods {
    paths: std::sync::Arc<Vec<PathMethods>>,
}

/// One path template of the document (`/api/v1/admin/meetings/{meeting_id}/visibility`) and
/// its methods, as the `Allow` header lists them.
struct PathMethods {
    segments: Vec<String>,
    allow: HeaderValue,
}

impl PathMethods {
    fn matches(&self, path: &str) -> bool {
        super::path_params::template_matches(&self.segments, path)
    }
}

impl AllowedMethods {
    /// The lookup from the OpenAPI document's `paths`.
    pub fn from_spec(spec: &str) -> Self {
        let doc: Value = serde_json::from_str(spec).expect("the OpenAPI document is JSON");
        let paths = doc["paths"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(template, item)| {
                let methods: Vec<String> =
                    item.as_object()?.keys().map(|m| m.to_uppercase()).collect();
                Some(PathMethods {
                    segments: template.split('/').map(str::to_owned).collect(),
                    allow: HeaderValue::from_str(&methods.join(", ")).ok()?,
                })
            })
            .collect();
        Self {
            paths: std::sync::Arc::new(paths),
        }
    }
}

impl<E: Endpoint> Middleware<E> for AllowedMethods {
    type Output = AllowedMethodsEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        AllowedMethodsEndpoint {
            inner: ep,
            paths: self.paths.clone(),
        }
    }
}

pub struct AllowedMethodsEndpoint<E> {
    inner: E,
    paths: std::sync::Arc<Vec<PathMethods>>,
}

impl<E: Endpoint> Endpoint for AllowedMethodsEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let path = req.uri().path().to_owned();
        let mut resp = self.inner.call(req).await?.into_response();
        if resp.status() == poem::http::StatusCode::METHOD_NOT_ALLOWED
            && let Some(found) = self.paths.iter().find(|p| p.matches(&path))
        {
            resp.headers_mut()
                .insert(header::ALLOW, found.allow.clone());
        }
        Ok(resp)
    }
}

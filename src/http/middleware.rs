//! Middleware applied to every route.
//!
//! * [`SecurityHeaders`]: the OWASP set that the Zoom client checks on HTML (docs/zoom.md §3.5).
//!   Handlers that need a different Content-Security-Policy set their own; this only fills in
//!   what is missing.
//! * [`RequestLog`]: one line per request with method, *path* (never the query string: admin
//!   links and OAuth callbacks carry one-time secrets there), status and latency.

use poem::http::{HeaderName, HeaderValue, header};
use std::time::Instant;

use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use tracing::Instrument;

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
        let span = tracing::info_span!("request", http.method = %req.method(), http.path = %req.uri().path());
        async move {
            let started = Instant::now();
            let resp = match self.0.call(req).await {
                Ok(r) => r.into_response(),
                Err(err) => err.into_response(),
            };
            let status = resp.status().as_u16();
            let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
            if status >= 500 {
                tracing::warn!(http.status = status, duration_ms, "request failed");
            } else {
                tracing::info!(http.status = status, duration_ms, "request");
            }
            Ok(resp)
        }
        .instrument(span)
        .await
    }
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

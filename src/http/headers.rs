//! Security headers on every response (OWASP set that the Zoom client checks on HTML,
//! reference §3.5). Handlers that need a different Content-Security-Policy set their own;
//! this middleware only fills in what is missing.

use poem::http::{HeaderName, HeaderValue, header};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};

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
            (header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains"),
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

//! The public surface's own middleware, each mounted only on the routes it guards:
//!
//! * [`PublicGuard`] wraps the public API (`/api/v1/sites/{site}/…`) with CORS for the site's
//!   allowed origins (owner-managed; the same list as the widgets' `frame-ancestors`):
//!   `Access-Control-Allow-Origin` echoes an allowed `Origin`, preflights are answered here,
//!   and `Vary: Origin` keeps shared caches honest. Other origins get no CORS headers, so
//!   browsers refuse to hand them the response.
//! * [`registration_limit`] is the tighter body limit of the two registration routes (the JSON
//!   API's and the plain form's): registrations are small.

use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};

use super::error::to_json_error;
use super::middleware::BodyLimit;
use crate::service::Services;

/// Largest registration body: names, e-mail and a few answers fit many times over.
pub const MAX_REGISTRATION_BODY: usize = 16 * 1024;
const ALLOWED_METHODS: &str = "GET, HEAD, POST, OPTIONS";
const ALLOWED_HEADERS: &str = "content-type, idempotency-key, if-none-match";
const EXPOSED_HEADERS: &str = "etag, retry-after, idempotent-replayed, ratelimit-limit, \
                               ratelimit-remaining, ratelimit-reset";

/// The body limit of a registration route.
pub fn registration_limit() -> BodyLimit {
    BodyLimit {
        max: MAX_REGISTRATION_BODY,
    }
}

/// CORS for the public API; mounted on `/api/v1/sites` only.
pub struct PublicGuard;

impl<E: Endpoint> Middleware<E> for PublicGuard {
    type Output = PublicGuardEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        PublicGuardEndpoint(ep)
    }
}

pub struct PublicGuardEndpoint<E>(E);

/// The site slug of a public API path, if this is one.
fn api_site(path: &str) -> Option<&str> {
    path.strip_prefix("/api/v1/sites/")?.split('/').next()
}

/// The site slug of a public path: the JSON API's or a widget's.
pub fn site_in_path(path: &str) -> Option<&str> {
    api_site(path).or_else(|| path.strip_prefix("/embed/")?.split('/').next())
}

impl<E: Endpoint> Endpoint for PublicGuardEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let Some(slug) = api_site(req.uri().path()).map(str::to_owned) else {
            return self.0.call(req).await.map(IntoResponse::into_response);
        };
        let origin = req
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let allowed = match &origin {
            Some(origin) => allowed_origin(&req, &slug, origin).await,
            None => false,
        };
        let preflight = req.method() == Method::OPTIONS;
        let mut resp = if preflight {
            StatusCode::NO_CONTENT.into_response()
        } else {
            // Errors get the API's envelope here, so that they carry the CORS headers too.
            match self.0.call(req).await {
                Ok(r) => r.into_response(),
                Err(e) => to_json_error(e),
            }
        };
        let headers = resp.headers_mut();
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
        if let (true, Some(origin)) = (allowed, origin)
            && let Ok(value) = HeaderValue::from_str(&origin)
        {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
            headers.insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static(EXPOSED_HEADERS),
            );
            if preflight {
                headers.insert(
                    header::ACCESS_CONTROL_ALLOW_METHODS,
                    HeaderValue::from_static(ALLOWED_METHODS),
                );
                headers.insert(
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    HeaderValue::from_static(ALLOWED_HEADERS),
                );
                headers.insert(
                    header::ACCESS_CONTROL_MAX_AGE,
                    HeaderValue::from_static("600"),
                );
            }
        }
        Ok(resp)
    }
}

/// Whether `origin` is one of the site's allowed origins (unknown sites allow none).
async fn allowed_origin(req: &Request, slug: &str, origin: &str) -> bool {
    let Some(services) = req.data::<Services>() else {
        return false;
    };
    match services.public().site(slug).await {
        Ok(site) => site.allows_origin(origin),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{api_site, site_in_path};

    #[test]
    fn site_of_api_paths() {
        assert_eq!(api_site("/api/v1/sites/yoga/meetings"), Some("yoga"));
        assert_eq!(api_site("/api/v1/admin/x"), None);
        assert_eq!(api_site("/embed/yoga/meetings"), None);
        assert_eq!(
            site_in_path("/embed/yoga/meetings/1/register"),
            Some("yoga")
        );
        assert_eq!(site_in_path("/api/v1/sites/yoga/meetings"), Some("yoga"));
        assert_eq!(site_in_path("/api/v1/platform/tenants"), None);
    }
}

//! The public surface's own middleware, each mounted only on the routes it guards:
//!
//! * [`PublicGuard`] wraps the public API (`/api/v1/sites/{site}/…`) with CORS for the site's
//!   allowed origins (owner-managed; the same list as the widgets' `frame-ancestors`):
//!   `Access-Control-Allow-Origin` echoes an allowed `Origin`, preflights are answered here,
//!   and `Vary: Origin` keeps shared caches honest. Other origins get no CORS headers, so
//!   browsers refuse to hand them the response.
//! * [`registration_limit`] is the tighter body limit of the two registration routes (the JSON
//!   API's and the plain form's): registrations are small.
//! * [`encode`] and [`not_modified`] answer a cached page (widget or JSON) the same way for both: its constant
//!   bytes in the best coding the client accepts (made once per page, kept with it), its entity
//!   tag per coding, and 304 when the client has it. The JSON operations mark their answer
//!   with the page ([`CachedAnswer`]) and [`PublicGuard`] applies it.

use std::sync::Arc;

use poem::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};

use super::error::to_json_error;
use super::middleware::BodyLimit;
use crate::service::Services;
use crate::service::public::{CachedPage, Coding};

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
        let coding = preferred_coding(req.headers());
        let mut resp = if preflight {
            StatusCode::NO_CONTENT.into_response()
        } else {
            // Errors get the API's envelope here, so that they carry the CORS headers too.
            match self.0.call(req).await {
                Ok(r) => r.into_response(),
                Err(e) => to_json_error(e),
            }
        };
        if let Some(CachedAnswer(page)) = resp.data::<CachedAnswer>().cloned()
            && resp.status() == StatusCode::OK
        {
            encode(&mut resp, &page, coding);
        }
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

/// Marks a JSON answer as the cached page it sends, so that [`PublicGuard`] can send the
/// page's compressed variant instead.
#[derive(Clone)]
pub struct CachedAnswer(pub Arc<CachedPage>);

/// The coding to send a cached page in: brotli, else gzip, when `Accept-Encoding` takes it
/// (a zero `q` refuses), else none.
pub fn preferred_coding(headers: &HeaderMap) -> Option<Coding> {
    let mut best = None;
    for accepted in headers.get_all(header::ACCEPT_ENCODING) {
        for item in accepted.to_str().unwrap_or("").split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            match name {
                _ if refused => {}
                "br" => return Some(Coding::Brotli),
                "gzip" | "x-gzip" => best = Some(Coding::Gzip),
                _ => {}
            }
        }
    }
    best
}

/// The entity tag of the page in `coding`: each representation has its own strong tag.
fn coded_etag(etag: &str, coding: Option<Coding>) -> String {
    let suffix = match coding {
        None => return etag.to_owned(),
        Some(Coding::Gzip) => "-gz",
        Some(Coding::Brotli) => "-br",
    };
    let bare = etag.trim_end_matches('"');
    format!("{bare}{suffix}\"")
}

/// `If-None-Match` holds a list of tags (weak ones included, RFC 9110 §13.1.2) or `*`; a tag
/// of any coding of the page matches (the client has the same content).
pub fn etag_matches(header: &str, etag: &str) -> bool {
    header
        .split(',')
        .map(|t| t.trim().trim_start_matches("W/"))
        .map(|t| {
            t.strip_suffix("-gz\"")
                .or_else(|| t.strip_suffix("-br\""))
                .map_or_else(|| t.to_owned(), |bare| format!("{bare}\""))
        })
        .any(|t| t == "*" || t == etag)
}

/// Whether the client's `If-None-Match` names the page.
pub fn not_modified(headers: &HeaderMap, page: &CachedPage) -> bool {
    !page.has_slots
        && headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|h| etag_matches(h, &page.etag))
}

/// Puts the page's body in `coding` (when it has one) into the answer, with its entity tag and
/// `Vary: Accept-Encoding`. A page with per-response slots is left as it is.
pub fn encode(resp: &mut Response, page: &CachedPage, coding: Option<Coding>) {
    if page.has_slots || page.encoded(Coding::Gzip).is_none() {
        return;
    }
    let headers = resp.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    let Some((coding, body)) = coding.and_then(|c| Some((c, page.encoded(c)?.clone()))) else {
        return;
    };
    let name = match coding {
        Coding::Gzip => "gzip",
        Coding::Brotli => "br",
    };
    headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(name));
    if let Ok(tag) = HeaderValue::from_str(&coded_etag(&page.etag, Some(coding))) {
        headers.insert(header::ETAG, tag);
    }
    resp.set_body(body);
}

#[cfg(test)]
mod tests {
    use super::{api_site, coded_etag, etag_matches, site_in_path};
    use crate::service::public::Coding;

    #[test]
    fn if_none_match_lists_weak_tags_and_codings() {
        assert!(etag_matches("\"abc\"", "\"abc\""));
        assert!(etag_matches("W/\"x\", \"abc\"", "\"abc\""));
        assert!(etag_matches("*", "\"abc\""));
        assert!(!etag_matches("\"abd\"", "\"abc\""));
        let gz = coded_etag("\"abc\"", Some(Coding::Gzip));
        assert_eq!(gz, "\"abc-gz\"");
        assert!(etag_matches(&gz, "\"abc\""));
        assert!(etag_matches("\"abc-br\"", "\"abc\""));
    }

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

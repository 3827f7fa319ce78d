//! How a widget page is answered. A rendered page is constant bytes: its inline script and
//! style are allowed by their SHA-256 hashes in the page's own Content-Security-Policy
//! (computed once, when the page is rendered — [`page_body`]), not by a per-response nonce, so
//! a cached page is sent as it is (one `Bytes` clone), compressed once, with an entity tag and
//! 304. Framing is allowed only to the site's allowed origins (`frame-ancestors`). The one
//! per-response value left is the registration form's idempotency key, written into the slot
//! a meeting page keeps for it. Also the notice page that stands in for a widget that cannot
//! be shown.

use base64::Engine;
use minijinja::HtmlEscape;
use poem::Response;
use poem::http::{HeaderMap, HeaderValue, StatusCode, header};
use sha2::Digest;

use super::models::{FORM_KEY_SLOT, NONCE_SLOT, Notice, NoticeContent, render_with};
use super::presentation::Presentation;
use crate::crypto::random_token;
use crate::domain::site::PublicSite;
use crate::http::error::Problem;
use crate::http::html;
use crate::http::public_guard::{encode, not_modified, preferred_coding};
use crate::service::public::{CachedPage, PageBody};
use crate::templates::Templates;

/// Browsers revalidate a widget on every view (a 304 costs nothing): an owner who just saved
/// the settings sees them in the preview at once.
const WIDGET_CACHE_CONTROL: &str = "public, no-cache";
/// A page with a per-response form key must never be reused.
const PERSONAL_CACHE_CONTROL: &str = "private, no-store";

/// A rendered widget page made ready to cache: template nonce attributes (kept for site
/// templates written for nonces) dropped, and the policy naming the hashes of its inline
/// script and style.
pub(super) fn page_body(site: Option<&PublicSite>, html: String) -> PageBody {
    let html = html.replace(&format!(" nonce=\"{NONCE_SLOT}\""), "");
    let policy = widget_csp(
        site,
        &inline_hashes(&html, "script"),
        &inline_hashes(&html, "style"),
    );
    PageBody {
        has_slots: html.contains(FORM_KEY_SLOT),
        policy: Some(policy),
        bytes: html.into_bytes(),
    }
}

/// The cached page answered to one request: 304 when the client has it, else its bytes in the
/// best coding the client accepts; a page with a form slot gets a fresh key.
pub(super) fn widget_response(
    req: &HeaderMap,
    site: &PublicSite,
    status: StatusCode,
    page: &CachedPage,
) -> Response {
    let policy = page
        .policy
        .clone()
        .unwrap_or_else(|| widget_csp(Some(site), "", ""));
    if page.has_slots {
        let body = fill_slots(&String::from_utf8_lossy(&page.body), &random_token(""));
        return html_headers(status, &policy, PERSONAL_CACHE_CONTROL).body(body);
    }
    let builder =
        html_headers(status, &policy, WIDGET_CACHE_CONTROL).header(header::ETAG, &page.etag);
    if status == StatusCode::OK && not_modified(req, page) {
        return builder.status(StatusCode::NOT_MODIFIED).finish();
    }
    let mut resp = builder.body(page.body.clone());
    if status == StatusCode::OK {
        encode(&mut resp, page, preferred_coding(req));
    }
    resp
}

fn html_headers(status: StatusCode, policy: &str, cache: &'static str) -> poem::ResponseBuilder {
    Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .header(header::CONTENT_SECURITY_POLICY, policy)
        .header(header::CACHE_CONTROL, HeaderValue::from_static(cache))
        .header(header::VARY, HeaderValue::from_static("Accept-Language"))
}

/// A notice instead of the widget (`notice.html.j2` in the widget's language and theme), with
/// the status and `Retry-After` of the failure's classification. Hidden and unknown meetings
/// are the same notice.
pub(super) fn notice(
    t: &Templates,
    site: Option<&PublicSite>,
    view: &Presentation,
    notice: Notice,
    problem: &Problem,
) -> Response {
    let content = NoticeContent::new(notice, problem.status, view.lang);
    let body = render_with(t, site, view, content).unwrap_or_else(|e| {
        tracing::error!(error = %e, "notice failed to render");
        format!(
            "<!doctype html><meta charset=utf-8><title>{0}</title><p>{0}</p>",
            HtmlEscape(problem.status.canonical_reason().unwrap_or("Error"))
        )
    });
    let mut resp = html_response(site, problem.status, body.as_bytes());
    problem.set_retry_after(&mut resp);
    resp
}

/// The widget notice of a failure (see [`Notice::for_status`]).
pub(super) fn failure(
    t: &Templates,
    site: Option<&PublicSite>,
    view: &Presentation,
    err: impl Into<Problem>,
) -> Response {
    let problem = err.into();
    let kind = Notice::for_status(problem.status, site.is_some());
    notice(t, site, view, kind, &problem)
}

/// The plain page of a registration refused before the handler runs (abuse limits, a reused
/// form key): the status, the classification's message and `Retry-After`.
pub fn refusal(problem: Problem) -> Response {
    let reason = problem.status.canonical_reason().unwrap_or("Error");
    let body = format!(
        "<!doctype html><meta charset=utf-8><title>{}</title><p>{}</p>",
        HtmlEscape(reason),
        HtmlEscape(&problem.message)
    );
    let mut resp = html::response(
        problem.status,
        body,
        "default-src 'none'; frame-ancestors *; base-uri 'none'",
    );
    problem.set_retry_after(&mut resp);
    resp
}

/// A page rendered for this response alone (notices, registration results): never cached,
/// its hashes computed here.
pub(super) fn html_response(
    site: Option<&PublicSite>,
    status: StatusCode,
    body: &[u8],
) -> Response {
    let page = page_body(site, String::from_utf8_lossy(body).into_owned());
    let body = fill_slots(&String::from_utf8_lossy(&page.bytes), &random_token(""));
    let policy = page.policy.unwrap_or_default();
    html_headers(status, &policy, PERSONAL_CACHE_CONTROL).body(body)
}

/// The `'sha256-…'` sources of every inline `<{tag}>` element of the page, space separated.
/// Data cannot open an element (auto-escaping writes `<` as `&lt;`), so every one is the
/// template's own.
fn inline_hashes(html: &str, tag: &str) -> String {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut sources = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&open) {
        let tail = &rest[at + open.len()..];
        let Some(end_of_tag) = tail.find('>') else {
            break;
        };
        let inner = &tail[end_of_tag + 1..];
        let Some(len) = inner.find(&close) else { break };
        let digest = sha2::Sha256::digest(&inner.as_bytes()[..len]);
        let source = format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(digest)
        );
        if !sources.contains(&source) {
            sources.push(source);
        }
        rest = &inner[len + close.len()..];
    }
    sources.join(" ")
}

/// `script-src`/`style-src`: the page's inline hashes (nothing when it has none);
/// `frame-ancestors`: Marquee itself and the site's allowed origins (platform's and owner's);
/// a notice that no site has the address may be framed anywhere (it tells nothing).
fn widget_csp(site: Option<&PublicSite>, scripts: &str, styles: &str) -> String {
    let ancestors = match site {
        Some(site) => {
            let mut ancestors = String::from("'self'");
            for origin in site.allowed_origins() {
                ancestors.push(' ');
                ancestors.push_str(origin.as_str());
            }
            ancestors
        }
        None => "*".to_owned(),
    };
    let or_none = |s: &str| {
        if s.is_empty() {
            "'none'".to_owned()
        } else {
            s.to_owned()
        }
    };
    format!(
        "default-src 'none'; script-src {}; style-src {}; \
         img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; \
         frame-ancestors {ancestors}",
        or_none(scripts),
        or_none(styles)
    )
}

/// Writes a fresh form key into the page's slots in one pass and one allocation.
fn fill_slots(body: &str, form_key: &str) -> String {
    let mut out = String::with_capacity(body.len() + 64);
    let mut rest = body;
    while let Some(at) = rest.find(FORM_KEY_SLOT) {
        out.push_str(&rest[..at]);
        out.push_str(form_key);
        rest = &rest[at + FORM_KEY_SLOT.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::{fill_slots, inline_hashes};

    #[test]
    fn slots_are_filled_in_one_pass() {
        let body = "a<mq-form-key>b<mq-form-key>c<mq-other>";
        assert_eq!(fill_slots(body, "K"), "aKbKc<mq-other>");
        assert_eq!(fill_slots("plain", "K"), "plain");
    }

    #[test]
    fn inline_elements_are_hashed_once_each() {
        // printf 'x' | openssl dgst -sha256 -binary | base64
        let x = "'sha256-LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE='";
        let page = "<style>x</style><p>a</p><style media=print>x</style><script>y</script>";
        assert_eq!(inline_hashes(page, "style"), x);
        assert_eq!(inline_hashes("<p>none</p>", "script"), "");
    }
}

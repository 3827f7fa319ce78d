//! What every widget response gets fresh, although its body may come from the page cache: a
//! CSP nonce and the registration form's idempotency key, written into slots the cached body
//! keeps for them; the widget CSP (framing only by the site's allowed origins); and the
//! headers that keep browsers from reusing a page with an old nonce. Also the notice page
//! that stands in for a widget that cannot be shown.

use minijinja::HtmlEscape;
use poem::Response;
use poem::http::{StatusCode, header};

use super::models::{FORM_KEY_SLOT, NONCE_SLOT, Notice, NoticeContent, render_with};
use super::presentation::Presentation;
use crate::crypto::random_token;
use crate::domain::site::PublicSite;
use crate::http::error::Problem;
use crate::http::html;
use crate::service::public::CachedPage;
use crate::templates::Templates;

/// The cached page with fresh per-response values and the widget headers.
pub(super) fn widget_response(
    site: &PublicSite,
    status: StatusCode,
    page: &CachedPage,
) -> Response {
    html_response(Some(site), status, &page.body)
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

fn html_response(site: Option<&PublicSite>, status: StatusCode, body: &[u8]) -> Response {
    let nonce = random_token("");
    let body = fill_slots(&String::from_utf8_lossy(body), &nonce, &random_token(""));
    Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .header(header::CONTENT_SECURITY_POLICY, widget_csp(site, &nonce))
        .header(header::CACHE_CONTROL, "private, no-cache")
        .header(header::VARY, "Accept-Language")
        .body(body)
}

/// `frame-ancestors`: Marquee itself and the site's allowed origins (platform's and owner's);
/// a notice that no site has the address may be framed anywhere (it tells nothing).
fn widget_csp(site: Option<&PublicSite>, nonce: &str) -> String {
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
    format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; \
         img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; \
         frame-ancestors {ancestors}"
    )
}

/// Writes the per-response values into the cached body in one pass and one allocation (this
/// runs for every widget request; two `replace` calls would copy the page twice).
fn fill_slots(body: &str, nonce: &str, form_key: &str) -> String {
    let mut out = String::with_capacity(body.len() + 64);
    let mut rest = body;
    while let Some(at) = rest.find("<mq-") {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let (value, slot) = if tail.starts_with(NONCE_SLOT) {
            (nonce, NONCE_SLOT)
        } else if tail.starts_with(FORM_KEY_SLOT) {
            (form_key, FORM_KEY_SLOT)
        } else {
            ("<mq-", "<mq-")
        };
        out.push_str(value);
        rest = &tail[slot.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::fill_slots;

    #[test]
    fn slots_are_filled_in_one_pass() {
        let body = "a<mq-nonce>b<mq-form-key>c<mq-nonce><mq-other>";
        assert_eq!(fill_slots(body, "N", "K"), "aNbKcN<mq-other>");
        assert_eq!(fill_slots("plain", "N", "K"), "plain");
    }
}

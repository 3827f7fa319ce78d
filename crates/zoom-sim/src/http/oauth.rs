//! What zoom.us serves for OAuth (docs/zoom.md §1): `/oauth/authorize` with a one-button consent
//! page ([`authorize`], §1.2), `/oauth/token` for `authorization_code` and rotating
//! `refresh_token` grants and `/oauth/revoke` ([`token`], §1.3–1.6). Checklist items §7.1–7.3.

pub(crate) mod authorize;
mod token;

use poem::http::Method;

use super::pipeline::{Kind, Routes};

/// Registers the OAuth routes.
pub(crate) fn routes(r: &mut Routes) {
    r.add(
        Method::GET,
        "/oauth/authorize",
        Kind::Plain,
        authorize::authorize_page,
    );
    r.add(
        Method::POST,
        "/oauth/authorize",
        Kind::Plain,
        authorize::authorize_decision,
    );
    r.add(Method::POST, "/oauth/token", Kind::Plain, token::token);
    r.add(Method::POST, "/oauth/revoke", Kind::Plain, token::revoke);
}

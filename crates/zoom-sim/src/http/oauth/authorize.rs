//! `/oauth/authorize` as zoom.us serves it (docs/zoom.md §1.1, §1.2, §6.1): the request is checked
//! (client, exact redirect URI, PKCE parameters; errors render a page and never redirect), the
//! signed-in user consents on a one-button page (or at once with auto-consent), and a single-use
//! code goes back to the redirect URI with `state` (none in Marketplace mode).

use std::sync::Arc;

use crate::http::call::Call;
use crate::http::respond::{HResult, escape, html, redirect};
use crate::sim::Sim;
use crate::world::rng::os_token;
use crate::world::{AuthCode, Role, User, World};

/// The parameters of an authorization request, validated.
struct AuthRequest {
    redirect_uri: String,
    state: Option<String>,
    challenge: Option<String>,
    method: Option<String>,
}

fn error_page(status: u16, code: i64, message: &str) -> poem::Response {
    html(
        status,
        format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>Zoom (simulated) - error</title></head>\
             <body><h1>Something went wrong</h1><p>{}</p><p>Error code: {code}</p></body></html>",
            escape(message)
        ),
    )
}

/// Validates client, redirect URI and PKCE parameters; errors render a page and never redirect
/// (docs/zoom.md §1.2, §7.1).
fn parse_auth_request(
    sim: &Sim,
    get: &dyn Fn(&str) -> Option<String>,
) -> Result<AuthRequest, poem::Response> {
    let client_id = get("client_id").unwrap_or_default();
    if client_id != sim.client_id {
        return Err(error_page(
            400,
            4702,
            &format!("Invalid client_id: {client_id}"),
        ));
    }
    let redirect_uri = get("redirect_uri").unwrap_or_default();
    if !sim.redirect_uris.contains(&redirect_uri) {
        return Err(error_page(
            400,
            4709,
            &format!("Invalid redirect: {redirect_uri}"),
        ));
    }
    if get("response_type").as_deref() != Some("code") {
        return Err(error_page(
            400,
            4700,
            "Unsupported response_type, only code is supported",
        ));
    }
    // docs/zoom.md §1.2: a `scope` parameter is rejected ("invalid scope");
    // scopes come from the app
    if get("scope").is_some_and(|s| !s.is_empty()) {
        return Err(error_page(400, 4700, "Invalid scope"));
    }
    let method = get("code_challenge_method");
    let challenge = get("code_challenge").filter(|c| !c.is_empty());
    if let Some(m) = &method
        && m != "S256"
        && m != "plain"
    {
        return Err(error_page(400, 4700, "Invalid code_challenge_method"));
    }
    if challenge.is_none() && method.is_some() {
        return Err(error_page(
            400,
            4700,
            "code_challenge is required with code_challenge_method",
        ));
    }
    Ok(AuthRequest {
        redirect_uri,
        state: get("state"),
        challenge,
        method,
    })
}

/// The signed-in Zoom user, refusing members for an app with `:admin` scopes (docs/zoom.md §1.1).
fn signed_in(sim: &Sim, world: &World) -> Result<User, poem::Response> {
    let user = world
        .session_user
        .as_deref()
        .and_then(|id| world.user(id))
        .cloned()
        .ok_or_else(|| {
            error_page(
                401,
                4700,
                "Nobody is signed in to Zoom. Create a user with POST /_sim/users.",
            )
        })?;
    let needs_admin = sim.scopes.iter().any(|s| s.ends_with(":admin"));
    if needs_admin && user.role == Role::Member {
        return Err(error_page(
            403,
            4700,
            "This app requires admin permissions; ask your Zoom account admin to add it.",
        ));
    }
    Ok(user)
}

/// `redirect_uri` plus query parameters (keeps a query string already in the URI,
/// docs/zoom.md §1.2).
fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    match url::Url::parse(uri) {
        Ok(mut u) => {
            for (k, v) in pairs {
                u.query_pairs_mut().append_pair(k, v);
            }
            u.to_string()
        }
        Err(_) => {
            let q: String = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish();
            let sep = if uri.contains('?') { '&' } else { '?' };
            format!("{uri}{sep}{q}")
        }
    }
}

/// Issues a single-use code and builds the callback URL (no `state` in Marketplace mode,
/// docs/zoom.md §6.1).
fn issue_code_redirect(sim: &Sim, world: &mut World, req: &AuthRequest, user: &User) -> String {
    let code = os_token(40);
    world.codes.insert(
        code.clone(),
        AuthCode {
            user_id: user.id.clone(),
            redirect_uri: req.redirect_uri.clone(),
            challenge: req.challenge.clone(),
            method: req.method.clone(),
            issued_at: sim.now(),
        },
    );
    let mut pairs = vec![("code", code.as_str())];
    if let Some(state) = &req.state
        && !world.settings.marketplace_mode
    {
        pairs.push(("state", state));
    }
    with_query(&req.redirect_uri, &pairs)
}

/// Starts a Marketplace-style install: a code for the first allow-listed redirect URI, no state.
pub(crate) fn marketplace_install(sim: &Sim) -> HResult {
    let mut world = sim.world();
    let user = signed_in(sim, &world)?;
    let redirect_uri = sim
        .redirect_uris
        .first()
        .cloned()
        .ok_or_else(|| error_page(400, 4709, "The app has no redirect URI"))?;
    let req = AuthRequest {
        redirect_uri,
        state: None,
        challenge: None,
        method: None,
    };
    Ok(redirect(&issue_code_redirect(sim, &mut world, &req, &user)))
}

fn consent_page(sim: &Sim, call: &Call, user: &User) -> poem::Response {
    let hidden: String = call
        .query
        .iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(k),
                escape(v)
            )
        })
        .collect();
    let app = escape(&sim.app_name);
    let scopes: String = sim
        .scopes
        .iter()
        .map(|s| format!("<li><code>{}</code></li>", escape(s)))
        .collect();
    html(
        200,
        format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>Authorize {app} - Zoom (simulated)</title>\
             <style>body{{font-family:sans-serif;max-width:36em;margin:3em auto}}button{{font-size:1.2em;padding:.5em 2em;background:#0b5cff;color:#fff;border:0;border-radius:8px}}</style></head>\
             <body><p><strong>Zoom</strong> (local simulator)</p><h1>{app} wants to access your Zoom account</h1>\
             <p>Signed in as <strong>{} {}</strong> ({})</p><details><summary>Permissions</summary><ul>{scopes}</ul></details>\
             <form method=\"post\" action=\"/oauth/authorize\">{hidden}<input type=\"hidden\" name=\"decision\" value=\"allow\">\
             <button type=\"submit\">Allow</button></form></body></html>",
            escape(&user.first_name),
            escape(&user.last_name),
            escape(&user.email),
        ),
    )
}

/// `GET /oauth/authorize`: consent page, or an immediate redirect with auto-consent.
pub(super) async fn authorize_page(sim: Arc<Sim>, call: Call) -> HResult {
    let get = |k: &str| call.query(k).map(str::to_string);
    let req = parse_auth_request(&sim, &get)?;
    let mut world = sim.world();
    let user = signed_in(&sim, &world)?;
    if world.settings.auto_consent {
        return Ok(redirect(&issue_code_redirect(
            &sim, &mut world, &req, &user,
        )));
    }
    Ok(consent_page(&sim, &call, &user))
}

/// `POST /oauth/authorize`: the consent form (or a script) decides `allow` or `deny`.
pub(super) async fn authorize_decision(sim: Arc<Sim>, call: Call) -> HResult {
    let get = |k: &str| call.form_or_query(k);
    let req = parse_auth_request(&sim, &get)?;
    let mut world = sim.world();
    let user = signed_in(&sim, &world)?;
    match get("decision").as_deref() {
        Some("allow") => Ok(redirect(&issue_code_redirect(
            &sim, &mut world, &req, &user,
        ))),
        Some("deny") => {
            let mut pairs = vec![("error", "access_denied")];
            if let Some(state) = &req.state {
                pairs.push(("state", state));
            }
            Ok(redirect(&with_query(&req.redirect_uri, &pairs)))
        }
        _ => Err(error_page(400, 4700, "decision must be allow or deny")),
    }
}

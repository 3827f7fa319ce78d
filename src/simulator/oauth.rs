//! What zoom.us serves for OAuth (reference §1): `/oauth/authorize` with a one-button consent
//! page (§1.2), `/oauth/token` for `authorization_code` and rotating `refresh_token` grants
//! (§1.3–1.5) and `/oauth/revoke` (§1.6). Checklist items §7.1–7.3.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::Duration;
use hmac::{Hmac, KeyInit, Mac};
use poem::http::Method;
use serde_json::{Value, json};
use sha2::Sha512;

use super::http::{Call, HResult, Kind, Routes, escape, html, json_response, redirect};
use super::state::{AccessToken, AuthCode, RefreshToken, Role, Sim, User, World};
use super::webhooks;
use crate::zoom::pkce;

/// Authorization codes live 5 minutes (reference §1.2).
const CODE_TTL_SECS: i64 = 300;
/// Refresh tokens: 15 years per Zoom's support article (reference §1.4).
const REFRESH_TTL_SECS: i64 = 473_040_000;

pub(crate) fn routes(r: &mut Routes) {
    r.add(Method::GET, "/oauth/authorize", Kind::Plain, authorize_page);
    r.add(
        Method::POST,
        "/oauth/authorize",
        Kind::Plain,
        authorize_decision,
    );
    r.add(Method::POST, "/oauth/token", Kind::Plain, token);
    r.add(Method::POST, "/oauth/revoke", Kind::Plain, revoke);
}

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
/// (reference §1.2, §7.1).
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
    // reference §1.2: a `scope` parameter is rejected ("invalid scope"); scopes come from the app
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

/// The signed-in Zoom user, refusing members for an app with `:admin` scopes (reference §1.1).
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

/// `redirect_uri` plus query parameters (keeps a query string already in the URI, §1.2).
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

/// Issues a single-use code and builds the callback URL (no `state` in Marketplace mode, §6.1).
fn issue_code_redirect(sim: &Sim, world: &mut World, req: &AuthRequest, user: &User) -> String {
    let code = random_token(40);
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
async fn authorize_page(sim: Arc<Sim>, call: Call) -> HResult {
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
async fn authorize_decision(sim: Arc<Sim>, call: Call) -> HResult {
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

#[derive(serde::Serialize)]
struct OAuthError<'a> {
    reason: &'a str,
    error: &'a str,
}

/// An OAuth error body in Zoom's order, `{"reason":…,"error":…}` (reference §1.5).
fn oauth_error(sim: &Sim, status: u16, error: &str, reason: &str) -> poem::Response {
    sim.stats().grant_error(error);
    let body = serde_json::to_vec(&OAuthError { reason, error }).expect("serializes");
    poem::Response::builder()
        .status(
            poem::http::StatusCode::from_u16(status).unwrap_or(poem::http::StatusCode::BAD_REQUEST),
        )
        .content_type("application/json;charset=UTF-8")
        .body(body)
}

/// HTTP Basic client authentication (reference §1.3).
fn check_client(sim: &Sim, call: &Call) -> Result<(), poem::Response> {
    let ok = call
        .header("authorization")
        .and_then(|h| {
            h.strip_prefix("Basic ")
                .or_else(|| h.strip_prefix("basic "))
        })
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .is_some_and(|pair| pair == format!("{}:{}", sim.client_id, sim.client_secret));
    if ok {
        Ok(())
    } else {
        Err(oauth_error(
            sim,
            401,
            "invalid_client",
            "Invalid client_id or client_secret",
        ))
    }
}

/// `POST /oauth/token` (reference §1.3–1.5, §7.2).
async fn token(sim: Arc<Sim>, call: Call) -> HResult {
    check_client(&sim, &call)?;
    let get = |k: &str| call.form_or_query(k);
    match get("grant_type").as_deref() {
        Some("authorization_code") => code_grant(&sim, &get),
        Some("refresh_token") => refresh_grant(&sim, &get),
        None => Err(oauth_error(
            &sim,
            400,
            "invalid_request",
            "Missing grant type",
        )),
        Some(_) => Err(oauth_error(
            &sim,
            400,
            "unsupported_grant_type",
            "Unsupported grant type",
        )),
    }
}

fn code_grant(sim: &Sim, get: &dyn Fn(&str) -> Option<String>) -> HResult {
    let code = get("code").unwrap_or_default();
    let mut world = sim.world();
    let Some(stored) = world.codes.get(&code).cloned() else {
        return Err(oauth_error(
            sim,
            400,
            "invalid_grant",
            &format!("Invalid authorization code {code}"),
        ));
    };
    if sim.now() - stored.issued_at > Duration::seconds(CODE_TTL_SECS) {
        world.codes.remove(&code);
        return Err(oauth_error(
            sim,
            400,
            "invalid_grant",
            "Authorization code expired",
        ));
    }
    if get("redirect_uri").as_deref() != Some(stored.redirect_uri.as_str()) {
        return Err(oauth_error(
            sim,
            400,
            "invalid_request",
            "Redirect URI mismatch.",
        ));
    }
    if let Some(challenge) = &stored.challenge {
        let verifier = get("code_verifier").unwrap_or_default();
        if !pkce::verify(stored.method.as_deref(), challenge, &verifier) {
            return Err(oauth_error(
                sim,
                400,
                "invalid_grant",
                "Invalid code verifier",
            ));
        }
    }
    world.codes.remove(&code); // single use (reference §1.2)
    // Re-authorizing invalidates every earlier pair of this user (reference §1.4, error 4741).
    revoke_user_tokens(&mut world, &stored.user_id);
    let body = issue_pair(sim, &mut world, &stored.user_id, &sim.scopes)?;
    drop(world);
    sim.stats().grant("authorization_code");
    Ok(json_response(200, &body))
}

/// Rotation: the presented refresh token dies at once; reuse is `invalid_grant` (§1.4, §1.5).
fn refresh_grant(sim: &Sim, get: &dyn Fn(&str) -> Option<String>) -> HResult {
    let presented = get("refresh_token").unwrap_or_default();
    let mut world = sim.world();
    let Some(old) = world.refresh_tokens.remove(&presented) else {
        return Err(oauth_error(sim, 400, "invalid_grant", "Invalid Token!"));
    };
    let body = issue_pair(sim, &mut world, &old.user_id, &old.scopes)?;
    drop(world);
    sim.stats().grant("refresh_token");
    Ok(json_response(200, &body))
}

pub(crate) fn revoke_user_tokens(world: &mut World, user_id: &str) -> usize {
    let before = world.access_tokens.len() + world.refresh_tokens.len();
    world.access_tokens.retain(|_, t| t.user_id != user_id);
    world.refresh_tokens.retain(|_, t| t.user_id != user_id);
    before - world.access_tokens.len() - world.refresh_tokens.len()
}

/// Creates an access/refresh pair and the token response (reference §1.3).
fn issue_pair(
    sim: &Sim,
    world: &mut World,
    user_id: &str,
    scopes: &[String],
) -> Result<Value, poem::Response> {
    let Some(user) = world.user(user_id).cloned() else {
        return Err(oauth_error(
            sim,
            400,
            "invalid_grant",
            "The owner of this token no longer exists",
        ));
    };
    let now = sim.now();
    let ttl = world.settings.access_token_ttl_secs;
    let access = jwt_like(sim, &user, "access_token", now.timestamp(), ttl);
    let refresh = jwt_like(
        sim,
        &user,
        "refresh_token",
        now.timestamp(),
        REFRESH_TTL_SECS,
    );
    world.access_tokens.insert(
        access.clone(),
        AccessToken {
            user_id: user.id.clone(),
            account_id: user.account_id.clone(),
            scopes: scopes.to_vec(),
            expires_at: now + Duration::seconds(ttl),
        },
    );
    world.refresh_tokens.insert(
        refresh.clone(),
        RefreshToken {
            user_id: user.id.clone(),
            scopes: scopes.to_vec(),
        },
    );
    Ok(json!({
        "access_token": access,
        "token_type": "bearer",
        "refresh_token": refresh,
        "expires_in": ttl,
        "scope": scopes.join(" "),
        "api_url": sim.url,
    }))
}

/// A long JWT-shaped opaque token (HS512 header, Zoom-like claims; reference §1.3). Clients must
/// not parse it; the simulator only looks it up.
fn jwt_like(sim: &Sim, user: &User, kind: &str, iat: i64, ttl: i64) -> String {
    let header = json!({"alg": "HS512", "v": "2.0", "kid": random_token(36)});
    let claims = json!({
        "ver": 10,
        "clientId": sim.client_id,
        "iss": format!("urn:zoom:connect:clientid:{}", sim.client_id),
        "userId": user.id,
        "accountId": user.account_id,
        "aud": "https://oauth.zoom.us",
        "tokenType": kind,
        "nbf": iat,
        "iat": iat,
        "exp": iat + ttl,
        "jti": uuid::Uuid::new_v4().to_string(),
    });
    let enc = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).expect("claims serialize"));
    let signing_input = format!("{}.{}", enc(&header), enc(&claims));
    let mut mac =
        Hmac::<Sha512>::new_from_slice(sim.client_secret.as_bytes()).expect("any key length");
    mac.update(signing_input.as_bytes());
    format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

/// Random `[A-Za-z0-9]` string from the OS RNG (codes and token ids must be unguessable).
pub(crate) fn random_token(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Kills every token of `user_id` and emits `app_deauthorized` (reference §1.6, §2.8).
pub(crate) fn deauthorize(sim: &Sim, world: &mut World, user_id: &str) -> usize {
    let killed = revoke_user_tokens(world, user_id);
    if let Some(user) = world.user(user_id) {
        let ev = webhooks::app_deauthorized(
            sim,
            &user.account_id,
            &user.id,
            sim.now().timestamp_millis(),
        );
        sim.emit(ev);
    }
    killed
}

/// `POST /oauth/revoke` with `token` = an access or refresh token (reference §1.6, §7.3).
async fn revoke(sim: Arc<Sim>, call: Call) -> HResult {
    check_client(&sim, &call)?;
    let token = call.form_or_query("token").unwrap_or_default();
    let mut world = sim.world();
    let user_id = world
        .access_tokens
        .get(&token)
        .map(|t| t.user_id.clone())
        .or_else(|| world.refresh_tokens.get(&token).map(|t| t.user_id.clone()));
    let Some(user_id) = user_id else {
        return Err(oauth_error(&sim, 400, "invalid_request", "Invalid Token!"));
    };
    deauthorize(&sim, &mut world, &user_id);
    Ok(json_response(200, &json!({"status": "success"})))
}

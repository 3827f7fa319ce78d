//! `/oauth/token` and `/oauth/revoke` as zoom.us serves them (docs/zoom.md §1.3–1.6, checklist
//! §7.2–7.3): HTTP Basic client authentication, the `authorization_code` grant with its PKCE
//! check, rotating `refresh_token` grants (the presented token dies at once), JWT-shaped opaque
//! tokens, Zoom's `{"reason","error"}` bodies, and revocation that deauthorizes the user.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::Duration;
use hmac::{Hmac, KeyInit, Mac};
use marquee_zoom_protocol::models::OAuthErrorBody;
use marquee_zoom_protocol::pkce;
use serde_json::{Value, json};
use sha2::Sha512;

use crate::http::call::Call;
use crate::http::respond::{HResult, json_response};
use crate::ops::grants::{deauthorize, revoke_user_tokens};
use crate::sim::Sim;
use crate::world::rng::os_token;
use crate::world::{AccessToken, RefreshToken, User, World};

/// Authorization codes live 5 minutes (docs/zoom.md §1.2).
const CODE_TTL_SECS: i64 = 300;
/// Refresh tokens: 15 years per Zoom's support article (docs/zoom.md §1.4).
const REFRESH_TTL_SECS: i64 = 473_040_000;

/// An OAuth error body in Zoom's order, `{"reason":…,"error":…}` (docs/zoom.md §1.5).
fn oauth_error(sim: &Sim, status: u16, error: &str, reason: &str) -> poem::Response {
    sim.stats().grant_error(error);
    let body = OAuthErrorBody {
        reason: reason.to_string(),
        error: error.to_string(),
    };
    let body = serde_json::to_vec(&body).expect("serializes");
    poem::Response::builder()
        .status(
            poem::http::StatusCode::from_u16(status).unwrap_or(poem::http::StatusCode::BAD_REQUEST),
        )
        .content_type("application/json;charset=UTF-8")
        .body(body)
}

/// HTTP Basic client authentication (docs/zoom.md §1.3).
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

/// `POST /oauth/token` (docs/zoom.md §1.3–1.5, §7.2).
pub(super) async fn token(sim: Arc<Sim>, call: Call) -> HResult {
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
    world.codes.remove(&code); // single use (docs/zoom.md §1.2)
    // Re-authorizing invalidates every earlier pair of this user (docs/zoom.md §1.4, error 4741).
    revoke_user_tokens(&mut world, &stored.user_id);
    let body = issue_pair(sim, &mut world, &stored.user_id, &sim.scopes)?;
    drop(world);
    sim.stats().grant("authorization_code");
    Ok(json_response(200, &body))
}

/// Rotation: the presented refresh token dies at once; reuse is `invalid_grant`
/// (docs/zoom.md §1.4, §1.5).
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

/// Creates an access/refresh pair and the token response (docs/zoom.md §1.3).
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

/// A long JWT-shaped opaque token (HS512 header, Zoom-like claims; docs/zoom.md §1.3). Clients must
/// not parse it; the simulator only looks it up.
fn jwt_like(sim: &Sim, user: &User, kind: &str, iat: i64, ttl: i64) -> String {
    let header = json!({"alg": "HS512", "v": "2.0", "kid": os_token(36)});
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

/// `POST /oauth/revoke` with `token` = an access or refresh token (docs/zoom.md §1.6, §7.3).
pub(super) async fn revoke(sim: Arc<Sim>, call: Call) -> HResult {
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

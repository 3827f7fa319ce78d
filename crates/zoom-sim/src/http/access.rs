//! Who may call an API route (docs/zoom.md §1.7–1.9): the Bearer token (never a query-string
//! token), its scopes against the route's, the account's rate-limit budget, and which users,
//! meetings and webinars of the account the caller may act on.

use crate::error::ApiError;
use crate::http::call::{Auth, Call};
use crate::sim::Sim;
use crate::world::rate_limit::{Category, Verdict};
use crate::world::{Meeting, User, World};

/// Scopes that satisfy an API route (docs/zoom.md §1.9): any of `user` or `admin`; acting on
/// another user's data needs one of `admin`.
#[derive(Clone, Copy)]
pub(crate) struct Scopes {
    pub user: &'static [&'static str],
    pub admin: &'static [&'static str],
}

/// Zoom's 401 with code 124 (docs/zoom.md §1.7).
fn invalid_token(message: &str) -> ApiError {
    ApiError::new(401, 124, message)
}

/// `Invalid access token, does not contain scopes:[a, b].` (docs/zoom.md §1.7).
fn missing_scopes(scopes: &[&str]) -> ApiError {
    let message = format!(
        "Invalid access token, does not contain scopes:[{}].",
        scopes.join(", ")
    );
    ApiError::new(400, 4711, message)
}

/// The Bearer token of a call; query-string tokens are refused (docs/zoom.md §1.7).
fn bearer(call: &Call) -> Result<&str, ApiError> {
    if call.query("access_token").is_some() {
        return Err(invalid_token(
            "Invalid access token, this access token is not supported as query parameter string.",
        ));
    }
    Ok(call
        .header("authorization")
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .unwrap_or_default())
}

/// Any scope of the route's `user` or `admin` list will do (docs/zoom.md §1.9).
fn check_scopes(granted: &[String], scopes: Scopes) -> Result<(), ApiError> {
    let has = |s: &&str| granted.iter().any(|t| t == s);
    if scopes.user.iter().chain(scopes.admin).any(has) {
        return Ok(());
    }
    // the first scope of each list is the granular one Zoom names in its message
    let wanted: Vec<&str> = scopes
        .user
        .first()
        .into_iter()
        .chain(scopes.admin.first())
        .copied()
        .collect();
    Err(missing_scopes(&wanted))
}

/// Authenticates the call and charges the account's rate-limit bucket (docs/zoom.md §1.7, §5).
pub(crate) fn gate(
    sim: &Sim,
    call: &Call,
    category: Category,
    scopes: Scopes,
) -> Result<(Auth, Verdict), ApiError> {
    let bearer = bearer(call)?;
    let now = sim.now();
    let mut world = sim.world();
    let Some(token) = world.access_tokens.get(bearer).cloned() else {
        return Err(invalid_token("Invalid access token."));
    };
    if now >= token.expires_at {
        return Err(invalid_token("Access token is expired."));
    }
    let Some(user) = world.user(&token.user_id).cloned() else {
        return Err(invalid_token("Invalid access token."));
    };
    check_scopes(&token.scopes, scopes)?;
    let plan = world.account_of(&user).plan;
    let limits = world.settings.rate_limits.clone();
    let verdict = world
        .limiter
        .check(&limits, &user.account_id, plan, category, now);
    let auth = Auth {
        user_id: user.id,
        account_id: user.account_id,
        email: user.email,
        scopes: token.scopes,
        admin_scopes: scopes.admin,
    };
    Ok((auth, verdict))
}

/// A `userId` path value in the caller's account (docs/zoom.md §1.8); another user's data needs an
/// admin scope.
pub(crate) fn target_user<'w>(
    world: &'w World,
    auth: &Auth,
    key: &str,
) -> Result<&'w User, ApiError> {
    let user = world
        .resolve_user(key, &auth.user_id)
        .filter(|u| u.account_id == auth.account_id)
        .ok_or_else(|| ApiError::user_not_found(key))?;
    if user.id != auth.user_id && !auth.is_admin() {
        return Err(missing_scopes(auth.admin_scopes));
    }
    Ok(user)
}

/// A meeting (or webinar) of the caller's account that the caller may see.
pub(crate) fn visible_meeting<'w>(
    world: &'w World,
    auth: &Auth,
    raw_id: &str,
    webinar: bool,
) -> Result<&'w Meeting, ApiError> {
    let kind = if webinar { "Webinar" } else { "Meeting" };
    let not_found = || {
        ApiError::new(
            404,
            3001,
            format!("{kind} {raw_id} is not found or has expired."),
        )
    };
    let id: i64 = raw_id.parse().map_err(|_| not_found())?;
    let m = world
        .meetings
        .get(&id)
        .filter(|m| m.webinar == webinar)
        .ok_or_else(not_found)?;
    let host = world.user(&m.host_id).ok_or_else(not_found)?;
    if host.account_id != auth.account_id {
        return Err(not_found());
    }
    if m.host_id != auth.user_id && !auth.is_admin() {
        return Err(ApiError::new(
            400,
            3000,
            format!("Cannot access {} info.", kind.to_lowercase()),
        ));
    }
    Ok(m)
}

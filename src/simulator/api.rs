//! What api.zoom.us serves under `/v2` (reference §4): Bearer-only authentication with Zoom's
//! 401/124 and 400/4711 errors (§1.7, §7.4), scope checks (§1.9), paging (§4.1) and the
//! resources in the submodules.

mod meetings;
mod recordings;
mod registrants;
mod users;
mod zoomapp;

pub(crate) use meetings::{build_meeting, create_meeting, delete_meeting, update_meeting};
pub(crate) use recordings::{RecordingAction, change_recording, complete_recording};
pub(crate) use registrants::register;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::http::Routes;
use super::http::{Call, Scopes, zoom_error};
use super::rate_limit::{Category, Verdict};
use super::state::{Meeting, Sim, User, World};
use super::webhooks::Operator;

/// next_page_token validity (reference §4.1).
const PAGE_TOKEN_TTL_MINS: i64 = 15;

pub(crate) fn routes(r: &mut Routes) {
    users::routes(r);
    meetings::routes(r);
    registrants::routes(r);
    recordings::routes(r);
    zoomapp::routes(r);
}

/// The caller of an API route, from its Bearer token.
#[derive(Debug, Clone)]
pub(crate) struct Auth {
    pub user_id: String,
    pub account_id: String,
    pub email: String,
    pub scopes: Vec<String>,
    /// The route's admin scopes: needed to act on another user's data (reference §1.8).
    pub admin_scopes: &'static [&'static str],
}

impl Auth {
    pub(crate) fn is_admin(&self) -> bool {
        self.admin_scopes
            .iter()
            .any(|s| self.scopes.iter().any(|t| t == s))
    }

    pub(crate) fn operator(&self) -> Operator {
        Operator {
            email: self.email.clone(),
            id: self.user_id.clone(),
        }
    }
}

fn invalid_token(message: &str) -> poem::Response {
    zoom_error(401, 124, message)
}

/// `Invalid access token, does not contain scopes:[a, b].` (reference §1.7).
fn missing_scopes(scopes: &[&str]) -> poem::Response {
    let message = format!(
        "Invalid access token, does not contain scopes:[{}].",
        scopes.join(", ")
    );
    zoom_error(400, 4711, message)
}

/// Authenticates the call and charges the account's rate-limit bucket (reference §1.7, §5).
pub(crate) fn gate(
    sim: &Sim,
    call: &Call,
    category: Category,
    scopes: Scopes,
) -> Result<(Auth, Verdict), poem::Response> {
    if call.query("access_token").is_some() {
        return Err(invalid_token(
            "Invalid access token, this access token is not supported as query parameter string.",
        ));
    }
    let bearer = call
        .header("authorization")
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .unwrap_or_default();
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
    let granted = |s: &&str| token.scopes.iter().any(|t| t == s);
    if !scopes.user.iter().chain(scopes.admin).any(granted) {
        // the first scope of each list is the granular one Zoom names in its message
        let wanted: Vec<&str> = scopes
            .user
            .first()
            .into_iter()
            .chain(scopes.admin.first())
            .copied()
            .collect();
        return Err(missing_scopes(&wanted));
    }
    let plan = world.account_of(&user).plan;
    let limits = world.settings.rate_limits.clone();
    let verdict = world
        .limiter
        .check(&limits, &user.account_id, plan, category, now);
    Ok((
        Auth {
            user_id: user.id.clone(),
            account_id: user.account_id.clone(),
            email: user.email.clone(),
            scopes: token.scopes,
            admin_scopes: scopes.admin,
        },
        verdict,
    ))
}

/// A `userId` path value in the caller's account (reference §1.8); another user's data needs an
/// admin scope.
pub(crate) fn target_user<'w>(
    world: &'w World,
    auth: &Auth,
    key: &str,
) -> Result<&'w User, poem::Response> {
    let user = world
        .resolve_user(key, &auth.user_id)
        .filter(|u| u.account_id == auth.account_id)
        .ok_or_else(|| zoom_error(404, 1001, format!("User does not exist: {key}.")))?;
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
) -> Result<&'w Meeting, poem::Response> {
    let kind = if webinar { "Webinar" } else { "Meeting" };
    let not_found = || {
        zoom_error(
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
        return Err(zoom_error(
            400,
            3000,
            format!("Cannot access {} info.", kind.to_lowercase()),
        ));
    }
    Ok(m)
}

/// `page_size` (default 30, at most 300) and `next_page_token` (valid 15 minutes), §4.1.
pub(crate) fn paginate<T>(
    world: &mut World,
    call: &Call,
    now: DateTime<Utc>,
    items: Vec<T>,
) -> Result<(Vec<T>, Value), poem::Response> {
    let page_size = match call.query("page_size") {
        None | Some("") => 30,
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| super::http::validation_error("page_size", "Invalid field."))?
            .min(300),
    };
    let mut scope: Vec<(String, String)> = call
        .query
        .iter()
        .filter(|(k, _)| k != "next_page_token" && k != "page_number")
        .cloned()
        .collect();
    scope.sort();
    let scope = format!("{}?{scope:?}", call.path);
    let offset = match call.query("next_page_token").filter(|t| !t.is_empty()) {
        None => 0,
        Some(t) => world
            .page_tokens
            .get(t)
            .filter(|c| c.scope == scope && c.expires_at > now)
            .map(|c| c.offset)
            .ok_or_else(|| zoom_error(400, 300, "The next page token is invalid or expired."))?,
    };
    let total = items.len();
    let end = (offset + page_size).min(total);
    let next = if end < total {
        world.page_tokens.retain(|_, c| c.expires_at > now);
        let token = super::oauth::random_token(32);
        world.page_tokens.insert(
            token.clone(),
            super::state::PageCursor {
                scope,
                offset: end,
                expires_at: now + Duration::minutes(PAGE_TOKEN_TTL_MINS),
            },
        );
        token
    } else {
        String::new()
    };
    let page: Vec<T> = items.into_iter().skip(offset).take(page_size).collect();
    let info = json!({
        "page_size": page_size,
        "total_records": total,
        "next_page_token": next,
        "page_count": total.div_ceil(page_size),
    });
    Ok((page, info))
}

/// Merges paging info into a list response.
pub(crate) fn with_page(mut body: Value, info: Value) -> Value {
    if let (Some(b), Value::Object(i)) = (body.as_object_mut(), info) {
        b.extend(i);
    }
    body
}

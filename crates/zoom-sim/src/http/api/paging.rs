//! Paging of Zoom's list endpoints (docs/zoom.md §4.1): `page_size` (default 30, at most 300) and
//! an opaque `next_page_token` bound to the same query and valid for 15 minutes.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::http::call::Call;
use crate::world::rng::os_token;
use crate::world::{PageCursor, World};

/// next_page_token validity (docs/zoom.md §4.1).
const PAGE_TOKEN_TTL_MINS: i64 = 15;

/// `page_size`: default 30, at most 300 (docs/zoom.md §4.1).
fn page_size(call: &Call) -> Result<usize, ApiError> {
    match call.query("page_size") {
        None | Some("") => Ok(30),
        Some(s) => Ok(s
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| ApiError::invalid("page_size", "Invalid field."))?
            .min(300)),
    }
}

/// The list a cursor belongs to: the path and every query parameter but the paging ones.
fn list_scope(call: &Call) -> String {
    let mut scope: Vec<(String, String)> = call
        .query
        .iter()
        .filter(|(k, _)| k != "next_page_token" && k != "page_number")
        .cloned()
        .collect();
    scope.sort();
    format!("{}?{scope:?}", call.path)
}

/// Stores a cursor at `offset` and returns its token (expired cursors are dropped first).
fn new_cursor(world: &mut World, scope: String, offset: usize, now: DateTime<Utc>) -> String {
    world.page_tokens.retain(|_, c| c.expires_at > now);
    let token = os_token(32);
    world.page_tokens.insert(
        token.clone(),
        PageCursor {
            scope,
            offset,
            expires_at: now + Duration::minutes(PAGE_TOKEN_TTL_MINS),
        },
    );
    token
}

/// One page of `items` and its paging fields, docs/zoom.md §4.1.
pub(crate) fn paginate<T>(
    world: &mut World,
    call: &Call,
    now: DateTime<Utc>,
    items: Vec<T>,
) -> Result<(Vec<T>, Value), ApiError> {
    let page_size = page_size(call)?;
    let scope = list_scope(call);
    let offset = match call.query("next_page_token").filter(|t| !t.is_empty()) {
        None => 0,
        Some(t) => world
            .page_tokens
            .get(t)
            .filter(|c| c.scope == scope && c.expires_at > now)
            .map(|c| c.offset)
            .ok_or_else(|| ApiError::bad_request("The next page token is invalid or expired."))?,
    };
    let total = items.len();
    let end = (offset + page_size).min(total);
    let next = if end < total {
        new_cursor(world, scope, end, now)
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

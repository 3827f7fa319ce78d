//! The one pagination style of every list: at most `limit` items after the cursor `after`,
//! and `next_after` — the cursor of the last item — when more follow. Cursors are opaque
//! ([`ListKey`] in base64url); a value that is not one is refused naming `after`.

use crate::domain::cursor::{BadCursor, ListKey};

use super::ServiceError;

/// Largest `limit` of a list.
pub const MAX_LIMIT: i64 = 100;
/// `limit` when the client gives none.
pub const DEFAULT_LIMIT: i64 = 50;
/// The longest `after` a list takes (cursors are far shorter).
pub const MAX_CURSOR_CHARS: usize = 512;

/// One page of a list.
#[derive(Debug)]
pub struct CursorPage<T> {
    pub items: Vec<T>,
    /// The cursor to pass as `after` for the next page; absent on the last page.
    pub next_after: Option<String>,
}

/// The position a client asked to continue after, if any.
pub fn parse_after(after: Option<&str>) -> Result<Option<ListKey>, ServiceError> {
    after
        .map(|a| ListKey::decode(a).map_err(|e| ServiceError::invalid("after", e.to_string())))
        .transpose()
}

/// [`parse_after`] for lists keyed by a numeric id.
pub fn parse_numeric_after(
    after: Option<&str>,
) -> Result<Option<(Option<chrono::NaiveDateTime>, i64)>, ServiceError> {
    parse_after(after)?
        .map(|key| {
            key.numeric_id()
                .map(|id| (key.time, id))
                .map_err(|e| ServiceError::invalid("after", e.to_string()))
        })
        .transpose()
}

/// [`parse_after`] for lists keyed by a time and an id (every item has a time).
pub fn parse_timed_after(
    after: Option<&str>,
) -> Result<Option<(chrono::NaiveDateTime, String)>, ServiceError> {
    parse_after(after)?
        .map(|key| match key.time {
            Some(time) => Ok((time, key.id)),
            None => Err(ServiceError::invalid("after", BadCursor.to_string())),
        })
        .transpose()
}

/// `limit` within 1..=[`MAX_LIMIT`].
pub fn clamp_limit(limit: i64) -> i64 {
    limit.clamp(1, MAX_LIMIT)
}

/// The page of `items` (already at most `limit`), with the last item's cursor when `more`
/// follow.
pub fn page_of<T>(items: Vec<T>, more: bool, key_of: impl Fn(&T) -> ListKey) -> CursorPage<T> {
    let next_after = items
        .last()
        .filter(|_| more)
        .map(|last| key_of(last).encode());
    CursorPage { items, next_after }
}

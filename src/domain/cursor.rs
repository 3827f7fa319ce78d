//! Positions in a list for cursor pagination: the sort key of the last item a client saw,
//! handed out opaque (base64url) as `next_after` and taken back as `after`. A keyset cursor
//! stays correct while items are added or removed between pages, on both backends.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDateTime};

/// The sort key of one listed item: a time (absent for items without one) and a unique id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListKey {
    pub time: Option<NaiveDateTime>,
    pub id: String,
}

/// Why an `after` value is not a cursor this server handed out.
#[derive(Debug, thiserror::Error)]
#[error("is not a cursor from `next_after`")]
pub struct BadCursor;

impl ListKey {
    pub fn new(time: Option<NaiveDateTime>, id: impl Into<String>) -> Self {
        Self {
            time,
            id: id.into(),
        }
    }

    /// The opaque form sent to clients.
    pub fn encode(&self) -> String {
        let time = self.time.map_or_else(
            || "-".to_owned(),
            |t| t.and_utc().timestamp_micros().to_string(),
        );
        URL_SAFE_NO_PAD.encode(format!("{time}|{}", self.id))
    }

    /// Reads back what [`ListKey::encode`] produced.
    pub fn decode(cursor: &str) -> Result<Self, BadCursor> {
        let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| BadCursor)?;
        let text = String::from_utf8(bytes).map_err(|_| BadCursor)?;
        let (time, id) = text.split_once('|').ok_or(BadCursor)?;
        if id.is_empty() || id.contains('\0') {
            return Err(BadCursor);
        }
        let time = match time {
            "-" => None,
            micros => Some(
                micros
                    .parse::<i64>()
                    .ok()
                    .and_then(DateTime::from_timestamp_micros)
                    .ok_or(BadCursor)?
                    .naive_utc(),
            ),
        };
        Ok(Self::new(time, id))
    }

    /// The id as a number, for lists keyed by Zoom's numeric ids.
    pub fn numeric_id(&self) -> Result<i64, BadCursor> {
        self.id.parse().map_err(|_| BadCursor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_and_without_a_time() {
        let t = DateTime::from_timestamp_micros(1_790_000_000_123_456)
            .unwrap()
            .naive_utc();
        for key in [ListKey::new(Some(t), "abc|d"), ListKey::new(None, "42")] {
            assert_eq!(ListKey::decode(&key.encode()).unwrap(), key);
        }
    }

    #[test]
    fn refuses_what_it_did_not_hand_out() {
        for bad in ["", "!!", "bm9waXBl", &URL_SAFE_NO_PAD.encode("x|1")] {
            assert!(ListKey::decode(bad).is_err(), "{bad}");
        }
    }
}

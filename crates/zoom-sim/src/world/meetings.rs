//! Meetings and webinars with their occurrences and registrants (docs/zoom.md §4.3, §4.4, §4.6).

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value};

/// One instance of a recurring meeting (docs/zoom.md §4.3, §7.6).
#[derive(Debug, Clone)]
pub(crate) struct Occurrence {
    /// Epoch milliseconds as a string (docs/zoom.md §7.6).
    pub occurrence_id: String,
    pub start_time: DateTime<Utc>,
    pub duration: i64,
    pub deleted: bool,
}

/// Someone registered for a meeting or webinar (docs/zoom.md §4.4).
#[derive(Debug, Clone)]
pub(crate) struct Registrant {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// `approved`, `pending` or `denied` (docs/zoom.md §4.4).
    pub status: String,
    pub join_token: String,
    pub pin: i64,
    pub create_time: DateTime<Utc>,
    /// address, city, org, custom_questions, … exactly as posted.
    pub extra: Map<String, Value>,
}

/// A meeting or (with `webinar`) a webinar. Types: 1/2/3/8 meetings, 5/6/9 webinars
/// (docs/zoom.md §4.3, §4.6).
#[derive(Debug, Clone)]
pub(crate) struct Meeting {
    pub id: i64,
    pub uuid: String,
    pub host_id: String,
    pub webinar: bool,
    pub kind: i64,
    pub topic: String,
    pub start_time: Option<DateTime<Utc>>,
    pub duration: i64,
    pub timezone: String,
    pub agenda: String,
    pub password: String,
    pub created_at: DateTime<Utc>,
    pub settings: Map<String, Value>,
    pub recurrence: Option<Value>,
    pub occurrences: Vec<Occurrence>,
    pub registrants: Vec<Registrant>,
    /// `{"questions":[…],"custom_questions":[…]}` (GET …/registrants/questions).
    pub questions: Value,
    pub tracking_fields: Value,
    pub zak: String,
}

impl Meeting {
    /// `settings.approval_type`: 0 auto-approve, 1 manual, 2 no registration (the default).
    pub(crate) fn approval_type(&self) -> i64 {
        self.settings
            .get("approval_type")
            .and_then(Value::as_i64)
            .unwrap_or(2)
    }

    /// Occurrences not deleted.
    pub(crate) fn live_occurrences(&self) -> impl Iterator<Item = &Occurrence> {
        self.occurrences.iter().filter(|o| !o.deleted)
    }

    /// Start of the next occurrence still running or to come, else the last one, else start_time.
    pub(crate) fn next_start(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.occurrences.is_empty() {
            return self.start_time;
        }
        let mut live = self.live_occurrences().peekable();
        live.peek()?;
        let all: Vec<&Occurrence> = live.collect();
        all.iter()
            .find(|o| o.start_time + Duration::minutes(o.duration) > now)
            .or(all.last())
            .map(|o| o.start_time)
    }

    /// When the last scheduled instance ends (None = no fixed time, never expires).
    pub(crate) fn end(&self) -> Option<DateTime<Utc>> {
        if !self.occurrences.is_empty() {
            return self
                .live_occurrences()
                .map(|o| o.start_time + Duration::minutes(o.duration))
                .max();
        }
        self.start_time
            .map(|s| s + Duration::minutes(self.duration))
    }
}

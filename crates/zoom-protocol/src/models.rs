//! Serde shapes of the Zoom payloads Marquee reads (docs/zoom.md §1.3, §4). Only the fields we use;
//! unknown fields are ignored so Zoom can add fields without breaking us. The two error bodies
//! are also what the simulator writes, so both sides agree on them by construction.

use serde::{Deserialize, Deserializer, Serialize};
use zeroize::Zeroizing;

/// A successful token response. Tokens are zeroized on drop and never printed.
pub struct TokenGrant {
    pub access_token: Zeroizing<String>,
    pub refresh_token: Zeroizing<String>,
    pub expires_in: i64,
    pub scope: String,
    pub api_url: Option<String>,
}

impl std::fmt::Debug for TokenGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenGrant")
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// The token endpoint's JSON as sent; [`TokenGrant`] is what callers keep of it.
#[derive(Deserialize)]
pub struct RawTokenResponse {
    pub access_token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    pub expires_in: i64,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub api_url: Option<String>,
}

/// OAuth error body: `{"reason":"Invalid Token!","error":"invalid_grant"}`, fields in Zoom's
/// order (docs/zoom.md §1.5).
#[derive(Serialize, Deserialize, Default)]
pub struct OAuthErrorBody {
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub error: String,
}

/// API error body: `{"code":124,"message":"Invalid access token."}`.
#[derive(Serialize, Deserialize, Default)]
pub struct ApiErrorBody {
    #[serde(default)]
    pub code: i64,
    #[serde(default)]
    pub message: String,
}

/// `GET /users/me` (docs/zoom.md §4.2).
#[derive(Clone, Debug, Deserialize)]
pub struct ZoomUser {
    pub id: String,
    pub account_id: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
}

impl ZoomUser {
    /// The display name, else "first last".
    pub fn name(&self) -> String {
        match &self.display_name {
            Some(name) if !name.is_empty() => name.clone(),
            _ => format!("{} {}", self.first_name, self.last_name)
                .trim()
                .to_owned(),
        }
    }
}

/// One page of `GET /users/{userId}/meetings` (docs/zoom.md §4.3).
#[derive(Debug, Deserialize)]
pub struct MeetingPage {
    #[serde(default)]
    pub meetings: Vec<ZoomMeeting>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// A meeting as Zoom returns it in lists and from `GET /meetings/{id}`.
#[derive(Clone, Debug, Deserialize)]
pub struct ZoomMeeting {
    #[serde(deserialize_with = "lenient_i64")]
    pub id: i64,
    #[serde(default)]
    pub uuid: String,
    #[serde(default)]
    pub host_id: String,
    #[serde(default)]
    pub topic: String,
    #[serde(rename = "type", default)]
    pub meeting_type: i32,
    #[serde(default)]
    pub start_time: Option<String>,
    #[serde(default)]
    pub duration: i32,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub agenda: String,
    #[serde(default)]
    pub join_url: String,
    /// Only in `GET /meetings/{id}`, not in lists.
    #[serde(default)]
    pub settings: Option<MeetingSettings>,
    /// Occurrences of a recurring meeting (only in `GET /meetings/{id}`).
    #[serde(default)]
    pub occurrences: Vec<ZoomOccurrence>,
    /// How a recurring meeting (type 8, webinar 9) repeats.
    #[serde(default)]
    pub recurrence: Option<ZoomRecurrence>,
}

/// Zoom's recurrence rule of a meeting or webinar (docs/zoom.md §4.3).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ZoomRecurrence {
    /// 1 daily, 2 weekly, 3 monthly.
    #[serde(rename = "type", default)]
    pub kind: i32,
    #[serde(default)]
    pub repeat_interval: Option<i32>,
    /// Weekdays as `"1,3"` (1 = Sunday).
    #[serde(default)]
    pub weekly_days: Option<String>,
    #[serde(default)]
    pub monthly_day: Option<i32>,
    #[serde(default)]
    pub monthly_week: Option<i32>,
    #[serde(default)]
    pub monthly_week_day: Option<i32>,
    #[serde(default)]
    pub end_times: Option<i32>,
    #[serde(default)]
    pub end_date_time: Option<String>,
}

/// One occurrence of a recurring meeting (docs/zoom.md §4.3).
#[derive(Clone, Debug, Deserialize)]
pub struct ZoomOccurrence {
    pub occurrence_id: String,
    pub start_time: String,
    #[serde(default)]
    pub duration: Option<i32>,
    #[serde(default)]
    pub status: Option<String>,
}

/// One page of `GET /users` (docs/zoom.md §4.2).
#[derive(Debug, Deserialize)]
pub struct UserPage {
    #[serde(default)]
    pub users: Vec<ListedUser>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// A user in `GET /users`; pending users have no id.
#[derive(Clone, Debug, Deserialize)]
pub struct ListedUser {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub display_name: Option<String>,
}

impl ListedUser {
    /// The display name, else "first last", else the e-mail.
    pub fn name(&self) -> String {
        let full = format!("{} {}", self.first_name, self.last_name);
        [
            self.display_name.as_deref().unwrap_or(""),
            full.trim(),
            &self.email,
        ]
        .into_iter()
        .find(|n| !n.is_empty())
        .unwrap_or_default()
        .to_owned()
    }
}

/// One page of `GET /users/{userId}/webinars` (docs/zoom.md §4.6).
#[derive(Debug, Deserialize)]
pub struct WebinarPage {
    #[serde(default)]
    pub webinars: Vec<ZoomMeeting>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// One page of `GET /users/{userId}/recordings` (docs/zoom.md §4.5).
#[derive(Debug, Deserialize)]
pub struct RecordingPage {
    #[serde(default)]
    pub meetings: Vec<ZoomRecording>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// One recorded meeting instance, from lists, `GET /meetings/{uuid}/recordings` and
/// `recording.*` webhooks (docs/zoom.md §2.6, §4.5).
#[derive(Clone, Debug, Deserialize)]
pub struct ZoomRecording {
    pub uuid: String,
    #[serde(deserialize_with = "lenient_i64")]
    pub id: i64,
    #[serde(default)]
    pub host_id: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub start_time: String,
    #[serde(default)]
    pub duration: i32,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub share_url: Option<String>,
    #[serde(default)]
    pub recording_play_passcode: Option<String>,
    #[serde(default)]
    pub total_size: i64,
    #[serde(default)]
    pub recording_files: Vec<ZoomRecordingFile>,
}

/// A file of a recording; only what a viewer needs (never a download token).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct ZoomRecordingFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_extension: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_size: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording_start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording_end: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub play_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// The meeting settings Marquee reads.
#[derive(Clone, Debug, Deserialize)]
pub struct MeetingSettings {
    /// 0 auto-approve, 1 manual approval, 2 no registration (the default).
    #[serde(default = "no_registration")]
    pub approval_type: i32,
    /// Meetings only; webinars have none.
    #[serde(default)]
    pub waiting_room: Option<bool>,
}

fn no_registration() -> i32 {
    2
}

/// The answer to `POST /meetings/{id}/registrants` (docs/zoom.md §4.4).
#[derive(Clone, Debug, Deserialize)]
pub struct AddedRegistrant {
    pub registrant_id: String,
    /// Present only when the registrant is approved (approval type 0).
    #[serde(default)]
    pub join_url: Option<String>,
}

/// One registrant from `GET /meetings/{id}/registrants/{registrantId}`.
#[derive(Clone, Debug, Deserialize)]
pub struct ZoomRegistrant {
    pub id: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub join_url: Option<String>,
}

/// Zoom sends meeting ids as JSON numbers in most payloads and as strings in some
/// (docs/zoom.md §2.5).
pub fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumberOrString {
        Number(i64),
        Text(String),
    }
    match NumberOrString::deserialize(d)? {
        NumberOrString::Number(n) => Ok(n),
        NumberOrString::Text(s) => s.parse().map_err(serde::de::Error::custom),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meeting_ids_as_number_or_string() {
        let a: ZoomMeeting = serde_json::from_str(r#"{"id":81234567890,"topic":"x"}"#).unwrap();
        let b: ZoomMeeting = serde_json::from_str(r#"{"id":"81234567890","topic":"x"}"#).unwrap();
        assert_eq!(a.id, 81234567890);
        assert_eq!(b.id, 81234567890);
        assert!(serde_json::from_str::<ZoomMeeting>(r#"{"id":"abc"}"#).is_err());
    }
}

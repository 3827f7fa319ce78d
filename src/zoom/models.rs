//! Serde shapes of the Zoom payloads Marquee reads (reference §1.3, §4). Only the fields we use;
//! unknown fields are ignored so Zoom can add fields without breaking us.

use serde::{Deserialize, Deserializer};
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

#[derive(Deserialize)]
pub(crate) struct RawTokenResponse {
    pub access_token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    pub expires_in: i64,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub api_url: Option<String>,
}

/// OAuth error body: `{"reason":"Invalid Token!","error":"invalid_grant"}`.
#[derive(Deserialize, Default)]
pub(crate) struct OAuthErrorBody {
    #[serde(default)]
    pub error: String,
    #[serde(default)]
    pub reason: String,
}

/// API error body: `{"code":124,"message":"Invalid access token."}`.
#[derive(Deserialize, Default)]
pub(crate) struct ApiErrorBody {
    #[serde(default)]
    pub code: i64,
    #[serde(default)]
    pub message: String,
}

/// `GET /users/me` (reference §4.2).
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
    pub fn name(&self) -> String {
        match &self.display_name {
            Some(name) if !name.is_empty() => name.clone(),
            _ => format!("{} {}", self.first_name, self.last_name)
                .trim()
                .to_owned(),
        }
    }
}

/// One page of `GET /users/{userId}/meetings` (reference §4.3).
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
}

#[derive(Clone, Debug, Deserialize)]
pub struct MeetingSettings {
    /// 0 auto-approve, 1 manual approval, 2 no registration (the default).
    #[serde(default = "no_registration")]
    pub approval_type: i32,
}

fn no_registration() -> i32 {
    2
}

/// The answer to `POST /meetings/{id}/registrants` (reference §4.4).
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

/// Zoom sends meeting ids as JSON numbers in most payloads and as strings in some (§2.5).
fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
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

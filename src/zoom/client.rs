//! The typed Zoom HTTP client. Base URLs come from configuration, so production talks to
//! zoom.us and dev/tests to the simulator. Tokens travel only in headers (docs/zoom.md §1.7).

use std::time::Duration;

use reqwest::{Response, StatusCode};
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use super::error::ZoomError;
use super::models::{
    AddedRegistrant, ApiErrorBody, MeetingPage, OAuthErrorBody, RawTokenResponse, RecordingPage,
    TokenGrant, UserPage, WebinarPage, ZoomMeeting, ZoomRecording, ZoomRegistrant, ZoomUser,
};
use crate::config::ZoomConfig;

/// The answer of `POST /zoomapp/deeplink`.
#[derive(serde::Deserialize)]
struct Deeplink {
    deeplink: String,
}

/// The one field of a meeting's detail that `start_url` reads.
#[derive(serde::Deserialize)]
struct StartLink {
    start_url: String,
}
use crate::domain::public::RegistrationQuestions;
use crate::domain::status::MeetingKind;

/// Zoom's path segment of a meeting or webinar (`/meetings/{id}`, `/webinars/{id}`).
fn collection(kind: MeetingKind) -> &'static str {
    match kind {
        MeetingKind::Meeting => "meetings",
        MeetingKind::Webinar => "webinars",
    }
}

/// One registrant's status change at Zoom: `action` is `approve`, `deny` or `cancel`.
#[derive(Clone, Copy, Debug)]
pub struct RegistrantStatusChange<'a> {
    pub kind: MeetingKind,
    pub meeting_id: i64,
    pub occurrence_id: Option<&'a str>,
    pub registrant_id: &'a str,
    pub action: &'a str,
}

/// Zoom must answer within this; a slow Zoom must not hold a worker or a visitor forever.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest page Zoom serves (docs/zoom.md §4.1).
pub const MAX_PAGE_SIZE: u32 = 300;

#[derive(Clone)]
pub struct ZoomClient {
    http: reqwest::Client,
    config: ZoomConfig,
}

impl ZoomClient {
    pub fn new(config: ZoomConfig) -> Self {
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("marquee/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the TLS backend is compiled in");
        Self { http, config }
    }

    pub fn client_id(&self) -> &str {
        &self.config.client_id
    }

    /// The browser URL that asks the user to authorize the app (docs/zoom.md §1.2). No `scope`:
    /// scopes come from the app's configuration on Zoom's side.
    pub fn authorize_url(&self, redirect_uri: &str, state: &str, code_challenge: &str) -> String {
        let mut url = url::Url::parse(&format!("{}/oauth/authorize", self.config.oauth_url))
            .expect("oauth_url was validated at start-up");
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.config.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", state)
            .append_pair("code_challenge", code_challenge)
            .append_pair("code_challenge_method", "S256");
        url.into()
    }

    /// Exchanges an authorization code for a token pair. `verifier` is the PKCE verifier of a
    /// flow Marquee started; Marketplace installs arrive without one.
    pub async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
        verifier: Option<&str>,
    ) -> Result<TokenGrant, ZoomError> {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
        ];
        if let Some(verifier) = verifier {
            form.push(("code_verifier", verifier));
        }
        self.token_request(&form).await
    }

    /// Trades a refresh token for a new pair. Zoom rotates: the old refresh token is dead
    /// once this succeeds (docs/zoom.md §1.4), so callers must persist the result atomically.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenGrant, ZoomError> {
        let result = self
            .token_request(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ])
            .await;
        crate::telemetry::metrics::token_refresh(match &result {
            Ok(_) => "ok",
            Err(ZoomError::InvalidGrant { .. }) => "invalid_grant",
            Err(_) => "error",
        });
        result
    }

    /// Revokes a token; Zoom then invalidates the whole grant (docs/zoom.md §1.6).
    pub async fn revoke(&self, token: &str) -> Result<(), ZoomError> {
        let response = self
            .http
            .post(format!("{}/oauth/revoke", self.config.oauth_url))
            .basic_auth(&self.config.client_id, Some(&self.config.client_secret))
            .form(&[("token", token)])
            .send()
            .await
            .map_err(transport_error)?;
        if response.status().is_success() {
            return Ok(());
        }
        Err(oauth_error(response).await)
    }

    async fn token_request(&self, form: &[(&str, &str)]) -> Result<TokenGrant, ZoomError> {
        let response = self
            .http
            .post(format!("{}/oauth/token", self.config.oauth_url))
            .basic_auth(&self.config.client_id, Some(&self.config.client_secret))
            .form(form)
            .send()
            .await
            .map_err(transport_error)?;
        if !response.status().is_success() {
            return Err(oauth_error(response).await);
        }
        let raw: RawTokenResponse = read_json(response).await?;
        let refresh_token = raw
            .refresh_token
            .ok_or_else(|| ZoomError::Decode("token response without refresh_token".into()))?;
        Ok(TokenGrant {
            access_token: Zeroizing::new(raw.access_token),
            refresh_token: Zeroizing::new(refresh_token),
            expires_in: raw.expires_in,
            scope: raw.scope,
            api_url: raw.api_url,
        })
    }

    /// `GET /users/me`: who authorized the token.
    pub async fn get_me(&self, access_token: &str) -> Result<ZoomUser, ZoomError> {
        self.api_get(access_token, "/users/me", &[]).await
    }

    /// One page of a user's meetings of `kind` (`upcoming`, `scheduled`, …).
    pub async fn list_meetings(
        &self,
        access_token: &str,
        user_id: &str,
        kind: &str,
        page_token: Option<&str>,
    ) -> Result<MeetingPage, ZoomError> {
        let page_size = MAX_PAGE_SIZE.to_string();
        let mut query = vec![("type", kind), ("page_size", page_size.as_str())];
        if let Some(token) = page_token.filter(|t| !t.is_empty()) {
            query.push(("next_page_token", token));
        }
        let path = format!("/users/{}/meetings", encode_path_segment(user_id));
        self.api_get(access_token, &path, &query).await
    }

    /// `GET /meetings/{id}`: full details incl. registration settings.
    pub async fn get_meeting(
        &self,
        access_token: &str,
        meeting_id: i64,
    ) -> Result<ZoomMeeting, ZoomError> {
        self.api_get(access_token, &format!("/meetings/{meeting_id}"), &[])
            .await
    }

    /// One page of the account's active users (account-level apps only, docs/zoom.md §4.2).
    pub async fn list_users(
        &self,
        access_token: &str,
        page_token: Option<&str>,
    ) -> Result<UserPage, ZoomError> {
        let page_size = MAX_PAGE_SIZE.to_string();
        let mut query = vec![("status", "active"), ("page_size", page_size.as_str())];
        if let Some(token) = page_token.filter(|t| !t.is_empty()) {
            query.push(("next_page_token", token));
        }
        self.api_get(access_token, "/users", &query).await
    }

    /// One page of a user's scheduled webinars (docs/zoom.md §4.6).
    pub async fn list_webinars(
        &self,
        access_token: &str,
        user_id: &str,
        page_token: Option<&str>,
    ) -> Result<WebinarPage, ZoomError> {
        let page_size = MAX_PAGE_SIZE.to_string();
        let mut query = vec![("type", "scheduled"), ("page_size", page_size.as_str())];
        if let Some(token) = page_token.filter(|t| !t.is_empty()) {
            query.push(("next_page_token", token));
        }
        let path = format!("/users/{}/webinars", encode_path_segment(user_id));
        self.api_get(access_token, &path, &query).await
    }

    /// `GET /webinars/{id}`.
    pub async fn get_webinar(
        &self,
        access_token: &str,
        webinar_id: i64,
    ) -> Result<ZoomMeeting, ZoomError> {
        self.api_get(access_token, &format!("/webinars/{webinar_id}"), &[])
            .await
    }

    /// One page of a user's cloud recordings that started between `from` and `to`
    /// (`yyyy-mm-dd`, at most one month apart, docs/zoom.md §4.5).
    pub async fn list_recordings(
        &self,
        access_token: &str,
        user_id: &str,
        from: &str,
        to: &str,
        page_token: Option<&str>,
    ) -> Result<RecordingPage, ZoomError> {
        let page_size = MAX_PAGE_SIZE.to_string();
        let mut query = vec![
            ("from", from),
            ("to", to),
            ("page_size", page_size.as_str()),
        ];
        if let Some(token) = page_token.filter(|t| !t.is_empty()) {
            query.push(("next_page_token", token));
        }
        let path = format!("/users/{}/recordings", encode_path_segment(user_id));
        self.api_get(access_token, &path, &query).await
    }

    /// `GET /meetings/{uuid}/recordings`: one instance's recording incl. its play passcode.
    pub async fn get_recording(
        &self,
        access_token: &str,
        meeting_uuid: &str,
    ) -> Result<ZoomRecording, ZoomError> {
        let path = format!("/meetings/{}/recordings", encode_uuid(meeting_uuid));
        self.api_get(access_token, &path, &[]).await
    }

    /// `GET /meetings/{id}/registrants/questions`: the standard fields and custom questions the
    /// registration form must ask (docs/zoom.md §4.4).
    pub async fn registration_questions(
        &self,
        access_token: &str,
        kind: MeetingKind,
        meeting_id: i64,
    ) -> Result<RegistrationQuestions, ZoomError> {
        let path = format!("/{}/{meeting_id}/registrants/questions", collection(kind));
        self.api_get(access_token, &path, &[]).await
    }

    /// `PATCH /{meetings|webinars}/{id}/registrants/questions`: replaces the standard fields
    /// asked and the custom questions (204, docs/zoom.md §4.4).
    pub async fn update_registration_questions(
        &self,
        access_token: &str,
        kind: MeetingKind,
        meeting_id: i64,
        questions: &RegistrationQuestions,
    ) -> Result<(), ZoomError> {
        let request = self
            .http
            .patch(format!(
                "{}/{}/{meeting_id}/registrants/questions",
                self.config.api_url,
                collection(kind)
            ))
            .json(questions);
        self.api_send(request, access_token, None).await
    }

    /// `POST /meetings/{id}/registrants[?occurrence_ids=]`: registers a visitor. Zoom answers
    /// with the same registrant for the same e-mail; `join_url` only when approved
    /// (docs/zoom.md §4.4).
    pub async fn add_registrant(
        &self,
        access_token: &str,
        kind: MeetingKind,
        meeting_id: i64,
        occurrence_id: &str,
        body: &serde_json::Value,
    ) -> Result<AddedRegistrant, ZoomError> {
        let mut request = self
            .http
            .post(format!(
                "{}/{}/{meeting_id}/registrants",
                self.config.api_url,
                collection(kind)
            ))
            .json(body);
        if !occurrence_id.is_empty() {
            request = request.query(&[("occurrence_ids", occurrence_id)]);
        }
        read_json(api_call(request, access_token).await?).await
    }

    /// `GET /{meetings|webinars}/{id}/registrants/{registrantId}`: status and personal join
    /// link.
    pub async fn get_registrant(
        &self,
        access_token: &str,
        kind: MeetingKind,
        meeting_id: i64,
        registrant_id: &str,
    ) -> Result<ZoomRegistrant, ZoomError> {
        let path = format!(
            "/{}/{meeting_id}/registrants/{}",
            collection(kind),
            encode_path_segment(registrant_id)
        );
        self.api_get(access_token, &path, &[]).await
    }

    /// `PUT /{meetings|webinars}/{id}/registrants/status[?occurrence_id=]`: approves, denies
    /// or cancels one registrant (204, docs/zoom.md §4.4).
    pub async fn update_registrant_status(
        &self,
        access_token: &str,
        change: RegistrantStatusChange<'_>,
    ) -> Result<(), ZoomError> {
        let body = serde_json::json!({
            "action": change.action,
            "registrants": [{"id": change.registrant_id}],
        });
        let request = self
            .http
            .put(format!(
                "{}/{}/{}/registrants/status",
                self.config.api_url,
                collection(change.kind),
                change.meeting_id
            ))
            .json(&body);
        self.api_send(request, access_token, change.occurrence_id)
            .await
    }

    /// `POST /users/{userId}/{meetings|webinars}`: schedules a meeting or webinar. The
    /// answer's `start_url` is not read into the result (docs/zoom.md §4.3): it logs anyone
    /// in as the host.
    pub async fn create_meeting(
        &self,
        access_token: &str,
        kind: MeetingKind,
        user_id: &str,
        body: &serde_json::Value,
    ) -> Result<ZoomMeeting, ZoomError> {
        let path = format!(
            "/users/{}/{}",
            encode_path_segment(user_id),
            collection(kind)
        );
        let request = self
            .http
            .post(format!("{}{path}", self.config.api_url))
            .json(body);
        read_json(api_call(request, access_token).await?).await
    }

    /// `PATCH /{meetings|webinars}/{id}[?occurrence_id=]`: changes a meeting, a webinar or one
    /// occurrence (204).
    pub async fn update_meeting(
        &self,
        access_token: &str,
        kind: MeetingKind,
        meeting_id: i64,
        occurrence_id: Option<&str>,
        body: &serde_json::Value,
    ) -> Result<(), ZoomError> {
        let request = self.http.patch(self.item_url(kind, meeting_id)).json(body);
        self.api_send(request, access_token, occurrence_id).await
    }

    /// `DELETE /{meetings|webinars}/{id}[?occurrence_id=]`: deletes a meeting, a webinar or
    /// one occurrence (204).
    pub async fn delete_meeting(
        &self,
        access_token: &str,
        kind: MeetingKind,
        meeting_id: i64,
        occurrence_id: Option<&str>,
    ) -> Result<(), ZoomError> {
        let request = self.http.delete(self.item_url(kind, meeting_id));
        self.api_send(request, access_token, occurrence_id).await
    }

    fn item_url(&self, kind: MeetingKind, meeting_id: i64) -> String {
        format!("{}/{}/{meeting_id}", self.config.api_url, collection(kind))
    }

    /// Sends a write whose success answer has no body.
    async fn api_send(
        &self,
        mut request: reqwest::RequestBuilder,
        access_token: &str,
        occurrence_id: Option<&str>,
    ) -> Result<(), ZoomError> {
        if let Some(occurrence) = occurrence_id {
            request = request.query(&[("occurrence_id", occurrence)]);
        }
        api_call(request, access_token).await.map(drop)
    }

    /// `GET /users/{userId}`: one user (of the token's account).
    pub async fn get_user(&self, access_token: &str, user_id: &str) -> Result<ZoomUser, ZoomError> {
        let path = format!("/users/{}", encode_path_segment(user_id));
        self.api_get(access_token, &path, &[]).await
    }

    /// A fresh `start_url` of a meeting from `GET /meetings/{id}` (valid about two hours,
    /// docs/zoom.md §4.3). Only this value is kept from the answer, wiped when dropped.
    pub async fn start_url(
        &self,
        access_token: &str,
        kind: MeetingKind,
        meeting_id: i64,
    ) -> Result<Zeroizing<String>, ZoomError> {
        let path = format!("/{}/{meeting_id}", collection(kind));
        let link: StartLink = self.api_get(access_token, &path, &[]).await?;
        Ok(Zeroizing::new(link.start_url))
    }

    /// `POST /zoomapp/deeplink` (rate label Medium, docs/zoom.md §3.6): a link that opens the
    /// app in the user's Zoom client; `action` (at most 256 characters) comes back as `act` in
    /// the app's next context. `type` 1: in the running meeting if any, else the Apps tab.
    pub async fn create_deeplink(
        &self,
        access_token: &str,
        action: &str,
    ) -> Result<String, ZoomError> {
        let body = serde_json::json!({"action": action, "type": 1});
        let request = self
            .http
            .post(format!("{}/zoomapp/deeplink", self.config.api_url))
            .json(&body);
        let link: Deeplink = read_json(api_call(request, access_token).await?).await?;
        Ok(link.deeplink)
    }

    /// Whether `url` is on Zoom's web origin (the configured OAuth base: zoom.us, or the
    /// simulator), the only place a browser is sent to from a Zoom answer.
    pub fn is_zoom_web_url(&self, url: &str) -> bool {
        let zoom = url::Url::parse(&self.config.oauth_url).expect("validated at start-up");
        url::Url::parse(url).is_ok_and(|u| u.origin() == zoom.origin())
    }

    async fn api_get<T: DeserializeOwned>(
        &self,
        token: &str,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, ZoomError> {
        let request = self
            .http
            .get(format!("{}{path}", self.config.api_url))
            .query(query);
        read_json(api_call(request, token).await?).await
    }
}

/// Sends an API request with the token; a refusal becomes its [`ZoomError`].
/// Every call is counted by endpoint category and status (`telemetry::metrics::zoom_call`).
async fn api_call(request: reqwest::RequestBuilder, token: &str) -> Result<Response, ZoomError> {
    let (http, request) = request.bearer_auth(token).build_split();
    let request = request.map_err(transport_error)?;
    let category = endpoint_category(request.url().path());
    let started = std::time::Instant::now();
    let sent = http.execute(request).await;
    let status = sent.as_ref().map_or(0, |r| r.status().as_u16());
    crate::telemetry::metrics::zoom_call(category, status, started.elapsed());
    let response = sent.map_err(transport_error)?;
    if !response.status().is_success() {
        let err = api_error(response).await;
        if let ZoomError::RateLimited { daily, .. } = &err {
            crate::telemetry::metrics::zoom_rate_limited(if *daily { "daily" } else { "account" });
        }
        return Err(err);
    }
    Ok(response)
}

/// The kind of resource a Zoom API path is about: a label with a handful of values, never an
/// id (the most specific resource named in the path wins).
fn endpoint_category(path: &str) -> &'static str {
    const CATEGORIES: [(&str, &str); 7] = [
        ("zoomapp", "zoom_app"),
        ("questions", "registration_questions"),
        ("registrants", "registrants"),
        ("recordings", "recordings"),
        ("webinars", "webinars"),
        ("meetings", "meetings"),
        ("users", "users"),
    ];
    let segments: Vec<&str> = path.split('/').collect();
    CATEGORIES
        .iter()
        .find(|(segment, _)| segments.contains(segment))
        .map_or("other", |(_, category)| category)
}

/// Percent-encodes one path segment (user ids may be e-mail addresses).
fn encode_path_segment(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// Instance uuids may contain `/`, `+`, `=`; one starting with `/` or containing `//` must be
/// encoded twice (docs/zoom.md §4.1).
fn encode_uuid(uuid: &str) -> String {
    let once = encode_path_segment(uuid);
    if uuid.starts_with('/') || uuid.contains("//") {
        encode_path_segment(&once)
    } else {
        once
    }
}

fn transport_error(err: reqwest::Error) -> ZoomError {
    // reqwest's message may contain the URL but never our headers, so it is safe to keep.
    ZoomError::Unavailable(err.without_url().to_string())
}

fn tracking_id(response: &Response) -> String {
    response
        .headers()
        .get("x-zm-trackingid")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned()
}

async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, ZoomError> {
    let bytes = response.bytes().await.map_err(transport_error)?;
    serde_json::from_slice(&bytes).map_err(|e| ZoomError::Decode(e.to_string()))
}

async fn oauth_error(response: Response) -> ZoomError {
    let status = response.status();
    let tracking = tracking_id(&response);
    if status.is_server_error() {
        tracing::warn!(zoom.status = status.as_u16(), zoom.tracking_id = %tracking, "Zoom OAuth endpoint failed");
        return ZoomError::Unavailable(format!("Zoom answered {status}"));
    }
    // Zoom sometimes answers errors with non-JSON bodies (docs/zoom.md §1.7): parse defensively.
    let body: OAuthErrorBody = response.json().await.unwrap_or_default();
    tracing::info!(zoom.status = status.as_u16(), zoom.tracking_id = %tracking, zoom.error = %body.error, "Zoom OAuth refusal");
    if body.error == "invalid_grant" {
        return ZoomError::InvalidGrant {
            reason: body.reason,
        };
    }
    ZoomError::OAuth {
        status: status.as_u16(),
        error: body.error,
        reason: body.reason,
    }
}

async fn api_error(response: Response) -> ZoomError {
    let status = response.status();
    let tracking = tracking_id(&response);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let retry_after = header("retry-after").as_deref().and_then(parse_retry_after);
    // docs/zoom.md §5.3: `Daily-limit` (Retry-After is then an ISO instant) or `QPS`.
    let daily = header("x-ratelimit-type").is_some_and(|t| t.eq_ignore_ascii_case("daily-limit"));
    let limit = header("x-ratelimit-limit").and_then(|v| v.trim().parse().ok());
    let body: ApiErrorBody = response.json().await.unwrap_or_default();
    tracing::info!(zoom.status = status.as_u16(), zoom.code = body.code, zoom.tracking_id = %tracking, "Zoom API error");
    match status {
        StatusCode::UNAUTHORIZED if body.code == 124 => ZoomError::AccessTokenRejected {
            message: body.message,
        },
        StatusCode::TOO_MANY_REQUESTS => ZoomError::RateLimited {
            retry_after,
            daily,
            limit,
            message: body.message,
        },
        s if s.is_server_error() => ZoomError::Unavailable(format!("Zoom answered {s}")),
        s => ZoomError::Api {
            status: s.as_u16(),
            code: body.code,
            message: body.message,
        },
    }
}

/// `Retry-After` is seconds on QPS limits and an ISO-8601 time on daily limits (docs/zoom.md §5.3).
fn parse_retry_after(value: &str) -> Option<Duration> {
    if let Ok(secs) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc3339(value.trim()).ok()?;
    let wait = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_or_iso_time() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("2000-01-01T00:00:00Z"),
            Some(Duration::ZERO)
        );
        assert!(parse_retry_after("2999-01-01T00:00:00Z").unwrap() > Duration::from_secs(86400));
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn zoom_paths_fall_into_few_categories() {
        assert_eq!(
            endpoint_category("/v2/meetings/123/registrants"),
            "registrants"
        );
        assert_eq!(endpoint_category("/v2/users/me/meetings"), "meetings");
        assert_eq!(
            endpoint_category("/v2/meetings/1/registrants/questions"),
            "registration_questions"
        );
        assert_eq!(endpoint_category("/v2/users/me"), "users");
        assert_eq!(endpoint_category("/v2/report"), "other");
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(encode_path_segment("a b@x.com"), "a%20b%40x.com");
        assert_eq!(encode_path_segment("me"), "me");
        assert_eq!(encode_uuid("aDYl+hA=="), "aDYl%2BhA%3D%3D");
        assert_eq!(encode_uuid("/ab//c="), "%252Fab%252F%252Fc%253D");
    }
}

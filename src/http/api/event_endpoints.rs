//! `/api/v1/platform/event-endpoints`: where Marquee sends signed events (docs/events.md).

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::ApiTags;
use super::answer::Answer;
use super::body::JsonBody;
use super::platform::{Created, Deleted};
use super::text::{SlugText, Text};
use crate::domain::event::{MAX_ENDPOINT_EVENTS, MAX_ENDPOINT_URL_CHARS, MAX_REPLAY_IDS};
use crate::http::auth::PlatformAuth;
use crate::http::error::{ApiError, statuses};
use crate::service::Services;
use crate::service::outbound::{Delivery, Endpoint, EndpointWithSecret, NewEndpoint, Replay};
use crate::service::paging::{self, MAX_CURSOR_CHARS};

/// Longest endpoint, delivery or event id (they are UUIDs).
const ID_CHARS: usize = 64;
/// Longest time accepted (RFC 3339 with a fraction and an offset fits easily).
const TIME_CHARS: usize = 40;
/// Longest event type name.
const EVENT_TYPE_CHARS: usize = 40;

pub struct EventEndpointsApi;

/// An endpoint to register.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CreateEventEndpoint {
    /// Where events are POSTed: an `https` URL whose host resolves to public addresses only.
    pub url: Text<MAX_ENDPOINT_URL_CHARS, 1>,
    /// The event types it gets: `connection.connected`, `connection.needs_reconnect`,
    /// `connection.disconnected`, `sync.completed`, `sync.failed`, `meeting.created`,
    /// `meeting.updated`, `meeting.deleted`, `recording.available`, `registration.created`,
    /// `registration.updated`.
    #[oai(validator(min_items = 1, max_items = 11))]
    pub events: Vec<Text<EVENT_TYPE_CHARS, 1>>,
    /// Only this site's events (its slug); absent: every site's.
    pub site: Option<SlugText>,
}

/// A registered endpoint (never its secret).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct EventEndpointDto {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    /// The one site whose events it gets; absent: every site's.
    pub site: Option<String>,
    pub created_at: DateTime<Utc>,
    /// After a rotation: until when the previous secret still signs beside the new one.
    pub previous_secret_until: Option<DateTime<Utc>>,
}

impl From<Endpoint> for EventEndpointDto {
    fn from(e: Endpoint) -> Self {
        Self {
            id: e.id,
            url: e.url,
            events: e.events.iter().map(|t| t.as_str().to_owned()).collect(),
            site: e.site,
            created_at: e.created_at.and_utc(),
            previous_secret_until: e.previous_secret_until.map(|t| t.and_utc()),
        }
    }
}

/// An endpoint with its signing secret, shown this once.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct EventEndpointWithSecret {
    /// Verifies `Marquee-Signature` (docs/events.md). Store it now: it cannot be shown again.
    pub secret: String,
    #[oai(flatten)]
    pub endpoint: EventEndpointDto,
}

impl From<EndpointWithSecret> for EventEndpointWithSecret {
    fn from(e: EndpointWithSecret) -> Self {
        Self {
            secret: e.secret,
            endpoint: e.endpoint.into(),
        }
    }
}

/// One page of endpoints.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct EventEndpointList {
    pub event_endpoints: Vec<EventEndpointDto>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next_after: Option<String>,
}

/// One event's delivery to the endpoint.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct EventDeliveryDto {
    pub id: String,
    pub event_id: String,
    pub event_type: String,
    /// `pending` (waiting for its first attempt or a retry), `delivered` or `failed`.
    pub status: String,
    pub attempts: i64,
    /// The HTTP status of the last answer, if the endpoint answered.
    pub last_status: Option<i64>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the next attempt is due (pending deliveries).
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// When it was queued (or queued again by a replay).
    pub created_at: DateTime<Utc>,
}

impl From<Delivery> for EventDeliveryDto {
    fn from(d: Delivery) -> Self {
        Self {
            id: d.id,
            event_id: d.event_id,
            event_type: d.event_type,
            status: d.status.as_str().to_owned(),
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error,
            next_attempt_at: d.next_attempt_at.map(|t| t.and_utc()),
            delivered_at: d.delivered_at.map(|t| t.and_utc()),
            created_at: d.created_at.and_utc(),
        }
    }
}

/// One page of the delivery log.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct EventDeliveryList {
    pub deliveries: Vec<EventDeliveryDto>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next_after: Option<String>,
}

/// Which past events to send again: `event_ids`, every event created from `from` (inclusive)
/// to `to` (exclusive), or with both the named events created in that window.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReplayEvents {
    #[oai(validator(min_items = 1, max_items = 100))]
    pub event_ids: Option<Vec<Text<ID_CHARS, 1>>>,
    /// An RFC 3339 time, e.g. `2026-12-01T09:00:00Z`.
    pub from: Option<Text<TIME_CHARS, 1>>,
    /// An RFC 3339 time, later than `from`.
    pub to: Option<Text<TIME_CHARS, 1>>,
}

/// How many deliveries a replay queued.
#[derive(Object)]
pub struct ReplayQueued {
    pub queued: i64,
}

#[derive(ApiResponse)]
pub enum Accepted<T: poem_openapi::types::ToJSON> {
    /// Queued; the worker sends them in their original order.
    #[oai(status = 202)]
    Accepted(Json<T>),
}

/// Registering an endpoint: an invalid URL, event type or site, credentials, the database.
type CreateError = ApiError<{ statuses(&[400, 401, 413, 415, 500, 503]) }>;
/// Listing endpoints: bad paging parameters, credentials, the database.
type ListError = ApiError<{ statuses(&[400, 401, 500, 503]) }>;
/// One endpoint by id: an id the input rules refuse, an unknown endpoint, the database.
type EndpointError = ApiError<{ statuses(&[400, 401, 404, 500, 503]) }>;
/// A replay: also an invalid body.
type ReplayError = ApiError<{ statuses(&[400, 401, 404, 413, 415, 500, 503]) }>;

const _: () = assert!(MAX_ENDPOINT_EVENTS == 11 && MAX_REPLAY_IDS == 100);

super::answer::answers! {
    EventEndpointList => "One page of event endpoints, oldest first (never their secrets).",
    EventEndpointDto => "The event endpoint.",
    EventEndpointWithSecret => "The endpoint with its new secret, shown this once.",
    EventDeliveryList => "One page of the endpoint's deliveries, newest event first.",
    EventDeliveryDto => "How the test event's delivery went.",
}

#[OpenApi(prefix_path = "/api/v1/platform", tag = "ApiTags::Platform")]
impl EventEndpointsApi {
    /// Register an event endpoint (the signing secret is returned once)
    ///
    /// Marquee POSTs each subscribed event, signed with the secret (`Marquee-Signature`,
    /// docs/events.md), for every site or only `site`'s. The secret is stored encrypted.
    #[oai(
        path = "/event-endpoints",
        method = "post",
        operation_id = "create_event_endpoint"
    )]
    async fn create(
        &self,
        _auth: PlatformAuth,
        s: Data<&Services>,
        body: JsonBody<CreateEventEndpoint>,
    ) -> Result<Created<EventEndpointWithSecret>, CreateError> {
        let body = body.0;
        let new = NewEndpoint {
            url: body.url.into_string(),
            events: Text::into_strings(body.events),
            site: body.site.map(|s| s.to_string()),
        };
        let created = s.outbound().create(new).await?;
        Ok(Created::Created(Json(created.into())))
    }

    /// List event endpoints
    ///
    /// Oldest first; pages with `limit` and `after` like every list.
    #[oai(
        path = "/event-endpoints",
        method = "get",
        operation_id = "list_event_endpoints"
    )]
    async fn list(
        &self,
        _auth: PlatformAuth,
        s: Data<&Services>,
        /// Continue after this endpoint: the `next_after` of the previous page.
        after: Query<Option<Text<MAX_CURSOR_CHARS>>>,
        /// Endpoints per page, 1–100 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<i64>>,
    ) -> Result<Answer<EventEndpointList>, ListError> {
        let found = s
            .outbound()
            .list(after.0.as_deref(), limit.0.unwrap_or(paging::DEFAULT_LIMIT))
            .await?;
        Ok(Answer(EventEndpointList {
            event_endpoints: found.items.into_iter().map(Into::into).collect(),
            next_after: found.next_after,
        }))
    }

    /// Get an event endpoint
    #[oai(
        path = "/event-endpoints/:endpoint_id",
        method = "get",
        operation_id = "get_event_endpoint"
    )]
    async fn get(
        &self,
        _auth: PlatformAuth,
        s: Data<&Services>,
        /// The endpoint's `id`.
        endpoint_id: Path<Text<ID_CHARS>>,
    ) -> Result<Answer<EventEndpointDto>, EndpointError> {
        Ok(Answer(s.outbound().get(&endpoint_id).await?.into()))
    }

    /// Delete an event endpoint
    ///
    /// Nothing more is sent to it; its delivery log goes with it.
    #[oai(
        path = "/event-endpoints/:endpoint_id",
        method = "delete",
        operation_id = "delete_event_endpoint"
    )]
    async fn delete(
        &self,
        _auth: PlatformAuth,
        s: Data<&Services>,
        /// The endpoint's `id`.
        endpoint_id: Path<Text<ID_CHARS>>,
    ) -> Result<Deleted, EndpointError> {
        s.outbound().delete(&endpoint_id).await?;
        Ok(Deleted::Deleted)
    }

    /// Rotate an endpoint's signing secret (the new one is returned once)
    ///
    /// For 24 hours the previous secret keeps signing too: `Marquee-Signature` then carries
    /// two `v1` values, so the receiver can switch secrets without losing a delivery.
    #[oai(
        path = "/event-endpoints/:endpoint_id/rotate-secret",
        method = "post",
        operation_id = "rotate_event_endpoint_secret"
    )]
    async fn rotate_secret(
        &self,
        _auth: PlatformAuth,
        s: Data<&Services>,
        /// The endpoint's `id`.
        endpoint_id: Path<Text<ID_CHARS>>,
    ) -> Result<Answer<EventEndpointWithSecret>, EndpointError> {
        Ok(Answer(
            s.outbound().rotate_secret(&endpoint_id).await?.into(),
        ))
    }

    /// The endpoint's delivery log
    ///
    /// Each event sent to it: attempts, the last answer or error, the next attempt, when it
    /// was delivered. Newest event first; pages with `limit` and `after`.
    #[oai(
        path = "/event-endpoints/:endpoint_id/deliveries",
        method = "get",
        operation_id = "list_event_deliveries"
    )]
    async fn deliveries(
        &self,
        _auth: PlatformAuth,
        s: Data<&Services>,
        /// The endpoint's `id`.
        endpoint_id: Path<Text<ID_CHARS>>,
        /// Continue after this delivery: the `next_after` of the previous page.
        after: Query<Option<Text<MAX_CURSOR_CHARS>>>,
        /// Deliveries per page, 1–100 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<i64>>,
    ) -> Result<Answer<EventDeliveryList>, EndpointError> {
        let found = s
            .outbound()
            .deliveries(
                &endpoint_id,
                after.0.as_deref(),
                limit.0.unwrap_or(paging::DEFAULT_LIMIT),
            )
            .await?;
        Ok(Answer(EventDeliveryList {
            deliveries: found.items.into_iter().map(Into::into).collect(),
            next_after: found.next_after,
        }))
    }

    /// Send a test event now
    ///
    /// A `ping` (whatever the endpoint subscribed to), signed like every event, sent at once;
    /// the answer says how it went. A failed ping is retried like any delivery.
    #[oai(
        path = "/event-endpoints/:endpoint_id/test",
        method = "post",
        operation_id = "test_event_endpoint"
    )]
    async fn test(
        &self,
        _auth: PlatformAuth,
        s: Data<&Services>,
        /// The endpoint's `id`.
        endpoint_id: Path<Text<ID_CHARS>>,
    ) -> Result<Answer<EventDeliveryDto>, EndpointError> {
        Ok(Answer(s.outbound().test(&endpoint_id).await?.into()))
    }

    /// Send past events again
    ///
    /// By `event_ids` or by the time they were created (`from`, `to`); only events the
    /// endpoint subscribes to and may see. Delivered, failed and pending ones alike are queued
    /// again with a fresh retry period, in their original order.
    #[oai(
        path = "/event-endpoints/:endpoint_id/replay",
        method = "post",
        operation_id = "replay_events"
    )]
    async fn replay(
        &self,
        _auth: PlatformAuth,
        s: Data<&Services>,
        /// The endpoint's `id`.
        endpoint_id: Path<Text<ID_CHARS>>,
        body: JsonBody<ReplayEvents>,
    ) -> Result<Accepted<ReplayQueued>, ReplayError> {
        let body = body.0;
        let replay = Replay {
            ids: body.event_ids.map(Text::into_strings),
            from: body.from.map(Text::into_string),
            to: body.to.map(Text::into_string),
        };
        let queued = s.outbound().replay(&endpoint_id, replay).await?;
        Ok(Accepted::Accepted(Json(ReplayQueued {
            queued: queued as i64,
        })))
    }
}

//! `/api/v1/platform/event-endpoints` (the platform: every endpoint) and
//! `/api/v1/admin/event-endpoints` (a site builder or owner: the site's own endpoints, scopes
//! `events:read` / `events:write`): where Marquee sends signed events (docs/events.md). One
//! macro writes both APIs, so they differ only in what they must: prefix, credentials, ids,
//! summaries (the admin ones name their scope) and the errors they can answer.

use chrono::{DateTime, FixedOffset, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::ApiTags;
use super::answer::Answer;
use super::body::JsonBody;
use super::enums::SubscribableEvent;
use super::platform::{Created, Deleted};
use super::text::{SlugText, Text};
use crate::domain::event::{
    DeliveryStatus, MAX_ENDPOINT_EVENTS, MAX_ENDPOINT_URL_CHARS, MAX_REPLAY_IDS,
};
use crate::http::auth::{AdminAuth, PlatformAuth};
use crate::http::error::{ApiError, statuses};
use crate::service::Services;
use crate::service::outbound::{
    Caller, Delivery, Endpoint, EndpointWithSecret, NewEndpoint, Replay,
};
use crate::service::paging::{self, MAX_CURSOR_CHARS};

/// Longest endpoint, delivery or event id (they are UUIDs).
const ID_CHARS: usize = 64;

pub struct EventEndpointsApi;
pub struct SiteEventEndpointsApi;

/// An endpoint a site registers: it gets that site's events only.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CreateSiteEventEndpoint {
    /// Where events are POSTed: an `https` URL whose host resolves to public addresses only.
    pub url: Text<MAX_ENDPOINT_URL_CHARS, 1>,
    /// The event types it gets (a type named twice counts once).
    #[oai(validator(min_items = 1, max_items = 11))]
    pub events: Vec<SubscribableEvent>,
}

/// An endpoint the platform registers.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CreateEventEndpoint {
    #[oai(flatten)]
    pub endpoint: CreateSiteEventEndpoint,
    /// Only this site's events (its slug); absent: every site's.
    pub site: Option<SlugText>,
}

impl From<CreateSiteEventEndpoint> for NewEndpoint {
    fn from(body: CreateSiteEventEndpoint) -> Self {
        Self {
            url: body.url.into_string(),
            events: body.events.iter().map(|e| e.as_str().to_owned()).collect(),
            site: None,
        }
    }
}

impl From<CreateEventEndpoint> for NewEndpoint {
    fn from(body: CreateEventEndpoint) -> Self {
        Self {
            site: body.site.map(|s| s.to_string()),
            ..body.endpoint.into()
        }
    }
}

/// A registered endpoint (never its secret).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct EventEndpointDto {
    pub id: String,
    pub url: String,
    pub events: Vec<SubscribableEvent>,
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
            events: e
                .events
                .into_iter()
                .filter_map(SubscribableEvent::new)
                .collect(),
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
    /// A `SubscribableEvent` or `ping`; a string, not an enum, so a log written by a newer
    /// instance (a type this one does not know yet) still reads during a rolling upgrade.
    pub event_type: String,
    pub status: DeliveryStatus,
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
            status: d.status,
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
    /// E.g. `2026-12-01T09:00:00Z`.
    pub from: Option<DateTime<FixedOffset>>,
    /// Later than `from`.
    pub to: Option<DateTime<FixedOffset>>,
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
/// The same for a site's own endpoints: also a key without the scope (403).
type SiteCreateError = ApiError<{ statuses(&[400, 401, 403, 413, 415, 500, 503]) }>;
type SiteListError = ApiError<{ statuses(&[400, 401, 403, 500, 503]) }>;
type SiteEndpointError = ApiError<{ statuses(&[400, 401, 403, 404, 500, 503]) }>;
type SiteReplayError = ApiError<{ statuses(&[400, 401, 403, 404, 413, 415, 500, 503]) }>;

/// Who the credentials make the caller of the outbound-events service.
trait EventsCaller {
    fn caller(&self) -> Caller<'_>;
}

impl EventsCaller for PlatformAuth {
    fn caller(&self) -> Caller<'_> {
        Caller::Platform
    }
}

impl EventsCaller for AdminAuth {
    fn caller(&self) -> Caller<'_> {
        Caller::Site(self.principal())
    }
}

const _: () = assert!(MAX_ENDPOINT_EVENTS == 11 && MAX_REPLAY_IDS == 100);

super::answer::answers! {
    EventEndpointList => "One page of event endpoints, oldest first (never their secrets).",
    EventEndpointDto => "The event endpoint.",
    EventEndpointWithSecret => "The endpoint with its new secret, shown this once.",
    EventDeliveryList => "One page of the endpoint's deliveries, newest event first.",
    EventDeliveryDto => "How the test event's delivery went.",
}

/// Writes one event-endpoints API: `$api` under `$prefix` with `$auth` credentials; for each
/// operation its id and its doc lines (summary, blank line, description), then the body type
/// of a create and the four error types.
macro_rules! event_endpoints_api {
    (
        $api:ident, $prefix:tt, $tag:tt, $auth:ident, $create_body:ident,
        errors($create_error:ident, $list_error:ident, $endpoint_error:ident, $replay_error:ident),
        create($create_id:tt $(, $create_doc:tt)*),
        list($list_id:tt $(, $list_doc:tt)*),
        get($get_id:tt $(, $get_doc:tt)*),
        delete($delete_id:tt $(, $delete_doc:tt)*),
        rotate($rotate_id:tt $(, $rotate_doc:tt)*),
        deliveries($deliveries_id:tt $(, $deliveries_doc:tt)*),
        test($test_id:tt $(, $test_doc:tt)*),
        replay($replay_id:tt $(, $replay_doc:tt)*) $(,)?
    ) => {
        #[OpenApi(prefix_path = $prefix, tag = $tag)]
        impl $api {
            $(#[doc = $create_doc])*
            #[oai(path = "/event-endpoints", method = "post", operation_id = $create_id)]
            async fn create(
                &self,
                auth: $auth,
                s: Data<&Services>,
                body: JsonBody<$create_body>,
            ) -> Result<Created<EventEndpointWithSecret>, $create_error> {
                let created = s.outbound().create(auth.caller(), body.0.into()).await?;
                Ok(Created::Created(Json(created.into())))
            }

            $(#[doc = $list_doc])*
            #[oai(path = "/event-endpoints", method = "get", operation_id = $list_id)]
            async fn list(
                &self,
                auth: $auth,
                s: Data<&Services>,
                /// Continue after this endpoint: the `next_after` of the previous page.
                after: Query<Option<Text<MAX_CURSOR_CHARS>>>,
                /// Endpoints per page, 1–100 (default 50).
                #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
                limit: Query<Option<i64>>,
            ) -> Result<Answer<EventEndpointList>, $list_error> {
                let limit = limit.0.unwrap_or(paging::DEFAULT_LIMIT);
                let found = s.outbound().list(auth.caller(), after.0.as_deref(), limit).await?;
                Ok(Answer(EventEndpointList {
                    event_endpoints: found.items.into_iter().map(Into::into).collect(),
                    next_after: found.next_after,
                }))
            }

            $(#[doc = $get_doc])*
            #[oai(path = "/event-endpoints/:endpoint_id", method = "get", operation_id = $get_id)]
            async fn get(
                &self,
                auth: $auth,
                s: Data<&Services>,
                /// The endpoint's `id`.
                endpoint_id: Path<Text<ID_CHARS>>,
            ) -> Result<Answer<EventEndpointDto>, $endpoint_error> {
                Ok(Answer(s.outbound().get(auth.caller(), &endpoint_id).await?.into()))
            }

            $(#[doc = $delete_doc])*
            #[oai(
                path = "/event-endpoints/:endpoint_id",
                method = "delete",
                operation_id = $delete_id
            )]
            async fn delete(
                &self,
                auth: $auth,
                s: Data<&Services>,
                /// The endpoint's `id`.
                endpoint_id: Path<Text<ID_CHARS>>,
            ) -> Result<Deleted, $endpoint_error> {
                s.outbound().delete(auth.caller(), &endpoint_id).await?;
                Ok(Deleted::Deleted)
            }

            $(#[doc = $rotate_doc])*
            #[oai(
                path = "/event-endpoints/:endpoint_id/rotate-secret",
                method = "post",
                operation_id = $rotate_id
            )]
            async fn rotate_secret(
                &self,
                auth: $auth,
                s: Data<&Services>,
                /// The endpoint's `id`.
                endpoint_id: Path<Text<ID_CHARS>>,
            ) -> Result<Answer<EventEndpointWithSecret>, $endpoint_error> {
                let rotated = s.outbound().rotate_secret(auth.caller(), &endpoint_id).await?;
                Ok(Answer(rotated.into()))
            }

            $(#[doc = $deliveries_doc])*
            #[oai(
                path = "/event-endpoints/:endpoint_id/deliveries",
                method = "get",
                operation_id = $deliveries_id
            )]
            async fn deliveries(
                &self,
                auth: $auth,
                s: Data<&Services>,
                /// The endpoint's `id`.
                endpoint_id: Path<Text<ID_CHARS>>,
                /// Continue after this delivery: the `next_after` of the previous page.
                after: Query<Option<Text<MAX_CURSOR_CHARS>>>,
                /// Deliveries per page, 1–100 (default 50).
                #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
                limit: Query<Option<i64>>,
            ) -> Result<Answer<EventDeliveryList>, $endpoint_error> {
                let limit = limit.0.unwrap_or(paging::DEFAULT_LIMIT);
                let found = s
                    .outbound()
                    .deliveries(auth.caller(), &endpoint_id, after.0.as_deref(), limit)
                    .await?;
                Ok(Answer(EventDeliveryList {
                    deliveries: found.items.into_iter().map(Into::into).collect(),
                    next_after: found.next_after,
                }))
            }

            $(#[doc = $test_doc])*
            #[oai(
                path = "/event-endpoints/:endpoint_id/test",
                method = "post",
                operation_id = $test_id
            )]
            async fn test(
                &self,
                auth: $auth,
                s: Data<&Services>,
                /// The endpoint's `id`.
                endpoint_id: Path<Text<ID_CHARS>>,
            ) -> Result<Answer<EventDeliveryDto>, $endpoint_error> {
                Ok(Answer(s.outbound().test(auth.caller(), &endpoint_id).await?.into()))
            }

            $(#[doc = $replay_doc])*
            #[oai(
                path = "/event-endpoints/:endpoint_id/replay",
                method = "post",
                operation_id = $replay_id
            )]
            async fn replay(
                &self,
                auth: $auth,
                s: Data<&Services>,
                /// The endpoint's `id`.
                endpoint_id: Path<Text<ID_CHARS>>,
                body: JsonBody<ReplayEvents>,
            ) -> Result<Accepted<ReplayQueued>, $replay_error> {
                let queued = s
                    .outbound()
                    .replay(auth.caller(), &endpoint_id, body.0.into())
                    .await?;
                Ok(Accepted::Accepted(Json(ReplayQueued {
                    queued: queued as i64,
                })))
            }
        }
    };
}

impl From<ReplayEvents> for Replay {
    fn from(body: ReplayEvents) -> Self {
        Self {
            ids: body.event_ids.map(Text::into_strings),
            from: body.from.map(|t| t.to_rfc3339()),
            to: body.to.map(|t| t.to_rfc3339()),
        }
    }
}

event_endpoints_api!(
    EventEndpointsApi,
    "/api/v1/platform",
    "ApiTags::Platform",
    PlatformAuth,
    CreateEventEndpoint,
    errors(CreateError, ListError, EndpointError, ReplayError),
    create(
        "create_event_endpoint",
        " Register an event endpoint (the signing secret is returned once)",
        "",
        " Marquee POSTs each subscribed event, signed with the secret (`Marquee-Signature`,",
        " docs/events.md), for every site or only `site`'s. The secret is stored encrypted."
    ),
    list(
        "list_event_endpoints",
        " List event endpoints",
        "",
        " Every endpoint, the sites' own included. Oldest first; pages with `limit` and `after`."
    ),
    get("get_event_endpoint", " Get an event endpoint"),
    delete(
        "delete_event_endpoint",
        " Delete an event endpoint",
        "",
        " Nothing more is sent to it; its delivery log goes with it."
    ),
    rotate(
        "rotate_event_endpoint_secret",
        " Rotate an endpoint's signing secret (the new one is returned once)",
        "",
        " For 24 hours the previous secret keeps signing too: `Marquee-Signature` then carries",
        " two `v1` values, so the receiver can switch secrets without losing a delivery."
    ),
    deliveries(
        "list_event_deliveries",
        " The endpoint's delivery log",
        "",
        " Each event sent to it: attempts, the last answer or error, the next attempt, when it",
        " was delivered. Newest event first; pages with `limit` and `after`."
    ),
    test(
        "test_event_endpoint",
        " Send a test event now",
        "",
        " A `ping` (whatever the endpoint subscribed to), signed like every event, sent at once;",
        " the answer says how it went. A failed ping is retried like any delivery."
    ),
    replay(
        "replay_events",
        " Send past events again",
        "",
        " By `event_ids` or by the time they were created (`from`, `to`); only events the",
        " endpoint subscribes to and may see. Delivered, failed and pending ones alike are queued",
        " again with a fresh retry period, in their original order."
    ),
);

event_endpoints_api!(
    SiteEventEndpointsApi,
    "/api/v1/admin",
    "ApiTags::Admin",
    AdminAuth,
    CreateSiteEventEndpoint,
    errors(
        SiteCreateError,
        SiteListError,
        SiteEndpointError,
        SiteReplayError
    ),
    create(
        "create_site_event_endpoint",
        " Register an endpoint for the site's own events (scope `events:write`)",
        "",
        " Like the platform's, for this site's events only; the signing secret is returned once."
    ),
    list(
        "list_site_event_endpoints",
        " List the site's event endpoints (scope `events:read`)",
        "",
        " Those the site registered (never the platform's). Oldest first; pages with `limit`",
        " and `after`."
    ),
    get(
        "get_site_event_endpoint",
        " Get one of the site's event endpoints (scope `events:read`)"
    ),
    delete(
        "delete_site_event_endpoint",
        " Delete one of the site's event endpoints (scope `events:write`)"
    ),
    rotate(
        "rotate_site_event_endpoint_secret",
        " Rotate the signing secret of a site's endpoint (scope `events:write`)",
        "",
        " The new secret is returned once; the previous one keeps signing for 24 hours."
    ),
    deliveries(
        "list_site_event_deliveries",
        " The delivery log of a site's endpoint (scope `events:read`)"
    ),
    test(
        "test_site_event_endpoint",
        " Send a test event to a site's endpoint now (scope `events:write`)"
    ),
    replay(
        "replay_site_events",
        " Send the site's past events again (scope `events:write`)",
        "",
        " By `event_ids` or by `from` and `to`, like the platform's replay."
    ),
);

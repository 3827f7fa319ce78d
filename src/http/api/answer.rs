//! The 200 answer of an operation that returns one JSON value. [`Answer`] documents it with
//! what the value's type says it is ([`Answered::ANSWER`]), so every response of the document
//! has a description.

use poem::{IntoResponse, Response};
use poem_openapi::payload::Json;
use poem_openapi::registry::{MetaResponse, MetaResponses, Registry};
use poem_openapi::types::ToJSON;
use poem_openapi::{ApiResponse, ResponseContent};

use super::admin::{
    ConnectStart, DisconnectResult, SyncStarted, SyncStatusDto, ZoomConnectionDto, ZoomUserDto,
};
use super::health::HealthStatus;
use super::platform::{ApiKeyList, TenantDto, TenantList};
use super::site_admin::{RegistrationList, SiteSettingsDto, SnippetList};

/// A JSON value that an operation answers with.
pub trait Answered: ToJSON {
    /// The description of a 200 answer carrying this value.
    const ANSWER: &'static str;
}

/// A 200 answer with a JSON body.
pub struct Answer<T>(pub T);

impl<T: Answered + Send> IntoResponse for Answer<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}

impl<T: Answered + Send> ApiResponse for Answer<T> {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: T::ANSWER,
                status: Some(200),
                status_range: None,
                content: <Json<T> as ResponseContent>::media_types(),
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        <Json<T> as ResponseContent>::register(registry);
    }
}

/// Declares what a 200 answer of each type is.
macro_rules! answers {
    ($($ty:ty => $description:literal,)+) => {
        $(impl Answered for $ty {
            const ANSWER: &'static str = $description;
        })+
    };
}

answers! {
    TenantList => "One page of sites, ordered by slug.",
    TenantDto => "The site.",
    ApiKeyList => "One page of the site's API keys, revoked ones included (never the keys themselves).",
    ZoomConnectionDto => "The state of the site's Zoom connection.",
    ConnectStart => "Zoom's consent page, to open in the owner's browser.",
    ZoomUserDto => "The connected Zoom user, as Zoom reports it now.",
    DisconnectResult => "Disconnected: what was revoked and removed.",
    SyncStatusDto => "The site's sync status.",
    SyncStarted => "The sync is queued.",
    SiteSettingsDto => "The site's settings (for a change: as they are after it).",
    SnippetList => "The snippets for each widget.",
    RegistrationList => "One page of registrations, newest first.",
    HealthStatus => "The process answers.",
}

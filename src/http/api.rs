//! The versioned REST API described by OpenAPI. One struct per area; all combined here, in the
//! one function used by the server, `marquee openapi`, and the drift test.

use poem_openapi::{OpenApiService, Tags};

use super::idempotency::IdempotentPosts;
use super::rate_limit::RateLimitsDeclared;

pub mod admin;
pub mod annotated;
pub mod answer;
pub mod body;
pub mod enums;
pub mod event_endpoints;
pub mod health;
pub mod meetings_admin;
pub mod optional_body;
pub mod platform;
pub mod platform_health;
pub mod registrants_admin;
pub mod scopes;
pub mod site_admin;
pub mod sites;
pub mod text;
pub mod webinars_admin;

/// Groups of operations in the spec.
#[derive(Tags)]
pub enum ApiTags {
    /// Operator API: sites (tenants), admin links, tenant API keys and event endpoints.
    /// Platform key required.
    Platform,
    /// Site admin API: the site's Zoom connection and settings. Tenant API key or owner session.
    Admin,
    /// Public, per-site data for visitors and widgets. No authentication.
    Sites,
    /// Liveness and readiness.
    Health,
}

/// Every API, with what the document declares across operations: what `annotated` adds
/// (scopes, the session's CSRF header, no control characters), `Idempotency-Key` on every POST
/// (and its routes made idempotent), and the `RateLimit-*` headers of the rate-limited
/// operations.
pub type Apis = RateLimitsDeclared<
    IdempotentPosts<
        annotated::Annotated<(
            platform::PlatformApi,
            platform_health::PlatformHealthApi,
            event_endpoints::EventEndpointsApi,
            event_endpoints::SiteEventEndpointsApi,
            admin::AdminApi,
            site_admin::SiteAdminApi,
            meetings_admin::MeetingsAdminApi,
            webinars_admin::WebinarsAdminApi,
            registrants_admin::RegistrantsAdminApi,
            sites::SitesApi,
            health::HealthApi,
        )>,
    >,
>;

/// The API service, with `public_url` as the server shown in the spec.
pub fn api_service(public_url: &str) -> OpenApiService<Apis, ()> {
    let apis = annotated::Annotated((
        platform::PlatformApi,
        platform_health::PlatformHealthApi,
        event_endpoints::EventEndpointsApi,
        event_endpoints::SiteEventEndpointsApi,
        admin::AdminApi,
        site_admin::SiteAdminApi,
        meetings_admin::MeetingsAdminApi,
        webinars_admin::WebinarsAdminApi,
        registrants_admin::RegistrantsAdminApi,
        sites::SitesApi,
        health::HealthApi,
    ));
    OpenApiService::new(
        RateLimitsDeclared(IdempotentPosts(apis)),
        "Marquee",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Multi-tenant backend that shows each site owner's own Zoom meetings on their own website. \
         Errors are always `{\"error\": {\"code\", \"message\"}}`.",
    )
    .server(public_url)
}

/// The spec as committed in `openapi/openapi.json` (server URL fixed so it does not drift).
pub fn spec_json() -> String {
    api_service("http://127.0.0.1:8080").spec()
}

//! The HTTP layer: the route tree, and nothing else of substance. Handlers are thin: parse,
//! call one service method, convert. How every error is answered is decided in `error`,
//! headers are added in `middleware`, and no module here names diesel.

use std::sync::Arc;

use poem::endpoint::make_sync;
use poem::middleware::{CatchPanic, CookieJarManager};
use poem::web::Html;
use poem::{Endpoint, EndpointExt, IntoEndpoint, Route, get, post};

use crate::service::Services;
use crate::templates::Templates;

pub mod api;
pub mod auth;
pub mod client;
pub mod embed;
pub mod error;
pub mod html;
pub mod ics;
pub mod idempotency;
pub mod input_guard;
pub mod metrics;
pub mod middleware;
pub mod pages;
pub mod path_params;
pub mod public_guard;
pub mod rate_limit;
pub mod webhooks;
pub mod zoomapp;

/// swagger-ui needs its own inline script and styles.
const DOCS_CSP: &str = "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; \
                        img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Assembles every route of Marquee. The only place routes are defined.
pub fn routes(services: Services, templates: Templates) -> impl Endpoint {
    let public_url = services.config().public_url.clone();
    let max_body = services.config().max_body_bytes;
    let api = api::api_service(&public_url);
    let spec = api.spec();
    let allowed_methods = middleware::AllowedMethods::from_spec(&spec);
    let path_params = path_params::PathParamNames::from_spec(&spec);
    let docs = api
        .swagger_ui()
        .with(poem::middleware::SetHeader::new().overriding("content-security-policy", DOCS_CSP));
    // One service answers every API path. Its public part is mounted a second time under
    // `/api/v1/sites`, where the longer prefix wins, so only visitors' routes get CORS.
    let api = Arc::new(api.into_endpoint().with(path_params));
    Route::new()
        .nest_no_strip("/api/v1/sites", api.clone().with(public_guard::PublicGuard))
        .nest("/", api)
        .at(
            "/openapi.json",
            make_sync(move |_| {
                poem::Response::builder()
                    .content_type("application/json")
                    .body(spec.clone())
            }),
        )
        .nest("/docs", docs)
        .at("/admin", get(pages::admin_home))
        .at(
            "/admin/site",
            get(pages::site_settings).post(pages::save_site_settings),
        )
        .at("/admin/meetings", get(pages::meetings))
        .at(
            "/admin/meetings/new",
            get(pages::new_meeting).post(pages::create_meeting.with(idempotency::FormKey {
                field: pages::MEETING_FORM_KEY_FIELD,
                render: pages::meeting_form_refusal,
            })),
        )
        .at(
            "/admin/meetings/:id/edit",
            get(pages::edit_meeting).post(pages::update_meeting),
        )
        .at("/admin/meetings/:id/start", post(pages::start_meeting))
        .at("/admin/webinars/:id/start", post(pages::start_webinar))
        .at(
            "/admin/meetings/:id/delete",
            get(pages::confirm_delete_meeting).post(pages::delete_meeting),
        )
        .at(
            "/admin/meetings/visibility",
            post(pages::set_meeting_visibility),
        )
        .at("/admin/registrations", get(pages::registrations_page))
        .at("/admin/registrations.csv", get(pages::registrations_csv))
        .at(
            "/admin/registrations/status",
            post(pages::change_registration_status),
        )
        .at("/admin/recordings", get(pages::recordings))
        .at(
            "/admin/recordings/visibility",
            post(pages::set_recording_visibility),
        )
        .at("/admin/sync", get(pages::sync_status).post(pages::sync_now))
        .at("/admin/embed", get(pages::embed_snippets))
        .at("/admin/panel.js", get(pages::panel_js))
        .at("/admin/login", get(pages::login))
        .at("/admin/logout", post(pages::logout))
        .at("/admin/zoom/connect", post(pages::connect))
        .at(
            "/admin/zoom/disconnect",
            get(pages::confirm_disconnect).post(pages::disconnect),
        )
        .at("/admin/zoom/claim", post(pages::claim))
        .at("/zoomapp/install", get(pages::zoomapp_install))
        .at("/zoomapp/home", get(zoomapp::home))
        .at("/zoomapp/app.js", get(zoomapp::app_js))
        .at("/zoomapp/sites/:slug", get(zoomapp::site_page))
        .at(
            "/zoomapp/sites/:slug/meetings",
            post(zoomapp::create_meeting),
        )
        .at(
            "/zoomapp/sites/:slug/meetings/:id/start",
            post(zoomapp::start_meeting),
        )
        .at("/zoomapp/sites/:slug/admin", post(zoomapp::open_admin))
        .at("/zoomapp/authorize", post(zoomapp::authorize_start))
        .at(
            "/zoomapp/authorize/complete",
            post(zoomapp::authorize_complete),
        )
        .at(
            "/zoomapp/authorize/external",
            get(zoomapp::authorize_external),
        )
        .at("/oauth/zoom/callback", get(pages::oauth_callback))
        .at("/webhooks/zoom", post(webhooks::zoom))
        .at("/embed.js", get(embed::embed_js))
        .at("/embed/:site/meetings", get(embed::meetings))
        .at("/embed/:site/webinars", get(embed::webinars))
        .at("/embed/:site/meetings/:id", get(embed::meeting))
        .at(
            "/embed/:site/meetings/:id/register",
            post(embed::register)
                .with(public_guard::registration_limit())
                .with(rate_limit::RegistrationLimits {
                    render: embed::refusal_page,
                })
                .with(idempotency::FormKey {
                    field: embed::FORM_KEY_FIELD,
                    render: embed::refusal_page,
                }),
        )
        .at(
            "/embed/:site/meetings/:id/calendar.ics",
            get(embed::calendar),
        )
        .at("/embed/:site/recordings", get(embed::recordings))
        .at("/metrics", get(metrics::metrics))
        .at("/favicon.ico", make_sync(|_| Html("")))
        .with(input_guard::InputGuard)
        .with(middleware::BodyLimit { max: max_body })
        .catch_all_error(|err| async move { error::to_json_error(err) })
        .with(allowed_methods)
        .with(middleware::SecurityHeaders)
        .with(CookieJarManager::new())
        // A bug must cost one 500 with the usual headers, not the connection.
        .with(CatchPanic::new())
        .with(middleware::RequestLog)
        .data(services)
        .data(templates)
}

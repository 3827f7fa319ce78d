//! Marquee's own limits, told to clients: [`RegistrationLimits`] counts each attempt on the two
//! registration routes (the JSON API's and the plain form's) against the visitor's and the
//! site's limits before the handler runs, and every answer carries the `RateLimit-Limit`,
//! `RateLimit-Remaining` and `RateLimit-Reset` headers (IETF httpapi draft, seconds) of the
//! limit closest to running out; a refusal is the 429 of `http::error::classify`, with
//! `Retry-After`. [`RateLimitsDeclared`] puts the headers in the document.

use std::collections::HashMap;

use poem::endpoint::BoxEndpoint;
use poem::http::{HeaderValue, Method};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};
use poem_openapi::OpenApi;
use poem_openapi::registry::{MetaApi, MetaHeader, Registry};
use poem_openapi::types::Type;

use super::client::client;
use super::error::{Problem, classify, to_json_error};
use super::path_params::ParamNaming;
use super::public_guard::site_in_path;
use crate::domain::rate_limit::RateLimitState;
use crate::service::Services;

/// The operations whose route runs [`RegistrationLimits`] (`http::api::sites`).
const LIMITED_OPERATIONS: [&str; 1] = ["register_for_meeting"];

/// The headers: as written on the wire, as the document names them, and what they say.
const HEADERS: [(&str, &str, &str); 3] = [
    (
        "ratelimit-limit",
        "RateLimit-Limit",
        "Attempts the limit allows in a burst (of the limit closest to running out).",
    ),
    (
        "ratelimit-remaining",
        "RateLimit-Remaining",
        "Attempts still allowed now.",
    ),
    (
        "ratelimit-reset",
        "RateLimit-Reset",
        "Seconds until the whole burst is available again.",
    ),
];

/// Writes the `RateLimit-*` headers of `state`.
pub fn set_headers(resp: &mut Response, state: &RateLimitState) {
    let values = [
        u64::from(state.limit),
        u64::from(state.remaining),
        state.reset_secs(),
    ];
    for ((name, ..), value) in HEADERS.iter().zip(values) {
        resp.headers_mut().insert(*name, HeaderValue::from(value));
    }
}

/// Counts registration attempts (`s.registrations().admit`) and reports the limits.
pub struct RegistrationLimits {
    /// How this route shows a refusal (the JSON envelope, or a page for the form).
    pub render: fn(Problem) -> Response,
}

impl<E: Endpoint> Middleware<E> for RegistrationLimits {
    type Output = RegistrationLimitsEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        RegistrationLimitsEndpoint {
            inner: ep,
            render: self.render,
        }
    }
}

pub struct RegistrationLimitsEndpoint<E> {
    inner: E,
    render: fn(Problem) -> Response,
}

impl<E: Endpoint> Endpoint for RegistrationLimitsEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let services = req
            .data::<Services>()
            .expect("Services is attached to every route")
            .clone();
        let site = site_in_path(req.original_uri().path())
            .unwrap_or_default()
            .to_owned();
        let admitted = services
            .registrations()
            .admit(client(&req, &services.config().trusted_proxies).ip, &site)
            .await;
        let naming = ParamNaming::of(&req);
        let (mut resp, state) = match admitted {
            Ok(state) => match self.inner.call(req).await {
                Ok(resp) => (resp.into_response(), state),
                Err(err) => (to_json_error(naming.apply(err)), state),
            },
            Err(refusal) => {
                let state = refusal.rate_limit();
                ((self.render)(classify(refusal)), state)
            }
        };
        if let Some(state) = state {
            set_headers(&mut resp, &state);
        }
        Ok(resp)
    }
}

/// The API with the `RateLimit-*` headers declared on every answer of the limited operations.
pub struct RateLimitsDeclared<T>(pub T);

impl<T: OpenApi> OpenApi for RateLimitsDeclared<T> {
    fn meta() -> Vec<MetaApi> {
        let mut apis = T::meta();
        let limited = apis
            .iter_mut()
            .flat_map(|api| api.paths.iter_mut())
            .flat_map(|path| path.operations.iter_mut())
            .filter(|op| {
                op.operation_id
                    .is_some_and(|id| LIMITED_OPERATIONS.contains(&id))
            });
        for operation in limited {
            for response in &mut operation.responses.responses {
                response.headers.extend(header_meta());
            }
        }
        apis
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn add_routes(self, route_table: &mut HashMap<String, HashMap<Method, BoxEndpoint<'static>>>) {
        self.0.add_routes(route_table);
    }
}

fn header_meta() -> impl Iterator<Item = MetaHeader> {
    HEADERS.iter().map(|(_, name, description)| MetaHeader {
        name: (*name).to_owned(),
        description: Some((*description).to_owned()),
        required: false,
        deprecated: false,
        schema: <u64 as Type>::schema_ref(),
    })
}

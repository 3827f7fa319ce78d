//! `Idempotency-Key` on every POST of the API, and on the plain registration form (its hidden
//! `idempotency_key` field). [`IdempotentPosts`] declares the header, the answers' header
//! `Idempotent-Replayed` and the 409/422 answers on every POST operation of the document and
//! wraps every POST route in [`Idempotent`], so a POST added later is covered without a line of
//! its own. What is stored, replayed or refused is decided in `service::idempotency`; this
//! module carries requests and answers to and from it (docs/api.md, "Idempotency").
//!
//! The request is authenticated first, with the operation's own security scheme, so a stored
//! answer is only ever consulted for a credential that works now; the handler then runs in a
//! task of its own, so a client that hangs up does not cancel it before its answer is stored.

use std::collections::HashMap;
use std::sync::Arc;

use poem::endpoint::BoxEndpoint;
use poem::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, LOCATION, VARY,
};
use poem::http::{HeaderName, Method, StatusCode};
use poem::{Endpoint, EndpointExt, IntoResponse, Middleware, Request, RequestBody, Response};
use poem_openapi::registry::{
    MetaApi, MetaHeader, MetaOperation, MetaOperationParam, MetaParamIn, MetaSchema, MetaSchemaRef,
    Registry,
};
use poem_openapi::types::Type;
use poem_openapi::{ApiExtractor, ExtractParamOptions, OpenApi};
use tracing::Instrument;

use super::auth::{AdminAuth, PLATFORM_KEY_HEADER, PlatformAuth};
use super::error::{
    Problem, classify, documented_description, error_response_meta, retry_after_meta, to_json_error,
};
use super::path_params::ParamNaming;
use super::public_guard::site_in_path;
use crate::crypto::sha256_hex_of_parts;
use crate::service::Services;
use crate::service::idempotency::{self, Begun, KeyOwner, KeyedRequest, Reservation, StoredAnswer};

/// The request header carrying the key.
pub const KEY_HEADER: &str = "idempotency-key";
/// Set on an answer that is a replay of the first one.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
/// The headers that belong to an answer, stored and replayed with it. Per-response headers
/// (request id, security headers, CORS, rate limits) are made anew for each answer.
const STORED_HEADERS: [HeaderName; 6] = [
    CONTENT_TYPE,
    LOCATION,
    CONTENT_SECURITY_POLICY,
    CACHE_CONTROL,
    VARY,
    ETAG,
];

const KEY_DESCRIPTION: &str = "Makes this request safe to retry: a key the client chooses (1–255 \
    visible ASCII characters, e.g. a UUID). The same request again with the same key, within \
    24 hours and with the same credential, gets the first answer again, byte for byte, with \
    `Idempotent-Replayed: true`, and nothing is done twice. The same key with a different \
    request (method, path or body) is 422 `idempotency_key_reused`; while the first request \
    still runs, 409 `idempotency_key_in_flight` with `Retry-After`. Answers 5xx, 429, 400, \
    413, 401 and 403 are not kept: a retry with the key (corrected, if it was invalid) runs \
    again.";
const REPLAYED_DESCRIPTION: &str = "`true` when this answer is the stored answer of an earlier request with the same `Idempotency-Key`.";
const IN_FLIGHT_DESCRIPTION: &str = "A request with the same `Idempotency-Key` is still running \
    (`idempotency_key_in_flight`); retry after the given seconds.";
const CONFLICT_OR_IN_FLIGHT_DESCRIPTION: &str = "The request clashes with the current state \
    (e.g. slug taken, Zoom not connected), or a request with the same `Idempotency-Key` is \
    still running (`idempotency_key_in_flight`, with `Retry-After`).";

/// Whose keys a route's requests use: the credential's owner, checked with the route's scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    /// `PlatformAuth`: the owner is `platform`, the credential the platform key's hash.
    Platform,
    /// `AdminAuth`: the owner is the key's or session's tenant, the credential that key or
    /// session.
    Admin,
    /// No credential: the owner is the site in the path; the key alone ties a retry to the
    /// client (use a random one).
    Public,
}

/// Where a request carries its key.
#[derive(Clone, Copy)]
enum KeySource {
    Header,
    FormField(&'static str),
}

/// An endpoint whose requests may carry an idempotency key (see the module docs).
pub struct Idempotent<E> {
    inner: Arc<E>,
    surface: Surface,
    source: KeySource,
    /// How this route shows a refusal (the JSON envelope, or a page for the form).
    render: fn(Problem) -> Response,
}

/// The form's key: its hidden field `field`; refusals are shown with `render`.
pub struct FormKey {
    pub field: &'static str,
    pub render: fn(Problem) -> Response,
}

impl<E: Endpoint + 'static> Middleware<E> for FormKey {
    type Output = Idempotent<E>;

    fn transform(&self, ep: E) -> Self::Output {
        Idempotent {
            inner: Arc::new(ep),
            surface: Surface::Public,
            source: KeySource::FormField(self.field),
            render: self.render,
        }
    }
}

impl<E: Endpoint + 'static> Endpoint for Idempotent<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        if matches!(self.source, KeySource::Header) && !req.headers().contains_key(KEY_HEADER) {
            return self.inner.call(req).await.map(IntoResponse::into_response);
        }
        let body = req.take_body().into_bytes().await?;
        let key = match self.key(&req, &body) {
            Ok(Some(key)) => key,
            Ok(None) => {
                req.set_body(body);
                return self.inner.call(req).await.map(IntoResponse::into_response);
            }
            Err(problem) => return Ok((self.render)(problem)),
        };
        let owner = key_owner(self.surface, &req).await?;
        let services = req
            .data::<Services>()
            .expect("Services is attached to every route")
            .clone();
        let target = req
            .original_uri()
            .path_and_query()
            .map_or_else(|| req.original_uri().path().to_owned(), ToString::to_string);
        let begun = services
            .idempotency()
            .begin(KeyedRequest {
                owner: &owner,
                key: &key,
                method: req.method().as_str(),
                target: &target,
                body: &body,
            })
            .await;
        Ok(match begun {
            Ok(Begun::Replay(answer)) => replay(answer),
            Ok(Begun::Run(reservation)) => {
                req.set_body(body);
                self.run(services, reservation, req).await
            }
            Err(refusal) => (self.render)(classify(refusal)),
        })
    }
}

impl<E: Endpoint + 'static> Idempotent<E> {
    fn header(inner: E, surface: Surface) -> Self {
        Self {
            inner: Arc::new(inner),
            surface,
            source: KeySource::Header,
            render: |problem| problem.json_response(),
        }
    }

    /// The request's key, if it has one; a malformed one is refused.
    fn key(&self, req: &Request, body: &[u8]) -> Result<Option<String>, Problem> {
        let key = match self.source {
            // Lossy: a byte that is not visible ASCII is refused by `check_key` either way.
            KeySource::Header => req
                .headers()
                .get(KEY_HEADER)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
            KeySource::FormField(field) => url::form_urlencoded::parse(body)
                .find(|(name, _)| name == field)
                .map(|(_, value)| value.into_owned())
                .filter(|value| !value.is_empty()),
        };
        match key {
            Some(key) => idempotency::check_key(&key)
                .map(|()| Some(key))
                .map_err(classify),
            None => Ok(None),
        }
    }

    /// Runs the request in a task of its own and hands its answer to `finish`.
    async fn run(&self, services: Services, reservation: Reservation, req: Request) -> Response {
        let (inner, keep) = (self.inner.clone(), services.clone());
        let held = reservation.clone();
        let naming = ParamNaming::of(&req);
        let task = async move {
            let resp = match inner.call(req).await {
                Ok(resp) => resp.into_response(),
                Err(err) => to_json_error(naming.apply(err)),
            };
            let (resp, answer) = capture(resp).await;
            if let Err(e) = keep.idempotency().finish(reservation, &answer).await {
                tracing::warn!(error = %e, "idempotent answer not stored; a retry runs again");
            }
            resp
        };
        match tokio::spawn(task.in_current_span()).await {
            Ok(resp) => resp,
            Err(panicked) => {
                tracing::error!(error = %panicked, "an idempotent request failed");
                if let Err(e) = services.idempotency().release(held).await {
                    tracing::warn!(error = %e, "idempotency key not released");
                }
                (self.render)(Problem::internal())
            }
        }
    }
}

/// Whose key this is, once the request's credential is checked as the handler will check it.
async fn key_owner(surface: Surface, req: &Request) -> poem::Result<KeyOwner> {
    Ok(match surface {
        Surface::Platform => {
            let mut no_body = RequestBody::default();
            PlatformAuth::from_request(req, &mut no_body, ExtractParamOptions::default()).await?;
            let presented = req.headers().get(PLATFORM_KEY_HEADER).map(|v| v.as_bytes());
            KeyOwner {
                owner: "platform".to_owned(),
                credential: sha256_hex_of_parts(&[presented.unwrap_or_default()]),
            }
        }
        Surface::Admin => {
            let mut no_body = RequestBody::default();
            let auth =
                AdminAuth::from_request(req, &mut no_body, ExtractParamOptions::default()).await?;
            let principal = auth.principal();
            KeyOwner {
                owner: format!("tenant:{}", principal.tenant_id()),
                credential: principal.credential_id(),
            }
        }
        Surface::Public => KeyOwner {
            owner: site_in_path(req.original_uri().path())
                .map_or_else(|| "public".to_owned(), |site| format!("site:{site}")),
            credential: String::new(),
        },
    })
}

/// The answer, and what of it is stored.
async fn capture(mut resp: Response) -> (Response, StoredAnswer) {
    let Ok(body) = resp.take_body().into_bytes().await else {
        let failed = Problem::internal().json_response();
        let answer = StoredAnswer {
            status: failed.status().as_u16(),
            headers: Vec::new(),
            body: Vec::new(),
        };
        return (failed, answer);
    };
    let headers = STORED_HEADERS
        .iter()
        .flat_map(|name| {
            resp.headers()
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(|v| (name.as_str().to_owned(), v.to_owned()))
        })
        .collect();
    let answer = StoredAnswer {
        status: resp.status().as_u16(),
        headers,
        body: body.to_vec(),
    };
    resp.set_body(body);
    (resp, answer)
}

/// A stored answer, sent again.
fn replay(answer: StoredAnswer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = Response::builder().status(status);
    for (name, value) in answer.headers {
        resp = resp.header(name, value);
    }
    resp.header(REPLAYED_HEADER, "true").body(answer.body)
}

/// The API with every POST operation idempotent: declared in the document and wrapped in
/// [`Idempotent`] (see the module docs).
pub struct IdempotentPosts<T>(pub T);

impl<T: OpenApi> OpenApi for IdempotentPosts<T> {
    fn meta() -> Vec<MetaApi> {
        let mut apis = T::meta();
        for operation in posts(&mut apis) {
            declare(operation);
        }
        apis
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn add_routes(self, route_table: &mut HashMap<String, HashMap<Method, BoxEndpoint<'static>>>) {
        self.0.add_routes(route_table);
        let apis = T::meta();
        let surfaces: HashMap<String, Surface> = apis
            .iter()
            .flat_map(|api| api.paths.iter())
            .flat_map(|path| {
                let shape = route_shape(&path.path);
                path.operations
                    .iter()
                    .filter(|op| op.method == Method::POST)
                    .map(move |op| (shape.clone(), surface_of(op)))
            })
            .collect();
        for (path, methods) in route_table.iter_mut() {
            let Some(surface) = surfaces.get(&route_shape(path)) else {
                continue;
            };
            if let Some(ep) = methods.remove(&Method::POST) {
                methods.insert(Method::POST, Idempotent::header(ep, *surface).boxed());
            }
        }
    }
}

fn posts(apis: &mut [MetaApi]) -> impl Iterator<Item = &mut MetaOperation> {
    apis.iter_mut()
        .flat_map(|api| api.paths.iter_mut())
        .flat_map(|path| path.operations.iter_mut())
        .filter(|op| op.method == Method::POST)
}

/// A path with its parameters blanked, so the route table's (`/x/:param0`) and the document's
/// (`/x/{slug}`) spellings of one path compare equal.
fn route_shape(path: &str) -> String {
    path.split('/')
        .map(
            |segment| match segment.starts_with(':') || segment.starts_with('{') {
                true => "*",
                false => segment,
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// The operation's surface, from the security schemes it accepts.
fn surface_of(op: &MetaOperation) -> Surface {
    let accepts = |schemes: Vec<&'static str>| {
        op.security
            .iter()
            .any(|requirement| schemes.iter().any(|s| requirement.contains_key(s)))
    };
    if op.security.is_empty() {
        Surface::Public
    } else if accepts(<PlatformAuth as ApiExtractor>::security_schemes()) {
        Surface::Platform
    } else if accepts(<AdminAuth as ApiExtractor>::security_schemes()) {
        Surface::Admin
    } else {
        panic!(
            "POST {:?}: a security scheme the idempotency layer does not know",
            op.operation_id
        )
    }
}

const MALFORMED_KEY_DESCRIPTION: &str =
    "The `Idempotency-Key` is not 1–255 visible ASCII characters (`field: \"Idempotency-Key\"`).";

/// The header parameter, the replay header on every answer that can be replayed, and the
/// 409 and 422 answers (and 400 for a malformed key where the operation has none).
fn declare(op: &mut MetaOperation) {
    op.params.push(MetaOperationParam {
        name: "Idempotency-Key".to_owned(),
        schema: MetaSchemaRef::Inline(Box::new(MetaSchema {
            min_length: Some(1),
            max_length: Some(255),
            pattern: Some("^[!-~]+$".to_owned()),
            ..MetaSchema::new("string")
        })),
        in_type: MetaParamIn::Header,
        description: Some(KEY_DESCRIPTION.to_owned()),
        required: false,
        deprecated: false,
        explode: true,
        style: None,
    });
    let responses = &mut op.responses.responses;
    for response in responses.iter_mut() {
        if response
            .status
            .is_some_and(idempotency::is_replayable_status)
        {
            response.headers.push(replayed_header_meta());
        }
    }
    match responses.iter_mut().find(|r| r.status == Some(409)) {
        Some(conflict) => {
            conflict.description = CONFLICT_OR_IN_FLIGHT_DESCRIPTION;
            conflict.headers.push(retry_after_meta());
        }
        None => insert_in_order(
            responses,
            error_response_meta(409, IN_FLIGHT_DESCRIPTION, true),
        ),
    }
    // A malformed key is refused before the operation runs, even by one with no body.
    if !responses.iter().any(|r| r.status == Some(400)) {
        let malformed = error_response_meta(400, MALFORMED_KEY_DESCRIPTION, false);
        insert_in_order(responses, malformed);
    }
    let reused = error_response_meta(422, documented_description(422), false);
    insert_in_order(responses, reused);
}

fn insert_in_order(
    responses: &mut Vec<poem_openapi::registry::MetaResponse>,
    response: poem_openapi::registry::MetaResponse,
) {
    let at = responses
        .iter()
        .position(|r| r.status.is_some_and(|s| Some(s) > response.status))
        .unwrap_or(responses.len());
    responses.insert(at, response);
}

fn replayed_header_meta() -> MetaHeader {
    MetaHeader {
        name: "Idempotent-Replayed".to_owned(),
        description: Some(REPLAYED_DESCRIPTION.to_owned()),
        required: false,
        deprecated: false,
        schema: <String as Type>::schema_ref(),
    }
}

#[cfg(test)]
mod tests {
    use super::route_shape;

    #[test]
    fn route_table_and_document_paths_compare_by_shape() {
        assert_eq!(
            route_shape("/api/v1/platform/tenants/:param0/api-keys"),
            route_shape("/api/v1/platform/tenants/{slug}/api-keys")
        );
        assert_ne!(
            route_shape("/api/v1/platform/tenants"),
            route_shape("/api/v1/platform/tenants/{slug}")
        );
    }
}

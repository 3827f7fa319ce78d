//! The request pipeline every simulator route goes through: call statistics, fault injection,
//! and for `/v2` routes API authentication, scopes and rate limits with their `X-RateLimit-*`
//! headers (docs/zoom.md §1.7, §1.9, §5). [`Routes`] collects the handlers of every route group
//! and builds the poem router from them.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use poem::http::{HeaderValue, Method, StatusCode};
use poem::{Endpoint, Request, Response, Route, RouteMethod};

use super::access::{Scopes, gate};
use super::call::Call;
use super::respond::{HResult, zoom_error};
use crate::faults::{Fault, FaultKind};
use crate::sim::Sim;
use crate::world::rate_limit::Category;

/// How a route is guarded.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    /// OAuth, control API and pages: no token.
    Plain,
    /// A Zoom `/v2` route: Bearer token, scopes and a rate-limit category.
    Api(Category, Scopes),
}

/// One route: its handler and what the pipeline needs to know about it.
struct SimEp<F> {
    sim: Arc<Sim>,
    method: Method,
    template: &'static str,
    key: String,
    params: Vec<&'static str>,
    kind: Kind,
    handler: F,
}

/// Parameter names of a template such as `/v2/meetings/{meetingId}`.
fn template_params(template: &'static str) -> Vec<&'static str> {
    template
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect()
}

/// `{name}` → `:name` for poem's router.
fn poem_path(template: &str) -> String {
    template
        .split('/')
        .map(
            |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => format!(":{name}"),
                None => seg.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// What an armed fault does before the handler would run: `Some` = the answer instead of it.
async fn fault_before_handler(
    sim: &Sim,
    f: &Fault,
    remote: Option<SocketAddr>,
) -> Option<Response> {
    match f.kind {
        FaultKind::Status => {
            let status = f.status.unwrap_or(500);
            let msg = "Simulated failure injected by the Zoom simulator.";
            Some(zoom_error(status, status as i64, msg))
        }
        FaultKind::Timeout => {
            tokio::time::sleep(f.delay()).await;
            sim.conns.kill(remote);
            Some(
                Response::builder()
                    .status(StatusCode::GATEWAY_TIMEOUT)
                    .finish(),
            )
        }
        FaultKind::Drop => {
            sim.conns.kill(remote);
            Some(Response::builder().status(StatusCode::BAD_GATEWAY).finish())
        }
        FaultKind::Slow => {
            tokio::time::sleep(f.delay()).await;
            None
        }
        FaultKind::DropAfterCommit => None,
    }
}

impl<F, Fut> Endpoint for SimEp<F>
where
    F: Fn(Arc<Sim>, Call) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = HResult> + Send + 'static,
{
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        let sim = self.sim.clone();
        sim.stats().call(&self.key);
        let remote = req.remote_addr().as_socket_addr().copied();
        let path = req.uri().path().to_string();
        let fault = sim
            .faults()
            .take(self.method.as_str(), &path, self.template);
        if let Some(f) = &fault {
            sim.stats().faults_served += 1;
            if let Some(answer) = fault_before_handler(&sim, f, remote).await {
                return Ok(answer);
            }
        }
        let call = Call::read(&mut req, &self.params).await;
        let response = match self.kind {
            Kind::Plain => (self.handler)(sim.clone(), call)
                .await
                .unwrap_or_else(|e| e),
            Kind::Api(category, scopes) => self.api_call(&sim, call, category, scopes).await,
        };
        if matches!(fault, Some(ref f) if f.kind == FaultKind::DropAfterCommit) {
            sim.conns.kill(remote);
        }
        Ok(response)
    }
}

impl<F, Fut> SimEp<F>
where
    F: Fn(Arc<Sim>, Call) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = HResult> + Send + 'static,
{
    /// Authenticates (docs/zoom.md §1.7), checks scopes (§1.9) and the account's budget (§5),
    /// then runs the handler and stamps the `X-RateLimit-*` headers.
    async fn api_call(&self, sim: &Arc<Sim>, mut call: Call, c: Category, s: Scopes) -> Response {
        let (auth, verdict) = match gate(sim, &call, c, s) {
            Ok(ok) => ok,
            Err(e) => return e.into(),
        };
        let mut response = if verdict.limited {
            sim.stats().rate_limited += 1;
            zoom_error(429, 429, verdict.message())
        } else {
            call.auth = Some(auth);
            (self.handler)(sim.clone(), call)
                .await
                .unwrap_or_else(|e| e)
        };
        for (name, value) in verdict.headers() {
            if let Ok(v) = HeaderValue::from_str(&value) {
                response.headers_mut().insert(name, v);
            }
        }
        response
    }
}

/// Collects routes (several methods may share a path) and builds the poem router.
pub(crate) struct Routes {
    sim: Arc<Sim>,
    map: BTreeMap<String, RouteMethod>,
}

impl Routes {
    /// An empty route table serving `sim`.
    pub(crate) fn new(sim: &Arc<Sim>) -> Self {
        Self {
            sim: sim.clone(),
            map: BTreeMap::new(),
        }
    }

    /// Registers `handler` for `method template` (template uses Zoom's `{name}` syntax, which is
    /// also the key in `GET /_sim/stats`).
    pub(crate) fn add<F, Fut>(
        &mut self,
        method: Method,
        template: &'static str,
        kind: Kind,
        handler: F,
    ) where
        F: Fn(Arc<Sim>, Call) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HResult> + Send + 'static,
    {
        let ep = SimEp {
            sim: self.sim.clone(),
            key: format!("{method} {template}"),
            method: method.clone(),
            template,
            params: template_params(template),
            kind,
            handler,
        };
        let path = poem_path(template);
        let rm = self.map.remove(&path).unwrap_or_default();
        self.map.insert(path, rm.method(method, ep));
    }

    /// The poem router of every route added.
    pub(crate) fn build(self) -> Route {
        self.map
            .into_iter()
            .fold(Route::new(), |route, (path, rm)| route.at(path, rm))
    }
}

//! The request pipeline every simulator route goes through: call statistics, fault injection,
//! API authentication and rate limits (for `/v2`), `x-zm-trackingid` on every response
//! (reference §1.7), and connections that a fault can drop without answering.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use poem::http::uri::Scheme;
use poem::http::{HeaderMap, HeaderValue, Method, StatusCode};
use poem::listener::Acceptor;
use poem::web::{LocalAddr, RemoteAddr};
use poem::{Addr, Endpoint, EndpointExt, IntoResponse, Request, Response, Route, RouteMethod};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use super::api::{self, Auth};
use super::faults::FaultKind;
use super::rate_limit::Category;
use super::state::Sim;

/// Largest request body the simulator reads (Zoom bodies are small JSON or forms).
const MAX_BODY: usize = 1024 * 1024;

/// A handler's result: both arms are finished responses (`Err` = an error response).
pub(crate) type HResult = Result<Response, Response>;

// ---------------------------------------------------------------------------------------------
// Responses

pub(crate) fn json_response(status: u16, body: &Value) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
        .content_type("application/json;charset=UTF-8")
        .body(serde_json::to_vec(body).expect("JSON values serialize"))
}

/// Zoom's API error body `{code, message}` (reference §4.1).
pub(crate) fn zoom_error(status: u16, code: i64, message: impl Into<String>) -> Response {
    json_response(status, &json!({"code": code, "message": message.into()}))
}

/// Zoom's validation failure: code 300 with `errors` (reference §4.1).
pub(crate) fn validation_error(field: &str, message: &str) -> Response {
    json_response(
        400,
        &json!({"code": 300, "message": "Validation Failed.",
                "errors": [{"field": field, "message": message}]}),
    )
}

pub(crate) fn no_content() -> Response {
    Response::builder().status(StatusCode::NO_CONTENT).finish()
}

pub(crate) fn html(status: u16, body: String) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
        .content_type("text/html; charset=utf-8")
        .body(body)
}

pub(crate) fn redirect(location: &str) -> Response {
    Response::builder()
        .status(StatusCode::FOUND)
        .header("Location", location)
        .finish()
}

/// Minimal HTML escaping for the simulator's pages.
pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Percent-decodes a path segment (bytes that are not valid UTF-8 are replaced).
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex_pair = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        if bytes[i] == b'%'
            && let Some(b) = hex_pair.and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---------------------------------------------------------------------------------------------
// The call a handler sees

/// One request, read in full, with the API caller's identity when the route is a `/v2` one.
pub(crate) struct Call {
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    params: Vec<(String, String)>,
    pub auth: Option<Auth>,
}

impl Call {
    /// A path parameter, percent-decoded.
    pub(crate) fn param(&self, name: &str) -> String {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| percent_decode(v))
            .unwrap_or_default()
    }

    /// A path parameter exactly as sent (still percent-encoded).
    pub(crate) fn raw_param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as an urlencoded form (empty when it is not one).
    pub(crate) fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(&self.body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    /// A parameter from the form body, falling back to the query string (reference §1.3).
    pub(crate) fn form_or_query(&self, name: &str) -> Option<String> {
        self.form()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
            .or_else(|| self.query(name).map(str::to_string))
    }

    /// The JSON body; an empty body reads as `{}`.
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T, Response> {
        let body: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &self.body
        };
        serde_json::from_slice(body).map_err(|e| {
            zoom_error(
                400,
                300,
                format!("Request Body should be a valid JSON object. {e}"),
            )
        })
    }

    pub(crate) fn auth(&self) -> &Auth {
        self.auth.as_ref().expect("API routes always carry auth")
    }
}

// ---------------------------------------------------------------------------------------------
// Route table

/// Scopes that satisfy an API route (reference §1.9): any of `user` or `admin`; acting on another
/// user's data needs one of `admin`.
#[derive(Clone, Copy)]
pub(crate) struct Scopes {
    pub user: &'static [&'static str],
    pub admin: &'static [&'static str],
}

#[derive(Clone, Copy)]
pub(crate) enum Kind {
    /// OAuth, control API and pages: no token.
    Plain,
    /// A Zoom `/v2` route: Bearer token, scopes and a rate-limit category.
    Api(Category, Scopes),
}

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
        let fault = sim.faults.lock().unwrap_or_else(|e| e.into_inner()).take(
            self.method.as_str(),
            &path,
            self.template,
        );
        if let Some(f) = &fault {
            sim.stats().faults_served += 1;
            match f.kind {
                FaultKind::Status => {
                    let status = f.status.unwrap_or(500);
                    let msg = "Simulated failure injected by the Zoom simulator.";
                    return Ok(zoom_error(status, status as i64, msg));
                }
                FaultKind::Timeout => {
                    tokio::time::sleep(f.delay()).await;
                    sim.conns.kill(remote);
                    return Ok(Response::builder()
                        .status(StatusCode::GATEWAY_TIMEOUT)
                        .finish());
                }
                FaultKind::Drop => {
                    sim.conns.kill(remote);
                    return Ok(Response::builder().status(StatusCode::BAD_GATEWAY).finish());
                }
                FaultKind::Slow => tokio::time::sleep(f.delay()).await,
                FaultKind::DropAfterCommit => {}
            }
        }
        let call = self.read_call(&mut req).await;
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
    async fn read_call(&self, req: &mut Request) -> Call {
        let body = req
            .take_body()
            .into_bytes_limit(MAX_BODY)
            .await
            .map(|b| b.to_vec())
            .unwrap_or_default();
        let query = url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let params = self
            .params
            .iter()
            .map(|p| {
                (
                    p.to_string(),
                    req.raw_path_param(p).unwrap_or("").to_string(),
                )
            })
            .collect();
        Call {
            path: req.uri().path().to_string(),
            query,
            headers: req.headers().clone(),
            body,
            params,
            auth: None,
        }
    }

    /// Authenticates (reference §1.7), checks scopes (§1.9) and the account's budget (§5),
    /// then runs the handler and stamps the `X-RateLimit-*` headers.
    async fn api_call(&self, sim: &Arc<Sim>, mut call: Call, c: Category, s: Scopes) -> Response {
        let (auth, verdict) = match api::gate(sim, &call, c, s) {
            Ok(ok) => ok,
            Err(resp) => return resp,
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

    fn build(self) -> Route {
        self.map
            .into_iter()
            .fold(Route::new(), |route, (path, rm)| route.at(path, rm))
    }
}

/// The whole simulator: zoom.us (`/oauth`), api.zoom.us (`/v2`), the control API and pages.
pub(crate) fn router(sim: &Arc<Sim>) -> impl Endpoint + 'static {
    let mut routes = Routes::new(sim);
    super::oauth::routes(&mut routes);
    super::api::routes(&mut routes);
    super::control::routes(&mut routes);
    super::pages::routes(&mut routes);
    routes.build().around(|ep, req| async move {
        let mut resp = match ep.call(req).await {
            Ok(r) => r,
            Err(e) => {
                let status = e.status().as_u16();
                zoom_error(status, status as i64, e.to_string())
            }
        }
        .into_response();
        resp.headers_mut().insert("x-zm-trackingid", tracking_id());
        Ok(resp)
    })
}

/// `v=2.0;clid=…;rid=WEB_<32 hex>` like Zoom's (reference §1.7).
fn tracking_id() -> HeaderValue {
    let rid = hex::encode(rand::random::<[u8; 16]>());
    HeaderValue::from_str(&format!("v=2.0;clid=sim01;rid=WEB_{rid}")).expect("ASCII header value")
}

// ---------------------------------------------------------------------------------------------
// Connections a fault can drop

/// Live connections by peer address, each with a kill switch.
#[derive(Clone, Default)]
pub(crate) struct ConnRegistry(Arc<Mutex<HashMap<SocketAddr, Arc<AtomicBool>>>>);

impl ConnRegistry {
    fn register(&self, addr: SocketAddr) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(false));
        self.lock().insert(addr, flag.clone());
        flag
    }

    fn unregister(&self, addr: &SocketAddr) {
        self.lock().remove(addr);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SocketAddr, Arc<AtomicBool>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes the connection fail its next read/write, so hyper closes it without answering.
    pub(crate) fn kill(&self, addr: Option<SocketAddr>) {
        if let Some(flag) = addr.and_then(|a| self.lock().get(&a).cloned()) {
            flag.store(true, Ordering::SeqCst);
        }
    }
}

/// A TCP acceptor whose streams can be killed from a handler (fault kinds `drop`, `timeout`,
/// `drop_after_commit`).
pub(crate) struct KillableAcceptor {
    listener: tokio::net::TcpListener,
    local: SocketAddr,
    conns: ConnRegistry,
}

impl KillableAcceptor {
    pub(crate) fn new(listener: tokio::net::TcpListener, conns: ConnRegistry) -> Self {
        let local = listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)));
        Self {
            listener,
            local,
            conns,
        }
    }
}

impl Acceptor for KillableAcceptor {
    type Io = KillableStream;

    fn local_addr(&self) -> Vec<LocalAddr> {
        vec![LocalAddr(Addr::SocketAddr(self.local))]
    }

    async fn accept(&mut self) -> io::Result<(Self::Io, LocalAddr, RemoteAddr, Scheme)> {
        let (stream, addr) = self.listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let killed = self.conns.register(addr);
        let io = KillableStream {
            inner: stream,
            killed,
            addr,
            conns: self.conns.clone(),
        };
        Ok((
            io,
            LocalAddr(Addr::SocketAddr(self.local)),
            RemoteAddr(Addr::SocketAddr(addr)),
            Scheme::HTTP,
        ))
    }
}

pub(crate) struct KillableStream {
    inner: TcpStream,
    killed: Arc<AtomicBool>,
    addr: SocketAddr,
    conns: ConnRegistry,
}

impl KillableStream {
    fn is_killed(&self) -> bool {
        self.killed.load(Ordering::SeqCst)
    }
}

impl Drop for KillableStream {
    fn drop(&mut self) {
        self.conns.unregister(&self.addr);
    }
}

fn killed_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionReset,
        "dropped by a simulator fault",
    )
}

impl AsyncRead for KillableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.is_killed() {
            return Poll::Ready(Err(killed_error()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.is_killed() {
            return Poll::Ready(Err(killed_error()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.is_killed() {
            return Poll::Ready(Err(killed_error()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

//! The call a handler sees: one request read in full (path, query, headers, body, path
//! parameters) and, on `/v2` routes, the [`Auth`] of the caller its Bearer token names.

use poem::http::HeaderMap;
use poem::{Request, Response};
use serde::de::DeserializeOwned;

use super::respond::zoom_error;
use crate::events::Operator;

/// The caller of an API route, from its Bearer token.
#[derive(Debug, Clone)]
pub(crate) struct Auth {
    pub user_id: String,
    pub account_id: String,
    pub email: String,
    pub scopes: Vec<String>,
    /// The route's admin scopes: needed to act on another user's data (docs/zoom.md §1.8).
    pub admin_scopes: &'static [&'static str],
}

impl Auth {
    /// Whether the token holds one of the route's admin scopes.
    pub(crate) fn is_admin(&self) -> bool {
        self.admin_scopes
            .iter()
            .any(|s| self.scopes.iter().any(|t| t == s))
    }

    /// The caller as the `operator` of the events its changes cause.
    pub(crate) fn operator(&self) -> Operator {
        Operator {
            email: self.email.clone(),
            id: self.user_id.clone(),
        }
    }
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

/// One request, read in full, with the API caller's identity when the route is a `/v2` one.
pub(crate) struct Call {
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    params: Vec<(String, String)>,
    pub auth: Option<Auth>,
}

/// Largest request body the simulator reads (Zoom bodies are small JSON or forms).
const MAX_BODY: usize = 1024 * 1024;

impl Call {
    /// Reads the whole request; `param_names` are the route template's `{name}`s.
    pub(crate) async fn read(req: &mut Request, param_names: &[&'static str]) -> Call {
        let body = req
            .take_body()
            .into_bytes_limit(MAX_BODY)
            .await
            .map(|b| b.to_vec())
            .unwrap_or_default();
        let query = url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let params = param_names
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

    /// A query-string parameter.
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A request header that is valid text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as an urlencoded form (empty when it is not one).
    pub(crate) fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(&self.body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    /// A parameter from the form body, falling back to the query string (docs/zoom.md §1.3).
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

    /// The caller of an API route (set by the pipeline before the handler runs).
    pub(crate) fn auth(&self) -> &Auth {
        self.auth.as_ref().expect("API routes always carry auth")
    }
}

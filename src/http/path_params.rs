//! [`PathParamNames`]: inside poem-openapi, path parameters are called `param0`, `param1`, …
//! in order, and a path value that does not parse is refused under that name. This names the
//! parameter as the document does (`slug`, `meeting_id`) in `error.field` and the message, like
//! every other refused input. The names come from the document's path templates.

use std::sync::Arc;

use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use poem_openapi::error::ParsePathError;
use serde_json::Value;

use super::error::Problem;

pub struct PathParamNames {
    templates: Arc<Vec<Vec<String>>>,
}

impl PathParamNames {
    /// The lookup from the OpenAPI document's `paths`.
    pub fn from_spec(spec: &str) -> Self {
        let doc: Value = serde_json::from_str(spec).expect("the OpenAPI document is JSON");
        let templates = doc["paths"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(template, _)| template.split('/').map(str::to_owned).collect())
            .collect();
        Self {
            templates: Arc::new(templates),
        }
    }
}

/// Whether `path` is an instance of the template's `segments` (`{name}` matches any segment).
pub fn template_matches(segments: &[String], path: &str) -> bool {
    let mut given = path.trim_end_matches('/').split('/');
    let mut template = segments.iter();
    loop {
        match (given.next(), template.next()) {
            (None, None) => return true,
            (Some(part), Some(expected)) if expected.starts_with('{') || part == expected => {}
            _ => return false,
        }
    }
}

impl<E: Endpoint> Middleware<E> for PathParamNames {
    type Output = PathParamNamesEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        PathParamNamesEndpoint {
            inner: ep,
            templates: self.templates.clone(),
        }
    }
}

pub struct PathParamNamesEndpoint<E> {
    inner: E,
    templates: Arc<Vec<Vec<String>>>,
}

/// The document's path templates, attached to every API request: wrappers that turn errors
/// into answers themselves (idempotency, rate limits) name parameters through it too.
#[derive(Clone)]
struct DocumentPaths(Arc<Vec<Vec<String>>>);

impl<E: Endpoint> Endpoint for PathParamNamesEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        req.set_data(DocumentPaths(self.templates.clone()));
        let naming = ParamNaming::of(&req);
        match self.inner.call(req).await {
            Ok(resp) => Ok(resp.into_response()),
            Err(err) => Err(naming.apply(err)),
        }
    }
}

/// What renaming a refused path parameter needs from its request, taken before the request
/// is handed on.
pub struct ParamNaming {
    path: String,
    templates: Option<Arc<Vec<Vec<String>>>>,
}

impl ParamNaming {
    pub fn of(req: &Request) -> Self {
        Self {
            path: req.uri().path().to_owned(),
            templates: req.data::<DocumentPaths>().map(|d| d.0.clone()),
        }
    }

    /// `err` with a refused path parameter under the document's name; other errors unchanged.
    pub fn apply(&self, err: poem::Error) -> poem::Error {
        match err.downcast_ref::<ParsePathError>() {
            Some(bad) => {
                let name = self.document_name(bad.name);
                Problem::bad_parameter(name.unwrap_or("path"), &bad.reason).into()
            }
            None => err,
        }
    }

    /// The document's name of poem-openapi's `param{i}` in the template the path matches.
    fn document_name(&self, internal: &str) -> Option<&str> {
        let index: usize = internal.strip_prefix("param")?.parse().ok()?;
        let templates = self.templates.as_deref()?;
        let template = templates.iter().find(|t| template_matches(t, &self.path))?;
        template
            .iter()
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .nth(index)
    }
}

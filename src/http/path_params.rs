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

impl<E: Endpoint> Endpoint for PathParamNamesEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let path = req.uri().path().to_owned();
        let err = match self.inner.call(req).await {
            Ok(resp) => return Ok(resp.into_response()),
            Err(err) => err,
        };
        match err.downcast_ref::<ParsePathError>() {
            Some(bad) => {
                let name = self.document_name(&path, bad.name);
                Err(Problem::bad_parameter(name.unwrap_or("path"), &bad.reason).into())
            }
            None => Err(err),
        }
    }
}

impl<E> PathParamNamesEndpoint<E> {
    /// The document's name of poem-openapi's `param{i}` in the template `path` matches.
    fn document_name(&self, path: &str, internal: &str) -> Option<&str> {
        let index: usize = internal.strip_prefix("param")?.parse().ok()?;
        let template = self.templates.iter().find(|t| template_matches(t, path))?;
        template
            .iter()
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .nth(index)
    }
}

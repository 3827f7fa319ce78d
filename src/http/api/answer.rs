//! The 200 answer of an operation that returns one JSON value. [`Answer`] documents it with
//! what the value's type says it is ([`Answered::ANSWER`]), so every response of the document
//! has a description.

use poem::{IntoResponse, Response};
use poem_openapi::payload::Json;
use poem_openapi::registry::{MetaResponse, MetaResponses, Registry};
use poem_openapi::types::ToJSON;
use poem_openapi::{ApiResponse, ResponseContent};

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

/// Declares what a 200 answer of each type is; each API module says it beside its types.
macro_rules! answers {
    ($($ty:ty => $description:literal,)+) => {
        $(impl $crate::http::api::answer::Answered for $ty {
            const ANSWER: &'static str = $description;
        })+
    };
}
pub(crate) use answers;

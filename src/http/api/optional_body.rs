//! An optional JSON request body. poem-openapi's `Json<Option<T>>` documents the body as
//! optional but still refuses a request without `Content-Type`, which is how a body-less POST
//! arrives; an operation that gained its body later must keep taking those requests.

use poem::{Request, RequestBody};
use poem_openapi::error::ContentTypeError;
use poem_openapi::payload::{Json, ParsePayload, Payload};
use poem_openapi::registry::{MetaMediaType, MetaRequest, Registry};
use poem_openapi::types::ParseFromJSON;
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};

use super::body::JsonBody;

/// A JSON body that may be left out: no body (and no `Content-Type`), or JSON `null`, is `None`.
pub struct OptionalJson<T>(pub Option<T>);

impl<'a, T: ParseFromJSON> ApiExtractor<'a> for OptionalJson<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Json<T> as Payload>::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: <Json<T> as Payload>::CONTENT_TYPE,
                schema: <Json<T> as Payload>::schema_ref(),
            }],
            required: false,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        match request.content_type() {
            None if body_is_empty(request) => Ok(Self(None)),
            None => Err(ContentTypeError::ExpectContentType.into()),
            Some(content_type) if !<Json<T> as Payload>::check_content_type(content_type) => {
                Err(ContentTypeError::NotSupported {
                    content_type: content_type.to_owned(),
                }
                .into())
            }
            Some(_) => {
                // JsonBody's parsing, so a refused value names its field like any other body.
                let parsed =
                    <JsonBody<Option<T>> as ParsePayload>::from_request(request, body).await?;
                Ok(Self(parsed.0))
            }
        }
    }
}

/// Whether the request says it carries no body (`Content-Length: 0`, or no length and no
/// chunked transfer: a POST without a body).
fn body_is_empty(request: &Request) -> bool {
    let headers = request.headers();
    let length = headers
        .get(poem::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    match length {
        Some(length) => length == "0",
        None => !headers.contains_key(poem::http::header::TRANSFER_ENCODING),
    }
}

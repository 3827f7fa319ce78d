//! `POST /webhooks/zoom`: Zoom's event notifications (docs/zoom.md §2). A plain poem handler, not
//! an OpenAPI operation: the signature covers the raw bytes, so the body must reach the service
//! untouched, and the contract is Zoom's, not ours.
//!
//! Answers: 200 `{"plainToken","encryptedToken"}` to a URL validation; 200 once an event is
//! stored (or recognised as a duplicate); 401 when verification fails (nothing stored).

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Request, Response, handler};

use crate::http::error::{Problem, classify};
use crate::service::Services;
use crate::service::webhooks::{WebhookAck, WebhookDelivery};

fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

#[handler]
pub async fn zoom(req: &Request, body: poem::Body, s: Data<&Services>) -> Response {
    // The body limit middleware already bounds the size.
    let body = match body.into_bytes().await {
        Ok(bytes) => bytes,
        Err(e) => return Problem::invalid(e.to_string()).json_response(),
    };
    let delivery = WebhookDelivery {
        timestamp: header(req, "x-zm-request-timestamp"),
        signature: header(req, "x-zm-signature"),
        tracking_id: header(req, "x-zm-trackingid"),
        body: &body,
    };
    match s.webhooks().receive(delivery).await {
        Ok(WebhookAck::Validation {
            plain_token,
            encrypted_token,
        }) => {
            let answer = serde_json::json!({
                "plainToken": plain_token,
                "encryptedToken": encrypted_token,
            });
            Response::builder()
                .status(StatusCode::OK)
                .content_type("application/json")
                .body(answer.to_string())
        }
        Ok(WebhookAck::Stored | WebhookAck::Duplicate) => Response::builder()
            .status(StatusCode::OK)
            .content_type("application/json")
            .body("{}"),
        Err(e) => classify(e).json_response(),
    }
}

//! Zoom webhook intake (docs/zoom.md §2): verify, store, acknowledge. Applying happens later, in
//! `service::events`, so the answer goes out well inside Zoom's 3 seconds however long the
//! work takes, and nothing is lost if this process dies after the 200.
//!
//! Rules: the signature is checked over the raw bytes before anything is parsed or stored; an
//! `endpoint.url_validation` challenge is answered, never stored; every other event is stored
//! durably (committed) before the caller answers 200; a repeated body (Zoom retries, duplicate
//! deliveries) is recognised by its SHA-256 and acknowledged without a second effect.

use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::store::Store;
use crate::zoom::signature::{self, Refusal};
use crate::zoom::webhook_event::{Envelope, URL_VALIDATION};

use super::workers::Wakeups;
use super::{ServiceError, Services};

pub(crate) mod group_commit;

use group_commit::{IntakeQueue, PendingEvent};

/// One delivery as it arrived: the headers that matter and the raw body.
pub struct WebhookDelivery<'a> {
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
    pub tracking_id: Option<&'a str>,
    pub body: &'a [u8],
}

/// What to answer Zoom.
#[derive(Debug, PartialEq, Eq)]
pub enum WebhookAck {
    /// Answer `{"plainToken", "encryptedToken"}` (docs/zoom.md §2.3).
    Validation {
        plain_token: String,
        encrypted_token: String,
    },
    /// Stored for the worker.
    Stored,
    /// Seen before: nothing more to do.
    Duplicate,
}

/// The body as stored: byte for byte what Zoom sent, except the value of `download_token` (a
/// credential to fetch the recording files, which Marquee does not download).
fn redact_download_token(body: &str, token: Option<&str>) -> String {
    match token.filter(|t| !t.is_empty()) {
        Some(token) => body.replacen(&format!("\"{token}\""), "\"[redacted]\"", 1),
        None => body.to_owned(),
    }
}

/// Zoom's webhook endpoint: what arrives, verified and stored for the event worker.
#[derive(Clone, Copy)]
pub struct Webhooks<'a> {
    store: &'a Store,
    config: &'a Config,
    wakeups: &'a Wakeups,
    intake: &'a IntakeQueue,
}

impl Services {
    /// Webhook intake (`service/webhooks.rs`).
    pub fn webhooks(&self) -> Webhooks<'_> {
        Webhooks {
            store: &self.store,
            config: &self.config,
            wakeups: &self.wakeups,
            intake: &self.intake,
        }
    }
}

impl Webhooks<'_> {
    /// Verifies and stores one delivery. `Err(BadSignature)` means nothing was stored.
    pub async fn receive(&self, delivery: WebhookDelivery<'_>) -> Result<WebhookAck, ServiceError> {
        let received = self.verify_and_store(delivery).await;
        crate::telemetry::metrics::webhook_received(match &received {
            Ok(WebhookAck::Validation { .. }) => "validation",
            Ok(WebhookAck::Stored) => "stored",
            Ok(WebhookAck::Duplicate) => "duplicate",
            Err(ServiceError::BadSignature(_)) => "bad_signature",
            Err(ServiceError::Invalid { .. }) => "invalid",
            Err(_) => "error",
        });
        received
    }

    async fn verify_and_store(
        &self,
        delivery: WebhookDelivery<'_>,
    ) -> Result<WebhookAck, ServiceError> {
        let secret = &self.config.zoom.webhook_secret;
        let tolerance = self.config.webhooks.tolerance.as_secs();
        let now = chrono::Utc::now();
        signature::check_delivery(
            secret,
            delivery.timestamp,
            delivery.signature,
            delivery.body,
            now.timestamp(),
            tolerance,
        )
        .map_err(|refusal| {
            ServiceError::BadSignature(match refusal {
                Refusal::MissingHeaders => "x-zm-signature and x-zm-request-timestamp are required",
                Refusal::StaleTimestamp => "x-zm-request-timestamp is not recent",
                Refusal::BadSignature => "the signature does not match",
            })
        })?;
        let body = std::str::from_utf8(delivery.body)
            .map_err(|_| ServiceError::invalid("body", "is not UTF-8 JSON"))?;
        let envelope = Envelope::parse(body)
            .map_err(|_| ServiceError::invalid("body", "is not a Zoom event"))?;
        if envelope.event == URL_VALIDATION {
            let plain_token = envelope
                .payload
                .plain_token
                .ok_or_else(|| ServiceError::invalid("payload.plainToken", "is missing"))?;
            let encrypted_token = signature::url_validation_token(secret, &plain_token);
            return Ok(WebhookAck::Validation {
                plain_token,
                encrypted_token,
            });
        }
        let event_ts = envelope
            .event_ts()
            .unwrap_or_else(|| now.timestamp_millis());
        let event = PendingEvent {
            id: uuid::Uuid::now_v7().to_string(),
            dedup_key: hex::encode(Sha256::digest(delivery.body)),
            body: redact_download_token(body, envelope.download_token.as_deref()),
            event: envelope.event,
            zoom_account_id: envelope.payload.account_id,
            event_ts,
            request_timestamp: delivery.timestamp.unwrap_or_default().to_owned(),
            tracking_id: delivery.tracking_id.map(str::to_owned),
        };
        // Answered once the transaction holding it (shared with concurrent deliveries) commits.
        let stored = self.intake.commit(self.store, event).await?;
        if stored {
            self.wakeups.wake_event_worker();
            Ok(WebhookAck::Stored)
        } else {
            Ok(WebhookAck::Duplicate)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_tokens_are_not_kept() {
        let body = r#"{"event":"recording.completed","payload":{"x":1},"event_ts":1,"download_token":"abc.def"}"#;
        let stored = redact_download_token(body, Some("abc.def"));
        assert_eq!(
            stored,
            r#"{"event":"recording.completed","payload":{"x":1},"event_ts":1,"download_token":"[redacted]"}"#
        );
        assert_eq!(redact_download_token(body, None), body);
    }
}

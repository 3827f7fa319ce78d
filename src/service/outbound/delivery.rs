//! Signing and sending outbound events (docs/events.md "Signature", "Delivery").
//!
//! The worker takes due deliveries with a lease row (`store::outbox::take_lease`): several
//! instances share the work, a crashed one's lease expires, and a site's deliveries to one
//! endpoint go out one at a time, in order. The HTTP client follows no redirects and resolves
//! hosts itself ([`PublicOnly`]): unless private URLs are allowed, a name is used only if every
//! address it resolves to is public, and the connection goes to exactly those addresses, so a
//! name cannot be re-pointed inside between the check and the connect (DNS rebinding).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};
use futures::StreamExt;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::config::EventsConfig;
use crate::crypto::{KeyRing, hmac_sha256_hex};
use crate::domain::event::{
    DeliveryStatus, EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, UrlRefusal,
    allowed_addresses, check_url_shape,
};
use crate::store::outbox::{AttemptOutcome, DueDelivery};
use crate::store::{self, Store};

use super::super::ServiceError;

/// Deliveries one round of the worker takes.
const DELIVERY_BATCH: i64 = 50;
/// Deliveries in flight at once per instance (each to a different site or endpoint).
const IN_FLIGHT: usize = 8;
/// The longest wait between two attempts.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(3600);

/// The HTTP client of outbound events. Cheap to clone.
#[derive(Clone)]
pub struct EventClient {
    http: reqwest::Client,
}

impl EventClient {
    pub fn new(config: &EventsConfig) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .dns_resolver(Arc::new(PublicOnly {
                allow_private: config.allow_private_urls,
            }))
            .user_agent(concat!("Marquee-Events/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("a reqwest client with rustls builds");
        Self { http }
    }
}

/// Resolves names for deliveries, refusing those that point at a private address.
struct PublicOnly {
    allow_private: bool,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let boxed = |e: UrlRefusal| -> Box<dyn std::error::Error + Send + Sync> { Box::new(e) };
            let ips = lookup(&host).await.map_err(boxed)?;
            let ips = allowed_addresses(ips, allow_private).map_err(boxed)?;
            // The connector puts the URL's port in.
            let addrs: Addrs = Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

async fn lookup(host: &str) -> Result<Vec<IpAddr>, UrlRefusal> {
    let found = tokio::net::lookup_host((host, 0))
        .await
        .map_err(|_| UrlRefusal::Unresolvable)?;
    Ok(found.map(|a| a.ip()).collect())
}

/// The addresses `url`'s host may be reached at (an address literal is judged as it is).
pub(super) async fn resolve_allowed(
    url: &url::Url,
    allow_private: bool,
) -> Result<Vec<IpAddr>, UrlRefusal> {
    let ips = match url.host() {
        Some(url::Host::Ipv4(ip)) => vec![IpAddr::V4(ip)],
        Some(url::Host::Ipv6(ip)) => vec![IpAddr::V6(ip)],
        Some(url::Host::Domain(name)) => lookup(name).await?,
        None => return Err(UrlRefusal::NotAUrl),
    };
    allowed_addresses(ips, allow_private)
}

/// How long one attempt holds its delivery: the request's timeout and some slack.
pub(super) fn lease_for(config: &EventsConfig) -> TimeDelta {
    TimeDelta::from_std(config.timeout).unwrap_or(TimeDelta::seconds(10)) + TimeDelta::seconds(30)
}

/// `Marquee-Signature`: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, one
/// `v1` per secret that signs (two during a rotation's grace period).
pub fn signature_header(timestamp: i64, body: &str, secrets: &[&str]) -> String {
    let signed = format!("{timestamp}.{body}");
    let mut header = format!("t={timestamp}");
    for secret in secrets {
        header.push_str(",v1=");
        header.push_str(&hmac_sha256_hex(secret, signed.as_bytes()));
    }
    header
}

/// The wait before retry number `attempts` (1 after the first failure): the base doubled per
/// attempt, at most an hour.
fn retry_wait(base: Duration, attempts: i64) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(u32::MAX)
        .min(20);
    base.saturating_mul(1 << doublings).min(MAX_RETRY_WAIT)
}

/// What an attempt's answer means for the delivery.
struct Answer {
    http_status: Option<i64>,
    error: Option<String>,
}

/// Signing and sending deliveries.
pub(crate) struct Sender<'a> {
    pub(super) store: &'a Store,
    pub(super) keys: &'a KeyRing,
    pub(super) config: &'a EventsConfig,
    pub(super) client: &'a EventClient,
}

impl Sender<'_> {
    /// One round of the worker: takes the due deliveries and attempts each. Returns how many
    /// were attempted.
    pub async fn deliver_due(&self) -> Result<usize, ServiceError> {
        let now = store::now();
        let due = self
            .store
            .read(move |mut db| {
                Box::pin(async move { store::outbox::due(&mut db, now, DELIVERY_BATCH).await })
            })
            .await?;
        let attempted = futures::stream::iter(due)
            .map(|id| self.take_and_attempt(id))
            .buffer_unordered(IN_FLIGHT)
            .collect::<Vec<_>>()
            .await;
        let mut count = 0;
        for result in attempted {
            match result {
                Ok(true) => count += 1,
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "event delivery: will try again"),
            }
        }
        Ok(count)
    }

    async fn take_and_attempt(&self, delivery_id: String) -> Result<bool, ServiceError> {
        let now = store::now();
        let until = now + lease_for(self.config);
        let taken = self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    store::outbox::take_lease(&mut db, &delivery_id, now, until).await
                })
            })
            .await?;
        match taken {
            Some(due) => self.attempt(due).await.map(|()| true),
            None => Ok(false),
        }
    }

    /// Signs and sends one leased delivery and records how it went.
    pub async fn attempt(&self, due: DueDelivery) -> Result<(), ServiceError> {
        let answer = self.send(&due).await?;
        let now = store::now();
        let delivered = answer.error.is_none();
        let gave_up = now
            >= due.created_at
                + TimeDelta::from_std(self.config.retry_for).unwrap_or(TimeDelta::days(3));
        let status = match (delivered, gave_up) {
            (true, _) => DeliveryStatus::Delivered,
            (false, true) => DeliveryStatus::Failed,
            (false, false) => DeliveryStatus::Pending,
        };
        let wait = retry_wait(self.config.retry_base, due.attempts);
        let next_attempt_at: NaiveDateTime =
            now + TimeDelta::from_std(wait).unwrap_or(TimeDelta::hours(1));
        let lag = delivered
            .then(|| (now - due.created_at).to_std().ok())
            .flatten();
        let result = match status {
            DeliveryStatus::Delivered => "ok",
            DeliveryStatus::Pending => "retry",
            DeliveryStatus::Failed => "failed",
        };
        crate::telemetry::metrics::delivery(result, lag);
        tracing::info!(
            event.id = %due.event_id,
            event.r#type = %due.event_type,
            endpoint.id = %due.endpoint.id,
            attempt = due.attempts,
            status = %status,
            http_status = answer.http_status,
            error = answer.error.as_deref(),
            "event delivery attempted"
        );
        let delivery_id = due.delivery_id;
        self.store
            .write(move |mut db| {
                Box::pin(async move {
                    let outcome = AttemptOutcome {
                        http_status: answer.http_status,
                        error: answer.error.as_deref(),
                        status,
                        next_attempt_at,
                        now,
                    };
                    store::outbox::record_attempt(&mut db, &delivery_id, &outcome).await
                })
            })
            .await?;
        Ok(())
    }

    /// POSTs the signed body. Only a 2xx counts; a redirect is not followed.
    async fn send(&self, due: &DueDelivery) -> Result<Answer, ServiceError> {
        let refused = |e: UrlRefusal| Answer {
            http_status: None,
            error: Some(format!("endpoint URL refused: {e}")),
        };
        let allow_private = self.config.allow_private_urls;
        let url = match check_url_shape(&due.endpoint.url, allow_private) {
            Ok(url) => url,
            Err(e) => return Ok(refused(e)),
        };
        // Address literals bypass the resolver: judge them here.
        if matches!(url.host(), Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)))
            && let Err(e) = resolve_allowed(&url, allow_private).await
        {
            return Ok(refused(e));
        }
        let now = store::now();
        let endpoint = &due.endpoint;
        let current = self.keys.open(&endpoint.secret(), &endpoint.id)?;
        let previous = match endpoint.previous_secret(now) {
            Some(sealed) => Some(self.keys.open(&sealed, &endpoint.id)?),
            None => None,
        };
        let mut secrets = vec![current.as_str()];
        secrets.extend(previous.as_ref().map(|p| p.as_str()));
        let signature = signature_header(now.and_utc().timestamp(), &due.body, &secrets);
        let sent = self
            .client
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signature)
            .header(EVENT_ID_HEADER, &due.event_id)
            .header(EVENT_TYPE_HEADER, &due.event_type)
            .body(due.body.clone())
            .send()
            .await;
        Ok(match sent {
            Ok(resp) if resp.status().is_success() => Answer {
                http_status: Some(i64::from(resp.status().as_u16())),
                error: None,
            },
            Ok(resp) => Answer {
                http_status: Some(i64::from(resp.status().as_u16())),
                error: Some(if resp.status().is_redirection() {
                    "answered with a redirect, which is not followed".to_owned()
                } else {
                    format!("answered HTTP {}", resp.status().as_u16())
                }),
            },
            Err(e) => Answer {
                http_status: None,
                error: Some(describe_failure(&e)),
            },
        })
    }
}

/// The cause of a failed request in our words (never the request's headers).
fn describe_failure(e: &reqwest::Error) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(refusal) = err.downcast_ref::<UrlRefusal>() {
            return format!("endpoint URL refused: {refusal}");
        }
        source = err.source();
    }
    if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else {
        "the request failed".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_stripe_style_with_one_v1_per_secret() {
        let one = signature_header(1_700_000_000, "{}", &["whsec_a"]);
        assert_eq!(
            one,
            format!(
                "t=1700000000,v1={}",
                hmac_sha256_hex("whsec_a", b"1700000000.{}")
            )
        );
        let two = signature_header(1_700_000_000, "{}", &["whsec_a", "whsec_b"]);
        assert!(two.starts_with(&one) && two.matches(",v1=").count() == 2);
    }

    #[test]
    fn retries_double_up_to_an_hour() {
        let base = Duration::from_secs(30);
        assert_eq!(retry_wait(base, 1), Duration::from_secs(30));
        assert_eq!(retry_wait(base, 2), Duration::from_secs(60));
        assert_eq!(retry_wait(base, 5), Duration::from_secs(480));
        assert_eq!(retry_wait(base, 40), MAX_RETRY_WAIT);
    }
}

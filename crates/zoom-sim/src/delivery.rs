//! Signed webhook delivery (docs/zoom.md §2): `x-zm-request-timestamp` in seconds,
//! `x-zm-signature` = `v0=` + hex HMAC-SHA256 of `v0:{ts}:{body}` (§2.2), a 3-second budget per
//! attempt and retries at +5, +20 and +60 minutes divided by the time scale (§2.4),
//! `endpoint.url_validation` challenges (§2.3) on demand and every 72 hours, and optional
//! duplicate or out-of-order delivery to exercise idempotency.
//!
//! Events wait in the [`crate::outbox`] and are delivered by one background task; first attempts
//! go out in order, retries run in their own (bounded) tasks.

use std::sync::Arc;
use std::time::Duration;

use marquee_zoom_protocol::signature;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::events::{Event, url_validation_body};
use crate::outbox::Delivery;
use crate::sim::Sim;
use crate::wire::fmt_time;

/// Zoom's retry delays after a failed attempt, in seconds (docs/zoom.md §2.4).
pub(crate) const RETRY_DELAYS_SECS: [f64; 3] = [5.0 * 60.0, 20.0 * 60.0, 60.0 * 60.0];
/// URL revalidation period (docs/zoom.md §2.3).
const REVALIDATE_SECS: f64 = 72.0 * 3600.0;
/// With out-of-order delivery, a lone held event goes out after this long.
const HOLD: Duration = Duration::from_millis(250);

/// Starts the dispatcher and the 72-hour revalidation task.
pub(crate) fn spawn_dispatcher(sim: &Arc<Sim>) {
    let Some(rx) = sim.webhooks.take_receiver() else {
        return;
    };
    tokio::spawn(dispatch(sim.clone(), rx));
    let sim = sim.clone();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(sim.scaled(REVALIDATE_SECS)) => {}
                _ = sim.webhooks.wait_closed() => return,
            }
            if sim.world().settings.webhook_url.is_some() {
                let report = validate_endpoint(&sim).await;
                tracing::info!(%report, "zoom simulator revalidated the webhook URL");
            }
        }
    });
}

async fn dispatch(sim: Arc<Sim>, mut rx: mpsc::Receiver<Event>) {
    let mut held: Option<Event> = None;
    loop {
        let next = match held {
            Some(_) => tokio::time::timeout(HOLD, rx.recv()).await.ok(),
            None => Some(rx.recv().await),
        };
        match next {
            None => {
                if let Some(h) = held.take() {
                    deliver(&sim, h).await;
                }
            }
            Some(None) => break,
            Some(Some(ev)) => {
                let out_of_order = sim.world().settings.out_of_order;
                match (held.take(), out_of_order) {
                    (None, true) => held = Some(ev),
                    (Some(prev), true) => {
                        deliver(&sim, ev).await;
                        deliver(&sim, prev).await;
                    }
                    (prev, false) => {
                        if let Some(p) = prev {
                            deliver(&sim, p).await;
                        }
                        deliver(&sim, ev).await;
                    }
                }
            }
        }
    }
    if let Some(h) = held {
        deliver(&sim, h).await;
    }
}

/// First attempt now (twice in duplicate mode); on failure a retry task follows the schedule.
async fn deliver(sim: &Arc<Sim>, ev: Event) {
    let copies = if sim.world().settings.duplicate { 2 } else { 1 };
    for _ in 0..copies {
        if attempt(sim, &ev, 0).await {
            continue;
        }
        match sim.webhooks.retry_slot() {
            Some(permit) => {
                let (sim, ev) = (sim.clone(), ev.clone());
                tokio::spawn(async move {
                    retry(&sim, &ev).await;
                    drop(permit);
                });
            }
            None => sim.stats().webhooks.dropped += 1,
        }
    }
}

async fn retry(sim: &Arc<Sim>, ev: &Event) {
    for (i, delay) in RETRY_DELAYS_SECS.iter().enumerate() {
        tokio::select! {
            _ = tokio::time::sleep(sim.scaled(*delay)) => {}
            _ = sim.webhooks.wait_closed() => return,
        }
        if attempt(sim, ev, i as u32 + 1).await {
            return;
        }
    }
    sim.stats().webhooks.dropped += 1;
}

/// Signs the headers a real delivery carries (docs/zoom.md §2.1, §2.2).
fn signed_request(sim: &Sim, url: &str, body: Vec<u8>) -> reqwest::RequestBuilder {
    let ts = sim.now().timestamp().to_string();
    let sig = signature::sign(&sim.webhook_secret, &ts, &body);
    let rid = hex::encode(rand::random::<[u8; 16]>());
    sim.http
        .post(url)
        .header("content-type", "application/json; charset=utf-8")
        .header("user-agent", "Zoom Marketplace/1.0a")
        .header("x-zm-request-timestamp", ts)
        .header("x-zm-signature", sig)
        .header(
            "x-zm-trackingid",
            format!("v=2.0;clid=sim01;rid=WEBHOOK_{rid}"),
        )
        .header("clientid", sim.client_id.clone())
        .body(body)
}

/// One POST; success is 200 or 204 within 3 s (docs/zoom.md §2.4).
async fn attempt(sim: &Arc<Sim>, ev: &Event, n: u32) -> bool {
    let Some(url) = sim.world().settings.webhook_url.clone() else {
        sim.stats().webhooks.not_sent += 1;
        return true; // nothing to retry against
    };
    sim.stats().webhooks.attempted += 1;
    let result = signed_request(sim, &url, ev.body.as_ref().clone())
        .send()
        .await;
    let (status, error) = match result {
        Ok(r) => (Some(r.status().as_u16()), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let ok = matches!(status, Some(200 | 204));
    {
        let mut stats = sim.stats();
        if ok {
            stats.webhooks.succeeded += 1;
        } else {
            stats.webhooks.failed += 1;
        }
    }
    sim.webhooks.record(Delivery {
        event: ev.name.clone(),
        attempt: n,
        status,
        ok,
        error,
        at: fmt_time(sim.now()),
    });
    ok
}

/// Sends an `endpoint.url_validation` challenge and checks the answer (docs/zoom.md §2.3).
pub(crate) async fn validate_endpoint(sim: &Arc<Sim>) -> Value {
    let Some(url) = sim.world().settings.webhook_url.clone() else {
        return json!({"ok": false, "error": "no webhook_url configured"});
    };
    let plain = sim.world().rng.token(22);
    let expected = signature::url_validation_token(&sim.webhook_secret, &plain);
    let body = url_validation_body(&plain, sim.now().timestamp_millis());
    let (status, answer, error) = match signed_request(sim, &url, body).send().await {
        Ok(r) => {
            let status = r.status().as_u16();
            let answer = r.json::<Value>().await.unwrap_or(Value::Null);
            (Some(status), answer, None)
        }
        Err(e) => (None, Value::Null, Some(e.to_string())),
    };
    let ok = status == Some(200)
        && answer.get("plainToken").and_then(Value::as_str) == Some(plain.as_str())
        && answer.get("encryptedToken").and_then(Value::as_str) == Some(expected.as_str());
    json!({
        "ok": ok,
        "status": status,
        "plain_token": plain,
        "expected_encrypted_token": expected,
        "received": answer,
        "error": error,
    })
}

//! Applying stored Zoom webhook events (see `service::webhooks` for intake) to the sites bound
//! to the event's `payload.account_id`.
//!
//! Rules:
//! * An event older than the stored state never overwrites it: every write carries the
//!   event's `event_ts` as its version (`store::meeting::upsert_versioned`, tombstones).
//! * `meeting.updated` is a partial patch (reference §2.6): applied to the stored copy when it
//!   only touches fields Marquee keeps; otherwise (recurrence, occurrences, type, or no stored
//!   copy) the meeting is re-read from Zoom once and written to every site.
//! * `meeting.created` lacks registration settings and the agenda, so it is re-read too.
//! * An event for an account no site uses is kept and marked `unknown_account`.
//! * A failing event is retried with exponential backoff, then parked as `failed` with its
//!   error for the operator (`marquee webhooks replay`).
//! * Sites of an account-level grant see every host's meetings; a user-level grant only its
//!   own user's.

use std::time::Duration;

use chrono::TimeDelta;
use serde::Deserialize;
use serde_json::Value;

use crate::config::WebhookConfig;
use crate::domain::public::RegistrationStatus;
use crate::domain::{Meeting, TenantId};
use crate::store::webhook_event::{
    STATUS_APPLIED, STATUS_IGNORED, STATUS_UNKNOWN_ACCOUNT, StoredEvent,
};
use crate::store::{self, Store, meeting::KIND_MEETING, meeting::KIND_WEBINAR, recording};
use crate::zoom::models::{ZoomMeeting, ZoomRecording};
use crate::zoom::scopes;

use super::disconnect::Disconnect;
use super::public::PublicCache;
use super::registration::Registrations;
use super::sync::ZoomCalls;
use super::workers::Wakeups;
use super::zoom_records;
use super::{ServiceError, Services};

/// How long a worker owns claimed events.
const EVENT_LEASE: TimeDelta = TimeDelta::seconds(60);
/// Backoff never waits longer than this between attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

#[derive(Deserialize)]
struct EventBody {
    #[serde(default)]
    payload: Payload,
}

#[derive(Deserialize, Default)]
struct Payload {
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    object: Value,
}

/// What applying an event did.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Applied(String),
    UnknownAccount,
    Ignored(String),
}

/// A site bound to the event's account, and whose meetings it shows.
struct Target {
    tenant: TenantId,
    account: String,
    account_level: bool,
    zoom_user_id: String,
}

impl Target {
    fn covers(&self, host_id: &str) -> bool {
        self.account_level || host_id.is_empty() || host_id == self.zoom_user_id
    }
}

/// A failure that retrying cannot fix (the body is not what the event name promises).
fn malformed(what: &str) -> ServiceError {
    ServiceError::invalid("event", format!("malformed payload: {what}"))
}

fn object_id(object: &Value) -> Result<i64, ServiceError> {
    match object.get("id") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    }
    .ok_or_else(|| malformed("object.id"))
}

fn str_field<'a>(object: &'a Value, key: &str) -> &'a str {
    object.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Stored webhook events: applying them to the sites they concern, and the operator's view.
#[derive(Clone, Copy)]
pub struct Events<'a> {
    store: &'a Store,
    config: &'a WebhookConfig,
    cache: &'a PublicCache,
    wakeups: &'a Wakeups,
    calls: ZoomCalls<'a>,
    disconnect: Disconnect<'a>,
    registrations: Registrations<'a>,
}

impl Services {
    /// Applying stored webhook events (`service/events.rs`).
    pub fn events(&self) -> Events<'_> {
        Events {
            store: &self.store,
            config: &self.config.webhooks,
            cache: &self.public,
            wakeups: &self.wakeups,
            calls: self.zoom_calls(),
            disconnect: self.disconnect(),
            registrations: self.registrations(),
        }
    }
}

impl Events<'_> {
    /// Applies up to `limit` due events. Returns how many were handled (applied, marked,
    /// rescheduled or parked).
    pub async fn process_due(&self, limit: i64) -> Result<usize, ServiceError> {
        let events = self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    let now = store::now();
                    store::webhook_event::claim_due(&mut db, now, now + EVENT_LEASE, limit).await
                })
            })
            .await?;
        let count = events.len();
        for event in events {
            let result = self.apply(&event).await;
            self.record_event_result(&event, result).await?;
        }
        if count > 0 {
            self.cache.forget_all_sites();
        }
        Ok(count)
    }

    async fn record_event_result(
        &self,
        event: &StoredEvent,
        result: Result<Outcome, ServiceError>,
    ) -> Result<(), ServiceError> {
        let id = event.id.clone();
        let (status, outcome) = match result {
            Ok(Outcome::Applied(what)) => (STATUS_APPLIED, what),
            Ok(Outcome::UnknownAccount) => (
                STATUS_UNKNOWN_ACCOUNT,
                "no site uses this Zoom account".to_owned(),
            ),
            Ok(Outcome::Ignored(why)) => (STATUS_IGNORED, why),
            Err(e) => return self.event_failed(event, e).await,
        };
        tracing::debug!(webhook.id = %event.id, webhook.event = %event.event, status, "webhook event processed");
        self.store
            .write(move |mut db| {
                Box::pin(async move {
                    store::webhook_event::finish(&mut db, &id, status, &outcome, store::now()).await
                })
            })
            .await?;
        Ok(())
    }

    /// Retries with exponential backoff, or parks the event as failed after the last attempt
    /// (or at once if the payload itself is malformed).
    async fn event_failed(
        &self,
        event: &StoredEvent,
        err: ServiceError,
    ) -> Result<(), ServiceError> {
        let cfg = self.config;
        let attempts = u32::try_from(event.attempts).unwrap_or(u32::MAX);
        let hopeless = matches!(err, ServiceError::Invalid { .. });
        let message = err.to_string();
        let id = event.id.clone();
        if hopeless || attempts >= cfg.max_attempts {
            tracing::warn!(webhook.id = %event.id, webhook.event = %event.event, attempts, error = %message, "webhook event parked as failed");
            self.store
                .write(move |mut db| {
                    Box::pin(async move {
                        store::webhook_event::park_failed(&mut db, &id, &message, store::now())
                            .await
                    })
                })
                .await?;
            return Ok(());
        }
        let wait = cfg
            .retry_base
            .saturating_mul(1 << attempts.saturating_sub(1).min(20))
            .min(MAX_BACKOFF);
        tracing::info!(webhook.id = %event.id, webhook.event = %event.event, attempts, wait_ms = wait.as_millis() as u64, error = %message, "webhook event will be retried");
        self.store
            .write(move |mut db| {
                Box::pin(async move {
                    let next =
                        store::now() + TimeDelta::from_std(wait).unwrap_or(TimeDelta::hours(1));
                    store::webhook_event::retry_later(&mut db, &id, &message, next).await
                })
            })
            .await?;
        Ok(())
    }

    /// Applies one event to every site it concerns.
    pub async fn apply(&self, event: &StoredEvent) -> Result<Outcome, ServiceError> {
        let body: EventBody =
            serde_json::from_str(&event.body).map_err(|_| malformed("not JSON"))?;
        let account = event.zoom_account_id.as_str();
        if event.event == "app_deauthorized" {
            let done = self
                .disconnect
                .deauthorize(account, body.payload.user_id.as_deref())
                .await?;
            return Ok(Outcome::Applied(format!(
                "{} grant(s) removed, {} site(s) disconnected",
                done.grants_removed,
                done.sites_disconnected.len()
            )));
        }
        let Some((object_kind, action)) = event.event.split_once('.') else {
            return Ok(Outcome::Ignored("not an event Marquee uses".into()));
        };
        let targets = self.event_targets(account).await?;
        if targets.is_empty() {
            return Ok(Outcome::UnknownAccount);
        }
        let object = &body.payload.object;
        let host = str_field(object, "host_id");
        let targets: Vec<&Target> = targets.iter().filter(|t| t.covers(host)).collect();
        if targets.is_empty() {
            return Ok(Outcome::Ignored(
                "no site shows this host's meetings".into(),
            ));
        }
        let version = event.event_ts;
        let kind = if object_kind == "webinar" {
            KIND_WEBINAR
        } else {
            KIND_MEETING
        };
        let changed = match (object_kind, action) {
            ("meeting" | "webinar", "created" | "updated" | "recovered") => {
                self.apply_meeting_change(&targets, kind, action, object, version)
                    .await?
            }
            ("meeting" | "webinar", "deleted" | "permanently_deleted") => {
                self.apply_meeting_deleted(&targets, object, version)
                    .await?
            }
            ("meeting" | "webinar", registration) if registration.starts_with("registration_") => {
                let status = &registration["registration_".len()..];
                self.apply_registration(&targets, status, object).await?
            }
            ("recording", "completed") => {
                let r: ZoomRecording = serde_json::from_value(object.clone())
                    .map_err(|_| malformed("recording object"))?;
                self.write_recording(
                    &targets,
                    zoom_records::recording(r, recording::STATUS_AVAILABLE),
                    version,
                )
                .await?
            }
            ("recording", "trashed" | "recovered") => {
                self.apply_recording_status(&targets, action, object, version)
                    .await?
            }
            ("recording", "deleted") => {
                let uuid = str_field(object, "uuid").to_owned();
                if uuid.is_empty() {
                    return Err(malformed("object.uuid"));
                }
                self.write_each(&targets, move |mut db, tid| {
                    let uuid = uuid.clone();
                    Box::pin(async move {
                        recording::delete_versioned(&mut db, &tid, &uuid, version, store::now())
                            .await
                    })
                })
                .await?
            }
            _ => return Ok(Outcome::Ignored("not an event Marquee uses".into())),
        };
        Ok(Outcome::Applied(if changed == 0 {
            "stale or no change: newer state kept".to_owned()
        } else {
            format!("{changed} site(s) changed")
        }))
    }

    /// The sites bound to a Zoom account through an active grant.
    async fn event_targets(&self, account: &str) -> Result<Vec<Target>, ServiceError> {
        let account = account.to_owned();
        Ok(self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    let mut targets = Vec::new();
                    for grant in store::grant::find_by_zoom(&mut db, &account, None).await? {
                        if grant.status != store::grant::STATUS_ACTIVE {
                            continue;
                        }
                        for tenant in
                            store::connection::tenants_of_grant(&mut db, &grant.id).await?
                        {
                            targets.push(Target {
                                tenant,
                                account: account.clone(),
                                account_level: scopes::account_level(&grant.scopes),
                                zoom_user_id: grant.zoom_user_id.clone(),
                            });
                        }
                    }
                    Ok(targets)
                })
            })
            .await?)
    }

    /// Runs `write` for each target in its own transaction, bumping the site's content version
    /// when it changed something. Returns how many sites changed.
    async fn write_each<F>(&self, targets: &[&Target], write: F) -> Result<usize, ServiceError>
    where
        F: for<'c> Fn(
                store::Db<'c>,
                TenantId,
            )
                -> futures::future::BoxFuture<'c, Result<bool, store::StoreError>>
            + Clone
            + Send
            + Sync
            + 'static,
    {
        let mut changed = 0;
        for t in targets {
            let (tid, write) = (t.tenant.clone(), write.clone());
            let did = self
                .store
                .write(move |mut db| {
                    Box::pin(async move {
                        let did = write(db.reborrow(), tid.clone()).await?;
                        if did {
                            store::tenant::bump_content_version(&mut db, &tid).await?;
                        }
                        Ok(did)
                    })
                })
                .await?;
            changed += usize::from(did);
        }
        Ok(changed)
    }

    async fn apply_meeting_change(
        &self,
        targets: &[&Target],
        kind: &'static str,
        action: &str,
        object: &Value,
        version: i64,
    ) -> Result<usize, ServiceError> {
        let id = object_id(object)?;
        // Re-read from Zoom at most once per event, whatever the number of sites.
        let mut fetched: Option<Option<ZoomMeeting>> = None;
        let mut changed = 0;
        for t in targets {
            let tid = t.tenant.clone();
            let stored = self
                .store
                .read(move |mut db| {
                    Box::pin(async move { store::meeting::find_any(&mut db, &tid, id).await })
                })
                .await?;
            if stored.as_ref().is_some_and(|(_, _, v)| *v > version) {
                continue; // newer state already stored
            }
            let patched = match (action, stored) {
                ("updated", Some((meeting, _, _))) => apply_patch(meeting, object),
                _ => None,
            };
            let write = match patched {
                Some(meeting) => Some((meeting, None)),
                None => {
                    if fetched.is_none() {
                        fetched = Some(
                            self.calls
                                .fetch_meeting(&t.tenant, &t.account, id, kind, None)
                                .await?,
                        );
                    }
                    fetched.as_ref().and_then(Option::as_ref).map(|m| {
                        (
                            zoom_records::meeting(m.clone()),
                            Some(zoom_records::occurrences(m)),
                        )
                    })
                }
            };
            let tid = t.tenant.clone();
            let did = self
                .store
                .write(move |mut db| {
                    Box::pin(async move {
                        let now = store::now();
                        let did = match write {
                            Some((meeting, occurrences)) => {
                                let did = store::meeting::upsert_versioned(
                                    &mut db, &tid, &meeting, kind, version, now,
                                )
                                .await?;
                                if let (true, Some(occ)) = (did, occurrences) {
                                    store::occurrence::replace_for_meeting(&mut db, &tid, id, &occ)
                                        .await?;
                                }
                                did
                            }
                            // Zoom no longer has it: it was deleted after this event.
                            None => {
                                store::meeting::delete_versioned(&mut db, &tid, id, version, now)
                                    .await?
                            }
                        };
                        if did {
                            store::tenant::bump_content_version(&mut db, &tid).await?;
                        }
                        Ok(did)
                    })
                })
                .await?;
            changed += usize::from(did);
        }
        Ok(changed)
    }

    /// `meeting.deleted`: the whole meeting, or only the occurrences the object names.
    async fn apply_meeting_deleted(
        &self,
        targets: &[&Target],
        object: &Value,
        version: i64,
    ) -> Result<usize, ServiceError> {
        let id = object_id(object)?;
        let only: Vec<String> = object
            .get("occurrences")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|o| o.get("occurrence_id").and_then(Value::as_str))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        self.write_each(targets, move |mut db, tid| {
            let only = only.clone();
            Box::pin(async move {
                if only.is_empty() {
                    return store::meeting::delete_versioned(
                        &mut db,
                        &tid,
                        id,
                        version,
                        store::now(),
                    )
                    .await;
                }
                let current = store::meeting::find_version(&mut db, &tid, id).await?;
                if current.is_none_or(|v| v > version) {
                    return Ok(false);
                }
                Ok(store::occurrence::mark_deleted(&mut db, &tid, id, &only).await? > 0)
            })
        })
        .await
    }

    /// `meeting.registration_created|approved|cancelled|denied`: moves the status of the
    /// registration Marquee took (if it took it), through the registration service.
    async fn apply_registration(
        &self,
        targets: &[&Target],
        action: &str,
        object: &Value,
    ) -> Result<usize, ServiceError> {
        let id = object_id(object)?;
        let registrant = object
            .get("registrant")
            .ok_or_else(|| malformed("object.registrant"))?;
        let registrant_id = str_field(registrant, "id");
        let status = match action {
            "created" => RegistrationStatus::parse(str_field(registrant, "status"))
                .unwrap_or(RegistrationStatus::Approved),
            "approved" => RegistrationStatus::Approved,
            "cancelled" => RegistrationStatus::Cancelled,
            "denied" => RegistrationStatus::Denied,
            _ => return Ok(0),
        };
        let join_url = registrant.get("join_url").and_then(Value::as_str);
        let mut applied = 0;
        for target in targets {
            let changed = self
                .registrations
                .status_changed(&target.tenant, id, registrant_id, status, join_url)
                .await?;
            applied += usize::from(changed);
        }
        Ok(applied)
    }

    async fn write_recording(
        &self,
        targets: &[&Target],
        data: recording::RecordingData,
        version: i64,
    ) -> Result<usize, ServiceError> {
        self.write_each(targets, move |mut db, tid| {
            let data = data.clone();
            Box::pin(async move {
                recording::upsert_versioned(&mut db, &tid, &data, version, store::now()).await
            })
        })
        .await
    }

    /// `recording.trashed` hides a recording; `recording.recovered` shows it again (re-read
    /// from Zoom if it is not stored, as the event lacks the play passcode).
    async fn apply_recording_status(
        &self,
        targets: &[&Target],
        action: &str,
        object: &Value,
        version: i64,
    ) -> Result<usize, ServiceError> {
        let uuid = str_field(object, "uuid").to_owned();
        if uuid.is_empty() {
            return Err(malformed("object.uuid"));
        }
        let status = if action == "trashed" {
            recording::STATUS_TRASHED
        } else {
            recording::STATUS_AVAILABLE
        };
        let key = uuid.clone();
        let changed = self
            .write_each(targets, move |mut db, tid| {
                let key = key.clone();
                Box::pin(async move {
                    recording::set_status_versioned(&mut db, &tid, &key, status, version).await
                })
            })
            .await?;
        if changed > 0 || action == "trashed" {
            return Ok(changed);
        }
        let Some(first) = targets.first() else {
            return Ok(0);
        };
        let full = self
            .calls
            .fetch_recording(&first.tenant, &first.account, &uuid, None)
            .await?;
        match full {
            Some(r) => {
                self.write_recording(
                    targets,
                    zoom_records::recording(r, recording::STATUS_AVAILABLE),
                    version,
                )
                .await
            }
            None => Ok(0),
        }
    }

    /// Re-queues stored events (the given ids, or every failed one). Returns how many.
    pub async fn replay(&self, ids: Option<Vec<String>>) -> Result<usize, ServiceError> {
        let n = self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    store::webhook_event::requeue(&mut db, ids.as_deref(), store::now()).await
                })
            })
            .await?;
        self.wakeups.wake_event_worker();
        Ok(n)
    }

    /// Stored events, newest first (optionally of one status), for the operator.
    pub async fn list(
        &self,
        status: Option<String>,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, ServiceError> {
        Ok(self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    store::webhook_event::list(&mut db, status.as_deref(), limit).await
                })
            })
            .await?)
    }
}

/// Applies a `meeting.updated` patch to the stored copy, if the patch is enough: it touches
/// only fields Marquee keeps, and does not move a recurring meeting's occurrences.
fn apply_patch(mut m: Meeting, patch: &Value) -> Option<Meeting> {
    let fields = patch.as_object()?;
    for (key, value) in fields {
        match key.as_str() {
            "id" | "uuid" | "host_id" | "password" | "registration_url" => {}
            "topic" => m.topic = value.as_str()?.to_owned(),
            "agenda" => m.agenda = value.as_str()?.to_owned(),
            "duration" => m.duration_minutes = i32::try_from(value.as_i64()?).ok()?,
            "timezone" => m.timezone = value.as_str().filter(|t| !t.is_empty())?.to_owned(),
            "join_url" => m.join_url = value.as_str()?.to_owned(),
            "start_time" if !zoom_records::is_recurring(m.meeting_type) => {
                m.start_time = match value {
                    Value::Null => None,
                    v => Some(zoom_records::parse_time(v.as_str()?)?),
                }
            }
            "settings" => {
                if let Some(approval) = value.get("approval_type") {
                    m.approval_type = i32::try_from(approval.as_i64()?).ok()?;
                }
            }
            // type, recurrence, occurrences, a recurring meeting's start: re-read instead.
            _ => return None,
        }
    }
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stored() -> Meeting {
        Meeting {
            zoom_meeting_id: 1,
            zoom_uuid: "u".into(),
            host_id: "h".into(),
            topic: "Old".into(),
            agenda: "a".into(),
            meeting_type: 2,
            start_time: zoom_records::parse_time("2026-01-01T10:00:00Z"),
            duration_minutes: 30,
            timezone: "UTC".into(),
            approval_type: 2,
            join_url: "j".into(),
            hidden: false,
        }
    }

    #[test]
    fn simple_patches_apply_and_others_ask_for_a_reread() {
        let patched = apply_patch(
            stored(),
            &json!({"id": 1, "topic": "New", "start_time": "2026-02-01T09:00:00Z",
                    "settings": {"approval_type": 0, "host_video": true}}),
        )
        .unwrap();
        assert_eq!(patched.topic, "New");
        assert_eq!(patched.approval_type, 0);
        assert_eq!(
            patched.start_time,
            zoom_records::parse_time("2026-02-01T09:00:00Z")
        );
        assert!(apply_patch(stored(), &json!({"id": 1, "recurrence": {"type": 1}})).is_none());
        assert!(apply_patch(stored(), &json!({"id": 1, "type": 8})).is_none());
        let mut recurring = stored();
        recurring.meeting_type = 8;
        assert!(
            apply_patch(
                recurring,
                &json!({"id": 1, "start_time": "2026-02-01T09:00:00Z"})
            )
            .is_none()
        );
    }
}

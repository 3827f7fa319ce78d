//! Applying stored Zoom webhook events (see `service::webhooks` for intake) to the sites bound
//! to the event's `payload.account_id`. Each stored body is parsed once, into a
//! `zoom::webhook_event::WebhookEvent`; its objects become records in `service::zoom_records`.
//!
//! Rules:
//! * An event older than the stored state never overwrites it: every write carries the
//!   event's `event_ts` as its version (`store::meeting::upsert_versioned`, tombstones).
//! * `meeting.updated` is a partial patch (docs/zoom.md §2.6): applied to the stored copy when it
//!   only touches fields Marquee keeps; otherwise (recurrence, occurrences, type, or no stored
//!   copy) the meeting is re-read from Zoom once and written to every site.
//! * `meeting.created` lacks registration settings and the agenda, so it is re-read too.
//! * An event for an account no site uses is kept and marked `unknown_account`.
//! * A failing event is retried with exponential backoff, then parked as `failed` with its
//!   error for the operator (`marquee webhooks replay`).
//! * Sites of an account-level grant see every host's meetings; a user-level grant only its
//!   own user's.
//! * `app_deauthorized` removes only grants authorized before the notice's time: a late notice
//!   of a revoked grant leaves the owner's new authorization alone.

use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};

use crate::config::WebhookConfig;
use crate::domain::TenantId;
use crate::domain::status::{GrantStatus, MeetingKind, RecordingStatus, WebhookEventStatus};
use crate::store::webhook_event::StoredEvent;
use crate::store::{self, Store, recording};
use crate::zoom::models::ZoomMeeting;
use crate::zoom::scopes;
use crate::zoom::webhook_event::{
    DeletedMeeting, Field, MeetingPatch, RecordingRef, Registrant, RegistrationAction,
    RegistrationObject, WebhookEvent,
};

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

/// When Zoom says the app was removed: `payload.deauthorization_time`, else the event's
/// `event_ts` (docs/zoom.md §2.8; intake stores the time of receipt when Zoom sent neither).
fn notice_time(deauthorization_time: Option<&str>, event_ts: i64) -> NaiveDateTime {
    deauthorization_time
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.naive_utc())
        .or_else(|| chrono::DateTime::from_timestamp_millis(event_ts).map(|t| t.naive_utc()))
        .unwrap_or_default()
}

/// A failure that retrying cannot fix (the body is not what the event name promises).
fn malformed(what: &str) -> ServiceError {
    ServiceError::invalid("event", format!("malformed payload: {what}"))
}

fn required_id(id: Option<i64>) -> Result<i64, ServiceError> {
    id.ok_or_else(|| malformed("object.id"))
}

fn required_uuid(recording: &RecordingRef) -> Result<&str, ServiceError> {
    Some(recording.uuid.as_str())
        .filter(|uuid| !uuid.is_empty())
        .ok_or_else(|| malformed("object.uuid"))
}

fn not_used() -> Outcome {
    Outcome::Ignored("not an event Marquee uses".into())
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
            Ok(Outcome::Applied(what)) => (WebhookEventStatus::Applied, what),
            Ok(Outcome::UnknownAccount) => (
                WebhookEventStatus::UnknownAccount,
                "no site uses this Zoom account".to_owned(),
            ),
            Ok(Outcome::Ignored(why)) => (WebhookEventStatus::Ignored, why),
            Err(e) => return self.event_failed(event, e).await,
        };
        let lag = (store::now() - event.received_at)
            .to_std()
            .unwrap_or_default();
        crate::telemetry::metrics::webhook_applied(status.as_str(), lag);
        tracing::debug!(webhook.id = %event.id, webhook.event = %event.event, status = status.as_str(), "webhook event processed");
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
            crate::telemetry::metrics::webhook_applied("parked", std::time::Duration::ZERO);
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
        crate::telemetry::metrics::webhook_applied("retry", std::time::Duration::ZERO);
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
    pub async fn apply(&self, stored: &StoredEvent) -> Result<Outcome, ServiceError> {
        let event =
            WebhookEvent::parse(&stored.event, &stored.body).map_err(|_| malformed("not JSON"))?;
        let account = stored.zoom_account_id.as_str();
        match event {
            WebhookEvent::AppDeauthorized {
                user_id,
                deauthorization_time,
            } => {
                let when = notice_time(deauthorization_time.as_deref(), stored.event_ts);
                let done = self
                    .disconnect
                    .deauthorize(account, user_id.as_deref(), when)
                    .await?;
                Ok(Outcome::Applied(format!(
                    "{} grant(s) removed, {} site(s) disconnected, {} newer grant(s) kept",
                    done.grants_removed,
                    done.sites_disconnected.len(),
                    done.grants_kept
                )))
            }
            // Events about sites' data are `<object>.<action>`; anything else concerns no site.
            WebhookEvent::Other { name, .. } if !name.contains('.') => Ok(not_used()),
            event => self.apply_to_sites(account, event, stored.event_ts).await,
        }
    }

    /// Applies an event to the sites of the account that show its host's meetings; every write
    /// carries `version` (the event's time).
    async fn apply_to_sites(
        &self,
        account: &str,
        event: WebhookEvent,
        version: i64,
    ) -> Result<Outcome, ServiceError> {
        let targets = self.event_targets(account).await?;
        if targets.is_empty() {
            return Ok(Outcome::UnknownAccount);
        }
        let host = event.host_id();
        let targets: Vec<&Target> = targets.iter().filter(|t| t.covers(host)).collect();
        if targets.is_empty() {
            return Ok(Outcome::Ignored(
                "no site shows this host's meetings".into(),
            ));
        }
        let changed = match event {
            WebhookEvent::MeetingCreated { kind, meeting }
            | WebhookEvent::MeetingRecovered { kind, meeting } => {
                let id = required_id(meeting.id)?;
                self.apply_meeting_change(
                    &targets,
                    zoom_records::meeting_kind(kind),
                    id,
                    None,
                    version,
                )
                .await?
            }
            WebhookEvent::MeetingUpdated { kind, patch } => {
                let id = required_id(patch.id)?;
                self.apply_meeting_change(
                    &targets,
                    zoom_records::meeting_kind(kind),
                    id,
                    Some(&patch),
                    version,
                )
                .await?
            }
            WebhookEvent::MeetingDeleted { meeting, .. } => {
                self.apply_meeting_deleted(&targets, meeting, version)
                    .await?
            }
            WebhookEvent::Registration { action, object, .. } => {
                self.apply_registration(&targets, action, object).await?
            }
            WebhookEvent::RecordingCompleted(recording) => {
                let r = recording.ok_or_else(|| malformed("recording object"))?;
                self.write_recording(
                    &targets,
                    zoom_records::recording(r, RecordingStatus::Available),
                    version,
                )
                .await?
            }
            WebhookEvent::RecordingTrashed(r) => {
                self.apply_recording_status(&targets, RecordingStatus::Trashed, &r, version)
                    .await?
            }
            WebhookEvent::RecordingRecovered(r) => {
                self.apply_recording_status(&targets, RecordingStatus::Available, &r, version)
                    .await?
            }
            WebhookEvent::RecordingDeleted(r) => {
                let uuid = required_uuid(&r)?.to_owned();
                self.write_each(&targets, move |mut db, tid| {
                    let uuid = uuid.clone();
                    Box::pin(async move {
                        recording::delete_versioned(&mut db, &tid, &uuid, version, store::now())
                            .await
                    })
                })
                .await?
            }
            // `app_deauthorized` concerns grants, not sites' data: `apply` applied it.
            WebhookEvent::Other { .. } | WebhookEvent::AppDeauthorized { .. } => {
                return Ok(not_used());
            }
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
                        if grant.status != GrantStatus::Active {
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

    /// A created, recovered or updated meeting: the patch applied to the stored copy when it
    /// is enough, otherwise the meeting as Zoom has it now (read once for all sites).
    async fn apply_meeting_change(
        &self,
        targets: &[&Target],
        kind: MeetingKind,
        id: i64,
        patch: Option<&MeetingPatch>,
        version: i64,
    ) -> Result<usize, ServiceError> {
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
            let patched = match (patch, stored) {
                (Some(patch), Some((meeting, _, _))) => {
                    zoom_records::patched_meeting(meeting, patch)
                }
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
        meeting: DeletedMeeting,
        version: i64,
    ) -> Result<usize, ServiceError> {
        let id = required_id(meeting.id)?;
        let only = meeting.occurrences;
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
        action: RegistrationAction,
        object: RegistrationObject,
    ) -> Result<usize, ServiceError> {
        let id = required_id(object.id)?;
        let registrant = match object.registrant {
            Field::Value(registrant) => registrant,
            Field::Unusable => Registrant::default(),
            Field::Absent => return Err(malformed("object.registrant")),
        };
        let registrant_id = registrant.id.as_str();
        let status = zoom_records::registration_status(action, &registrant);
        let join_url = registrant.join_url.as_deref();
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
        status: RecordingStatus,
        r: &RecordingRef,
        version: i64,
    ) -> Result<usize, ServiceError> {
        let uuid = required_uuid(r)?.to_owned();
        let key = uuid.clone();
        let changed = self
            .write_each(targets, move |mut db, tid| {
                let key = key.clone();
                Box::pin(async move {
                    recording::set_status_versioned(&mut db, &tid, &key, status, version).await
                })
            })
            .await?;
        if changed > 0 || status == RecordingStatus::Trashed {
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
                    zoom_records::recording(r, RecordingStatus::Available),
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

#[cfg(test)]
mod tests {
    use super::notice_time;

    #[test]
    fn a_deauthorization_is_dated_by_its_deauthorization_time_else_its_event_ts() {
        let event_ts = 1_560_779_548_000;
        assert_eq!(
            notice_time(Some("2019-06-17T13:52:28.632Z"), event_ts)
                .and_utc()
                .timestamp_millis(),
            1_560_779_548_632
        );
        for unusable in [None, Some("yesterday")] {
            assert_eq!(
                notice_time(unusable, event_ts).and_utc().timestamp_millis(),
                event_ts
            );
        }
    }
}

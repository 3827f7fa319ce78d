//! Meetings and webinars: listing every host's, reading details only where needed, storing.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDateTime, TimeDelta, Utc};

use crate::domain::Meeting;
use crate::domain::status::MeetingKind;
use crate::service::ServiceError;
use crate::service::zoom_budget::RateCategory;
use crate::service::zoom_records;
use crate::store;
use crate::store::sync_status::SyncCounts;
use crate::zoom::models::ZoomMeeting;
use crate::zoom::scopes;

use super::calls::bounded;
use super::recordings::month_windows;
use super::{Fetched, Listed, MAX_PAGES, Run, SyncWork, WRITE_CHUNK};

/// Meeting details read before they are handed to the writer.
const DETAIL_BATCH: usize = 50;

impl SyncWork<'_> {
    pub(super) async fn full_sync(
        &self,
        run: &Run,
        recording_months: u32,
    ) -> Result<SyncCounts, ServiceError> {
        run.progress.note("listing users");
        let hosts = self.hosts(run).await?;
        let windows = if scopes::recordings_allowed(&run.grant.scopes) {
            month_windows(Utc::now().date_naive(), recording_months)
        } else {
            Vec::new()
        };
        // Meeting details are Light calls, recording lists Medium: Zoom budgets them apart, so
        // both phases run at once and the job takes as long as the busier category needs.
        let (mut counts, (recordings, removed)) =
            futures::try_join!(self.sync_meetings_of(run, &hosts), async {
                if windows.is_empty() {
                    return Ok((0, 0));
                }
                self.sync_recordings_of(run, &hosts, &windows).await
            })?;
        counts.recordings = recordings as i64;
        counts.removed += removed as i64;
        run.progress.note("done");
        Ok(counts)
    }

    /// Whose meetings the site shows: every active user of the account for account-level
    /// grants, else the connected user (`me`).
    pub(super) async fn hosts(&self, run: &Run) -> Result<Vec<String>, ServiceError> {
        if !scopes::account_level(&run.grant.scopes) {
            return Ok(vec!["me".to_owned()]);
        }
        let zoom = self.zoom;
        let mut hosts = Vec::new();
        let mut page_token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let current = page_token.clone();
            let page = self
                .calls
                .in_run(run, RateCategory::Medium, |t| {
                    let current = current.clone();
                    async move { zoom.list_users(&t, current.as_deref()).await }
                })
                .await?;
            hosts.extend(page.users.into_iter().filter_map(|u| u.id));
            page_token = page.next_page_token.filter(|t| !t.is_empty());
            if page_token.is_none() {
                break;
            }
        }
        Ok(hosts)
    }

    pub(super) async fn sync_meetings_of(
        &self,
        run: &Run,
        hosts: &[String],
    ) -> Result<SyncCounts, ServiceError> {
        let webinars = scopes::webinars_allowed(&run.grant.scopes);
        run.progress
            .add_total(hosts.len() * if webinars { 2 } else { 1 });
        run.progress.note("listing meetings");
        let tid = run.tenant.clone();
        let stored = self
            .store
            .read(move |mut db| {
                Box::pin(async move { store::meeting::all_by_id(&mut db, &tid).await })
            })
            .await?;
        let now = Utc::now().naive_utc();
        // Each host's details are read as soon as its list is in, so the Light budget is busy
        // from the first list on; one writer stores each host's meetings meanwhile, so no
        // reader waits for a write.
        let (written, mut to_write) = tokio::sync::mpsc::unbounded_channel::<Vec<Fetched>>();
        let reading = async move {
            let written = &written;
            bounded(
                hosts
                    .iter()
                    .map(|host| self.sync_host_meetings(run, host, webinars, &stored, now, written))
                    .collect::<Vec<_>>(),
                self.config.request_concurrency,
            )
            .await
        };
        let writing = async {
            while let Some(batch) = to_write.recv().await {
                self.store_meetings(run, batch).await?;
            }
            Ok::<_, ServiceError>(())
        };
        let (per_host, ()) = futures::try_join!(reading, writing)?;
        let mut keep: HashMap<MeetingKind, HashSet<i64>> = HashMap::new();
        for (kind, ids) in per_host.into_iter().flatten() {
            keep.entry(kind).or_default().extend(ids);
        }
        let meetings = keep.get(&MeetingKind::Meeting).map_or(0, HashSet::len);
        let webinar_count = keep.get(&MeetingKind::Webinar).map_or(0, HashSet::len);
        let mut removed = 0;
        for kind in [MeetingKind::Meeting, MeetingKind::Webinar] {
            let keep = keep.remove(&kind).unwrap_or_default();
            let (tid, version) = (run.tenant.clone(), run.version);
            removed += self
                .store
                .write(move |mut db| {
                    Box::pin(async move {
                        let n = store::meeting::delete_unlisted(
                            &mut db,
                            &tid,
                            kind,
                            &keep,
                            version,
                            store::now(),
                        )
                        .await?;
                        if n > 0 {
                            store::tenant::bump_content_version(&mut db, &tid).await?;
                        }
                        Ok(n)
                    })
                })
                .await?;
        }
        Ok(SyncCounts {
            meetings: meetings as i64,
            webinars: webinar_count as i64,
            removed: removed as i64,
            ..SyncCounts::default()
        })
    }

    /// One host: lists, reads the details that are needed, hands what changed to the writer.
    /// Returns the ids Zoom listed, by kind (what the site keeps).
    async fn sync_host_meetings(
        &self,
        run: &Run,
        host: &str,
        webinars: bool,
        stored: &HashMap<i64, Meeting>,
        now: NaiveDateTime,
        writer: &tokio::sync::mpsc::UnboundedSender<Vec<Fetched>>,
    ) -> Result<HashMap<MeetingKind, HashSet<i64>>, ServiceError> {
        let listed = self.list_host_meetings(run, host, webinars).await?;
        let (to_fetch, ready): (Vec<Listed>, Vec<Listed>) = listed
            .into_iter()
            .partition(|l| needs_detail(&l.meeting, stored.get(&l.meeting.id), now));
        run.progress.add_total(to_fetch.len());
        run.progress.note("reading meeting details");
        let mut keep: HashMap<MeetingKind, HashSet<i64>> = HashMap::new();
        let mut fetched: Vec<Fetched> = Vec::with_capacity(ready.len());
        for l in ready {
            keep.entry(l.kind).or_default().insert(l.meeting.id);
            let unchanged = stored
                .get(&l.meeting.id)
                .is_some_and(|s| !list_differs(&l.meeting, s));
            if !unchanged {
                let id = l.meeting.id;
                let merged = merge_listed(zoom_records::meeting(l.meeting), stored.get(&id));
                fetched.push(Fetched {
                    meeting: merged,
                    kind: l.kind,
                    occurrences: None,
                });
            }
        }
        // The writer ends only after every host is read, so it is still listening.
        let _ = writer.send(fetched);
        // Details go to the writer in small batches as they come, so little is left to store
        // once the last one is read.
        for batch in to_fetch.chunks(DETAIL_BATCH) {
            let details: Vec<Option<Fetched>> = bounded(
                batch
                    .iter()
                    .map(|l| self.meeting_detail(run, l.meeting.id, l.kind))
                    .collect::<Vec<_>>(),
                self.config.request_concurrency,
            )
            .await?;
            let details: Vec<Fetched> = details.into_iter().flatten().collect();
            for f in &details {
                keep.entry(f.kind)
                    .or_default()
                    .insert(f.meeting.zoom_meeting_id);
            }
            let _ = writer.send(details);
        }
        Ok(keep)
    }

    /// All pages of one host's scheduled meetings (and webinars when allowed).
    pub(super) async fn list_host_meetings(
        &self,
        run: &Run,
        host: &str,
        webinars: bool,
    ) -> Result<Vec<Listed>, ServiceError> {
        let zoom = self.zoom;
        let mut out = Vec::new();
        let mut page_token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let current = page_token.clone();
            let page = self
                .calls
                .in_run(run, RateCategory::Medium, |t| {
                    let current = current.clone();
                    async move {
                        zoom.list_meetings(&t, host, "scheduled", current.as_deref())
                            .await
                    }
                })
                .await?;
            out.extend(page.meetings.into_iter().map(|meeting| Listed {
                meeting,
                kind: MeetingKind::Meeting,
            }));
            page_token = page.next_page_token.filter(|t| !t.is_empty());
            if page_token.is_none() {
                break;
            }
        }
        run.progress.advance(1);
        if !webinars {
            return Ok(out);
        }
        let mut page_token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let current = page_token.clone();
            let page = match self
                .calls
                .in_run(run, RateCategory::Medium, |t| {
                    let current = current.clone();
                    async move { zoom.list_webinars(&t, host, current.as_deref()).await }
                })
                .await
            {
                Ok(page) => page,
                // No Webinar add-on for this user: Zoom refuses the list; there are none.
                Err(ServiceError::ZoomRefused(_) | ServiceError::ZoomNotFound(_)) => break,
                Err(e) => return Err(e),
            };
            out.extend(page.webinars.into_iter().map(|meeting| Listed {
                meeting,
                kind: MeetingKind::Webinar,
            }));
            page_token = page.next_page_token.filter(|t| !t.is_empty());
            if page_token.is_none() {
                break;
            }
        }
        run.progress.advance(1);
        Ok(out)
    }

    /// A meeting's (or webinar's) full detail; `None` if Zoom no longer has it.
    pub(super) async fn meeting_detail(
        &self,
        run: &Run,
        id: i64,
        kind: MeetingKind,
    ) -> Result<Option<Fetched>, ServiceError> {
        let detail = self
            .calls
            .fetch_meeting(
                &run.tenant,
                &run.account,
                id,
                kind,
                Some(&run.progress.requests),
            )
            .await?;
        run.progress.advance(1);
        Ok(detail.map(|m| Fetched {
            occurrences: Some(zoom_records::occurrences(&m)),
            meeting: zoom_records::meeting(m),
            kind,
        }))
    }

    /// Writes meetings in chunks (one transaction each, each bumping the content version).
    pub(super) async fn store_meetings(
        &self,
        run: &Run,
        fetched: Vec<Fetched>,
    ) -> Result<(), ServiceError> {
        let mut fetched = fetched.into_iter().peekable();
        while fetched.peek().is_some() {
            let chunk: Vec<Fetched> = fetched.by_ref().take(WRITE_CHUNK).collect();
            let (tid, version) = (run.tenant.clone(), run.version);
            let _turn = run.writes.lock().await;
            self.store
                .write(move |mut db| {
                    Box::pin(async move {
                        let now = store::now();
                        for f in &chunk {
                            let written = store::meeting::upsert_versioned(
                                &mut db, &tid, &f.meeting, f.kind, version, now,
                            )
                            .await?;
                            if let (true, Some(occurrences)) = (written, &f.occurrences) {
                                store::occurrence::replace_for_meeting(
                                    &mut db,
                                    &tid,
                                    f.meeting.zoom_meeting_id,
                                    occurrences,
                                )
                                .await?;
                            }
                        }
                        store::tenant::bump_content_version(&mut db, &tid).await
                    })
                })
                .await?;
        }
        Ok(())
    }

    /// `meeting:<id>` or `webinar:<id>`: re-reads one meeting; removes it if Zoom has none.
    pub(super) async fn sync_one_meeting(
        &self,
        run: &Run,
        param: &str,
    ) -> Result<SyncCounts, ServiceError> {
        let (kind, id) = match param.split_once(':') {
            Some((prefix, id)) if prefix == MeetingKind::Webinar.as_str() => {
                (MeetingKind::Webinar, id)
            }
            Some((_, id)) => (MeetingKind::Meeting, id),
            None => (MeetingKind::Meeting, param),
        };
        let id: i64 = id
            .parse()
            .map_err(|_| ServiceError::invalid("param", "is not a meeting id"))?;
        run.progress.add_total(1);
        let detail = self.meeting_detail(run, id, kind).await?;
        run.progress.advance(1);
        let found = detail.is_some();
        match detail {
            Some(f) => self.store_meetings(run, vec![f]).await?,
            None => {
                let (tid, version) = (run.tenant.clone(), run.version);
                self.store
                    .write(move |mut db| {
                        Box::pin(async move {
                            store::meeting::delete_versioned(
                                &mut db,
                                &tid,
                                id,
                                version,
                                store::now(),
                            )
                            .await?;
                            store::tenant::bump_content_version(&mut db, &tid).await
                        })
                    })
                    .await?;
            }
        }
        Ok(SyncCounts {
            meetings: i64::from(found && kind == MeetingKind::Meeting),
            webinars: i64::from(found && kind == MeetingKind::Webinar),
            removed: i64::from(!found),
            ..SyncCounts::default()
        })
    }
}

/// Whether a listed meeting needs its detail: the site may show it (upcoming, or recurring)
/// and it is new or changed since the stored copy.
pub(super) fn needs_detail(
    listed: &ZoomMeeting,
    stored: Option<&Meeting>,
    now: NaiveDateTime,
) -> bool {
    let recurring = zoom_records::is_recurring(listed.meeting_type);
    let start = listed
        .start_time
        .as_deref()
        .and_then(zoom_records::parse_time);
    let upcoming = start.is_none_or(|s| s + TimeDelta::minutes(listed.duration.into()) > now);
    if !(upcoming || recurring) {
        return false;
    }
    stored.is_none_or(|s| list_differs(listed, s) || recurring && s.start_time != start)
}

/// Whether what the list shows differs from the stored copy (lists cut agendas at 250
/// characters, so a stored agenda that begins with the listed one is the same).
pub(super) fn list_differs(listed: &ZoomMeeting, stored: &Meeting) -> bool {
    let start = listed
        .start_time
        .as_deref()
        .and_then(zoom_records::parse_time);
    let timezone = zoom_records::timezone_or_utc(listed.timezone.as_deref());
    let agenda_same = if listed.agenda.chars().count() >= 250 {
        stored.agenda.starts_with(&listed.agenda)
    } else {
        stored.agenda == listed.agenda
    };
    stored.topic != listed.topic
        || stored.start_time != start
        || stored.duration_minutes != listed.duration
        || stored.timezone != timezone
        || stored.join_url != listed.join_url
        || stored.meeting_type != listed.meeting_type
        || !agenda_same
}

/// A listed meeting without its detail: keeps what only the detail tells (registration,
/// the full agenda) from the stored copy.
pub(super) fn merge_listed(mut listed: Meeting, stored: Option<&Meeting>) -> Meeting {
    if let Some(s) = stored {
        listed.approval_type = s.approval_type;
        if s.agenda.starts_with(&listed.agenda) {
            listed.agenda = s.agenda.clone();
        }
    }
    listed
}

#[cfg(test)]
mod tests {
    use crate::service::zoom_records;
    use crate::zoom::models::ZoomMeeting;

    use super::needs_detail;

    fn listed(start: &str, agenda: &str) -> ZoomMeeting {
        serde_json::from_value(serde_json::json!({"id": 1, "topic": "T", "type": 2,
            "start_time": start, "duration": 30, "timezone": "UTC", "agenda": agenda, "join_url": "j"}))
        .unwrap()
    }

    #[test]
    fn details_only_for_new_or_changed_upcoming_meetings() {
        let now = zoom_records::parse_time("2026-01-10T00:00:00Z").unwrap();
        let future = listed("2026-02-01T10:00:00Z", "short");
        let past = listed("2026-01-01T10:00:00Z", "short");
        assert!(needs_detail(&future, None, now), "new and upcoming");
        assert!(!needs_detail(&past, None, now), "past: the list is enough");
        let stored = zoom_records::meeting(future.clone());
        assert!(!needs_detail(&future, Some(&stored), now), "unchanged");
        let mut moved = future.clone();
        moved.start_time = Some("2026-02-02T10:00:00Z".into());
        assert!(needs_detail(&moved, Some(&stored), now));
        let long = "x".repeat(400);
        let mut full = stored.clone();
        full.agenda = long.clone();
        let truncated = listed("2026-02-01T10:00:00Z", &long[..250]);
        assert!(
            !needs_detail(&truncated, Some(&full), now),
            "a cut agenda is not a change"
        );
    }
}

//! Cloud recordings: month-by-month windows (Zoom's one-month limit), passcodes, storing.

use std::collections::{HashMap, HashSet};

use chrono::{Months, NaiveDate, TimeDelta};

use crate::domain::status::RecordingStatus;
use crate::service::ServiceError;
use crate::service::zoom_budget::RateCategory;
use crate::service::zoom_records;
use crate::store;
use crate::store::recording::RecordingData;
use crate::store::sync_status::SyncCounts;
use crate::zoom::models::ZoomRecording;

use super::calls::bounded;
use super::{MAX_PAGES, Run, SyncWork, WRITE_CHUNK};

impl SyncWork<'_> {
    /// Recordings of every host in every window; then removes stored ones in those windows
    /// that Zoom no longer lists. Returns (recordings listed, removed).
    pub(super) async fn sync_recordings_of(
        &self,
        run: &Run,
        hosts: &[String],
        windows: &[(NaiveDate, NaiveDate)],
    ) -> Result<(usize, usize), ServiceError> {
        run.progress.add_total(hosts.len() * windows.len());
        run.progress.note("listing recordings");
        let pairs: Vec<(&String, &(NaiveDate, NaiveDate))> = hosts
            .iter()
            .flat_map(|h| windows.iter().map(move |w| (h, w)))
            .collect();
        let listed: Vec<Vec<ZoomRecording>> = bounded(
            pairs
                .into_iter()
                .map(|(host, window)| self.list_host_recordings(run, host, *window))
                .collect::<Vec<_>>(),
            self.config.request_concurrency,
        )
        .await?;
        let mut by_uuid: HashMap<String, ZoomRecording> = HashMap::new();
        for r in listed.into_iter().flatten() {
            by_uuid.insert(r.uuid.clone(), r);
        }
        let recordings = self
            .with_passcodes(run, by_uuid.into_values().collect())
            .await?;
        let count = recordings.len();
        let keep: HashSet<String> = recordings
            .iter()
            .map(|r| r.zoom_meeting_uuid.clone())
            .collect();
        run.progress.note("storing recordings");
        let mut rest = recordings.into_iter().peekable();
        while rest.peek().is_some() {
            let chunk: Vec<RecordingData> = rest.by_ref().take(WRITE_CHUNK).collect();
            let (tid, version) = (run.tenant.clone(), run.version);
            let _turn = run.writes.lock().await;
            self.store
                .write(move |mut db| {
                    Box::pin(async move {
                        let now = store::now();
                        for r in &chunk {
                            store::recording::upsert_versioned(&mut db, &tid, r, version, now)
                                .await?;
                        }
                        store::tenant::bump_content_version(&mut db, &tid).await
                    })
                })
                .await?;
        }
        let removed = match (windows.last(), windows.first()) {
            (Some((from, _)), Some((_, to))) => {
                let from = from.and_hms_opt(0, 0, 0).unwrap_or_default();
                let to = (*to + TimeDelta::days(1))
                    .and_hms_opt(0, 0, 0)
                    .unwrap_or_default();
                let (tid, version) = (run.tenant.clone(), run.version);
                self.store
                    .write(move |mut db| {
                        Box::pin(async move {
                            let n = store::recording::delete_unlisted(
                                &mut db,
                                &tid,
                                from,
                                to,
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
                    .await?
            }
            _ => 0,
        };
        Ok((count, removed))
    }

    pub(super) async fn list_host_recordings(
        &self,
        run: &Run,
        host: &str,
        (from, to): (NaiveDate, NaiveDate),
    ) -> Result<Vec<ZoomRecording>, ServiceError> {
        let zoom = self.zoom;
        let (from, to) = (from.to_string(), to.to_string());
        let mut out = Vec::new();
        let mut page_token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let current = page_token.clone();
            let (from, to) = (&from, &to);
            let page = self
                .calls
                .in_run(run, RateCategory::Medium, |t| {
                    let current = current.clone();
                    async move {
                        zoom.list_recordings(&t, host, from, to, current.as_deref())
                            .await
                    }
                })
                .await?;
            out.extend(page.meetings);
            page_token = page.next_page_token.filter(|t| !t.is_empty());
            if page_token.is_none() {
                break;
            }
        }
        run.progress.advance(1);
        Ok(out)
    }

    /// Completes play passcodes the list omitted (`GET /meetings/{uuid}/recordings`), unless a
    /// stored copy already has one.
    pub(super) async fn with_passcodes(
        &self,
        run: &Run,
        listed: Vec<ZoomRecording>,
    ) -> Result<Vec<RecordingData>, ServiceError> {
        let tid = run.tenant.clone();
        let known = self
            .store
            .read(move |mut db| {
                Box::pin(async move { store::recording::uuids_with_passcode(&mut db, &tid).await })
            })
            .await?;
        let completed: Vec<Option<RecordingData>> = bounded(
            listed
                .into_iter()
                .map(|r| self.complete_passcode(run, r, &known))
                .collect::<Vec<_>>(),
            self.config.request_concurrency,
        )
        .await?;
        Ok(completed.into_iter().flatten().collect())
    }

    /// The recording with its play passcode: from the list, or (when the list omitted it and
    /// no stored copy has one) from `GET /meetings/{uuid}/recordings`. `None` if it is gone.
    pub(super) async fn complete_passcode(
        &self,
        run: &Run,
        r: ZoomRecording,
        known: &HashSet<String>,
    ) -> Result<Option<RecordingData>, ServiceError> {
        let missing = r
            .recording_play_passcode
            .as_deref()
            .unwrap_or("")
            .is_empty();
        if !missing || known.contains(&r.uuid) {
            return Ok(Some(zoom_records::recording(r, RecordingStatus::Available)));
        }
        let full = self
            .calls
            .fetch_recording(
                &run.tenant,
                &run.account,
                &r.uuid,
                Some(&run.progress.requests),
            )
            .await?;
        Ok(full.map(|full| zoom_records::recording(full, RecordingStatus::Available)))
    }

    // ---- small jobs -----------------------------------------------------------------------

    /// `YYYY-MM-DD..YYYY-MM-DD` (at most one month): the recordings of that window.
    pub(super) async fn sync_recording_window(
        &self,
        run: &Run,
        param: &str,
    ) -> Result<SyncCounts, ServiceError> {
        let window = param
            .split_once("..")
            .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
            .filter(|(from, to): &(NaiveDate, NaiveDate)| {
                from <= to
                    && from
                        .checked_add_months(Months::new(1))
                        .is_some_and(|l| *to <= l)
            })
            .ok_or_else(|| {
                ServiceError::invalid("param", "must be YYYY-MM-DD..YYYY-MM-DD within a month")
            })?;
        let hosts = self.hosts(run).await?;
        let (recordings, removed) = self.sync_recordings_of(run, &hosts, &[window]).await?;
        Ok(SyncCounts {
            recordings: recordings as i64,
            removed: removed as i64,
            ..SyncCounts::default()
        })
    }
}

/// Month-long windows (inclusive dates) from today back `months` months, newest first.
pub(super) fn month_windows(today: NaiveDate, months: u32) -> Vec<(NaiveDate, NaiveDate)> {
    let mut windows = Vec::new();
    let mut to = today + TimeDelta::days(1);
    for _ in 0..months {
        let Some(from) = to.checked_sub_months(Months::new(1)) else {
            break;
        };
        let from = from + TimeDelta::days(1);
        windows.push((from, to));
        to = from - TimeDelta::days(1);
    }
    windows
}

#[cfg(test)]
mod tests {
    use chrono::{Months, NaiveDate, TimeDelta};

    use super::month_windows;

    #[test]
    fn recording_windows_are_contiguous_months_within_zoom_s_limit() {
        let today: NaiveDate = "2026-03-31".parse().unwrap();
        let w = month_windows(today, 3);
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].1.to_string(), "2026-04-01");
        for (from, to) in &w {
            assert!(from.checked_add_months(Months::new(1)).unwrap() >= *to);
        }
        for pair in w.windows(2) {
            assert_eq!(
                pair[1].1 + TimeDelta::days(1),
                pair[0].0,
                "no gap, no overlap"
            );
        }
    }
}

//! Bringing a tenant's Zoom meetings into Marquee's store.
//!
//! The walking-skeleton sync: the connected user's upcoming meetings, all pages, each
//! completed with `GET /meetings/{id}` (lists omit registration settings and truncate agendas,
//! reference §4.3), then stored in one transaction that also removes what Zoom no longer has.

use chrono::{DateTime, NaiveDateTime};

use crate::domain::{Meeting, TenantId};
use crate::store;
use crate::zoom::models::ZoomMeeting;

use super::{ServiceError, Services};

/// Guards against a Zoom that never stops paging.
const MAX_PAGES: usize = 1000;

/// What one sync run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncReport {
    pub meetings: usize,
    pub removed: usize,
}

impl Services {
    /// Syncs the connected user's upcoming meetings; records the outcome on the connection.
    pub async fn sync_meetings(&self, tenant_id: &TenantId) -> Result<SyncReport, ServiceError> {
        let result = self.fetch_and_store_meetings(tenant_id).await;
        let summary = match &result {
            Ok(report) => format!(
                "ok: {} meetings, {} removed",
                report.meetings, report.removed
            ),
            Err(e) => format!("failed: {e}"),
        };
        let id = tenant_id.clone();
        self.store
            .write(move |mut db| {
                Box::pin(async move {
                    store::connection::record_sync(&mut db, &id, store::now(), &summary).await
                })
            })
            .await?;
        result
    }

    async fn fetch_and_store_meetings(
        &self,
        tenant_id: &TenantId,
    ) -> Result<SyncReport, ServiceError> {
        let zoom = &self.zoom;
        let mut meetings = Vec::new();
        let mut page_token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let current = page_token.clone();
            let page = self
                .with_zoom_token(tenant_id, |t| {
                    let current = current.clone();
                    async move {
                        zoom.list_meetings(&t, "me", "upcoming", current.as_deref())
                            .await
                    }
                })
                .await?;
            for listed in page.meetings {
                let full = self
                    .with_zoom_token(tenant_id, |t| async move {
                        zoom.get_meeting(&t, listed.id).await
                    })
                    .await?;
                meetings.push(to_domain(full));
            }
            page_token = page.next_page_token.filter(|t| !t.is_empty());
            if page_token.is_none() {
                break;
            }
        }
        let id = tenant_id.clone();
        let count = meetings.len();
        let removed = self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    let now = store::now();
                    for meeting in &meetings {
                        store::meeting::upsert(&mut db, &id, meeting, now).await?;
                    }
                    let keep: Vec<i64> = meetings.iter().map(|m| m.zoom_meeting_id).collect();
                    let removed = store::meeting::delete_missing(&mut db, &id, &keep).await?;
                    store::tenant::bump_content_version(&mut db, &id).await?;
                    Ok(removed)
                })
            })
            .await?;
        tracing::info!(tenant.id = %tenant_id, sync.meetings = count, sync.removed = removed, "meetings synced");
        Ok(SyncReport {
            meetings: count,
            removed,
        })
    }
}

/// Zoom's meeting → Marquee's. `start_url` is deliberately not carried over.
pub fn to_domain(m: ZoomMeeting) -> Meeting {
    Meeting {
        zoom_meeting_id: m.id,
        zoom_uuid: m.uuid,
        host_id: m.host_id,
        topic: m.topic,
        agenda: m.agenda,
        meeting_type: m.meeting_type,
        start_time: m.start_time.as_deref().and_then(parse_zoom_time),
        duration_minutes: m.duration,
        timezone: m
            .timezone
            .filter(|tz| !tz.is_empty())
            .unwrap_or_else(|| "UTC".to_owned()),
        approval_type: m.settings.map_or(2, |s| s.approval_type),
        join_url: m.join_url,
        hidden: false,
    }
}

/// Zoom's times are UTC `yyyy-MM-ddTHH:mm:ssZ` in responses (reference §4.1).
fn parse_zoom_time(raw: &str) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc3339(raw)
        .ok()
        .map(|t| t.naive_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_times_parse_as_utc() {
        let t = parse_zoom_time("2026-03-29T01:30:00Z").unwrap();
        assert_eq!(t.to_string(), "2026-03-29 01:30:00");
        assert_eq!(parse_zoom_time("2026-03-29T03:30:00+02:00"), Some(t));
        assert_eq!(parse_zoom_time("tomorrow"), None);
    }
}

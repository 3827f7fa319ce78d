//! Zoom's word on a visitor's registration (`meeting.registration_*` webhooks). The
//! registration flow itself lives elsewhere; this only moves the status of rows it created.
//! Scoped by tenant.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::registrations;
use super::{Db, StoreError, with_db};
use crate::domain::TenantId;

/// Sets status (and the personal join link, when Zoom sends one) of the tenant's registration
/// for Zoom registrant `zoom_registrant_id` of the meeting. Returns how many rows changed
/// (0 when Marquee did not take that registration).
pub async fn update_status_from_zoom(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    zoom_meeting_id: i64,
    zoom_registrant_id: &str,
    status: &str,
    join_url: Option<&str>,
    now: chrono::NaiveDateTime,
) -> Result<usize, StoreError> {
    let target = registrations::table
        .filter(registrations::tenant_id.eq(tenant_id.as_str()))
        .filter(registrations::zoom_meeting_id.eq(zoom_meeting_id))
        .filter(registrations::zoom_registrant_id.eq(zoom_registrant_id));
    Ok(match join_url {
        Some(url) => with_db!(db, |c| diesel::update(target)
            .set((
                registrations::status.eq(status),
                registrations::join_url.eq(url),
                registrations::updated_at.eq(now),
            ))
            .execute(c)
            .await)?,
        None => with_db!(db, |c| diesel::update(target)
            .set((
                registrations::status.eq(status),
                registrations::updated_at.eq(now)
            ))
            .execute(c)
            .await)?,
    })
}

//! Visitors' registrations. One row per visitor (lower-cased e-mail) per meeting occurrence;
//! every function is scoped by tenant.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::registrations;
use super::{Db, StoreError, now as store_now, outbox, with_db};
use crate::domain::TenantId;
use crate::domain::event::EventType;
use crate::domain::public::{Registration, RegistrationStatus};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = registrations)]
struct RegistrationRow {
    id: String,
    tenant_id: String,
    zoom_meeting_id: i64,
    occurrence_id: String,
    email: String,
    first_name: String,
    last_name: String,
    zoom_registrant_id: String,
    status: String,
    join_url: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl RegistrationRow {
    fn into_domain(self) -> Result<Registration, StoreError> {
        Ok(Registration {
            status: RegistrationStatus::parse(&self.status)
                .ok_or_else(|| StoreError::Corrupt(format!("status {:?}", self.status)))?,
            id: self.id,
            zoom_meeting_id: self.zoom_meeting_id,
            occurrence_id: self.occurrence_id,
            email: self.email,
            first_name: self.first_name,
            last_name: self.last_name,
            zoom_registrant_id: self.zoom_registrant_id,
            join_url: self.join_url,
            created_at: self.created_at,
        })
    }
}

/// Records a registration Zoom accepted. A clash with an existing visitor is
/// `StoreError::Conflict` (a concurrent twin won; read it back). The table's
/// `idempotency_key` column is no longer written: keys live in `idempotency_keys`.
pub async fn insert(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    r: &Registration,
) -> Result<(), StoreError> {
    let row = RegistrationRow {
        id: r.id.clone(),
        tenant_id: tenant_id.to_string(),
        zoom_meeting_id: r.zoom_meeting_id,
        occurrence_id: r.occurrence_id.clone(),
        email: r.email.clone(),
        first_name: r.first_name.clone(),
        last_name: r.last_name.clone(),
        zoom_registrant_id: r.zoom_registrant_id.clone(),
        status: r.status.as_str().to_owned(),
        join_url: r.join_url.clone(),
        created_at: r.created_at,
        updated_at: r.created_at,
    };
    with_db!(db, |c| diesel::insert_into(registrations::table)
        .values(&row)
        .execute(c)
        .await)?;
    let data = event_data(&r.id, r.zoom_meeting_id, &r.occurrence_id, r.status);
    outbox::emit(
        db,
        tenant_id,
        EventType::RegistrationCreated,
        data,
        store_now(),
    )
    .await?;
    Ok(())
}

/// A registration as outbound events carry it: never the visitor's personal join link.
fn event_data(
    id: &str,
    zoom_meeting_id: i64,
    occurrence_id: &str,
    status: RegistrationStatus,
) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "meeting_id": zoom_meeting_id,
        "occurrence_id": occurrence_id,
        "status": status.as_str(),
    })
}

/// The visitor's registration for this meeting occurrence, if any.
pub async fn find_by_visitor(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    zoom_meeting_id: i64,
    occurrence_id: &str,
    email: &str,
) -> Result<Option<Registration>, StoreError> {
    let row: Option<RegistrationRow> = with_db!(db, |c| registrations::table
        .filter(registrations::tenant_id.eq(tenant_id.as_str()))
        .filter(registrations::zoom_meeting_id.eq(zoom_meeting_id))
        .filter(registrations::occurrence_id.eq(occurrence_id))
        .filter(registrations::email.eq(email))
        .select(RegistrationRow::as_select())
        .first(c)
        .await
        .optional())?;
    row.map(RegistrationRow::into_domain).transpose()
}

/// Which registrations a list holds: all, or those of one meeting and/or in one status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RegistrationFilter {
    pub zoom_meeting_id: Option<i64>,
    pub status: Option<RegistrationStatus>,
}

/// The tenant's registrations, newest first, as `filter` says, after the cursor position
/// `after` (created at, id) if given; one page and whether more follow.
pub async fn list(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    filter: RegistrationFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<(Vec<Registration>, bool), StoreError> {
    let rows: Vec<RegistrationRow> = with_db!(db, |c| {
        let mut query = registrations::table
            .filter(registrations::tenant_id.eq(tenant_id.as_str()))
            .order((registrations::created_at.desc(), registrations::id.desc()))
            .limit(limit + 1)
            .select(RegistrationRow::as_select())
            .into_boxed();
        if let Some(id) = filter.zoom_meeting_id {
            query = query.filter(registrations::zoom_meeting_id.eq(id));
        }
        if let Some(status) = filter.status {
            query = query.filter(registrations::status.eq(status.as_str()));
        }
        if let Some((created, id)) = &after {
            query = query.filter(
                registrations::created_at
                    .lt(*created)
                    .or(registrations::created_at
                        .eq(*created)
                        .and(registrations::id.lt(id.as_str()))),
            );
        }
        query.load(c).await
    })?;
    let more = rows.len() as i64 > limit;
    let page = rows
        .into_iter()
        .take(limit as usize)
        .map(RegistrationRow::into_domain)
        .collect::<Result<_, _>>()?;
    Ok((page, more))
}

/// One registration of the tenant by Marquee's id.
pub async fn find(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    id: &str,
) -> Result<Option<Registration>, StoreError> {
    let row: Option<RegistrationRow> = with_db!(db, |c| registrations::table
        .filter(registrations::tenant_id.eq(tenant_id.as_str()))
        .filter(registrations::id.eq(id))
        .select(RegistrationRow::as_select())
        .first(c)
        .await
        .optional())?;
    row.map(RegistrationRow::into_domain).transpose()
}

/// Applies a status change Zoom reported (webhook or a re-read): finds the registration by
/// Zoom's registrant id. Returns whether a row changed. `join_url: None` keeps the stored link
/// unless the registration is no longer approved.
pub async fn update_status(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    zoom_meeting_id: i64,
    zoom_registrant_id: &str,
    status: RegistrationStatus,
    join_url: Option<&str>,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let target = registrations::table
        .filter(registrations::tenant_id.eq(tenant_id.as_str()))
        .filter(registrations::zoom_meeting_id.eq(zoom_meeting_id))
        .filter(registrations::zoom_registrant_id.eq(zoom_registrant_id));
    let before: Vec<(String, String, String)> = with_db!(db, |c| target
        .select((
            registrations::id,
            registrations::occurrence_id,
            registrations::status
        ))
        .load(c)
        .await)?;
    let n = match (status, join_url) {
        (RegistrationStatus::Approved, Some(url)) => with_db!(db, |c| diesel::update(target)
            .set((
                registrations::status.eq(status.as_str()),
                registrations::join_url.eq(url),
                registrations::updated_at.eq(now),
            ))
            .execute(c)
            .await)?,
        (RegistrationStatus::Approved, None) => with_db!(db, |c| diesel::update(target)
            .set((
                registrations::status.eq(status.as_str()),
                registrations::updated_at.eq(now),
            ))
            .execute(c)
            .await)?,
        // A link that no longer admits anyone must not be shown.
        _ => with_db!(db, |c| diesel::update(target)
            .set((
                registrations::status.eq(status.as_str()),
                registrations::join_url.eq(None::<String>),
                registrations::updated_at.eq(now),
            ))
            .execute(c)
            .await)?,
    };
    for (id, occurrence_id, _) in before.iter().filter(|(.., old)| old != status.as_str()) {
        let data = event_data(id, zoom_meeting_id, occurrence_id, status);
        outbox::emit(db, tenant_id, EventType::RegistrationUpdated, data, now).await?;
    }
    Ok(n > 0)
}

/// Whether the tenant has a registration for Zoom registrant `zoom_registrant_id` of the meeting.
pub async fn exists_for_registrant(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    zoom_meeting_id: i64,
    zoom_registrant_id: &str,
) -> Result<bool, StoreError> {
    let count: i64 = with_db!(db, |c| registrations::table
        .filter(registrations::tenant_id.eq(tenant_id.as_str()))
        .filter(registrations::zoom_meeting_id.eq(zoom_meeting_id))
        .filter(registrations::zoom_registrant_id.eq(zoom_registrant_id))
        .count()
        .get_result(c)
        .await)?;
    Ok(count > 0)
}

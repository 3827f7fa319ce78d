//! Tenants (sites). Deleting a tenant cascades to every row it owns.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::tenants;
use super::{Db, StoreError, with_db};
use crate::domain::origin::Origin;
use crate::domain::{Slug, Tenant, TenantId};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = tenants)]
struct TenantRow {
    id: String,
    slug: String,
    display_name: String,
    created_at: chrono::NaiveDateTime,
    content_version: i64,
    /// The platform's origins of the site, space-separated.
    origins: String,
}

impl TenantRow {
    fn into_domain(self) -> Result<Tenant, StoreError> {
        Ok(Tenant {
            id: TenantId::from_stored(self.id),
            slug: Slug::parse(&self.slug).map_err(StoreError::Corrupt)?,
            display_name: self.display_name,
            created_at: self.created_at,
            origins: Origin::from_stored_list(&self.origins),
        })
    }
}

/// Inserts a tenant; a taken slug is `StoreError::Conflict`.
pub async fn insert(db: &mut Db<'_>, tenant: &Tenant) -> Result<(), StoreError> {
    let row = TenantRow {
        id: tenant.id.to_string(),
        slug: tenant.slug.to_string(),
        display_name: tenant.display_name.clone(),
        created_at: tenant.created_at,
        content_version: 0,
        origins: Origin::to_stored_list(&tenant.origins),
    };
    with_db!(db, |c| diesel::insert_into(tenants::table)
        .values(&row)
        .execute(c)
        .await)?;
    Ok(())
}

pub async fn find_by_slug(db: &mut Db<'_>, slug: &str) -> Result<Option<Tenant>, StoreError> {
    let row: Option<TenantRow> = with_db!(db, |c| tenants::table
        .filter(tenants::slug.eq(slug))
        .select(TenantRow::as_select())
        .first(c)
        .await
        .optional())?;
    row.map(TenantRow::into_domain).transpose()
}

pub async fn find_by_id(db: &mut Db<'_>, id: &TenantId) -> Result<Option<Tenant>, StoreError> {
    let row: Option<TenantRow> = with_db!(db, |c| tenants::table
        .find(id.as_str())
        .select(TenantRow::as_select())
        .first(c)
        .await
        .optional())?;
    row.map(TenantRow::into_domain).transpose()
}

/// Tenants ordered by slug, after `after` (keyset pagination), at most `limit`.
pub async fn list(
    db: &mut Db<'_>,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Tenant>, StoreError> {
    let after = after.unwrap_or("");
    let rows: Vec<TenantRow> = with_db!(db, |c| tenants::table
        .filter(tenants::slug.gt(after))
        .order(tenants::slug.asc())
        .limit(limit)
        .select(TenantRow::as_select())
        .load(c)
        .await)?;
    rows.into_iter().map(TenantRow::into_domain).collect()
}

/// Changes what the platform says about the site: its display name and its origins (each
/// when given). Returns whether the tenant exists.
pub async fn update(
    db: &mut Db<'_>,
    id: &TenantId,
    display_name: Option<&str>,
    origins: Option<&[Origin]>,
) -> Result<bool, StoreError> {
    let origins = origins.map(Origin::to_stored_list);
    let n = with_db!(db, |c| diesel::update(tenants::table.find(id.as_str()))
        .set((
            display_name.map(|name| tenants::display_name.eq(name)),
            origins.as_deref().map(|o| tenants::origins.eq(o)),
        ))
        .execute(c)
        .await)?;
    Ok(n > 0)
}

/// Deletes the tenant and, through foreign keys, everything it owns. Returns whether it existed.
pub async fn delete(db: &mut Db<'_>, id: &TenantId) -> Result<bool, StoreError> {
    let n = with_db!(db, |c| diesel::delete(tenants::table.find(id.as_str()))
        .execute(c)
        .await)?;
    Ok(n > 0)
}

/// Marks the site's visible data as changed. Every writer of data a visitor can see (sync,
/// webhooks, owner settings) calls this in the same transaction, so caches on every instance
/// notice (they compare [`content_version`]).
pub async fn bump_content_version(db: &mut Db<'_>, id: &TenantId) -> Result<(), StoreError> {
    with_db!(db, |c| diesel::update(tenants::table.find(id.as_str()))
        .set(tenants::content_version.eq(tenants::content_version + 1))
        .execute(c)
        .await)?;
    Ok(())
}

/// The site's current content version (see [`bump_content_version`]).
pub async fn content_version(db: &mut Db<'_>, id: &TenantId) -> Result<i64, StoreError> {
    Ok(with_db!(db, |c| tenants::table
        .find(id.as_str())
        .select(tenants::content_version)
        .first(c)
        .await)?)
}

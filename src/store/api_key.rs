//! Tenant API keys, stored as SHA-256 hashes only.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::api_keys;
use super::{Db, StoreError, with_db};
use crate::domain::access::ApiKey;
use crate::domain::{ScopeSet, TenantId};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = api_keys)]
struct ApiKeyRow {
    id: String,
    tenant_id: String,
    name: String,
    key_hash: String,
    key_prefix: String,
    scopes: String,
    created_at: NaiveDateTime,
    last_used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
}

impl From<ApiKeyRow> for ApiKey {
    fn from(row: ApiKeyRow) -> Self {
        Self {
            id: row.id,
            tenant_id: TenantId::from_stored(row.tenant_id),
            name: row.name,
            key_prefix: row.key_prefix,
            scopes: ScopeSet::from_stored(&row.scopes),
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            revoked_at: row.revoked_at,
        }
    }
}

pub async fn insert(db: &mut Db<'_>, key: &ApiKey, key_hash: &str) -> Result<(), StoreError> {
    let row = ApiKeyRow {
        id: key.id.clone(),
        tenant_id: key.tenant_id.to_string(),
        name: key.name.clone(),
        key_hash: key_hash.to_owned(),
        key_prefix: key.key_prefix.clone(),
        scopes: key.scopes.to_string(),
        created_at: key.created_at,
        last_used_at: None,
        revoked_at: None,
    };
    with_db!(db, |c| diesel::insert_into(api_keys::table)
        .values(&row)
        .execute(c)
        .await)?;
    Ok(())
}

/// The unrevoked key with this hash, if any.
pub async fn find_active_by_hash(
    db: &mut Db<'_>,
    key_hash: &str,
) -> Result<Option<ApiKey>, StoreError> {
    let row: Option<ApiKeyRow> = with_db!(db, |c| api_keys::table
        .filter(api_keys::key_hash.eq(key_hash))
        .filter(api_keys::revoked_at.is_null())
        .select(ApiKeyRow::as_select())
        .first(c)
        .await
        .optional())?;
    Ok(row.map(ApiKey::from))
}

/// The tenant's keys, oldest first, at most `limit` after the cursor position `after`
/// (created at, id) if given; and whether more follow.
pub async fn list(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<(Vec<ApiKey>, bool), StoreError> {
    let rows: Vec<ApiKeyRow> = with_db!(db, |c| {
        let mut query = api_keys::table
            .filter(api_keys::tenant_id.eq(tenant_id.as_str()))
            .order((api_keys::created_at.asc(), api_keys::id.asc()))
            .limit(limit + 1)
            .select(ApiKeyRow::as_select())
            .into_boxed();
        if let Some((created, id)) = &after {
            query = query.filter(
                api_keys::created_at.gt(*created).or(api_keys::created_at
                    .eq(*created)
                    .and(api_keys::id.gt(id.as_str()))),
            );
        }
        query.load(c).await
    })?;
    let more = rows.len() as i64 > limit;
    Ok((
        rows.into_iter()
            .take(limit as usize)
            .map(ApiKey::from)
            .collect(),
        more,
    ))
}

/// Revokes a key of this tenant; returns whether an active key was revoked.
pub async fn revoke(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    key_id: &str,
    at: NaiveDateTime,
) -> Result<bool, StoreError> {
    let n = with_db!(db, |c| diesel::update(
        api_keys::table
            .filter(api_keys::tenant_id.eq(tenant_id.as_str()))
            .filter(api_keys::id.eq(key_id))
            .filter(api_keys::revoked_at.is_null())
    )
    .set(api_keys::revoked_at.eq(at))
    .execute(c)
    .await)?;
    Ok(n > 0)
}

/// Records use, at most once a minute per key so reads don't turn into a write per request.
pub async fn touch(db: &mut Db<'_>, key_id: &str, at: NaiveDateTime) -> Result<(), StoreError> {
    let stale_before = at - chrono::TimeDelta::minutes(1);
    with_db!(db, |c| diesel::update(
        api_keys::table.filter(api_keys::id.eq(key_id)).filter(
            api_keys::last_used_at
                .is_null()
                .or(api_keys::last_used_at.lt(stale_before))
        )
    )
    .set(api_keys::last_used_at.eq(at))
    .execute(c)
    .await)?;
    Ok(())
}

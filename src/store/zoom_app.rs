//! The Zoom App's sessions and authorization attempts (docs/zoom-app.md), and which sites a
//! Zoom user may act for. Secrets are stored as SHA-256 hashes; one-time values are consumed
//! with a single conditional UPDATE (as in `admin`).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::{
    meetings, zoom_app_attempts, zoom_app_sessions, zoom_connections, zoom_grants,
};
use super::{Db, StoreError, with_db};
use crate::crypto::Sealed;
use crate::domain::{Tenant, TenantId};

/// A live Zoom App session.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = zoom_app_sessions)]
pub struct StoredAppSession {
    pub id_hash: String,
    pub zoom_user_id: String,
    pub mid: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

/// Opens a session, or renews the one with this hash (same Zoom user only).
pub async fn upsert_session(db: &mut Db<'_>, s: &StoredAppSession) -> Result<(), StoreError> {
    let row = (
        zoom_app_sessions::id_hash.eq(&s.id_hash),
        zoom_app_sessions::zoom_user_id.eq(&s.zoom_user_id),
        zoom_app_sessions::mid.eq(&s.mid),
        zoom_app_sessions::created_at.eq(s.created_at),
        zoom_app_sessions::expires_at.eq(s.expires_at),
    );
    with_db!(db, |c| diesel::insert_into(zoom_app_sessions::table)
        .values(row)
        .on_conflict(zoom_app_sessions::id_hash)
        .do_update()
        .set((
            zoom_app_sessions::mid.eq(&s.mid),
            zoom_app_sessions::expires_at.eq(s.expires_at),
        ))
        .execute(c)
        .await)?;
    Ok(())
}

/// The unexpired session with this hash.
pub async fn find_session(
    db: &mut Db<'_>,
    id_hash: &str,
    now: NaiveDateTime,
) -> Result<Option<StoredAppSession>, StoreError> {
    Ok(with_db!(db, |c| zoom_app_sessions::table
        .filter(zoom_app_sessions::id_hash.eq(id_hash))
        .filter(zoom_app_sessions::expires_at.gt(now))
        .select(StoredAppSession::as_select())
        .first(c)
        .await
        .optional())?)
}

/// How a Zoom user is related to a site.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SiteRole {
    /// The Zoom user whose grant the site uses.
    Owner,
    /// A user of the site's connected Zoom account (known from their own grant).
    AccountUser,
    /// Hosts meetings Marquee stored for the site.
    Host,
}

/// The sites a Zoom user may act for, each with its closest role, from stored data only: the
/// site's own grant, a grant of the user in the site's account, or stored meetings they host.
pub async fn sites_of_user(
    db: &mut Db<'_>,
    zoom_user_id: &str,
) -> Result<Vec<(Tenant, SiteRole)>, StoreError> {
    let owned: Vec<String> = with_db!(db, |c| zoom_connections::table
        .inner_join(zoom_grants::table)
        .filter(zoom_grants::zoom_user_id.eq(zoom_user_id))
        .select(zoom_connections::tenant_id)
        .load(c)
        .await)?;
    let accounts: Vec<String> = with_db!(db, |c| zoom_grants::table
        .filter(zoom_grants::zoom_user_id.eq(zoom_user_id))
        .select(zoom_grants::zoom_account_id)
        .load(c)
        .await)?;
    let in_account: Vec<String> = with_db!(db, |c| zoom_connections::table
        .inner_join(zoom_grants::table)
        .filter(zoom_grants::zoom_account_id.eq_any(&accounts))
        .select(zoom_connections::tenant_id)
        .load(c)
        .await)?;
    let hosted: Vec<String> = with_db!(db, |c| meetings::table
        .inner_join(zoom_connections::table.on(zoom_connections::tenant_id.eq(meetings::tenant_id)))
        .filter(meetings::host_id.eq(zoom_user_id))
        .select(meetings::tenant_id)
        .distinct()
        .load(c)
        .await)?;
    let mut roles: std::collections::BTreeMap<String, SiteRole> = Default::default();
    for (ids, role) in [
        (hosted, SiteRole::Host),
        (in_account, SiteRole::AccountUser),
        (owned, SiteRole::Owner),
    ] {
        for id in ids {
            let entry = roles.entry(id).or_insert(role);
            *entry = (*entry).min(role);
        }
    }
    let mut sites = Vec::with_capacity(roles.len());
    for (id, role) in roles {
        if let Some(t) = super::tenant::find_by_id(db, &TenantId::from_stored(id)).await? {
            sites.push((t, role));
        }
    }
    sites.sort_by(|a, b| a.0.display_name.cmp(&b.0.display_name));
    Ok(sites)
}

/// A new authorization attempt of a session.
pub struct NewAttempt<'a> {
    pub id_hash: &'a str,
    pub session_hash: &'a str,
    pub kind: &'a str,
    pub state_hash: Option<&'a str>,
    pub verifier: Option<&'a Sealed>,
    pub now: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub async fn insert_attempt(db: &mut Db<'_>, a: NewAttempt<'_>) -> Result<(), StoreError> {
    let row = (
        zoom_app_attempts::id_hash.eq(a.id_hash),
        zoom_app_attempts::session_hash.eq(a.session_hash),
        zoom_app_attempts::kind.eq(a.kind),
        zoom_app_attempts::state_hash.eq(a.state_hash),
        zoom_app_attempts::verifier_sealed.eq(a.verifier.map(|v| v.ciphertext.clone())),
        zoom_app_attempts::verifier_key_id.eq(a.verifier.map(|v| v.key_id.clone())),
        zoom_app_attempts::created_at.eq(a.now),
        zoom_app_attempts::expires_at.eq(a.expires_at),
    );
    with_db!(db, |c| diesel::insert_into(zoom_app_attempts::table)
        .values(row)
        .execute(c)
        .await)?;
    Ok(())
}

/// An attempt as its consumer gets it.
pub struct ClaimedAttempt {
    pub id_hash: String,
    pub session_hash: String,
    pub verifier: Option<Sealed>,
}

fn sealed(ciphertext: Option<String>, key_id: Option<String>) -> Option<Sealed> {
    Some(Sealed {
        ciphertext: ciphertext?,
        key_id: key_id?,
    })
}

/// Sets state and verifier on an unused, unexpired external attempt (the browser opened its
/// link); single use. `false` when there is no such attempt.
pub async fn begin_external(
    db: &mut Db<'_>,
    id_hash: &str,
    state_hash: &str,
    verifier: &Sealed,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let n = with_db!(db, |c| diesel::update(
        zoom_app_attempts::table
            .filter(zoom_app_attempts::id_hash.eq(id_hash))
            .filter(zoom_app_attempts::kind.eq("external"))
            .filter(zoom_app_attempts::state_hash.is_null())
            .filter(zoom_app_attempts::expires_at.gt(now))
    )
    .set((
        zoom_app_attempts::state_hash.eq(state_hash),
        zoom_app_attempts::verifier_sealed.eq(&verifier.ciphertext),
        zoom_app_attempts::verifier_key_id.eq(&verifier.key_id),
    ))
    .execute(c)
    .await)?;
    Ok(n == 1)
}

/// The session an attempt's state belongs to (the external callback arrives in another
/// browser and names no session; the attempt's own binding is used).
pub async fn session_of_state(
    db: &mut Db<'_>,
    state_hash: &str,
) -> Result<Option<String>, StoreError> {
    Ok(with_db!(db, |c| zoom_app_attempts::table
        .filter(zoom_app_attempts::state_hash.eq(state_hash))
        .select(zoom_app_attempts::session_hash)
        .first(c)
        .await
        .optional())?)
}

/// Consumes the attempt behind `state_hash` of session `session_hash` (single use, unexpired).
pub async fn consume_state(
    db: &mut Db<'_>,
    state_hash: &str,
    session_hash: &str,
    now: NaiveDateTime,
) -> Result<Option<ClaimedAttempt>, StoreError> {
    let claimed: Option<(String, String, Option<String>, Option<String>)> =
        with_db!(db, |c| diesel::update(
            zoom_app_attempts::table
                .filter(zoom_app_attempts::state_hash.eq(state_hash))
                .filter(zoom_app_attempts::session_hash.eq(session_hash))
                .filter(zoom_app_attempts::used_at.is_null())
                .filter(zoom_app_attempts::expires_at.gt(now))
        )
        .set(zoom_app_attempts::used_at.eq(now))
        .returning((
            zoom_app_attempts::id_hash,
            zoom_app_attempts::session_hash,
            zoom_app_attempts::verifier_sealed,
            zoom_app_attempts::verifier_key_id,
        ))
        .get_result(c)
        .await
        .optional())?;
    Ok(
        claimed.map(|(id_hash, session_hash, ct, key)| ClaimedAttempt {
            id_hash,
            session_hash,
            verifier: sealed(ct, key),
        }),
    )
}

/// Records how an attempt ended and the hash of the opaque id a deeplink carries back.
pub async fn record_outcome(
    db: &mut Db<'_>,
    id_hash: &str,
    outcome: &str,
    act_hash: Option<&str>,
) -> Result<(), StoreError> {
    with_db!(db, |c| diesel::update(
        zoom_app_attempts::table.find(id_hash)
    )
    .set((
        zoom_app_attempts::outcome.eq(outcome),
        zoom_app_attempts::act_hash.eq(act_hash),
    ))
    .execute(c)
    .await)?;
    Ok(())
}

/// Finishes the external attempt whose deeplink action is `act_hash` in the session that
/// started it (once); returns its outcome.
pub async fn finish_by_act(
    db: &mut Db<'_>,
    act_hash: &str,
    session_hash: &str,
    now: NaiveDateTime,
) -> Result<Option<String>, StoreError> {
    let outcome: Option<Option<String>> = with_db!(db, |c| diesel::update(
        zoom_app_attempts::table
            .filter(zoom_app_attempts::act_hash.eq(act_hash))
            .filter(zoom_app_attempts::session_hash.eq(session_hash))
            .filter(zoom_app_attempts::finished_at.is_null())
    )
    .set(zoom_app_attempts::finished_at.eq(now))
    .returning(zoom_app_attempts::outcome)
    .get_result(c)
    .await
    .optional())?;
    Ok(outcome.flatten())
}

/// Removes expired sessions and attempts.
pub async fn purge_expired(db: &mut Db<'_>, now: NaiveDateTime) -> Result<usize, StoreError> {
    let a = with_db!(db, |c| diesel::delete(
        zoom_app_attempts::table.filter(zoom_app_attempts::expires_at.le(now))
    )
    .execute(c)
    .await)?;
    let s = with_db!(db, |c| diesel::delete(
        zoom_app_sessions::table.filter(zoom_app_sessions::expires_at.le(now))
    )
    .execute(c)
    .await)?;
    Ok(a + s)
}

/// The session an attempt (by the hash of its id) belongs to, while it may still begin.
pub async fn session_of_attempt(
    db: &mut Db<'_>,
    id_hash: &str,
) -> Result<Option<String>, StoreError> {
    Ok(with_db!(db, |c| zoom_app_attempts::table
        .filter(zoom_app_attempts::id_hash.eq(id_hash))
        .select(zoom_app_attempts::session_hash)
        .first(c)
        .await
        .optional())?)
}

/// How many sites use a grant of this Zoom account.
pub async fn sites_of_account(db: &mut Db<'_>, zoom_account_id: &str) -> Result<i64, StoreError> {
    Ok(with_db!(db, |c| zoom_connections::table
        .inner_join(zoom_grants::table)
        .filter(zoom_grants::zoom_account_id.eq(zoom_account_id))
        .count()
        .get_result(c)
        .await)?)
}

/// The site's stored meeting with this Zoom UUID (the context's `mid`).
pub async fn meeting_by_uuid(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    zoom_uuid: &str,
) -> Result<Option<crate::domain::Meeting>, StoreError> {
    let id: Option<i64> = with_db!(db, |c| meetings::table
        .filter(meetings::tenant_id.eq(tenant_id.as_str()))
        .filter(meetings::zoom_uuid.eq(zoom_uuid))
        .select(meetings::zoom_meeting_id)
        .first(c)
        .await
        .optional())?;
    match id {
        Some(id) => Ok(super::meeting::find_any(db, tenant_id, id)
            .await?
            .map(|(m, _, _)| m)),
        None => Ok(None),
    }
}

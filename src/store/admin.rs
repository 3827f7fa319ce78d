//! One-time credentials of the owner flow: admin links, admin sessions and OAuth states.
//! All are stored as SHA-256 hashes and consumed with a single conditional UPDATE, so a link
//! or state can be used once even when two requests race (on both backends).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::{admin_links, admin_sessions, oauth_states};
use super::{Db, StoreError, with_db};
use crate::crypto::Sealed;
use crate::domain::TenantId;

/// Why a one-time credential was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    Unknown,
    Expired,
    AlreadyUsed,
    /// Bound to another browser session than the one presenting it.
    Foreign,
}

impl Refusal {
    /// Explains a failed claim from the row's `used_at` (outer `None`: no such row).
    fn explain(used_at: Option<Option<NaiveDateTime>>) -> Self {
        match used_at {
            None => Refusal::Unknown,
            Some(Some(_)) => Refusal::AlreadyUsed,
            Some(None) => Refusal::Expired,
        }
    }
}

/// An admin link as stored: the hash of its token, and where it leads the owner's browser.
pub struct NewAdminLink<'a> {
    pub token_hash: &'a str,
    pub tenant_id: &'a TenantId,
    pub now: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    /// "Back to my site", kept with the session the link opens.
    pub return_url: Option<&'a str>,
    /// Where the link sends the owner once it has expired or was used.
    pub refresh_url: Option<&'a str>,
}

pub async fn insert_admin_link(db: &mut Db<'_>, link: NewAdminLink<'_>) -> Result<(), StoreError> {
    let row = (
        admin_links::token_hash.eq(link.token_hash),
        admin_links::tenant_id.eq(link.tenant_id.as_str()),
        admin_links::created_at.eq(link.now),
        admin_links::expires_at.eq(link.expires_at),
        admin_links::return_url.eq(link.return_url),
        admin_links::refresh_url.eq(link.refresh_url),
    );
    with_db!(db, |c| diesel::insert_into(admin_links::table)
        .values(row)
        .execute(c)
        .await)?;
    Ok(())
}

/// The site of an admin link and the page the link leads back to or away to.
pub struct LinkTarget {
    pub tenant_id: TenantId,
    /// `return_url` when the link is claimed, `refresh_url` when it is refused.
    pub page: Option<String>,
}

/// Marks the link used and returns its tenant and `return_url`, or says why it cannot be used.
pub async fn consume_admin_link(
    db: &mut Db<'_>,
    token_hash: &str,
    now: NaiveDateTime,
) -> Result<Result<LinkTarget, Refusal>, StoreError> {
    let claimed: Option<(String, Option<String>)> = with_db!(db, |c| diesel::update(
        admin_links::table
            .filter(admin_links::token_hash.eq(token_hash))
            .filter(admin_links::used_at.is_null())
            .filter(admin_links::expires_at.gt(now))
    )
    .set(admin_links::used_at.eq(now))
    .returning((admin_links::tenant_id, admin_links::return_url))
    .get_result(c)
    .await
    .optional())?;
    if let Some((tenant_id, page)) = claimed {
        return Ok(Ok(LinkTarget {
            tenant_id: TenantId::from_stored(tenant_id),
            page,
        }));
    }
    let existing: Option<Option<NaiveDateTime>> = with_db!(db, |c| admin_links::table
        .find(token_hash)
        .select(admin_links::used_at)
        .first(c)
        .await
        .optional())?;
    Ok(Err(Refusal::explain(existing)))
}

/// The site of a stored admin link and its `refresh_url`, used or not.
pub async fn find_refresh_target(
    db: &mut Db<'_>,
    token_hash: &str,
) -> Result<Option<LinkTarget>, StoreError> {
    let found: Option<(String, Option<String>)> = with_db!(db, |c| admin_links::table
        .find(token_hash)
        .select((admin_links::tenant_id, admin_links::refresh_url))
        .first(c)
        .await
        .optional())?;
    Ok(found.map(|(tenant_id, page)| LinkTarget {
        tenant_id: TenantId::from_stored(tenant_id),
        page,
    }))
}

/// Opens a session; `return_url` is the page "Back to my site" leads to.
pub async fn insert_session(
    db: &mut Db<'_>,
    id_hash: &str,
    tenant_id: &TenantId,
    (now, expires_at): (NaiveDateTime, NaiveDateTime),
    return_url: Option<&str>,
) -> Result<(), StoreError> {
    let row = (
        admin_sessions::id_hash.eq(id_hash),
        admin_sessions::tenant_id.eq(tenant_id.as_str()),
        admin_sessions::created_at.eq(now),
        admin_sessions::expires_at.eq(expires_at),
        admin_sessions::return_url.eq(return_url),
    );
    with_db!(db, |c| diesel::insert_into(admin_sessions::table)
        .values(row)
        .execute(c)
        .await)?;
    Ok(())
}

/// The tenant of an unexpired session.
pub async fn find_session_tenant(
    db: &mut Db<'_>,
    id_hash: &str,
    now: NaiveDateTime,
) -> Result<Option<TenantId>, StoreError> {
    let tenant: Option<String> = with_db!(db, |c| admin_sessions::table
        .filter(admin_sessions::id_hash.eq(id_hash))
        .filter(admin_sessions::expires_at.gt(now))
        .select(admin_sessions::tenant_id)
        .first(c)
        .await
        .optional())?;
    Ok(tenant.map(TenantId::from_stored))
}

/// The `return_url` of an unexpired session, if it has one.
pub async fn find_session_return_url(
    db: &mut Db<'_>,
    id_hash: &str,
    now: NaiveDateTime,
) -> Result<Option<String>, StoreError> {
    let found: Option<Option<String>> = with_db!(db, |c| admin_sessions::table
        .filter(admin_sessions::id_hash.eq(id_hash))
        .filter(admin_sessions::expires_at.gt(now))
        .select(admin_sessions::return_url)
        .first(c)
        .await
        .optional())?;
    Ok(found.flatten())
}

pub async fn delete_session(db: &mut Db<'_>, id_hash: &str) -> Result<(), StoreError> {
    with_db!(db, |c| diesel::delete(admin_sessions::table.find(id_hash))
        .execute(c)
        .await)?;
    Ok(())
}

/// What an OAuth authorization is for: connecting a site from its panel or the API, or
/// installing the Zoom App from its direct landing URL (then opened in the Zoom client).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OAuthPurpose {
    Connect,
    ZoomAppInstall,
}

impl OAuthPurpose {
    fn as_str(self) -> &'static str {
        match self {
            OAuthPurpose::Connect => "connect",
            OAuthPurpose::ZoomAppInstall => "zoom_app_install",
        }
    }

    fn from_stored(stored: &str) -> Self {
        match stored {
            "zoom_app_install" => OAuthPurpose::ZoomAppInstall,
            _ => OAuthPurpose::Connect,
        }
    }
}

/// A pending OAuth authorization as stored. `tenant_id` is `None` only for an app install
/// started by someone not signed in to a site.
pub struct NewOAuthState<'a> {
    pub state_hash: &'a str,
    pub tenant_id: Option<&'a TenantId>,
    pub purpose: OAuthPurpose,
    pub session_hash: Option<&'a str>,
    pub verifier: &'a Sealed,
    pub now: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub async fn insert_oauth_state(
    db: &mut Db<'_>,
    state: NewOAuthState<'_>,
) -> Result<(), StoreError> {
    let row = (
        oauth_states::state_hash.eq(state.state_hash),
        oauth_states::tenant_id.eq(state.tenant_id.map(TenantId::as_str)),
        oauth_states::purpose.eq(state.purpose.as_str()),
        oauth_states::session_hash.eq(state.session_hash),
        oauth_states::verifier_sealed.eq(&state.verifier.ciphertext),
        oauth_states::verifier_key_id.eq(&state.verifier.key_id),
        oauth_states::created_at.eq(state.now),
        oauth_states::expires_at.eq(state.expires_at),
    );
    with_db!(db, |c| diesel::insert_into(oauth_states::table)
        .values(row)
        .execute(c)
        .await)?;
    Ok(())
}

/// A consumed OAuth state: whom it belongs to, what it is for and the sealed PKCE verifier.
pub struct ClaimedOAuthState {
    pub tenant_id: Option<TenantId>,
    pub purpose: OAuthPurpose,
    pub session_hash: Option<String>,
    pub verifier: Sealed,
}

/// Marks the state used (single use) and returns it, or says why it cannot be used.
///
/// A state started from a browser (an admin session, or the install cookie of someone not
/// signed in) can only be completed by that same browser: `session_hashes` are the hashes of
/// the cookies the callback's browser presented. That stops one browser from finishing
/// another's flow. A refusal changes nothing.
pub async fn consume_oauth_state(
    db: &mut Db<'_>,
    state_hash: &str,
    session_hashes: &[String],
    now: NaiveDateTime,
) -> Result<Result<ClaimedOAuthState, Refusal>, StoreError> {
    type Claimed = (Option<String>, String, Option<String>, String, String);
    let claimed: Option<Claimed> = with_db!(db, |c| diesel::update(
        oauth_states::table
            .filter(oauth_states::state_hash.eq(state_hash))
            .filter(oauth_states::used_at.is_null())
            .filter(oauth_states::expires_at.gt(now))
            .filter(
                oauth_states::session_hash
                    .is_null()
                    .or(oauth_states::session_hash.eq_any(session_hashes))
            )
    )
    .set(oauth_states::used_at.eq(now))
    .returning((
        oauth_states::tenant_id,
        oauth_states::purpose,
        oauth_states::session_hash,
        oauth_states::verifier_sealed,
        oauth_states::verifier_key_id,
    ))
    .get_result(c)
    .await
    .optional())?;
    if let Some((tenant_id, purpose, session_hash, ciphertext, key_id)) = claimed {
        return Ok(Ok(ClaimedOAuthState {
            tenant_id: tenant_id.map(TenantId::from_stored),
            purpose: OAuthPurpose::from_stored(&purpose),
            session_hash,
            verifier: Sealed { key_id, ciphertext },
        }));
    }
    let existing: Option<(Option<NaiveDateTime>, NaiveDateTime)> =
        with_db!(db, |c| oauth_states::table
            .find(state_hash)
            .select((oauth_states::used_at, oauth_states::expires_at))
            .first(c)
            .await
            .optional())?;
    Ok(Err(match existing {
        Some((None, expires_at)) if expires_at > now => Refusal::Foreign,
        other => Refusal::explain(other.map(|(used_at, _)| used_at)),
    }))
}

/// Unused OAuth states whose verifier is sealed under another key than `current_key_id`:
/// (state hash, tenant if any, sealed verifier).
pub async fn states_not_under_key(
    db: &mut Db<'_>,
    current_key_id: &str,
) -> Result<Vec<(String, Option<String>, Sealed)>, StoreError> {
    let rows: Vec<(String, Option<String>, String, String)> =
        with_db!(db, |c| oauth_states::table
            .filter(oauth_states::verifier_key_id.ne(current_key_id))
            .filter(oauth_states::used_at.is_null())
            .select((
                oauth_states::state_hash,
                oauth_states::tenant_id,
                oauth_states::verifier_sealed,
                oauth_states::verifier_key_id
            ))
            .load(c)
            .await)?;
    Ok(rows
        .into_iter()
        .map(|(hash, tenant, ciphertext, key_id)| (hash, tenant, Sealed { key_id, ciphertext }))
        .collect())
}

/// Re-seals one state's verifier (key rotation).
pub async fn reseal_state(
    db: &mut Db<'_>,
    state_hash: &str,
    verifier: &Sealed,
) -> Result<(), StoreError> {
    with_db!(db, |c| diesel::update(oauth_states::table.find(state_hash))
        .set((
            oauth_states::verifier_sealed.eq(&verifier.ciphertext),
            oauth_states::verifier_key_id.eq(&verifier.key_id)
        ))
        .execute(c)
        .await)?;
    Ok(())
}

/// Deletes one-time credentials and sessions that can no longer be used. Returns rows removed.
pub async fn purge_expired(db: &mut Db<'_>, now: NaiveDateTime) -> Result<usize, StoreError> {
    // Keep used links/states a day for support questions ("was my link used?"), and expired
    // links a day too, so an old link still leads the owner to its `refresh_url`.
    let used_before = now - chrono::TimeDelta::days(1);
    let links = with_db!(db, |c| diesel::delete(
        admin_links::table.filter(
            admin_links::expires_at
                .lt(used_before)
                .or(admin_links::used_at.lt(used_before))
        )
    )
    .execute(c)
    .await)?;
    let states = with_db!(db, |c| diesel::delete(
        oauth_states::table.filter(
            oauth_states::expires_at
                .lt(now)
                .or(oauth_states::used_at.lt(used_before))
        )
    )
    .execute(c)
    .await)?;
    let sessions = with_db!(db, |c| diesel::delete(
        admin_sessions::table.filter(admin_sessions::expires_at.lt(now))
    )
    .execute(c)
    .await)?;
    Ok(links + states + sessions)
}

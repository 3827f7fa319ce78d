//! The owner's choices about the public face: site settings and per-item hide/show — the
//! owner's data, which a disconnect leaves alone (only Zoom's data is purged). Every write
//! bumps the site's content version in the same transaction, so caches on every instance
//! notice; this instance also drops its own copy at once.

use crate::domain::cursor::ListKey;
use crate::domain::site::{HiddenItem, SettingsChange, SettingsProblem, SiteSettings};
use crate::domain::status::ItemKind;
use crate::domain::{Principal, Scope, TenantId};
use crate::store::{self, Store, StoreError};

use super::access::require;
use super::paging::{self, CursorPage};
use super::public::PublicCache;
use super::tenants::Tenants;
use super::{ServiceError, Services};

/// An item the owner can hide or show.
#[derive(Clone, Debug)]
pub enum VisibleItem {
    /// A meeting or webinar by Zoom id.
    Meeting(i64),
    /// A recording by Zoom's meeting-instance uuid.
    Recording(String),
}

impl VisibleItem {
    /// The scope that hiding or showing this item needs.
    fn required_scope(&self) -> Scope {
        match self {
            VisibleItem::Meeting(_) => Scope::MeetingsWrite,
            VisibleItem::Recording(_) => Scope::SettingsWrite,
        }
    }

    /// How the owner's choice about this item is stored.
    fn key(self) -> (ItemKind, String) {
        match self {
            VisibleItem::Meeting(id) => (ItemKind::Meeting, id.to_string()),
            VisibleItem::Recording(uuid) => (ItemKind::Recording, uuid),
        }
    }
}

/// A settings change that was refused: every problem found (at least one).
#[derive(Debug)]
pub struct SettingsRefused(pub Vec<SettingsProblem>);

/// The API answers a refused change with its first problem.
impl From<SettingsRefused> for ServiceError {
    fn from(refused: SettingsRefused) -> Self {
        match refused.0.into_iter().next() {
            Some(first) => ServiceError::invalid(first.field(), first.to_string()),
            None => ServiceError::invalid("body", "invalid settings"),
        }
    }
}

/// The owner's settings and hide/show choices, and this instance's public copy of the site.
#[derive(Clone, Copy)]
pub struct Settings<'a> {
    store: &'a Store,
    cache: &'a PublicCache,
    tenants: Tenants<'a>,
}

impl Services {
    /// The owner's site settings (`service/settings.rs`).
    pub fn settings(&self) -> Settings<'_> {
        Settings {
            store: &self.store,
            cache: &self.public,
            tenants: self.tenants(),
        }
    }
}

impl Settings<'_> {
    /// The site's settings (scope `settings:read`).
    pub async fn get(&self, principal: &Principal) -> Result<SiteSettings, ServiceError> {
        require(principal, Scope::SettingsRead)?;
        self.load(principal.tenant_id()).await
    }

    async fn load(&self, tenant_id: &TenantId) -> Result<SiteSettings, ServiceError> {
        let id = tenant_id.clone();
        Ok(self
            .store
            .read(move |mut db| Box::pin(async move { store::settings::get(&mut db, &id).await }))
            .await?)
    }

    /// Makes the owner's change (scope `settings:write`) in one transaction: the settings as
    /// they are now, or the change's problems and nothing changed.
    pub async fn change(
        &self,
        principal: &Principal,
        change: SettingsChange,
    ) -> Result<Result<SiteSettings, SettingsRefused>, ServiceError> {
        require(principal, Scope::SettingsWrite)?;
        let id = principal.tenant_id().clone();
        let outcome = self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    let current = store::settings::get(&mut db, &id).await?;
                    let next = match change.apply(current) {
                        Ok(next) => next,
                        Err(problems) => return Ok(Err(SettingsRefused(problems))),
                    };
                    store::settings::put(&mut db, &id, &next, store::now()).await?;
                    store::tenant::bump_content_version(&mut db, &id).await?;
                    Ok(Ok(next))
                })
            })
            .await?;
        if outcome.is_ok() {
            self.forget_public_copy(principal.tenant_id()).await?;
        }
        Ok(outcome)
    }

    /// Hides or shows one meeting (scope `meetings:write`) or recording (scope
    /// `settings:write`: recordings have no write scope of their own). Unknown → `NotFound`.
    /// The choice is the owner's (`hidden_items`): it survives a disconnect and reconnect.
    pub async fn set_hidden(
        &self,
        principal: &Principal,
        item: VisibleItem,
        hidden: bool,
    ) -> Result<(), ServiceError> {
        require(principal, item.required_scope())?;
        let id = principal.tenant_id().clone();
        let (kind, zoom_id) = item.key();
        let found = self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    let now = store::now();
                    // An id that is neither stored nor hidden is unknown: nothing is written.
                    if !store::hidden_item::set(&mut db, &id, kind, &zoom_id, hidden, now).await? {
                        return Err(StoreError::NotFound);
                    }
                    store::tenant::bump_content_version(&mut db, &id).await
                })
            })
            .await;
        match found {
            Ok(()) => self.forget_public_copy(principal.tenant_id()).await,
            Err(StoreError::NotFound) => Err(ServiceError::NotFound(kind.as_str())),
            Err(e) => Err(e.into()),
        }
    }

    /// What the owner hid, most recently hidden first, including items not synced at the
    /// moment (e.g. while Zoom is disconnected); scope `settings:read`.
    pub async fn hidden_items(
        &self,
        principal: &Principal,
        after: Option<&str>,
        limit: i64,
    ) -> Result<CursorPage<HiddenItem>, ServiceError> {
        require(principal, Scope::SettingsRead)?;
        let id = principal.tenant_id().clone();
        let after = paging::parse_timed_after(after)?;
        let limit = paging::clamp_limit(limit);
        let (items, more) = self
            .store
            .read(move |mut db| {
                Box::pin(async move { store::hidden_item::list(&mut db, &id, after, limit).await })
            })
            .await?;
        Ok(paging::page_of(items, more, |i| {
            ListKey::new(Some(i.hidden_at), i.zoom_id.clone())
        }))
    }

    /// Makes this instance re-read the site now (others notice within `public::SITE_TTL`).
    async fn forget_public_copy(&self, tenant_id: &TenantId) -> Result<(), ServiceError> {
        let tenant = self.tenants.get_by_id(tenant_id).await?;
        self.cache.forget_site(tenant.slug.as_str());
        Ok(())
    }
}

//! Platform operations: tenants (with the site's web addresses), admin links, tenant API keys.

use crate::config::Config;
use crate::crypto::{random_token, sha256_hex};
use crate::domain::access::{ApiKey, MAX_KEY_NAME_CHARS};
use crate::domain::cursor::ListKey;
use crate::domain::origin::{Origin, PageUrl};
use crate::domain::tenant::{MAX_DISPLAY_NAME_CHARS, MAX_PLATFORM_ORIGINS};
use crate::domain::{ScopeSet, Slug, Tenant, TenantId};
use crate::store::{self, Store, StoreError, admin::NewAdminLink};

use super::destinations::Destinations;
use super::paging::{self, CursorPage};
use super::public::PublicCache;
use super::{ADMIN_LINK_TTL, ServiceError, Services};

/// Prefix of tenant API keys, so leaked keys are recognisable by secret scanners.
pub const API_KEY_PREFIX: &str = "mq_live_";
pub const MAX_PAGE: i64 = 200;

/// A freshly minted API key: the secret is shown once and never stored.
pub struct MintedKey {
    pub key: ApiKey,
    pub secret: String,
}

/// A change the platform makes to a site: fields left out keep their value.
#[derive(Debug, Default)]
pub struct TenantChange {
    pub display_name: Option<String>,
    /// Replaces the whole list.
    pub origins: Option<Vec<String>>,
}

/// Where an admin link sends the owner's browser (each checked against the site's origins).
#[derive(Debug, Default)]
pub struct LinkDestinations {
    /// "Back to my site".
    pub return_url: Option<String>,
    /// Where an expired or used link sends the owner to get a fresh one.
    pub refresh_url: Option<String>,
}

/// The operator's view of the platform: sites, their admin links and API keys.
#[derive(Clone, Copy)]
pub struct Tenants<'a> {
    store: &'a Store,
    config: &'a Config,
    cache: &'a PublicCache,
    destinations: Destinations<'a>,
}

impl Services {
    /// Tenants, admin links and API keys (`service/tenants.rs`).
    pub fn tenants(&self) -> Tenants<'_> {
        Tenants {
            store: &self.store,
            config: &self.config,
            cache: &self.public,
            destinations: self.destinations(),
        }
    }
}

/// A display name of 1–[`MAX_DISPLAY_NAME_CHARS`] characters, trimmed.
fn checked_display_name(raw: &str) -> Result<String, ServiceError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(ServiceError::invalid(
            "display_name",
            format!("must be 1 to {MAX_DISPLAY_NAME_CHARS} characters"),
        ));
    }
    Ok(name.to_owned())
}

/// The platform's origins of a site (`origins`): validated like the owner's, at most
/// [`MAX_PLATFORM_ORIGINS`].
fn checked_origins(raw: &[String]) -> Result<Vec<Origin>, ServiceError> {
    Origin::parse_list(raw, MAX_PLATFORM_ORIGINS).map_err(|e| ServiceError::invalid("origins", e))
}

impl Tenants<'_> {
    /// A new site; its slug must be free. `origins` are its web addresses, allowed to embed it.
    pub async fn create(
        &self,
        slug: &str,
        display_name: &str,
        origins: &[String],
    ) -> Result<Tenant, ServiceError> {
        let slug = Slug::parse(slug).map_err(|m| ServiceError::invalid("slug", m))?;
        let tenant = Tenant {
            id: TenantId::generate(),
            slug,
            display_name: checked_display_name(display_name)?,
            created_at: store::now(),
            origins: checked_origins(origins)?,
        };
        let row = tenant.clone();
        match self
            .store
            .write(move |mut db| {
                Box::pin(async move { store::tenant::insert(&mut db, &row).await })
            })
            .await
        {
            Ok(()) => Ok(tenant),
            Err(StoreError::Conflict(_)) => Err(ServiceError::Conflict(format!(
                "slug {:?} is taken",
                tenant.slug.as_str()
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// Sites ordered by slug, after the slug `after`, at most `limit` (up to [`MAX_PAGE`]);
    /// `next_after` is the last slug when more follow.
    pub async fn list(
        &self,
        after: Option<String>,
        limit: i64,
    ) -> Result<CursorPage<Tenant>, ServiceError> {
        let limit = limit.clamp(1, MAX_PAGE);
        let mut tenants = self
            .store
            .read(move |mut db| {
                Box::pin(
                    async move { store::tenant::list(&mut db, after.as_deref(), limit + 1).await },
                )
            })
            .await?;
        let more = tenants.len() as i64 > limit;
        tenants.truncate(limit as usize);
        let next_after = tenants.last().filter(|_| more).map(|t| t.slug.to_string());
        Ok(CursorPage {
            items: tenants,
            next_after,
        })
    }

    /// The tenant with this slug; unknown slugs are `NotFound`.
    pub async fn get(&self, slug: &str) -> Result<Tenant, ServiceError> {
        let slug = slug.to_owned();
        self.store
            .read(move |mut db| {
                Box::pin(async move { store::tenant::find_by_slug(&mut db, &slug).await })
            })
            .await?
            .ok_or(ServiceError::NotFound("site"))
    }

    /// The tenant with this id; unknown ids are `NotFound`.
    pub async fn get_by_id(&self, id: &TenantId) -> Result<Tenant, ServiceError> {
        let id = id.clone();
        self.store
            .read(move |mut db| {
                Box::pin(async move { store::tenant::find_by_id(&mut db, &id).await })
            })
            .await?
            .ok_or(ServiceError::NotFound("site"))
    }

    /// Changes the site's display name and web addresses; visitors see the change at once.
    pub async fn update(&self, slug: &str, change: TenantChange) -> Result<Tenant, ServiceError> {
        let tenant = self.get(slug).await?;
        let display_name = change
            .display_name
            .as_deref()
            .map(checked_display_name)
            .transpose()?;
        let origins = change.origins.as_deref().map(checked_origins).transpose()?;
        if display_name.is_none() && origins.is_none() {
            return Ok(tenant);
        }
        let id = tenant.id.clone();
        self.store
            .write(move |mut db| {
                Box::pin(async move {
                    store::tenant::update(
                        &mut db,
                        &id,
                        display_name.as_deref(),
                        origins.as_deref(),
                    )
                    .await?;
                    store::tenant::bump_content_version(&mut db, &id).await
                })
            })
            .await?;
        self.cache.forget_site(slug);
        self.get(slug).await
    }

    /// Deletes a site and everything Marquee stored for it.
    pub async fn delete(&self, slug: &str) -> Result<(), ServiceError> {
        let tenant = self.get(slug).await?;
        self.store
            .write(move |mut db| {
                Box::pin(async move { store::tenant::delete(&mut db, &tenant.id).await })
            })
            .await?;
        Ok(())
    }

    /// A one-time URL that signs the site owner into the admin panel (15 minutes, single use),
    /// leading to `to` (pages on the site's or the platform's origins, else `Invalid`).
    pub async fn mint_admin_link(
        &self,
        slug: &str,
        to: LinkDestinations,
    ) -> Result<(String, chrono::NaiveDateTime), ServiceError> {
        let tenant = self.get(slug).await?;
        let return_url = self
            .destination(&tenant.id, "return_url", to.return_url)
            .await?;
        let refresh_url = self
            .destination(&tenant.id, "refresh_url", to.refresh_url)
            .await?;
        let token = random_token("");
        let hash = sha256_hex(&token);
        let now = store::now();
        let expires_at = now + ADMIN_LINK_TTL;
        self.store
            .write(move |mut db| {
                Box::pin(async move {
                    let link = NewAdminLink {
                        token_hash: &hash,
                        tenant_id: &tenant.id,
                        now,
                        expires_at,
                        return_url: return_url.as_ref().map(PageUrl::as_str),
                        refresh_url: refresh_url.as_ref().map(PageUrl::as_str),
                    };
                    store::admin::insert_admin_link(&mut db, link).await
                })
            })
            .await?;
        Ok((
            format!("{}/admin/login?token={token}", self.config.public_url),
            expires_at,
        ))
    }

    /// The page given as `field`, checked, if one is given.
    async fn destination(
        &self,
        tenant_id: &TenantId,
        field: &'static str,
        raw: Option<String>,
    ) -> Result<Option<PageUrl>, ServiceError> {
        match raw {
            Some(raw) => Ok(Some(self.destinations.check(tenant_id, field, &raw).await?)),
            None => Ok(None),
        }
    }

    /// A new API key of the site with the given scopes; the secret is in the answer only.
    pub async fn create_api_key(
        &self,
        slug: &str,
        name: &str,
        scopes: &[String],
    ) -> Result<MintedKey, ServiceError> {
        let tenant = self.get(slug).await?;
        let scopes =
            ScopeSet::parse_list(scopes).map_err(|m| ServiceError::invalid("scopes", m))?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_KEY_NAME_CHARS {
            return Err(ServiceError::invalid(
                "name",
                format!("must be 1 to {MAX_KEY_NAME_CHARS} characters"),
            ));
        }
        let secret = random_token(API_KEY_PREFIX);
        let key = ApiKey {
            id: uuid::Uuid::now_v7().to_string(),
            tenant_id: tenant.id,
            name: name.to_owned(),
            key_prefix: secret[..API_KEY_PREFIX.len() + 6].to_owned(),
            scopes,
            created_at: store::now(),
            last_used_at: None,
            revoked_at: None,
        };
        let (row, hash) = (key.clone(), sha256_hex(&secret));
        self.store
            .write(move |mut db| {
                Box::pin(async move { store::api_key::insert(&mut db, &row, &hash).await })
            })
            .await?;
        Ok(MintedKey { key, secret })
    }

    /// The site's API keys (revoked ones included), without their secrets, oldest first: at
    /// most `limit` after the cursor `after`.
    pub async fn list_api_keys(
        &self,
        slug: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<CursorPage<ApiKey>, ServiceError> {
        let tenant = self.get(slug).await?;
        let after = paging::parse_timed_after(after)?;
        let limit = paging::clamp_limit(limit);
        let (keys, more) = self
            .store
            .read(move |mut db| {
                Box::pin(
                    async move { store::api_key::list(&mut db, &tenant.id, after, limit).await },
                )
            })
            .await?;
        Ok(paging::page_of(keys, more, |k| {
            ListKey::new(Some(k.created_at), k.id.clone())
        }))
    }

    /// Revokes one of the site's keys; a key of another site is `NotFound`.
    pub async fn revoke_api_key(&self, slug: &str, key_id: &str) -> Result<(), ServiceError> {
        let tenant = self.get(slug).await?;
        let key_id = key_id.to_owned();
        let revoked = self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    store::api_key::revoke(&mut db, &tenant.id, &key_id, store::now()).await
                })
            })
            .await?;
        if revoked {
            Ok(())
        } else {
            Err(ServiceError::NotFound("API key"))
        }
    }
}

//! Where an admin link may send the owner's browser: its `return_url` ("Back to my site") and
//! `refresh_url` (where an expired or used link leads, to get a fresh one). Only pages on the
//! site's allowed origins (the platform's and the owner's) or on the platform's own
//! (`MARQUEE_PLATFORM_ORIGINS`) qualify. A page is checked when the link is minted and again
//! before the browser is sent there, since the origins may have changed in between: Marquee is
//! never an open redirect.

use crate::config::Config;
use crate::domain::TenantId;
use crate::domain::origin::{Origin, PageUrl};
use crate::store::{self, Store};

use super::{ServiceError, Services};

/// The pages an owner's browser may be sent to from the owner flow.
#[derive(Clone, Copy)]
pub struct Destinations<'a> {
    store: &'a Store,
    config: &'a Config,
}

impl Services {
    /// Where admin links may lead (`service/destinations.rs`).
    pub fn destinations(&self) -> Destinations<'_> {
        Destinations {
            store: &self.store,
            config: &self.config,
        }
    }
}

impl Destinations<'_> {
    /// The page `raw` given as `field`, if it is a web page on an allowed origin of the site;
    /// otherwise `Invalid` naming the field.
    pub async fn check(
        &self,
        tenant_id: &TenantId,
        field: &'static str,
        raw: &str,
    ) -> Result<PageUrl, ServiceError> {
        let page = PageUrl::parse(raw).map_err(|e| ServiceError::invalid(field, e))?;
        if !page.is_on(&self.allowed(tenant_id).await?) {
            return Err(ServiceError::invalid(
                field,
                format!(
                    "{} is not one of the site's web addresses (its origins or the platform's)",
                    page.origin()
                ),
            ));
        }
        Ok(page)
    }

    /// A page stored with a link or session, if it is still on an allowed origin of the site.
    pub async fn recheck(
        &self,
        tenant_id: &TenantId,
        stored: Option<String>,
    ) -> Result<Option<String>, ServiceError> {
        let Some(page) = stored.and_then(|raw| PageUrl::parse(&raw).ok()) else {
            return Ok(None);
        };
        if page.is_on(&self.allowed(tenant_id).await?) {
            return Ok(Some(page.as_str().to_owned()));
        }
        tracing::warn!(tenant.id = %tenant_id, origin = %page.origin(), "stored admin destination is no longer on an allowed origin; not used");
        Ok(None)
    }

    /// The platform's origins of the site, the owner's, and the platform's own.
    async fn allowed(&self, tenant_id: &TenantId) -> Result<Vec<Origin>, ServiceError> {
        let id = tenant_id.clone();
        let (tenant, settings) = self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    let tenant = store::tenant::find_by_id(&mut db, &id).await?;
                    Ok((tenant, store::settings::get(&mut db, &id).await?))
                })
            })
            .await?;
        let tenant = tenant.ok_or(ServiceError::NotFound("site"))?;
        Ok(tenant
            .origins
            .into_iter()
            .chain(settings.allowed_origins)
            .chain(self.config.platform_origins.iter().cloned())
            .collect())
    }
}

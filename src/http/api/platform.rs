//! `/api/v1/platform`: what the hosting company's systems do.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::ApiTags;
use super::answer::Answer;
use super::body::JsonBody;
use super::optional_body::OptionalJson;
use super::text::{SlugText, Text};
use crate::domain::access::{ApiKey, KEY_ID_CHARS, MAX_KEY_NAME_CHARS};
use crate::domain::origin::MAX_PAGE_URL_CHARS;
use crate::domain::site::MAX_ORIGIN_CHARS;
use crate::domain::tenant::MAX_DISPLAY_NAME_CHARS;
use crate::domain::{Scope, Tenant};
use crate::http::auth::PlatformAuth;
use crate::http::error::{ApiError, statuses};
use crate::service::Services;
use crate::service::paging::{self, MAX_CURSOR_CHARS};
use crate::service::tenants::{LinkDestinations, MintedKey, TenantChange};

pub struct PlatformApi;

/// A hosted site.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TenantDto {
    /// Internal id (stable).
    pub id: String,
    /// Public name used in URLs: 3–63 characters of a-z, 0-9 and '-'.
    pub slug: String,
    pub display_name: String,
    pub created_at: DateTime<Utc>,
    /// The site's web addresses (`https://example.com`): always allowed to embed its widgets
    /// and call its public API from a browser, beside the owner's `allowed_origins`.
    pub origins: Vec<String>,
}

impl From<Tenant> for TenantDto {
    fn from(t: Tenant) -> Self {
        Self {
            id: t.id.to_string(),
            slug: t.slug.to_string(),
            display_name: t.display_name,
            created_at: t.created_at.and_utc(),
            origins: t.origins.iter().map(|o| o.to_string()).collect(),
        }
    }
}

/// A site to create.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CreateTenant {
    /// The site's public name in URLs: a-z, 0-9 and '-', not starting or ending with '-'.
    pub slug: SlugText,
    /// Shown to the owner and visitors.
    pub display_name: Text<MAX_DISPLAY_NAME_CHARS, 1>,
    /// The site's web addresses, `scheme://host[:port]` without a path (at most 10): the
    /// origins its pages are served from, so a pasted widget works at once.
    pub origins: Option<Vec<Text<MAX_ORIGIN_CHARS>>>,
}

/// A change to a site: fields left out keep their value.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UpdateTenant {
    pub display_name: Option<Text<MAX_DISPLAY_NAME_CHARS, 1>>,
    /// Replaces the whole list (at most 10 origins, `scheme://host[:port]`).
    pub origins: Option<Vec<Text<MAX_ORIGIN_CHARS>>>,
}

/// Where the admin link leads the owner. Each must be a page on one of the site's origins
/// (the platform's `origins` or the owner's `allowed_origins`) or of the platform itself
/// (`MARQUEE_PLATFORM_ORIGINS`).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CreateAdminLink {
    /// Where the panel's "Back to my site" goes.
    pub return_url: Option<Text<MAX_PAGE_URL_CHARS>>,
    /// Where the link sends the owner once it has expired or was used (a 303), to get a fresh
    /// one; without it such a link shows a page saying so.
    pub refresh_url: Option<Text<MAX_PAGE_URL_CHARS>>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TenantList {
    pub tenants: Vec<TenantDto>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next_after: Option<String>,
}

/// One page of a site's API keys.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ApiKeyList {
    pub api_keys: Vec<ApiKeyDto>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next_after: Option<String>,
}

/// A one-time link that signs the site owner into the admin panel.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AdminLink {
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

/// What a new API key may do.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CreateApiKey {
    /// A label for people, e.g. "site builder".
    pub name: Text<MAX_KEY_NAME_CHARS, 1>,
    /// At least one, e.g. `["settings:read", "settings:write", "registrations:read"]` for a site
    /// builder that shows the connection, changes settings and reads registrations.
    #[oai(validator(min_items = 1, max_items = 9))]
    pub scopes: Vec<Scope>,
}

/// An API key's metadata. The key itself is never shown again after creation.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ApiKeyDto {
    pub id: String,
    pub name: String,
    /// The first characters of the key, to tell keys apart.
    pub prefix: String,
    pub scopes: Vec<Scope>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiKey> for ApiKeyDto {
    fn from(k: ApiKey) -> Self {
        Self {
            id: k.id,
            name: k.name,
            prefix: k.key_prefix,
            scopes: k.scopes.iter().collect(),
            created_at: k.created_at.and_utc(),
            last_used_at: k.last_used_at.map(|t| t.and_utc()),
            revoked_at: k.revoked_at.map(|t| t.and_utc()),
        }
    }
}

/// A newly created API key, with the secret shown this once.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CreatedApiKey {
    /// Send as `Authorization: Bearer <key>`. Store it now: it cannot be shown again.
    pub key: String,
    #[oai(flatten)]
    pub meta: ApiKeyDto,
}

impl From<MintedKey> for CreatedApiKey {
    fn from(m: MintedKey) -> Self {
        Self {
            key: m.secret,
            meta: m.key.into(),
        }
    }
}

fn scope_names(scopes: &[Scope]) -> Vec<String> {
    scopes.iter().map(|s| s.as_str().to_owned()).collect()
}

#[derive(ApiResponse)]
pub enum Created<T: poem_openapi::types::ToJSON> {
    /// Created.
    #[oai(status = 201)]
    Created(Json<T>),
}

#[derive(ApiResponse)]
pub enum Deleted {
    /// Deleted.
    #[oai(status = 204)]
    Deleted,
}

/// Creating a site: an invalid or taken slug or body, credentials, the database.
type CreateSiteError = ApiError<{ statuses(&[400, 401, 409, 413, 415, 500, 503]) }>;
/// Listing sites: bad paging parameters, credentials, the database.
type ListSitesError = ApiError<{ statuses(&[400, 401, 500, 503]) }>;
/// Anything done to one site by slug: a slug no site can have or a path the input rules
/// refuse, an unknown site, credentials, the database.
type SiteError = ApiError<{ statuses(&[400, 401, 404, 500, 503]) }>;
/// Changing a site or minting its admin link: also an invalid value or body.
type SiteWriteError = ApiError<{ statuses(&[400, 401, 404, 413, 415, 500, 503]) }>;
type ListKeysError = ApiError<{ statuses(&[400, 401, 404, 500, 503]) }>;
/// Creating an API key: invalid name, scopes or body, an unknown site, credentials, the database.
type CreateKeyError = ApiError<{ statuses(&[400, 401, 404, 413, 415, 500, 503]) }>;

super::answer::answers! {
    TenantList => "One page of sites, ordered by slug.",
    TenantDto => "The site.",
    ApiKeyList => "One page of the site's API keys, revoked ones included (never the keys themselves).",
}

#[OpenApi(prefix_path = "/api/v1/platform", tag = "ApiTags::Platform")]
impl PlatformApi {
    /// Create a site
    ///
    /// The slug is the site's public name in every URL and cannot be changed; the site starts
    /// with default settings and no Zoom connection.
    #[oai(path = "/tenants", method = "post", operation_id = "create_tenant")]
    async fn create_tenant(
        &self,
        _auth: PlatformAuth,
        s: Data<&Services>,
        body: JsonBody<CreateTenant>,
    ) -> Result<Created<TenantDto>, CreateSiteError> {
        let origins = Text::into_strings(body.0.origins.unwrap_or_default());
        let tenant = s
            .tenants()
            .create(&body.0.slug, &body.0.display_name, &origins)
            .await?;
        Ok(Created::Created(Json(tenant.into())))
    }

    /// List sites, ordered by slug
    ///
    /// Pages with `limit` and `after`: pass the `next_after` of one page as `after` to get the
    /// next; the last page has no `next_after`.
    #[oai(path = "/tenants", method = "get", operation_id = "list_tenants")]
    async fn list_tenants(
        &self,
        _auth: PlatformAuth,
        s: Data<&Services>,
        /// Return sites whose slug sorts after this one (from `next_after`).
        after: Query<Option<Text<MAX_CURSOR_CHARS>>>,
        /// Page size, 1–200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<i64>>,
    ) -> Result<Answer<TenantList>, ListSitesError> {
        let found = s
            .tenants()
            .list(
                after.0.map(String::from),
                limit.0.unwrap_or(paging::DEFAULT_LIMIT),
            )
            .await?;
        Ok(Answer(TenantList {
            tenants: found.items.into_iter().map(Into::into).collect(),
            next_after: found.next_after,
        }))
    }

    /// Get a site
    ///
    /// By slug.
    #[oai(path = "/tenants/:slug", method = "get", operation_id = "get_tenant")]
    async fn get_tenant(
        &self,
        _auth: PlatformAuth,
        s: Data<&Services>,
        /// The site's slug.
        slug: Path<SlugText>,
    ) -> Result<Answer<TenantDto>, SiteError> {
        Ok(Answer(s.tenants().get(&slug).await?.into()))
    }

    /// Change a site's display name or web addresses
    ///
    /// Fields left out keep their value; `origins` replaces the whole list. Widgets and the
    /// public API follow at once (other instances within a second).
    #[oai(
        path = "/tenants/:slug",
        method = "patch",
        operation_id = "update_tenant"
    )]
    async fn update_tenant(
        &self,
        _auth: PlatformAuth,
        s: Data<&Services>,
        /// The site's slug.
        slug: Path<SlugText>,
        body: JsonBody<UpdateTenant>,
    ) -> Result<Answer<TenantDto>, SiteWriteError> {
        let change = TenantChange {
            display_name: body.0.display_name.map(Text::into_string),
            origins: body.0.origins.map(Text::into_strings),
        };
        Ok(Answer(s.tenants().update(&slug, change).await?.into()))
    }

    /// Delete a site and everything stored for it
    ///
    /// Its Zoom connection, synced meetings and recordings, registrations and settings. The
    /// Zoom authorization is not revoked at Zoom by this call: disconnect first for that.
    #[oai(
        path = "/tenants/:slug",
        method = "delete",
        operation_id = "delete_tenant"
    )]
    async fn delete_tenant(
        &self,
        _auth: PlatformAuth,
        s: Data<&Services>,
        /// The site's slug.
        slug: Path<SlugText>,
    ) -> Result<Deleted, SiteError> {
        s.tenants().delete(&slug).await?;
        Ok(Deleted::Deleted)
    }

    /// Mint a one-time admin link (valid 15 minutes) for the site owner
    ///
    /// Opening the link signs the owner into the admin panel (a session cookie); it works once.
    /// The body is optional: `return_url` and `refresh_url` say where the panel leads back to
    /// and where an expired or used link sends the owner for a fresh one.
    #[oai(
        path = "/tenants/:slug/admin-links",
        method = "post",
        operation_id = "create_admin_link"
    )]
    async fn create_admin_link(
        &self,
        _auth: PlatformAuth,
        s: Data<&Services>,
        /// The site's slug.
        slug: Path<SlugText>,
        body: OptionalJson<CreateAdminLink>,
    ) -> Result<Created<AdminLink>, SiteWriteError> {
        let to = body
            .0
            .map_or_else(LinkDestinations::default, |b| LinkDestinations {
                return_url: b.return_url.map(Text::into_string),
                refresh_url: b.refresh_url.map(Text::into_string),
            });
        let (url, expires_at) = s.tenants().mint_admin_link(&slug, to).await?;
        Ok(Created::Created(Json(AdminLink {
            url,
            expires_at: expires_at.and_utc(),
        })))
    }

    /// Create a tenant API key (the key is returned once)
    ///
    /// The key acts on this one site with the given scopes. Only a hash is stored: the key in
    /// the answer cannot be shown again.
    #[oai(
        path = "/tenants/:slug/api-keys",
        method = "post",
        operation_id = "create_api_key"
    )]
    async fn create_api_key(
        &self,
        _auth: PlatformAuth,
        s: Data<&Services>,
        /// The site's slug.
        slug: Path<SlugText>,
        body: JsonBody<CreateApiKey>,
    ) -> Result<Created<CreatedApiKey>, CreateKeyError> {
        let minted = s
            .tenants()
            .create_api_key(&slug, &body.name, &scope_names(&body.scopes))
            .await?;
        Ok(Created::Created(Json(minted.into())))
    }

    /// List a site's API keys
    ///
    /// Metadata only (prefix, scopes, last use, revocation); never the keys themselves. Oldest
    /// first; pages with `limit` and `after` like every list.
    #[oai(
        path = "/tenants/:slug/api-keys",
        method = "get",
        operation_id = "list_api_keys"
    )]
    async fn list_api_keys(
        &self,
        _auth: PlatformAuth,
        s: Data<&Services>,
        /// The site's slug.
        slug: Path<SlugText>,
        /// Continue after this key: the `next_after` of the previous page.
        after: Query<Option<Text<MAX_CURSOR_CHARS>>>,
        /// Keys per page, 1–100 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<i64>>,
    ) -> Result<Answer<ApiKeyList>, ListKeysError> {
        let found = s
            .tenants()
            .list_api_keys(
                &slug,
                after.0.as_deref(),
                limit.0.unwrap_or(paging::DEFAULT_LIMIT),
            )
            .await?;
        Ok(Answer(ApiKeyList {
            api_keys: found.items.into_iter().map(Into::into).collect(),
            next_after: found.next_after,
        }))
    }

    /// Revoke an API key
    ///
    /// The key stops working at once; its metadata stays listed with `revoked_at`.
    #[oai(
        path = "/tenants/:slug/api-keys/:key_id",
        method = "delete",
        operation_id = "revoke_api_key"
    )]
    async fn revoke_api_key(
        &self,
        _auth: PlatformAuth,
        s: Data<&Services>,
        slug: Path<SlugText>,
        /// The key's `id`.
        key_id: Path<Text<KEY_ID_CHARS>>,
    ) -> Result<Deleted, SiteError> {
        s.tenants().revoke_api_key(&slug, &key_id).await?;
        Ok(Deleted::Deleted)
    }
}

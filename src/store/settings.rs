//! Site settings (what the owner made public, allowed origins, language, theme) and the
//! one small indexed read that the public face revalidates its caches with (which also tells
//! whether the site's Zoom connection was lost).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::{site_settings, tenants, zoom_connections, zoom_grants};
use super::{Db, StoreError, with_db};
use crate::domain::site::{Accent, Font, Lang, Origin, PublicSite, SiteSettings, Theme, ThemeMode};
use crate::domain::status::GrantStatus;
use crate::domain::{Slug, Tenant, TenantId};

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = site_settings)]
struct SettingsRow {
    tenant_id: String,
    meetings_public: bool,
    recordings_public: bool,
    webinars_public: bool,
    registration_open: bool,
    show_recording_passcode: bool,
    allowed_origins: String,
    language: String,
    theme_mode: String,
    accent_color: String,
    font: String,
    updated_at: NaiveDateTime,
}

impl SettingsRow {
    fn from_domain(tenant_id: &TenantId, s: &SiteSettings, now: NaiveDateTime) -> Self {
        Self {
            tenant_id: tenant_id.to_string(),
            meetings_public: s.meetings_public,
            recordings_public: s.recordings_public,
            webinars_public: s.webinars_public,
            registration_open: s.registration_open,
            show_recording_passcode: s.show_recording_passcode,
            allowed_origins: Origin::to_stored_list(&s.allowed_origins),
            language: s.language.as_str().to_owned(),
            theme_mode: s.theme.mode.as_str().to_owned(),
            accent_color: s.theme.accent.map(|a| a.to_string()).unwrap_or_default(),
            font: s.theme.font.as_str().to_owned(),
            updated_at: now,
        }
    }

    /// Stored values were validated on the way in; anything unreadable falls back to the default
    /// rather than taking a site's widgets down.
    fn into_domain(self) -> SiteSettings {
        SiteSettings {
            meetings_public: self.meetings_public,
            recordings_public: self.recordings_public,
            webinars_public: self.webinars_public,
            registration_open: self.registration_open,
            show_recording_passcode: self.show_recording_passcode,
            allowed_origins: Origin::from_stored_list(&self.allowed_origins),
            language: Lang::parse(&self.language).unwrap_or_default(),
            theme: Theme {
                mode: ThemeMode::parse(&self.theme_mode).unwrap_or_default(),
                accent: Accent::parse(&self.accent_color).ok(),
                font: Font::parse(&self.font).unwrap_or_default(),
            },
        }
    }
}

/// The site's settings (defaults when the owner never saved any).
pub async fn get(db: &mut Db<'_>, tenant_id: &TenantId) -> Result<SiteSettings, StoreError> {
    let row: Option<SettingsRow> = with_db!(db, |c| site_settings::table
        .find(tenant_id.as_str())
        .select(SettingsRow::as_select())
        .first(c)
        .await
        .optional())?;
    Ok(row.map(SettingsRow::into_domain).unwrap_or_default())
}

/// Stores the site's settings (insert or replace).
pub async fn put(
    db: &mut Db<'_>,
    tenant_id: &TenantId,
    settings: &SiteSettings,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let row = SettingsRow::from_domain(tenant_id, settings, now);
    with_db!(db, |c| diesel::insert_into(site_settings::table)
        .values(&row)
        .on_conflict(site_settings::tenant_id)
        .do_update()
        .set(&row)
        .execute(c)
        .await)?;
    Ok(())
}

/// The site by slug with its content version and settings, in one indexed query.
pub async fn public_site(db: &mut Db<'_>, slug: &str) -> Result<Option<PublicSite>, StoreError> {
    type Row = (
        (String, String, String, NaiveDateTime, i64, String),
        Option<SettingsRow>,
        (Option<String>, Option<String>),
    );
    let row: Option<Row> = with_db!(db, |c| tenants::table
        .left_join(site_settings::table)
        .left_join(zoom_connections::table.on(zoom_connections::tenant_id.eq(tenants::id)))
        .left_join(zoom_grants::table.on(zoom_grants::id.eq(zoom_connections::grant_id)))
        .filter(tenants::slug.eq(slug))
        .select((
            (
                tenants::id,
                tenants::slug,
                tenants::display_name,
                tenants::created_at,
                tenants::content_version,
                tenants::origins,
            ),
            Option::<SettingsRow>::as_select(),
            (
                zoom_connections::tenant_id.nullable(),
                zoom_grants::status.nullable(),
            ),
        ))
        .first(c)
        .await
        .optional())?;
    let Some((
        (id, slug, display_name, created_at, content_version, origins),
        settings,
        (linked, grant_status),
    )) = row
    else {
        return Ok(None);
    };
    let connection_lost =
        linked.is_some() && grant_status.as_deref() != Some(GrantStatus::Active.as_str());
    Ok(Some(PublicSite {
        tenant: Tenant {
            id: TenantId::from_stored(id),
            slug: Slug::parse(&slug).map_err(StoreError::Corrupt)?,
            display_name,
            created_at,
            origins: Origin::from_stored_list(&origins),
        },
        content_version,
        settings: settings.map(SettingsRow::into_domain).unwrap_or_default(),
        connection_lost,
    }))
}

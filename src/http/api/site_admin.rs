//! `/api/v1/admin/…` for the public face: what the site shows (settings, hide/show), the
//! snippets to paste into the site. Every operation acts on the caller's own site.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};

use super::ApiTags;
use super::admin::AdminReadError;
use super::answer::Answer;
use super::body::JsonBody;
use super::text::{AccentShape, Text};
use crate::domain::public::MAX_RECORDING_ID_CHARS;
use crate::domain::site::{
    Accent, Font, HiddenItem, Lang, MAX_ORIGIN_CHARS, SettingsChange, SiteSettings, ThemeMode,
};
use crate::domain::status::ItemKind;
use crate::http::auth::AdminAuth;
use crate::http::error::{ApiError, statuses};
use crate::service::paging;
use crate::service::settings::VisibleItem;
use crate::service::snippets;
use crate::service::{ServiceError, Services};

/// Changing settings: an invalid value or body, credentials, scope, the database.
type SettingsWriteError = ApiError<{ statuses(&[400, 401, 403, 413, 415, 500, 503]) }>;
/// Hiding or showing an item: also an unknown item (404).
type VisibilityError = ApiError<{ statuses(&[400, 401, 403, 404, 413, 415, 500, 503]) }>;
/// Listing hidden items: bad paging parameters, credentials, scope, the database.
type ListHiddenItemsError = ApiError<{ statuses(&[400, 401, 403, 500, 503]) }>;

pub struct SiteAdminApi;

/// What the site shows visitors, and how widgets look by default.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SiteSettingsDto {
    /// Show upcoming meetings (JSON and widgets).
    pub meetings_public: bool,
    /// Show cloud recordings.
    pub recordings_public: bool,
    /// Show webinars.
    pub webinars_public: bool,
    /// Let visitors register (for meetings where Zoom has registration on).
    pub registration_open: bool,
    /// Show recording passcodes publicly.
    pub show_recording_passcode: bool,
    /// The owner's origins (`https://example.com`) that may frame the widgets and call the
    /// public API from a browser, in addition to the site's own web addresses that the hosting
    /// platform set (those stay allowed whatever this list says).
    pub allowed_origins: Vec<String>,
    // Enum-typed fields have no `///`: see `tests/api/openapi.rs`.
    pub language: Lang,
    pub theme: ThemeMode,
    /// Accent colour `#rrggbb`; absent for the default blue.
    pub accent_color: Option<String>,
    pub font: Font,
}

impl From<SiteSettings> for SiteSettingsDto {
    fn from(s: SiteSettings) -> Self {
        Self {
            meetings_public: s.meetings_public,
            recordings_public: s.recordings_public,
            webinars_public: s.webinars_public,
            registration_open: s.registration_open,
            show_recording_passcode: s.show_recording_passcode,
            allowed_origins: s.allowed_origins.iter().map(|o| o.to_string()).collect(),
            language: s.language,
            theme: s.theme.mode,
            accent_color: s.theme.accent.map(|a| a.to_string()),
            font: s.theme.font,
        }
    }
}

/// A change of settings: fields left out keep their value.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SiteSettingsPatch {
    pub meetings_public: Option<bool>,
    pub recordings_public: Option<bool>,
    pub webinars_public: Option<bool>,
    pub registration_open: Option<bool>,
    pub show_recording_passcode: Option<bool>,
    /// Replaces the whole list (at most 20).
    pub allowed_origins: Option<Vec<Text<MAX_ORIGIN_CHARS>>>,
    pub language: Option<Lang>,
    pub theme: Option<ThemeMode>,
    /// `#rrggbb`, or an empty string for the default.
    pub accent_color: Option<Text<{ Accent::MAX_CHARS }, 0, AccentShape>>,
    pub font: Option<Font>,
}

impl SiteSettingsPatch {
    /// The change this patch asks for (checked by the settings service).
    fn into_change(self) -> SettingsChange {
        SettingsChange {
            meetings_public: self.meetings_public,
            recordings_public: self.recordings_public,
            webinars_public: self.webinars_public,
            registration_open: self.registration_open,
            show_recording_passcode: self.show_recording_passcode,
            allowed_origins: self.allowed_origins.map(Text::into_strings),
            language: self.language.map(|l| l.as_str().to_owned()),
            theme: self.theme.map(|t| t.as_str().to_owned()),
            accent_color: self.accent_color.map(Text::into_string),
            font: self.font.map(|f| f.as_str().to_owned()),
        }
    }
}

/// Hide or show one item.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Visibility {
    /// Hidden items are not shown anywhere public (404, like unknown ones).
    pub hidden: bool,
}

/// An item the owner hid: not shown to visitors, and hidden again when it is synced after a
/// reconnect.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct HiddenItemDto {
    pub kind: ItemKind,
    /// Zoom's meeting number (as text) for a meeting or webinar; the recording's id (Zoom's
    /// meeting-instance uuid) for a recording.
    pub id: String,
    pub hidden_at: DateTime<Utc>,
}

impl From<HiddenItem> for HiddenItemDto {
    fn from(h: HiddenItem) -> Self {
        Self {
            kind: h.kind,
            id: h.zoom_id,
            hidden_at: h.hidden_at.and_utc(),
        }
    }
}

/// One page of hidden items, most recently hidden first.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct HiddenItemList {
    pub items: Vec<HiddenItemDto>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next_after: Option<String>,
}

/// Done, nothing to return.
#[derive(ApiResponse)]
pub enum Done {
    /// Done.
    #[oai(status = 204)]
    NoContent,
}

/// A widget to embed. Later versions may add widgets: a client shows (or skips) a value it
/// does not know.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum Widget {
    /// The upcoming meetings.
    Meetings,
    /// The upcoming webinars.
    Webinars,
    /// The recordings.
    Recordings,
    /// One meeting, with registration (replace `MEETING_ID`).
    Meeting,
}

/// Ready-to-paste HTML for one widget.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Snippet {
    pub widget: Widget,
    /// The widget's own URL.
    pub url: String,
    /// A plain `<iframe>`.
    pub iframe: String,
    /// The one-line script loader, with a plain link for visitors without JavaScript. Resizes
    /// to its content; the page's origin must be allowed (the site's own or `allowed_origins`).
    pub script: String,
}

/// The snippets for this site.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SnippetList {
    pub snippets: Vec<Snippet>,
    /// The options the widgets take (see `docs/embedding.md`).
    pub options: Vec<WidgetOption>,
}

/// An option of the widgets: an attribute of the script loader and, unless only the loader
/// uses it, the same option as a query parameter of the widget's address.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct WidgetOption {
    /// The loader's attribute with an example value, like `data-per-page="10"`.
    pub attribute: String,
    /// The query parameter with an example value, like `?per_page=10`; absent when only the
    /// loader uses the option.
    pub query: Option<String>,
    /// The values it takes.
    pub values: String,
    /// The widgets that read it.
    pub widgets: Vec<Widget>,
}

impl From<snippets::EmbedOption> for WidgetOption {
    fn from(o: snippets::EmbedOption) -> Self {
        Self {
            attribute: o.attribute().to_owned(),
            query: o.query().map(str::to_owned),
            values: o.values().to_owned(),
            widgets: o.widgets().iter().map(|&w| w.into()).collect(),
        }
    }
}

impl From<snippets::EmbedWidget> for Widget {
    fn from(w: snippets::EmbedWidget) -> Self {
        match w {
            snippets::EmbedWidget::Meetings => Widget::Meetings,
            snippets::EmbedWidget::Webinars => Widget::Webinars,
            snippets::EmbedWidget::Recordings => Widget::Recordings,
            snippets::EmbedWidget::Meeting => Widget::Meeting,
        }
    }
}

impl From<snippets::Snippet> for Snippet {
    fn from(s: snippets::Snippet) -> Self {
        Self {
            widget: s.widget.into(),
            url: s.url,
            iframe: s.iframe,
            script: s.script,
        }
    }
}

super::answer::answers! {
    SiteSettingsDto => "The site's settings (for a change: as they are after it).",
    SnippetList => "The snippets for each widget.",
    HiddenItemList => "One page of hidden items, most recently hidden first.",
}

#[OpenApi(prefix_path = "/api/v1/admin", tag = "ApiTags::Admin")]
impl SiteAdminApi {
    /// What the site shows, and how widgets look (scope `settings:read`)
    ///
    /// Which features are public, whether visitors may register, the allowed origins, and the
    /// widgets' language and theme.
    #[oai(
        path = "/site-settings",
        method = "get",
        operation_id = "get_site_settings"
    )]
    async fn get_site_settings(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
    ) -> Result<Answer<SiteSettingsDto>, AdminReadError> {
        Ok(Answer(s.settings().get(auth.principal()).await?.into()))
    }

    /// Change what the site shows, its allowed origins, language or theme (scope `settings:write`)
    ///
    /// Fields left out keep their value. Takes effect on every widget and the public API at
    /// once (on other instances within a second).
    #[oai(
        path = "/site-settings",
        method = "patch",
        operation_id = "update_site_settings"
    )]
    async fn update_site_settings(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
        body: JsonBody<SiteSettingsPatch>,
    ) -> Result<Answer<SiteSettingsDto>, SettingsWriteError> {
        let changed = s
            .settings()
            .change(auth.principal(), body.0.into_change())
            .await?;
        Ok(Answer(changed.map_err(ServiceError::from)?.into()))
    }

    /// Hide or show one meeting or webinar (scope `meetings:write`)
    ///
    /// A hidden meeting is not shown in any public list, widget or detail (404, like an unknown
    /// one) and takes no registrations. Takes effect at once.
    #[oai(
        path = "/meetings/:meeting_id/visibility",
        method = "put",
        operation_id = "set_meeting_visibility"
    )]
    async fn set_meeting_visibility(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
        /// Zoom's meeting number.
        meeting_id: Path<i64>,
        body: JsonBody<Visibility>,
    ) -> Result<Done, VisibilityError> {
        s.settings()
            .set_hidden(
                auth.principal(),
                VisibleItem::Meeting(meeting_id.0),
                body.0.hidden,
            )
            .await?;
        Ok(Done::NoContent)
    }

    /// Hide or show one recording (scope `settings:write`)
    ///
    /// A hidden recording is not shown in any public list or widget. Takes effect at once.
    #[oai(
        path = "/recordings/:recording_id/visibility",
        method = "put",
        operation_id = "set_recording_visibility"
    )]
    async fn set_recording_visibility(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
        /// The recording's id (Zoom's meeting-instance uuid) as in the public API.
        recording_id: Path<Text<MAX_RECORDING_ID_CHARS>>,
        body: JsonBody<Visibility>,
    ) -> Result<Done, VisibilityError> {
        s.settings()
            .set_hidden(
                auth.principal(),
                VisibleItem::Recording(recording_id.0.into_string()),
                body.0.hidden,
            )
            .await?;
        Ok(Done::NoContent)
    }

    /// What the owner hid from visitors (scope `settings:read`)
    ///
    /// Meetings, webinars and recordings, most recently hidden first. The choices are the
    /// owner's: they are kept while Zoom is disconnected (the items are listed even when they
    /// are not synced at the moment) and apply again when the items are synced.
    #[oai(
        path = "/hidden-items",
        method = "get",
        operation_id = "list_hidden_items"
    )]
    async fn list_hidden_items(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
        /// Continue after this item: the `next_after` of the previous page.
        #[oai(validator(max_length = 512))]
        after: Query<Option<String>>,
        /// Items per page, 1–100 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<i64>>,
    ) -> Result<Answer<HiddenItemList>, ListHiddenItemsError> {
        let found = s
            .settings()
            .hidden_items(
                auth.principal(),
                after.0.as_deref(),
                limit.0.unwrap_or(paging::DEFAULT_LIMIT),
            )
            .await?;
        Ok(Answer(HiddenItemList {
            items: found.items.into_iter().map(Into::into).collect(),
            next_after: found.next_after,
        }))
    }

    /// Ready-to-paste embed snippets for each widget (scope `settings:read`)
    ///
    /// For each widget: its URL, a plain `<iframe>`, and the script loader that resizes to its
    /// content (the embedding page's origin must be allowed: the site's own or `allowed_origins`).
    #[oai(path = "/snippets", method = "get", operation_id = "get_snippets")]
    async fn get_snippets(
        &self,
        auth: AdminAuth,
        s: Data<&Services>,
    ) -> Result<Answer<SnippetList>, AdminReadError> {
        let kit = s.snippets().for_site(auth.principal()).await?;
        Ok(Answer(SnippetList {
            snippets: kit.snippets.into_iter().map(Snippet::from).collect(),
            options: snippets::EmbedOption::ALL.map(WidgetOption::from).into(),
        }))
    }
}

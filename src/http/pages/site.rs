//! "What the site shows": one form for the public face's settings (features, recording
//! passcodes, theme, language, the owner's allowed origins beside the platform's), with a preview of the meetings widget beside
//! it. The settings service checks and stores a change in one transaction; a refused change is
//! shown again as the owner typed it, each problem next to its field, and nothing is stored.

use poem::http::StatusCode;
use poem::web::cookie::CookieJar;
use poem::web::{Form, Query};
use poem::{Response, handler};
use serde::{Deserialize, Serialize};

use super::layout::{Panel, Section};
use super::session::checked_owner;
use super::{Ui, see_other};
use crate::domain::site::{
    Font, Lang, Origin, SettingsChange, SettingsProblem, SiteSettings, ThemeMode,
};
use crate::i18n::panel::{PanelStrings, fill, language_name};

/// The form as posted. Unchecked boxes are not sent at all.
#[derive(Debug, Default, Deserialize)]
pub struct SiteForm {
    csrf_token: Option<String>,
    meetings_public: Option<String>,
    webinars_public: Option<String>,
    recordings_public: Option<String>,
    registration_open: Option<String>,
    recording_passcode: Option<String>,
    theme: Option<String>,
    accent_color: Option<String>,
    font: Option<String>,
    language: Option<String>,
    allowed_origins: Option<String>,
}

impl SiteForm {
    /// The whole form is one change: every setting as it was submitted.
    fn change(&self) -> SettingsChange {
        let origins = self.allowed_origins.as_deref().unwrap_or_default();
        SettingsChange {
            meetings_public: Some(self.meetings_public.is_some()),
            recordings_public: Some(self.recordings_public.is_some()),
            webinars_public: Some(self.webinars_public.is_some()),
            registration_open: Some(self.registration_open.is_some()),
            show_recording_passcode: Some(self.recording_passcode.as_deref() == Some("show")),
            allowed_origins: Some(
                origins
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
            language: Some(self.language.clone().unwrap_or_default()),
            theme: Some(self.theme.clone().unwrap_or_default()),
            accent_color: Some(self.accent_color.clone().unwrap_or_default()),
            font: Some(self.font.clone().unwrap_or_default()),
        }
    }
}

/// One feature's checkbox.
#[derive(Serialize)]
struct FeatureBox {
    name: &'static str,
    label: &'static str,
    on: bool,
}

/// An option of a `<select>`.
#[derive(Serialize)]
struct Choice {
    value: &'static str,
    label: &'static str,
}

/// The values the form shows: the stored settings, or what the owner typed.
#[derive(Serialize)]
struct FormValues {
    show_passcode: bool,
    theme: String,
    accent_color: String,
    font: String,
    language: String,
    allowed_origins: String,
}

/// What to fix, by field (in the order of the form).
#[derive(Default, Serialize)]
struct FieldErrors {
    theme: Option<String>,
    accent_color: Option<String>,
    font: Option<String>,
    language: Option<String>,
    allowed_origins: Option<String>,
}

impl FieldErrors {
    fn any(&self) -> bool {
        [
            &self.theme,
            &self.accent_color,
            &self.font,
            &self.language,
            &self.allowed_origins,
        ]
        .iter()
        .any(|e| e.is_some())
    }

    fn new(problems: &[SettingsProblem], t: &PanelStrings) -> Self {
        let mut errors = Self::default();
        for problem in problems {
            let message = problem_message(problem, t);
            let slot = match problem.field() {
                "theme" => &mut errors.theme,
                "font" => &mut errors.font,
                "language" => &mut errors.language,
                "accent_color" => &mut errors.accent_color,
                _ => &mut errors.allowed_origins,
            };
            *slot = Some(match slot.take() {
                Some(earlier) => format!("{earlier} {message}"),
                None => message,
            });
        }
        errors
    }
}

fn problem_message(problem: &SettingsProblem, t: &PanelStrings) -> String {
    match problem {
        SettingsProblem::TooManyOrigins => t.problem_too_many_origins.to_owned(),
        SettingsProblem::BadOrigin { value, .. } => fill(t.problem_bad_origin, &[("value", value)]),
        SettingsProblem::BadAccent { value, .. } => fill(t.problem_bad_accent, &[("value", value)]),
        SettingsProblem::LowContrast { value, .. } => {
            fill(t.problem_low_contrast, &[("value", value)])
        }
        SettingsProblem::UnknownChoice { .. } => t.problem_unknown_choice.to_owned(),
    }
}

/// `site.html.j2`.
#[derive(Serialize)]
struct SiteView<'a> {
    saved: bool,
    features: Vec<FeatureBox>,
    form: FormValues,
    /// The platform's origins of the site: allowed whatever the owner's list says (read-only).
    platform_origins: Vec<&'a str>,
    has_errors: bool,
    errors: FieldErrors,
    themes: Vec<Choice>,
    fonts: Vec<Choice>,
    languages: Vec<Choice>,
    /// The meetings widget (the script adds the form's choices as they change) …
    preview_base: String,
    /// … as the preview first shows it.
    preview_url: String,
}

/// What is on the page besides the values: the same for a fresh and a refused form.
struct Shown {
    features: [bool; 4],
    values: FormValues,
    errors: FieldErrors,
    saved: bool,
    /// The preview's options when they differ from what is saved (the owner's typed choices).
    preview_query: Option<String>,
}

impl Shown {
    fn stored(s: &SiteSettings, saved: bool) -> Self {
        Self {
            features: [
                s.meetings_public,
                s.webinars_public,
                s.recordings_public,
                s.registration_open,
            ],
            values: FormValues {
                show_passcode: s.show_recording_passcode,
                theme: s.theme.mode.as_str().to_owned(),
                accent_color: s.theme.accent.map(|a| a.to_string()).unwrap_or_default(),
                font: s.theme.font.as_str().to_owned(),
                language: s.language.as_str().to_owned(),
                allowed_origins: s
                    .allowed_origins
                    .iter()
                    .map(|o| o.as_str())
                    .collect::<Vec<_>>()
                    .join("\n"),
            },
            errors: FieldErrors::default(),
            saved,
            preview_query: None,
        }
    }

    fn typed(form: SiteForm, errors: FieldErrors) -> Self {
        // The widget ignores options it cannot read, as it does for embed.js.
        let mut preview = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("theme", &form.theme),
            ("font", &form.font),
            ("lang", &form.language),
            ("accent", &form.accent_color),
        ] {
            preview.append_pair(name, value.as_deref().unwrap_or_default().trim());
        }
        let preview_query = Some(preview.finish());
        Self {
            features: [
                form.meetings_public.is_some(),
                form.webinars_public.is_some(),
                form.recordings_public.is_some(),
                form.registration_open.is_some(),
            ],
            values: FormValues {
                show_passcode: form.recording_passcode.as_deref() == Some("show"),
                theme: form.theme.unwrap_or_default(),
                accent_color: form.accent_color.unwrap_or_default(),
                font: form.font.unwrap_or_default(),
                language: form.language.unwrap_or_default(),
                allowed_origins: form.allowed_origins.unwrap_or_default(),
            },
            errors,
            saved: false,
            preview_query,
        }
    }
}

fn page(panel: &Panel<'_>, status: StatusCode, shown: Shown) -> Response {
    let t = panel.strings();
    let names = [
        ("meetings_public", t.feature_meetings),
        ("webinars_public", t.feature_webinars),
        ("recordings_public", t.feature_recordings),
        ("registration_open", t.feature_registration),
    ];
    let errors = shown.errors;
    let preview_base = format!("/embed/{}/meetings", panel.tenant.slug.as_str());
    let view = SiteView {
        saved: shown.saved,
        features: names
            .into_iter()
            .zip(shown.features)
            .map(|((name, label), on)| FeatureBox { name, label, on })
            .collect(),
        form: shown.values,
        platform_origins: panel.tenant.origins.iter().map(Origin::as_str).collect(),
        has_errors: errors.any(),
        errors,
        themes: ThemeMode::ALL
            .iter()
            .map(|&m| Choice {
                value: m.as_str(),
                label: theme_label(m, t),
            })
            .collect(),
        fonts: Font::ALL
            .iter()
            .map(|&f| Choice {
                value: f.as_str(),
                label: font_label(f, t),
            })
            .collect(),
        languages: Lang::ALL
            .iter()
            .map(|&l| Choice {
                value: l.as_str(),
                label: language_name(l),
            })
            .collect(),
        preview_url: match &shown.preview_query {
            Some(query) => format!("{preview_base}?{query}"),
            None => preview_base.clone(),
        },
        preview_base,
    };
    panel.render(status, Section::Site, "admin/site.html.j2", view)
}

fn theme_label(mode: ThemeMode, t: &'static PanelStrings) -> &'static str {
    match mode {
        ThemeMode::Light => t.theme_light,
        ThemeMode::Dark => t.theme_dark,
        ThemeMode::Auto => t.theme_auto,
    }
}

fn font_label(font: Font, t: &'static PanelStrings) -> &'static str {
    match font {
        Font::System => t.font_system,
        Font::Serif => t.font_serif,
        Font::Mono => t.font_mono,
    }
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// `GET /admin/site`: the form with the stored settings ("Saved" after a change).
#[handler]
pub async fn site_settings(ui: Ui<'_>, jar: &CookieJar, q: Query<SavedQuery>) -> Response {
    let panel = match Panel::open(ui, jar).await {
        Ok(panel) => panel,
        Err(page) => return page,
    };
    match ui.s.settings().get(panel.principal()).await {
        Ok(settings) => page(
            &panel,
            StatusCode::OK,
            Shown::stored(&settings, q.0.saved.is_some()),
        ),
        Err(e) => ui.failure(e),
    }
}

/// `POST /admin/site`: saves the form, then shows it again (POST-redirect-GET), or shows what
/// to fix.
#[handler]
pub async fn save_site_settings(ui: Ui<'_>, jar: &CookieJar, form: Form<SiteForm>) -> Response {
    let form = form.0;
    let owner = match checked_owner(&ui, jar, form.csrf_token.as_deref()).await {
        Ok(owner) => owner,
        Err(page) => return page,
    };
    match ui.s.settings().change(&owner, form.change()).await {
        Ok(Ok(_)) => see_other("/admin/site?saved=1"),
        Ok(Err(refused)) => match Panel::open(ui, jar).await {
            Ok(panel) => {
                let errors = FieldErrors::new(&refused.0, panel.strings());
                page(&panel, StatusCode::BAD_REQUEST, Shown::typed(form, errors))
            }
            Err(page) => page,
        },
        Err(e) => ui.failure(e),
    }
}

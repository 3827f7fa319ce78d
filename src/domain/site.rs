//! What a site shows its visitors and how: the owner's public-face settings (features, allowed
//! origins, language, theme) and the validated values they are made of. Parsing happens here,
//! at the edge, so every later layer can trust these values (e.g. put them into CSS or headers).

use std::fmt;

use super::Tenant;
pub use super::origin::Origin;
use super::status::ItemKind;

/// A widget language. Strings live in one catalogue (`crate::i18n`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    En,
    De,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::De];

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == raw)
            .ok_or_else(|| format!("unknown language {raw:?}; use one of: en, de"))
    }
}

/// Light, dark, or following the visitor's system preference.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ThemeMode {
    #[default]
    Light,
    Dark,
    Auto,
}

impl ThemeMode {
    pub const ALL: [ThemeMode; 3] = [ThemeMode::Light, ThemeMode::Dark, ThemeMode::Auto];

    pub fn as_str(self) -> &'static str {
        match self {
            ThemeMode::Light => "light",
            ThemeMode::Dark => "dark",
            ThemeMode::Auto => "auto",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "light" => Ok(Self::Light),
            "dark" => Ok(Self::Dark),
            "auto" => Ok(Self::Auto),
            _ => Err(format!("unknown theme {raw:?}; use light, dark or auto")),
        }
    }
}

/// A font family from a fixed list: widgets load no external assets, so only system stacks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Font {
    #[default]
    System,
    Serif,
    Mono,
}

impl Font {
    pub const ALL: [Font; 3] = [Font::System, Font::Serif, Font::Mono];

    pub fn as_str(self) -> &'static str {
        match self {
            Font::System => "system",
            Font::Serif => "serif",
            Font::Mono => "mono",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "system" => Ok(Self::System),
            "serif" => Ok(Self::Serif),
            "mono" => Ok(Self::Mono),
            _ => Err(format!("unknown font {raw:?}; use system, serif or mono")),
        }
    }

    /// The CSS `font-family` value.
    pub fn css_stack(self) -> &'static str {
        match self {
            Font::System => "system-ui, -apple-system, \"Segoe UI\", Roboto, sans-serif",
            Font::Serif => "Georgia, \"Times New Roman\", serif",
            Font::Mono => "ui-monospace, \"SFMono-Regular\", Menlo, Consolas, monospace",
        }
    }
}

/// An accent colour `#rrggbb` (lower case); safe to put into CSS as is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Accent([u8; 3]);

impl Accent {
    /// The longest text [`Accent::parse`] takes (`#rrggbb`).
    pub const MAX_CHARS: usize = 7;
    /// [`Accent::parse`]'s rule as a regular expression, with the empty string that means "no
    /// accent" where a setting takes one.
    pub const OPTIONAL_PATTERN: &'static str = "^(#?[0-9a-fA-F]{6})?$";

    pub fn parse(raw: &str) -> Result<Self, String> {
        let hex = raw.strip_prefix('#').unwrap_or(raw);
        let bytes = (hex.len() == 6)
            .then(|| hex::decode(hex).ok())
            .flatten()
            .ok_or_else(|| format!("accent {raw:?} is not a colour like #0b5cff"))?;
        Ok(Self([bytes[0], bytes[1], bytes[2]]))
    }

    /// WCAG relative luminance (0 black … 1 white).
    fn luminance(self) -> f64 {
        let lin = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let [r, g, b] = self.0;
        0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    }

    /// WCAG contrast ratio of the two colours (1 … 21).
    pub fn contrast_with(self, other: Accent) -> f64 {
        let (a, b) = (self.luminance() + 0.05, other.luminance() + 0.05);
        a.max(b) / a.min(b)
    }

    /// Black or white, whichever reads better on this colour (WCAG relative luminance).
    pub fn contrast_text(self) -> &'static str {
        let l = self.luminance();
        // Contrast with white (1.05 / (l + 0.05)) vs with black ((l + 0.05) / 0.05).
        if 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 {
            "#ffffff"
        } else {
            "#000000"
        }
    }
}

impl fmt::Display for Accent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [r, g, b] = self.0;
        write!(f, "#{r:02x}{g:02x}{b:02x}")
    }
}

/// How widgets look: mode, accent colour and font.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Theme {
    pub mode: ThemeMode,
    pub accent: Option<Accent>,
    pub font: Font,
}

/// WCAG AA for normal text: the accent colours links and focus rings.
pub const MIN_ACCENT_CONTRAST: f64 = 4.5;

/// The widgets' card backgrounds (`--mq-surface` in `base.html.j2`), light and dark: the
/// page's background contrasts more with any accent that reads on these.
const LIGHT_SURFACE: Accent = Accent([0xf6, 0xf8, 0xfb]);
const DARK_SURFACE: Accent = Accent([0x1b, 0x21, 0x30]);

impl Theme {
    /// The accent is readable as text in every mode the theme shows (both for `auto`):
    /// contrast of at least [`MIN_ACCENT_CONTRAST`]; otherwise why not, for the owner.
    pub fn check_contrast(&self) -> Result<(), String> {
        let Some(accent) = self.accent else {
            return Ok(());
        };
        let backgrounds: &[(Accent, &str)] = match self.mode {
            ThemeMode::Light => &[(LIGHT_SURFACE, "light")],
            ThemeMode::Dark => &[(DARK_SURFACE, "dark")],
            ThemeMode::Auto => &[(LIGHT_SURFACE, "light"), (DARK_SURFACE, "dark")],
        };
        for &(background, mode) in backgrounds {
            let ratio = accent.contrast_with(background);
            if ratio < MIN_ACCENT_CONTRAST {
                return Err(format!(
                    "accent {accent} has a contrast of {ratio:.1}:1 on the {mode} theme's background; \
                     text needs at least {MIN_ACCENT_CONTRAST}:1 — choose a {} colour",
                    if mode == "light" { "darker" } else { "lighter" }
                ));
            }
        }
        Ok(())
    }
}

/// At most this many allowed origins per site (they all go into one CSP header).
pub const MAX_ALLOWED_ORIGINS: usize = 20;
/// Longer than any origin: a scheme, a host name (at most 253 characters) and a port.
pub const MAX_ORIGIN_CHARS: usize = 300;

/// What the owner made public, and how widgets look by default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteSettings {
    pub meetings_public: bool,
    pub recordings_public: bool,
    pub webinars_public: bool,
    /// Visitors may register (for meetings where Zoom has registration on).
    pub registration_open: bool,
    pub show_recording_passcode: bool,
    /// The owner's origins that may frame the widgets and call the public API from a browser,
    /// beside the platform's ([`PublicSite::allowed_origins`]).
    pub allowed_origins: Vec<Origin>,
    pub language: Lang,
    pub theme: Theme,
}

impl Default for SiteSettings {
    fn default() -> Self {
        Self {
            meetings_public: true,
            recordings_public: true,
            webinars_public: true,
            registration_open: true,
            show_recording_passcode: false,
            allowed_origins: Vec::new(),
            language: Lang::En,
            theme: Theme::default(),
        }
    }
}

/// One item the owner hid from visitors. The owner's data: it outlives the synced copy of the
/// item (a disconnect purges Zoom's data, a reconnect brings the item back still hidden).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HiddenItem {
    pub kind: ItemKind,
    /// Zoom's meeting number (as text) or meeting-instance uuid.
    pub zoom_id: String,
    pub hidden_at: chrono::NaiveDateTime,
}

/// A change to a site's settings, as the owner typed it in the panel or sent it to the admin
/// API: fields left out (`None`) keep their value. [`SettingsChange::apply`] is the one place
/// these values are checked.
#[derive(Clone, Debug, Default)]
pub struct SettingsChange {
    pub meetings_public: Option<bool>,
    pub recordings_public: Option<bool>,
    pub webinars_public: Option<bool>,
    pub registration_open: Option<bool>,
    pub show_recording_passcode: Option<bool>,
    /// Replaces the whole list.
    pub allowed_origins: Option<Vec<String>>,
    pub language: Option<String>,
    pub theme: Option<String>,
    /// `#rrggbb`, or empty for the default.
    pub accent_color: Option<String>,
    pub font: Option<String>,
}

/// Why a value of a [`SettingsChange`] was refused. The text is the API's (English) message;
/// the panel words each problem in the owner's language.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SettingsProblem {
    #[error("at most {MAX_ALLOWED_ORIGINS} origins")]
    TooManyOrigins,
    #[error("{reason}")]
    BadOrigin { value: String, reason: String },
    #[error("{reason}")]
    BadAccent { value: String, reason: String },
    /// An accent too faint on the theme's background (see [`Theme::check_contrast`]).
    #[error("{reason}")]
    LowContrast { value: String, reason: String },
    /// A language, theme or font that is not one of the choices.
    #[error("{reason}")]
    UnknownChoice { field: &'static str, reason: String },
}

impl SettingsProblem {
    /// The input field to fix.
    pub fn field(&self) -> &'static str {
        match self {
            Self::TooManyOrigins | Self::BadOrigin { .. } => "allowed_origins",
            Self::BadAccent { .. } | Self::LowContrast { .. } => "accent_color",
            Self::UnknownChoice { field, .. } => field,
        }
    }
}

impl SettingsChange {
    /// `current` with this change made, or every problem found (nothing is changed then).
    pub fn apply(self, mut s: SiteSettings) -> Result<SiteSettings, Vec<SettingsProblem>> {
        let flags = [
            (self.meetings_public, &mut s.meetings_public),
            (self.recordings_public, &mut s.recordings_public),
            (self.webinars_public, &mut s.webinars_public),
            (self.registration_open, &mut s.registration_open),
            (self.show_recording_passcode, &mut s.show_recording_passcode),
        ];
        for (new, old) in flags {
            if let Some(v) = new {
                *old = v;
            }
        }
        let mut problems = Vec::new();
        if let Some(origins) = self.allowed_origins {
            match parse_origins(&origins) {
                Ok(parsed) => s.allowed_origins = parsed,
                Err(mut found) => problems.append(&mut found),
            }
        }
        choose(
            "language",
            self.language,
            Lang::parse,
            &mut s.language,
            &mut problems,
        );
        choose(
            "theme",
            self.theme,
            ThemeMode::parse,
            &mut s.theme.mode,
            &mut problems,
        );
        choose(
            "font",
            self.font,
            Font::parse,
            &mut s.theme.font,
            &mut problems,
        );
        match self.accent_color.as_deref().map(str::trim) {
            None => {}
            Some("") => s.theme.accent = None,
            Some(raw) => match Accent::parse(raw) {
                Ok(accent) => s.theme.accent = Some(accent),
                Err(reason) => problems.push(SettingsProblem::BadAccent {
                    value: raw.to_owned(),
                    reason,
                }),
            },
        }
        if let (Err(reason), Some(accent)) = (s.theme.check_contrast(), s.theme.accent) {
            problems.push(SettingsProblem::LowContrast {
                value: accent.to_string(),
                reason,
            });
        }
        if problems.is_empty() {
            Ok(s)
        } else {
            Err(problems)
        }
    }
}

/// The origins sorted and without duplicates, or a problem for each one that is not an origin.
fn parse_origins(raw: &[String]) -> Result<Vec<Origin>, Vec<SettingsProblem>> {
    if raw.len() > MAX_ALLOWED_ORIGINS {
        return Err(vec![SettingsProblem::TooManyOrigins]);
    }
    let mut parsed = Vec::new();
    let mut problems = Vec::new();
    for value in raw {
        match Origin::parse(value) {
            Ok(origin) => parsed.push(origin),
            Err(reason) => problems.push(SettingsProblem::BadOrigin {
                value: value.clone(),
                reason,
            }),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    parsed.sort();
    parsed.dedup();
    Ok(parsed)
}

/// Sets `slot` to the parsed `raw` choice, if given, or records why it is not one.
fn choose<T>(
    field: &'static str,
    raw: Option<String>,
    parse: fn(&str) -> Result<T, String>,
    slot: &mut T,
    problems: &mut Vec<SettingsProblem>,
) {
    match raw.as_deref().map(parse) {
        None => {}
        Some(Ok(value)) => *slot = value,
        Some(Err(reason)) => problems.push(SettingsProblem::UnknownChoice { field, reason }),
    }
}

/// A site as its visitors' requests see it: the tenant, its settings, and the content version
/// that the public face's caches are valid for.
#[derive(Clone, Debug)]
pub struct PublicSite {
    pub tenant: Tenant,
    /// Bumped by every write of visitor-visible data.
    pub content_version: i64,
    pub settings: SiteSettings,
    /// Linked to Zoom, but Zoom refused the grant: nothing reaches Zoom (registration
    /// included) until the owner reconnects. Visitors read "temporarily unavailable".
    pub connection_lost: bool,
}

impl PublicSite {
    /// Whether visitors may register on this site now: the owner's switch, and a connection
    /// that can reach Zoom.
    pub fn registration_open(&self) -> bool {
        self.settings.registration_open && !self.connection_lost
    }

    /// The origins that may embed the widgets and call the public API from a browser: the
    /// platform's addresses of the site and the owner's own (the owner cannot remove the
    /// platform's), sorted, without repeats.
    pub fn allowed_origins(&self) -> Vec<&Origin> {
        let mut all: Vec<&Origin> = self
            .tenant
            .origins
            .iter()
            .chain(&self.settings.allowed_origins)
            .collect();
        all.sort();
        all.dedup();
        all
    }

    pub fn allows_origin(&self, origin: &str) -> bool {
        self.tenant
            .origins
            .iter()
            .chain(&self.settings.allowed_origins)
            .any(|o| o.as_str() == origin)
    }
}

/// A visible feature of a site; a feature the owner did not make public is "not found".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    Meetings,
    Webinars,
    Recordings,
}

impl Feature {
    pub fn is_public(self, s: &SiteSettings) -> bool {
        match self {
            Feature::Meetings => s.meetings_public,
            Feature::Webinars => s.webinars_public,
            Feature::Recordings => s.recordings_public,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_are_strict_and_pick_readable_text() {
        assert_eq!(Accent::parse("#0B5CFF").unwrap().to_string(), "#0b5cff");
        assert!(Accent::parse("red").is_err());
        assert!(Accent::parse("#12345g").is_err());
        assert!(Accent::parse("#fff;}").is_err());
        assert_eq!(Accent::parse("#0b5cff").unwrap().contrast_text(), "#ffffff");
        assert_eq!(Accent::parse("#ffe066").unwrap().contrast_text(), "#000000");
    }

    #[test]
    fn accents_must_read_on_every_background_the_theme_shows() {
        let theme = |mode, hex: &str| Theme {
            mode,
            accent: Some(Accent::parse(hex).unwrap()),
            font: Font::System,
        };
        // White on white, black on black: 1:1.
        assert_eq!(
            Accent::parse("#ffffff")
                .unwrap()
                .contrast_with(Accent::parse("#ffffff").unwrap()),
            1.0
        );
        let extreme = Accent::parse("#000000")
            .unwrap()
            .contrast_with(Accent::parse("#ffffff").unwrap());
        assert!((extreme - 21.0).abs() < 1e-9);
        assert!(theme(ThemeMode::Light, "#0b5cff").check_contrast().is_ok());
        let faint = theme(ThemeMode::Light, "#ff6600")
            .check_contrast()
            .unwrap_err();
        assert!(
            faint.contains("light theme") && faint.contains("darker"),
            "{faint}"
        );
        assert!(theme(ThemeMode::Dark, "#ff6600").check_contrast().is_ok());
        let dark = theme(ThemeMode::Dark, "#0b1f5c")
            .check_contrast()
            .unwrap_err();
        assert!(
            dark.contains("dark theme") && dark.contains("lighter"),
            "{dark}"
        );
        // Auto shows both: a colour must read on each.
        assert!(theme(ThemeMode::Auto, "#ff6600").check_contrast().is_err());
        assert!(theme(ThemeMode::Auto, "#0b1f5c").check_contrast().is_err());
        assert!(
            Theme::default().check_contrast().is_ok(),
            "no accent: the defaults"
        );
        let refused = SettingsChange {
            accent_color: Some("#ffee00".into()),
            ..Default::default()
        }
        .apply(SiteSettings::default())
        .unwrap_err();
        assert_eq!(refused[0].field(), "accent_color");
        // The mode changes too: an accent that read on light may not read on dark.
        let light_ok = SettingsChange {
            accent_color: Some("#0b1f5c".into()),
            ..Default::default()
        }
        .apply(SiteSettings::default())
        .unwrap();
        let to_dark = SettingsChange {
            theme: Some("dark".into()),
            ..Default::default()
        };
        assert!(matches!(
            to_dark.apply(light_ok).unwrap_err()[..],
            [SettingsProblem::LowContrast { .. }]
        ));
    }

    #[test]
    fn a_change_reports_every_problem_and_changes_nothing_then() {
        let change = SettingsChange {
            recordings_public: Some(false),
            allowed_origins: Some(vec![
                "https://a.example".into(),
                "https://b.example/x".into(),
            ]),
            accent_color: Some("red".into()),
            font: Some("comic".into()),
            ..Default::default()
        };
        let problems = change.apply(SiteSettings::default()).unwrap_err();
        let fields: Vec<_> = problems.iter().map(SettingsProblem::field).collect();
        assert_eq!(fields, ["allowed_origins", "font", "accent_color"]);
        assert!(
            matches!(&problems[0], SettingsProblem::BadOrigin { value, .. } if value == "https://b.example/x")
        );

        let fine = SettingsChange {
            recordings_public: Some(false),
            allowed_origins: Some(vec![
                "https://b.example".into(),
                "HTTPS://a.example".into(),
                "https://b.example".into(),
            ]),
            accent_color: Some(" #FF8800 ".into()),
            theme: Some("dark".into()),
            ..Default::default()
        };
        let s = fine.apply(SiteSettings::default()).unwrap();
        assert!(!s.recordings_public && s.meetings_public);
        let origins: Vec<_> = s.allowed_origins.iter().map(Origin::as_str).collect();
        assert_eq!(origins, ["https://a.example", "https://b.example"]);
        assert_eq!(
            s.theme.accent.map(|a| a.to_string()).as_deref(),
            Some("#ff8800")
        );
        assert_eq!(s.theme.mode, ThemeMode::Dark);
        let too_many = SettingsChange {
            allowed_origins: Some(vec!["https://a.example".into(); MAX_ALLOWED_ORIGINS + 1]),
            ..Default::default()
        };
        assert_eq!(
            too_many.apply(s).unwrap_err(),
            [SettingsProblem::TooManyOrigins]
        );
    }
}

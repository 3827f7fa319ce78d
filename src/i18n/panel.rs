//! The owner's admin panel, in English and German: every string its pages and notices show.
//! Templates get them as `t`; sentences with a value in them hold `{name}`-style slots that
//! [`fill`] replaces (the result is escaped by the template like any other text).

use serde::Serialize;

use crate::domain::site::Lang;

mod meeting_form;
mod tools;

pub use meeting_form::MeetingFormStrings;
pub use tools::ToolStrings;

/// A page that says one thing: a title and a sentence or two.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Notice {
    pub title: &'static str,
    pub text: &'static str,
}

/// Every string of the panel.
#[derive(Serialize)]
pub struct PanelStrings {
    // Layout.
    pub skip_to_content: &'static str,
    pub admin_panel: &'static str,
    pub nav_label: &'static str,
    pub back_to_site: &'static str,
    pub sign_out: &'static str,
    pub nav_overview: &'static str,
    pub nav_site: &'static str,
    pub nav_meetings: &'static str,
    pub nav_recordings: &'static str,
    pub nav_registrations: &'static str,
    // Overview.
    pub zoom_heading: &'static str,
    pub connected_as: &'static str,
    pub not_connected: &'static str,
    pub connect: &'static str,
    pub reconnect: &'static str,
    pub disconnect: &'static str,
    pub reconnect_title: &'static str,
    pub reconnect_text: &'static str,
    pub reconnect_since: &'static str,
    pub reconnect_reason: &'static str,
    pub install_waiting: &'static str,
    pub install_text: &'static str,
    pub install_use: &'static str,
    pub scopes_heading: &'static str,
    pub scopes_needed: &'static str,
    pub scope_granted: &'static str,
    pub scope_missing: &'static str,
    pub scopes_missing_text: &'static str,
    pub scopes_granted: &'static str,
    pub sync_heading: &'static str,
    pub last_sync: &'static str,
    pub never_synced: &'static str,
    pub sync_ok: &'static str,
    pub sync_failed: &'static str,
    pub sync_error: &'static str,
    pub sync_now: &'static str,
    pub sync_running: &'static str,
    pub next_reconcile: &'static str,
    pub counts_heading: &'static str,
    pub count_upcoming: &'static str,
    pub count_recordings: &'static str,
    pub count_registrations: &'static str,
    // What the site shows.
    pub site_intro: &'static str,
    pub saved: &'static str,
    pub errors_summary: &'static str,
    pub features_legend: &'static str,
    pub feature_meetings: &'static str,
    pub feature_webinars: &'static str,
    pub feature_recordings: &'static str,
    pub feature_registration: &'static str,
    pub passcode_legend: &'static str,
    pub passcode_help: &'static str,
    pub passcode_show: &'static str,
    pub passcode_private: &'static str,
    pub look_legend: &'static str,
    pub theme_label: &'static str,
    pub theme_light: &'static str,
    pub theme_dark: &'static str,
    pub theme_auto: &'static str,
    pub accent_label: &'static str,
    pub accent_help: &'static str,
    pub font_label: &'static str,
    pub font_system: &'static str,
    pub font_serif: &'static str,
    pub font_mono: &'static str,
    pub language_label: &'static str,
    pub origins_legend: &'static str,
    pub origins_label: &'static str,
    pub origins_help: &'static str,
    pub platform_origins_label: &'static str,
    pub platform_origins_help: &'static str,
    pub save: &'static str,
    pub preview_heading: &'static str,
    pub preview_help: &'static str,
    pub preview_title: &'static str,
    /// Slots: none.
    pub problem_too_many_origins: &'static str,
    /// Slot: `{value}`.
    pub problem_bad_origin: &'static str,
    /// Slot: `{value}`.
    pub problem_bad_accent: &'static str,
    pub problem_low_contrast: &'static str,
    pub problem_unknown_choice: &'static str,
    // Meetings and recordings.
    pub items_intro: &'static str,
    pub recordings_intro: &'static str,
    pub upcoming: &'static str,
    pub past: &'static str,
    pub meetings_caption: &'static str,
    pub recordings_caption: &'static str,
    pub search_label: &'static str,
    pub search_button: &'static str,
    pub search_clear: &'static str,
    pub nothing_found: &'static str,
    pub col_topic: &'static str,
    pub col_when: &'static str,
    pub col_registration: &'static str,
    pub col_visibility: &'static str,
    pub col_recorded: &'static str,
    pub col_passcode: &'static str,
    pub webinar: &'static str,
    pub meeting_id: &'static str,
    pub no_fixed_time: &'static str,
    pub next_dates: &'static str,
    pub registration_none: &'static str,
    pub registration_automatic: &'static str,
    pub registration_manual: &'static str,
    pub registration_closed_here: &'static str,
    pub registrants: &'static str,
    pub visible: &'static str,
    pub hidden: &'static str,
    pub hide: &'static str,
    pub show: &'static str,
    pub open_at_zoom: &'static str,
    pub has_passcode: &'static str,
    pub no_passcode: &'static str,
    pub minutes: &'static str,
    pub pages_label: &'static str,
    pub next_page: &'static str,
    pub first_page: &'static str,
    // Registrations.
    pub registrations_intro: &'static str,
    pub registrations_caption: &'static str,
    pub col_name: &'static str,
    pub col_email: &'static str,
    pub col_status: &'static str,
    pub col_registered: &'static str,
    pub col_actions: &'static str,
    pub status_all: &'static str,
    pub status_approved: &'static str,
    pub status_pending: &'static str,
    pub status_denied: &'static str,
    pub status_cancelled: &'static str,
    pub approve: &'static str,
    pub deny: &'static str,
    pub cancel_registration: &'static str,
    pub export_csv: &'static str,
    pub all_meetings: &'static str,
    pub filter_button: &'static str,
    // Notices.
    pub back_to_panel: &'static str,
    pub failed: &'static str,
    pub failed_try_later: &'static str,
    pub session_ended: Notice,
    pub form_expired: Notice,
    pub link_expired: Notice,
    pub link_used: Notice,
    pub link_unknown: Notice,
    pub signed_out: Notice,
    /// Slots: `{name}`, `{email}`.
    pub install_parked: Notice,
    /// Slots: `{name}`, `{email}`.
    pub zoom_connected: Notice,
    pub consent_denied: Notice,
    pub attempt_not_ours: Notice,
    pub attempt_expired: Notice,
    pub attempt_used: Notice,
    pub attempt_foreign: Notice,
    pub no_authorization: Notice,
    pub exchange_refused: Notice,
    /// Zoom App installed, but Zoom made no deep link. Slots: `{name}`, `{email}`.
    pub app_installed_open_in_zoom: Notice,
    /// Zoom App installed, but Zoom's deep link pointed off Zoom. Slots: `{name}`, `{email}`.
    pub app_link_refused: Notice,
    /// The Sync, Embed and Disconnect pages.
    pub tools: &'static ToolStrings,
    /// The New-meeting form and the Start-meeting button.
    pub meeting_form: &'static MeetingFormStrings,
}

const EN: PanelStrings = PanelStrings {
    skip_to_content: "Skip to main content",
    admin_panel: "Admin panel",
    nav_label: "Admin panel sections",
    back_to_site: "Back to my site",
    sign_out: "Sign out",
    nav_overview: "Overview",
    nav_site: "What the site shows",
    nav_meetings: "Meetings",
    nav_recordings: "Recordings",
    nav_registrations: "Registrations",
    zoom_heading: "Zoom",
    connected_as: "Connected as",
    not_connected: "Not connected. Connect your Zoom account to show your meetings on your site.",
    connect: "Connect Zoom",
    reconnect: "Reconnect Zoom",
    disconnect: "Disconnect Zoom",
    reconnect_title: "Zoom stopped accepting this connection",
    reconnect_text: "Your site keeps showing the last synced data, but nothing new arrives. Connect Zoom again to resume.",
    reconnect_since: "Since",
    reconnect_reason: "Zoom's reason",
    install_waiting: "Zoom install waiting",
    install_text: "You added Marquee from the Zoom Marketplace as",
    install_use: "Use this Zoom account for this site",
    scopes_heading: "Permissions",
    scopes_needed: "What Marquee needs from Zoom",
    scope_granted: "granted",
    scope_missing: "missing",
    scopes_missing_text: "Zoom did not grant everything Marquee needs, so some meetings cannot be shown. Reconnect Zoom and allow every permission.",
    scopes_granted: "Everything Zoom granted",
    sync_heading: "Sync with Zoom",
    last_sync: "Last sync",
    never_synced: "Not synced yet",
    sync_ok: "completed",
    sync_failed: "failed",
    sync_error: "What went wrong",
    sync_now: "Right now",
    sync_running: "A sync is running.",
    next_reconcile: "Next check with Zoom",
    counts_heading: "On your site",
    count_upcoming: "Upcoming meetings",
    count_recordings: "Recordings",
    count_registrations: "Registrations in the last 7 days",
    site_intro: "Choose what visitors of your site see and how the widgets look. Changes apply to every widget at once.",
    saved: "Saved. Your site shows the new settings now.",
    errors_summary: "Please correct the marked fields. Nothing was saved.",
    features_legend: "Show on the site",
    feature_meetings: "Upcoming meetings",
    feature_webinars: "Webinars",
    feature_recordings: "Cloud recordings",
    feature_registration: "Registration: visitors may register for meetings that have registration on in Zoom",
    passcode_legend: "Recording passcodes",
    passcode_help: "Visitors cannot play a protected recording without its passcode.",
    passcode_show: "Show the passcode next to each recording",
    passcode_private: "Keep passcodes private (you share them yourself)",
    look_legend: "Look and language",
    theme_label: "Colours",
    theme_light: "Light",
    theme_dark: "Dark",
    theme_auto: "Like the visitor's device",
    accent_label: "Accent colour",
    accent_help: "A colour like #0b5cff for buttons and links. Leave empty for the default blue.",
    font_label: "Font",
    font_system: "System (sans-serif)",
    font_serif: "Serif",
    font_mono: "Monospace",
    language_label: "Language of the widgets",
    origins_legend: "Where the widgets may appear",
    origins_label: "Your site's web addresses",
    origins_help: "One per line, like https://www.example.com (no path). Browsers show the widgets only on pages at these addresses and at those your hosting provider set.",
    platform_origins_label: "Set by your hosting provider",
    platform_origins_help: "Your site's own addresses: the widgets may always appear there. Only your hosting provider can change them.",
    save: "Save",
    preview_heading: "Preview",
    preview_help: "The meetings widget as your visitors see it. It follows your choices as you make them; without JavaScript it shows what is saved.",
    preview_title: "Preview of the meetings widget",
    problem_too_many_origins: "At most 20 web addresses.",
    problem_bad_origin: "“{value}” is not a web address like https://www.example.com (no path).",
    problem_bad_accent: "“{value}” is not a colour like #0b5cff.",
    problem_low_contrast: "“{value}” is too faint on this theme's background to read (links need a contrast of at least 4.5:1). Choose a darker colour for a light theme, a lighter one for a dark theme, or leave the field empty.",
    problem_unknown_choice: "Please choose one of the options.",
    items_intro: "Everything Marquee synced from Zoom. Hidden items stay listed here, so you can show them again.",
    recordings_intro: "The cloud recordings Marquee synced from Zoom. Hidden ones stay listed here, so you can show them again.",
    upcoming: "Upcoming",
    past: "Past",
    meetings_caption: "Meetings and webinars",
    recordings_caption: "Recordings",
    search_label: "Search by topic",
    search_button: "Search",
    search_clear: "Show all",
    nothing_found: "Nothing found.",
    col_topic: "Topic",
    col_when: "When",
    col_registration: "Registration",
    col_visibility: "On your site",
    col_recorded: "Recorded",
    col_passcode: "Passcode",
    webinar: "Webinar",
    meeting_id: "Meeting ID",
    no_fixed_time: "Recurring, no fixed time",
    next_dates: "Next dates",
    registration_none: "No registration",
    registration_automatic: "Open, approved automatically",
    registration_manual: "Open, you approve each registrant",
    registration_closed_here: "Closed on your site (see What the site shows)",
    registrants: "Registrants",
    visible: "Visible",
    hidden: "Hidden",
    hide: "Hide",
    show: "Show",
    open_at_zoom: "Open at Zoom",
    has_passcode: "Protected by a passcode",
    no_passcode: "None",
    minutes: "min",
    pages_label: "Pages",
    next_page: "Next page",
    first_page: "First page",
    registrations_intro: "Who registered for your meetings, newest first. Approving, denying or cancelling happens at Zoom, which tells the person by e-mail.",
    registrations_caption: "Registrations",
    col_name: "Name",
    col_email: "E-mail",
    col_status: "Status",
    col_registered: "Registered",
    col_actions: "Actions",
    status_all: "All",
    status_approved: "Approved",
    status_pending: "Waiting for approval",
    status_denied: "Denied",
    status_cancelled: "Cancelled",
    approve: "Approve",
    deny: "Deny",
    cancel_registration: "Cancel",
    export_csv: "Download as CSV",
    all_meetings: "All meetings",
    filter_button: "Show",
    back_to_panel: "Back to the admin panel",
    failed: "Something went wrong",
    failed_try_later: "Please try again in a minute",
    session_ended: Notice {
        title: "Please sign in again",
        text: "Your admin session has ended. Open the admin link from your hosting provider's control panel again.",
    },
    form_expired: Notice {
        title: "Please try again",
        text: "This form expired or did not come from your admin panel. Nothing was changed. Reload the admin panel and try again.",
    },
    link_expired: Notice {
        title: "This link has expired",
        text: "Admin links work for 15 minutes. Request a new one.",
    },
    link_used: Notice {
        title: "This link was already used",
        text: "Admin links work once. Request a new one.",
    },
    link_unknown: Notice {
        title: "This link is not valid",
        text: "Check that you copied the whole link, or request a new one.",
    },
    signed_out: Notice {
        title: "Signed out",
        text: "You are signed out of the admin panel.",
    },
    install_parked: Notice {
        title: "Almost done",
        text: "Zoom account {name} ({email}) is ready. Now open your site's admin panel (the admin link from your hosting provider) in this browser and choose \"Use this Zoom account\".",
    },
    zoom_connected: Notice {
        title: "Zoom connected",
        text: "This site is now connected to Zoom as {name} ({email}). You can close this window.",
    },
    consent_denied: Notice {
        title: "Zoom was not connected",
        text: "You declined access on Zoom's page, so nothing was connected.",
    },
    attempt_not_ours: Notice {
        title: "This sign-in did not start here",
        text: "Start connecting Zoom from your site's admin panel, using the Connect Zoom button.",
    },
    attempt_expired: Notice {
        title: "This attempt has expired",
        text: "Connecting must finish within 10 minutes. Press Connect Zoom again.",
    },
    attempt_used: Notice {
        title: "This attempt was already used",
        text: "Press Connect Zoom again to start a new one.",
    },
    attempt_foreign: Notice {
        title: "This attempt belongs to another session",
        text: "Finish connecting in the same browser session that pressed Connect Zoom.",
    },
    no_authorization: Notice {
        title: "Zoom sent no authorization",
        text: "Press Connect Zoom again.",
    },
    exchange_refused: Notice {
        title: "Zoom did not confirm the connection",
        text: "Zoom refused the authorization. Press Connect Zoom again.",
    },
    app_installed_open_in_zoom: Notice {
        title: "The Zoom App is installed",
        text: "The app is installed for Zoom account {name} ({email}), but Zoom could not open it right now. Open it from the Apps tab in your Zoom client.",
    },
    app_link_refused: Notice {
        title: "Zoom sent an unexpected link",
        text: "The app is installed for Zoom account {name} ({email}), but the link Zoom sent to open it does not lead to Zoom, so it was not followed. Open the app from the Apps tab in your Zoom client.",
    },
    tools: &tools::EN,
    meeting_form: &meeting_form::EN,
};

const DE: PanelStrings = PanelStrings {
    skip_to_content: "Zum Inhalt springen",
    admin_panel: "Verwaltung",
    nav_label: "Bereiche der Verwaltung",
    back_to_site: "Zurück zu meiner Website",
    sign_out: "Abmelden",
    nav_overview: "Übersicht",
    nav_site: "Was die Website zeigt",
    nav_meetings: "Meetings",
    nav_recordings: "Aufzeichnungen",
    nav_registrations: "Anmeldungen",
    zoom_heading: "Zoom",
    connected_as: "Verbunden als",
    not_connected: "Nicht verbunden. Verbinden Sie Ihr Zoom-Konto, um Ihre Meetings auf Ihrer Website zu zeigen.",
    connect: "Zoom verbinden",
    reconnect: "Zoom erneut verbinden",
    disconnect: "Zoom trennen",
    reconnect_title: "Zoom akzeptiert diese Verbindung nicht mehr",
    reconnect_text: "Ihre Website zeigt weiter den zuletzt abgeglichenen Stand, aber nichts Neues kommt hinzu. Verbinden Sie Zoom erneut, um fortzufahren.",
    reconnect_since: "Seit",
    reconnect_reason: "Begründung von Zoom",
    install_waiting: "Zoom-Installation wartet",
    install_text: "Sie haben Marquee im Zoom Marketplace hinzugefügt als",
    install_use: "Dieses Zoom-Konto für diese Website verwenden",
    scopes_heading: "Berechtigungen",
    scopes_needed: "Was Marquee von Zoom braucht",
    scope_granted: "erteilt",
    scope_missing: "fehlt",
    scopes_missing_text: "Zoom hat nicht alles erteilt, was Marquee braucht, daher können manche Meetings nicht gezeigt werden. Verbinden Sie Zoom erneut und erlauben Sie alle Berechtigungen.",
    scopes_granted: "Alles, was Zoom erteilt hat",
    sync_heading: "Abgleich mit Zoom",
    last_sync: "Letzter Abgleich",
    never_synced: "Noch nicht abgeglichen",
    sync_ok: "abgeschlossen",
    sync_failed: "fehlgeschlagen",
    sync_error: "Was schiefging",
    sync_now: "Gerade jetzt",
    sync_running: "Ein Abgleich läuft.",
    next_reconcile: "Nächster Abgleich mit Zoom",
    counts_heading: "Auf Ihrer Website",
    count_upcoming: "Kommende Meetings",
    count_recordings: "Aufzeichnungen",
    count_registrations: "Anmeldungen der letzten 7 Tage",
    site_intro: "Legen Sie fest, was Besucher Ihrer Website sehen und wie die Widgets aussehen. Änderungen gelten sofort für alle Widgets.",
    saved: "Gespeichert. Ihre Website zeigt jetzt die neuen Einstellungen.",
    errors_summary: "Bitte korrigieren Sie die markierten Felder. Es wurde nichts gespeichert.",
    features_legend: "Auf der Website zeigen",
    feature_meetings: "Kommende Meetings",
    feature_webinars: "Webinare",
    feature_recordings: "Cloud-Aufzeichnungen",
    feature_registration: "Anmeldung: Besucher können sich für Meetings anmelden, bei denen die Anmeldung in Zoom eingeschaltet ist",
    passcode_legend: "Kenncodes der Aufzeichnungen",
    passcode_help: "Besucher können eine geschützte Aufzeichnung ohne ihren Kenncode nicht abspielen.",
    passcode_show: "Kenncode neben jeder Aufzeichnung zeigen",
    passcode_private: "Kenncodes nicht zeigen (Sie geben sie selbst weiter)",
    look_legend: "Aussehen und Sprache",
    theme_label: "Farben",
    theme_light: "Hell",
    theme_dark: "Dunkel",
    theme_auto: "Wie das Gerät des Besuchers",
    accent_label: "Akzentfarbe",
    accent_help: "Eine Farbe wie #0b5cff für Schaltflächen und Links. Leer lassen für das übliche Blau.",
    font_label: "Schrift",
    font_system: "System (serifenlos)",
    font_serif: "Serifen",
    font_mono: "Festbreite",
    language_label: "Sprache der Widgets",
    origins_legend: "Wo die Widgets erscheinen dürfen",
    origins_label: "Webadressen Ihrer Website",
    origins_help: "Eine pro Zeile, etwa https://www.example.com (ohne Pfad). Browser zeigen die Widgets nur auf Seiten unter diesen Adressen und unter denen, die Ihr Hosting-Anbieter festgelegt hat.",
    platform_origins_label: "Von Ihrem Hosting-Anbieter festgelegt",
    platform_origins_help: "Die eigenen Adressen Ihrer Website: Dort dürfen die Widgets immer erscheinen. Nur Ihr Hosting-Anbieter kann sie ändern.",
    save: "Speichern",
    preview_heading: "Vorschau",
    preview_help: "Das Meetings-Widget, wie Ihre Besucher es sehen. Es folgt Ihrer Auswahl sofort; ohne JavaScript zeigt es den gespeicherten Stand.",
    preview_title: "Vorschau des Meetings-Widgets",
    problem_too_many_origins: "Höchstens 20 Webadressen.",
    problem_bad_origin: "„{value}“ ist keine Webadresse wie https://www.example.com (ohne Pfad).",
    problem_bad_accent: "„{value}“ ist keine Farbe wie #0b5cff.",
    problem_low_contrast: "„{value}“ ist auf dem Hintergrund dieses Designs zu blass zum Lesen (Links brauchen einen Kontrast von mindestens 4,5:1). Wählen Sie für ein helles Design eine dunklere Farbe, für ein dunkles eine hellere, oder lassen Sie das Feld leer.",
    problem_unknown_choice: "Bitte wählen Sie eine der Möglichkeiten.",
    items_intro: "Alles, was Marquee aus Zoom abgeglichen hat. Verborgenes bleibt hier aufgeführt, damit Sie es wieder zeigen können.",
    recordings_intro: "Die Cloud-Aufzeichnungen, die Marquee aus Zoom abgeglichen hat. Verborgene bleiben hier aufgeführt, damit Sie sie wieder zeigen können.",
    upcoming: "Kommend",
    past: "Vergangen",
    meetings_caption: "Meetings und Webinare",
    recordings_caption: "Aufzeichnungen",
    search_label: "Nach Thema suchen",
    search_button: "Suchen",
    search_clear: "Alle zeigen",
    nothing_found: "Nichts gefunden.",
    col_topic: "Thema",
    col_when: "Wann",
    col_registration: "Anmeldung",
    col_visibility: "Auf Ihrer Website",
    col_recorded: "Aufgenommen",
    col_passcode: "Kenncode",
    webinar: "Webinar",
    meeting_id: "Meeting-ID",
    no_fixed_time: "Wiederkehrend, ohne feste Zeit",
    next_dates: "Nächste Termine",
    registration_none: "Keine Anmeldung",
    registration_automatic: "Offen, automatisch bestätigt",
    registration_manual: "Offen, Sie bestätigen jede Anmeldung",
    registration_closed_here: "Auf Ihrer Website geschlossen (siehe „Was die Website zeigt“)",
    registrants: "Anmeldungen",
    visible: "Sichtbar",
    hidden: "Verborgen",
    hide: "Verbergen",
    show: "Zeigen",
    open_at_zoom: "Bei Zoom öffnen",
    has_passcode: "Mit Kenncode geschützt",
    no_passcode: "Keiner",
    minutes: "Min.",
    pages_label: "Seiten",
    next_page: "Nächste Seite",
    first_page: "Erste Seite",
    registrations_intro: "Wer sich zu Ihren Meetings angemeldet hat, neueste zuerst. Bestätigen, Ablehnen oder Stornieren geschieht bei Zoom, das die Person per E-Mail benachrichtigt.",
    registrations_caption: "Anmeldungen",
    col_name: "Name",
    col_email: "E-Mail",
    col_status: "Status",
    col_registered: "Angemeldet",
    col_actions: "Aktionen",
    status_all: "Alle",
    status_approved: "Bestätigt",
    status_pending: "Wartet auf Bestätigung",
    status_denied: "Abgelehnt",
    status_cancelled: "Storniert",
    approve: "Bestätigen",
    deny: "Ablehnen",
    cancel_registration: "Stornieren",
    export_csv: "Als CSV herunterladen",
    all_meetings: "Alle Meetings",
    filter_button: "Anzeigen",
    back_to_panel: "Zurück zur Verwaltung",
    failed: "Etwas ist schiefgegangen",
    failed_try_later: "Bitte versuchen Sie es in einer Minute erneut",
    session_ended: Notice {
        title: "Bitte melden Sie sich erneut an",
        text: "Ihre Sitzung ist abgelaufen. Öffnen Sie den Verwaltungslink aus dem Kundenbereich Ihres Hosting-Anbieters erneut.",
    },
    form_expired: Notice {
        title: "Bitte versuchen Sie es erneut",
        text: "Dieses Formular ist abgelaufen oder stammt nicht aus Ihrer Verwaltung. Es wurde nichts geändert. Laden Sie die Verwaltung neu und versuchen Sie es erneut.",
    },
    link_expired: Notice {
        title: "Dieser Link ist abgelaufen",
        text: "Verwaltungslinks gelten 15 Minuten. Fordern Sie einen neuen an.",
    },
    link_used: Notice {
        title: "Dieser Link wurde schon benutzt",
        text: "Verwaltungslinks gelten einmal. Fordern Sie einen neuen an.",
    },
    link_unknown: Notice {
        title: "Dieser Link ist ungültig",
        text: "Prüfen Sie, ob Sie den ganzen Link kopiert haben, oder fordern Sie einen neuen an.",
    },
    signed_out: Notice {
        title: "Abgemeldet",
        text: "Sie sind von der Verwaltung abgemeldet.",
    },
    install_parked: Notice {
        title: "Fast fertig",
        text: "Das Zoom-Konto {name} ({email}) ist bereit. Öffnen Sie jetzt in diesem Browser die Verwaltung Ihrer Website (den Verwaltungslink Ihres Hosting-Anbieters) und wählen Sie „Dieses Zoom-Konto verwenden“.",
    },
    zoom_connected: Notice {
        title: "Zoom verbunden",
        text: "Diese Website ist jetzt mit Zoom verbunden als {name} ({email}). Sie können dieses Fenster schließen.",
    },
    consent_denied: Notice {
        title: "Zoom wurde nicht verbunden",
        text: "Sie haben den Zugriff auf der Seite von Zoom abgelehnt, daher wurde nichts verbunden.",
    },
    attempt_not_ours: Notice {
        title: "Diese Anmeldung begann nicht hier",
        text: "Beginnen Sie in der Verwaltung Ihrer Website mit „Zoom verbinden“.",
    },
    attempt_expired: Notice {
        title: "Dieser Versuch ist abgelaufen",
        text: "Das Verbinden muss innerhalb von 10 Minuten abgeschlossen sein. Wählen Sie erneut „Zoom verbinden“.",
    },
    attempt_used: Notice {
        title: "Dieser Versuch wurde schon benutzt",
        text: "Wählen Sie erneut „Zoom verbinden“, um neu zu beginnen.",
    },
    attempt_foreign: Notice {
        title: "Dieser Versuch gehört zu einer anderen Sitzung",
        text: "Schließen Sie das Verbinden in derselben Browser-Sitzung ab, in der Sie „Zoom verbinden“ gewählt haben.",
    },
    no_authorization: Notice {
        title: "Zoom hat keine Freigabe gesendet",
        text: "Wählen Sie erneut „Zoom verbinden“.",
    },
    exchange_refused: Notice {
        title: "Zoom hat die Verbindung nicht bestätigt",
        text: "Zoom hat die Freigabe abgelehnt. Wählen Sie erneut „Zoom verbinden“.",
    },
    app_installed_open_in_zoom: Notice {
        title: "Die Zoom-App ist installiert",
        text: "Die App ist für das Zoom-Konto {name} ({email}) installiert, aber Zoom konnte sie gerade nicht öffnen. Öffnen Sie sie im Zoom-Client über den Reiter „Apps“.",
    },
    app_link_refused: Notice {
        title: "Zoom hat einen unerwarteten Link geschickt",
        text: "Die App ist für das Zoom-Konto {name} ({email}) installiert, aber der Link, den Zoom zum Öffnen geschickt hat, führt nicht zu Zoom und wurde daher nicht geöffnet. Öffnen Sie die App im Zoom-Client über den Reiter „Apps“.",
    },
    tools: &tools::DE,
    meeting_form: &meeting_form::DE,
};

/// The panel's strings in `lang`.
pub fn strings(lang: Lang) -> &'static PanelStrings {
    match lang {
        Lang::En => &EN,
        Lang::De => &DE,
    }
}

/// A language's name in that language (as language pickers show it, whatever the page's).
pub fn language_name(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "English",
        Lang::De => "Deutsch",
    }
}

/// `text` with each `{name}` slot replaced by its value.
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(text.to_owned(), |out, (name, value)| {
        out.replace(&format!("{{{name}}}"), value)
    })
}

/// The panel's language for a browser's `Accept-Language` header: the supported language it
/// ranks highest, English when it names none.
pub fn negotiate(accept_language: &str) -> Lang {
    let mut best: Option<(f32, Lang)> = None;
    for item in accept_language.split(',') {
        let mut parts = item.split(';').map(str::trim);
        let tag = parts.next().unwrap_or_default();
        let primary = tag
            .split('-')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let Ok(lang) = Lang::parse(&primary) else {
            continue;
        };
        let q = parts
            .find_map(|p| p.strip_prefix("q="))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        if q > 0.0 && best.is_none_or(|(best_q, _)| q > best_q) {
            best = Some((q, lang));
        }
    }
    best.map_or(Lang::En, |(_, lang)| lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_language_is_honoured_when_supported() {
        assert_eq!(negotiate("de-DE,de;q=0.9,en;q=0.8"), Lang::De);
        assert_eq!(negotiate("fr-FR, en;q=0.5, de;q=0.7"), Lang::De);
        assert_eq!(negotiate("en-GB,de;q=0.1"), Lang::En);
        assert_eq!(negotiate("fr, de;q=0"), Lang::En);
        assert_eq!(negotiate(""), Lang::En);
    }

    #[test]
    fn slots_are_filled() {
        let text = fill(
            strings(Lang::En).zoom_connected.text,
            &[("name", "Ada"), ("email", "a@b")],
        );
        assert_eq!(
            text,
            "This site is now connected to Zoom as Ada (a@b). You can close this window."
        );
    }
}

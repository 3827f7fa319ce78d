//! The one catalogue of visitor-facing strings, per language. Templates get the strings as `t`;
//! dates are formatted here (weekday and month names are part of the catalogue). The owner's
//! admin panel has its own strings in [`panel`].
//!
//! Adding a language: a `Lang` variant in `domain::site`, one more `Strings` value below, and
//! the `strings` match. A missing string is a compile error, not a blank on a page.

use chrono::{DateTime, Datelike};
use chrono_tz::Tz;
use serde::Serialize;

use crate::domain::site::Lang;

pub mod panel;
pub mod zoom_app;

/// Every string a widget shows.
#[derive(Serialize)]
pub struct Strings {
    pub upcoming_meetings: &'static str,
    pub upcoming_webinars: &'static str,
    pub recordings: &'static str,
    pub no_meetings: &'static str,
    pub no_webinars: &'static str,
    pub no_recordings: &'static str,
    pub recurring_no_fixed_time: &'static str,
    pub minutes: &'static str,
    pub registration_open: &'static str,
    pub details: &'static str,
    pub back_to_list: &'static str,
    pub your_time: &'static str,
    pub add_to_calendar: &'static str,
    pub register: &'static str,
    pub register_heading: &'static str,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub email: &'static str,
    pub choose_date: &'static str,
    pub required: &'static str,
    pub leave_empty: &'static str,
    pub submit: &'static str,
    pub sending: &'static str,
    pub registration_closed: &'static str,
    /// While the site's Zoom connection cannot serve (the owner must reconnect).
    pub registration_unavailable: &'static str,
    pub approved_title: &'static str,
    pub approved_text: &'static str,
    pub join_link: &'static str,
    /// Shown instead of the link when the visitor was already registered (see registration).
    pub already_registered: &'static str,
    pub already_pending: &'static str,
    pub already_title: &'static str,
    /// Approved, but Zoom gave no link to show (it e-mails it).
    pub approved_by_email: &'static str,
    pub pending_title: &'static str,
    pub pending_text: &'static str,
    pub refused_title: &'static str,
    /// A registration refused because Zoom cannot be reached for now.
    pub register_unavailable: &'static str,
    pub try_again: &'static str,
    pub watch_recording: &'static str,
    pub passcode: &'static str,
    pub passcode_withheld: &'static str,
    pub next_page: &'static str,
    pub previous_page: &'static str,
    pub dates: &'static str,
    /// Before a weekday: "Every" Tuesday.
    pub every: &'static str,
    pub recurring: &'static str,
    pub next_dates: &'static str,
    pub details_and_registration: &'static str,
    pub notice_no_site_title: &'static str,
    pub notice_no_site_text: &'static str,
    pub notice_feature_off_title: &'static str,
    pub notice_feature_off_text: &'static str,
    pub notice_gone_title: &'static str,
    pub notice_gone_text: &'static str,
    pub notice_unavailable_title: &'static str,
    pub notice_unavailable_text: &'static str,
    pub notice_failed_title: &'static str,
    pub notice_failed_text: &'static str,
    pub notice_retry: &'static str,
    /// A widget option of the embed has a value it cannot have (the text names the option).
    pub notice_bad_option_title: &'static str,
    pub notice_bad_per_page: &'static str,
    pub notice_bad_host: &'static str,
    pub notice_bad_months: &'static str,
    pub notice_bad_layout: &'static str,
    #[serde(skip)]
    weekdays: [&'static str; 7],
    #[serde(skip)]
    months: [&'static str; 12],
}

const EN: Strings = Strings {
    upcoming_meetings: "Upcoming meetings",
    upcoming_webinars: "Upcoming webinars",
    recordings: "Recordings",
    no_meetings: "No upcoming meetings right now.",
    no_webinars: "No upcoming webinars right now.",
    no_recordings: "No recordings yet.",
    recurring_no_fixed_time: "Recurring, no fixed time",
    minutes: "min",
    registration_open: "Registration open",
    details: "Details",
    back_to_list: "All meetings",
    your_time: "Your time",
    add_to_calendar: "Add to calendar (.ics)",
    register: "Register",
    register_heading: "Register for this meeting",
    first_name: "First name",
    last_name: "Last name",
    email: "E-mail address",
    choose_date: "Date",
    required: "required",
    leave_empty: "Leave this field empty",
    submit: "Register",
    sending: "Sending…",
    registration_closed: "Registration is not open for this meeting.",
    registration_unavailable: "Registration is temporarily unavailable. Please try again later.",
    approved_title: "You are registered",
    approved_text: "Your registration is confirmed. Use your personal link to join:",
    join_link: "Join the meeting",
    already_registered: "This e-mail address is already registered. Zoom sent the personal join link to it.",
    already_pending: "This e-mail address is already registered. The host is still reviewing it; Zoom will e-mail the join link once it is approved.",
    already_title: "You are already registered",
    approved_by_email: "Your registration is confirmed. Zoom e-mails your personal join link.",
    pending_title: "Registration received",
    pending_text: "The host will review your registration. You will get an e-mail from Zoom once it is approved.",
    refused_title: "Registration not possible",
    register_unavailable: "We cannot reach Zoom right now, so your registration was not sent. Please try again in a moment.",
    try_again: "Back to the form",
    watch_recording: "Watch the recording",
    passcode: "Passcode",
    passcode_withheld: "This recording is protected by a passcode that this site does not share. Please ask the site's owner for it.",
    next_page: "Next page",
    previous_page: "Previous page",
    dates: "Dates",
    every: "Every",
    recurring: "Recurring series",
    next_dates: "Next dates",
    details_and_registration: "Details and registration",
    notice_no_site_title: "This calendar is not available",
    notice_no_site_text: "There is no site at this address. Please check the link, or ask the site's owner for the right one.",
    notice_feature_off_title: "Not shown on this site",
    notice_feature_off_text: "The site's owner has not made this list public.",
    notice_gone_title: "This entry is not available",
    notice_gone_text: "It may have ended, been cancelled or been hidden by the site's owner.",
    notice_unavailable_title: "Temporarily unavailable",
    notice_unavailable_text: "We cannot reach Zoom right now, so this page cannot be shown completely.",
    notice_failed_title: "Something went wrong",
    notice_failed_text: "This page could not be shown. The site's owner can see what happened in their logs.",
    notice_retry: "Please try again in a moment.",
    notice_bad_option_title: "This widget is not set up correctly",
    notice_bad_per_page: "The option per_page (data-per-page) must be a whole number from 1 to 50. The site's owner can correct it in the embed code.",
    notice_bad_host: "The option host (data-host) must be a host's e-mail address or Zoom user id. The site's owner can correct it in the embed code.",
    notice_bad_months: "The option months (data-months) must be a whole number from 1 to 24. The site's owner can correct it in the embed code.",
    notice_bad_layout: "The option layout (data-layout) must be \"compact\" or \"detailed\". The site's owner can correct it in the embed code.",
    weekdays: [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ],
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
};

const DE: Strings = Strings {
    upcoming_meetings: "Kommende Meetings",
    upcoming_webinars: "Kommende Webinare",
    recordings: "Aufzeichnungen",
    no_meetings: "Zurzeit sind keine Meetings geplant.",
    no_webinars: "Zurzeit sind keine Webinare geplant.",
    no_recordings: "Noch keine Aufzeichnungen.",
    recurring_no_fixed_time: "Wiederkehrend, ohne feste Zeit",
    minutes: "Min.",
    registration_open: "Anmeldung offen",
    details: "Details",
    back_to_list: "Alle Meetings",
    your_time: "Ihre Zeit",
    add_to_calendar: "In den Kalender (.ics)",
    register: "Anmelden",
    register_heading: "Für dieses Meeting anmelden",
    first_name: "Vorname",
    last_name: "Nachname",
    email: "E-Mail-Adresse",
    choose_date: "Termin",
    required: "Pflichtfeld",
    leave_empty: "Dieses Feld bitte leer lassen",
    submit: "Anmelden",
    sending: "Wird gesendet…",
    registration_closed: "Für dieses Meeting ist keine Anmeldung möglich.",
    registration_unavailable: "Die Anmeldung ist vorübergehend nicht möglich. Bitte versuchen Sie es später noch einmal.",
    approved_title: "Sie sind angemeldet",
    approved_text: "Ihre Anmeldung ist bestätigt. Mit Ihrem persönlichen Link nehmen Sie teil:",
    join_link: "Am Meeting teilnehmen",
    already_registered: "Diese E-Mail-Adresse ist bereits angemeldet. Zoom hat den persönlichen Link an sie geschickt.",
    already_pending: "Diese E-Mail-Adresse ist bereits angemeldet. Der Gastgeber prüft die Anmeldung noch; Zoom schickt den Link per E-Mail, sobald sie bestätigt ist.",
    already_title: "Sie sind bereits angemeldet",
    approved_by_email: "Ihre Anmeldung ist bestätigt. Zoom schickt Ihnen den persönlichen Link per E-Mail.",
    pending_title: "Anmeldung eingegangen",
    pending_text: "Der Gastgeber prüft Ihre Anmeldung. Zoom schickt Ihnen eine E-Mail, sobald sie bestätigt ist.",
    refused_title: "Anmeldung nicht möglich",
    register_unavailable: "Zoom ist gerade nicht erreichbar, daher wurde Ihre Anmeldung nicht gesendet. Bitte versuchen Sie es gleich noch einmal.",
    try_again: "Zurück zum Formular",
    watch_recording: "Aufzeichnung ansehen",
    passcode: "Kenncode",
    passcode_withheld: "Diese Aufzeichnung ist mit einem Kenncode geschützt, den diese Seite nicht veröffentlicht. Bitte fragen Sie den Betreiber der Seite danach.",
    next_page: "Nächste Seite",
    previous_page: "Vorherige Seite",
    dates: "Termine",
    every: "Jeden",
    recurring: "Terminreihe",
    next_dates: "Nächste Termine",
    details_and_registration: "Details und Anmeldung",
    notice_no_site_title: "Dieser Kalender ist nicht verfügbar",
    notice_no_site_text: "Unter dieser Adresse gibt es keine Seite. Bitte prüfen Sie den Link oder fragen Sie den Betreiber der Seite nach dem richtigen.",
    notice_feature_off_title: "Auf dieser Seite nicht sichtbar",
    notice_feature_off_text: "Der Betreiber der Seite hat diese Liste nicht veröffentlicht.",
    notice_gone_title: "Dieser Eintrag ist nicht verfügbar",
    notice_gone_text: "Er ist vielleicht vorbei, abgesagt oder vom Betreiber der Seite ausgeblendet.",
    notice_unavailable_title: "Vorübergehend nicht verfügbar",
    notice_unavailable_text: "Zoom ist gerade nicht erreichbar, daher kann diese Seite nicht vollständig angezeigt werden.",
    notice_failed_title: "Etwas ist schiefgelaufen",
    notice_failed_text: "Diese Seite konnte nicht angezeigt werden. Der Betreiber der Seite findet die Ursache in seinen Protokollen.",
    notice_retry: "Bitte versuchen Sie es gleich noch einmal.",
    notice_bad_option_title: "Dieses Widget ist nicht richtig eingerichtet",
    notice_bad_per_page: "Die Option per_page (data-per-page) muss eine ganze Zahl von 1 bis 50 sein. Der Betreiber der Seite kann sie im Einbettungscode korrigieren.",
    notice_bad_host: "Die Option host (data-host) muss die E-Mail-Adresse oder Zoom-Benutzer-ID eines Hosts sein. Der Betreiber der Seite kann sie im Einbettungscode korrigieren.",
    notice_bad_months: "Die Option months (data-months) muss eine ganze Zahl von 1 bis 24 sein. Der Betreiber der Seite kann sie im Einbettungscode korrigieren.",
    notice_bad_layout: "Die Option layout (data-layout) muss \"compact\" oder \"detailed\" sein. Der Betreiber der Seite kann sie im Einbettungscode korrigieren.",
    weekdays: [
        "Montag",
        "Dienstag",
        "Mittwoch",
        "Donnerstag",
        "Freitag",
        "Samstag",
        "Sonntag",
    ],
    months: [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
};

/// The catalogue of `lang`.
pub fn strings(lang: Lang) -> &'static Strings {
    match lang {
        Lang::En => &EN,
        Lang::De => &DE,
    }
}

impl Strings {
    /// "Every Tuesday" / "Jeden Dienstag".
    pub fn every_weekday(&self, day: chrono::Weekday) -> String {
        format!(
            "{} {}",
            self.every,
            self.weekdays[day.num_days_from_monday() as usize]
        )
    }

    /// A long date in this language, e.g. "Saturday, 28 March 2026" / "Samstag, 28. März 2026".
    pub fn long_date(&self, t: &DateTime<Tz>, lang: Lang) -> String {
        let weekday = self.weekdays[t.weekday().num_days_from_monday() as usize];
        let month = self.months[t.month0() as usize];
        match lang {
            Lang::En => format!("{weekday}, {} {month} {}", t.day(), t.year()),
            Lang::De => format!("{weekday}, {}. {month} {}", t.day(), t.year()),
        }
    }
}

/// The form label of one of Zoom's standard registration fields.
pub fn field_label(lang: Lang, field: &str) -> &'static str {
    let (en, de) = match field {
        "address" => ("Address", "Adresse"),
        "city" => ("City", "Ort"),
        "state" => ("State or province", "Bundesland"),
        "zip" => ("Postcode", "Postleitzahl"),
        "country" => ("Country", "Land"),
        "phone" => ("Phone", "Telefon"),
        "org" => ("Organisation", "Organisation"),
        "job_title" => ("Job title", "Position"),
        "comments" => ("Questions or comments", "Fragen oder Anmerkungen"),
        _ => ("Answer", "Antwort"),
    };
    match lang {
        Lang::En => en,
        Lang::De => de,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn dates_in_both_languages() {
        let t = chrono_tz::Europe::Berlin
            .with_ymd_and_hms(2026, 3, 28, 18, 0, 0)
            .unwrap();
        assert_eq!(
            strings(Lang::En).long_date(&t, Lang::En),
            "Saturday, 28 March 2026"
        );
        assert_eq!(
            strings(Lang::De).long_date(&t, Lang::De),
            "Samstag, 28. März 2026"
        );
    }
}

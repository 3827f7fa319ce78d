//! The visitor-facing records: meeting occurrences, recordings, registration questions and
//! registrations. No I/O; validation of visitor input lives in [`RegistrationForm::validate`].

use chrono::{NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};

use super::Meeting;
use super::status::{OccurrenceStatus, text_enum};

/// One occurrence of a recurring meeting (Zoom type 8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// Zoom's occurrence id (epoch milliseconds as text).
    pub occurrence_id: String,
    pub start_time: NaiveDateTime,
    pub duration_minutes: i32,
    pub status: OccurrenceStatus,
}

/// One entry of a public meetings list: a meeting, or one occurrence of a recurring meeting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedMeeting {
    pub meeting: Meeting,
    pub occurrence: Option<Occurrence>,
}

impl ListedMeeting {
    pub fn start_time(&self) -> Option<NaiveDateTime> {
        self.occurrence
            .as_ref()
            .map(|o| o.start_time)
            .or(self.meeting.start_time)
    }

    pub fn duration_minutes(&self) -> i32 {
        self.occurrence
            .as_ref()
            .map_or(self.meeting.duration_minutes, |o| o.duration_minutes)
    }
}

/// A meeting with its upcoming occurrences and (when registration is open) its questions.
#[derive(Clone, Debug)]
pub struct MeetingDetail {
    pub meeting: Meeting,
    /// A webinar (Zoom's webinar API), not a meeting.
    pub webinar: bool,
    pub occurrences: Vec<Occurrence>,
    /// Visitors can register: the owner allows it and Zoom has registration on.
    pub registration_open: bool,
    /// `None` while the questions have not been fetched from Zoom yet.
    pub questions: Option<RegistrationQuestions>,
    /// The stored state's version (Zoom's epoch milliseconds of it): grows on every change.
    pub version: i64,
}

impl MeetingDetail {
    /// Which of Zoom's APIs the meeting is reached by.
    pub fn kind(&self) -> crate::domain::status::MeetingKind {
        match self.webinar {
            true => crate::domain::status::MeetingKind::Webinar,
            false => crate::domain::status::MeetingKind::Meeting,
        }
    }

    /// The meeting (or its last occurrence) has ended.
    pub fn has_ended(&self, now: NaiveDateTime) -> bool {
        let end = |start: NaiveDateTime, minutes: i32| start + TimeDelta::minutes(minutes.into());
        if matches!(self.meeting.meeting_type, 8) && !self.occurrences.is_empty() {
            return self
                .occurrences
                .iter()
                .all(|o| end(o.start_time, o.duration_minutes) <= now);
        }
        self.meeting
            .start_time
            .is_some_and(|s| end(s, self.meeting.duration_minutes) <= now)
    }
}

/// A cloud recording as a site may show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recording {
    pub zoom_meeting_uuid: String,
    pub zoom_meeting_id: i64,
    pub topic: String,
    pub start_time: NaiveDateTime,
    pub duration_minutes: i32,
    pub timezone: String,
    pub share_url: String,
    pub play_passcode: String,
    pub hidden: bool,
}

/// Zoom's standard registration field (`address`, `city`, `org`, …) and whether it is required.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandardQuestion {
    pub field_name: String,
    #[serde(default)]
    pub required: bool,
}

/// A custom question the host added: `short` (free text) or `single` (one of `answers`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomQuestion {
    pub title: String,
    #[serde(rename = "type", default = "short")]
    pub kind: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub answers: Vec<String>,
}

fn short() -> String {
    "short".to_owned()
}

/// Zoom's `GET /meetings/{id}/registrants/questions` (docs/zoom.md §4.4).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationQuestions {
    #[serde(default)]
    pub questions: Vec<StandardQuestion>,
    #[serde(default)]
    pub custom_questions: Vec<CustomQuestion>,
}

/// Standard fields other than the names and e-mail that Marquee's form can ask for.
pub const STANDARD_FIELDS: [&str; 9] = [
    "address",
    "city",
    "state",
    "zip",
    "country",
    "phone",
    "org",
    "job_title",
    "comments",
];

text_enum! {
    /// Where a registration stands at Zoom (`registrations.status`).
    pub enum RegistrationStatus {
        Approved = "approved",
        Pending = "pending",
        Denied = "denied",
        Cancelled = "cancelled",
    }
}

text_enum! {
    /// What the owner (or a platform) does with a registration, by Zoom's registrant status
    /// API (`PUT /meetings/{id}/registrants/status`, docs/zoom.md §4.4).
    pub enum RegistrantAction {
        Approve = "approve",
        Deny = "deny",
        Cancel = "cancel",
    }
}

impl RegistrantAction {
    /// The status a registration has once Zoom carried the action out.
    pub fn outcome(self) -> RegistrationStatus {
        match self {
            Self::Approve => RegistrationStatus::Approved,
            Self::Deny => RegistrationStatus::Denied,
            Self::Cancel => RegistrationStatus::Cancelled,
        }
    }

    /// Whether the action applies to a registration in `status`: pending ones are approved or
    /// denied, approved ones denied or cancelled, a pending one may be withdrawn (cancel), and
    /// a denied one approved after all. A cancelled registration is over: the person
    /// registers again.
    pub fn applies_to(self, status: RegistrationStatus) -> bool {
        use RegistrationStatus as S;
        match self {
            Self::Approve => matches!(status, S::Pending | S::Denied),
            Self::Deny => matches!(status, S::Pending | S::Approved),
            Self::Cancel => matches!(status, S::Pending | S::Approved),
        }
    }
}

/// A visitor's registration as Marquee records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    pub id: String,
    pub zoom_meeting_id: i64,
    /// `""` for all occurrences / a non-recurring meeting.
    pub occurrence_id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub zoom_registrant_id: String,
    pub status: RegistrationStatus,
    /// The personal join link; only once approved.
    pub join_url: Option<String>,
    pub created_at: NaiveDateTime,
}

/// What a visitor typed into the form, before validation.
#[derive(Clone, Debug, Default)]
pub struct RegistrationForm {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub occurrence_id: Option<String>,
    /// Standard fields by name (see [`STANDARD_FIELDS`]).
    pub fields: Vec<(String, String)>,
    /// Answers to custom questions by title.
    pub answers: Vec<(String, String)>,
    /// The honeypot: people never see this field, bots fill it in.
    pub honeypot: String,
}

/// A validated registration, ready to send to Zoom.
#[derive(Clone, Debug)]
pub struct ValidRegistration {
    pub first_name: String,
    pub last_name: String,
    /// Lower-cased.
    pub email: String,
    pub occurrence_id: String,
    pub fields: Vec<(String, String)>,
    pub answers: Vec<(String, String)>,
}

/// Why a form was refused: the field and a message for the visitor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

fn field_error(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: message.to_owned(),
    }
}

/// Zoom's limits on a registrant's first and last name (docs/zoom.md §4.4).
pub const MAX_NAME_CHARS: usize = 64;
/// Zoom's limit on a registrant's e-mail address (docs/zoom.md §4.4).
pub const MAX_EMAIL_CHARS: usize = 128;
/// Zoom's limit on a custom answer (docs/zoom.md §4.4); Zoom states none for the standard
/// fields (`city`, `org`, …), which keep the same limit.
pub const MAX_ANSWER_CHARS: usize = 128;
/// Zoom states no limit on custom question titles; an answer is matched to its question by
/// title, so a longer one could answer no question.
pub const MAX_QUESTION_TITLE_CHARS: usize = 255;
/// Zoom's occurrence ids are epoch milliseconds as text (13 digits today).
pub const MAX_OCCURRENCE_ID_CHARS: usize = 32;
/// Zoom's meeting-instance uuids are 24 characters of base64 (`aDYlohsHRtCd4ii1uC2+hA==`);
/// room to spare.
pub const MAX_RECORDING_ID_CHARS: usize = 64;
/// Zoom's user ids (a meeting's `host_id`) are 22 characters; room to spare.
pub const MAX_ZOOM_USER_ID_CHARS: usize = 64;

impl RegistrationForm {
    /// Checks names, e-mail syntax, the meeting's required questions and the occurrence choice.
    /// `occurrences` are the meeting's upcoming occurrences (empty for non-recurring meetings).
    pub fn validate(
        &self,
        questions: &RegistrationQuestions,
        occurrences: &[Occurrence],
    ) -> Result<ValidRegistration, FieldError> {
        let first_name = self.first_name.trim();
        let last_name = self.last_name.trim();
        let email = self.email.trim().to_lowercase();
        if first_name.is_empty() || first_name.chars().count() > MAX_NAME_CHARS {
            return Err(field_error(
                "first_name",
                &format!("Please enter your first name (at most {MAX_NAME_CHARS} characters)."),
            ));
        }
        if last_name.is_empty() || last_name.chars().count() > MAX_NAME_CHARS {
            return Err(field_error(
                "last_name",
                &format!("Please enter your last name (at most {MAX_NAME_CHARS} characters)."),
            ));
        }
        if email.chars().count() > MAX_EMAIL_CHARS || !is_email(&email) {
            return Err(field_error("email", "Please enter a valid e-mail address."));
        }
        let occurrence_id = self.choose_occurrence(occurrences)?;
        let fields = self.standard_fields(questions)?;
        let answers = self.custom_answers(questions)?;
        Ok(ValidRegistration {
            first_name: first_name.to_owned(),
            last_name: last_name.to_owned(),
            email,
            occurrence_id,
            fields,
            answers,
        })
    }

    fn choose_occurrence(&self, occurrences: &[Occurrence]) -> Result<String, FieldError> {
        let chosen = self.occurrence_id.as_deref().map(str::trim).unwrap_or("");
        if occurrences.is_empty() {
            return match chosen {
                "" => Ok(String::new()),
                _ => Err(field_error(
                    "occurrence_id",
                    "This meeting has no such date.",
                )),
            };
        }
        if chosen.is_empty() {
            return Err(field_error("occurrence_id", "Please choose a date."));
        }
        occurrences
            .iter()
            .find(|o| o.occurrence_id == chosen)
            .map(|o| o.occurrence_id.clone())
            .ok_or_else(|| field_error("occurrence_id", "Please choose one of the listed dates."))
    }

    fn standard_fields(
        &self,
        questions: &RegistrationQuestions,
    ) -> Result<Vec<(String, String)>, FieldError> {
        let mut out = Vec::new();
        for q in &questions.questions {
            if !STANDARD_FIELDS.contains(&q.field_name.as_str()) {
                continue;
            }
            let value = lookup(&self.fields, &q.field_name);
            if q.required && value.is_empty() {
                return Err(field_error(&q.field_name, "This field is required."));
            }
            if value.chars().count() > MAX_ANSWER_CHARS {
                return Err(field_error(&q.field_name, &too_long_answer()));
            }
            if !value.is_empty() {
                out.push((q.field_name.clone(), value.to_owned()));
            }
        }
        Ok(out)
    }

    fn custom_answers(
        &self,
        questions: &RegistrationQuestions,
    ) -> Result<Vec<(String, String)>, FieldError> {
        let mut out = Vec::new();
        for (i, q) in questions.custom_questions.iter().enumerate() {
            let field = format!("question_{i}");
            let value = lookup(&self.answers, &q.title);
            if q.required && value.is_empty() {
                return Err(field_error(&field, "This question needs an answer."));
            }
            if value.chars().count() > MAX_ANSWER_CHARS {
                return Err(field_error(&field, &too_long_answer()));
            }
            if q.kind != "short" && !value.is_empty() && !q.answers.iter().any(|a| a == value) {
                return Err(field_error(&field, "Please choose one of the answers."));
            }
            if !value.is_empty() {
                out.push((q.title.clone(), value.to_owned()));
            }
        }
        Ok(out)
    }
}

fn too_long_answer() -> String {
    format!("At most {MAX_ANSWER_CHARS} characters.")
}

fn lookup<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.trim())
}

/// Real address syntax (RFC 5321/5322 addr-spec via the `email_address` crate): no display
/// name, no IP literal, and a domain with a top-level part (visitors mean an internet address).
pub fn is_email(raw: &str) -> bool {
    use email_address::{EmailAddress, Options};
    let options = Options::default()
        .without_display_text()
        .without_domain_literal()
        .with_required_tld();
    EmailAddress::parse_with_options(raw, options).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> RegistrationForm {
        RegistrationForm {
            first_name: " Ada ".into(),
            last_name: "Lovelace".into(),
            email: "Ada@Example.COM".into(),
            ..Default::default()
        }
    }

    #[test]
    fn emails_need_real_syntax() {
        for good in ["a@example.com", "first.last+tag@sub.example.org"] {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "",
            "a",
            "a@",
            "@example.com",
            "a b@example.com",
            "a@localhost",
            "Ada <a@example.com>",
            "a@example.com\n",
            "a@@example.com",
        ] {
            assert!(!is_email(bad), "{bad:?}");
        }
    }

    #[test]
    fn valid_forms_are_normalised() {
        let v = form()
            .validate(&RegistrationQuestions::default(), &[])
            .unwrap();
        assert_eq!(v.first_name, "Ada");
        assert_eq!(v.email, "ada@example.com");
        assert_eq!(v.occurrence_id, "");
    }

    #[test]
    fn required_custom_questions_and_choices_are_enforced() {
        let q = RegistrationQuestions {
            questions: vec![StandardQuestion {
                field_name: "org".into(),
                required: true,
            }],
            custom_questions: vec![CustomQuestion {
                title: "Level".into(),
                kind: "single".into(),
                required: true,
                answers: vec!["Beginner".into(), "Pro".into()],
            }],
        };
        let mut f = form();
        assert_eq!(f.validate(&q, &[]).unwrap_err().field, "org");
        f.fields.push(("org".into(), "ACME".into()));
        assert_eq!(f.validate(&q, &[]).unwrap_err().field, "question_0");
        f.answers.push(("Level".into(), "Wizard".into()));
        assert_eq!(f.validate(&q, &[]).unwrap_err().field, "question_0");
        f.answers[0].1 = "Pro".into();
        let v = f.validate(&q, &[]).unwrap();
        assert_eq!(v.answers, vec![("Level".to_owned(), "Pro".to_owned())]);
    }

    #[test]
    fn recurring_meetings_need_a_listed_occurrence() {
        let occ = Occurrence {
            occurrence_id: "1700000000000".into(),
            start_time: NaiveDateTime::default(),
            duration_minutes: 30,
            status: OccurrenceStatus::Available,
        };
        let mut f = form();
        let q = RegistrationQuestions::default();
        assert_eq!(
            f.validate(&q, std::slice::from_ref(&occ))
                .unwrap_err()
                .field,
            "occurrence_id"
        );
        f.occurrence_id = Some("42".into());
        assert!(f.validate(&q, std::slice::from_ref(&occ)).is_err());
        f.occurrence_id = Some(occ.occurrence_id.clone());
        assert_eq!(
            f.validate(&q, &[occ]).unwrap().occurrence_id,
            "1700000000000"
        );
    }
}

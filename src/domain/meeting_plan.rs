//! A meeting the owner asks Marquee to schedule at Zoom, checked against Zoom's rules
//! (docs/zoom.md §4.3) before any call, so every refusal names the field to fix.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::public::{RegistrationQuestions, STANDARD_FIELDS};

/// Zoom's limits on a meeting's text (docs/zoom.md §4.3).
pub const MAX_TOPIC_CHARS: usize = 200;
pub const MAX_AGENDA_CHARS: usize = 2000;
/// The longest IANA zone name is 32 characters.
pub const MAX_TIMEZONE_CHARS: usize = 64;
/// `2027-01-05T18:00:00+01:00` and a little room.
pub const MAX_START_TIME_CHARS: usize = 32;
/// Zoom's meeting passcodes: at most 10 of `[A-Za-z0-9@-_*]`.
pub const MAX_PASSCODE_CHARS: usize = 10;
/// A Zoom user id (22 characters) or e-mail address (128).
pub const MAX_HOST_CHARS: usize = 128;
pub const MAX_DURATION_MINUTES: i32 = 1440;
/// Zoom's bounds on recurrence (docs/zoom.md §4.3).
pub const MAX_DAILY_INTERVAL: i32 = 90;
pub const MAX_WEEKLY_INTERVAL: i32 = 12;
pub const MAX_MONTHLY_INTERVAL: i32 = 3;
pub const MAX_END_TIMES: i32 = 60;
/// A custom question's title and each of its answers (Zoom keeps answers to 128 characters).
pub const MAX_QUESTION_CHARS: usize = 128;
/// Custom questions of one meeting, and answers of one single-choice question: enough for a
/// form a visitor still fills in.
pub const MAX_CUSTOM_QUESTIONS: usize = 10;
pub const MAX_ANSWERS: usize = 20;
/// The custom question kinds the registration form can ask (free text, one of `answers`).
pub const QUESTION_KINDS: [&str; 2] = ["short", "single"];

/// How often a recurring meeting repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repeat {
    Daily,
    Weekly,
    Monthly,
}

/// Who approves registrants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Approval {
    Automatic,
    Manual,
}

impl Approval {
    /// Zoom's `settings.approval_type`.
    pub fn zoom_type(self) -> i32 {
        match self {
            Self::Automatic => 0,
            Self::Manual => 1,
        }
    }
}

/// A recurrence as the caller sent it (weekdays 1 = Sunday … 7 = Saturday, as Zoom counts).
#[derive(Clone, Debug, Default)]
pub struct RecurrenceRequest {
    pub repeat: Option<Repeat>,
    pub interval: Option<i32>,
    pub weekly_days: Vec<i32>,
    pub monthly_day: Option<i32>,
    pub monthly_week: Option<i32>,
    pub monthly_week_day: Option<i32>,
    /// Like `start_time`.
    pub end_date_time: Option<String>,
    pub end_times: Option<i32>,
}

/// A new meeting as the caller sent it.
#[derive(Clone, Debug, Default)]
pub struct MeetingRequest {
    pub topic: String,
    pub agenda: Option<String>,
    /// RFC 3339 with an offset, or local time (`2027-01-05T18:00:00`) in `timezone`.
    pub start_time: String,
    pub timezone: String,
    pub duration: i32,
    /// `None`: a one-time scheduled meeting.
    pub recurrence: Option<RecurrenceRequest>,
    /// `None`: no registration.
    pub registration: Option<Approval>,
    pub waiting_room: Option<bool>,
    pub join_before_host: Option<bool>,
    pub passcode: Option<String>,
    pub default_passcode: Option<bool>,
    pub host: Option<String>,
    /// What the registration form asks besides names and e-mail (needs `registration`).
    pub questions: Option<RegistrationQuestions>,
}

/// Where a recurring meeting's monthly occurrence falls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MonthlyOn {
    Day(i32),
    /// `week` 1..4 or -1 (last), `weekday` 1 = Sunday … 7.
    Week {
        week: i32,
        weekday: i32,
    },
}

/// When a recurrence ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecurrenceEnd {
    At(DateTime<Utc>),
    Times(i32),
}

/// A checked recurrence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recurrence {
    pub repeat: Repeat,
    pub interval: i32,
    pub weekly_days: Vec<i32>,
    pub monthly: Option<MonthlyOn>,
    pub end: RecurrenceEnd,
}

/// A checked meeting, ready to be sent to Zoom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingPlan {
    pub topic: String,
    pub agenda: String,
    pub start: DateTime<Utc>,
    pub timezone: Tz,
    pub duration: i32,
    pub recurrence: Option<Recurrence>,
    pub registration: Option<Approval>,
    pub waiting_room: Option<bool>,
    pub join_before_host: Option<bool>,
    pub passcode: Option<String>,
    pub default_passcode: Option<bool>,
    pub host: Option<String>,
    pub questions: Option<RegistrationQuestions>,
}

/// A refused field and why; `field` is a path into the body (`questions[0].title`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanError {
    pub field: Cow<'static, str>,
    pub message: String,
}

fn refuse<T>(
    field: impl Into<Cow<'static, str>>,
    message: impl Into<String>,
) -> Result<T, PlanError> {
    Err(PlanError {
        field: field.into(),
        message: message.into(),
    })
}

/// Questions need registration: without it Zoom shows no form.
const QUESTIONS_NEED_REGISTRATION: &str = "needs registration automatic or manual";

impl MeetingPlan {
    /// Checks `req` as Zoom would, and that it starts after `now`.
    pub fn check(req: MeetingRequest, now: DateTime<Utc>) -> Result<Self, PlanError> {
        let topic = req.topic.trim().to_owned();
        if topic.is_empty() {
            return refuse("topic", "must not be empty");
        }
        let timezone: Tz = match req.timezone.parse() {
            Ok(tz) => tz,
            Err(_) => return refuse("timezone", "must be an IANA time zone (Europe/Berlin)"),
        };
        let start = parse_time("start_time", &req.start_time, timezone)?;
        if start <= now {
            return refuse("start_time", "must be in the future");
        }
        if !(1..=MAX_DURATION_MINUTES).contains(&req.duration) {
            return refuse(
                "duration",
                format!("must be 1–{MAX_DURATION_MINUTES} minutes"),
            );
        }
        if let Some(p) = &req.passcode {
            check_passcode(p)?;
        }
        if req.host.as_deref().is_some_and(|h| h.trim().is_empty()) {
            return refuse("host", "must not be empty");
        }
        let recurrence = req
            .recurrence
            .map(|r| check_recurrence(r, start, timezone))
            .transpose()?;
        if let Some(q) = &req.questions {
            if req.registration.is_none() {
                return refuse("questions", QUESTIONS_NEED_REGISTRATION);
            }
            check_questions(q)?;
        }
        Ok(Self {
            topic,
            agenda: req.agenda.unwrap_or_default(),
            start,
            timezone,
            duration: req.duration,
            recurrence,
            registration: req.registration,
            waiting_room: req.waiting_room,
            join_before_host: req.join_before_host,
            passcode: req.passcode,
            default_passcode: req.default_passcode,
            host: req.host,
            questions: req.questions,
        })
    }
}

/// A change of a meeting (or of one occurrence) as the caller sent it: absent fields stay.
#[derive(Clone, Debug, Default)]
pub struct ChangeRequest {
    pub topic: Option<String>,
    pub agenda: Option<String>,
    pub start_time: Option<String>,
    pub timezone: Option<String>,
    pub duration: Option<i32>,
    /// `Some(None)`: registration off.
    pub registration: Option<Option<Approval>>,
    pub waiting_room: Option<bool>,
    pub join_before_host: Option<bool>,
    pub passcode: Option<String>,
    /// A new rule: the meeting recurs by it from now on.
    pub recurrence: Option<RecurrenceRequest>,
    /// `Some(false)`: a one-time meeting from now on (its next start stays).
    pub recurring: Option<bool>,
    /// Replace the registration form's questions.
    pub questions: Option<RegistrationQuestions>,
}

/// What a change does to how a meeting repeats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecurrenceChange {
    Recurring(Recurrence),
    OneTime,
}

/// A checked change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingChange {
    pub topic: Option<String>,
    pub agenda: Option<String>,
    pub start: Option<DateTime<Utc>>,
    pub timezone: Option<Tz>,
    pub duration: Option<i32>,
    pub registration: Option<Option<Approval>>,
    pub waiting_room: Option<bool>,
    pub join_before_host: Option<bool>,
    pub passcode: Option<String>,
    pub recurrence: Option<RecurrenceChange>,
    pub questions: Option<RegistrationQuestions>,
}

/// What the meeting is now, as far as checking a change needs to know.
#[derive(Clone, Copy, Debug)]
pub struct Current<'a> {
    pub timezone: &'a str,
    pub registration: Option<Approval>,
}

/// What Zoom lets a change of one occurrence touch (docs/zoom.md §4.3).
const OCCURRENCE_FIELDS: &str = "an occurrence takes only start_time, duration and agenda";

impl MeetingChange {
    /// Checks `req` like a new meeting; a local `start_time` is read in the new `timezone`,
    /// else in `current_zone` (the meeting's). `occurrence`: the change is for one occurrence.
    pub fn check(
        req: ChangeRequest,
        current: Current<'_>,
        occurrence: bool,
        now: DateTime<Utc>,
    ) -> Result<Self, PlanError> {
        if occurrence {
            let whole_only = [
                ("topic", req.topic.is_some()),
                ("timezone", req.timezone.is_some()),
                ("registration", req.registration.is_some()),
                ("waiting_room", req.waiting_room.is_some()),
                ("join_before_host", req.join_before_host.is_some()),
                ("passcode", req.passcode.is_some()),
                ("recurrence", req.recurrence.is_some()),
                ("recurring", req.recurring.is_some()),
                ("questions", req.questions.is_some()),
            ];
            if let Some((field, _)) = whole_only.iter().find(|(_, set)| *set) {
                return refuse(*field, OCCURRENCE_FIELDS);
            }
        }
        let topic = req.topic.map(|t| t.trim().to_owned());
        if topic.as_deref().is_some_and(str::is_empty) {
            return refuse("topic", "must not be empty");
        }
        let timezone = match req.timezone.as_deref() {
            Some(name) => Some(
                name.parse::<Tz>()
                    .or_else(|_| refuse("timezone", "must be an IANA time zone (Europe/Berlin)"))?,
            ),
            None => None,
        };
        let zone = timezone.unwrap_or_else(|| current.timezone.parse().unwrap_or(Tz::UTC));
        let start = req
            .start_time
            .map(|raw| parse_time("start_time", &raw, zone))
            .transpose()?;
        if start.is_some_and(|s| s <= now) {
            return refuse("start_time", "must be in the future");
        }
        if req
            .duration
            .is_some_and(|d| !(1..=MAX_DURATION_MINUTES).contains(&d))
        {
            return refuse(
                "duration",
                format!("must be 1–{MAX_DURATION_MINUTES} minutes"),
            );
        }
        if let Some(p) = &req.passcode {
            check_passcode(p)?;
        }
        let recurrence = match (req.recurrence, req.recurring) {
            (Some(_), Some(false)) => {
                return refuse("recurring", "false makes it one-time: leave out recurrence");
            }
            (Some(r), _) => Some(RecurrenceChange::Recurring(check_recurrence(
                r,
                start.unwrap_or(now),
                zone,
            )?)),
            (None, Some(false)) => Some(RecurrenceChange::OneTime),
            (None, Some(true)) => return refuse("recurrence", "is required with recurring true"),
            (None, None) => None,
        };
        if let Some(q) = &req.questions {
            let registration = req.registration.unwrap_or(current.registration);
            if registration.is_none() {
                return refuse("questions", QUESTIONS_NEED_REGISTRATION);
            }
            check_questions(q)?;
        }
        Ok(Self {
            topic,
            agenda: req.agenda,
            start,
            timezone,
            duration: req.duration,
            registration: req.registration,
            waiting_room: req.waiting_room,
            join_before_host: req.join_before_host,
            passcode: req.passcode,
            recurrence,
            questions: req.questions,
        })
    }
}

/// RFC 3339 with an offset, or a local wall-clock time in `tz` (the earlier one at a DST fold).
fn parse_time(field: &'static str, raw: &str, tz: Tz) -> Result<DateTime<Utc>, PlanError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    let Ok(local) = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S") else {
        return refuse(
            field,
            "must be a date-time: 2027-01-05T18:00:00 (in timezone) or RFC 3339",
        );
    };
    match tz.from_local_datetime(&local).earliest() {
        Some(t) => Ok(t.with_timezone(&Utc)),
        None => refuse(field, "does not exist in this time zone (DST gap)"),
    }
}

fn check_passcode(p: &str) -> Result<(), PlanError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "@-_*".contains(c);
    if p.is_empty() || !p.chars().all(allowed) {
        return refuse(
            "passcode",
            "must be 1–10 of letters, digits and @ - _ * (Zoom's rule)",
        );
    }
    Ok(())
}

/// Standard fields Marquee's form can ask, once each; custom questions with a title, a kind
/// the form can ask, and (single choice) distinct answers (docs/zoom.md §4.4).
fn check_questions(q: &RegistrationQuestions) -> Result<(), PlanError> {
    for (i, s) in q.questions.iter().enumerate() {
        let at = |what: &str| format!("standard_questions[{i}].{what}");
        if !STANDARD_FIELDS.contains(&s.field_name.as_str()) {
            return refuse(
                at("field_name"),
                format!("must be one of {}", STANDARD_FIELDS.join(", ")),
            );
        }
        if q.questions[..i]
            .iter()
            .any(|o| o.field_name == s.field_name)
        {
            return refuse(at("field_name"), "is asked twice");
        }
    }
    if q.custom_questions.len() > MAX_CUSTOM_QUESTIONS {
        return refuse(
            "questions",
            format!("at most {MAX_CUSTOM_QUESTIONS} custom questions"),
        );
    }
    for (i, c) in q.custom_questions.iter().enumerate() {
        let at = |what: &str| format!("questions[{i}].{what}");
        if c.title.trim().is_empty() {
            return refuse(at("title"), "must not be empty");
        }
        if c.title.chars().count() > MAX_QUESTION_CHARS {
            return refuse(
                at("title"),
                format!("at most {MAX_QUESTION_CHARS} characters"),
            );
        }
        if q.custom_questions[..i].iter().any(|o| o.title == c.title) {
            return refuse(at("title"), "is asked twice");
        }
        if !QUESTION_KINDS.contains(&c.kind.as_str()) {
            return refuse(at("type"), "must be short or single");
        }
        check_answers(c.kind == "single", &c.answers).map_err(|message| PlanError {
            field: at("answers").into(),
            message: message.into(),
        })?;
    }
    Ok(())
}

fn check_answers(choice: bool, answers: &[String]) -> Result<(), &'static str> {
    if !choice {
        return match answers.is_empty() {
            true => Ok(()),
            false => Err("only for single-choice questions"),
        };
    }
    if answers.is_empty() || answers.len() > MAX_ANSWERS {
        return Err("a single-choice question needs 1–20 answers");
    }
    if answers.iter().any(|a| a.trim().is_empty()) {
        return Err("an answer must not be empty");
    }
    if answers
        .iter()
        .any(|a| a.chars().count() > MAX_QUESTION_CHARS)
    {
        return Err("an answer is too long");
    }
    if answers
        .iter()
        .enumerate()
        .any(|(i, a)| answers[..i].contains(a))
    {
        return Err("an answer is given twice");
    }
    Ok(())
}

fn check_recurrence(
    r: RecurrenceRequest,
    start: DateTime<Utc>,
    tz: Tz,
) -> Result<Recurrence, PlanError> {
    let Some(repeat) = r.repeat else {
        return refuse("recurrence.repeat", "is required");
    };
    let interval = r.interval.unwrap_or(1);
    let max = match repeat {
        Repeat::Daily => MAX_DAILY_INTERVAL,
        Repeat::Weekly => MAX_WEEKLY_INTERVAL,
        Repeat::Monthly => MAX_MONTHLY_INTERVAL,
    };
    if !(1..=max).contains(&interval) {
        return refuse("recurrence.interval", format!("must be 1–{max} here"));
    }
    let weekly_days = check_weekly_days(repeat, r.weekly_days)?;
    let monthly = check_monthly(repeat, r.monthly_day, r.monthly_week, r.monthly_week_day)?;
    let end_at = r
        .end_date_time
        .map(|raw| parse_time("recurrence.end_date_time", &raw, tz))
        .transpose()?;
    let end = match (end_at, r.end_times) {
        (Some(_), Some(_)) => {
            return refuse("recurrence.end_times", "give end_date_time or end_times");
        }
        (None, None) => return refuse("recurrence.end_times", "give end_date_time or end_times"),
        (Some(at), None) if at <= start => {
            return refuse("recurrence.end_date_time", "must be after start_time");
        }
        (Some(at), None) => RecurrenceEnd::At(at),
        (None, Some(n)) if !(1..=MAX_END_TIMES).contains(&n) => {
            return refuse("recurrence.end_times", format!("must be 1–{MAX_END_TIMES}"));
        }
        (None, Some(n)) => RecurrenceEnd::Times(n),
    };
    Ok(Recurrence {
        repeat,
        interval,
        weekly_days,
        monthly,
        end,
    })
}

fn check_weekly_days(repeat: Repeat, mut days: Vec<i32>) -> Result<Vec<i32>, PlanError> {
    if repeat != Repeat::Weekly {
        if !days.is_empty() {
            return refuse("recurrence.weekly_days", "only for weekly meetings");
        }
        return Ok(days);
    }
    if days.is_empty() || days.iter().any(|d| !(1..=7).contains(d)) {
        return refuse(
            "recurrence.weekly_days",
            "one or more of 1–7 (1 = Sunday) for weekly meetings",
        );
    }
    days.sort_unstable();
    days.dedup();
    Ok(days)
}

fn check_monthly(
    repeat: Repeat,
    day: Option<i32>,
    week: Option<i32>,
    weekday: Option<i32>,
) -> Result<Option<MonthlyOn>, PlanError> {
    if repeat != Repeat::Monthly {
        if day.is_some() || week.is_some() || weekday.is_some() {
            return refuse("recurrence.monthly_day", "only for monthly meetings");
        }
        return Ok(None);
    }
    match (day, week, weekday) {
        (Some(d), None, None) if (1..=31).contains(&d) => Ok(Some(MonthlyOn::Day(d))),
        (Some(_), None, None) => refuse("recurrence.monthly_day", "must be 1–31"),
        (None, Some(w), Some(wd)) => {
            if !matches!(w, -1 | 1..=4) {
                return refuse("recurrence.monthly_week", "must be -1 (last) or 1–4");
            }
            if !(1..=7).contains(&wd) {
                return refuse("recurrence.monthly_week_day", "must be 1–7 (1 = Sunday)");
            }
            Ok(Some(MonthlyOn::Week {
                week: w,
                weekday: wd,
            }))
        }
        _ => refuse(
            "recurrence.monthly_day",
            "give monthly_day, or monthly_week with monthly_week_day",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2027-01-01T00:00:00Z".parse().unwrap()
    }

    fn base() -> MeetingRequest {
        MeetingRequest {
            topic: "Yoga".into(),
            start_time: "2027-01-05T18:00:00".into(),
            timezone: "Europe/Berlin".into(),
            duration: 60,
            ..Default::default()
        }
    }

    type Change = Box<dyn Fn(&mut MeetingRequest)>;

    fn field_of(req: MeetingRequest) -> String {
        MeetingPlan::check(req, now())
            .unwrap_err()
            .field
            .into_owned()
    }

    #[test]
    fn local_start_is_read_in_the_zone() {
        let plan = MeetingPlan::check(base(), now()).unwrap();
        assert_eq!(plan.start.to_rfc3339(), "2027-01-05T17:00:00+00:00");
    }

    #[test]
    fn each_refusal_names_its_field() {
        let cases: Vec<(&str, Change)> = vec![
            ("timezone", Box::new(|r| r.timezone = "Mars/Olympus".into())),
            (
                "start_time",
                Box::new(|r| r.start_time = "2026-12-31T10:00:00".into()),
            ),
            ("start_time", Box::new(|r| r.start_time = "soon".into())),
            ("duration", Box::new(|r| r.duration = 1441)),
            ("duration", Box::new(|r| r.duration = 0)),
            ("topic", Box::new(|r| r.topic = "  ".into())),
            ("passcode", Box::new(|r| r.passcode = Some("a b".into()))),
            (
                "recurrence.interval",
                Box::new(|r| {
                    r.recurrence = Some(RecurrenceRequest {
                        repeat: Some(Repeat::Weekly),
                        interval: Some(13),
                        weekly_days: vec![2],
                        end_times: Some(3),
                        ..Default::default()
                    })
                }),
            ),
            (
                "recurrence.weekly_days",
                Box::new(|r| {
                    r.recurrence = Some(RecurrenceRequest {
                        repeat: Some(Repeat::Weekly),
                        end_times: Some(3),
                        ..Default::default()
                    })
                }),
            ),
            (
                "recurrence.end_times",
                Box::new(|r| {
                    r.recurrence = Some(RecurrenceRequest {
                        repeat: Some(Repeat::Daily),
                        end_times: Some(61),
                        ..Default::default()
                    })
                }),
            ),
            (
                "recurrence.monthly_day",
                Box::new(|r| {
                    r.recurrence = Some(RecurrenceRequest {
                        repeat: Some(Repeat::Monthly),
                        end_times: Some(2),
                        ..Default::default()
                    })
                }),
            ),
        ];
        for (field, change) in cases {
            let mut req = base();
            change(&mut req);
            assert_eq!(field_of(req), field);
        }
    }

    fn asked(custom: Vec<(&str, &str, Vec<&str>)>) -> RegistrationQuestions {
        RegistrationQuestions {
            questions: vec![],
            custom_questions: custom
                .into_iter()
                .map(
                    |(title, kind, answers)| crate::domain::public::CustomQuestion {
                        title: title.into(),
                        kind: kind.into(),
                        required: false,
                        answers: answers.into_iter().map(Into::into).collect(),
                    },
                )
                .collect(),
        }
    }

    #[test]
    fn questions_are_refused_at_their_index() {
        let with = |q: RegistrationQuestions| {
            let mut req = base();
            req.registration = Some(Approval::Automatic);
            req.questions = Some(q);
            field_of(req)
        };
        let level = ("Level", "single", vec!["A", "B"]);
        assert_eq!(
            with(asked(vec![level.clone(), level.clone()])),
            "questions[1].title"
        );
        assert_eq!(
            with(asked(vec![("Level", "single", vec!["A", "A"])])),
            "questions[0].answers"
        );
        assert_eq!(
            with(asked(vec![level.clone(), ("Note", "short", vec!["x"])])),
            "questions[1].answers"
        );
        assert_eq!(
            with(asked(vec![("Pick", "multiple", vec!["x"])])),
            "questions[0].type"
        );
        let mut unknown = asked(vec![]);
        unknown
            .questions
            .push(crate::domain::public::StandardQuestion {
                field_name: "password".into(),
                required: true,
            });
        assert_eq!(with(unknown), "standard_questions[0].field_name");
        let mut off = base();
        off.questions = Some(asked(vec![level]));
        assert_eq!(field_of(off), "questions", "needs registration");
    }

    #[test]
    fn a_change_turns_recurrence_on_and_off() {
        let current = Current {
            timezone: "Europe/Berlin",
            registration: None,
        };
        let on = ChangeRequest {
            recurrence: Some(RecurrenceRequest {
                repeat: Some(Repeat::Daily),
                end_times: Some(3),
                ..Default::default()
            }),
            ..Default::default()
        };
        let checked = MeetingChange::check(on.clone(), current, false, now()).unwrap();
        assert!(matches!(
            checked.recurrence,
            Some(RecurrenceChange::Recurring(_))
        ));
        let off = ChangeRequest {
            recurring: Some(false),
            ..Default::default()
        };
        let checked = MeetingChange::check(off, current, false, now()).unwrap();
        assert_eq!(checked.recurrence, Some(RecurrenceChange::OneTime));
        let both = ChangeRequest {
            recurring: Some(false),
            ..on.clone()
        };
        let err = MeetingChange::check(both, current, false, now()).unwrap_err();
        assert_eq!(err.field, "recurring");
        let err = MeetingChange::check(on, current, true, now()).unwrap_err();
        assert_eq!(err.field, "recurrence", "not for one occurrence");
    }

    #[test]
    fn zoom_bounds_are_accepted() {
        let mut req = base();
        req.recurrence = Some(RecurrenceRequest {
            repeat: Some(Repeat::Daily),
            interval: Some(90),
            end_times: Some(60),
            ..Default::default()
        });
        assert!(MeetingPlan::check(req, now()).is_ok());
    }
}

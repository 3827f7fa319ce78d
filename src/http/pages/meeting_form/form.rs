//! The meeting form as posted, and as it is turned into the admin API's `MeetingRequest`
//! (New) or `ChangeRequest` (Edit) — or filled from a meeting as Zoom has it (Edit). The
//! registration questions are positional rows (`q{row}_…`), so the form works without JS.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::crypto::random_token;
use crate::domain::meeting_plan::{
    Approval, ChangeRequest, MAX_CUSTOM_QUESTIONS, MeetingRequest, RecurrenceRequest, Repeat,
};
use crate::domain::public::{
    CustomQuestion, RegistrationQuestions, STANDARD_FIELDS, StandardQuestion,
};
use crate::service::meetings::EditableMeeting;

const DEFAULT_ZONE: &str = "UTC";
const DEFAULT_DURATION: &str = "60";
/// Empty rows for new custom questions, below the ones the meeting has (no JS needed).
const EMPTY_QUESTION_ROWS: usize = 3;

/// The form as posted (unticked boxes are not sent at all; the weekdays are one box each,
/// `day_1` = Sunday … `day_7`, as Zoom counts).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct MeetingForm {
    #[serde(skip_serializing)]
    pub(super) csrf_token: Option<String>,
    idempotency_key: String,
    topic: String,
    agenda: String,
    date: String,
    time: String,
    timezone: String,
    duration: String,
    repeat: String,
    interval: String,
    day_1: Option<String>,
    day_2: Option<String>,
    day_3: Option<String>,
    day_4: Option<String>,
    day_5: Option<String>,
    day_6: Option<String>,
    day_7: Option<String>,
    end_times: String,
    end_date: String,
    registration: String,
    passcode: String,
    waiting_room: Option<String>,
    /// New, on an account-level connection: the Zoom user it is for (empty: the connected one).
    host: String,
    /// Edit: the one date of the series changed (empty: the whole meeting).
    occurrence_id: String,
    /// Edit: the meeting repeated when the form was opened, so "Does not repeat" ends that.
    was_recurring: Option<String>,
    /// The registration questions: `std_{field}` = `optional` | `required` (else not asked),
    /// and custom rows `q{row}_title`, `q{row}_type` (`short` | `single`), `q{row}_answers`
    /// (one per line), `q{row}_required`.
    #[serde(flatten)]
    questions: BTreeMap<String, String>,
}

/// A number as typed; anything else is sent as `0`, which the service refuses for that field.
fn number(raw: &str) -> i32 {
    raw.trim().parse().unwrap_or(0)
}

fn optional_number(raw: &str) -> Option<i32> {
    Some(raw.trim()).filter(|r| !r.is_empty()).map(number)
}

fn optional_text(raw: &str) -> Option<String> {
    Some(raw.trim())
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
}

impl MeetingForm {
    pub(super) fn fresh() -> Self {
        Self {
            idempotency_key: random_token(""),
            timezone: DEFAULT_ZONE.to_owned(),
            duration: DEFAULT_DURATION.to_owned(),
            repeat: "none".to_owned(),
            interval: "1".to_owned(),
            registration: "none".to_owned(),
            ..Self::default()
        }
    }

    pub(super) fn days(&self) -> [&Option<String>; 7] {
        [
            &self.day_1,
            &self.day_2,
            &self.day_3,
            &self.day_4,
            &self.day_5,
            &self.day_6,
            &self.day_7,
        ]
    }

    fn days_mut(&mut self) -> [&mut Option<String>; 7] {
        [
            &mut self.day_1,
            &mut self.day_2,
            &mut self.day_3,
            &mut self.day_4,
            &mut self.day_5,
            &mut self.day_6,
            &mut self.day_7,
        ]
    }

    /// The Edit form of `m` as Zoom has it now (the passcode left empty: it stays unless
    /// typed).
    pub(super) fn of_meeting(m: &EditableMeeting) -> Self {
        let meeting = &m.owned.meeting;
        let zone = zone_of(&meeting.timezone);
        let (date, time) = meeting
            .start_time
            .map(|start| local_date_time(start, zone))
            .unwrap_or_default();
        let mut form = Self {
            topic: meeting.topic.clone(),
            agenda: meeting.agenda.clone(),
            date,
            time,
            timezone: zone.name().to_owned(),
            duration: meeting.duration_minutes.to_string(),
            registration: match meeting.approval_type {
                0 => "automatic",
                1 => "manual",
                _ => "none",
            }
            .to_owned(),
            waiting_room: m.waiting_room.then(|| "on".to_owned()),
            ..Self::fresh()
        };
        form.idempotency_key.clear();
        if let Some(r) = &m.recurrence {
            form.set_recurrence(r, zone);
        }
        form.set_questions(&m.questions);
        form
    }

    /// The form of one date of `m`: its day, start time and duration.
    pub(super) fn of_occurrence(m: &EditableMeeting, occurrence_id: &str) -> Option<Self> {
        let meeting = &m.owned.meeting;
        let occurrence = m
            .owned
            .occurrences
            .iter()
            .find(|o| o.occurrence_id == occurrence_id)?;
        let zone = zone_of(&meeting.timezone);
        let (date, time) = local_date_time(occurrence.start_time, zone);
        Some(Self {
            topic: meeting.topic.clone(),
            date,
            time,
            timezone: zone.name().to_owned(),
            duration: occurrence.duration_minutes.to_string(),
            occurrence_id: occurrence.occurrence_id.clone(),
            ..Self::default()
        })
    }

    fn set_recurrence(&mut self, r: &RecurrenceRequest, zone: Tz) {
        self.was_recurring = Some("on".to_owned());
        self.repeat = match r.repeat {
            Some(Repeat::Daily) => "daily",
            Some(Repeat::Weekly) => "weekly",
            Some(Repeat::Monthly) => "monthly",
            None => "none",
        }
        .to_owned();
        self.interval = r.interval.unwrap_or(1).to_string();
        for (day, ticked) in (1..).zip(self.days_mut()) {
            *ticked = r.weekly_days.contains(&day).then(|| "on".to_owned());
        }
        self.end_times = r.end_times.map(|n| n.to_string()).unwrap_or_default();
        self.end_date = r
            .end_date_time
            .as_deref()
            .and_then(|end| DateTime::parse_from_rfc3339(end).ok())
            .map(|end| end.with_timezone(&zone).format("%Y-%m-%d").to_string())
            .unwrap_or_default();
    }

    fn set_questions(&mut self, q: &RegistrationQuestions) {
        for s in &q.questions {
            let asked = if s.required { "required" } else { "optional" };
            self.questions
                .insert(format!("std_{}", s.field_name), asked.to_owned());
        }
        for (row, c) in q.custom_questions.iter().enumerate() {
            self.questions
                .insert(format!("q{row}_title"), c.title.clone());
            self.questions
                .insert(format!("q{row}_type"), c.kind.clone());
            self.questions
                .insert(format!("q{row}_answers"), c.answers.join("\n"));
            if c.required {
                self.questions
                    .insert(format!("q{row}_required"), "on".to_owned());
            }
        }
    }

    /// What the form says for one question input, trimmed.
    pub(super) fn asked(&self, name: &str) -> &str {
        self.questions.get(name).map_or("", |v| v.trim())
    }

    /// The questions as typed, and the form row of each custom one (empty rows are skipped).
    pub(super) fn typed_questions(&self) -> (RegistrationQuestions, Vec<usize>) {
        let questions = STANDARD_FIELDS
            .iter()
            .filter_map(|field| {
                let required = match self.asked(&format!("std_{field}")) {
                    "optional" => false,
                    "required" => true,
                    _ => return None,
                };
                Some(StandardQuestion {
                    field_name: (*field).to_owned(),
                    required,
                })
            })
            .collect();
        let rows: Vec<usize> = (0..MAX_CUSTOM_QUESTIONS)
            .filter(|row| !self.asked(&format!("q{row}_title")).is_empty())
            .collect();
        let custom_questions = rows.iter().map(|row| self.custom_question(*row)).collect();
        let typed = RegistrationQuestions {
            questions,
            custom_questions,
        };
        (typed, rows)
    }

    fn custom_question(&self, row: usize) -> CustomQuestion {
        let single = self.asked(&format!("q{row}_type")) == "single";
        let answers = match single {
            true => self
                .asked(&format!("q{row}_answers"))
                .lines()
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect(),
            false => Vec::new(),
        };
        CustomQuestion {
            title: self.asked(&format!("q{row}_title")).to_owned(),
            kind: if single { "single" } else { "short" }.to_owned(),
            required: self.questions.contains_key(&format!("q{row}_required")),
            answers,
        }
    }

    /// The questions to set: all of them (none asked included) while registration is on, so
    /// an edit can remove them; without registration only what was typed, which the service
    /// refuses. `None`: nothing to set.
    fn questions_to_set(&self, replace: bool) -> Option<RegistrationQuestions> {
        let (typed, _) = self.typed_questions();
        let registration = self.approval().is_some();
        let any = typed != RegistrationQuestions::default();
        (any || (replace && registration)).then_some(typed)
    }

    fn approval(&self) -> Option<Approval> {
        match self.registration.as_str() {
            "automatic" => Some(Approval::Automatic),
            "manual" => Some(Approval::Manual),
            _ => None,
        }
    }

    fn start_time(&self) -> String {
        format!("{}T{}:00", self.date.trim(), self.time.trim())
    }

    /// The admin API's request, as the form says it; the service checks it.
    pub(super) fn request(&self) -> MeetingRequest {
        MeetingRequest {
            topic: self.topic.clone(),
            agenda: optional_text(&self.agenda),
            start_time: self.start_time(),
            timezone: self.timezone.trim().to_owned(),
            duration: number(&self.duration),
            recurrence: self.recurrence(),
            registration: self.approval(),
            waiting_room: Some(self.waiting_room.is_some()),
            passcode: optional_text(&self.passcode),
            host: optional_text(&self.host),
            questions: self.questions_to_set(false),
            ..MeetingRequest::default()
        }
    }

    /// The admin API's change, as the Edit form says it: the whole meeting as shown, or one
    /// date's day, time and duration.
    pub(super) fn change(&self) -> ChangeRequest {
        if self.for_occurrence().is_some() {
            return ChangeRequest {
                start_time: Some(self.start_time()),
                duration: Some(number(&self.duration)),
                ..ChangeRequest::default()
            };
        }
        let recurrence = self.recurrence();
        ChangeRequest {
            topic: Some(self.topic.clone()),
            agenda: Some(self.agenda.trim().to_owned()),
            start_time: Some(self.start_time()),
            timezone: Some(self.timezone.trim().to_owned()),
            duration: Some(number(&self.duration)),
            registration: Some(self.approval()),
            waiting_room: Some(self.waiting_room.is_some()),
            passcode: optional_text(&self.passcode),
            recurring: (recurrence.is_none() && self.was_recurring.is_some()).then_some(false),
            recurrence,
            questions: self.questions_to_set(true),
            ..ChangeRequest::default()
        }
    }

    pub(super) fn for_occurrence(&self) -> Option<&str> {
        Some(self.occurrence_id.trim()).filter(|o| !o.is_empty())
    }

    /// Rows for custom questions: those typed or stored, then a few empty ones (at most 10).
    pub(super) fn question_rows(&self) -> Vec<QuestionRow> {
        let used = (0..MAX_CUSTOM_QUESTIONS)
            .rev()
            .find(|row| !self.asked(&format!("q{row}_title")).is_empty())
            .map_or(0, |last| last + 1);
        (0..(used + EMPTY_QUESTION_ROWS).min(MAX_CUSTOM_QUESTIONS))
            .map(|row| QuestionRow {
                row,
                title: self.asked(&format!("q{row}_title")).to_owned(),
                single: self.asked(&format!("q{row}_type")) == "single",
                answers: self.asked(&format!("q{row}_answers")).to_owned(),
                required: self.questions.contains_key(&format!("q{row}_required")),
            })
            .collect()
    }

    fn recurrence(&self) -> Option<RecurrenceRequest> {
        let repeat = match self.repeat.as_str() {
            "daily" => Repeat::Daily,
            "weekly" => Repeat::Weekly,
            "monthly" => Repeat::Monthly,
            _ => return None,
        };
        let weekly_days = (1..)
            .zip(self.days())
            .filter(|(_, ticked)| ticked.is_some())
            .map(|(day, _)| day)
            .collect();
        // Monthly on the start date's day of the month.
        let monthly_day = NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d")
            .ok()
            .filter(|_| repeat == Repeat::Monthly)
            .map(|d| chrono::Datelike::day(&d) as i32);
        Some(RecurrenceRequest {
            repeat: Some(repeat),
            interval: optional_number(&self.interval),
            weekly_days,
            monthly_day,
            end_date_time: optional_text(&self.end_date).map(|d| format!("{d}T23:59:00")),
            end_times: optional_number(&self.end_times),
            ..RecurrenceRequest::default()
        })
    }
}

fn zone_of(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

/// A UTC time as the form's date and time in `zone`.
fn local_date_time(utc: NaiveDateTime, zone: Tz) -> (String, String) {
    let local = utc.and_utc().with_timezone(&zone);
    (
        local.format("%Y-%m-%d").to_string(),
        local.format("%H:%M").to_string(),
    )
}

/// A row of the custom questions.
#[derive(Serialize)]
pub(super) struct QuestionRow {
    row: usize,
    title: String,
    single: bool,
    answers: String,
    required: bool,
}

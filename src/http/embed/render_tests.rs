//! Renders every widget template from fixed data and compares each page, byte for byte, with
//! the SHA-256 digest kept in `golden.sha256` (taken from the pages the templates' earlier
//! `context!` maps rendered), so a change to the view models cannot change what visitors get.
//! Every run writes the pages to `target/widget-golden/`: to see a difference, compare that
//! folder with the one written by a run of the previous commit.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDateTime;
use poem::http::StatusCode;

use super::models::{
    MeetingContent, MeetingsContent, Notice, NoticeContent, RecordingsContent, RegisteredContent,
    WidgetContent,
};
use super::models::{render_page, render_with};
use super::presentation::{BadOption, Presentation, WidgetParams};
use crate::domain::public::{
    CustomQuestion, ListedMeeting, MeetingDetail, Occurrence, Recording, Registration,
    RegistrationQuestions, RegistrationStatus, StandardQuestion,
};
use crate::domain::site::{Origin, PublicSite, SiteSettings};
use crate::domain::status::OccurrenceStatus;
use crate::domain::{Meeting, Slug, Tenant, TenantId};
use crate::http::error::classify;
use crate::service::ServiceError;
use crate::service::public::{Page, SeriesEntry};
use crate::service::registration::RegisterOutcome;
use crate::templates::Templates;

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

fn site() -> PublicSite {
    let mut settings = SiteSettings {
        show_recording_passcode: true,
        ..Default::default()
    };
    settings.allowed_origins = vec![Origin::parse("https://example.com").unwrap()];
    PublicSite {
        tenant: Tenant {
            id: TenantId::from_stored("t-1".to_owned()),
            slug: Slug::parse("yoga-club").unwrap(),
            display_name: "Yoga <Club> & \"Friends\"".to_owned(),
            created_at: at("2026-01-01 00:00"),
            origins: Vec::new(),
        },
        content_version: 3,
        connection_lost: false,
        settings,
    }
}

fn plain() -> Presentation {
    Presentation::new(&site(), &WidgetParams::default())
}

/// The lists' compact layout, with the other list options set.
fn compact() -> Presentation {
    Presentation::new(
        &site(),
        &WidgetParams {
            per_page: Some("5".into()),
            host: Some("host@example.com".into()),
            months: Some("6".into()),
            layout: Some("compact".into()),
            ..Default::default()
        },
    )
}

fn styled() -> Presentation {
    Presentation::new(
        &site(),
        &WidgetParams {
            lang: Some("de".into()),
            theme: Some("dark".into()),
            accent: Some("#ffcc00".into()),
            font: Some("serif".into()),
            origin: Some("https://example.com".into()),
            page: Some(2),
            ..Default::default()
        },
    )
}

fn meeting(id: i64, kind: i32, start: Option<&str>, approval: i32) -> Meeting {
    Meeting {
        zoom_meeting_id: id,
        zoom_uuid: format!("uuid-{id}"),
        host_id: "host-1".into(),
        topic: format!("<b>Topic</b> {id} & \"more\""),
        agenda: format!("Line one {id}\nLine <two> {}", "long agenda ".repeat(30)),
        meeting_type: kind,
        start_time: start.map(at),
        duration_minutes: 45,
        timezone: "Europe/Berlin".into(),
        approval_type: approval,
        join_url: "https://zoom.us/j/1".into(),
        hidden: false,
    }
}

fn occurrence(id: &str, start: &str) -> Occurrence {
    Occurrence {
        occurrence_id: id.into(),
        start_time: at(start),
        duration_minutes: 30,
        status: OccurrenceStatus::Available,
    }
}

fn listed() -> Page<SeriesEntry> {
    let entry = |meeting, occurrence, upcoming| SeriesEntry {
        listed: ListedMeeting {
            meeting,
            occurrence,
        },
        upcoming,
    };
    let weekly = ["2099-03-29 16:00", "2099-04-05 16:00", "2099-04-12 16:00"];
    Page {
        items: vec![
            entry(meeting(81, 2, Some("2099-03-28 17:00"), 0), None, vec![]),
            entry(
                meeting(82, 8, Some("2099-03-29 17:00"), 2),
                Some(occurrence("1700000000000", weekly[0])),
                weekly
                    .iter()
                    .enumerate()
                    .map(|(i, start)| occurrence(&format!("170000000000{i}"), start))
                    .collect(),
            ),
            entry(meeting(83, 3, None, 1), None, vec![]),
        ],
        page: 2,
        page_size: 20,
        has_more: true,
    }
}

fn questions() -> RegistrationQuestions {
    RegistrationQuestions {
        questions: ["address", "comments", "not_a_field"]
            .iter()
            .enumerate()
            .map(|(i, f)| StandardQuestion {
                field_name: (*f).into(),
                required: i == 0,
            })
            .collect(),
        custom_questions: vec![
            CustomQuestion {
                title: "Why <you>?".into(),
                kind: "short".into(),
                required: true,
                answers: vec![],
            },
            CustomQuestion {
                title: "Level".into(),
                kind: "single".into(),
                required: false,
                answers: vec!["Beginner".into(), "A & B".into()],
            },
            CustomQuestion {
                title: "Empty choice".into(),
                kind: "single".into(),
                required: false,
                answers: vec![],
            },
        ],
    }
}

fn recurring_detail() -> MeetingDetail {
    MeetingDetail {
        meeting: meeting(91, 8, Some("2099-03-28 17:00"), 0),
        webinar: false,
        occurrences: vec![
            occurrence("4000000000000", "2099-03-28 17:00"),
            occurrence("4000000600000", "2099-03-29 17:00"),
        ],
        registration_open: true,
        questions: Some(questions()),
        version: 0,
    }
}

fn single_detail(start: &str, open: bool) -> MeetingDetail {
    MeetingDetail {
        meeting: meeting(92, 2, Some(start), 1),
        webinar: false,
        occurrences: vec![],
        registration_open: open,
        questions: None,
        version: 0,
    }
}

fn recordings() -> Page<Recording> {
    let recording = |id: &str, url: &str, passcode: &str| Recording {
        zoom_meeting_uuid: id.into(),
        zoom_meeting_id: 71,
        topic: format!("Recording <{id}>"),
        start_time: at("2026-02-01 09:00"),
        duration_minutes: 50,
        timezone: "America/New_York".into(),
        share_url: url.into(),
        play_passcode: passcode.into(),
        hidden: false,
    };
    Page {
        items: vec![
            recording("r1", "https://zoom.us/rec/share/a?x=1&y=2", "p@ss"),
            recording("r2", "javascript:alert(1)", ""),
        ],
        page: 1,
        page_size: 20,
        has_more: false,
    }
}

fn registration(status: RegistrationStatus, join_url: Option<&str>) -> Registration {
    Registration {
        id: "reg-1".into(),
        zoom_meeting_id: 91,
        occurrence_id: String::new(),
        email: "a@example.com".into(),
        first_name: "A".into(),
        last_name: "B".into(),
        zoom_registrant_id: "zr".into(),
        status,
        join_url: join_url.map(Into::into),
        created_at: at("2026-01-01 00:00"),
    }
}

/// Every page of the comparison, by file name.
fn pages() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, view) in [("plain", plain()), ("styled", styled())] {
        out.push((format!("meetings-{name}"), meetings_page(&listed(), &view)));
        let empty = Page {
            items: vec![],
            page: 1,
            page_size: 20,
            has_more: false,
        };
        out.push((
            format!("meetings-empty-{name}"),
            meetings_page(&empty, &view),
        ));
        out.push((
            format!("meeting-recurring-{name}"),
            meeting_page(&recurring_detail(), &view),
        ));
        out.push((
            format!("meeting-ended-{name}"),
            meeting_page(&single_detail("2001-01-01 10:00", true), &view),
        ));
        out.push((
            format!("meeting-closed-{name}"),
            meeting_page(&single_detail("2099-01-01 10:00", false), &view),
        ));
        out.push((
            format!("meeting-open-{name}"),
            meeting_page(&single_detail("2099-01-01 10:00", true), &view),
        ));
        out.push((
            format!("recordings-{name}"),
            recordings_page(&recordings(), &view),
        ));
        let mut private = site();
        private.settings.show_recording_passcode = false;
        out.push((
            format!("recordings-withheld-{name}"),
            render(
                &view,
                RecordingsContent::new(&recordings(), &private, &view),
            ),
        ));
        let approved = registration(
            RegistrationStatus::Approved,
            Some("https://zoom.us/w/1?tk=a&b"),
        );
        out.push((
            format!("registered-approved-{name}"),
            registered_page(Ok(outcome(approved, true)), &view),
        ));
        let existing = registration(RegistrationStatus::Approved, None);
        out.push((
            format!("registered-existing-{name}"),
            registered_page(Ok(outcome(existing, false)), &view),
        ));
        let existing_pending = registration(RegistrationStatus::Pending, None);
        out.push((
            format!("registered-existing-pending-{name}"),
            registered_page(Ok(outcome(existing_pending, false)), &view),
        ));
        let pending = registration(RegistrationStatus::Pending, None);
        out.push((
            format!("registered-pending-{name}"),
            registered_page(Ok(outcome(pending, true)), &view),
        ));
        let refused = ServiceError::Refused {
            code: "meeting_full",
            message: "This meeting is <full> & closed.".into(),
        };
        out.push((
            format!("registered-refused-{name}"),
            registered_page(Err(refused), &view),
        ));
        let away = ServiceError::ZoomUnavailable { retry_after: None };
        out.push((
            format!("registered-unavailable-{name}"),
            registered_page(Err(away), &view),
        ));
        for (kind, notice, status) in [
            ("no-site", Notice::NoSite, StatusCode::NOT_FOUND),
            ("feature-off", Notice::FeatureOff, StatusCode::NOT_FOUND),
            ("gone", Notice::Gone, StatusCode::NOT_FOUND),
            (
                "unavailable",
                Notice::Unavailable,
                StatusCode::SERVICE_UNAVAILABLE,
            ),
            ("failed", Notice::Failed, StatusCode::INTERNAL_SERVER_ERROR),
            (
                "bad-option",
                Notice::BadOption(BadOption::Layout),
                StatusCode::BAD_REQUEST,
            ),
        ] {
            let site = (notice != Notice::NoSite).then(site);
            let content = NoticeContent::new(notice, status, view.lang);
            let html = render_with(&Templates::load().unwrap(), site.as_ref(), &view, content);
            out.push((format!("notice-{kind}-{name}"), html.unwrap()));
        }
    }
    let view = compact();
    out.push(("meetings-compact".into(), meetings_page(&listed(), &view)));
    out.push((
        "recordings-compact".into(),
        recordings_page(&recordings(), &view),
    ));
    out
}

#[test]
fn widget_pages_render_exactly_the_kept_html() {
    use sha2::Digest;
    let kept: BTreeMap<&str, &str> = include_str!("golden.sha256")
        .lines()
        .filter_map(|line| line.split_once("  "))
        .map(|(digest, file)| (file, digest))
        .collect();
    let fresh = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/widget-golden");
    std::fs::create_dir_all(&fresh).unwrap();
    let mut rendered = BTreeMap::new();
    for (name, html) in pages() {
        let file = format!("{name}.html");
        std::fs::write(fresh.join(&file), &html).unwrap();
        rendered.insert(file, hex::encode(sha2::Sha256::digest(&html)));
    }
    let differ: Vec<&String> = rendered
        .iter()
        .filter(|(file, digest)| kept.get(file.as_str()) != Some(&digest.as_str()))
        .map(|(file, _)| file)
        .collect();
    assert!(differ.is_empty(), "pages unlike the kept ones: {differ:?}");
    assert_eq!(kept.len(), rendered.len(), "a kept page is not rendered");
}

// Each page is rendered the way its handler renders it.

/// Meeting detail pages are rendered at this time: before the open meetings, after the ended one.
fn now() -> NaiveDateTime {
    at("2026-06-01 12:00")
}

fn render<C: WidgetContent>(view: &Presentation, content: C) -> String {
    render_page(&Templates::load().unwrap(), &site(), view, content).unwrap()
}

fn meetings_page(found: &Page<SeriesEntry>, view: &Presentation) -> String {
    render(view, MeetingsContent::new(found, &site(), view, false))
}

fn meeting_page(detail: &MeetingDetail, view: &Presentation) -> String {
    render(view, MeetingContent::new(detail, &site(), view, now()))
}

fn recordings_page(found: &Page<Recording>, view: &Presentation) -> String {
    render(view, RecordingsContent::new(found, &site(), view))
}

fn registered_page(result: Result<RegisterOutcome, ServiceError>, view: &Presentation) -> String {
    let outcome = result.map_err(classify);
    let back = format!("/embed/yoga-club/meetings/91?{}", view.query());
    render(view, RegisteredContent::new(outcome.as_ref(), back))
}

fn outcome(registration: Registration, created: bool) -> RegisterOutcome {
    RegisterOutcome {
        registration,
        created,
    }
}

/// The policy of every page names the hash of each of its inline scripts and styles (so the
/// browser runs them) and allows no other script or style source.
#[test]
fn every_page_allows_exactly_its_inline_script_and_style() {
    use base64::Engine;
    use sha2::Digest;
    for (name, html) in pages() {
        let body = super::response::page_body(Some(&site()), html.clone());
        let policy = body.policy.unwrap();
        for tag in ["script", "style"] {
            let directive = policy
                .split("; ")
                .find_map(|d| d.strip_prefix(&format!("{tag}-src ")))
                .unwrap();
            let expected: Vec<String> = html
                .split(&format!("<{tag}>"))
                .skip(1)
                .map(|rest| rest.split(&format!("</{tag}>")).next().unwrap())
                .map(|inner| {
                    let digest = sha2::Sha256::digest(inner.as_bytes());
                    let b64 = base64::engine::general_purpose::STANDARD.encode(digest);
                    format!("'sha256-{b64}'")
                })
                .collect();
            assert!(!expected.is_empty(), "{name}: has an inline {tag}");
            assert_eq!(directive, expected.join(" "), "{name}: {tag}-src");
        }
        assert!(
            !policy.contains("nonce") && !policy.contains("unsafe"),
            "{name}"
        );
    }
}

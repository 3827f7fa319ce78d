//! Deterministic demo worlds: one business account with several hosts in different time zones,
//! upcoming and past meetings (recurring ones, registration on, unicode and HTML-injection
//! topics, long agendas), a webinar, and recordings spread over many months. The same seed and
//! the same UTC day give the same world (times are anchored at today's 00:00 UTC so upcoming
//! meetings stay upcoming).
//!
//! It builds everything through the same operations the APIs use (`crate::ops`), with the
//! world's seeded [`Rng`] (SplitMix64, so worlds do not change when `rand` changes).

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use serde_json::{Value, json};

use crate::config::{SeedOptions, SimConfig};
use crate::ops::meetings::build_meeting;
use crate::ops::recordings::{FILE_KINDS, recording_file};
use crate::ops::users::{NewUserInput, add_user};
use crate::wire::fmt_time;
use crate::world::recurrence::parse_tz;
use crate::world::rng::Rng;
use crate::world::{Plan, Recording, RecordingStatus, Registrant, Role, Settings, User, World};

/// The world a simulator starts with: the settings of `config`, seeded with `config.seed` (a
/// random seed and no data when it is None).
pub(crate) fn initial_world(config: &SimConfig, base_url: &str, now: DateTime<Utc>) -> World {
    let settings = Settings {
        auto_consent: config.auto_consent,
        marketplace_mode: config.marketplace_mode,
        webhook_url: config.webhook_url.clone(),
        duplicate: false,
        out_of_order: false,
        rate_limits: config.rate_limits.clone(),
        access_token_ttl_secs: config.access_token_ttl_secs,
    };
    let rng = match &config.seed {
        Some(s) => Rng::new(s.seed),
        None => Rng::new(rand::random()),
    };
    let mut world = World::new(settings, rng);
    if let Some(opts) = &config.seed {
        populate(&mut world, opts, base_url, now);
    }
    world
}

const FIRST: &[&str] = &[
    "Avery", "Noor", "Kenji", "Sofía", "Olu", "Mei", "Lars", "Priya", "Chloé", "Mateus", "Zoë",
    "Ahmed",
];
const LAST: &[&str] = &[
    "Morgan", "Haddad", "Sato", "García", "Adeyemi", "Chen", "Eriksson", "Iyer", "Dubois", "Silva",
    "Novak", "Khan",
];
const TIMEZONES: &[&str] = &[
    "America/New_York",
    "Europe/Berlin",
    "Asia/Tokyo",
    "America/Los_Angeles",
    "Australia/Sydney",
    "Asia/Kolkata",
    "America/Sao_Paulo",
    "UTC",
];
const TOPICS: &[&str] = &[
    "Community call",
    "Onboarding for new members",
    "Quarterly review",
    "Office hours",
    "Book club",
    "Product demo",
    "Ask me anything",
    "Design critique",
    "Yoga at noon",
    "Parents' evening",
    "Board meeting",
    "Release planning",
    "Open studio",
    "Coffee chat",
];
/// Topics that must survive rendering unharmed (reference: Marquee escapes everything).
const HOSTILE_TOPICS: &[&str] = &[
    "<script>alert(\"xss\")</script> Café ☕ — 日本語 Zoom 🎉",
    "\"><img src=x onerror=alert(1)> Q&A",
    "{{7*7}} ${jndi:ldap://x} template test",
    "مرحبا بالعالم — RTL topic",
    "Émoji party 🎂🎈 with 👩🏽‍💻 and ZWJ",
];

/// The agenda of a very talkative host: exactly 2000 characters (the maximum, docs/zoom.md §4.3).
fn long_agenda() -> String {
    let para = "Welcome! We will walk through the agenda, take questions & answers, and share <b>links</b>. ";
    para.repeat(2000 / para.chars().count() + 1)
        .chars()
        .take(2000)
        .collect()
}

/// Local wall-clock time on a day relative to `anchor`, in the host's zone, as UTC.
fn local_start(
    anchor: DateTime<Utc>,
    days: i64,
    hour: u32,
    minute: u32,
    tz: &str,
) -> DateTime<Utc> {
    let zone = parse_tz(tz).unwrap_or(chrono_tz::UTC);
    let date = (anchor + Duration::days(days)).date_naive();
    let time = NaiveTime::from_hms_opt(hour, minute, 0).expect("valid time");
    zone.from_local_datetime(&date.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(anchor + Duration::days(days))
}

/// Builds the world described by `opts`; `now` fixes the anchor day.
pub(crate) fn populate(world: &mut World, opts: &SeedOptions, base_url: &str, now: DateTime<Utc>) {
    let anchor = now
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc();
    let hosts = make_hosts(world, opts, anchor);
    for (h, host) in hosts.iter().enumerate() {
        for i in 0..opts.meetings_per_host {
            let body = meeting_body(world, h, i, host, anchor);
            add_meeting(world, host, &body, false, anchor);
        }
        if h == 0 {
            let body = json!({"topic": "Launch webinar: what's new", "type": 5, "duration": 90,
                "start_time": fmt_time(local_start(anchor, 10, 17, 0, &host.timezone)),
                "agenda": "Live product launch with Q&A.", "settings": {"approval_type": 0}});
            add_meeting(world, host, &body, true, anchor);
        }
        for _ in 0..opts.recordings_per_host {
            add_recording(
                world,
                host,
                opts.months_of_recordings.max(1),
                anchor,
                base_url,
            );
        }
    }
}

fn make_hosts(world: &mut World, opts: &SeedOptions, anchor: DateTime<Utc>) -> Vec<User> {
    let mut hosts = Vec::new();
    for h in 0..opts.hosts.max(1) {
        let first = FIRST[h % FIRST.len()];
        let last = LAST[(h * 7 + opts.seed as usize) % LAST.len()];
        let email = format!(
            "{}.{}{}@example.com",
            ascii(first),
            ascii(last),
            if h >= FIRST.len() {
                h.to_string()
            } else {
                String::new()
            }
        );
        let account_id = hosts.first().map(|u: &User| u.account_id.clone());
        let input = NewUserInput {
            email,
            first_name: first.into(),
            last_name: last.into(),
            timezone: Some(TIMEZONES[h % TIMEZONES.len()].into()),
            account_id,
            plan: Some(Plan::Business),
            role: Some(match h {
                0 => Role::Owner,
                1 => Role::Admin,
                _ => Role::Member,
            }),
        };
        let created = anchor - Duration::days(400 + h as i64);
        let user = add_user(world, input, created).expect("seed users are valid");
        hosts.push(user);
    }
    hosts
}

/// Lower-case ASCII for e-mail local parts.
fn ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'á' | 'í' => 'a',
            'é' | 'ë' => 'e',
            'ö' | 'ó' => 'o',
            c => c,
        })
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase()
}

/// The create body of meeting `i` of host `h`. Host 0's first five meetings are the fixtures the
/// demo promises: recurring, registration on (auto and manual), a hostile topic, a long agenda.
fn meeting_body(
    world: &mut World,
    h: usize,
    i: usize,
    host: &User,
    anchor: DateTime<Utc>,
) -> Value {
    let rng = &mut world.rng;
    let upcoming = i < 6 || rng.chance(70);
    let days = if upcoming {
        1 + rng.below(90) as i64
    } else {
        -(1 + rng.below(120) as i64)
    };
    let start = local_start(
        anchor,
        days,
        8 + rng.below(10) as u32,
        if rng.chance(50) { 0 } else { 30 },
        &host.timezone,
    );
    let mut topic = format!("{} #{}", rng.pick(TOPICS), i + 1);
    let mut body = json!({
        "type": 2, "duration": *rng.pick(&[30, 45, 60, 90]),
        "start_time": fmt_time(start),
        "agenda": "", "settings": {"approval_type": 2},
    });
    match (h, i) {
        (0, 0) => {
            topic = "Weekly office hours".into();
            body["type"] = json!(8);
            body["recurrence"] =
                json!({"type": 2, "repeat_interval": 1, "weekly_days": "3", "end_times": 12});
        }
        (0, 1) => {
            topic = "Open workshop (registration)".into();
            body["settings"] = json!({"approval_type": 0, "registration_type": 1});
        }
        (0, 2) => topic = HOSTILE_TOPICS[0].into(),
        (0, 3) => body["agenda"] = json!(long_agenda()),
        (0, 4) => {
            topic = "Members-only briefing (approval)".into();
            body["settings"] = json!({"approval_type": 1});
        }
        _ => {
            if rng.chance(10) {
                body["type"] = json!(8);
                let rule = match rng.below(3) {
                    0 => {
                        json!({"type": 1, "repeat_interval": 1 + rng.below(3), "end_times": 5 + rng.below(20)})
                    }
                    1 => {
                        json!({"type": 2, "repeat_interval": 1, "weekly_days": "2,4", "end_times": 8 + rng.below(20)})
                    }
                    _ => {
                        json!({"type": 3, "repeat_interval": 1, "monthly_day": 1 + rng.below(28), "end_times": 6})
                    }
                };
                body["recurrence"] = rule;
            } else if rng.chance(5) {
                body["type"] = json!(3);
            }
            if rng.chance(8) {
                topic = rng.pick(HOSTILE_TOPICS).to_string();
            }
            if rng.chance(15) {
                body["settings"] = json!({"approval_type": rng.below(2)});
            }
            if rng.chance(10) {
                body["agenda"] = json!(long_agenda());
            } else if rng.chance(50) {
                body["agenda"] =
                    json!(format!("Agenda for {topic}: intro, main topic, questions."));
            }
        }
    }
    body["topic"] = json!(topic);
    body
}

fn add_meeting(world: &mut World, host: &User, body: &Value, webinar: bool, anchor: DateTime<Utc>) {
    let created = anchor - Duration::days(30 + world.rng.below(200) as i64);
    let Ok(mut m) = build_meeting(world, host, body, webinar, created) else {
        tracing::warn!(%body, "seed produced an invalid meeting; skipped");
        return;
    };
    if m.approval_type() != 2 {
        m.questions = json!({
            "questions": [{"field_name": "last_name", "required": false}, {"field_name": "org", "required": false}],
            "custom_questions": [{"title": "How did you hear about us?", "type": "short", "required": false, "answers": []}],
        });
        for k in 0..(2 + world.rng.below(4)) {
            let status = if m.approval_type() == 0 {
                "approved"
            } else {
                "pending"
            };
            let r = Registrant {
                id: world.new_id(),
                email: format!("visitor{}.{}@example.org", k + 1, m.id % 1000),
                first_name: world.rng.pick(FIRST).to_string(),
                last_name: world.rng.pick(LAST).to_string(),
                status: status.into(),
                join_token: world.rng.token(43),
                pin: 100_000_000 + world.rng.below(900_000_000) as i64,
                create_time: created + Duration::days(1 + k as i64),
                extra: serde_json::Map::new(),
            };
            m.registrants.push(r);
        }
    }
    world.meetings.insert(m.id, m);
}

/// One past recorded instance: of the host's recurring meeting sometimes, else of a past
/// (possibly expired) one-off meeting created for it.
fn add_recording(world: &mut World, host: &User, months: u32, anchor: DateTime<Utc>, _base: &str) {
    let days_ago = 1 + world.rng.below(months as u64 * 30) as i64;
    let start = local_start(
        anchor,
        -days_ago,
        9 + world.rng.below(8) as u32,
        0,
        &host.timezone,
    );
    let duration = 20 + world.rng.below(100) as i64;
    let recurring = world
        .meetings
        .values()
        .find(|m| m.host_id == host.id && m.kind == 8)
        .map(|m| (m.id, m.topic.clone(), m.kind));
    let (meeting_id, topic, kind) = match recurring {
        Some(r) if world.rng.chance(30) => r,
        _ => {
            let body = json!({"topic": format!("{} (recorded)", world.rng.pick(TOPICS)), "type": 2,
                              "duration": duration, "start_time": fmt_time(start)});
            let Ok(m) = build_meeting(world, host, &body, false, start - Duration::days(7)) else {
                return;
            };
            let out = (m.id, m.topic.clone(), m.kind);
            world.meetings.insert(m.id, m);
            out
        }
    };
    // chance (percent) that a recording has each file kind of FILE_KINDS
    let mut files = Vec::new();
    for (kind, pct) in FILE_KINDS.into_iter().zip([100, 100, 60, 40]) {
        if world.rng.chance(pct) {
            files.extend(recording_file(world, kind, start, duration));
        }
    }
    let rec = Recording {
        meeting_uuid: world.new_uuid(),
        meeting_id,
        host_id: host.id.clone(),
        account_id: host.account_id.clone(),
        topic,
        kind,
        start_time: start,
        duration,
        timezone: host.timezone.clone(),
        password: world.rng.token(8),
        play_passcode: world.rng.token(32),
        share_token: world.rng.token(64),
        download_token: world.rng.token(200),
        files,
        status: if world.rng.chance(5) {
            RecordingStatus::Trashed
        } else {
            RecordingStatus::Active
        },
        deleted_time: None,
    };
    world.recordings.push(rec);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world(seed: u64) -> World {
        let settings = Settings {
            auto_consent: false,
            marketplace_mode: false,
            webhook_url: None,
            duplicate: false,
            out_of_order: false,
            rate_limits: Default::default(),
            access_token_ttl_secs: 3599,
        };
        World::new(settings, Rng::new(seed))
    }

    #[test]
    fn same_seed_same_world_different_seed_different_world() {
        let now: DateTime<Utc> = "2025-02-03T10:00:00Z".parse().unwrap();
        let opts = SeedOptions {
            seed: 7,
            ..SeedOptions::default()
        };
        let (mut a, mut b, mut c) = (world(7), world(7), world(8));
        populate(&mut a, &opts, "http://x", now);
        populate(&mut b, &opts, "http://x", now);
        populate(
            &mut c,
            &SeedOptions {
                seed: 8,
                ..opts.clone()
            },
            "http://x",
            now,
        );
        let ids = |w: &World| w.meetings.keys().copied().collect::<Vec<_>>();
        assert_eq!(ids(&a), ids(&b));
        assert_ne!(ids(&a), ids(&c));
        assert_eq!(a.users.len(), 4);
        assert!(a.meetings.len() >= 4 * 120, "hundreds of meetings");
        assert_eq!(a.recordings.len(), 4 * 60);
        let months: std::collections::BTreeSet<_> = a
            .recordings
            .iter()
            .map(|r| r.start_time.format("%Y-%m").to_string())
            .collect();
        assert!(
            months.len() >= 12,
            "recordings span many months: {months:?}"
        );
        assert!(
            a.meetings
                .values()
                .any(|m| m.kind == 8 && m.occurrences.len() > 1)
        );
        assert!(a.meetings.values().any(|m| m.topic.contains("<script>")));
        assert!(
            a.meetings
                .values()
                .any(|m| m.agenda.chars().count() == 2000)
        );
        let zones: std::collections::BTreeSet<_> =
            a.users.iter().map(|u| u.timezone.clone()).collect();
        assert_eq!(zones.len(), 4);
    }
}

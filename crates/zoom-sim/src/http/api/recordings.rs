//! The cloud recording routes (docs/zoom.md §4.5): per user with `from`/`to` (UTC dates, at most
//! one month, default today → tomorrow) and trash, and per meeting (numeric ID = latest instance,
//! or an instance UUID, double-encoded when needed).

use std::sync::Arc;

use chrono::{Duration, Months, NaiveDate};
use poem::http::Method;
use serde_json::{Value, json};

use super::paging::{paginate, with_page};
use crate::error::ApiError;
use crate::http::access::{Scopes, target_user};
use crate::http::call::{Call, percent_decode};
use crate::http::pipeline::{Kind, Routes};
use crate::http::respond::{HResult, json_response};
use crate::sim::Sim;
use crate::wire::recording_json;
use crate::world::rate_limit::Category;
use crate::world::{Recording, RecordingStatus, World};

const LIST: Scopes = Scopes {
    user: &[
        "cloud_recording:read:list_user_recordings",
        "recording:read",
    ],
    admin: &[
        "cloud_recording:read:list_user_recordings:admin",
        "recording:read:admin",
    ],
};
const FILES: Scopes = Scopes {
    user: &[
        "cloud_recording:read:list_recording_files",
        "recording:read",
    ],
    admin: &[
        "cloud_recording:read:list_recording_files:admin",
        "recording:read:admin",
    ],
};

/// Registers the recording routes.
pub(super) fn routes(r: &mut Routes) {
    r.add(
        Method::GET,
        "/v2/users/{userId}/recordings",
        Kind::Api(Category::Medium, LIST),
        list,
    );
    r.add(
        Method::GET,
        "/v2/meetings/{meetingId}/recordings",
        Kind::Api(Category::Light, FILES),
        for_meeting,
    );
}

fn date(call: &Call, name: &str, default: NaiveDate) -> Result<NaiveDate, ApiError> {
    match call.query(name).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| ApiError::invalid(name, "Invalid field.")),
    }
}

/// `from`/`to` with Zoom's defaults and its one-month window rule (docs/zoom.md §4.5).
fn window(call: &Call, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let from = date(call, "from", today)?;
    let to = date(call, "to", today + Duration::days(1))?;
    if to < from {
        return Err(ApiError::bad_request(
            "The 'to' date cannot be earlier than the 'from' date.",
        ));
    }
    if from
        .checked_add_months(Months::new(1))
        .is_some_and(|limit| to > limit)
    {
        return Err(ApiError::bad_request(
            "The date range cannot exceed one month.",
        ));
    }
    Ok((from, to))
}

async fn list(sim: Arc<Sim>, call: Call) -> HResult {
    let now = sim.now();
    let (from, to) = window(&call, now.date_naive())?;
    let trash = call.query("trash") == Some("true");
    let meeting_filter = call.query("meeting_id").and_then(|s| s.parse::<i64>().ok());
    let mut world = sim.world();
    let host_id = target_user(&world, call.auth(), &call.param("userId"))?
        .id
        .clone();
    let wanted = if trash {
        RecordingStatus::Trashed
    } else {
        RecordingStatus::Active
    };
    let mut found: Vec<&Recording> = world
        .recordings
        .iter()
        .filter(|r| r.host_id == host_id && r.status == wanted)
        .filter(|r| trash || (r.start_time.date_naive() >= from && r.start_time.date_naive() <= to))
        .filter(|r| meeting_filter.is_none_or(|id| r.meeting_id == id))
        .collect();
    found.sort_by_key(|r| std::cmp::Reverse(r.start_time));
    let items: Vec<Value> = found
        .iter()
        .map(|r| recording_json(&sim.url, r, false))
        .collect();
    let (page, info) = paginate(&mut world, &call, now, items)?;
    let body = json!({"from": from.to_string(), "to": to.to_string(), "meetings": page});
    Ok(json_response(200, &with_page(body, info)))
}

/// `meetingId` is a numeric ID (latest instance) or a UUID, possibly double-encoded
/// (docs/zoom.md §4.1).
fn find_instance<'w>(world: &'w World, key: &str, account_id: &str) -> Option<&'w Recording> {
    let active = world
        .recordings
        .iter()
        .filter(|r| r.status == RecordingStatus::Active && r.account_id == account_id);
    match key.parse::<i64>() {
        Ok(id) => active
            .filter(|r| r.meeting_id == id)
            .max_by_key(|r| r.start_time),
        Err(_) => active.into_iter().find(|r| r.meeting_uuid == key),
    }
}

async fn for_meeting(sim: Arc<Sim>, call: Call) -> HResult {
    let mut key = percent_decode(call.raw_param("meetingId"));
    if key.contains('%') {
        key = percent_decode(&key);
    }
    let auth = call.auth();
    let world = sim.world();
    let rec = find_instance(&world, &key, &auth.account_id).ok_or_else(ApiError::no_recording)?;
    if rec.host_id != auth.user_id && !auth.is_admin() {
        return Err(ApiError::no_recording().into());
    }
    let mut body = recording_json(&sim.url, rec, true);
    if call.query("include_fields") == Some("download_access_token") {
        body["download_access_token"] = json!(rec.download_token);
    }
    Ok(json_response(200, &body))
}

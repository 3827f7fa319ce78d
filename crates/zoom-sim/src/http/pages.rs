//! The browser-facing pages behind the URLs the simulator hands out (join, start, registration,
//! recording play/share/download, deeplinks), so `marquee dev` never sends anyone to zoom.us.
//! Recording downloads follow docs/zoom.md §4.5: Bearer token only (access token or the webhook's
//! `download_token`), answered with a redirect to the "file host".

use std::sync::Arc;

use poem::http::Method;

use super::call::Call;
use super::pipeline::{Kind, Routes};
use super::respond::{HResult, escape, html, redirect, zoom_error};
use crate::error::ApiError;
use crate::sim::Sim;
use crate::wire::derived_token;
use crate::world::{Recording, RecordingStatus};

/// Registers the browser pages.
pub(crate) fn routes(r: &mut Routes) {
    let p = Kind::Plain;
    r.add(Method::GET, "/", p, home);
    r.add(Method::GET, "/j/{meetingId}", p, join);
    r.add(Method::GET, "/w/{meetingId}", p, join);
    r.add(Method::GET, "/s/{meetingId}", p, start);
    r.add(Method::GET, "/meeting/register/{token}", p, register_page);
    r.add(Method::GET, "/webinar/register/{token}", p, register_page);
    r.add(Method::GET, "/rec/play/{fileId}", p, play);
    r.add(Method::GET, "/rec/share/{token}", p, share);
    r.add(Method::GET, "/rec/download/{fileId}", p, download);
    r.add(Method::GET, "/rec/file/{fileId}", p, file);
    r.add(Method::GET, "/launch/chatapp/{clientId}/{token}", p, launch);
}

fn page(status: u16, title: &str, body: &str) -> poem::Response {
    html(
        status,
        format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t} - Zoom (simulated)</title>\
             <style>body{{font-family:sans-serif;max-width:40em;margin:3em auto}}</style></head>\
             <body><p><strong>Zoom</strong> (local simulator)</p><h1>{t}</h1>{body}</body></html>",
            t = escape(title)
        ),
    )
}

async fn home(sim: Arc<Sim>, _call: Call) -> HResult {
    let world = sim.world();
    let who = world
        .session_user
        .as_deref()
        .and_then(|id| world.user(id))
        .map(|u| format!("{} ({})", u.email, u.id))
        .unwrap_or_else(|| "nobody".into());
    Ok(page(
        200,
        "Zoom simulator",
        &format!(
            "<p>Signed in as {}.</p><p>OAuth: <code>{url}/oauth/authorize</code>, API: <code>{url}/v2</code>, \
             control: <a href=\"/_sim\"><code>{url}/_sim</code></a>.</p>",
            escape(&who),
            url = escape(&sim.url)
        ),
    ))
}

async fn join(sim: Arc<Sim>, call: Call) -> HResult {
    let world = sim.world();
    let id: i64 = call.param("meetingId").parse().unwrap_or_default();
    let Some(m) = world.meetings.get(&id) else {
        return Ok(page(
            404,
            "This meeting link is invalid",
            "<p>The meeting does not exist or has expired.</p>",
        ));
    };
    if let Some(tk) = call.query("tk") {
        let known = m
            .registrants
            .iter()
            .any(|r| r.join_token == tk && r.status == "approved");
        if !known {
            return Ok(page(
                403,
                "Registration required",
                "<p>This personal link is not valid.</p>",
            ));
        }
    }
    Ok(page(
        200,
        &m.topic,
        "<p>You would now join this meeting in the Zoom client.</p>",
    ))
}

async fn start(sim: Arc<Sim>, call: Call) -> HResult {
    let world = sim.world();
    let id: i64 = call.param("meetingId").parse().unwrap_or_default();
    match world.meetings.get(&id) {
        Some(m) if call.query("zak") == Some(m.zak.as_str()) => Ok(page(
            200,
            &m.topic,
            "<p>You would now start this meeting as its host.</p>",
        )),
        _ => Ok(page(
            403,
            "Cannot start meeting",
            "<p>The start link is invalid or has expired.</p>",
        )),
    }
}

async fn register_page(sim: Arc<Sim>, call: Call) -> HResult {
    let world = sim.world();
    let token = call.param("token");
    let m = world
        .meetings
        .values()
        .find(|m| derived_token(&["reg", &m.id.to_string()]) == token);
    match m {
        Some(m) => Ok(page(
            200,
            &format!("Register: {}", m.topic),
            "<p>Zoom's own registration form would be here.</p>",
        )),
        None => Ok(page(404, "Registration not found", "")),
    }
}

fn recording_by_file<'w>(recs: &'w [Recording], file_id: &str) -> Option<&'w Recording> {
    recs.iter()
        .find(|r| r.status == RecordingStatus::Active && r.files.iter().any(|f| f.id == file_id))
}

/// Play and share pages accept `?pwd=<recording_play_passcode>` (docs/zoom.md §4.5).
fn passcode_gate(rec: &Recording, call: &Call) -> HResult {
    match call.query("pwd") {
        Some(p) if p == rec.play_passcode || p == rec.password => Ok(page(
            200,
            &rec.topic,
            "<p>The recording would play here.</p>",
        )),
        Some(_) => Ok(page(403, "Wrong passcode", "<p>The passcode is wrong.</p>")),
        None => Ok(page(
            401,
            "Enter the passcode",
            "<form><input name=\"pwd\"><button>Watch</button></form>",
        )),
    }
}

async fn play(sim: Arc<Sim>, call: Call) -> HResult {
    let world = sim.world();
    match recording_by_file(&world.recordings, &call.param("fileId")) {
        Some(rec) => passcode_gate(rec, &call),
        None => Ok(page(404, "This recording does not exist", "")),
    }
}

async fn share(sim: Arc<Sim>, call: Call) -> HResult {
    let world = sim.world();
    let token = call.param("token");
    match world
        .recordings
        .iter()
        .find(|r| r.share_token == token && r.status == RecordingStatus::Active)
    {
        Some(rec) => passcode_gate(rec, &call),
        None => Ok(page(404, "This recording does not exist", "")),
    }
}

/// Bearer only; query-string tokens are refused like the API does (docs/zoom.md §1.7, §4.5).
async fn download(sim: Arc<Sim>, call: Call) -> HResult {
    if call.query("access_token").is_some() {
        return Err(zoom_error(
            401,
            124,
            "Invalid access token, this access token is not supported as query parameter string.",
        ));
    }
    let bearer = call
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_string();
    let now = sim.now();
    let world = sim.world();
    let file_id = call.param("fileId");
    let rec = recording_by_file(&world.recordings, &file_id).ok_or_else(ApiError::no_recording)?;
    let token_ok = rec.download_token == bearer
        || world
            .access_tokens
            .get(&bearer)
            .is_some_and(|t| t.account_id == rec.account_id && t.expires_at > now);
    if !token_ok {
        return Err(zoom_error(401, 124, "Invalid access token."));
    }
    let sig = derived_token(&["file", &file_id, &sim.client_secret]);
    Ok(redirect(&format!(
        "{}/rec/file/{file_id}?sig={sig}",
        sim.url
    )))
}

async fn file(sim: Arc<Sim>, call: Call) -> HResult {
    let file_id = call.param("fileId");
    if call.query("sig") != Some(derived_token(&["file", &file_id, &sim.client_secret]).as_str()) {
        return Ok(page(403, "Forbidden", ""));
    }
    let world = sim.world();
    let rec =
        recording_by_file(&world.recordings, &file_id).ok_or_else(|| page(404, "Gone", ""))?;
    let f = rec
        .files
        .iter()
        .find(|f| f.id == file_id)
        .expect("found by id");
    let body = format!(
        "simulated {} file of \"{}\" ({} bytes in Zoom)\n",
        f.file_type, rec.topic, f.file_size
    );
    Ok(poem::Response::builder()
        .content_type("application/octet-stream")
        .header(
            "content-disposition",
            format!(
                "attachment; filename=\"{}.{}\"",
                f.id,
                f.file_extension.to_lowercase()
            ),
        )
        .body(body))
}

async fn launch(sim: Arc<Sim>, call: Call) -> HResult {
    let ok = call.param("clientId") == sim.client_id;
    let (status, msg) = if ok {
        (200, "<p>The Zoom client would open the app now.</p>")
    } else {
        (404, "<p>Unknown app.</p>")
    };
    Ok(page(status, "Opening Zoom", msg))
}

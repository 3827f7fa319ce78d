//! Users of the simulated Zoom, from outside: create and list them, choose who is signed in on
//! zoom.us (the one who consents), and remove the app as a user would in Zoom (docs/zoom.md §2.8).

use std::sync::Arc;

use poem::http::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::replies::{bad_request, not_found};
use crate::http::call::Call;
use crate::http::pipeline::{Kind, Routes};
use crate::http::respond::{HResult, json_response};
use crate::ops::grants::deauthorize;
use crate::ops::users::{NewUserInput, add_user};
use crate::sim::Sim;
use crate::wire::user_json;
use crate::world::{Plan, Role};

/// Registers the user routes.
pub(super) fn routes(r: &mut Routes) {
    let p = Kind::Plain;
    r.add(Method::POST, "/_sim/users", p, create_user);
    r.add(Method::GET, "/_sim/users", p, list_users);
    r.add(Method::PUT, "/_sim/session", p, set_session);
    r.add(
        Method::POST,
        "/_sim/users/{userId}/deauthorize",
        p,
        deauthorize_user,
    );
}

/// The body of `POST /_sim/users`.
#[derive(Deserialize)]
struct NewUser {
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
    timezone: Option<String>,
    account_id: Option<String>,
    plan: Option<Plan>,
    role: Option<Role>,
}

async fn create_user(sim: Arc<Sim>, call: Call) -> HResult {
    let input: NewUser = call
        .json()
        .map_err(|_| bad_request("body must be {\"email\", \"first_name\", ...}"))?;
    let first = input
        .first_name
        .unwrap_or_else(|| input.email.split('@').next().unwrap_or("").to_string());
    let now = sim.now();
    let mut world = sim.world();
    let user = add_user(
        &mut world,
        NewUserInput {
            email: input.email,
            first_name: first,
            last_name: input.last_name.unwrap_or_default(),
            timezone: input.timezone,
            account_id: input.account_id,
            plan: input.plan,
            role: input.role,
        },
        now,
    )
    .map_err(bad_request)?;
    Ok(json_response(
        201,
        &user_json(&sim.url, &user, world.account_of(&user)),
    ))
}

async fn list_users(sim: Arc<Sim>, _call: Call) -> HResult {
    let world = sim.world();
    let users: Vec<Value> = world
        .users
        .iter()
        .map(|u| user_json(&sim.url, u, world.account_of(u)))
        .collect();
    Ok(json_response(
        200,
        &json!({"users": users, "signed_in_user": world.session_user}),
    ))
}

async fn set_session(sim: Arc<Sim>, call: Call) -> HResult {
    let body: Value = call
        .json()
        .map_err(|_| bad_request("body must be {\"user_id\"}"))?;
    let mut world = sim.world();
    let key = body["user_id"].as_str().unwrap_or("");
    let id = world
        .resolve_user(key, "")
        .map(|u| u.id.clone())
        .ok_or_else(|| not_found("user"))?;
    world.session_user = Some(id.clone());
    Ok(json_response(200, &json!({"signed_in_user": id})))
}

/// The user removes the app in Zoom: tokens die and `app_deauthorized` is sent (docs/zoom.md §2.8).
async fn deauthorize_user(sim: Arc<Sim>, call: Call) -> HResult {
    let mut world = sim.world();
    let id = world
        .resolve_user(&call.param("userId"), "")
        .map(|u| u.id.clone())
        .ok_or_else(|| not_found("user"))?;
    let killed = deauthorize(&sim, &mut world, &id);
    Ok(json_response(200, &json!({"revoked_tokens": killed})))
}

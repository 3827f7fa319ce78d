//! `GET /users/me`, `GET /users/{userId}` and `GET /users` (docs/zoom.md §4.2, §1.8).

use std::sync::Arc;

use poem::http::Method;
use serde_json::json;

use super::paging::{paginate, with_page};
use crate::http::access::{Scopes, target_user};
use crate::http::call::Call;
use crate::http::pipeline::{Kind, Routes};
use crate::http::respond::{HResult, json_response};
use crate::sim::Sim;
use crate::wire::user_json;
use crate::world::rate_limit::Category;

const READ_USER: Scopes = Scopes {
    user: &["user:read:user", "user:read", "user_info:read"],
    admin: &["user:read:user:admin", "user:read:admin"],
};
const LIST_USERS: Scopes = Scopes {
    user: &[],
    admin: &["user:read:list_users:admin", "user:read:admin"],
};

/// Registers the user routes.
pub(super) fn routes(r: &mut Routes) {
    r.add(
        Method::GET,
        "/v2/users/me",
        Kind::Api(Category::Light, READ_USER),
        get_me,
    );
    r.add(
        Method::GET,
        "/v2/users/{userId}",
        Kind::Api(Category::Light, READ_USER),
        get_user,
    );
    r.add(
        Method::GET,
        "/v2/users",
        Kind::Api(Category::Medium, LIST_USERS),
        list_users,
    );
}

async fn get_me(sim: Arc<Sim>, call: Call) -> HResult {
    show_user(&sim, &call, "me")
}

async fn get_user(sim: Arc<Sim>, call: Call) -> HResult {
    show_user(&sim, &call, &call.param("userId"))
}

fn show_user(sim: &Sim, call: &Call, key: &str) -> HResult {
    let world = sim.world();
    let user = target_user(&world, call.auth(), key)?;
    Ok(json_response(
        200,
        &user_json(&sim.url, user, world.account_of(user)),
    ))
}

/// Account-level list; `status` other than `active` is empty (every simulated user is active).
async fn list_users(sim: Arc<Sim>, call: Call) -> HResult {
    let now = sim.now();
    let mut world = sim.world();
    let auth = call.auth();
    let status = call.query("status").unwrap_or("active");
    let role = call.query("role_id");
    let users: Vec<_> = world
        .users
        .iter()
        .filter(|u| u.account_id == auth.account_id && status == "active")
        .filter(|u| role.is_none_or(|r| u.role.zoom().0 == r))
        .map(|u| user_json(&sim.url, u, world.account_of(u)))
        .collect();
    let (page, info) = paginate(&mut world, &call, now, users)?;
    Ok(json_response(
        200,
        &with_page(json!({ "users": page }), info),
    ))
}

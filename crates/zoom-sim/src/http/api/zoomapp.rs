//! `POST /zoomapp/deeplink` (docs/zoom.md §3.6, §7.9): returns a deeplink served by the simulator
//! and remembers `action`, which comes back as `act` in the user's next app context.

use std::sync::Arc;

use poem::http::Method;
use serde_json::{Value, json};

use crate::http::access::{Scopes, target_user};
use crate::http::call::Call;
use crate::http::pipeline::{Kind, Routes};
use crate::http::respond::{HResult, json_response, zoom_error};
use crate::sim::Sim;
use crate::world::rate_limit::Category;

const DEEPLINK: Scopes = Scopes {
    user: &["app:deeplink:write"],
    admin: &[
        "marketplace:write:app_deeplink:admin",
        "app:deeplink:write:admin",
    ],
};

/// Registers the deeplink route.
pub(super) fn routes(r: &mut Routes) {
    r.add(
        Method::POST,
        "/v2/zoomapp/deeplink",
        Kind::Api(Category::Medium, DEEPLINK),
        deeplink,
    );
}

async fn deeplink(sim: Arc<Sim>, call: Call) -> HResult {
    let body: Value = call.json()?;
    let action = body["action"].as_str().unwrap_or("").to_string();
    if action.chars().count() > 256 {
        return Err(zoom_error(
            400,
            300,
            "The action field is too long; it can be at most 256 characters.",
        ));
    }
    if !matches!(
        body.get("type").and_then(Value::as_i64),
        None | Some(1) | Some(2)
    ) {
        return Err(zoom_error(400, 300, "Invalid field: type."));
    }
    let mut world = sim.world();
    let user_key = body["user_id"].as_str().unwrap_or("me").to_string();
    let user_id = target_user(&world, call.auth(), &user_key)?.id.clone();
    let token = world.rng.token(40);
    if !action.is_empty() {
        world.pending_actions.insert(user_id, action);
    }
    Ok(json_response(
        200,
        &json!({"deeplink": format!("{}/launch/chatapp/{}/{token}", sim.url, sim.client_id)}),
    ))
}

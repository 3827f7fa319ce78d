//! Ending an app's authorization (docs/zoom.md §1.4, §1.6, §2.8): a user's tokens die when they
//! authorize again, when the app revokes a token, or when they remove the app in Zoom; the last
//! two send `app_deauthorized`.

use crate::events::{self, App};
use crate::sim::Sim;
use crate::world::World;

/// Kills every access and refresh token of `user_id`; returns how many there were.
pub(crate) fn revoke_user_tokens(world: &mut World, user_id: &str) -> usize {
    let before = world.access_tokens.len() + world.refresh_tokens.len();
    world.access_tokens.retain(|_, t| t.user_id != user_id);
    world.refresh_tokens.retain(|_, t| t.user_id != user_id);
    before - world.access_tokens.len() - world.refresh_tokens.len()
}

/// Kills every token of `user_id` and emits `app_deauthorized` (docs/zoom.md §1.6, §2.8).
pub(crate) fn deauthorize(sim: &Sim, world: &mut World, user_id: &str) -> usize {
    let killed = revoke_user_tokens(world, user_id);
    if let Some(user) = world.user(user_id) {
        let app = App {
            client_id: &sim.client_id,
            client_secret: &sim.client_secret,
        };
        let ev = events::app_deauthorized(
            &app,
            &user.account_id,
            &user.id,
            sim.now().timestamp_millis(),
        );
        sim.emit(ev);
    }
    killed
}

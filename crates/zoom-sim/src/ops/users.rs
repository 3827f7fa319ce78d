//! Adding users to the simulated Zoom, as an admin would in Zoom's UI (the control API and the
//! seed): an e-mail unique in the whole world, a known time zone, a new account unless one is
//! named, and the first user ever becomes the signed-in one. Also who a host is as an operator.

use chrono::{DateTime, Utc};

use crate::events::Operator;
use crate::world::recurrence::parse_tz;
use crate::world::{Account, Plan, Role, User, World};

/// Adds a user (and an account when `account_id` is omitted); the first user signs in.
pub(crate) fn add_user(
    world: &mut World,
    input: NewUserInput,
    now: DateTime<Utc>,
) -> Result<User, String> {
    if !input.email.contains('@') {
        return Err("email is invalid".into());
    }
    if world
        .users
        .iter()
        .any(|u| u.email.eq_ignore_ascii_case(&input.email))
    {
        return Err(format!("a user with e-mail {} exists", input.email));
    }
    let timezone = input.timezone.unwrap_or_else(|| "UTC".into());
    if parse_tz(&timezone).is_none() {
        return Err(format!("unknown timezone {timezone}"));
    }
    let (account_id, default_role) = account_for(world, input.account_id, input.plan)?;
    let user = User {
        id: world.new_id(),
        account_id,
        email: input.email,
        first_name: input.first_name,
        last_name: input.last_name,
        timezone,
        role: input.role.unwrap_or(default_role),
        pmi: 2_000_000_000 + (world.rng.next() % 7_999_999_999) as i64,
        created_at: now,
    };
    world.users.push(user.clone());
    world.session_user.get_or_insert_with(|| user.id.clone());
    Ok(user)
}

/// The account a new user joins (as a member), or a new one of `plan` (default pro) that the
/// user will own.
fn account_for(
    world: &mut World,
    account_id: Option<String>,
    plan: Option<Plan>,
) -> Result<(String, Role), String> {
    match account_id {
        Some(id) if world.accounts.contains_key(&id) => Ok((id, Role::Member)),
        Some(id) => Err(format!("account {id} not found")),
        None => {
            let id = world.new_id();
            let number = 10_000_000 + (world.rng.next() % 89_999_999) as i64;
            let plan = plan.unwrap_or(Plan::Pro);
            world.accounts.insert(
                id.clone(),
                Account {
                    id: id.clone(),
                    number,
                    plan,
                },
            );
            Ok((id, Role::Owner))
        }
    }
}

/// What [`add_user`] needs (shared with the seed generator).
pub(crate) struct NewUserInput {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub timezone: Option<String>,
    pub account_id: Option<String>,
    pub plan: Option<Plan>,
    pub role: Option<Role>,
}

/// The host acting in the Zoom UI: operator = the host.
pub(crate) fn host_operator(world: &World, host_id: &str) -> Option<Operator> {
    world.user(host_id).map(Operator::of)
}

//! What happens in the simulated Zoom, whoever asks: the REST API (a caller with a token), the
//! control API (a host in Zoom's UI, a visitor on Zoom's registration page) and the seed. Each
//! operation validates like Zoom, changes the [`crate::world::World`] and emits the webhook the
//! change causes; failures are Zoom's [`crate::error::ApiError`]s. No HTTP types here.

pub(crate) mod grants;
mod meeting_fields;
pub(crate) mod meetings;
pub(crate) mod recordings;
pub(crate) mod registrants;
pub(crate) mod users;

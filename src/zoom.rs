//! Everything Marquee knows about Zoom: the typed HTTP client and its errors, the granular
//! scopes, and the pure protocol pieces (webhook signatures, PKCE, the Zoom App context header,
//! payload models) that come from the `marquee-zoom-protocol` crate, shared with the simulator.
//!
//! This module never touches the database; services combine it with storage.

pub mod client;
pub mod error;
pub mod scopes;

pub use client::ZoomClient;
pub use error::ZoomError;
pub use marquee_zoom_protocol::{app_context, models, pkce, signature, webhook_event};

//! Everything Marquee knows about Zoom: the typed HTTP client, payload models, and the pure
//! protocol pieces (webhook signatures, PKCE, the Zoom App context header).
//!
//! This module never touches the database; services combine it with storage.

pub mod app_context;
pub mod pkce;
pub mod signature;

//! Everything Marquee knows about Zoom: the typed HTTP client, payload models, and the pure
//! protocol pieces (webhook signatures, PKCE, the Zoom App context header).
//!
//! This module never touches the database; services combine it with storage.

pub mod app_context;
pub mod client;
pub mod error;
pub mod models;
pub mod pkce;
pub mod scopes;
pub mod signature;
pub mod webhook_event;

pub use client::ZoomClient;
pub use error::ZoomError;

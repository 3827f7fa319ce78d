//! Zoom's wire protocol, shared by Marquee and its Zoom simulator so the two sides cannot drift
//! apart: webhook signatures and URL-validation answers ([`signature`]), PKCE ([`pkce`]), the
//! encrypted `x-zoom-app-context` header of Zoom Apps ([`app_context`]) and the serde models of
//! Zoom's payloads ([`models`]) and of its webhook events ([`webhook_event`]).
//!
//! Everything here is a pure function of its arguments (clocks are passed in): no I/O, no
//! HTTP client, no storage. Each module carries the docs/zoom.md vectors it must reproduce as unit
//! tests (W1 and V2 for signatures, Z2 for the app context, RFC 7636 appendix B for PKCE).

pub mod app_context;
pub mod models;
pub mod pkce;
pub mod signature;
pub mod webhook_event;

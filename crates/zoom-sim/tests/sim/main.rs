//! The Zoom simulator, exercised over real HTTP on loopback: one test per behaviour, pinned to
//! the docs/zoom.md vectors (W1/V2 §2, Z2 §3.4, PKCE §1.2) where they apply. One test binary,
//! one module per area.

mod control;
mod helpers;
mod oauth;
mod rate_limits;
mod rest;
mod webhooks;

//! Marquee: one Zoom OAuth app serving thousands of hosted sites.
//!
//! Layering (see docs/architecture.md): `http` → `service` → `store` / `zoom` / `crypto` →
//! `domain`. `domain` depends on nothing in the crate; `http` never names diesel types;
//! `store` never names poem types. The Zoom protocol (signatures, PKCE, app context, payload
//! models) is the `marquee-zoom-protocol` crate, re-exported under `zoom`; the Zoom simulator is
//! the `marquee-zoom-sim` crate, linked only with the default `simulator` feature (for `dev`).

pub mod app;
pub mod cli;
pub mod config;
pub mod crypto;
#[cfg(feature = "simulator")]
pub mod dev;
pub mod domain;
pub mod http;
pub mod i18n;
pub mod service;
pub mod store;
pub mod telemetry;
pub mod templates;
pub mod zoom;

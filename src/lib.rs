//! Marquee: one Zoom OAuth app serving thousands of hosted sites.
//!
//! Layering (see docs/architecture.md): `http` → `service` → `store` / `zoom` / `crypto` →
//! `domain`. `domain` depends on nothing in the crate; `http` never names diesel types;
//! `store` never names poem types. The Zoom `simulator` is a separate room used by `dev` and tests.

pub mod app;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod dev;
pub mod domain;
pub mod http;
pub mod i18n;
pub mod service;
pub mod simulator;
pub mod store;
pub mod telemetry;
pub mod templates;
pub mod zoom;

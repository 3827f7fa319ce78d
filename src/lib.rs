//! Marquee: one Zoom OAuth app serving thousands of hosted sites.
//!
//! Layering (see docs/architecture.md): `http` → `service` → `store` / `zoom` / `crypto` →
//! `domain`. `domain` depends on nothing in the crate; `http` never names diesel types;
//! `store` never names poem types. The Zoom `simulator` is a separate room used by `dev` and tests.

pub mod config;
pub mod domain;
pub mod service;
pub mod store;
pub mod crypto;
pub mod simulator;
pub mod zoom;
pub mod http;
pub mod templates;
pub mod app;
pub mod cli;
pub mod telemetry;
pub mod dev;

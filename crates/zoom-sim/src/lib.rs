//! A faithful local Zoom: OAuth (zoom.us), the REST API (api.zoom.us/v2), signed webhooks, rate
//! limits, a seeded world and a control API, all on one loopback port.
//!
//! `docs/zoom.md` is the source of truth; each behaviour cites its section (§7 is
//! the fidelity checklist). Tests start it in-process with [`start`] on `127.0.0.1:0`;
//! `marquee dev` and `marquee zoom-sim` start it the same way. What it covers and what it does not:
//! `docs/simulator.md`.
//!
//! Layers, each importing only the ones below it:
//! 1. [`world`]: the in-memory Zoom (accounts, users, meetings, registrants, recordings, grants,
//!    rate-limit counters, the seeded RNG). Imports nothing else of the crate.
//! 2. The runtime around it: [`sim`] (the shared handle: world mutex, clock, settings), with
//!    [`stats`], [`faults`], [`conns`] and the webhook [`outbox`]; and the pure views of the
//!    world: [`wire`] (Zoom's JSON), [`events`] (webhook payloads), [`error`] (API errors).
//! 3. [`ops`]: what happens in Zoom (create a meeting, register, finish a recording, revoke
//!    tokens), each change with its webhook. Shared by the REST API, the control API and the seed.
//! 4. [`delivery`] (signing, sending and retrying webhooks) and [`seed`] (demo worlds, built
//!    through `ops`).
//! 5. [`http`]: the routes (OAuth, `/v2`, `/_sim`, pages) through one pipeline, and
//!    [`server`], which starts it all.

#![expect(
    clippy::result_large_err,
    reason = "handlers return Result<Response, Response>: an error is a finished HTTP response \
              here, and boxing every one would only add noise to a test double"
)]

mod config;
mod conns;
mod delivery;
mod error;
mod events;
mod faults;
mod http;
mod ops;
mod outbox;
mod seed;
mod server;
mod sim;
mod stats;
mod wire;
mod world;

pub use config::{DEFAULT_SCOPES, SeedOptions, SimConfig};
pub use server::{RunningSimulator, start};
pub use world::rate_limit::{PlanRates, RateLimits};

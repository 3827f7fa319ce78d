//! Integration tests: the real HTTP server on loopback, the Zoom simulator over HTTP, and a real
//! database (SQLite by default, PostgreSQL with `MARQUEE_TEST_DB=postgres`). One binary.

mod browser;
mod config;
mod connect;
mod connection;
mod contract;
mod embedding;
mod errors;
mod events;
mod helpers;
mod idempotency;
mod input;
mod isolation;
mod meetings_admin;
mod openapi;
mod owner_data;
mod paging;
mod panel;
mod panel_browser;
mod panel_meetings;
mod panel_tools;
mod platform;
mod public;
mod registrants;
mod registration;
mod request_id;
mod scopes;
mod secrets;
mod site_origins;
mod strict;
mod sync;
mod webhooks;
mod widgets;

//! Embeddable widgets (`/embed/{site}/…`), the registration form's plain POST, the
//! "Add to calendar" download, and the `/embed.js` loader.
//!
//! Pages are rendered from Marquee's store, cached per tenant and content version (and
//! language, theme and parent origin), and served with a fresh CSP nonce per response: the
//! cached body carries a placeholder that cannot come from data (auto-escaping turns `<` into
//! `&lt;`), replaced on the way out. Because the nonce changes per response, widget pages are
//! `Cache-Control: private, no-cache` and carry no ETag (a 304 would pair an old body with a new
//! nonce); the JSON API is the HTTP-cacheable surface.
//!
//! | file               | role                                                          |
//! |--------------------|---------------------------------------------------------------|
//! | `handlers.rs`      | the endpoints: read, render through the page cache, answer    |
//! | `presentation.rs`  | the widget options of one request (language, theme, origin)   |
//! | `models.rs`        | the templates' typed contexts, one model per template         |
//! | `response.rs`      | per-response slots (nonce, form key), widget CSP, notices     |
//! | `form.rs`          | the no-JavaScript registration form's fields                  |
//!
//! The calendar file is written by `http::ics`.

mod form;
mod handlers;
mod models;
mod presentation;
mod response;

pub use form::KEY_FIELD as FORM_KEY_FIELD;
pub use handlers::{calendar, embed_js, meeting, meetings, recordings, register, webinars};
pub use response::refusal as refusal_page;

#[cfg(test)]
mod render_tests;

//! The top of the simulator: everything it serves over HTTP on one port. zoom.us's OAuth pages
//! and token endpoint ([`oauth`]), api.zoom.us under `/v2` ([`api`]), the control API under
//! `/_sim` ([`control`]) and the browser pages behind the links Zoom hands out ([`pages`]).
//! Each handler goes through the same [`pipeline`] (stats, faults, and for `/v2` the [`access`]
//! checks and rate limits), reads a [`call::Call`], changes the world through `crate::ops` and
//! answers through [`respond`].

pub(crate) mod acceptor;
mod access;
mod api;
mod call;
mod control;
mod oauth;
mod pages;
mod pipeline;
mod respond;

use std::sync::Arc;

use poem::http::HeaderValue;
use poem::{Endpoint, EndpointExt, IntoResponse};

use crate::sim::Sim;
use pipeline::Routes;
use respond::zoom_error;

/// The whole simulator: zoom.us (`/oauth`), api.zoom.us (`/v2`), the control API and pages.
pub(crate) fn router(sim: &Arc<Sim>) -> impl Endpoint + 'static {
    let mut routes = Routes::new(sim);
    oauth::routes(&mut routes);
    api::routes(&mut routes);
    control::routes(&mut routes);
    pages::routes(&mut routes);
    routes.build().around(|ep, req| async move {
        let mut resp = match ep.call(req).await {
            Ok(r) => r,
            Err(e) => {
                let status = e.status().as_u16();
                zoom_error(status, status as i64, e.to_string())
            }
        }
        .into_response();
        resp.headers_mut().insert("x-zm-trackingid", tracking_id());
        Ok(resp)
    })
}

/// `v=2.0;clid=…;rid=WEB_<32 hex>` like Zoom's (docs/zoom.md §1.7).
fn tracking_id() -> HeaderValue {
    let rid = hex::encode(rand::random::<[u8; 16]>());
    HeaderValue::from_str(&format!("v=2.0;clid=sim01;rid=WEB_{rid}")).expect("ASCII header value")
}

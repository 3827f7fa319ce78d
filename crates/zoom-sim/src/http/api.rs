//! What api.zoom.us serves under `/v2` (docs/zoom.md §4): users, meetings and webinars,
//! registrants, cloud recordings and Zoom App deeplinks, one file each. `crate::http::access`
//! authenticates and authorizes every call (§1.7–1.9); [`paging`] pages the lists (§4.1).

mod meetings;
mod paging;
mod recordings;
mod registrants;
mod users;
mod zoomapp;

use super::pipeline::Routes;

/// Registers every `/v2` route.
pub(crate) fn routes(r: &mut Routes) {
    users::routes(r);
    meetings::routes(r);
    registrants::routes(r);
    recordings::routes(r);
    zoomapp::routes(r);
}

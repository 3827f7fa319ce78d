//! What the HTTP layer knows about the client on the other end of a request, shared by the
//! JSON API and the widgets.

use std::net::IpAddr;

use poem::web::RemoteAddr;

/// The peer's IP address (Marquee does not trust forwarding headers; see docs/decisions.md).
pub fn client_ip(remote: &RemoteAddr) -> Option<IpAddr> {
    remote.as_socket_addr().map(|a| a.ip())
}

//! Outbound events (docs/events.md): what Marquee tells the platform's endpoints, and which
//! addresses an endpoint may have. Pure: the store writes them, the delivery worker signs and
//! sends them.

use std::net::IpAddr;

use super::status::text_enum;

text_enum! {
    /// An outbound event's `type` (`outbox_events.event_type`, `event_endpoints.events`).
    pub enum EventType {
        ConnectionConnected = "connection.connected",
        ConnectionNeedsReconnect = "connection.needs_reconnect",
        ConnectionDisconnected = "connection.disconnected",
        SyncCompleted = "sync.completed",
        SyncFailed = "sync.failed",
        MeetingCreated = "meeting.created",
        MeetingUpdated = "meeting.updated",
        MeetingDeleted = "meeting.deleted",
        RecordingAvailable = "recording.available",
        RegistrationCreated = "registration.created",
        RegistrationUpdated = "registration.updated",
        /// Sent only by the test-send of one endpoint, whatever it subscribed to.
        Ping = "ping",
    }
}

text_enum! {
    /// Where one event's delivery to one endpoint stands (`event_deliveries.status`).
    pub enum DeliveryStatus {
        /// Waiting for its first attempt or a retry.
        Pending = "pending",
        /// The endpoint answered 2xx.
        Delivered = "delivered",
        /// Retried for the whole retry period without a 2xx; replay sends it again.
        Failed = "failed",
    }
}

impl EventType {
    /// The types an endpoint subscribes to: all but `ping`, which is declared last.
    pub const SUBSCRIBABLE: &[Self] = match Self::ALL.split_last() {
        Some((Self::Ping, subscribable)) => subscribable,
        _ => panic!("`ping` is declared last"),
    };
}

/// Most event types one endpoint subscribes to (all of them, ping aside).
pub const MAX_ENDPOINT_EVENTS: usize = EventType::SUBSCRIBABLE.len();
/// Longest endpoint URL accepted.
pub const MAX_ENDPOINT_URL_CHARS: usize = 2048;
/// Most event ids one replay names.
pub const MAX_REPLAY_IDS: usize = 100;

/// The header names of a delivery.
pub const SIGNATURE_HEADER: &str = "Marquee-Signature";
pub const EVENT_ID_HEADER: &str = "Marquee-Event-Id";
pub const EVENT_TYPE_HEADER: &str = "Marquee-Event-Type";

/// Whether `ip` is an address on the public internet: not loopback, private (RFC 1918, unique
/// local), link-local, carrier-grade NAT, unspecified, broadcast, documentation or multicast.
/// An IPv4-mapped IPv6 address is judged as the IPv4 address it carries.
pub fn is_public_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            let cgnat = a == 100 && (64..128).contains(&b);
            let reserved = a == 0 || a >= 240;
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || cgnat
                || reserved)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_address(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            let unique_local = (first & 0xfe00) == 0xfc00;
            let link_local = (first & 0xffc0) == 0xfe80;
            let documentation = first == 0x2001 && v6.segments()[1] == 0x0db8;
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || unique_local
                || link_local
                || documentation)
        }
    }
}

/// Why an endpoint URL is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UrlRefusal {
    #[error("must be an absolute URL")]
    NotAUrl,
    #[error("must use https")]
    NotHttps,
    #[error("must not carry a user name or password")]
    Credentials,
    #[error("must not have a #fragment")]
    Fragment,
    #[error("its host does not resolve")]
    Unresolvable,
    #[error("its host resolves to a private, loopback or link-local address")]
    PrivateAddress,
}

/// The checks of an endpoint URL that need no DNS. `allow_private` (dev and tests) allows
/// `http` as well; otherwise only `https`.
pub fn check_url_shape(raw: &str, allow_private: bool) -> Result<url::Url, UrlRefusal> {
    let url = url::Url::parse(raw).map_err(|_| UrlRefusal::NotAUrl)?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(UrlRefusal::NotHttps),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(UrlRefusal::NotAUrl);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlRefusal::Credentials);
    }
    if url.fragment().is_some() {
        return Err(UrlRefusal::Fragment);
    }
    Ok(url)
}

/// The addresses a delivery may connect to among those `host` resolved to: all of them if
/// private ones are allowed, else the public ones, refusing the host if any is not public (a
/// name that also points inside is not trusted at all).
pub fn allowed_addresses(
    resolved: Vec<IpAddr>,
    allow_private: bool,
) -> Result<Vec<IpAddr>, UrlRefusal> {
    if resolved.is_empty() {
        return Err(UrlRefusal::Unresolvable);
    }
    if !allow_private && !resolved.iter().all(|ip| is_public_address(*ip)) {
        return Err(UrlRefusal::PrivateAddress);
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn private_loopback_and_link_local_are_not_public() {
        for s in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public_address(ip(s)), "{s}");
        }
        for s in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public_address(ip(s)), "{s}");
        }
    }

    #[test]
    fn url_shape_wants_https_unless_private_urls_are_allowed() {
        assert!(check_url_shape("https://hooks.example/in", false).is_ok());
        assert_eq!(
            check_url_shape("http://hooks.example/in", false),
            Err(UrlRefusal::NotHttps)
        );
        assert!(check_url_shape("http://127.0.0.1:9/in", true).is_ok());
        assert_eq!(
            check_url_shape("https://u:p@hooks.example/", false),
            Err(UrlRefusal::Credentials)
        );
        assert_eq!(check_url_shape("hooks", false), Err(UrlRefusal::NotAUrl));
    }

    #[test]
    fn one_private_address_refuses_the_host() {
        assert_eq!(
            allowed_addresses(vec![ip("8.8.8.8"), ip("10.0.0.1")], false),
            Err(UrlRefusal::PrivateAddress)
        );
        assert_eq!(
            allowed_addresses(vec![ip("8.8.8.8")], false).unwrap().len(),
            1
        );
        assert!(allowed_addresses(vec![ip("127.0.0.1")], true).is_ok());
        assert_eq!(
            allowed_addresses(vec![], true),
            Err(UrlRefusal::Unresolvable)
        );
    }

    #[test]
    fn event_types_round_trip() {
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(*t));
        }
        assert_eq!(EventType::ALL.len(), MAX_ENDPOINT_EVENTS + 1);
    }
}

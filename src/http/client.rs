//! What the HTTP layer knows about the client on the other end of a request, shared by the
//! JSON API and the widgets.
//!
//! Behind a load balancer the TCP peer is the proxy, so every visitor would share one address.
//! Only when the peer is one of `MARQUEE_TRUSTED_PROXIES` are its `Forwarded` (RFC 7239) or
//! `X-Forwarded-For` / `X-Forwarded-Proto` headers believed: the client is the rightmost hop
//! that is not itself a trusted proxy (everything left of it could be made up by the client).
//! Anyone else's forwarding headers are ignored.

use std::net::IpAddr;

use ipnet::IpNet;
use poem::Request;
use poem::http::HeaderMap;

/// The client address and scheme a request came with, as far as they can be believed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    pub ip: Option<IpAddr>,
    /// `true` when the client spoke HTTPS to the (trusted) proxy in front of Marquee.
    pub https: bool,
}

/// The client of `req`, believing forwarding headers only from `trusted` peers.
pub fn client(req: &Request, trusted: &[IpNet]) -> Client {
    let peer = req.remote_addr().as_socket_addr().map(|a| a.ip());
    let direct = Client {
        ip: peer,
        https: req.uri().scheme_str() == Some("https"),
    };
    match peer {
        Some(peer) if is_trusted(peer, trusted) => {
            forwarded_client(req.headers(), peer, trusted).unwrap_or(direct)
        }
        _ => direct,
    }
}

/// The client a trusted `peer` reports, `None` when it reports none.
fn forwarded_client(headers: &HeaderMap, peer: IpAddr, trusted: &[IpNet]) -> Option<Client> {
    let (hops, proto) = match header_values(headers, "forwarded") {
        Some(values) => rfc7239_hops(&values),
        None => (
            header_values(headers, "x-forwarded-for")
                .map(|v| v.split(',').map(|h| parse_hop(h.trim())).collect())
                .unwrap_or_default(),
            header_values(headers, "x-forwarded-proto")
                .and_then(|v| v.rsplit(',').next().map(|p| p.trim().to_ascii_lowercase())),
        ),
    };
    if hops.is_empty() && proto.is_none() {
        return None;
    }
    Some(Client {
        ip: Some(rightmost_untrusted(&hops, peer, trusted)),
        https: proto.as_deref() == Some("https"),
    })
}

/// Walks the chain from the right (nearest hop first) past trusted proxies; a hop that cannot
/// be read stops the walk at the last address known (it cannot be vouched for).
fn rightmost_untrusted(hops: &[Option<IpAddr>], peer: IpAddr, trusted: &[IpNet]) -> IpAddr {
    let mut client = peer;
    for hop in hops.iter().rev() {
        if !is_trusted(client, trusted) {
            break;
        }
        match hop {
            Some(ip) => client = *ip,
            None => break,
        }
    }
    client
}

fn is_trusted(ip: IpAddr, trusted: &[IpNet]) -> bool {
    let ip = ip.to_canonical();
    trusted.iter().any(|net| net.contains(&ip))
}

/// All values of header `name` joined with commas (a list header may be sent several times).
fn header_values(headers: &HeaderMap, name: &str) -> Option<String> {
    let values: Vec<&str> = headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    (!values.is_empty()).then(|| values.join(","))
}

/// `Forwarded: for=192.0.2.60;proto=https, for="[2001:db8::1]:4711"` → hops and the last
/// `proto` given.
fn rfc7239_hops(value: &str) -> (Vec<Option<IpAddr>>, Option<String>) {
    let mut hops = Vec::new();
    let mut proto = None;
    for element in value.split(',') {
        for pair in element.split(';') {
            let Some((key, val)) = pair.split_once('=') else {
                continue;
            };
            let val = val.trim().trim_matches('"');
            match key.trim().to_ascii_lowercase().as_str() {
                "for" => hops.push(parse_hop(val)),
                "proto" => proto = Some(val.to_ascii_lowercase()),
                _ => {}
            }
        }
    }
    (hops, proto)
}

/// One hop: `192.0.2.60`, `192.0.2.60:4711`, `[2001:db8::1]:4711` or `2001:db8::1`; an
/// obfuscated or unknown hop (`_hidden`, `unknown`) is `None`.
fn parse_hop(raw: &str) -> Option<IpAddr> {
    if let Ok(ip) = raw.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = raw.strip_prefix('[') {
        return rest.split_once(']').and_then(|(ip, _)| ip.parse().ok());
    }
    raw.rsplit_once(':').and_then(|(ip, _)| ip.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, v.parse().unwrap());
        }
        map
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let trusted = nets(&["10.0.0.0/8"]);
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.9, 10.1.1.1")]);
        let client = forwarded_client(&h, ip("10.0.0.2"), &trusted).unwrap();
        assert_eq!(client.ip, Some(ip("203.0.113.9")));
        assert!(!client.https);
    }

    #[test]
    fn rfc7239_gives_address_and_scheme() {
        let trusted = nets(&["127.0.0.1/32"]);
        let h = headers(&[(
            "forwarded",
            "for=198.51.100.1, for=\"[2001:db8::1]:4711\";proto=https",
        )]);
        let client = forwarded_client(&h, ip("127.0.0.1"), &trusted).unwrap();
        assert_eq!(client.ip, Some(ip("2001:db8::1")));
        assert!(client.https);
    }

    #[test]
    fn an_unreadable_hop_stops_the_walk() {
        let trusted = nets(&["127.0.0.1/32"]);
        let h = headers(&[("x-forwarded-for", "1.2.3.4, unknown")]);
        let client = forwarded_client(&h, ip("127.0.0.1"), &trusted).unwrap();
        assert_eq!(client.ip, Some(ip("127.0.0.1")));
    }

    #[test]
    fn hops_parse_with_and_without_ports() {
        assert_eq!(parse_hop("192.0.2.60:4711"), Some(ip("192.0.2.60")));
        assert_eq!(parse_hop("[::1]:80"), Some(ip("::1")));
        assert_eq!(parse_hop("::1"), Some(ip("::1")));
        assert_eq!(parse_hop("_hidden"), None);
    }
}

//! Zoom webhook signatures (docs/zoom.md §2.2, §2.3): pure functions, no I/O.
//!
//! Zoom signs `v0:{x-zm-request-timestamp}:{raw body}` with HMAC-SHA256 keyed by the app's
//! webhook *secret token* and sends `v0=<lowercase hex>` in `x-zm-signature`. The same key
//! answers `endpoint.url_validation` challenges. Both Marquee's intake and the simulator's
//! sender use these functions, so they cannot drift apart.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &str) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length")
}

/// The `x-zm-signature` value for a delivery: `v0=` + hex(HMAC(secret, "v0:{ts}:{body}")).
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut m = mac(secret);
    m.update(b"v0:");
    m.update(timestamp.as_bytes());
    m.update(b":");
    m.update(body);
    format!("v0={}", hex::encode(m.finalize().into_bytes()))
}

/// Checks `signature` (the header value) against the raw body in constant time.
pub fn verify(secret: &str, timestamp: &str, body: &[u8], signature: &str) -> bool {
    let Some(hex_part) = signature.strip_prefix("v0=") else {
        return false;
    };
    let Ok(given) = hex::decode(hex_part) else {
        return false;
    };
    let mut m = mac(secret);
    m.update(b"v0:");
    m.update(timestamp.as_bytes());
    m.update(b":");
    m.update(body);
    m.verify_slice(&given).is_ok()
}

/// Why a delivery was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    MissingHeaders,
    /// `x-zm-request-timestamp` is not a Unix time in seconds, or is outside the tolerance.
    StaleTimestamp,
    BadSignature,
}

/// Checks a delivery: both headers present, the timestamp (Unix seconds, docs/zoom.md §2.1)
/// within `tolerance_secs` of `now_secs` (Zoom documents no window: replays of captured
/// deliveries are refused), and the signature over the raw body. `now` is injected so the
/// docs/zoom.md vectors, signed in 2023, stay testable.
pub fn check_delivery(
    secret: &str,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now_secs: i64,
    tolerance_secs: u64,
) -> Result<(), Refusal> {
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(Refusal::MissingHeaders);
    };
    let sent: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| Refusal::StaleTimestamp)?;
    if now_secs.abs_diff(sent) > tolerance_secs {
        return Err(Refusal::StaleTimestamp);
    }
    if !verify(secret, timestamp, body, signature) {
        return Err(Refusal::BadSignature);
    }
    Ok(())
}

/// The `encryptedToken` answer to an `endpoint.url_validation` challenge.
pub fn url_validation_token(secret: &str, plain_token: &str) -> String {
    let mut m = mac(secret);
    m.update(plain_token.as_bytes());
    hex::encode(m.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "zoomsim_webhook_secret_0001";
    const W1_BODY: &str = r#"{"event":"meeting.created","payload":{"account_id":"AbCdEfGhIjKlMnOpQrStUv","operator":"owner@example.com","operator_id":"uLoRgfbbTayCX6r2Q_qQsQ","object":{"uuid":"4444AAAiAAAAAiAiAiiAii==","id":81234567890,"host_id":"uLoRgfbbTayCX6r2Q_qQsQ","topic":"Site demo","type":2,"start_time":"2023-11-20T15:00:00Z","duration":60,"timezone":"UTC","join_url":"https://us02web.zoom.us/j/81234567890","settings":{"use_pmi":false,"alternative_hosts":""}}},"event_ts":1700000000123}"#;
    const W1_SIG: &str = "v0=360ff5b9b08214c1471a235557a0466a504792d4ba31d9dcbbddf8df8d8c0895";

    #[test]
    fn w1_vector_signs_and_verifies() {
        assert_eq!(sign(SECRET, "1700000000", W1_BODY.as_bytes()), W1_SIG);
        assert!(verify(SECRET, "1700000000", W1_BODY.as_bytes(), W1_SIG));
    }

    #[test]
    fn w1_pretty_printed_body_is_rejected() {
        let value: serde_json::Value = serde_json::from_str(W1_BODY).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        assert!(!verify(SECRET, "1700000000", pretty.as_bytes(), W1_SIG));
    }

    #[test]
    fn wrong_timestamp_or_malformed_header_is_rejected() {
        assert!(!verify(SECRET, "1700000001", W1_BODY.as_bytes(), W1_SIG));
        assert!(!verify(
            SECRET,
            "1700000000",
            W1_BODY.as_bytes(),
            "360ff5b9"
        ));
        assert!(!verify(SECRET, "1700000000", W1_BODY.as_bytes(), "v0=zz"));
    }

    #[test]
    fn deliveries_need_fresh_timestamps_and_both_headers() {
        let body = W1_BODY.as_bytes();
        let check = |ts, sig, now| check_delivery(SECRET, ts, sig, body, now, 300);
        assert_eq!(
            check(Some("1700000000"), Some(W1_SIG), 1_700_000_299),
            Ok(())
        );
        assert_eq!(
            check(Some("1700000000"), Some(W1_SIG), 1_699_999_801),
            Ok(())
        );
        assert_eq!(
            check(Some("1700000000"), Some(W1_SIG), 1_700_000_301),
            Err(Refusal::StaleTimestamp)
        );
        assert_eq!(
            check(Some("1700000000000"), Some(W1_SIG), 1_700_000_000),
            Err(Refusal::StaleTimestamp),
            "milliseconds are not seconds"
        );
        assert_eq!(
            check(None, Some(W1_SIG), 1_700_000_000),
            Err(Refusal::MissingHeaders)
        );
        assert_eq!(
            check(Some("1700000000"), None, 1_700_000_000),
            Err(Refusal::MissingHeaders)
        );
        let pretty = serde_json::to_string_pretty(
            &serde_json::from_str::<serde_json::Value>(W1_BODY).unwrap(),
        )
        .unwrap();
        assert_eq!(
            check_delivery(
                SECRET,
                Some("1700000000"),
                Some(W1_SIG),
                pretty.as_bytes(),
                1_700_000_000,
                300
            ),
            Err(Refusal::BadSignature)
        );
    }

    #[test]
    fn v2_url_validation_vector() {
        assert_eq!(
            url_validation_token(SECRET, "qgg8vlvZRS6UYooatFL8Aw"),
            "ae6b91db8952eaa503dfc30326901bc1c503f4bbb91a8d0ced5f2baa89acd86e"
        );
        let body = r#"{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1700000000456,"event":"endpoint.url_validation"}"#;
        assert_eq!(
            sign(SECRET, "1700000001", body.as_bytes()),
            "v0=990fe0ce3c4186ec183945aa6a71621013184e51600a1324a82f5a9bbbded492"
        );
    }
}

//! The `x-zoom-app-context` header of Zoom Apps (docs/zoom.md §3.2–3.4): pure functions, no I/O.
//!
//! Layout (docs/zoom.md §3.2): `iv_len: u8 | iv | aad_len: u16 LE | aad | cipher_len: i32 LE |
//! ciphertext | 16-byte GCM tag`, AES-256-GCM with `key = SHA-256(client secret)`, the whole blob
//! base64 (Zoom sends URL-safe without padding; decoders accept both alphabets). Marquee's Zoom App
//! home page decodes it; the simulator encodes it for its fake Zoom client.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Longest header we try to decode (a real context is ~300–600 characters; chat contexts are
/// bigger). Bounding it keeps a hostile header from costing more than a few KiB of work.
pub const MAX_HEADER_LEN: usize = 8 * 1024;

/// The only IV length AES-256-GCM here accepts (observed 12 in every real header,
/// docs/zoom.md §3.2).
pub const IV_LEN: usize = 12;

const TAG_LEN: usize = 16;

/// The issuer Zoom writes into every context (docs/zoom.md §3.3).
pub const ISSUER: &str = "marketplace.zoom.us";

/// Why a header was rejected. Every variant means "treat the request as unauthenticated".
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AppContextError {
    #[error("app context header is empty or longer than {MAX_HEADER_LEN} characters")]
    Length,
    #[error("app context header is not base64")]
    Base64,
    #[error("app context blob is truncated or its lengths are inconsistent")]
    Layout,
    #[error("app context IV length {0} is not 12")]
    IvLength(usize),
    #[error("app context failed authentication (wrong secret or tampered)")]
    Tag,
    #[error("app context plaintext is not the expected JSON: {0}")]
    Json(String),
    #[error("app context has expired")]
    Expired,
    #[error("app context audience is not this app")]
    Audience,
    #[error("app context issuer is not marketplace.zoom.us")]
    Issuer,
}

/// The decrypted context (docs/zoom.md §3.3). Unknown fields are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppContext {
    /// Running context: `panel`, `meeting`, `webinar`, `chat`, …
    pub typ: String,
    /// Zoom user ID; absent in guest mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// The app's client ID.
    pub aud: String,
    /// Always `marketplace.zoom.us`.
    pub iss: String,
    /// Creation time, epoch milliseconds.
    pub ts: i64,
    /// Expiry, epoch milliseconds (`ts + 120000` in practice).
    pub exp: i64,
    /// Meeting UUID when `typ` is `meeting`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendrole: Option<String>,
    /// The deeplink `action` string (docs/zoom.md §3.6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl AppContext {
    /// Checks expiry (`exp` must not be before `now_ms`), audience and issuer (docs/zoom.md §3.3).
    pub fn validate(&self, client_id: &str, now_ms: i64) -> Result<(), AppContextError> {
        if self.exp < now_ms {
            return Err(AppContextError::Expired);
        }
        if self.aud != client_id {
            return Err(AppContextError::Audience);
        }
        if self.iss != ISSUER {
            return Err(AppContextError::Issuer);
        }
        Ok(())
    }
}

fn cipher(client_secret: &str) -> Aes256Gcm {
    let key = Sha256::digest(client_secret.as_bytes());
    Aes256Gcm::new_from_slice(&key).expect("SHA-256 output is a 32-byte AES-256 key")
}

/// Encrypts `plaintext_json` into a header value: base64url without padding (docs/zoom.md §3.2).
pub fn encode(client_secret: &str, iv: [u8; IV_LEN], aad: &[u8], plaintext_json: &str) -> String {
    let sealed = cipher(client_secret)
        .encrypt(
            &iv.into(),
            Payload {
                msg: plaintext_json.as_bytes(),
                aad,
            },
        )
        .expect("AES-GCM encryption of an in-memory buffer cannot fail");
    let (ciphertext, tag) = sealed.split_at(sealed.len() - TAG_LEN);
    let aad_len = u16::try_from(aad.len()).expect("aad longer than 65535 bytes");
    let cipher_len = i32::try_from(ciphertext.len()).expect("plaintext longer than 2 GiB");
    let mut blob = Vec::with_capacity(1 + IV_LEN + 2 + aad.len() + 4 + sealed.len());
    blob.push(IV_LEN as u8);
    blob.extend_from_slice(&iv);
    blob.extend_from_slice(&aad_len.to_le_bytes());
    blob.extend_from_slice(aad);
    blob.extend_from_slice(&cipher_len.to_le_bytes());
    blob.extend_from_slice(ciphertext);
    blob.extend_from_slice(tag);
    URL_SAFE_NO_PAD.encode(blob)
}

/// Decodes either base64 alphabet, padded or not (docs/zoom.md §3.2).
fn base64_any(header: &str) -> Result<Vec<u8>, AppContextError> {
    let header = header.trim();
    for engine in [&URL_SAFE_NO_PAD, &URL_SAFE, &STANDARD, &STANDARD_NO_PAD] {
        if let Ok(bytes) = engine.decode(header) {
            return Ok(bytes);
        }
    }
    Err(AppContextError::Base64)
}

/// Reads `n` bytes at `*pos`, advancing it.
fn take<'a>(blob: &'a [u8], pos: &mut usize, n: usize) -> Result<&'a [u8], AppContextError> {
    let end = pos.checked_add(n).ok_or(AppContextError::Layout)?;
    let slice = blob.get(*pos..end).ok_or(AppContextError::Layout)?;
    *pos = end;
    Ok(slice)
}

/// Decrypts a header to its JSON text. Rejects oversize headers, IV lengths other than 12, bad
/// lengths and failed tags.
pub fn decrypt(client_secret: &str, header: &str) -> Result<String, AppContextError> {
    if header.is_empty() || header.len() > MAX_HEADER_LEN {
        return Err(AppContextError::Length);
    }
    let blob = base64_any(header)?;
    let mut pos = 0;
    let iv_len = take(&blob, &mut pos, 1)?[0] as usize;
    if iv_len != IV_LEN {
        return Err(AppContextError::IvLength(iv_len));
    }
    let iv: [u8; IV_LEN] = take(&blob, &mut pos, IV_LEN)?.try_into().expect("12 bytes");
    let aad_len = u16::from_le_bytes(take(&blob, &mut pos, 2)?.try_into().expect("2 bytes"));
    let aad = take(&blob, &mut pos, aad_len as usize)?;
    let cipher_len = i32::from_le_bytes(take(&blob, &mut pos, 4)?.try_into().expect("4 bytes"));
    let cipher_len = usize::try_from(cipher_len).map_err(|_| AppContextError::Layout)?;
    let ciphertext_and_tag = &blob[pos..];
    if ciphertext_and_tag.len() != cipher_len + TAG_LEN {
        return Err(AppContextError::Layout);
    }
    let plain = cipher(client_secret)
        .decrypt(
            &iv.into(),
            Payload {
                msg: ciphertext_and_tag,
                aad,
            },
        )
        .map_err(|_| AppContextError::Tag)?;
    String::from_utf8(plain).map_err(|e| AppContextError::Json(e.to_string()))
}

/// Decrypts and parses a header into an [`AppContext`]. Call [`AppContext::validate`] next.
pub fn decode(client_secret: &str, header: &str) -> Result<AppContext, AppContextError> {
    let json = decrypt(client_secret, header)?;
    serde_json::from_str(&json).map_err(|e| AppContextError::Json(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "zoomsim_client_secret_0001";
    const PLAIN: &str = r#"{"typ":"meeting","uid":"gAVxCrl0SASZS4PvSa6Klw","aud":"zoomsimClientId01","iss":"marketplace.zoom.us","ts":1700000000000,"exp":1700000120000,"entitlements":[],"mid":"lq4PWTWDRTO86IChgcygJg==","attendrole":"host","theme":"dark"}"#;
    const Z2_URL: &str = "DAABAgMEBQYHCAkKCwAA4wAAAFYXNLyiIdYljiC9GOEKvr_59nBuGNGubwMVwz0D1s7aEqgQW9ccMfNRzydiVor6Ae7aenQUxxUU2I3IlQAn4YaYznYsv8_VLoRODpo2UC8FmgcjQ9cxUkVKcPVcf2694fC_eOwxAnXGkQw47dkF45LB7ggfnU1xl4olVAJceZeh7P8Q6cEctQf7bs47hCkkQd43XS0tJwAWaGsP4CvRyvc2BUjl_9qSxqjHQBr3H-RhKUpepoDbtniQNxh6r09--cLcjCzGjQ4m_KS2-GRFToQmJdX0yb8lws3UUGc02dhj_14hmQUtxk1SzkcrOKaOARBHcQ";
    const Z2_STD: &str = "DAABAgMEBQYHCAkKCwAA4wAAAFYXNLyiIdYljiC9GOEKvr/59nBuGNGubwMVwz0D1s7aEqgQW9ccMfNRzydiVor6Ae7aenQUxxUU2I3IlQAn4YaYznYsv8/VLoRODpo2UC8FmgcjQ9cxUkVKcPVcf2694fC/eOwxAnXGkQw47dkF45LB7ggfnU1xl4olVAJceZeh7P8Q6cEctQf7bs47hCkkQd43XS0tJwAWaGsP4CvRyvc2BUjl/9qSxqjHQBr3H+RhKUpepoDbtniQNxh6r09++cLcjCzGjQ4m/KS2+GRFToQmJdX0yb8lws3UUGc02dhj/14hmQUtxk1SzkcrOKaOARBHcQ==";
    const Z2_AAD: &str = "DAABAgMEBQYHCAkKCwsAem9vbXNpbS1hYWTjAAAAVhc0vKIh1iWOIL0Y4Qq-v_n2cG4Y0a5vAxXDPQPWztoSqBBb1xwx81HPJ2JWivoB7tp6dBTHFRTYjciVACfhhpjOdiy_z9UuhE4OmjZQLwWaByND1zFSRUpw9Vx_br3h8L947DECdcaRDDjt2QXjksHuCB-dTXGXiiVUAlx5l6Hs_xDpwRy1B_tuzjuEKSRB3jddLS0nABZoaw_gK9HK9zYFSOX_2pLGqMdAGvcf5GEpSl6mgNu2eJA3GHqvT375wtyMLMaNDib8pLb4ZEVOhCYl1fTJvyXCzdRQZzTZ2GP_XiGsmUW7TIYSoXMlt5J70TrV";
    const IV: [u8; 12] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

    #[test]
    fn z2_encode_matches_reference_header_exactly() {
        assert_eq!(encode(SECRET, IV, b"", PLAIN), Z2_URL);
        assert_eq!(encode(SECRET, IV, b"zoomsim-aad", PLAIN), Z2_AAD);
    }

    #[test]
    fn z2_all_three_variants_decode_to_the_plaintext() {
        for header in [Z2_URL, Z2_STD, Z2_AAD] {
            assert_eq!(decrypt(SECRET, header).unwrap(), PLAIN);
        }
        let ctx = decode(SECRET, Z2_URL).unwrap();
        assert_eq!(ctx.typ, "meeting");
        assert_eq!(ctx.uid.as_deref(), Some("gAVxCrl0SASZS4PvSa6Klw"));
        assert_eq!(ctx.mid.as_deref(), Some("lq4PWTWDRTO86IChgcygJg=="));
        assert_eq!(ctx.exp - ctx.ts, 120_000);
        assert_eq!(ctx.extra["entitlements"], serde_json::json!([]));
    }

    #[test]
    fn z2_validate_uses_the_injected_clock() {
        let ctx = decode(SECRET, Z2_URL).unwrap();
        assert_eq!(ctx.validate("zoomsimClientId01", 1_700_000_060_000), Ok(()));
        assert_eq!(
            ctx.validate("zoomsimClientId01", 1_700_000_120_001),
            Err(AppContextError::Expired)
        );
        assert_eq!(
            ctx.validate("someoneElse", 1_700_000_060_000),
            Err(AppContextError::Audience)
        );
        let mut forged = ctx.clone();
        forged.iss = "evil.example".into();
        assert_eq!(
            forged.validate("zoomsimClientId01", 1_700_000_060_000),
            Err(AppContextError::Issuer)
        );
    }

    #[test]
    fn wrong_secret_tampering_and_bad_layouts_are_rejected() {
        assert_eq!(decrypt("other", Z2_URL), Err(AppContextError::Tag));
        let mut blob = URL_SAFE_NO_PAD.decode(Z2_URL).unwrap();
        let last = blob.len() - 1;
        blob[last] ^= 1;
        assert_eq!(
            decrypt(SECRET, &URL_SAFE_NO_PAD.encode(&blob)),
            Err(AppContextError::Tag)
        );
        blob[0] = 16;
        assert_eq!(
            decrypt(SECRET, &URL_SAFE_NO_PAD.encode(&blob)),
            Err(AppContextError::IvLength(16))
        );
        let short = &URL_SAFE_NO_PAD.decode(Z2_URL).unwrap()[..40];
        assert_eq!(
            decrypt(SECRET, &URL_SAFE_NO_PAD.encode(short)),
            Err(AppContextError::Layout)
        );
        assert_eq!(decrypt(SECRET, ""), Err(AppContextError::Length));
        assert_eq!(
            decrypt(SECRET, &"A".repeat(MAX_HEADER_LEN + 1)),
            Err(AppContextError::Length)
        );
        assert_eq!(decrypt(SECRET, "***"), Err(AppContextError::Base64));
    }

    #[test]
    fn round_trip_with_fresh_iv() {
        let header = encode(
            SECRET,
            rand::random(),
            b"",
            r#"{"typ":"panel","aud":"a","iss":"marketplace.zoom.us","ts":1,"exp":2}"#,
        );
        assert!(!header.contains('=') && !header.contains('+') && !header.contains('/'));
        let ctx = decode(SECRET, &header).unwrap();
        assert_eq!(ctx.typ, "panel");
        assert_eq!(ctx.uid, None);
    }
}

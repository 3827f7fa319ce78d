//! PKCE (RFC 7636) as Zoom uses it (docs/zoom.md §1.2): S256 for the web flow, `plain` for
//! in-client authorization. Shared by Marquee's connect flow and the simulator's check.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// A fresh 43-character verifier (32 random bytes, base64url without padding).
pub fn new_verifier() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// The S256 challenge: base64url (no padding) of SHA-256(verifier).
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Whether `verifier` answers `challenge` under `method` (`S256` or `plain`; missing = `plain`).
pub fn verify(method: Option<&str>, challenge: &str, verifier: &str) -> bool {
    match method.unwrap_or("plain") {
        "S256" => s256_challenge(verifier) == challenge,
        "plain" => verifier == challenge,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            s256_challenge(verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(verify(
            Some("S256"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            verifier
        ));
        assert!(verify(None, verifier, verifier));
        assert!(!verify(Some("S512"), verifier, verifier));
    }

    #[test]
    fn verifiers_are_fresh_and_valid_length() {
        let (a, b) = (new_verifier(), new_verifier());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
    }
}

//! Secrets at rest and opaque credentials.
//!
//! * [`KeyRing`] seals values with AES-256-GCM: a fresh 96-bit nonce per value, caller-chosen
//!   associated data (e.g. the tenant id, so a ciphertext copied to another tenant's row fails to
//!   open), and the key id stored beside the ciphertext so keys can rotate. The first key in
//!   `MARQUEE_ENCRYPTION_KEYS` seals; every listed key opens.
//! * Credentials we hand out (API keys, admin links, session cookies, OAuth states) are random
//!   and stored only as SHA-256 hashes: a database leak does not let anyone log in.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

const NONCE_LEN: usize = 12;

/// A sealed value as stored: which key sealed it, and base64(nonce ‖ ciphertext ‖ tag).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    pub ciphertext: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyRingError {
    #[error("expected one or more id:base64key pairs separated by commas")]
    Empty,
    #[error("key id {0:?} must be 1-32 characters of a-z, A-Z, 0-9, '-' or '_'")]
    BadKeyId(String),
    #[error("key {0:?} is not base64 of exactly 32 bytes")]
    BadKey(String),
    #[error("key id {0:?} is listed twice")]
    DuplicateKeyId(String),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("value was sealed with key id {0:?}, which is not in MARQUEE_ENCRYPTION_KEYS")]
    UnknownKey(String),
    #[error("sealed value is corrupt or does not belong here")]
    Corrupt,
}

/// The configured encryption keys. Cheap to clone (ciphers are small).
#[derive(Clone)]
pub struct KeyRing {
    keys: Vec<(String, Aes256Gcm)>,
}

impl KeyRing {
    /// Parses `id:base64key[,id:base64key…]`; the first key seals.
    pub fn parse(spec: &str) -> Result<Self, KeyRingError> {
        let mut keys: Vec<(String, Aes256Gcm)> = Vec::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (id, b64) = part.split_once(':').ok_or(KeyRingError::Empty)?;
            let valid_id = !id.is_empty()
                && id.len() <= 32
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid_id {
                return Err(KeyRingError::BadKeyId(id.to_owned()));
            }
            if keys.iter().any(|(existing, _)| existing == id) {
                return Err(KeyRingError::DuplicateKeyId(id.to_owned()));
            }
            let bytes = Zeroizing::new(
                STANDARD
                    .decode(b64)
                    .map_err(|_| KeyRingError::BadKey(id.to_owned()))?,
            );
            let cipher = Aes256Gcm::new_from_slice(&bytes)
                .map_err(|_| KeyRingError::BadKey(id.to_owned()))?;
            keys.push((id.to_owned(), cipher));
        }
        if keys.is_empty() {
            return Err(KeyRingError::Empty);
        }
        Ok(Self { keys })
    }

    /// A `MARQUEE_ENCRYPTION_KEYS` value with one fresh random key (used by `dev` and tests).
    pub fn generate_spec(key_id: &str) -> String {
        let key = Zeroizing::new(rand::random::<[u8; 32]>());
        format!("{key_id}:{}", STANDARD.encode(*key))
    }

    pub fn key_ids(&self) -> Vec<&str> {
        self.keys.iter().map(|(id, _)| id.as_str()).collect()
    }

    /// The id of the key new values are sealed with.
    pub fn current_key_id(&self) -> &str {
        &self.keys[0].0
    }

    /// Encrypts `plaintext`, binding it to `aad` (the row's owner, e.g. the tenant id).
    pub fn seal(&self, plaintext: &str, aad: &str) -> Sealed {
        let (key_id, cipher) = &self.keys[0];
        let nonce_bytes: [u8; NONCE_LEN] = rand::random();
        let ciphertext = cipher
            .encrypt(
                &Nonce::from(nonce_bytes),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut blob = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        blob.extend_from_slice(&nonce_bytes);
        blob.extend_from_slice(&ciphertext);
        Sealed {
            key_id: key_id.clone(),
            ciphertext: STANDARD.encode(blob),
        }
    }

    /// Decrypts a value sealed by [`KeyRing::seal`] with the same `aad`.
    pub fn open(&self, sealed: &Sealed, aad: &str) -> Result<Zeroizing<String>, CryptoError> {
        let cipher = self
            .keys
            .iter()
            .find(|(id, _)| *id == sealed.key_id)
            .map(|(_, c)| c)
            .ok_or_else(|| CryptoError::UnknownKey(sealed.key_id.clone()))?;
        let blob = STANDARD
            .decode(&sealed.ciphertext)
            .map_err(|_| CryptoError::Corrupt)?;
        if blob.len() < NONCE_LEN + 16 {
            return Err(CryptoError::Corrupt);
        }
        let (nonce, body) = blob.split_at(NONCE_LEN);
        let nonce = Nonce::try_from(nonce).map_err(|_| CryptoError::Corrupt)?;
        let plain = cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: body,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::Corrupt)?;
        String::from_utf8(plain)
            .map(Zeroizing::new)
            .map_err(|_| CryptoError::Corrupt)
    }
}

/// A random credential: `prefix` + base64url of 32 random bytes (256 bits).
pub fn random_token(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
    )
}

/// Hex SHA-256, the form in which credentials are stored and looked up.
pub fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// Hex SHA-256 of several byte strings, each prefixed by its length, so no two different
/// lists of parts hash alike (`["ab", "c"]` and `["a", "bc"]` differ).
pub fn sha256_hex_of_parts(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hex::encode(hasher.finalize())
}

/// Hex HMAC-SHA256 of `message` under `secret` (the `v1` of an outbound event's signature).
pub fn hmac_sha256_hex(secret: &str, message: &[u8]) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// Constant-time equality for secrets of public length.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(spec: &str) -> KeyRing {
        KeyRing::parse(spec).unwrap()
    }

    #[test]
    fn seal_open_round_trip_with_fresh_nonces() {
        let keys = ring(&KeyRing::generate_spec("k1"));
        let a = keys.seal("secret-token", "tenant-a");
        let b = keys.seal("secret-token", "tenant-a");
        assert_ne!(a.ciphertext, b.ciphertext, "nonce must be fresh per value");
        assert!(!a.ciphertext.contains("secret"));
        assert_eq!(keys.open(&a, "tenant-a").unwrap().as_str(), "secret-token");
    }

    #[test]
    fn wrong_aad_or_tampering_fails() {
        let keys = ring(&KeyRing::generate_spec("k1"));
        let sealed = keys.seal("secret", "tenant-a");
        assert_eq!(keys.open(&sealed, "tenant-b"), Err(CryptoError::Corrupt));
        let mut bytes = STANDARD.decode(&sealed.ciphertext).unwrap();
        bytes[14] ^= 1;
        let tampered = Sealed {
            key_id: "k1".into(),
            ciphertext: STANDARD.encode(bytes),
        };
        assert_eq!(keys.open(&tampered, "tenant-a"), Err(CryptoError::Corrupt));
    }

    #[test]
    fn rotation_old_keys_still_open_and_unknown_key_is_named() {
        let old_spec = KeyRing::generate_spec("old");
        let old = ring(&old_spec);
        let sealed = old.seal("v", "t");
        let rotated = ring(&format!("{},{old_spec}", KeyRing::generate_spec("new")));
        assert_eq!(rotated.current_key_id(), "new");
        assert_eq!(rotated.open(&sealed, "t").unwrap().as_str(), "v");
        let new_only = ring(&KeyRing::generate_spec("new"));
        assert_eq!(
            new_only.open(&sealed, "t"),
            Err(CryptoError::UnknownKey("old".into()))
        );
    }

    #[test]
    fn key_specs_are_validated() {
        assert_eq!(KeyRing::parse("").err(), Some(KeyRingError::Empty));
        assert!(matches!(
            KeyRing::parse("k1:abc"),
            Err(KeyRingError::BadKey(_))
        ));
        assert!(matches!(
            KeyRing::parse("bad id:abc"),
            Err(KeyRingError::BadKeyId(_))
        ));
        let spec = KeyRing::generate_spec("k1");
        assert!(matches!(
            KeyRing::parse(&format!("{spec},{spec}")),
            Err(KeyRingError::DuplicateKeyId(_))
        ));
    }

    #[test]
    fn tokens_and_hashes() {
        let t = random_token("mq_");
        assert!(t.starts_with("mq_") && t.len() == 46);
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(constant_time_eq(b"abc", b"abc") && !constant_time_eq(b"abc", b"abd"));
        // RFC 4231 test case 2.
        assert_eq!(
            hmac_sha256_hex("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_ne!(
            sha256_hex_of_parts(&[b"ab", b"c"]),
            sha256_hex_of_parts(&[b"a", b"bc"])
        );
    }
}

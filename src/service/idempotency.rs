//! `Idempotency-Key`: a request repeated with the same key gets the first answer again, and
//! what it did is not done twice. The HTTP layer (`http::idempotency`) calls [`Idempotency::begin`]
//! before the operation and [`Idempotency::finish`] with its answer; the contract is written
//! in docs/api.md ("Idempotency").
//!
//! A key belongs to an owner (`platform`, `tenant:<id>`, `site:<slug>`) and the credential
//! presented, so one principal's answer is never replayed to another. Each key is a row in
//! `idempotency_keys` (`store::idempotency`): inserting it reserves the key, across instances;
//! the answer is stored sealed with the key ring (answers carry minted keys and sign-in
//! links); answers not worth replaying ([`is_replayable_status`]: 5xx, 429, invalid requests,
//! refused credentials) are not stored, which releases the key for a retry.
//! A reservation whose holder died is taken over after [`LEASE`]; rows live [`KEY_TTL`].

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};

use crate::crypto::{KeyRing, random_token, sha256_hex_of_parts};
use crate::store::idempotency::StoredKey;
use crate::store::{self, Store};

use super::{ServiceError, Services};

/// How long a key (and its stored answer) is kept.
pub const KEY_TTL: TimeDelta = TimeDelta::hours(24);
/// How long a running request holds its key before another request may take it over (a
/// request runs far shorter: Zoom calls time out well before).
pub const LEASE: TimeDelta = TimeDelta::seconds(60);
/// Longest key accepted.
const MAX_KEY_LEN: usize = 255;

/// Whose key it is: the owner (`platform`, `tenant:<id>`, `site:<slug>`) and which credential
/// was presented (an identifier or hash, never the secret itself; empty on public routes).
#[derive(Clone, Debug)]
pub struct KeyOwner {
    pub owner: String,
    pub credential: String,
}

/// A request made with an `Idempotency-Key`: what identifies it as "the same request again".
pub struct KeyedRequest<'a> {
    pub owner: &'a KeyOwner,
    pub key: &'a str,
    pub method: &'a str,
    /// Path and query string.
    pub target: &'a str,
    pub body: &'a [u8],
}

/// An answer as it is stored and replayed: status, the headers that belong to it, and the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAnswer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl StoredAnswer {
    /// Whether a retry with the same key gets this answer again ([`is_replayable_status`]).
    pub fn is_replayable(&self) -> bool {
        is_replayable_status(self.status)
    }
}

/// Whether answers with this status are kept for replays: successes and refusals of the
/// operation itself (404, 409). Not kept, so the key stays free for a retry: server failures
/// and 429s (worth retrying as they are), requests that could not be run as sent (400, 413: the
/// client corrects them and retries with the same key), and refusals of the credential (401,
/// 403), which is checked on every request anyway.
pub fn is_replayable_status(status: u16) -> bool {
    status < 500 && !matches!(status, 400 | 401 | 403 | 413 | 429)
}

/// What to do with a keyed request.
pub enum Begun {
    /// First time (or the key's earlier holder died): run it, then [`Idempotency::finish`].
    Run(Reservation),
    /// Done before: answer with this.
    Replay(StoredAnswer),
}

/// A key reserved for one running request.
#[derive(Clone, Debug)]
pub struct Reservation {
    id: String,
    lease_owner: String,
}

/// The sealed part of a stored answer.
#[derive(Serialize, Deserialize)]
struct SealedAnswer {
    headers: Vec<(String, String)>,
    /// base64: bodies are bytes.
    body: String,
}

/// What a found row means for a request with the same key.
#[derive(Debug, PartialEq, Eq)]
enum Judged {
    Replay,
    InFlight,
    Reused,
    TakeOver,
}

/// The key's earlier use, judged at `now` for a request with `fingerprint`.
fn judge(row: &StoredKey, fingerprint: &str, now: NaiveDateTime) -> Judged {
    if row.created_at <= now - KEY_TTL {
        Judged::TakeOver
    } else if row.fingerprint != fingerprint {
        Judged::Reused
    } else if row.answer.is_some() {
        Judged::Replay
    } else if row.lease_until.is_some_and(|until| until > now) {
        Judged::InFlight
    } else {
        Judged::TakeOver
    }
}

/// Fails unless `key` is 1–255 visible ASCII characters.
pub fn check_key(key: &str) -> Result<(), ServiceError> {
    let visible = key.bytes().all(|b| b.is_ascii_graphic());
    if key.is_empty() || key.len() > MAX_KEY_LEN || !visible {
        return Err(ServiceError::invalid(
            "Idempotency-Key",
            "must be 1–255 visible ASCII characters",
        ));
    }
    Ok(())
}

/// Keyed requests: reserving keys, storing and replaying answers, purging old keys.
#[derive(Clone, Copy)]
pub struct Idempotency<'a> {
    store: &'a Store,
    keys: &'a KeyRing,
}

impl Services {
    /// `Idempotency-Key` handling (`service/idempotency.rs`).
    pub fn idempotency(&self) -> Idempotency<'_> {
        Idempotency {
            store: &self.store,
            keys: &self.keys,
        }
    }
}

impl Idempotency<'_> {
    /// Reserves the key for this request, or says how it was answered before. A key used
    /// for another request is `IdempotencyKeyReused`; one whose first request still runs is
    /// `IdempotencyKeyInFlight`.
    pub async fn begin(&self, req: KeyedRequest<'_>) -> Result<Begun, ServiceError> {
        check_key(req.key)?;
        let id = sha256_hex_of_parts(&[
            req.owner.owner.as_bytes(),
            req.owner.credential.as_bytes(),
            req.key.as_bytes(),
        ]);
        let fingerprint =
            sha256_hex_of_parts(&[req.method.as_bytes(), req.target.as_bytes(), req.body]);
        let lease_owner = random_token("");
        let owner = req.owner.owner.clone();
        let (row_id, holder) = (id.clone(), lease_owner.clone());
        let found = self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    let now = store::now();
                    let fresh = store::idempotency::Reservation {
                        id: &row_id,
                        owner: &owner,
                        fingerprint: &fingerprint,
                        lease_owner: &holder,
                        lease_until: now + LEASE,
                        now,
                    };
                    if store::idempotency::reserve(&mut db, &fresh).await? {
                        return Ok(None);
                    }
                    // Present, as the insert just saw (a release may race it: then in flight).
                    let Some(row) = store::idempotency::find(&mut db, &row_id).await? else {
                        return Ok(Some((Judged::InFlight, None)));
                    };
                    let judged = match judge(&row, &fingerprint, now) {
                        Judged::TakeOver => {
                            match store::idempotency::take_over(&mut db, &fresh, &row.lease_owner)
                                .await?
                            {
                                true => return Ok(None),
                                false => Judged::InFlight,
                            }
                        }
                        other => other,
                    };
                    Ok(Some((judged, row.answer)))
                })
            })
            .await?;
        match found {
            None => Ok(Begun::Run(Reservation { id, lease_owner })),
            Some((Judged::Replay, Some((status, sealed)))) => {
                Ok(Begun::Replay(self.open(&id, status, &sealed)?))
            }
            Some((Judged::Reused, _)) => Err(ServiceError::IdempotencyKeyReused),
            Some(_) => Err(ServiceError::IdempotencyKeyInFlight),
        }
    }

    /// Stores the answer of a reserved request for replays, or releases the key when the
    /// answer is not one to replay.
    pub async fn finish(
        &self,
        reservation: Reservation,
        answer: &StoredAnswer,
    ) -> Result<(), ServiceError> {
        if !answer.is_replayable() {
            return self.release(reservation).await;
        }
        let sealed = self.seal(&reservation.id, answer);
        let status = i64::from(answer.status);
        let kept = self
            .store
            .write(move |mut db| {
                Box::pin(async move {
                    store::idempotency::store_answer(
                        &mut db,
                        &reservation.id,
                        &reservation.lease_owner,
                        status,
                        &sealed,
                    )
                    .await
                })
            })
            .await?;
        if !kept {
            tracing::warn!("an idempotent request outlived its lease; its answer was not stored");
        }
        Ok(())
    }

    /// Gives the key up without an answer, so the next request with it runs.
    pub async fn release(&self, reservation: Reservation) -> Result<(), ServiceError> {
        self.store
            .write(move |mut db| {
                Box::pin(async move {
                    store::idempotency::release(&mut db, &reservation.id, &reservation.lease_owner)
                        .await
                })
            })
            .await?;
        Ok(())
    }

    /// Deletes keys older than [`KEY_TTL`] (run by upkeep); returns how many.
    pub async fn purge_expired(&self, now: NaiveDateTime) -> Result<usize, ServiceError> {
        let before = now - KEY_TTL;
        Ok(self
            .store
            .write(move |mut db| {
                Box::pin(
                    async move { store::idempotency::purge_created_before(&mut db, before).await },
                )
            })
            .await?)
    }

    /// Headers and body sealed, bound to the row (a sealed answer copied to another key's row
    /// does not open).
    fn seal(&self, id: &str, answer: &StoredAnswer) -> crate::crypto::Sealed {
        let sealed = SealedAnswer {
            headers: answer.headers.clone(),
            body: STANDARD.encode(&answer.body),
        };
        let json = serde_json::to_string(&sealed).expect("strings serialize");
        self.keys.seal(&json, id)
    }

    fn open(
        &self,
        id: &str,
        status: i64,
        sealed: &crate::crypto::Sealed,
    ) -> Result<StoredAnswer, ServiceError> {
        let json = self.keys.open(sealed, id)?;
        let unreadable = |what: &str| ServiceError::from(store::StoreError::Corrupt(what.into()));
        let answer: SealedAnswer =
            serde_json::from_str(&json).map_err(|_| unreadable("stored answer"))?;
        Ok(StoredAnswer {
            status: u16::try_from(status).map_err(|_| unreadable("stored status"))?,
            headers: answer.headers,
            body: STANDARD
                .decode(answer.body)
                .map_err(|_| unreadable("stored body"))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Sealed;

    fn row(fingerprint: &str, answered: bool, lease_secs: i64, age_hours: i64) -> StoredKey {
        let now = store::now();
        StoredKey {
            fingerprint: fingerprint.into(),
            lease_owner: "holder".into(),
            lease_until: (!answered).then(|| now + TimeDelta::seconds(lease_secs)),
            answer: answered.then(|| {
                let sealed = Sealed {
                    key_id: "k".into(),
                    ciphertext: "c".into(),
                };
                (201, sealed)
            }),
            created_at: now - TimeDelta::hours(age_hours),
        }
    }

    #[test]
    fn an_earlier_use_is_replayed_refused_waited_for_or_taken_over() {
        let now = store::now();
        assert_eq!(judge(&row("f", true, 0, 1), "f", now), Judged::Replay);
        assert_eq!(judge(&row("f", true, 0, 1), "g", now), Judged::Reused);
        assert_eq!(judge(&row("f", false, 30, 0), "f", now), Judged::InFlight);
        assert_eq!(judge(&row("f", false, 30, 0), "g", now), Judged::Reused);
        // The holder died (its lease ran out), or the key is older than a day.
        assert_eq!(judge(&row("f", false, -1, 0), "f", now), Judged::TakeOver);
        assert_eq!(judge(&row("f", true, 0, 25), "g", now), Judged::TakeOver);
    }

    #[test]
    fn keys_are_visible_ascii_up_to_255() {
        assert!(check_key("a").is_ok());
        assert!(check_key(&"k".repeat(255)).is_ok());
        assert!(check_key("9f1c-4e2a_~!").is_ok());
        for bad in [String::new(), "k".repeat(256), "a b".into(), "é".into()] {
            let err = check_key(&bad).unwrap_err();
            assert!(
                matches!(
                    &err,
                    ServiceError::Invalid { field, .. } if field == "Idempotency-Key"
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn server_failures_and_credential_refusals_are_not_replayed() {
        let answer = |status| StoredAnswer {
            status,
            headers: vec![],
            body: vec![],
        };
        for status in [200, 201, 204, 404, 409] {
            assert!(answer(status).is_replayable(), "{status}");
        }
        for status in [400, 401, 403, 413, 429, 500, 502, 503] {
            assert!(!answer(status).is_replayable(), "{status}");
        }
    }
}

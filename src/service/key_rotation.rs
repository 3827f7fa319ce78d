//! Key rotation: re-sealing every stored secret (Zoom tokens, PKCE verifiers of pending
//! connects, the signing secrets of outbound event endpoints) under the current (first) key of `MARQUEE_ENCRYPTION_KEYS`, so an older key can
//! be retired.

use crate::crypto::KeyRing;
use crate::store::{self, Store};

use super::{ServiceError, Services};

/// The sealed secrets in the store, as the current key ring sees them.
#[derive(Clone, Copy)]
pub struct KeyRotation<'a> {
    store: &'a Store,
    keys: &'a KeyRing,
}

impl Services {
    /// Key rotation (`service/key_rotation.rs`).
    pub fn key_rotation(&self) -> KeyRotation<'_> {
        KeyRotation {
            store: &self.store,
            keys: &self.keys,
        }
    }
}

impl KeyRotation<'_> {
    /// Re-seals every stored secret under the current (first) key. Returns how many values moved.
    pub async fn rotate(&self) -> Result<usize, ServiceError> {
        let current = self.keys.current_key_id().to_owned();
        let grants = self
            .store
            .read(|mut db| Box::pin(async move { store::grant::list_all(&mut db).await }))
            .await?;
        let mut moved = 0;
        for grant in grants.into_iter().filter(|g| g.key_id != current) {
            let access = self.keys.seal(
                &self.keys.open(&grant.access_token(), &grant.id)?,
                &grant.id,
            );
            let refresh = self.keys.seal(
                &self.keys.open(&grant.refresh_token(), &grant.id)?,
                &grant.id,
            );
            let (id, old_sealed) = (grant.id.clone(), grant.access_token_sealed.clone());
            // Skip if a refresh replaced the pair meanwhile (it is then under the current key).
            self.store
                .write(move |mut db| {
                    Box::pin(async move {
                        match store::grant::find(&mut db, &id).await? {
                            Some(g) if g.access_token_sealed == old_sealed => {
                                store::grant::reseal(&mut db, &id, &access, &refresh).await
                            }
                            _ => Ok(()),
                        }
                    })
                })
                .await?;
            moved += 2;
        }
        let cur = current.clone();
        let states = self
            .store
            .read(move |mut db| {
                Box::pin(async move { store::admin::states_not_under_key(&mut db, &cur).await })
            })
            .await?;
        for (state_hash, tenant_id, sealed) in states {
            let context = super::install::verifier_context(tenant_id.as_deref());
            let verifier = self.keys.seal(&self.keys.open(&sealed, context)?, context);
            self.store
                .write(move |mut db| {
                    Box::pin(async move {
                        store::admin::reseal_state(&mut db, &state_hash, &verifier).await
                    })
                })
                .await?;
            moved += 1;
        }
        Ok(moved + self.rotate_endpoint_secrets().await?)
    }

    /// Re-seals the signing secrets of outbound event endpoints (the previous one of a recent
    /// rotation too).
    async fn rotate_endpoint_secrets(&self) -> Result<usize, ServiceError> {
        let current = self.keys.current_key_id().to_owned();
        let endpoints = self
            .store
            .read(|mut db| Box::pin(async move { store::outbox::all_endpoints(&mut db).await }))
            .await?;
        let mut moved = 0;
        for endpoint in endpoints.into_iter().filter(|e| e.key_id != current) {
            let reseal = |sealed| -> Result<_, ServiceError> {
                Ok(self
                    .keys
                    .seal(&self.keys.open(&sealed, &endpoint.id)?, &endpoint.id))
            };
            let secret = reseal(endpoint.secret())?;
            let previous = match endpoint.previous_secret(store::now()) {
                Some(sealed) => Some(reseal(sealed)?),
                None => None,
            };
            moved += 1 + usize::from(previous.is_some());
            self.store
                .write(move |mut db| {
                    Box::pin(async move {
                        store::outbox::reseal_endpoint(
                            &mut db,
                            &endpoint,
                            &secret,
                            previous.as_ref(),
                        )
                        .await
                    })
                })
                .await?;
        }
        Ok(moved)
    }
}

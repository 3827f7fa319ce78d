//! Meeting counts for the owner. What visitors see lives in `service::public`.

use crate::domain::TenantId;
use crate::store::{self, Store};

use super::{ServiceError, Services};

/// The site's stored meetings as a whole.
#[derive(Clone, Copy)]
pub struct Meetings<'a> {
    store: &'a Store,
}

impl Services {
    /// Meeting counts (`service/meetings.rs`).
    pub fn meetings(&self) -> Meetings<'_> {
        Meetings { store: &self.store }
    }
}

impl Meetings<'_> {
    /// How many meetings are stored for the tenant (hidden ones included).
    pub async fn count(&self, tenant_id: &TenantId) -> Result<i64, ServiceError> {
        let id = tenant_id.clone();
        Ok(self
            .store
            .read(move |mut db| Box::pin(async move { store::meeting::count(&mut db, &id).await }))
            .await?)
    }
}

//! Meeting counts for the owner. What visitors see lives in `service::public`.

use crate::store;

use super::{ServiceError, Services};

impl Services {
    /// How many meetings are stored for the tenant (hidden ones included).
    pub async fn meeting_count(
        &self,
        tenant_id: &crate::domain::TenantId,
    ) -> Result<i64, ServiceError> {
        let id = tenant_id.clone();
        Ok(self
            .store
            .read(move |mut db| Box::pin(async move { store::meeting::count(&mut db, &id).await }))
            .await?)
    }
}

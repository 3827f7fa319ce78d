//! What visitors may see of a site's meetings. Reads only Marquee's store: a visitor request
//! never waits on Zoom.

use crate::domain::{Meeting, Tenant};
use crate::store;

use super::{ServiceError, Services};

/// Upper bound of one public list.
pub const MAX_PUBLIC_MEETINGS: i64 = 100;

impl Services {
    /// The site and its upcoming visible meetings, soonest first.
    pub async fn public_meetings(
        &self,
        slug: &str,
        limit: i64,
    ) -> Result<(Tenant, Vec<Meeting>), ServiceError> {
        let tenant = self.get_tenant(slug).await?;
        let id = tenant.id.clone();
        let limit = limit.clamp(1, MAX_PUBLIC_MEETINGS);
        let meetings = self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    store::meeting::list_upcoming_visible(&mut db, &id, store::now(), limit).await
                })
            })
            .await?;
        Ok((tenant, meetings))
    }

    /// One visible meeting of the site; hidden and unknown meetings are the same `NotFound`.
    pub async fn public_meeting(
        &self,
        slug: &str,
        zoom_meeting_id: i64,
    ) -> Result<(Tenant, Meeting), ServiceError> {
        let tenant = self.get_tenant(slug).await?;
        let id = tenant.id.clone();
        let meeting = self
            .store
            .read(move |mut db| {
                Box::pin(async move {
                    store::meeting::find_visible(&mut db, &id, zoom_meeting_id).await
                })
            })
            .await?
            .ok_or(ServiceError::NotFound("meeting"))?;
        Ok((tenant, meeting))
    }
}

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

//! Liveness and readiness for load balancers and orchestrators.

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::ApiTags;
use crate::http::error::ErrorBody;
use crate::service::Services;

pub struct HealthApi;

#[derive(Object)]
pub struct HealthStatus {
    /// `ok` when healthy.
    pub status: String,
}

#[derive(ApiResponse)]
pub enum Readiness {
    /// Ready: the database answers and every migration is applied.
    #[oai(status = 200)]
    Ready(Json<HealthStatus>),
    /// Not ready; the body says why.
    #[oai(status = 503)]
    NotReady(Json<ErrorBody>),
}

#[OpenApi(tag = "ApiTags::Health")]
impl HealthApi {
    /// Liveness: the process answers
    #[oai(path = "/healthz", method = "get", operation_id = "get_health")]
    async fn healthz(&self) -> Json<HealthStatus> {
        Json(HealthStatus {
            status: "ok".into(),
        })
    }

    /// Readiness: database reachable and migrations applied
    #[oai(path = "/readyz", method = "get", operation_id = "get_readiness")]
    async fn readyz(&self, s: Data<&Services>) -> Readiness {
        match s.store.readiness().await {
            Ok(()) => Readiness::Ready(Json(HealthStatus {
                status: "ok".into(),
            })),
            Err(e) => Readiness::NotReady(ErrorBody::new("not_ready", e.to_string())),
        }
    }
}

//! Liveness and readiness for load balancers and orchestrators.

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};

use super::ApiTags;
use super::answer::Answer;
use crate::http::error::ErrorBody;
use crate::service::Services;

pub struct HealthApi;

/// The one healthy answer.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum Health {
    Ok,
}

/// A healthy process.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct HealthStatus {
    pub status: Health,
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

super::answer::answers! {
    HealthStatus => "The process answers.",
}

#[OpenApi(tag = "ApiTags::Health")]
impl HealthApi {
    /// Liveness: the process answers
    ///
    /// Always 200 while the process serves requests; checks nothing else.
    #[oai(path = "/healthz", method = "get", operation_id = "get_health")]
    async fn healthz(&self) -> Answer<HealthStatus> {
        Answer(HealthStatus { status: Health::Ok })
    }

    /// Readiness: database reachable and migrations applied
    ///
    /// 503 while the database cannot be reached or a migration is pending.
    #[oai(path = "/readyz", method = "get", operation_id = "get_readiness")]
    async fn readyz(&self, s: Data<&Services>) -> Readiness {
        match s.store.readiness().await {
            Ok(()) => Readiness::Ready(Json(HealthStatus { status: Health::Ok })),
            Err(e) => Readiness::NotReady(ErrorBody::new("not_ready", e.to_string())),
        }
    }
}

//! Security schemes of the API, as poem-openapi extractors (so they appear in the spec).
//!
//! * `PlatformAuth`: the operator's platform key (`X-Platform-Key: …`).
//! * `TenantKeyAuth`: a tenant API key (`Authorization: Bearer mq_live_…`).
//!
//! The two keys travel in different headers so that a client generated from the document,
//! which sends whatever its security schemes say, can never confuse one for the other.
//! * `SessionAuth`: the site owner's session cookie; state-changing requests must also carry
//!   the session's CSRF token in `X-CSRF-Token`.
//! * `AdminAuth`: either of the last two.

use poem::http::{Method, header};
use poem::{Request, RequestBody};
use poem_openapi::auth::{ApiKey, Bearer};
use poem_openapi::registry::Registry;
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions, SecurityScheme};

use super::error::Problem;
use crate::crypto::constant_time_eq;
use crate::domain::Principal;
use crate::service::{Services, access};

pub const SESSION_COOKIE: &str = "marquee_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const PLATFORM_KEY_HEADER: &str = "x-platform-key";

fn services(req: &Request) -> &Services {
    req.data::<Services>()
        .expect("Services is attached to every route")
}

/// The hosting company's platform key (`MARQUEE_PLATFORM_KEY`), for `/api/v1/platform`:
/// `X-Platform-Key: <platform key>`. Not a tenant API key, and not sent as `Authorization`.
#[derive(SecurityScheme)]
#[oai(
    rename = "PlatformAuth",
    ty = "api_key",
    key_in = "header",
    key_name = "X-Platform-Key",
    checker = "check_platform_key"
)]
struct PlatformKeyHeader(());

async fn check_platform_key(req: &Request, key: ApiKey) -> poem::Result<()> {
    let expected = services(req).config().platform_key.as_bytes();
    if constant_time_eq(expected, key.key.as_bytes()) {
        Ok(())
    } else {
        Err(Problem::unauthorized("invalid platform key").into())
    }
}

/// The platform key scheme (documented as `PlatformAuth`), with a 401 that says where the key
/// belongs when the header is missing: clients written before the key had its own header send
/// it as `Authorization: Bearer`.
pub struct PlatformAuth(());

impl<'a> ApiExtractor<'a> for PlatformAuth {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        PlatformKeyHeader::register(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        PlatformKeyHeader::security_schemes()
    }

    async fn from_request(
        req: &'a Request,
        body: &mut RequestBody,
        param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        if !req.headers().contains_key(PLATFORM_KEY_HEADER) {
            return Err(Problem::unauthorized(missing_platform_key(req)).into());
        }
        PlatformKeyHeader::from_request(req, body, param_opts).await?;
        Ok(Self(()))
    }
}

fn missing_platform_key(req: &Request) -> &'static str {
    if req.headers().contains_key(header::AUTHORIZATION) {
        "the platform key goes in the X-Platform-Key header, not in Authorization"
    } else {
        "missing X-Platform-Key header"
    }
}

/// A tenant API key (`mq_live_…`, minted by the platform API) for `/api/v1/admin`:
/// `Authorization: Bearer <key>`. It acts on its own site only, with its scopes.
#[derive(SecurityScheme)]
#[oai(
    ty = "bearer",
    bearer_format = "mq_live_…",
    checker = "check_tenant_key"
)]
pub struct TenantKeyAuth(Principal);

async fn check_tenant_key(req: &Request, bearer: Bearer) -> poem::Result<Principal> {
    match services(req)
        .access()
        .authenticate_api_key(&bearer.token)
        .await
        .map_err(Problem::from)?
    {
        Some(principal) => Ok(principal),
        None => Err(Problem::unauthorized("invalid or revoked API key").into()),
    }
}

/// The site owner's session cookie (set by opening an admin link). Every request that is not
/// GET, HEAD or OPTIONS must also send the session's CSRF token in the `X-CSRF-Token` header
/// (the admin page carries it); without it the answer is 403 `csrf_failed`.
#[derive(SecurityScheme)]
#[oai(
    ty = "api_key",
    key_in = "cookie",
    key_name = "marquee_session",
    checker = "check_session"
)]
pub struct SessionAuth(Principal);

async fn check_session(req: &Request, cookie: ApiKey) -> poem::Result<Principal> {
    let Some(principal) = services(req)
        .access()
        .authenticate_session(&cookie.key)
        .await
        .map_err(Problem::from)?
    else {
        return Err(Problem::unauthorized("session expired; open a new admin link").into());
    };
    let safe_method = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe_method {
        let presented = req
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !access::csrf_matches(&cookie.key, presented) {
            return Err(
                Problem::forbidden("csrf_failed", "missing or wrong X-CSRF-Token header").into(),
            );
        }
    }
    Ok(principal)
}

/// The tenant admin API accepts a tenant API key or the owner's session.
#[derive(SecurityScheme)]
pub enum AdminAuth {
    // Key first: when both fail, the session's error (e.g. CSRF) is the one reported.
    Key(TenantKeyAuth),
    Session(SessionAuth),
}

impl AdminAuth {
    pub fn principal(&self) -> &Principal {
        match self {
            AdminAuth::Key(TenantKeyAuth(p)) | AdminAuth::Session(SessionAuth(p)) => p,
        }
    }
}

//! Pure domain types: validated identifiers and the records the services pass around.
//! No I/O, no diesel, no poem. Invalid input is refused by the `parse` constructors, at the edge.

pub mod access;
pub mod cursor;
pub mod event;
pub mod meeting;
pub mod meeting_plan;
pub mod origin;
pub mod public;
pub mod rate_limit;
pub mod site;
pub mod status;
pub mod tenant;

pub use access::{Principal, Scope, ScopeSet};
pub use meeting::Meeting;
pub use tenant::{Slug, Tenant, TenantId};

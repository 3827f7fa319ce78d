//! The storage layer's one error type; diesel errors are classified in one place.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; the text names what clashed.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database could not be reached or the pool is exhausted.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("migration failed: {0}")]
    Migration(String),
    /// A stored value could not be decoded (corrupt row, unknown key id, …).
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    #[error("query failed: {0}")]
    Query(DieselError),
}

impl From<DieselError> for StoreError {
    fn from(err: DieselError) -> Self {
        match err {
            DieselError::NotFound => Self::NotFound,
            // Both backends report UNIQUE/PRIMARY KEY failures as UniqueViolation; only
            // Postgres names the constraint, so the message is kept for context.
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                Self::Conflict(info.message().to_owned())
            }
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                Self::Unavailable(info.message().to_owned())
            }
            other => Self::Query(other),
        }
    }
}

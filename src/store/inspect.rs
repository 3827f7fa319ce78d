//! Raw access for tests and support: every row of a table as text, and (with the test-only
//! `test-support` feature) ad-hoc statements. Not used by request handling; it exists so tests
//! can check what is *really* stored (e.g. that no token is in plain text) instead of trusting
//! the typed layer.

use diesel::sql_types::{Nullable, Text};
use diesel_async::RunQueryDsl;

use super::{Db, Store, StoreError, with_db};

#[derive(diesel::QueryableByName)]
struct TextRow {
    #[diesel(sql_type = Nullable<Text>)]
    value: Option<String>,
}

fn checked_table(table: &str) -> Result<&str, StoreError> {
    if table.is_empty() || !table.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return Err(StoreError::Corrupt(format!("not a table name: {table:?}")));
    }
    Ok(table)
}

impl Store {
    /// Every row of `table`, each rendered as one line of text with all its columns.
    pub async fn dump_table(&self, table: &str) -> Result<Vec<String>, StoreError> {
        let table = checked_table(table)?.to_owned();
        self.read(move |mut db| {
            Box::pin(async move {
                let sql = match db {
                    Db::Pg(_) => format!("SELECT CAST(t.* AS TEXT) AS value FROM {table} t"),
                    Db::Sqlite(_) => {
                        let columns: Vec<TextRow> = with_db!(&mut db, |c| diesel::sql_query(
                            format!("SELECT name AS value FROM pragma_table_info('{table}')")
                        )
                        .load(c)
                        .await)?;
                        let quoted: Vec<String> = columns
                            .into_iter()
                            .flat_map(|c| c.value)
                            .map(|c| format!("quote(\"{c}\")"))
                            .collect();
                        format!(
                            "SELECT {} AS value FROM {table}",
                            quoted.join(" || ',' || ")
                        )
                    }
                };
                let rows: Vec<TextRow> =
                    with_db!(&mut db, |c| diesel::sql_query(sql).load(c).await)?;
                Ok(rows.into_iter().flat_map(|r| r.value).collect())
            })
        })
        .await
    }

    /// Runs one statement verbatim (tests use it to age rows, e.g. expire an OAuth state).
    /// Only in builds with the `test-support` feature.
    #[cfg(feature = "test-support")]
    pub async fn execute_raw(&self, sql: &str) -> Result<usize, StoreError> {
        let sql = sql.to_owned();
        self.read(move |mut db| {
            Box::pin(async move {
                Ok(with_db!(&mut db, |c| diesel::sql_query(sql)
                    .execute(c)
                    .await)?)
            })
        })
        .await
    }
}

//! Raw statements for both dialects: written with `?` placeholders, numbered for PostgreSQL.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult, Statement, TryGetable, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    pub(super) fn backend(self) -> DbBackend {
        match self {
            Dialect::Sqlite => DbBackend::Sqlite,
            Dialect::Postgres => DbBackend::Postgres,
        }
    }

    /// A statement from SQL written with `?` placeholders.
    pub(super) fn stmt(self, sql: &str, values: Vec<Value>) -> Statement {
        let sql = match self {
            Dialect::Sqlite => sql.to_string(),
            Dialect::Postgres => {
                let mut out = String::with_capacity(sql.len() + 16);
                let mut n = 0;
                for c in sql.chars() {
                    if c == '?' {
                        n += 1;
                        out.push('$');
                        out.push_str(&n.to_string());
                    } else {
                        out.push(c);
                    }
                }
                out
            }
        };
        Statement::from_sql_and_values(self.backend(), sql, values)
    }

    pub(super) async fn exec(self, db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Result<u64, DbErr> {
        Ok(db.execute_raw(self.stmt(sql, values)).await?.rows_affected())
    }

    /// Runs several statements in order: on SQLite in one call (one round trip to the
    /// connection's thread), on PostgreSQL one by one (its protocol takes one per call).
    pub(super) async fn exec_many(
        self,
        db: &impl ConnectionTrait,
        statements: Vec<(String, Vec<Value>)>,
    ) -> Result<(), DbErr> {
        match self {
            Dialect::Sqlite => {
                let (sql, values): (Vec<String>, Vec<Vec<Value>>) = statements.into_iter().unzip();
                let sql = sql.join(";\n");
                db.execute_raw(self.stmt(&sql, values.into_iter().flatten().collect()))
                    .await?;
            }
            Dialect::Postgres => {
                for (sql, values) in statements {
                    db.execute_raw(self.stmt(&sql, values)).await?;
                }
            }
        }
        Ok(())
    }

    pub(super) async fn all(
        self,
        db: &impl ConnectionTrait,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<Vec<QueryResult>, DbErr> {
        db.query_all_raw(self.stmt(sql, values)).await
    }
}

/// `(?, ?, ?), (?, ?, ?)` for `rows` rows of `cols` columns.
pub(super) fn value_rows(rows: usize, cols: usize) -> String {
    let one = format!("({})", vec!["?"; cols].join(", "));
    vec![one; rows].join(", ")
}

/// `?, ?, ?` for an `IN (...)` list.
pub(super) fn list(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// Reads column `col` of `row`.
pub(super) fn get<T: TryGetable>(row: &QueryResult, col: &str) -> Result<T, DbErr> {
    row.try_get("", col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_placeholders_for_postgres() {
        let s = Dialect::Postgres.stmt("a = ? AND b IN (?, ?)", vec![]);
        assert_eq!(s.sql, "a = $1 AND b IN ($2, $3)");
        assert_eq!(value_rows(2, 2), "(?, ?), (?, ?)");
    }
}

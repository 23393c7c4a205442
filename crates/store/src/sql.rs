//! Statements put together at run time (lists of filters, many rows at once), with `$n`
//! placeholders. sqlx's own `QueryBuilder` writes `?` for the `Any` driver, which SQLite
//! reads but PostgreSQL does not; both read `$n`.

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::{Query, QueryScalar};
use sqlx::{Any, Arguments, Encode, Type};
use std::fmt::Write;

/// A `LIKE … ESCAPE '\'` pattern matching text that contains `text` literally: the
/// wildcards `%` and `_`, and the escape itself, stand for themselves.
pub(crate) fn like_containing(text: &str) -> String {
    format!("%{}%", like_literal(text))
}

/// A `LIKE … ESCAPE '\'` pattern matching text that starts with `text` literally.
pub(crate) fn like_starting(text: &str) -> String {
    format!("{}%", like_literal(text))
}

fn like_literal(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

pub(crate) struct Sql<'q> {
    sql: String,
    arguments: AnyArguments<'q>,
    bound: usize,
}

impl<'q> Sql<'q> {
    pub(crate) fn new(sql: impl Into<String>) -> Self {
        Self {
            sql: sql.into(),
            arguments: AnyArguments::default(),
            bound: 0,
        }
    }

    pub(crate) fn push(&mut self, sql: impl std::fmt::Display) -> &mut Self {
        write!(self.sql, "{sql}").expect("writing to a String cannot fail");
        self
    }

    pub(crate) fn push_bind<T>(&mut self, value: T) -> &mut Self
    where
        T: 'q + Encode<'q, Any> + Type<Any>,
    {
        // Front Door binds integers, floats, text and bytes, which always encode.
        self.arguments
            .add(value)
            .expect("a bound value encodes for the Any driver");
        self.bound += 1;
        let placeholder = format!("${}", self.bound);
        self.push(placeholder)
    }

    /// ` IN (v1, v2, …, NULL)`: the trailing NULL makes an empty choice match nothing
    /// rather than be a syntax error.
    pub(crate) fn push_in<T, I>(&mut self, values: I) -> &mut Self
    where
        I: IntoIterator<Item = T>,
        T: 'q + Encode<'q, Any> + Type<Any>,
    {
        self.push(" IN (");
        for value in values {
            self.push_bind(value).push(", ");
        }
        self.push("NULL)")
    }

    /// ` VALUES (…), (…)`, one row per item, each filled by `row`.
    pub(crate) fn push_values<I, F>(&mut self, items: I, mut row: F) -> &mut Self
    where
        I: IntoIterator,
        F: FnMut(Row<'_, 'q>, I::Item),
    {
        self.push(" VALUES ");
        for (n, item) in items.into_iter().enumerate() {
            self.push(if n == 0 { "(" } else { ", (" });
            row(
                Row {
                    sql: self,
                    first: true,
                },
                item,
            );
            self.push(")");
        }
        self
    }

    pub(crate) fn build(&mut self) -> Query<'_, Any, AnyArguments<'_>> {
        let arguments: AnyArguments<'_> = std::mem::take(&mut self.arguments);
        sqlx::query_with(&self.sql, arguments)
    }

    pub(crate) fn build_query_scalar<O>(&mut self) -> QueryScalar<'_, Any, O, AnyArguments<'_>>
    where
        (O,): for<'r> sqlx::FromRow<'r, AnyRow>,
    {
        let arguments: AnyArguments<'_> = std::mem::take(&mut self.arguments);
        sqlx::query_scalar_with(&self.sql, arguments)
    }
}

/// One row of a `VALUES` list.
pub(crate) struct Row<'s, 'q> {
    sql: &'s mut Sql<'q>,
    first: bool,
}

impl<'q> Row<'_, 'q> {
    pub(crate) fn push_bind<T>(&mut self, value: T) -> &mut Self
    where
        T: 'q + Encode<'q, Any> + Type<Any>,
    {
        if !self.first {
            self.sql.push(", ");
        }
        self.first = false;
        self.sql.push_bind(value);
        self
    }
}

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::time::Duration;

/// The migrations of `/migrations`, compiled into the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// How every connection of the app is opened. sqlx prepares its statements, and after five
/// runs PostgreSQL may switch a statement to one generic plan for every parameter value.
/// Several queries here take optional parameters (`$2 IS NULL OR t.region_id = $2`: a
/// report for the organization, a region or a team); a generic plan cannot drop the branch
/// that does not apply and misjudges row counts (the organization report went from 70 ms to
/// 300 ms). Planning each run costs well under a millisecond.
pub fn connect_options(database_url: &str) -> anyhow::Result<PgConnectOptions> {
    let options: PgConnectOptions = database_url
        .parse()
        .context("DATABASE_URL is not a valid PostgreSQL URL")?;
    Ok(options.options([("plan_cache_mode", "force_custom_plan")]))
}

pub async fn connect(database_url: &str) -> anyhow::Result<PgPool> {
    PgPoolOptions::new()
        .max_connections(20)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(connect_options(database_url)?)
        .await
        .context("could not connect to the database at DATABASE_URL")
}

/// Applies pending migrations. sqlx takes an advisory lock, so several instances
/// starting at once apply them once.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR
        .run(pool)
        .await
        .context("could not apply database migrations")
}

/// `url` with its database name replaced (user, host and options kept).
pub fn with_database(url: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let (path, query) = rest
        .split_once('?')
        .map_or((rest, None), |(p, q)| (p, Some(q)));
    let authority = path.split('/').next().unwrap_or_default();
    format!(
        "{scheme}://{authority}/{name}{}",
        query.map(|q| format!("?{q}")).unwrap_or_default()
    )
}

/// A freshly created and migrated database `name` on the server of `url`, for benchmarks.
pub async fn scratch_database(url: &str, name: &str) -> anyhow::Result<PgPool> {
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(&with_database(url, "postgres")).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await?;
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .connect_with(connect_options(&with_database(url, name))?)
        .await?;
    migrate(&pool).await?;
    Ok(pool)
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_names_are_replaced_and_options_kept() {
        assert_eq!(
            super::with_database("postgres://u@localhost/roster?host=/tmp/run", "other"),
            "postgres://u@localhost/other?host=/tmp/run"
        );
        assert_eq!(
            super::with_database("postgres://u:p@db:5432/x", "y"),
            "postgres://u:p@db:5432/y"
        );
    }
}

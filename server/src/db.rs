use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::time::Duration;

/// The migrations of `/migrations`, compiled into the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// How every connection of the app is opened. (Statements that need planning for their
/// parameters on every run ask for it themselves, for their own transaction: see
/// `app::server::reports`. Asking it for every connection made PostgreSQL plan each of the
/// foreign-key checks of a 100,000-row import anew, and the import twice as slow.)
///
/// JIT compilation is off for the app's sessions: PostgreSQL compiles a statement's
/// expressions with LLVM once its estimated cost passes `jit_above_cost`, which the
/// roster's read for a change set does at 100,000 members (a nested loop the planner
/// prices high): 294 ms of compiling for a 1.0 s statement, every time. Roster's
/// statements are short and run once each; none gains from it. (Added after any
/// `options` the URL gives, so it holds whatever they say.)
pub fn connect_options(database_url: &str) -> anyhow::Result<PgConnectOptions> {
    let options: PgConnectOptions = database_url
        .parse()
        .context("DATABASE_URL is not a valid PostgreSQL URL")?;
    Ok(options.options([("jit", "off")]))
}

/// How long a pooled connection may sit idle before it is checked on its way out.
const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(10);

/// A pool for the command line's one-off work.
pub async fn connect(database_url: &str) -> anyhow::Result<PgPool> {
    connect_with_size(database_url, 20).await
}

/// A pool of at most `size` connections (the server: `DATABASE_POOL_SIZE`).
pub async fn connect_with_size(database_url: &str, size: u32) -> anyhow::Result<PgPool> {
    PgPoolOptions::new()
        .max_connections(size)
        .acquire_timeout(Duration::from_secs(5))
        // A connection is pinged before it is handed out only when it has sat idle a while
        // (the database may have restarted or closed it meanwhile). sqlx's default pings
        // on every acquire: a round trip before each query, 15 % of the CPU of a page under
        // 50 clients (perf; docs/BENCHMARKS.md, issue 25 target 5). One just used is alive.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= PING_WHEN_IDLE_FOR {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
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

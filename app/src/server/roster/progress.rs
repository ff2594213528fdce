//! How far a change set's apply has got, for the page's progress bar. The apply runs in one
//! transaction that no one else can see into until it commits, so it reports its steps on
//! separate connections to `roster_apply_progress`; the page polls that row through
//! whichever instance answers. Progress is advisory: a report that fails is logged and the
//! apply goes on.

use crate::error::AppError;
use crate::import::RowCells;
use crate::model::roster::{ApplyProgress, ROWS_PER_PART};
use sqlx::PgPool;
use uuid::Uuid;

/// Something told how far an apply has got: done, total, stage.
pub type Listener = Box<dyn FnMut(usize, usize, &str) + Send>;

/// Where an apply's progress goes.
enum Target {
    Nowhere,
    /// The row the page polls: the pool, the organization and the key.
    Row(PgPool, i64, Uuid),
    /// A function (the command line prints it on a terminal).
    Listener(Listener),
}

/// An apply's progress: the row the page polls, a listener, or nothing.
pub struct Reporter {
    target: Target,
    done: usize,
    total: usize,
}

impl Reporter {
    /// A reporter that reports to no one (`roster csv apply`, tests).
    pub fn quiet() -> Self {
        Self::new(Target::Nowhere)
    }

    /// The reporter for `key`, which [`start`] made for `organization_id`.
    pub fn to(pool: &PgPool, organization_id: i64, key: Uuid) -> Self {
        Self::new(Target::Row(pool.clone(), organization_id, key))
    }

    /// A reporter that tells `listener`.
    pub fn listener(listener: Listener) -> Self {
        Self::new(Target::Listener(listener))
    }

    fn new(target: Target) -> Self {
        Reporter {
            target,
            done: 0,
            total: 0,
        }
    }

    /// Sets the whole amount of work, in steps (one per member touched, and a few more).
    pub fn set_total(&mut self, total: usize) {
        self.total = total;
    }

    /// `steps` more done, now at `stage`.
    pub async fn advance(&mut self, steps: usize, stage: &str) {
        self.done = (self.done + steps).min(self.total);
        let (pool, organization_id, key) = match &mut self.target {
            Target::Nowhere => return,
            Target::Listener(tell) => return tell(self.done, self.total, stage),
            Target::Row(pool, organization_id, key) => (&*pool, *organization_id, *key),
        };
        let written = sqlx::query!(
            "UPDATE roster_apply_progress SET done = $3, total = $4, stage = $5, updated_at = now()
              WHERE key = $1 AND organization_id = $2",
            key,
            organization_id,
            self.done as i32,
            self.total as i32,
            stage
        )
        .execute(pool)
        .await;
        if let Err(e) = written {
            tracing::warn!(error = %e, "an apply's progress could not be written");
        }
    }

    /// The apply ended (done or refused): its row goes.
    pub async fn finish(self) {
        if let Target::Row(pool, _, key) = self.target {
            let deleted = sqlx::query!("DELETE FROM roster_apply_progress WHERE key = $1", key)
                .execute(&pool)
                .await;
            if let Err(e) = deleted {
                // The maintenance sweep takes it after a day.
                tracing::warn!(error = %e, "an apply's progress could not be removed");
            }
        }
    }
}

/// A new progress row for an apply about to start in `organization_id`. Rows an apply left
/// behind (its server stopped mid-way, its page closed while sending) go with the server's
/// maintenance sweep after a day.
pub async fn start(pool: &PgPool, organization_id: i64) -> Result<Uuid, AppError> {
    let key = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO roster_apply_progress (key, organization_id, stage)
         VALUES ($1, $2, 'Sending the file')",
        key,
        organization_id
    )
    .execute(pool)
    .await?;
    Ok(key)
}

/// Keeps part `part` of the file to be applied under `key` (sent again, it replaces itself).
pub async fn stage_rows(
    pool: &PgPool,
    organization_id: i64,
    key: Uuid,
    part: u32,
    rows: &[RowCells],
) -> Result<(), AppError> {
    if rows.len() > ROWS_PER_PART {
        return Err(AppError::invalid(format!(
            "Send at most {ROWS_PER_PART} rows at once."
        )));
    }
    let json = serde_json::to_value(rows).map_err(|_| AppError::internal())?;
    // Only under a key of the caller's organization that has not ended.
    let kept = sqlx::query!(
        "INSERT INTO roster_apply_rows (key, part, rows)
         SELECT key, $3, $4 FROM roster_apply_progress WHERE key = $1 AND organization_id = $2
         ON CONFLICT (key, part) DO UPDATE SET rows = EXCLUDED.rows",
        key,
        organization_id,
        part as i32,
        json
    )
    .execute(pool)
    .await?
    .rows_affected();
    if kept == 0 {
        return Err(AppError::NotFound(
            "This apply has ended or was started elsewhere: apply the file again.".into(),
        ));
    }
    Ok(())
}

/// The rows sent under `key`, in the order of their parts; refused unless all `expected`
/// arrived.
pub async fn staged_rows(
    pool: &PgPool,
    organization_id: i64,
    key: Uuid,
    expected: usize,
) -> Result<Vec<RowCells>, AppError> {
    let parts = sqlx::query!(
        r#"SELECT r.rows AS "rows: sqlx::types::Json<Vec<RowCells>>"
             FROM roster_apply_rows r JOIN roster_apply_progress p USING (key)
            WHERE r.key = $1 AND p.organization_id = $2
            ORDER BY r.part"#,
        key,
        organization_id
    )
    .fetch_all(pool)
    .await?;
    let rows: Vec<RowCells> = parts.into_iter().flat_map(|p| p.rows.0).collect();
    if rows.len() != expected {
        return Err(AppError::invalid(format!(
            "{} of the file's {expected} rows arrived, so nothing was changed: apply it again.",
            rows.len()
        )));
    }
    Ok(rows)
}

/// How far the apply `key` of `organization_id` has got; `None` when it has ended (or is
/// another organization's).
pub async fn read(
    pool: &PgPool,
    organization_id: i64,
    key: Uuid,
) -> Result<Option<ApplyProgress>, AppError> {
    let row = sqlx::query!(
        "SELECT done, total, stage FROM roster_apply_progress
          WHERE key = $1 AND organization_id = $2",
        key,
        organization_id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| ApplyProgress {
        done: r.done.max(0) as u32,
        total: r.total.max(0) as u32,
        stage: r.stage,
    }))
}

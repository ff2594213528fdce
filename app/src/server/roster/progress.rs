//! How far a change set's apply has got, for the page's progress bar. The apply runs in one
//! transaction that no one else can see into until it commits, so it reports its steps on
//! separate connections to `roster_apply_progress`; the page polls that row through
//! whichever instance answers. Progress is advisory: a report that fails is logged and the
//! apply goes on.

use crate::domain::Access;
use crate::domain::Capability;
use crate::error::AppError;
use crate::import::RowCells;
use crate::model::roster::{ApplyProgress, ROWS_PER_PART};
use futures_util::TryStreamExt;
use sqlx::PgPool;
use uuid::Uuid;

/// Parts one apply may be sent in: a whole file of [`crate::import::MAX_ROWS`] rows.
pub const MAX_PARTS: u32 = (crate::import::MAX_ROWS / ROWS_PER_PART) as u32;
/// Bytes one apply's parts may hold together (as stored): 200,000 rows of long names
/// in any script fit; a key cannot be used to fill the database.
pub const MAX_BYTES_PER_APPLY: i64 = 96 * 1024 * 1024;
/// Applies an organization may have open at once (sending or running): a person has one,
/// a second tab makes two.
pub const MAX_OPEN_APPLIES: i64 = 3;

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
        if let Target::Row(pool, organization_id, key) = self.target {
            // Only the organization's own: a key is not a capability across organizations.
            let deleted = sqlx::query!(
                "DELETE FROM roster_apply_progress WHERE key = $1 AND organization_id = $2",
                key,
                organization_id
            )
            .execute(&pool)
            .await;
            if let Err(e) = deleted {
                // The maintenance sweep takes it after a day.
                tracing::warn!(error = %e, "an apply's progress could not be removed");
            }
        }
    }
}

/// A new progress row for an apply about to start in `organization_id`, unless it has
/// [`MAX_OPEN_APPLIES`] open already. Rows an apply left behind (its server stopped
/// mid-way, its page closed while sending) go with the maintenance sweep.
pub async fn start(pool: &PgPool, access: &Access) -> Result<Uuid, AppError> {
    access.may(Capability::ChangeMembers)?;
    let organization_id = access.organization_id;
    let key = Uuid::new_v4();
    let mut tx = pool.begin().await?;
    // Counted and added under a lock per organization, so a burst cannot pass the count
    // together. Not the organization row's lock: a running apply holds that.
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtextextended('roster apply ' || $1::bigint, 0))",
        organization_id
    )
    .execute(&mut *tx)
    .await?;
    let open = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM roster_apply_progress WHERE organization_id = $1"#,
        organization_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if open >= MAX_OPEN_APPLIES {
        return Err(AppError::TooManyRequests(format!(
            "{open} files are being applied to your organization already: wait until they finish (or close the other tabs applying them), then try again."
        )));
    }
    sqlx::query!(
        "INSERT INTO roster_apply_progress (key, organization_id, stage)
         VALUES ($1, $2, 'Sending the file')",
        key,
        organization_id
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(key)
}

/// Keeps part `part` of the file to be applied under `key` (sent again, it replaces
/// itself): at most [`ROWS_PER_PART`] rows, [`MAX_PARTS`] parts and
/// [`MAX_BYTES_PER_APPLY`] bytes under one key.
pub async fn stage_rows(
    pool: &PgPool,
    access: &Access,
    key: Uuid,
    part: u32,
    rows: &[RowCells],
) -> Result<(), AppError> {
    access.may(Capability::ChangeMembers)?;
    let organization_id = access.organization_id;
    if rows.len() > ROWS_PER_PART {
        return Err(AppError::invalid(format!(
            "Send at most {ROWS_PER_PART} rows at once."
        )));
    }
    if part >= MAX_PARTS {
        return Err(AppError::invalid(format!(
            "A file is sent in at most {MAX_PARTS} parts ({} rows): apply a smaller file.",
            crate::import::MAX_ROWS
        )));
    }
    let json = serde_json::to_string(rows).map_err(|_| AppError::internal())?;
    let bytes = json.len() as i64;
    let mut tx = pool.begin().await?;
    // Only under a key of the caller's organization that has not ended. Its row is locked
    // (so two parts sent at once are counted one after the other) and marked alive (the
    // sweep takes silent ones) by one statement.
    let key_found = sqlx::query_scalar!(
        "UPDATE roster_apply_progress SET updated_at = now()
          WHERE key = $1 AND organization_id = $2 RETURNING key",
        key,
        organization_id,
    )
    .fetch_optional(&mut *tx)
    .await?;
    if key_found.is_none() {
        return Err(AppError::NotFound(
            "This apply has ended or was started elsewhere: apply the file again.".into(),
        ));
    }
    // What the key's other parts hold (a part sent again replaces itself).
    let held = sqlx::query_scalar!(
        r#"SELECT coalesce(sum(bytes), 0)::bigint AS "held!" FROM roster_apply_rows
            WHERE key = $1 AND part <> $2"#,
        key,
        part as i32,
    )
    .fetch_one(&mut *tx)
    .await?;
    if held + bytes > MAX_BYTES_PER_APPLY {
        return Err(AppError::TooLarge(format!(
            "This file is larger than Roster applies at once ({} MB as sent): apply it in smaller files.",
            MAX_BYTES_PER_APPLY / (1024 * 1024)
        )));
    }
    sqlx::query!(
        "INSERT INTO roster_apply_rows (key, part, rows, bytes) VALUES ($1, $2, $3::text::jsonb, $4)
         ON CONFLICT (key, part) DO UPDATE SET rows = EXCLUDED.rows, bytes = EXCLUDED.bytes",
        key,
        part as i32,
        json,
        bytes as i32
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The rows sent under `key`, in the order of their parts; refused unless all `expected`
/// arrived. Read one part at a time: the parts' JSON is never all in memory at once.
pub async fn staged_rows(
    pool: &PgPool,
    access: &Access,
    key: Uuid,
    expected: usize,
) -> Result<Vec<RowCells>, AppError> {
    let organization_id = access.organization_id;
    let too_many = || {
        AppError::invalid(format!(
            "More rows arrived than the file's {expected}, so nothing was changed: apply it again."
        ))
    };
    if expected > crate::import::MAX_ROWS {
        return Err(too_many());
    }
    let mut rows: Vec<RowCells> = Vec::with_capacity(expected);
    let mut parts = sqlx::query!(
        r#"SELECT r.rows AS "rows: sqlx::types::Json<Vec<RowCells>>"
             FROM roster_apply_rows r JOIN roster_apply_progress p USING (key)
            WHERE r.key = $1 AND p.organization_id = $2
            ORDER BY r.part"#,
        key,
        organization_id
    )
    .fetch(pool);
    while let Some(part) = parts.try_next().await? {
        if rows.len() + part.rows.0.len() > expected {
            return Err(too_many());
        }
        rows.extend(part.rows.0);
    }
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
    access: &Access,
    key: Uuid,
) -> Result<Option<ApplyProgress>, AppError> {
    access.may(Capability::ChangeMembers)?;
    let organization_id = access.organization_id;
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

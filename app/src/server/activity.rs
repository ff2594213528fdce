//! The activity log: who did what to whom, written in the transaction of the change, and
//! read back in words for the Activity page.

use crate::domain::Access;
use crate::domain::Capability;
use crate::error::AppError;
use crate::model::activity::{ActivityEntry, ActivityFilter, ActivityLog};
use serde::Serialize;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};

/// What was done. Stored by [`Action::key`]; [`Action::words`] is how the Activity page
/// says it (followed by the member it was done to, if any).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    OrganizationCreated,
    MemberInvited,
    InvitationAccepted,
    InvitationResent,
    InvitationRevoked,
    MemberDeactivated,
    MemberReactivated,
    PermissionChanged,
    MembersImported,
    SeatGranted,
    SeatRemoved,
    SeatsBoughtChanged,
    SeatsRequested,
    ProgramAssigned,
    ProgramUnassigned,
    ApiKeyCreated,
    ApiKeyRevoked,
    RegionCreated,
    RegionRenamed,
    RegionDeleted,
    TeamCreated,
    TeamRenamed,
    TeamDeleted,
    TeamChanged,
    PasswordResetSent,
    PasswordReset,
    PasswordChanged,
    ChangedByFile,
    ScopeChanged,
    SettingChanged,
    InvitationReminded,
    InvitationExpired,
    DeactivationScheduled,
    DeactivationUnscheduled,
    ScheduledDeactivationSkipped,
    SeatAlertSent,
    SeatWaitlisted,
    ProvisionedChanged,
    WayBackInUsed,
    WebhookAdded,
    WebhookRemoved,
    ChangedByApi,
}

impl Action {
    pub const ALL: [Action; 42] = [
        Action::OrganizationCreated,
        Action::MemberInvited,
        Action::InvitationAccepted,
        Action::InvitationResent,
        Action::InvitationRevoked,
        Action::MemberDeactivated,
        Action::MemberReactivated,
        Action::PermissionChanged,
        Action::MembersImported,
        Action::SeatGranted,
        Action::SeatRemoved,
        Action::SeatsBoughtChanged,
        Action::SeatsRequested,
        Action::ProgramAssigned,
        Action::ProgramUnassigned,
        Action::ApiKeyCreated,
        Action::ApiKeyRevoked,
        Action::RegionCreated,
        Action::RegionRenamed,
        Action::RegionDeleted,
        Action::TeamCreated,
        Action::TeamRenamed,
        Action::TeamDeleted,
        Action::TeamChanged,
        Action::PasswordResetSent,
        Action::PasswordReset,
        Action::PasswordChanged,
        Action::ChangedByFile,
        Action::ScopeChanged,
        Action::SettingChanged,
        Action::InvitationReminded,
        Action::InvitationExpired,
        Action::DeactivationScheduled,
        Action::DeactivationUnscheduled,
        Action::ScheduledDeactivationSkipped,
        Action::SeatAlertSent,
        Action::SeatWaitlisted,
        Action::ProvisionedChanged,
        Action::WayBackInUsed,
        Action::WebhookAdded,
        Action::WebhookRemoved,
        Action::ChangedByApi,
    ];

    /// The key stored in `audit_log.action`.
    pub fn key(self) -> &'static str {
        self.parts().0
    }

    /// The words of the Activity page.
    pub fn words(self) -> &'static str {
        self.parts().1
    }

    fn parts(self) -> (&'static str, &'static str) {
        match self {
            Action::OrganizationCreated => ("organization.created", "Created the organization"),
            Action::MemberInvited => ("member.invited", "Invited"),
            Action::InvitationAccepted => ("invitation.accepted", "Accepted the invitation"),
            Action::InvitationResent => ("invitation.resent", "Resent the invitation to"),
            Action::InvitationRevoked => ("invitation.revoked", "Revoked the invitation of"),
            Action::MemberDeactivated => ("member.deactivated", "Deactivated"),
            Action::MemberReactivated => ("member.reactivated", "Reactivated"),
            Action::PermissionChanged => ("member.permission_changed", "Changed the permission of"),
            Action::MembersImported => ("members.imported", "Imported members from a CSV file"),
            Action::SeatGranted => ("seat.granted", "Gave a seat to"),
            Action::SeatRemoved => ("seat.removed", "Removed a seat from"),
            Action::SeatsBoughtChanged => ("seats.bought_changed", "Changed the seats bought"),
            Action::SeatsRequested => ("seats.requested", "Asked the vendor for more seats"),
            Action::ProgramAssigned => ("program.assigned", "Assigned a program to"),
            Action::ProgramUnassigned => ("program.unassigned", "Unassigned a program from"),
            Action::ApiKeyCreated => ("api_key.created", "Created an API key"),
            Action::ApiKeyRevoked => ("api_key.revoked", "Revoked an API key"),
            Action::RegionCreated => ("region.created", "Added a region"),
            Action::RegionRenamed => ("region.renamed", "Renamed a region"),
            Action::RegionDeleted => ("region.deleted", "Deleted a region"),
            Action::TeamCreated => ("team.created", "Added a team"),
            Action::TeamRenamed => ("team.renamed", "Renamed a team"),
            Action::TeamDeleted => ("team.deleted", "Deleted a team"),
            Action::TeamChanged => ("member.team_changed", "Changed the team of"),
            Action::PasswordResetSent => ("password.reset_sent", "Sent a password reset link to"),
            Action::PasswordReset => ("password.reset", "Set a new password from a reset link:"),
            Action::PasswordChanged => ("password.changed", "Changed the password of"),
            Action::ChangedByFile => ("member.changed_by_file", "Changed from a file:"),
            Action::ScopeChanged => (
                "manager.scope_changed",
                "Changed the teams and regions managed by",
            ),
            Action::SettingChanged => (
                "organization.setting_changed",
                "Changed a setting of the organization",
            ),
            Action::InvitationReminded => (
                "invitation.reminded",
                "Sent a reminder of the invitation to",
            ),
            Action::InvitationExpired => ("invitation.expired", "Expired the invitation of"),
            Action::DeactivationScheduled => (
                "member.deactivation_scheduled",
                "Scheduled the deactivation of",
            ),
            Action::DeactivationUnscheduled => (
                "member.deactivation_unscheduled",
                "Cancelled the scheduled deactivation of",
            ),
            Action::ScheduledDeactivationSkipped => (
                "member.scheduled_deactivation_skipped",
                "Could not carry out the scheduled deactivation of",
            ),
            Action::SeatAlertSent => (
                "seats.alert_sent",
                "Warned the administrators that seats run low",
            ),
            Action::SeatWaitlisted => ("seat.waitlisted", "Put on the seat waitlist:"),
            Action::ProvisionedChanged => (
                "member.provisioned_changed",
                "Changed from the identity provider:",
            ),
            Action::WayBackInUsed => (
                "sso.way_back_in_used",
                "Signed in with a password while SSO is required (the way back in):",
            ),
            Action::WebhookAdded => ("webhook.added", "Added a webhook endpoint"),
            Action::WebhookRemoved => ("webhook.removed", "Removed a webhook endpoint"),
            Action::ChangedByApi => ("member.changed_by_api", "Changed through the API:"),
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }
}

/// One entry, in the caller's transaction.
pub async fn record(
    conn: &mut PgConnection,
    actor: &Access,
    action: Action,
    subject_member_id: Option<i64>,
    details: serde_json::Value,
) -> Result<(), AppError> {
    sqlx::query!(
        r#"INSERT INTO audit_log (organization_id, actor_member_id, actor_label, action, subject_member_id, details)
           VALUES ($1, $2, $3, $4, $5, $6)"#,
        actor.organization_id,
        actor.member_id(),
        actor.label,
        action.key(),
        subject_member_id,
        details,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// One entry per subject, with its own details, in one statement.
pub async fn record_many<D: Serialize>(
    conn: &mut PgConnection,
    actor: &Access,
    action: Action,
    subject_member_ids: &[i64],
    details: &[D],
) -> Result<(), AppError> {
    let details: Vec<Json<&D>> = details.iter().map(Json).collect();
    sqlx::query!(
        r#"INSERT INTO audit_log (organization_id, actor_member_id, actor_label, action, subject_member_id, details)
           SELECT $1, $2, $3, $4, subject, detail FROM UNNEST($5::bigint[], $6::jsonb[]) AS t(subject, detail)"#,
        actor.organization_id,
        actor.member_id(),
        actor.label,
        action.key(),
        subject_member_ids,
        &details as &[Json<&D>],
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The entries a page of the log shows.
pub const PAGE: i64 = 50;

/// The log's rows as the filter selects them, newest first, before the entry `$2` (if
/// any), at most `$8` (`NULL`: all). Texts match case-insensitively anywhere (their `%`
/// and `_` taken literally); days are UTC days, the last one included.
const SELECTED: &str = r#"
    SELECT a.id, to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at,
           a.actor_label, a.action, a.subject_member_id, s.email AS subject, a.details
      FROM audit_log a LEFT JOIN members s ON s.id = a.subject_member_id
     WHERE a.organization_id = $1
       AND ($2::bigint IS NULL OR a.id < $2)
       AND ($3::text = '' OR a.actor_label ILIKE '%' || $3 || '%' ESCAPE '\')
       AND ($4::text = '' OR a.action = $4)
       AND ($5::text = '' OR s.email ILIKE '%' || $5 || '%' ESCAPE '\'
            OR (s.first_name || ' ' || s.last_name) ILIKE '%' || $5 || '%' ESCAPE '\')
       AND ($6::date IS NULL OR a.created_at >= $6::date::timestamp AT TIME ZONE 'UTC')
       AND ($7::date IS NULL OR a.created_at < ($7::date + 1)::timestamp AT TIME ZONE 'UTC')
     ORDER BY a.id DESC
     LIMIT $8"#;

/// One row of the log as [`SELECTED`] reads it.
#[derive(sqlx::FromRow)]
pub struct Row {
    pub id: i64,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub at: String,
    pub actor_label: String,
    pub action: String,
    pub subject_member_id: Option<i64>,
    pub subject: Option<String>,
    pub details: serde_json::Value,
}

impl Row {
    /// The action in the Activity page's words.
    pub fn description(&self) -> &'static str {
        Action::from_key(&self.action).map_or("", |a| a.words())
    }
}

/// The log's rows as `filter` selects them, newest first, [`PAGE`] before `before` (the
/// REST API's read).
pub async fn rows(
    pool: &PgPool,
    access: &Access,
    filter: &ActivityFilter,
    before: Option<i64>,
) -> Result<Vec<Row>, AppError> {
    access.may(Capability::SeeActivity)?;
    checked(filter)?;
    Ok(selected(access, filter, before, Some(PAGE))
        .fetch_all(pool)
        .await?)
}

/// `text` for `ILIKE '%' || text || '%'`: its own `%`, `_` and `\` match themselves.
fn like_literal(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The filter, checked: a field error says what to change.
fn checked(filter: &ActivityFilter) -> Result<(), AppError> {
    filter
        .check()
        .map_err(|(field, message)| AppError::field(field, message))?;
    if !filter.what.is_empty() && Action::from_key(&filter.what).is_none() {
        return Err(AppError::field(
            "what",
            format!(
                "“{}” is not an action of the log: choose one from the list.",
                filter.what
            ),
        ));
    }
    Ok(())
}

fn selected<'q>(
    access: &Access,
    filter: &'q ActivityFilter,
    before: Option<i64>,
    limit: Option<i64>,
) -> sqlx::query::QueryAs<'q, sqlx::Postgres, Row, sqlx::postgres::PgArguments> {
    let day = |d: &str| (!d.is_empty()).then(|| d.to_owned());
    sqlx::query_as::<_, Row>(SELECTED)
        .bind(access.organization_id)
        .bind(before)
        .bind(like_literal(&filter.who))
        .bind(filter.what.clone())
        .bind(like_literal(&filter.member))
        .bind(day(&filter.from))
        .bind(day(&filter.to))
        .bind(limit)
}

/// The organization's log as `filter` selects it, newest first: [`PAGE`] entries before
/// the entry `before`.
pub async fn entries(
    pool: &PgPool,
    access: &Access,
    filter: &ActivityFilter,
    before: Option<i64>,
) -> Result<ActivityLog, AppError> {
    access.may(Capability::SeeActivity)?;
    checked(filter)?;
    let rows = selected(access, filter, before, Some(PAGE))
        .fetch_all(pool)
        .await?;
    Ok(ActivityLog {
        entries: rows
            .into_iter()
            .map(|r| ActivityEntry {
                id: r.id,
                at: r.at.replace('T', " ").replace('Z', " UTC"),
                actor: r.actor_label,
                action: Action::from_key(&r.action).map_or(r.action, |a| a.words().to_owned()),
                subject: r.subject,
                details: describe_details(&r.details),
            })
            .collect(),
        actions: Action::ALL
            .iter()
            .map(|a| {
                (
                    a.key().to_owned(),
                    a.words().trim_end_matches(':').to_owned(),
                )
            })
            .collect(),
    })
}

/// How an export is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Comma-separated, formula-safe, for a spreadsheet.
    Csv,
    /// One JSON object per line, for a log store.
    JsonLines,
}

impl ExportFormat {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "csv" | "" => Some(ExportFormat::Csv),
            "jsonl" | "ndjson" => Some(ExportFormat::JsonLines),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::JsonLines => "application/jsonl; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::JsonLines => "jsonl",
        }
    }
}

/// Exports running at once in this instance: each holds a database connection while it
/// streams, so a burst of downloads cannot take the pool from everyone else.
static EXPORTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(3);

/// Bytes gathered before they are handed to the response.
const CHUNK: usize = 64 * 1024;

/// How long a chunk may wait for the client to take it: a client that stops reading gives
/// back its slot and its database connection after this, and its download ends short.
const STALL: std::time::Duration = std::time::Duration::from_secs(30);

/// Everything `filter` selects, newest first, written as `format` and streamed: the rows
/// are read one at a time from the database and sent in chunks of 64 KiB through a
/// channel of four, so memory stays the same whatever the size. The checks (who asks,
/// the filter, a free export slot) happen before anything is sent.
pub fn export(
    pool: PgPool,
    access: &Access,
    filter: ActivityFilter,
    format: ExportFormat,
) -> Result<tokio::sync::mpsc::Receiver<Result<Vec<u8>, AppError>>, AppError> {
    access.may(Capability::SeeActivity)?;
    checked(&filter)?;
    let permit = EXPORTS.try_acquire().map_err(|_| {
        AppError::Busy(
            "Other exports of the activity log are running: try again in a minute.".into(),
        )
    })?;
    let (sender, receiver) = tokio::sync::mpsc::channel(4);
    let access = access.clone();
    tokio::spawn(async move {
        let _permit = permit;
        let mut out = Vec::with_capacity(CHUNK + 4096);
        if format == ExportFormat::Csv {
            out.extend_from_slice(b"id,time,who,action,description,member_id,member,details\r\n");
        }
        let mut rows = selected(&access, &filter, None, None).fetch(&pool);
        use futures_util::TryStreamExt;
        loop {
            match rows.try_next().await {
                Ok(Some(row)) => {
                    write_row(&mut out, &row, format);
                    if out.len() >= CHUNK {
                        let chunk = Ok(std::mem::take(&mut out));
                        match tokio::time::timeout(STALL, sender.send(chunk)).await {
                            Ok(Ok(())) => {}
                            Ok(Err(_)) => return, // The client went away.
                            Err(_) => {
                                tracing::warn!(
                                    "an activity export stalled: its client stopped reading"
                                );
                                return;
                            }
                        }
                    }
                }
                Ok(None) => break,
                Err(error) => {
                    tracing::error!(%error, "the activity export failed");
                    let _ = sender.send(Err(AppError::internal())).await;
                    return;
                }
            }
        }
        if !out.is_empty() {
            let _ = sender.send(Ok(out)).await;
        }
    });
    Ok(receiver)
}

fn write_row(out: &mut Vec<u8>, row: &Row, format: ExportFormat) {
    let description = row.description();
    match format {
        ExportFormat::Csv => {
            let id = row.id.to_string();
            let member_id = row
                .subject_member_id
                .map(|m| m.to_string())
                .unwrap_or_default();
            let details = row.details.to_string();
            let cells = [
                id.as_str(),
                row.at.as_str(),
                row.actor_label.as_str(),
                row.action.as_str(),
                description,
                member_id.as_str(),
                row.subject.as_deref().unwrap_or(""),
                details.as_str(),
            ];
            let mut writer = csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(&mut *out);
            let _ = writer.write_record(
                cells
                    .iter()
                    .map(|c| crate::export::spreadsheet_safe(c).into_owned()),
            );
            let _ = writer.flush();
        }
        ExportFormat::JsonLines => {
            let line = serde_json::json!({
                "id": row.id,
                "time": row.at,
                "who": row.actor_label,
                "action": row.action,
                "description": description,
                "member": row.subject_member_id.map(|id| serde_json::json!({ "id": id, "email": row.subject })),
                "details": row.details,
            });
            let _ = serde_json::to_writer(&mut *out, &line);
            out.push(b'\n');
        }
    }
}

/// `{"enable_seat": true}` as "enable seat: true".
fn describe_details(details: &serde_json::Value) -> String {
    details
        .as_object()
        .map(|fields| {
            fields
                .iter()
                .filter(|(_, v)| !v.is_null() && *v != &serde_json::Value::Bool(false))
                .map(|(k, v)| match (k.as_str(), v.as_array()) {
                    // A file's changes: `job_title “A” → “B”; team “…” → “…”`.
                    ("changes", Some(changes)) => changes
                        .iter()
                        .map(|c| {
                            let text = |key: &str| c[key].as_str().unwrap_or_default().to_owned();
                            format!(
                                "{} \u{201c}{}\u{201d} → \u{201c}{}\u{201d}",
                                text("field"),
                                text("from"),
                                text("to")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                    _ => format!(
                        "{}: {}",
                        k.replace('_', " "),
                        v.as_str().map_or_else(|| v.to_string(), str::to_owned)
                    ),
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::Action;

    #[test]
    fn every_action_has_its_own_key_and_reads_back() {
        for action in Action::ALL {
            assert_eq!(Action::from_key(action.key()), Some(action));
        }
        let mut keys: Vec<_> = Action::ALL.iter().map(|a| a.key()).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), Action::ALL.len());
    }
}

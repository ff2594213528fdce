//! Webhooks: an organization's endpoints, the events written for them in the transaction
//! of the change that causes them, and their delivery — signed as Standard Webhooks
//! says (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of
//! "id.timestamp.body">`), claimed with a lease so that several instances never send one
//! delivery at once, and retried over about a day ([`wait_after`]).

use super::activity::{self, Action};
use super::crypto::new_token;
use super::RuntimeConfig;
use crate::domain::webhooks::{check_endpoint_url, wait_after, EventType, MAX_ENDPOINTS};
use crate::domain::{Access, Capability};
use crate::error::AppError;
use crate::model::webhooks::{DeliveryView, EndpointView};
use serde_json::{json, Value};
use sqlx::{PgConnection, PgPool};
use std::time::Duration;

// ---------------------------------------------------------------------------------------
// Events, written with the change.

/// Writes one event per member in `member_ids` (`type` `event`, the member as they are
/// now, plus `extra`) for each of the organization's endpoints that asks for it, in the
/// caller's transaction. Nothing is written (and nothing read but one index) when no
/// endpoint asks.
pub async fn emit_for_members(
    conn: &mut PgConnection,
    organization_id: i64,
    event: EventType,
    member_ids: &[i64],
    extra: Value,
) -> Result<(), AppError> {
    if member_ids.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        r#"WITH wanted AS (
               SELECT id FROM webhook_endpoints
                WHERE organization_id = $1 AND enabled AND $2 = ANY(events)),
           happened AS (
               SELECT gen_random_uuid() AS event_id,
                      jsonb_build_object('member', jsonb_build_object(
                          'id', m.id, 'user_id', m.external_id, 'email', m.email,
                          'first_name', m.first_name, 'last_name', m.last_name,
                          'status', m.status, 'permission', m.permission,
                          'enable_seat', m.enable_seat, 'opportunity_seat', m.opportunity_seat))
                      || $4::jsonb AS data
                 FROM members m
                WHERE m.id = ANY($3) AND m.organization_id = $1
                  AND EXISTS (SELECT 1 FROM wanted))
           INSERT INTO webhook_deliveries (endpoint_id, organization_id, event_id, event_type, payload)
           SELECT w.id, $1, h.event_id, $2,
                  jsonb_build_object('type', $2::text,
                      'timestamp', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                      'data', h.data)
             FROM happened h CROSS JOIN wanted w"#,
        organization_id,
        event.key(),
        member_ids,
        extra,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes one event about the organization (`data`) for each endpoint that asks for it
/// (or, with `only`, for that endpoint alone whatever it asks: the test event).
pub async fn emit(
    conn: &mut PgConnection,
    organization_id: i64,
    event: EventType,
    data: Value,
    only: Option<i64>,
) -> Result<(), AppError> {
    sqlx::query!(
        r#"INSERT INTO webhook_deliveries (endpoint_id, organization_id, event_id, event_type, payload)
           SELECT id, $1, ev.event_id, $2,
                  jsonb_build_object('type', $2::text,
                      'timestamp', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                      'data', $3::jsonb)
             FROM webhook_endpoints, (SELECT gen_random_uuid() AS event_id) ev
            WHERE organization_id = $1 AND enabled
              AND CASE WHEN $4::bigint IS NULL THEN $2 = ANY(events) ELSE id = $4 END"#,
        organization_id,
        event.key(),
        data,
        only,
    )
    .execute(conn)
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Endpoints, from the Webhooks page.

/// Adds an endpoint and returns its signing secret (shown this once).
pub async fn add(
    pool: &PgPool,
    config: &RuntimeConfig,
    access: &Access,
    url: &str,
    events: &[String],
    description: &str,
) -> Result<String, AppError> {
    access.may(Capability::ManageWebhooks)?;
    let url =
        check_endpoint_url(url, config.development).map_err(|e| AppError::field("url", e.0))?;
    let mut kinds = Vec::new();
    for raw in events {
        let kind = EventType::parse(raw).ok_or_else(|| {
            AppError::field("events", format!("“{raw}” is not an event Roster sends."))
        })?;
        if !kinds.contains(&kind.key()) {
            kinds.push(kind.key());
        }
    }
    if kinds.is_empty() {
        return Err(AppError::field(
            "events",
            "Choose at least one event to send to this endpoint.",
        ));
    }
    let description = description.trim();
    if description.chars().count() > 200 || description.chars().any(char::is_control) {
        return Err(AppError::field(
            "description",
            "The description is at most 200 characters on one line.",
        ));
    }
    let secret = new_secret();
    let mut tx = pool.begin().await?;
    // Counted under the organization's lock, so two tabs cannot pass the bound together.
    sqlx::query!(
        "SELECT id FROM organizations WHERE id = $1 FOR UPDATE",
        access.organization_id
    )
    .fetch_one(&mut *tx)
    .await?;
    let count = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM webhook_endpoints WHERE organization_id = $1"#,
        access.organization_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if count >= MAX_ENDPOINTS {
        return Err(AppError::invalid(format!(
            "An organization has at most {MAX_ENDPOINTS} endpoints: remove one you no longer use first."
        )));
    }
    sqlx::query!(
        "INSERT INTO webhook_endpoints (organization_id, url, secret, events, description, created_by_label)
         VALUES ($1, $2, $3, $4, $5, $6)",
        access.organization_id,
        url.as_str(),
        secret,
        &kinds as &[&str],
        description,
        access.label,
    )
    .execute(&mut *tx)
    .await?;
    activity::record(
        &mut tx,
        access,
        Action::WebhookAdded,
        None,
        json!({ "url": logged(url.as_str()), "events": kinds }),
    )
    .await?;
    tx.commit().await?;
    Ok(secret)
}

/// A signing secret as Standard Webhooks writes it: `whsec_` and 32 random bytes in base64.
fn new_secret() -> String {
    use base64::Engine;
    let (hex, _) = new_token();
    let bytes = hex::decode(hex).unwrap_or_default();
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// The organization's endpoints, each with its latest deliveries.
pub async fn list(pool: &PgPool, access: &Access) -> Result<Vec<EndpointView>, AppError> {
    access.may(Capability::ManageWebhooks)?;
    let endpoints = sqlx::query!(
        r#"SELECT id, url, events, description, enabled,
                  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') AS "created_at!"
             FROM webhook_endpoints WHERE organization_id = $1 ORDER BY id"#,
        access.organization_id
    )
    .fetch_all(pool)
    .await?;
    let ids: Vec<i64> = endpoints.iter().map(|e| e.id).collect();
    let deliveries = sqlx::query!(
        r#"SELECT d.endpoint_id, d.id, d.event_id, d.event_type, d.status, d.attempts,
                  d.last_status, d.last_answer,
                  to_char(d.last_attempt_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"') AS last_attempt_at,
                  to_char(d.next_attempt_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"') AS "next_attempt_at!"
             FROM unnest($1::bigint[]) AS e(id)
             CROSS JOIN LATERAL (
                 SELECT * FROM webhook_deliveries WHERE endpoint_id = e.id ORDER BY id DESC LIMIT 20) d
            ORDER BY d.endpoint_id, d.id DESC"#,
        &ids
    )
    .fetch_all(pool)
    .await?;
    Ok(endpoints
        .into_iter()
        .map(|e| EndpointView {
            deliveries: deliveries
                .iter()
                .filter(|d| d.endpoint_id == e.id)
                .map(|d| DeliveryView {
                    id: d.id,
                    event_id: d.event_id.to_string(),
                    event_type: d.event_type.clone(),
                    status: d.status.clone(),
                    attempts: d.attempts,
                    last_status: d.last_status,
                    last_answer: d.last_answer.clone(),
                    last_attempt_at: d.last_attempt_at.clone(),
                    next_attempt_at: (d.status == "pending").then(|| d.next_attempt_at.clone()),
                })
                .collect(),
            id: e.id,
            url: e.url,
            events: e.events,
            description: e.description,
            enabled: e.enabled,
            created_at: e.created_at,
        })
        .collect())
}

/// Removes an endpoint (what waits for it goes with it).
pub async fn remove(pool: &PgPool, access: &Access, id: i64) -> Result<(), AppError> {
    access.may(Capability::ManageWebhooks)?;
    let mut tx = pool.begin().await?;
    let url = sqlx::query_scalar!(
        "DELETE FROM webhook_endpoints WHERE id = $1 AND organization_id = $2 RETURNING url",
        id,
        access.organization_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(endpoint_gone)?;
    activity::record(
        &mut tx,
        access,
        Action::WebhookRemoved,
        None,
        json!({ "url": logged(&url) }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An endpoint's address as the Activity log keeps it: without its query, which may hold
/// a receiver's token (the log is read by more people and keys than the Webhooks page).
fn logged(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) => parsed[..url::Position::AfterPath].to_owned(),
        Err(_) => String::new(),
    }
}

/// *Send test event*: one `webhook.test` event for this endpoint, delivered as any other.
pub async fn send_test(pool: &PgPool, access: &Access, id: i64) -> Result<(), AppError> {
    access.may(Capability::ManageWebhooks)?;
    let mut tx = pool.begin().await?;
    let found = sqlx::query_scalar!(
        "SELECT id FROM webhook_endpoints WHERE id = $1 AND organization_id = $2 AND enabled",
        id,
        access.organization_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    if found.is_none() {
        return Err(endpoint_gone());
    }
    // A test is one click: more than a few waiting is a stuck receiver or a loop.
    let waiting = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM webhook_deliveries
            WHERE endpoint_id = $1 AND event_type = 'webhook.test' AND status = 'pending'"#,
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    if waiting >= 5 {
        return Err(AppError::TooManyRequests(
            "Five test events already wait for this endpoint: see their answers below before sending more.".into(),
        ));
    }
    emit(
        &mut tx,
        access.organization_id,
        EventType::Test,
        json!({ "organization": access.organization_name, "sent_by": access.label }),
        Some(id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn endpoint_gone() -> AppError {
    AppError::NotFound("This endpoint no longer exists: reload the page.".into())
}

// ---------------------------------------------------------------------------------------
// Delivery.

/// How long a claimed delivery is this worker's: the whole of one try, with room.
const LEASE_SECONDS: f64 = 60.0;
/// The most of a receiver's answer kept for the delivery log.
const ANSWER_KEPT: usize = 300;

/// The HTTP client deliveries go out with: public addresses only, no redirects, 10 s.
pub fn client(config: &RuntimeConfig) -> Result<reqwest::Client, AppError> {
    super::outbound::client(config.development, Duration::from_secs(10))
}

/// The Standard Webhooks signature of one try: `v1,` and the base64 HMAC-SHA256, keyed
/// with the secret's bytes, of `id.timestamp.body`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> String {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let engine = base64::engine::general_purpose::STANDARD;
    let key = engine
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .unwrap_or_default();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).expect("HMAC takes any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", engine.encode(mac.finalize().into_bytes()))
}

/// Claims up to `limit` due deliveries and sends them (8 at once); returns how many were
/// tried. Each is claimed by moving its next try past the lease, in one short statement
/// (no transaction is held while a receiver answers); one whose worker died is taken
/// again when the lease runs out. The outcome is written only by the try that claimed it
/// (its attempt number fences a late answer out).
pub async fn deliver_due(
    pool: &PgPool,
    client: &reqwest::Client,
    development: bool,
    limit: i64,
) -> Result<usize, AppError> {
    let claimed = sqlx::query!(
        r#"UPDATE webhook_deliveries d
              SET attempts = d.attempts + 1, last_attempt_at = now(),
                  next_attempt_at = now() + make_interval(secs => $2)
             FROM webhook_endpoints e
            WHERE e.id = d.endpoint_id
              AND d.id IN (SELECT id FROM webhook_deliveries
                            WHERE status = 'pending' AND next_attempt_at <= now()
                            ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING d.id, d.event_id, d.payload, d.attempts, d.endpoint_id, e.url, e.secret"#,
        limit,
        LEASE_SECONDS,
    )
    .fetch_all(pool)
    .await?;
    let tried = claimed.len();
    use futures_util::StreamExt;
    futures_util::stream::iter(claimed)
        .for_each_concurrent(8, |row| async move {
            let body = serde_json::to_vec(&row.payload).unwrap_or_default();
            let outcome = send(
                client,
                development,
                &row.url,
                &row.secret,
                &row.event_id.to_string(),
                body,
            )
            .await;
            if let Err(error) = settle(pool, row.id, row.endpoint_id, row.attempts, outcome).await
            {
                tracing::error!(%error, delivery = row.id, "a webhook delivery's outcome could not be saved");
            }
        })
        .await;
    Ok(tried)
}

/// How one try ended: the receiver's status and the start of its answer, or why there
/// was none.
struct Outcome {
    status: Option<u16>,
    answer: String,
}

async fn send(
    client: &reqwest::Client,
    development: bool,
    url: &str,
    secret: &str,
    id: &str,
    body: Vec<u8>,
) -> Outcome {
    let failed = |answer: String| Outcome {
        status: None,
        answer,
    };
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return failed("the endpoint's URL cannot be read".into());
    };
    if let Err(why) =
        super::outbound::check_target(Some(parsed.scheme()), parsed.host_str(), development)
    {
        return failed(format!("not sent: {why}"));
    }
    let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
    let signature = sign(secret, id, timestamp, &body);
    let response = client
        .post(parsed)
        .header("content-type", "application/json")
        .header("user-agent", "Roster-Webhooks/1")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await;
    match response {
        Ok(mut response) => {
            let status = response.status().as_u16();
            // Only the start of the answer is kept: a receiver's page can be anything.
            let mut kept = Vec::new();
            while kept.len() < ANSWER_KEPT {
                match response.chunk().await {
                    Ok(Some(chunk)) => kept.extend_from_slice(&chunk),
                    _ => break,
                }
            }
            kept.truncate(ANSWER_KEPT);
            let answer: String = String::from_utf8_lossy(&kept)
                .chars()
                .filter(|c| !c.is_control() || *c == ' ')
                .take(ANSWER_KEPT)
                .collect();
            Outcome {
                status: Some(status),
                answer,
            }
        }
        Err(error) => {
            // reqwest's words, without the URL (it may carry a customer's token).
            let why = if error.is_timeout() {
                "no answer within 10 seconds".to_owned()
            } else if error.is_connect() {
                "could not connect".to_owned()
            } else {
                "the connection failed".to_owned()
            };
            failed(why)
        }
    }
}

/// Writes how the `attempts`-th try of delivery `id` ended: delivered on 2xx (and then
/// what else waits for this endpoint is due at once: it is back), else due again after
/// the schedule's wait, or failed once the schedule is over.
async fn settle(
    pool: &PgPool,
    id: i64,
    endpoint_id: i64,
    attempts: i32,
    outcome: Outcome,
) -> Result<(), AppError> {
    let delivered = outcome.status.is_some_and(|s| (200..300).contains(&s));
    let wait = if delivered {
        None
    } else {
        wait_after(attempts)
    };
    let status = match (delivered, wait) {
        (true, _) => "delivered",
        (false, Some(_)) => "pending",
        (false, None) => "failed",
    };
    let mut tx = pool.begin().await?;
    let written = sqlx::query!(
        "UPDATE webhook_deliveries
            SET status = $3, last_status = $4, last_answer = $5,
                delivered_at = CASE WHEN $3 = 'delivered' THEN now() END,
                next_attempt_at = now() + make_interval(secs => $6)
          WHERE id = $1 AND attempts = $2 AND status = 'pending'",
        id,
        attempts,
        status,
        outcome.status.map(|s| s as i16),
        outcome.answer,
        wait.unwrap_or(0) as f64,
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if delivered && written == 1 {
        sqlx::query!(
            "UPDATE webhook_deliveries SET next_attempt_at = now()
              WHERE endpoint_id = $1 AND status = 'pending' AND next_attempt_at > now()
                AND id <> $2
                -- Not one another worker is sending right now (its lease is its own).
                AND (last_attempt_at IS NULL OR last_attempt_at < now() - make_interval(secs => $3))",
            endpoint_id,
            id,
            LEASE_SECONDS,
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_keeps_an_address_without_its_query() {
        assert_eq!(
            logged("https://hooks.example.com/roster?token=s3cret#x"),
            "https://hooks.example.com/roster"
        );
        assert_eq!(logged("not a url"), "");
    }

    #[test]
    fn signs_as_standard_webhooks_does() {
        // The example of the Standard Webhooks specification's test vectors.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }
}

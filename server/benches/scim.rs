//! An identity provider's initial sync of 10,000 users over HTTP, as Okta and Entra do it:
//! for each user a `GET /Users?filter=userName eq …` then a `POST /Users`, eight at a time,
//! then ten groups of 1,000 members pushed by PATCH. Once with seats for everyone, once
//! with 1,000 Enable seats (9,000 users go on the waitlist). The reference in the same run:
//! a raw `COPY` of 10,000 member rows, the least the database can do.
//!
//! Run: `scripts/bench.sh scim` (or `cargo bench -p server --bench scim` with DATABASE_URL
//! pointing at a server where a database may be created).

use app::domain::{Access, Email, KeyScope, OrganizationName, PersonName};
use futures_util::StreamExt;
use serde_json::json;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::{Duration, Instant};

mod support;

const USERS: usize = 10_000;
const AT_ONCE: usize = 8;
const GROUPS: usize = 10;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let pool = server::db::scratch_database(&base, "roster_bench_scim").await?;
    let url = support::serve(pool.clone()).await;
    println!("SCIM initial sync: {USERS} users ({AT_ONCE} requests at once), then {GROUPS} groups of {} members", USERS / GROUPS);

    let copied = reference_copy(&pool).await?;
    println!(
        "{:<52} {:>8.2} s",
        "reference: COPY of 10,000 member rows",
        copied.as_secs_f64()
    );

    for (label, enable_seats) in [
        ("seats for everyone", USERS as i32),
        ("1,000 Enable seats (9,000 wait)", 1_000),
    ] {
        let org = organization(&pool, label, enable_seats).await?;
        let token = app::server::api_keys::create(
            &pool,
            &Access::operator(org, label, "bench"),
            "bench",
            &[KeyScope::Provisioning],
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let client = reqwest::Client::new();
        let started = Instant::now();
        let retries = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let ids: Vec<String> = futures_util::stream::iter(0..USERS)
            .map(|n| {
                let (client, url, token, retries) =
                    (client.clone(), url.clone(), token.clone(), retries.clone());
                async move {
                    let user = format!("user{n}@sync.example");
                    let filter = format!("userName eq \"{user}\"");
                    let found = send(&client, &retries, || {
                        client
                            .get(format!("{url}/scim/v2/Users"))
                            .query(&[("filter", filter.as_str())])
                            .bearer_auth(&token)
                    })
                    .await;
                    assert_eq!(found["totalResults"], 0);
                    let created =
                        send(&client, &retries, || {
                            client
                            .post(format!("{url}/scim/v2/Users"))
                            .bearer_auth(&token)
                            .header("content-type", "application/scim+json")
                            .body(json!({
                                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                                "userName": user, "externalId": format!("ext-{n}"),
                                "name": {"givenName": format!("User{n}"), "familyName": "Sync"},
                                "emails": [{"value": user, "type": "work", "primary": true}],
                                "active": true,
                            }).to_string())
                        })
                        .await;
                    created["id"].as_str().expect("created").to_owned()
                }
            })
            .buffer_unordered(AT_ONCE)
            .collect()
            .await;
        let users = started.elapsed();
        let started = Instant::now();
        for (g, chunk) in ids.chunks(USERS / GROUPS).enumerate() {
            let group = send(&client, &retries, || {
                client
                    .post(format!("{url}/scim/v2/Groups"))
                    .bearer_auth(&token)
                    .header("content-type", "application/scim+json")
                    .body(json!({"displayName": format!("Group {g}")}).to_string())
            })
            .await;
            let id = group["id"].as_str().unwrap().to_owned();
            let members: Vec<_> = chunk.iter().map(|v| json!({"value": v})).collect();
            send(&client, &retries, || {
                client
                    .patch(format!("{url}/scim/v2/Groups/{id}"))
                    .bearer_auth(&token)
                    .header("content-type", "application/scim+json")
                    .body(
                        json!({"Operations": [{"op": "add", "path": "members", "value": members}]})
                            .to_string(),
                    )
            })
            .await;
        }
        let groups = started.elapsed();
        let (held, waiting): (i64, i64) = sqlx::query_as(
            "SELECT count(*) FILTER (WHERE enable_seat),
                    (SELECT count(*) FROM seat_waitlist w WHERE w.organization_id = $1)
               FROM members WHERE organization_id = $1",
        )
        .bind(org)
        .fetch_one(&pool)
        .await?;
        println!(
            "{:<52} {:>8.2} s  ({:.0} users/s; {held} Enable seats held, {waiting} waiting; {} answers 429 retried)",
            format!("{label}: 10,000 users (GET + POST each)"),
            users.as_secs_f64(),
            USERS as f64 / users.as_secs_f64(),
            retries.load(std::sync::atomic::Ordering::Relaxed),
        );
        println!(
            "{:<52} {:>8.2} s",
            format!("{label}: 10 groups of 1,000 (POST + PATCH)"),
            groups.as_secs_f64()
        );
    }
    Ok(())
}

/// Sends a request (made anew for each try), waiting as `Retry-After` says on a 429.
async fn send<F>(
    _client: &reqwest::Client,
    retries: &std::sync::atomic::AtomicUsize,
    request: F,
) -> serde_json::Value
where
    F: Fn() -> reqwest::RequestBuilder,
{
    loop {
        let response = request().send().await.expect("request");
        if response.status() == 429 {
            retries.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let wait: u64 = response.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            tokio::time::sleep(Duration::from_secs(wait)).await;
            continue;
        }
        let status = response.status();
        let body = response.text().await.unwrap();
        assert!(status.is_success(), "{status}: {body}");
        return serde_json::from_str(&body).unwrap();
    }
}

async fn organization(pool: &PgPool, name: &str, enable_seats: i32) -> anyhow::Result<i64> {
    let created = app::server::organizations::create(
        pool,
        &app::server::organizations::NewOrganization {
            name: OrganizationName::parse(name).map_err(|e| anyhow::anyhow!("{e}"))?,
            enable_seats,
            opportunity_seats: 0,
            admin_first_name: PersonName::parse("Ada", "first name")
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            admin_last_name: PersonName::parse("Admin", "last name")
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            admin_email: Email::parse(&format!("admin@{}.example", name.len()))
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            admin_enable_seat: false,
        },
        "bench",
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(created.organization_id)
}

/// 10,000 member rows by COPY into an organization of their own.
async fn reference_copy(pool: &PgPool) -> anyhow::Result<Duration> {
    let org: i64 = sqlx::query_scalar(
        "INSERT INTO organizations (name, enable_seats, opportunity_seats) VALUES ('Copy', 10000, 0) RETURNING id",
    )
    .fetch_one(pool)
    .await?;
    let mut rows = String::new();
    for n in 0..USERS {
        rows.push_str(&format!(
            "{org}\tUser{n}\tSync\tcopy{n}@sync.example\tmember\tt\n"
        ));
    }
    let started = Instant::now();
    let mut conn = pool.acquire().await?;
    let mut copy = conn
        .copy_in_raw("COPY members (organization_id, first_name, last_name, email, permission, enable_seat) FROM STDIN")
        .await?;
    copy.send(rows.as_bytes()).await?;
    copy.finish().await?;
    Ok(started.elapsed())
}

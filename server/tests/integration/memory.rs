//! Password hashing is bounded: the real server binary answers 300 concurrent anonymous
//! invitation accepts (random tokens) and 200 concurrent sign-ins, and its peak resident
//! memory (read from /proc) stays under 500 MB. Unbounded, Argon2's 19 MiB per hash took
//! the server to 5 GB.

use crate::common;

use app::api::auth::SignIn;
use app::api::invitations::AcceptInvitation;
use leptos::server_fn::ServerFn;
use sqlx::PgPool;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Peak resident memory of process `pid`, in MB (`VmHWM` in /proc/<pid>/status).
fn peak_resident_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap();
    kb / 1024.0
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn concurrent_anonymous_accepts_and_sign_ins_stay_under_500_mb(pool: PgPool) {
    let url = common::database_url(&pool).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .arg("serve")
        .env("DATABASE_URL", &url)
        .env("ROSTER_ENV", "development")
        .env("SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..200 {
        if reqwest::get(format!("{base}/healthz")).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let at_start = peak_resident_mb(child.id());
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let post = |path: &'static str, form: Vec<(&'static str, String)>| {
        let (client, url) = (client.clone(), format!("{base}{path}"));
        tokio::spawn(async move {
            client
                .post(url)
                .header("Sec-Fetch-Site", "same-origin")
                .header("Accept", "application/json")
                .form(&form)
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        })
    };
    let mut requests = Vec::new();
    for i in 0..300 {
        requests.push(post(
            AcceptInvitation::PATH,
            vec![
                ("token", format!("{i:064x}")),
                ("password", "a long passphrase".into()),
                ("password_confirmation", "a long passphrase".into()),
            ],
        ));
    }
    for i in 0..200 {
        requests.push(post(
            SignIn::PATH,
            vec![
                ("email", format!("someone{i}@northwind.example")),
                ("password", "a long passphrase".into()),
            ],
        ));
    }
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for request in requests {
        *statuses.entry(request.await.unwrap()).or_default() += 1;
    }
    let peak = peak_resident_mb(child.id());
    let _ = child.kill();
    let _ = child.wait();
    println!("peak resident memory {peak:.0} MB ({at_start:.0} MB after start-up); answers by status: {statuses:?}");
    assert!(peak < 500.0, "peak resident memory {peak:.0} MB");
    assert!(!statuses.contains_key(&500), "{statuses:?}");
    assert!(
        !statuses.contains_key(&0),
        "every request answered: {statuses:?}"
    );
}

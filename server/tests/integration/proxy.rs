//! Several instances behind a proxy, for real: Debian's nginx, with the proxy settings of
//! `deploy/nginx/roster-proxy.conf`, in front of two `roster serve` on one database. A
//! session opened through one instance works on the other; throttling locks one client
//! address and not another (the client's address comes from `X-Forwarded-For`, trusted
//! because nginx is in `TRUSTED_PROXIES`); each email is sent once.

use crate::common;

use app::api::auth::{CurrentViewer, SignIn};
use app::api::invitations::AcceptInvitation;
use app::api::invite::InviteMembers;
use common::processes::{free_port, received, smtp_server, Killed};
use leptos::server_fn::ServerFn;
use serde_json::json;
use sqlx::PgPool;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "a long passphrase";

/// nginx, stopped the way it expects (`-s stop` to its master, which takes its workers
/// down): a killed master would leave workers holding the test's output open.
struct Nginx {
    master: Child,
    stop: Command,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.stop.status();
        // Stopped within seconds, or killed.
        for _ in 0..50 {
            if let Ok(Some(_)) = self.master.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.master.kill();
        let _ = self.master.wait();
    }
}

async fn wait_until_up(url: &str) {
    let started = Instant::now();
    while !reqwest::get(url)
        .await
        .is_ok_and(|r| r.status().is_success())
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{url} never came up"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn call<F: ServerFn>(
    base: &str,
    client: &reqwest::Client,
    form: &[(&str, &str)],
) -> (u16, String) {
    let response = client
        .post(format!("{base}{}", F::PATH))
        .header("Accept", "application/json")
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn two_instances_behind_nginx(pool: PgPool) {
    let url = common::database_url(&pool).await;
    let work = std::env::temp_dir().join(format!("roster-proxy-{}", free_port()));
    std::fs::create_dir_all(work.join("tmp")).unwrap();

    // A real SMTP server, logging what it accepts.
    let smtp_port = free_port();
    let mail_log = work.join("mail.jsonl");
    let smtp = smtp_server(smtp_port, &mail_log, 0);

    // nginx with the committed proxy settings, in front of two instances.
    let (proxy_port, ports) = (free_port(), [free_port(), free_port()]);
    let public = format!("http://127.0.0.1:{proxy_port}");
    let proxy_conf = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../deploy/nginx/roster-proxy.conf"
    );
    let w = work.display();
    std::fs::write(
        work.join("nginx.conf"),
        format!(
            "daemon off;\npid {w}/nginx.pid;\nerror_log {w}/error.log;\nevents {{}}\n\
             http {{\n  access_log {w}/access.log;\n  client_body_temp_path {w}/tmp/body;\n  \
             proxy_temp_path {w}/tmp/proxy;\n  fastcgi_temp_path {w}/tmp/fastcgi;\n  \
             uwsgi_temp_path {w}/tmp/uwsgi;\n  scgi_temp_path {w}/tmp/scgi;\n  \
             upstream roster {{ server 127.0.0.1:{}; server 127.0.0.1:{}; keepalive 8; }}\n  \
             server {{ listen 127.0.0.1:{proxy_port}; include {proxy_conf}; }}\n}}\n",
            ports[0], ports[1]
        ),
    )
    .unwrap();
    let nginx_bin = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("Debian's nginx (scripts/setup.sh installs it)");
    let nginx_args = [
        "-p".to_owned(),
        w.to_string(),
        "-c".to_owned(),
        format!("{w}/nginx.conf"),
    ];
    let mut stop = Command::new(nginx_bin);
    stop.args(&nginx_args)
        .args(["-s", "stop"])
        .stderr(Stdio::null());
    let nginx = Nginx {
        master: Command::new(nginx_bin)
            .args(&nginx_args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
        stop,
    };
    let instances: Vec<Killed> = ports
        .iter()
        .map(|port| {
            Killed(
                Command::new(env!("CARGO_BIN_EXE_roster"))
                    .arg("serve")
                    .env("DATABASE_URL", &url)
                    .env("ROSTER_ENV", "production")
                    .env("PUBLIC_URL", &public)
                    .env("COOKIE_SECURE", "false")
                    .env("SMTP_URL", format!("smtp://127.0.0.1:{smtp_port}"))
                    .env("TRUSTED_PROXIES", "127.0.0.1")
                    .env("SITE_ADDR", format!("127.0.0.1:{port}"))
                    .env("RUST_LOG", "warn")
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap(),
            )
        })
        .collect();
    for port in ports {
        wait_until_up(&format!("http://127.0.0.1:{port}/readyz")).await;
    }
    wait_until_up(&format!("{public}/readyz")).await;

    // An organization; its administrator accepts the invitation through nginx.
    let created = common::create_organization(&pool, "Acme", "ada@acme.example", 30, 0).await;
    let ada = common::browser_from("127.0.0.2");
    let (status, body) = call::<AcceptInvitation>(
        &public,
        &ada,
        &[
            ("token", &created.invitation_token),
            ("password", PASSWORD),
            ("password_confirmation", PASSWORD),
        ],
    )
    .await;
    assert!(status < 400, "{status} {body}");

    // A session opened through one instance works on each of them.
    for port in ports {
        let (status, viewer) =
            call::<CurrentViewer>(&format!("http://127.0.0.1:{port}"), &ada, &[]).await;
        assert_eq!(status, 200);
        assert!(
            viewer.contains("ada@acme.example"),
            "instance {port}: {viewer}"
        );
    }
    for _ in 0..4 {
        let (_, viewer) = call::<CurrentViewer>(&public, &ada, &[]).await;
        assert!(viewer.contains("ada@acme.example"), "{viewer}");
    }

    // Throttling: one client address is locked, another is not.
    let guesser = common::browser_from("127.0.0.3");
    for _ in 0..5 {
        let (status, _) = call::<SignIn>(
            &public,
            &guesser,
            &[("email", "ada@acme.example"), ("password", "wrong")],
        )
        .await;
        assert_eq!(status, 422);
    }
    let (status, body) = call::<SignIn>(
        &public,
        &guesser,
        &[("email", "ada@acme.example"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(status, 429, "{body}");
    let colleague = common::browser_from("127.0.0.4");
    let (status, body) = call::<SignIn>(
        &public,
        &colleague,
        &[("email", "ada@acme.example"), ("password", PASSWORD)],
    )
    .await;
    assert!(status < 400, "another address signs in: {status} {body}");

    // Each email once, whichever instance's worker sends it.
    let members: Vec<_> = (1..=20)
        .map(|n| json!({ "first_name": "Pat", "last_name": format!("Proxy{n}"), "email": format!("pat{n}@acme.example"),
                         "job_title": "", "permission": "member", "enable_seat": false, "opportunity_seat": false }))
        .collect();
    let response = ada
        .post(format!("{public}{}", InviteMembers::PATH))
        .header("Accept", "application/json")
        .json(&json!({ "members": members }))
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{}",
        response.text().await.unwrap()
    );
    let started = Instant::now();
    while received(&mail_log).len() < 20 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{:?}",
            received(&mail_log)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got = received(&mail_log);
    assert_eq!(got.len(), 20);
    assert!(got.values().all(|&n| n == 1), "each once: {got:?}");

    drop(instances);
    drop(smtp);
    drop(nginx);
    let _ = std::fs::remove_dir_all(work);
}

//! The REST API at `/api/v1` over HTTP (issue 24): members listed, invited, changed and
//! deactivated through the pages' own rules; scopes; problem details; idempotency keys;
//! the per-key rate; the OpenAPI document; the activity log read and exported.

use crate::common::{self, create_organization, operator, spawn_app, TestApp};
use app::domain::KeyScope;
use serde_json::{json, Value};
use sqlx::PgPool;

struct Client {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl Client {
    async fn of(app: &TestApp, organization_id: i64, scopes: &[KeyScope]) -> Self {
        let key =
            app::server::api_keys::create(&app.pool, &operator(organization_id), "HR sync", scopes)
                .await
                .unwrap();
        Client {
            http: reqwest::Client::new(),
            base: app.url(""),
            key,
        }
    }

    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let (status, value, _) = self.send_with(method, path, body, &[]).await;
        (status, value)
    }

    async fn send_with(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> (u16, Value, reqwest::header::HeaderMap) {
        let mut request = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .bearer_auth(&self.key);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value, headers)
    }
}

fn is_problem(value: &Value, status: u16) {
    assert_eq!(value["status"], status, "{value}");
    assert!(value["title"].is_string(), "{value}");
    assert!(
        value["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{value}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_key_lists_invites_changes_and_deactivates_members(pool: PgPool) {
    let app = spawn_app(pool).await;
    let org = create_organization(&app.pool, "Acme", "admin@acme.test", 5, 5).await;
    let region =
        app::server::teams::create_region(&app.pool, &operator(org.organization_id), "EMEA")
            .await
            .unwrap();
    let team = app::server::teams::create_team(
        &app.pool,
        &operator(org.organization_id),
        region,
        "Enterprise",
    )
    .await
    .unwrap();
    let api = Client::of(
        &app,
        org.organization_id,
        &[KeyScope::MembersRead, KeyScope::MembersWrite],
    )
    .await;

    let (status, page) = api.send("GET", "/api/v1/members", None).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        (&page["total"], &page["total_capped"]),
        (&1.into(), &false.into())
    );
    assert_eq!(page["members"][0]["email"], "admin@acme.test");

    let (status, created, headers) = api
        .send_with(
            "POST",
            "/api/v1/members",
            Some(
                json!({ "email": "ana@acme.test", "first_name": "Ana", "last_name": "Lima",
                         "enable_seat": true, "team_id": team }),
            ),
            &[],
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(headers["location"], format!("/api/v1/members/{id}"));
    assert_eq!(created["status"], "invited");
    assert_eq!(created["enable_seat"], true);
    assert_eq!(created["team"]["name"], "Enterprise");
    assert_eq!(created["team"]["region"], "EMEA");
    // The invitation went out as the form's does.
    let mails: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM email_outbox WHERE member_id = $1 AND kind = 'invitation'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(mails, 1);

    let (status, changed) = api
        .send(
            "PATCH",
            &format!("/api/v1/members/{id}"),
            Some(json!({ "job_title": "Account Executive", "permission": "manager", "team_id": null })),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["job_title"], "Account Executive");
    assert_eq!(changed["permission"], "manager");
    assert!(changed["team"].is_null());
    let (_, enrollments) = api
        .send("GET", &format!("/api/v1/members/{id}/enrollments"), None)
        .await;
    assert_eq!(enrollments["enrollments"], json!([]));

    // The change engine's rules, in the pages' words: an invited member's programs wait.
    let (status, refused) = api
        .send(
            "PATCH",
            &format!("/api/v1/members/{id}"),
            Some(json!({ "programs": ["meddpicc-masterclass"] })),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    is_problem(&refused, 422);
    assert_eq!(
        refused["detail"],
        "This member has not completed account setup yet: programs can be changed once they accept the invitation."
    );
    let (status, refused) = api
        .send(
            "PATCH",
            &format!("/api/v1/members/{id}"),
            Some(json!({ "programs": ["no-such-program"] })),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(refused["errors"][0]["field"], "programs");

    let (status, filtered) = api
        .send("GET", "/api/v1/members?status=invited&q=ana", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(filtered["total"], 1);

    let (status, gone) = api
        .send("POST", &format!("/api/v1/members/{id}/deactivate"), None)
        .await;
    assert_eq!(status, 200, "{gone}");
    assert_eq!(gone["status"], "deactivated");
    let (status, again) = api
        .send("POST", &format!("/api/v1/members/{id}/deactivate"), None)
        .await;
    assert_eq!(status, 422);
    assert_eq!(again["detail"], "This member is already inactive.");
    let (status, back) = api
        .send("POST", &format!("/api/v1/members/{id}/reactivate"), None)
        .await;
    assert_eq!(status, 200, "{back}");
    assert_eq!(back["status"], "invited");

    // Each change is in the Activity, by the key.
    let actors: Vec<(String, String)> = sqlx::query_as(
        "SELECT action, actor_label FROM audit_log WHERE subject_member_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let actions: Vec<&str> = actors.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "member.invited",
            "member.changed_by_api",
            "invitation.revoked",
            "member.reactivated"
        ]
    );
    assert!(
        actors
            .iter()
            .all(|(_, who)| who.starts_with("API key HR sync")),
        "{actors:?}"
    );

    let (status, regions) = api.send("GET", "/api/v1/regions", None).await;
    assert_eq!(status, 200);
    assert_eq!(regions[0]["teams"][0]["id"], team);
    let (_, seats) = api.send("GET", "/api/v1/seats", None).await;
    assert_eq!(seats["enable"]["bought"], 5);
    let (_, programs) = api.send("GET", "/api/v1/programs", None).await;
    assert!(programs.as_array().unwrap().len() >= 6);
}

#[sqlx::test(migrations = "../migrations")]
async fn scopes_organizations_and_bad_requests_get_problem_details(pool: PgPool) {
    let app = spawn_app(pool).await;
    let acme = create_organization(&app.pool, "Acme", "admin@acme.test", 5, 5).await;
    let other = create_organization(&app.pool, "Globex", "admin@globex.test", 5, 5).await;
    let reader = Client::of(&app, acme.organization_id, &[KeyScope::MembersRead]).await;
    let progress_only = Client::of(&app, acme.organization_id, &[KeyScope::Progress]).await;
    let writer = Client::of(
        &app,
        acme.organization_id,
        &[KeyScope::MembersWrite, KeyScope::MembersRead],
    )
    .await;

    // No key, a wrong key: 401 with a Bearer challenge, as problem details.
    let response = reqwest::get(app.url("/api/v1/members")).await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    is_problem(&response.json::<Value>().await.unwrap(), 401);

    // The scope decides.
    let new = json!({ "email": "x@acme.test", "first_name": "X", "last_name": "Y" });
    let (status, refused) = reader
        .send("POST", "/api/v1/members", Some(new.clone()))
        .await;
    assert_eq!(status, 403, "{refused}");
    is_problem(&refused, 403);
    assert_eq!(
        progress_only.send("GET", "/api/v1/members", None).await.0,
        403
    );
    assert_eq!(reader.send("GET", "/api/v1/activity", None).await.0, 403);
    assert_eq!(
        reader
            .send(
                "POST",
                "/api/v1/seats/requests",
                Some(json!({ "seat": "enable", "seats": 3 }))
            )
            .await
            .0,
        403
    );

    // Another organization's member is not found (the same words as for nobody).
    let (status, missing) = writer
        .send(
            "GET",
            &format!("/api/v1/members/{}", other.admin_member_id),
            None,
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        missing["detail"],
        "This member is not in your organization (any more)."
    );
    let (status, _) = writer
        .send(
            "POST",
            &format!("/api/v1/members/{}/deactivate", other.admin_member_id),
            None,
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        writer
            .send("GET", "/api/v1/members/not-a-number", None)
            .await
            .0,
        404
    );
    assert_eq!(
        writer.send("GET", "/api/v1/nothing-here", None).await.0,
        404
    );

    // Bodies: not JSON, unknown fields, a wrong address (with its field).
    let (status, bad) = writer
        .send("POST", "/api/v1/members", Some(json!("just a string")))
        .await;
    assert_eq!(status, 422);
    is_problem(&bad, 422);
    let (status, bad) = writer
        .send("POST", "/api/v1/members", Some(json!({ "email": "a@acme.test", "first_name": "A", "last_name": "B", "admin": true })))
        .await;
    assert_eq!(status, 422);
    assert!(
        bad["detail"].as_str().unwrap().contains("unknown field"),
        "{bad}"
    );
    let (status, bad) = writer
        .send(
            "POST",
            "/api/v1/members",
            Some(json!({ "email": "not an address", "first_name": "A", "last_name": "B" })),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(bad["errors"][0]["field"], "email", "{bad}");
    let (status, bad) = writer.send("GET", "/api/v1/members?after=abc", None).await;
    assert_eq!(status, 422, "{bad}");
    // A rule: no more Enable seats than bought.
    for i in 0..5 {
        let (status, body) = writer
            .send("POST", "/api/v1/members", Some(json!({ "email": format!("s{i}@acme.test"), "first_name": "S", "last_name": "S", "enable_seat": true })))
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, short) = writer
        .send("POST", "/api/v1/members", Some(json!({ "email": "s9@acme.test", "first_name": "S", "last_name": "S", "enable_seat": true })))
        .await;
    assert_eq!(status, 422, "{short}");
    is_problem(&short, 422);

    // A provisioning token is for SCIM alone.
    let token = app::server::api_keys::create(
        &app.pool,
        &operator(acme.organization_id),
        "Okta",
        &[KeyScope::Provisioning],
    )
    .await
    .unwrap();
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/members"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    // A body larger than the route takes: 413, as problem details.
    let big = "x".repeat(300 * 1024);
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/members"))
        .bearer_auth(&writer.key)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_idempotency_key_creates_once(pool: PgPool) {
    let app = spawn_app(pool).await;
    let org = create_organization(&app.pool, "Acme", "admin@acme.test", 5, 5).await;
    let api = Client::of(
        &app,
        org.organization_id,
        &[KeyScope::MembersWrite, KeyScope::MembersRead],
    )
    .await;
    let body = json!({ "email": "ana@acme.test", "first_name": "Ana", "last_name": "Lima" });
    let key = [("idempotency-key", "2f1c3c1e-invite-ana")];
    // Sent five times at once (a client's retries racing): one member, one answer.
    let tries = futures_util::future::join_all(
        (0..5).map(|_| api.send_with("POST", "/api/v1/members", Some(body.clone()), &key)),
    )
    .await;
    let created: Vec<&(u16, Value, _)> = tries.iter().filter(|t| t.0 == 201).collect();
    assert!(
        !created.is_empty(),
        "{:?}",
        tries.iter().map(|t| (t.0, t.1.clone())).collect::<Vec<_>>()
    );
    for (status, value, _) in &tries {
        // The others were told it is at work (409) or got the same answer again.
        assert!(*status == 201 || *status == 409, "{status} {value}");
    }
    let members: i64 =
        sqlx::query_scalar("SELECT count(*) FROM members WHERE email = 'ana@acme.test'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(members, 1);
    // Later, the same request with the same key: the first answer, marked as replayed.
    let (status, again, headers) = api
        .send_with("POST", "/api/v1/members", Some(body.clone()), &key)
        .await;
    assert_eq!(status, 201);
    assert_eq!(again["id"], created[0].1["id"]);
    assert_eq!(headers["idempotent-replayed"], "true");
    // The same key with another request is refused.
    let (status, refused, _) = api
        .send_with(
            "POST",
            "/api/v1/members",
            Some(json!({ "email": "bo@acme.test", "first_name": "Bo", "last_name": "B" })),
            &key,
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("another request"),
        "{refused}"
    );
    // A refusal is kept as well: a retry does not suddenly succeed or do it twice.
    let dup = [("idempotency-key", "dup-1")];
    let (status, _, _) = api
        .send_with("POST", "/api/v1/members", Some(body.clone()), &dup)
        .await;
    assert_eq!(status, 422);
    let (status, _, headers) = api
        .send_with("POST", "/api/v1/members", Some(body), &dup)
        .await;
    assert_eq!(status, 422);
    assert_eq!(headers["idempotent-replayed"], "true");
    // A key that is no key.
    let (status, _, _) = api
        .send_with(
            "POST",
            "/api/v1/members",
            Some(json!({})),
            &[("idempotency-key", &"k".repeat(300))],
        )
        .await;
    assert_eq!(status, 422);
}

#[sqlx::test(migrations = "../migrations")]
async fn each_key_has_a_rate_and_is_told_when_to_come_back(pool: PgPool) {
    let app = spawn_app(pool).await;
    let org = create_organization(&app.pool, "Acme", "admin@acme.test", 5, 5).await;
    let api = Client::of(&app, org.organization_id, &[KeyScope::MembersRead]).await;
    let other = Client::of(&app, org.organization_id, &[KeyScope::MembersRead]).await;
    let answers = futures_util::future::join_all(
        (0..260).map(|_| api.send_with("GET", "/api/v1/programs", None, &[])),
    )
    .await;
    let limited: Vec<_> = answers.iter().filter(|a| a.0 == 429).collect();
    assert!(!limited.is_empty(), "no request was limited");
    assert!(limited.iter().all(|a| a.2.contains_key("retry-after")));
    is_problem(&limited[0].1, 429);
    // Another key is not held back by this one.
    assert_eq!(other.send("GET", "/api/v1/programs", None).await.0, 200);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_document_describes_every_route_and_reads_as_a_page(pool: PgPool) {
    let app = spawn_app(pool).await;
    let doc: Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    for path in [
        "/api/v1/members",
        "/api/v1/members/{id}",
        "/api/v1/members/{id}/deactivate",
        "/api/v1/members/{id}/reactivate",
        "/api/v1/members/{id}/enrollments",
        "/api/v1/programs",
        "/api/v1/regions",
        "/api/v1/seats",
        "/api/v1/seats/requests",
        "/api/v1/activity",
        "/api/v1/activity/export",
        "/api/v1/progress",
    ] {
        assert!(
            paths.iter().any(|p| *p == path),
            "{path} missing from {paths:?}"
        );
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["api_key"]["scheme"],
        "bearer"
    );
    let page = reqwest::get(app.url("/api/v1/docs")).await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("POST /api/v1/members"), "{html}");
    assert!(html.contains("Idempotency-Key"));
}

/// An administrator signed in through the browser client, for the export download.
async fn signed_in_admin(app: &TestApp) -> (i64, reqwest::Client) {
    let (org, _) = app
        .organization_with_admin("Acme", "admin@acme.test", "a long passphrase 1")
        .await;
    let browser = common::browser();
    app.sign_in(&browser, "admin@acme.test", "a long passphrase 1")
        .await
        .unwrap();
    (org, browser)
}

#[sqlx::test(migrations = "../migrations")]
async fn the_activity_log_is_filtered_and_exported_whole(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (org, browser) = signed_in_admin(&app).await;
    // 1,200 entries: 1,000 by a formula-like label on one member, 200 on another day.
    let ana = app.member(org, "ana@acme.test", "member", None).await;
    sqlx::query(
        "INSERT INTO audit_log (organization_id, actor_label, action, subject_member_id, details, created_at)
         SELECT $1, '=cmd|calc', 'seat.granted', $2, jsonb_build_object('n', n), '2026-11-01T10:00:00Z'::timestamptz
           FROM generate_series(1, 1000) n
         UNION ALL
         SELECT $1, 'admin@acme.test', 'member.deactivated', NULL, '{}'::jsonb, '2026-11-20T10:00:00Z'::timestamptz
           FROM generate_series(1, 200)",
    )
    .bind(org)
    .bind(ana)
    .execute(&app.pool)
    .await
    .unwrap();

    let export = |query: &str| {
        let browser = browser.clone();
        let url = app.url(&format!("/organization/activity/export{query}"));
        async move {
            let response = browser.get(url).send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.text().await.unwrap())
        }
    };
    let (status, csv) =
        export("?format=csv&what=seat.granted&member=ana&from=2026-11-01&to=2026-11-01").await;
    assert_eq!(status, 200, "{csv}");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1001, "a header and 1,000 entries");
    assert!(lines[0].starts_with("id,time,who,action"));
    // Formula-safe: the label is text in a spreadsheet.
    assert!(lines[1].contains("'=cmd|calc"), "{}", lines[1]);
    let (_, jsonl) = export("?format=jsonl&what=member.deactivated").await;
    let entries: Vec<Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(entries.len(), 200);
    assert_eq!(entries[0]["action"], "member.deactivated");
    let (_, all) = export("?format=jsonl").await;
    assert!(all.lines().count() >= 1200);
    // Compressed as a browser asks (the compression layer polls the stream past its end).
    for encoding in ["br", "gzip"] {
        let response = browser
            .get(app.url("/organization/activity/export?format=csv"))
            .header("accept-encoding", encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["content-encoding"], encoding);
        let body = response.bytes().await.expect("the whole compressed file");
        assert!(!body.is_empty());
    }
    // Refusals in words.
    assert_eq!(export("?format=xml").await.0, 422);
    assert_eq!(export("?from=2026-02-30").await.0, 422);
    assert_eq!(export("?what=nonsense").await.0, 422);
    let (status, _) = {
        let r = reqwest::get(app.url("/organization/activity/export?format=csv"))
            .await
            .unwrap();
        (r.status().as_u16(), ())
    };
    assert_eq!(status, 401, "no session, no export");

    // The page's server function filters the same way, 50 at a time.
    let log = app
        .call_json::<app::api::activity::Activity>(
            &browser,
            json!({ "filter": { "what": "seat.granted", "member": "ana" }, "before": null }),
        )
        .await
        .unwrap();
    let log: app::model::activity::ActivityLog = serde_json::from_value(log).unwrap();
    assert_eq!(log.entries.len(), 50);
    assert!(log
        .entries
        .iter()
        .all(|e| e.subject.as_deref() == Some("ana@acme.test")));

    // The API's read and export, with the activity scope.
    let api = Client::of(&app, org, &[KeyScope::Activity]).await;
    let (status, page) = api
        .send("GET", "/api/v1/activity?what=member.deactivated", None)
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["entries"].as_array().unwrap().len(), 50);
    let next = page["next"].as_i64().unwrap();
    let (_, older) = api
        .send(
            "GET",
            &format!("/api/v1/activity?what=member.deactivated&before={next}"),
            None,
        )
        .await;
    assert!(older["entries"][0]["id"].as_i64().unwrap() < next);
    let (status, text) = api
        .send(
            "GET",
            "/api/v1/activity/export?format=jsonl&what=member.deactivated",
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(text.as_str().unwrap().lines().count(), 200);
    // A member of another organization's filter sees nothing of this one.
    let globex = create_organization(&app.pool, "Globex", "admin@globex.test", 1, 1).await;
    let theirs = Client::of(&app, globex.organization_id, &[KeyScope::Activity]).await;
    let (_, text) = theirs
        .send(
            "GET",
            "/api/v1/activity/export?format=jsonl&member=ana",
            None,
        )
        .await;
    assert_eq!(text.as_str().unwrap_or(""), "");
}

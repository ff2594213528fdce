//! SCIM 2.0 at `/scim/v2` over HTTP (issue 23): the literal bodies Entra ID and Okta send
//! (fixtures/scim), the seat policy and the waitlist, deactivation keeping a used license
//! counted, groups as teams, and a token that sees only its organization.

use crate::common::{self, create_organization, operator, spawn_app, TestApp};
use app::domain::KeyScope;
use serde_json::{json, Value};
use sqlx::PgPool;

const SCIM: &str = "application/scim+json";

fn fixture(path: &str, ids: &[(&str, &str)]) -> String {
    let file = format!("{}/../fixtures/scim/{path}", env!("CARGO_MANIFEST_DIR"));
    let mut text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    for (name, id) in ids {
        text = text.replace(&format!("{{{{{name}}}}}"), id);
    }
    text
}

struct Provider {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Provider {
    async fn of(app: &TestApp, organization_id: i64) -> Self {
        let token = app::server::api_keys::create(
            &app.pool,
            &operator(organization_id),
            "Entra",
            &[KeyScope::Provisioning],
        )
        .await
        .unwrap();
        Provider {
            client: reqwest::Client::new(),
            base: app.url("/scim/v2"),
            token,
        }
    }

    async fn send(&self, method: &str, path: &str, body: Option<String>) -> (u16, Value) {
        let (status, value, _) = self.send_noted(method, path, body).await;
        (status, value)
    }

    /// Also the `Roster-Seats` header: what became of the member's seats.
    async fn send_noted(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> (u16, Value, Option<String>) {
        let mut request = self
            .client
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.header("content-type", SCIM).body(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let note = response
            .headers()
            .get("roster-seats")
            .map(|v| v.to_str().unwrap().to_owned());
        if status != 204 {
            assert_eq!(response.headers()["content-type"], SCIM, "{method} {path}");
        }
        let text = response.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        };
        (status, value, note)
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send("GET", path, None).await
    }

    async fn post(&self, path: &str, body: String) -> (u16, Value) {
        self.send("POST", path, Some(body)).await
    }

    async fn patch(&self, path: &str, body: String) -> (u16, Value) {
        self.send("PATCH", path, Some(body)).await
    }

    async fn put(&self, path: &str, body: String) -> (u16, Value) {
        self.send("PUT", path, Some(body)).await
    }

    /// Creates a user named `name` (an address at acme.test); returns their id.
    async fn user(&self, name: &str) -> String {
        let (status, user) = self
            .post(
                "/Users",
                json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                       "userName": format!("{name}@acme.test"),
                       "name": {"givenName": name, "familyName": "Test"}})
                .to_string(),
            )
            .await;
        assert_eq!(status, 201, "{user}");
        user["id"].as_str().unwrap().to_owned()
    }
}

fn query(filter: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("filter", filter)
        .finish()
}

async fn seats(pool: &PgPool, organization_id: i64) -> (i32, i32) {
    let row = sqlx::query!(
        "SELECT enable_seats_held, opportunity_seats_held FROM organizations WHERE id = $1",
        organization_id
    )
    .fetch_one(pool)
    .await
    .unwrap();
    (row.enable_seats_held, row.opportunity_seats_held)
}

async fn member(pool: &PgPool, id: &str) -> (String, String, bool) {
    let row = sqlx::query!(
        "SELECT email, status, enable_seat FROM members WHERE id = $1",
        id.parse::<i64>().unwrap()
    )
    .fetch_one(pool)
    .await
    .unwrap();
    (row.email, row.status, row.enable_seat)
}

#[sqlx::test(migrations = "../migrations")]
async fn discovery_says_exactly_what_is_supported(pool: PgPool) {
    let app = spawn_app(pool).await;
    let org = create_organization(&app.pool, "Acme", "admin@acme.test", 5, 5).await;
    let idp = Provider::of(&app, org.organization_id).await;
    let (status, config) = idp.get("/ServiceProviderConfig").await;
    assert_eq!(status, 200);
    assert_eq!(config["patch"]["supported"], true);
    assert_eq!(config["bulk"]["supported"], false);
    assert_eq!(config["etag"]["supported"], false);
    assert_eq!(config["sort"]["supported"], false);
    assert_eq!(config["filter"]["maxResults"], 1000);
    let (_, types) = idp.get("/ResourceTypes").await;
    assert_eq!(types["totalResults"], 2);
    let (_, schemas) = idp.get("/Schemas").await;
    assert_eq!(schemas["totalResults"], 2);
    let (status, user_schema) = idp
        .get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User")
        .await;
    assert_eq!(status, 200);
    assert_eq!(user_schema["attributes"][0]["name"], "userName");
    let (status, error) = idp.get("/Bulk").await;
    assert_eq!(status, 501, "{error}");
    assert_eq!(
        error["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    assert_eq!(error["status"], "501");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_token_sees_only_its_organization_and_only_scim(pool: PgPool) {
    let app = spawn_app(pool).await;
    let acme = create_organization(&app.pool, "Acme", "admin@acme.test", 5, 5).await;
    let globex = create_organization(&app.pool, "Globex", "admin@globex.test", 5, 5).await;
    let acme_idp = Provider::of(&app, acme.organization_id).await;
    let globex_idp = Provider::of(&app, globex.organization_id).await;
    let ava = acme_idp.user("ava").await;

    // Another organization's token: not found, not listed, not changed, not deleted.
    let (status, _) = globex_idp.get(&format!("/Users/{ava}")).await;
    assert_eq!(status, 404);
    let (_, list) = globex_idp
        .get(&format!(
            "/Users?{}",
            query("userName eq \"ava@acme.test\"")
        ))
        .await;
    assert_eq!(list["totalResults"], 0);
    let (status, _) = globex_idp
        .patch(
            &format!("/Users/{ava}"),
            fixture("entra/deactivate.json", &[]),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = globex_idp
        .send("DELETE", &format!("/Users/{ava}"), None)
        .await;
    assert_eq!(status, 404);
    assert_eq!(member(&app.pool, &ava).await.1, "invited");
    // Nor its groups, nor its members through a group.
    let (_, group) = acme_idp
        .post("/Groups", fixture("entra/group_create.json", &[]))
        .await;
    let group_id = group["id"].as_str().unwrap();
    let (status, _) = globex_idp
        .patch(
            &format!("/Groups/{group_id}"),
            fixture("entra/group_add.json", &[("user", &ava)]),
        )
        .await;
    assert_eq!(status, 404);
    let (_, globex_group) = globex_idp
        .post("/Groups", fixture("entra/group_create.json", &[]))
        .await;
    let (status, answered) = globex_idp
        .patch(
            &format!("/Groups/{}", globex_group["id"].as_str().unwrap()),
            fixture("entra/group_add.json", &[("user", &ava)]),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        answered["members"],
        json!([]),
        "Acme's user is not Globex's"
    );

    // No token, a wrong one, a key of another scope, a revoked token.
    let anonymous = reqwest::Client::new()
        .get(app.url("/scim/v2/Users"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");
    let progress_key = app::server::api_keys::create(
        &app.pool,
        &operator(acme.organization_id),
        "player",
        &[KeyScope::Progress],
    )
    .await
    .unwrap();
    let refused = reqwest::Client::new()
        .get(app.url("/scim/v2/Users"))
        .bearer_auth(&progress_key)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let key_id: i64 =
        sqlx::query_scalar("SELECT id FROM api_keys WHERE name = 'Entra' AND organization_id = $1")
            .bind(acme.organization_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    app::server::api_keys::revoke(&app.pool, &operator(acme.organization_id), key_id)
        .await
        .unwrap();
    let (status, _) = acme_idp.get("/Users").await;
    assert_eq!(status, 401);
    // A provisioning token is the provider's alone.
    let mixed = app::server::api_keys::create(
        &app.pool,
        &operator(acme.organization_id),
        "mixed",
        &[KeyScope::Provisioning, KeyScope::MembersRead],
    )
    .await;
    assert!(mixed.is_err());
}

#[sqlx::test(migrations = "../migrations")]
async fn entra_creates_finds_changes_and_deactivates_a_user(pool: PgPool) {
    let app = spawn_app(pool).await;
    let org = create_organization(&app.pool, "Acme", "admin@acme.test", 5, 5).await;
    let idp = Provider::of(&app, org.organization_id).await;
    let filter = fixture("entra/filter_user.txt", &[]);
    let (status, none) = idp.get(&format!("/Users?{}", query(&filter))).await;
    assert_eq!(status, 200);
    assert_eq!(none["totalResults"], 0);
    assert_eq!(none["Resources"], json!([]));

    let (status, user) = idp
        .post("/Users", fixture("entra/create_user.json", &[]))
        .await;
    assert_eq!(status, 201, "{user}");
    let id = user["id"].as_str().unwrap().to_owned();
    assert_eq!(
        user["userName"],
        "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1"
    );
    assert_eq!(
        user["emails"][0]["value"],
        "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"
    );
    assert_eq!(user["externalId"], "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef");
    assert_eq!(user["active"], true);
    assert!(user["meta"]["location"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/scim/v2/Users/{id}")));
    // The default policy gives an Enable seat when one is free.
    assert_eq!(
        member(&app.pool, &id).await,
        (
            "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com".into(),
            "invited".into(),
            true
        )
    );
    // Found by every filter providers send; the same user again is a conflict.
    for filter in [
        filter.clone(),
        "externalId eq \"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef\"".into(),
        "emails[type eq \"work\"].value eq \"test_user_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com\"".into(),
        "emails.value eq \"Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com\"".into(),
    ] {
        let (_, found) = idp.get(&format!("/Users?{}", query(&filter))).await;
        assert_eq!(found["totalResults"], 1, "{filter}");
        assert_eq!(found["Resources"][0]["id"], id.as_str());
    }
    let (status, conflict) = idp
        .post("/Users", fixture("entra/create_user.json", &[]))
        .await;
    assert_eq!(status, 409);
    assert_eq!(conflict["scimType"], "uniqueness");
    let (status, bad) = idp
        .get(&format!("/Users?{}", query("title co \"x\"")))
        .await;
    assert_eq!(status, 400);
    assert_eq!(bad["scimType"], "invalidFilter");

    // Path-less values with dotted keys; an email path; then the quirky deactivation.
    let path = format!("/Users/{id}");
    let (status, changed) = idp
        .patch(&path, fixture("entra/pathless_dotted.json", &[]))
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["name"]["givenName"], "Alexandra");
    assert_eq!(changed["title"], "Account Executive");
    let (_, changed) = idp
        .patch(&path, fixture("entra/update_email.json", &[]))
        .await;
    assert_eq!(changed["emails"][0]["value"], "updatedEmail@testuser.com");
    assert_eq!(changed["name"]["familyName"], "updatedFamilyName");
    let held = seats(&app.pool, org.organization_id).await;
    let (status, off, note) = idp
        .send_noted("PATCH", &path, Some(fixture("entra/deactivate.json", &[])))
        .await;
    assert_eq!(status, 200, "{off}");
    assert_eq!(off["active"], false);
    assert_eq!(member(&app.pool, &id).await.1, "deactivated");
    // No progress: the Enable seat returned (and the answer says so).
    assert_eq!(seats(&app.pool, org.organization_id).await.0, held.0 - 1);
    let note = note.unwrap();
    assert!(note.contains("Enable seat returned"), "{note}");
    // Back with op Add and "True": the seat is asked for again (one is free).
    let (status, on) = idp
        .patch(&path, fixture("entra/reactivate_add.json", &[]))
        .await;
    assert_eq!(status, 200, "{on}");
    assert_eq!(on["active"], true);
    assert_eq!(member(&app.pool, &id).await.1, "invited");
    assert_eq!(seats(&app.pool, org.organization_id).await.0, held.0);

    // A soft-delete that rewrites userName and email: the member keeps their address.
    let (status, soft) = idp
        .patch(&path, fixture("entra/soft_delete_rename.json", &[]))
        .await;
    assert_eq!(status, 200, "{soft}");
    assert_eq!(soft["active"], false);
    assert_eq!(member(&app.pool, &id).await.0, "updatedEmail@testuser.com");

    // The Activity names the identity provider.
    let actors: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT actor_label FROM audit_log WHERE subject_member_id = $1",
    )
    .bind(id.parse::<i64>().unwrap())
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(
        actors
            .iter()
            .all(|a| a.starts_with("identity provider (token Entra")),
        "{actors:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn okta_put_without_active_does_not_deactivate(pool: PgPool) {
    let app = spawn_app(pool).await;
    let org = create_organization(&app.pool, "Acme", "admin@acme.test", 5, 5).await;
    let idp = Provider::of(&app, org.organization_id).await;
    let (status, user) = idp
        .post("/Users", fixture("okta/create_user.json", &[]))
        .await;
    assert_eq!(status, 201, "{user}");
    let id = user["id"].as_str().unwrap().to_owned();
    let (_, found) = idp
        .get(&format!(
            "/Users?{}&startIndex=1&count=100",
            query("userName eq \"test.user@okta.local\"")
        ))
        .await;
    assert_eq!(found["totalResults"], 1);
    let (status, put) = idp
        .put(
            &format!("/Users/{id}"),
            fixture("okta/put_without_active.json", &[("user", &id)]),
        )
        .await;
    assert_eq!(status, 200, "{put}");
    assert_eq!(put["active"], true);
    assert_eq!(put["name"]["givenName"], "Another");
    assert_eq!(member(&app.pool, &id).await.1, "invited");
    let (status, off) = idp
        .patch(
            &format!("/Users/{id}"),
            fixture("okta/deactivate.json", &[]),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(off["active"], false);
    assert_eq!(member(&app.pool, &id).await.1, "deactivated");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_used_license_stays_counted_an_unused_one_returns(pool: PgPool) {
    let app = spawn_app(pool).await;
    let org = create_organization(&app.pool, "Acme", "admin@acme.test", 5, 5).await;
    let idp = Provider::of(&app, org.organization_id).await;
    let learner = app
        .member(
            org.organization_id,
            "learner@acme.test",
            "member",
            Some("correct horse battery"),
        )
        .await;
    sqlx::query!(
        "UPDATE members SET enable_seat = true WHERE id = $1",
        learner
    )
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query!(
        "INSERT INTO enrollments (member_id, program_id, progress_basis_points)
         SELECT $1, id, 2500 FROM programs ORDER BY id LIMIT 1",
        learner
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let (_, found) = idp
        .get(&format!(
            "/Users?{}",
            query("userName eq \"learner@acme.test\"")
        ))
        .await;
    let id = found["Resources"][0]["id"].as_str().unwrap().to_owned();
    let before = seats(&app.pool, org.organization_id).await.0;
    let (status, off, note) = idp
        .send_noted(
            "PATCH",
            &format!("/Users/{id}"),
            Some(fixture("entra/deactivate.json", &[])),
        )
        .await;
    assert_eq!(status, 200, "{off}");
    assert!(note.unwrap().contains("stays counted"), "{off}");
    assert_eq!(seats(&app.pool, org.organization_id).await.0, before);
    let kept: bool = sqlx::query_scalar(
        "SELECT (details->>'kept_used_enable_seat')::boolean FROM audit_log
          WHERE subject_member_id = $1 AND action = 'member.deactivated'",
    )
    .bind(learner)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(kept, "the Activity says the used license stays");

    // DELETE is a deactivation too; the user is then gone through SCIM, and comes back
    // as the same member when the provider creates them again.
    let other = idp.user("ben").await;
    let before = seats(&app.pool, org.organization_id).await.0;
    let (status, _, note) = idp
        .send_noted("DELETE", &format!("/Users/{other}"), None)
        .await;
    assert_eq!(status, 204);
    assert!(note.unwrap().contains("Enable seat returned"));
    assert_eq!(seats(&app.pool, org.organization_id).await.0, before - 1);
    let (status, _) = idp.get(&format!("/Users/{other}")).await;
    assert_eq!(status, 404);
    let (status, _) = idp.send("DELETE", &format!("/Users/{other}"), None).await;
    assert_eq!(status, 404);
    let again = idp.user("ben").await;
    assert_eq!(again, other);
    assert_eq!(member(&app.pool, &again).await.1, "invited");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_provider_is_never_refused_for_seats_and_the_waitlist_is_first_come(pool: PgPool) {
    let app = spawn_app(pool).await;
    // One Enable seat, none Opportunity.
    let org = create_organization(&app.pool, "Acme", "admin@acme.test", 1, 0).await;
    sqlx::query!(
        "UPDATE organizations SET seat_policy = 'both' WHERE id = $1",
        org.organization_id
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let idp = Provider::of(&app, org.organization_id).await;
    let first = idp.user("first").await;
    let second = idp.user("second").await;
    let third = idp.user("third").await;
    assert!(member(&app.pool, &first).await.2);
    assert!(!member(&app.pool, &second).await.2);
    let (_, _, note) = idp
        .send_noted("GET", &format!("/Users/{second}"), None)
        .await;
    let note = note.unwrap();
    assert!(
        note.contains("free Enable seat") && note.contains("free Opportunity seat"),
        "{note}"
    );
    assert!(note.contains("first come first served"));

    // The first leaves: the seat goes to who waited longest, recorded in the ledger.
    let (status, _) = idp
        .patch(
            &format!("/Users/{first}"),
            fixture("entra/deactivate.json", &[]),
        )
        .await;
    assert_eq!(status, 200);
    assert!(member(&app.pool, &second).await.2);
    assert!(!member(&app.pool, &third).await.2);
    let via: String = sqlx::query_scalar(
        "SELECT via FROM license_events WHERE member_id = $1 AND event = 'granted' AND seat = 'enable'",
    )
    .bind(second.parse::<i64>().unwrap())
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(via, "waitlist");
    // Reactivating the first is not refused: they wait behind the third.
    let (status, back) = idp
        .patch(
            &format!("/Users/{first}"),
            fixture("entra/reactivate_add.json", &[]),
        )
        .await;
    assert_eq!(status, 200, "{back}");
    assert_eq!(back["active"], true);
    let order: Vec<i64> = sqlx::query_scalar(
        "SELECT member_id FROM seat_waitlist WHERE organization_id = $1 AND seat = 'enable' ORDER BY id",
    )
    .bind(org.organization_id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        order,
        vec![third.parse::<i64>().unwrap(), first.parse::<i64>().unwrap()]
    );
    // The vendor sells two more: the worker serves both, in order.
    app::server::seats::set_bought(
        &app.pool,
        &app::domain::Access::vendor(org.organization_id),
        Some(3),
        None,
    )
    .await
    .unwrap();
    let ticked = app::server::licenses::tick(
        &app.pool,
        &common::runtime_config("https://roster.example", false),
        time::OffsetDateTime::now_utc(),
    )
    .await
    .unwrap();
    assert_eq!(ticked.waitlisted, 2);
    assert!(member(&app.pool, &third).await.2);
    assert!(member(&app.pool, &first).await.2);
}

#[sqlx::test(migrations = "../migrations")]
async fn groups_are_teams_and_a_user_in_two_is_in_the_first(pool: PgPool) {
    let app = spawn_app(pool).await;
    let org = create_organization(&app.pool, "Acme", "admin@acme.test", 5, 5).await;
    let idp = Provider::of(&app, org.organization_id).await;
    let ava = idp.user("ava").await;
    let (status, sales) = idp
        .post("/Groups", fixture("entra/group_create.json", &[]))
        .await;
    assert_eq!(status, 201, "{sales}");
    let sales = sales["id"].as_str().unwrap().to_owned();
    let (status, east) = idp
        .post(
            "/Groups",
            json!({"displayName": "East", "members": [{"value": ava}]}).to_string(),
        )
        .await;
    assert_eq!(status, 201);
    let east = east["id"].as_str().unwrap().to_owned();
    let team_of = |id: String| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, Option<String>>(
                "SELECT t.name FROM members m LEFT JOIN teams t ON t.id = m.team_id WHERE m.id = $1",
            )
            .bind(id.parse::<i64>().unwrap())
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(team_of(ava.clone()).await.as_deref(), Some("East"));
    let (status, added) = idp
        .patch(
            &format!("/Groups/{sales}"),
            fixture("entra/group_add.json", &[("user", &ava)]),
        )
        .await;
    assert_eq!(status, 200, "{added}");
    assert_eq!(added["members"][0]["value"], ava.as_str());
    // Still East (her first group); leaving it, she is in Group1Name's team.
    assert_eq!(team_of(ava.clone()).await.as_deref(), Some("East"));
    let (status, _) = idp
        .patch(
            &format!("/Groups/{east}"),
            fixture("okta/group_remove_by_filter.json", &[("user", &ava)]),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(team_of(ava.clone()).await.as_deref(), Some("Group1Name"));
    let (_, user) = idp.get(&format!("/Users/{ava}")).await;
    assert_eq!(user["groups"][0]["display"], "Group1Name");
    let (_, renamed) = idp
        .patch(
            &format!("/Groups/{sales}"),
            fixture("okta/group_rename.json", &[("group", &sales)]),
        )
        .await;
    assert_eq!(renamed["displayName"], "Test SCIMv2");
    let (status, _) = idp
        .patch(
            &format!("/Groups/{sales}"),
            fixture("entra/group_remove_by_value.json", &[("user", &ava)]),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(team_of(ava.clone()).await, None);
    // `remove` of members without a value clears the group.
    idp.patch(
        &format!("/Groups/{sales}"),
        fixture("entra/group_add.json", &[("user", &ava)]),
    )
    .await;
    let (_, cleared) = idp
        .patch(
            &format!("/Groups/{sales}"),
            json!({"Operations": [{"op": "remove", "path": "members"}]}).to_string(),
        )
        .await;
    assert_eq!(cleared["members"], json!([]));
    let (_, listed) = idp
        .get(&format!(
            "/Groups?{}&excludedAttributes=members",
            query("displayName eq \"Test SCIMv2\"")
        ))
        .await;
    assert_eq!(listed["totalResults"], 1);
    assert!(listed["Resources"][0].get("members").is_none());
    // The teams live in the provider's region.
    let region: String = sqlx::query_scalar(
        "SELECT r.name FROM teams t JOIN regions r ON r.id = t.region_id WHERE t.id = $1",
    )
    .bind(sales.parse::<i64>().unwrap())
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(region, "Identity provider groups");
    let (status, _) = idp.send("DELETE", &format!("/Groups/{east}"), None).await;
    assert_eq!(status, 204);
    let (status, _) = idp.get(&format!("/Groups/{east}")).await;
    assert_eq!(status, 404);
}

#[sqlx::test(migrations = "../migrations")]
async fn groups_grant_seats_under_the_groups_policy(pool: PgPool) {
    let app = spawn_app(pool).await;
    let org = create_organization(&app.pool, "Acme", "admin@acme.test", 1, 5).await;
    sqlx::query!(
        "UPDATE organizations SET seat_policy = 'groups' WHERE id = $1",
        org.organization_id
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let idp = Provider::of(&app, org.organization_id).await;
    let ava = idp.user("ava").await;
    let bo = idp.user("bo").await;
    assert!(!member(&app.pool, &ava).await.2, "no group, no seat");
    let (_, group) = idp
        .post(
            "/Groups",
            json!({"displayName": "Enable licensees"}).to_string(),
        )
        .await;
    let group = group["id"].as_str().unwrap().to_owned();
    sqlx::query!(
        "UPDATE teams SET grants_enable = true WHERE id = $1",
        group.parse::<i64>().unwrap()
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let (status, _) = idp
        .patch(
            &format!("/Groups/{group}"),
            json!({"Operations": [{"op": "add", "path": "members", "value": [{"value": ava}, {"value": bo}]}]}).to_string(),
        )
        .await;
    assert_eq!(status, 200);
    assert!(member(&app.pool, &ava).await.2);
    assert!(!member(&app.pool, &bo).await.2);
    let waiting: i64 =
        sqlx::query_scalar("SELECT count(*) FROM seat_waitlist WHERE member_id = $1")
            .bind(bo.parse::<i64>().unwrap())
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(waiting, 1);
    // Leaving the group, Bo waits for nothing.
    idp.patch(
        &format!("/Groups/{group}"),
        fixture("entra/group_remove_by_value.json", &[("user", &bo)]),
    )
    .await;
    let waiting: i64 =
        sqlx::query_scalar("SELECT count(*) FROM seat_waitlist WHERE member_id = $1")
            .bind(bo.parse::<i64>().unwrap())
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(waiting, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn paging_and_bad_requests(pool: PgPool) {
    let app = spawn_app(pool).await;
    let org = create_organization(&app.pool, "Acme", "admin@acme.test", 20, 5).await;
    let idp = Provider::of(&app, org.organization_id).await;
    for name in ["a1", "a2", "a3", "a4"] {
        idp.user(name).await;
    }
    // The administrator and four users.
    let (_, page) = idp.get("/Users?startIndex=2&count=2").await;
    assert_eq!(page["totalResults"], 5);
    assert_eq!(page["startIndex"], 2);
    assert_eq!(page["itemsPerPage"], 2);
    let (_, counted) = idp.get("/Users?count=0").await;
    assert_eq!(counted["totalResults"], 5);
    assert_eq!(counted["Resources"], json!([]));
    let (_, past) = idp.get("/Users?startIndex=99").await;
    assert_eq!(past["Resources"], json!([]));
    let (status, bad) = idp.post("/Users", "not json".into()).await;
    assert_eq!(status, 400);
    assert_eq!(bad["scimType"], "invalidSyntax");
    let (status, bad) = idp
        .post("/Users", json!({"userName": "no-address"}).to_string())
        .await;
    assert_eq!(status, 400);
    assert_eq!(bad["scimType"], "invalidValue");
    let (status, _) = idp.get("/Users/not-a-number").await;
    assert_eq!(status, 404);
    let (status, _) = idp.get("/Nothing").await;
    assert_eq!(status, 404);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_token_past_its_share_gets_429_with_retry_after(pool: PgPool) {
    use app::server::scim::{handle, RateLimit, ScimRequest};
    let org = create_organization(&pool, "Acme", "admin@acme.test", 5, 5).await;
    let other = create_organization(&pool, "Globex", "admin@globex.test", 5, 5).await;
    let token = |org: i64| {
        let pool = pool.clone();
        async move {
            app::server::api_keys::create(&pool, &operator(org), "idp", &[KeyScope::Provisioning])
                .await
                .unwrap()
        }
    };
    let (acme, globex) = (
        token(org.organization_id).await,
        token(other.organization_id).await,
    );
    let config = common::runtime_config("https://roster.example", false);
    let limits = RateLimit::new(2, std::time::Duration::from_secs(30));
    let get = |token: String| {
        let (pool, config, limits) = (&pool, &config, &limits);
        async move {
            let authorization = format!("Bearer {token}");
            handle(
                pool,
                config,
                limits,
                ScimRequest {
                    method: "GET",
                    path: "/Users",
                    query: None,
                    authorization: Some(&authorization),
                    body: b"",
                },
            )
            .await
        }
    };
    assert_eq!(get(acme.clone()).await.status, 200);
    assert_eq!(get(acme.clone()).await.status, 200);
    let refused = get(acme.clone()).await;
    assert_eq!(refused.status, 429);
    let retry: u64 = refused
        .headers
        .iter()
        .find(|(name, _)| *name == "retry-after")
        .map(|(_, v)| v.parse().unwrap())
        .unwrap();
    assert!((1..=30).contains(&retry), "{retry}");
    assert_eq!(refused.body.unwrap()["status"], "429");
    // Another token has its own share.
    assert_eq!(get(globex).await.status, 200);
}

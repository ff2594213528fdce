//! Who may do what: every server function and HTTP endpoint, called by every role, against
//! the table in docs/ACCESS.md. A difference in either direction fails: a role that gets
//! in where the table says no, and one refused where it says yes.
//!
//! `ROSTER_ACCESS_PRINT=1` prints the observed table (to update docs/ACCESS.md after a
//! deliberate change, then read the difference line by line).

use crate::common::{browser_from, roster_file, spawn_app, TestApp};
use app::domain::{Access, KeyScope};
use leptos::server_fn::ServerFn;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::collections::BTreeMap;

const PASSWORD: &str = "a long passphrase";

/// The roles, in the table's column order.
const ROLES: [&str; 10] = [
    "admin",
    "manager of team A",
    "manager of region R",
    "member",
    "key: progress",
    "key: read",
    "key: write",
    "key: activity",
    "other org's admin",
    "anonymous",
];

/// How a request is sent: a server function's form or JSON body (POST), or an HTTP
/// route's method and JSON body (the REST API, downloads).
enum Body {
    Form(Vec<(&'static str, String)>),
    Json(Value),
    Http(&'static str, Option<Value>),
}

struct Call {
    path: String,
    body: Body,
}

/// A REST or download route: `method path`, with a JSON body or none.
fn http(method: &'static str, path: String, body: Option<Value>) -> Call {
    Call {
        path,
        body: Body::Http(method, body),
    }
}

fn form<F: ServerFn>(fields: &[(&'static str, String)]) -> Call {
    Call {
        path: F::PATH.into(),
        body: Body::Form(fields.to_vec()),
    }
}

fn json_call<F: ServerFn>(body: Value) -> Call {
    Call {
        path: F::PATH.into(),
        body: Body::Json(body),
    }
}

/// What an organization looks like for the table: ids the calls name.
struct World {
    team_a: i64,
    team_c: i64,
    region_r: i64,
    target: i64,
    outsider: i64,
    invited_a: i64,
    invited_b: i64,
    to_deactivate: i64,
    deactivated: i64,
    /// What the REST API's deactivate and reactivate act on.
    rest_deactivate: i64,
    rest_reactivate: i64,
    /// The webhook endpoint each role names (the administrator's own, another for the rest).
    webhooks: Vec<i64>,
    plain_member: i64,
    manager_a: i64,
    spare_key: i64,
    temp_region: i64,
    temp_team: i64,
    empty_region: i64,
    lesson: i64,
    keys: BTreeMap<&'static str, String>,
}

async fn sql(pool: &PgPool, query: &str) {
    sqlx::raw_sql(query).execute(pool).await.unwrap();
}

async fn id(pool: &PgPool, query: &str) -> i64 {
    sqlx::query_scalar(query).fetch_one(pool).await.unwrap()
}

async fn world(app: &TestApp) -> World {
    let pool = &app.pool;
    let (acme, _) = app
        .organization_with_admin("Acme", "admin@acme.example", PASSWORD)
        .await;
    app.organization_with_admin("Globex", "admin@globex.example", PASSWORD)
        .await;
    let region = |name: &str| {
        format!(
            "INSERT INTO regions (organization_id, name) VALUES ({acme}, '{name}') RETURNING id"
        )
    };
    let region_r = id(pool, &region("R")).await;
    let region_s = id(pool, &region("S")).await;
    let temp_region = id(pool, &region("Temp")).await;
    let empty_region = id(pool, &region("Empty")).await;
    let team = |region: i64, name: &str| {
        format!("INSERT INTO teams (organization_id, region_id, name) VALUES ({acme}, {region}, '{name}') RETURNING id")
    };
    let team_a = id(pool, &team(region_r, "A")).await;
    let team_b = id(pool, &team(region_r, "B")).await;
    let team_c = id(pool, &team(region_s, "C")).await;
    let temp_team = id(pool, &team(temp_region, "Temp T")).await;

    let member = |email: &'static str, permission: &'static str, active: bool| async move {
        app.member(acme, email, permission, active.then_some(PASSWORD))
            .await
    };
    let manager_a = member("mgr.a@acme.example", "manager", true).await;
    let manager_r = member("mgr.r@acme.example", "manager", true).await;
    let plain_member = member("member@acme.example", "member", true).await;
    let target = member("target@acme.example", "member", true).await;
    let outsider = member("outsider@acme.example", "member", true).await;
    let invited_a = member("invited.a@acme.example", "member", false).await;
    let invited_b = member("invited.b@acme.example", "member", false).await;
    let to_deactivate = member("leaving@acme.example", "member", true).await;
    let deactivated = member("gone@acme.example", "member", false).await;
    let rest_deactivate = member("rest.leaving@acme.example", "member", true).await;
    let rest_reactivate = member("rest.gone@acme.example", "member", true).await;
    sql(
        pool,
        &format!("UPDATE members SET status = 'deactivated' WHERE id = {rest_reactivate}"),
    )
    .await;
    let endpoint = format!(
        "INSERT INTO webhook_endpoints (organization_id, url, secret, events, created_by_label)
         VALUES ({acme}, 'https://hooks.example.com/x', 'whsec_AAAA', ARRAY['member.invited'], 'test') RETURNING id"
    );
    let (mine, theirs) = (id(pool, &endpoint).await, id(pool, &endpoint).await);
    let webhooks = std::iter::once(mine)
        .chain(std::iter::repeat_n(theirs, ROLES.len() - 1))
        .collect();
    sql(
        pool,
        &format!(
            "UPDATE members SET status = 'deactivated' WHERE id = {deactivated};
             UPDATE members SET team_id = {team_a}
              WHERE id IN ({target}, {invited_a}, {to_deactivate}, {deactivated}, {plain_member});
             UPDATE members SET team_id = {team_b} WHERE id = {invited_b};
             UPDATE members SET team_id = {team_c} WHERE id = {outsider};
             UPDATE members SET enable_seat = true
              WHERE organization_id = {acme} AND (permission <> 'member' OR id IN ({target}, {plain_member}));
             INSERT INTO enrollments (member_id, program_id)
               SELECT m, id FROM programs, unnest(ARRAY[{target}, {plain_member}]) AS m
                WHERE slug = 'meddicc-go-live-plan';
             INSERT INTO manager_scopes (organization_id, member_id, team_id) VALUES ({acme}, {manager_a}, {team_a});
             INSERT INTO manager_scopes (organization_id, member_id, region_id) VALUES ({acme}, {manager_r}, {region_r});
             UPDATE organizations SET managers_may_invite = true WHERE id = {acme};
             UPDATE members SET enable_seat = true WHERE email = 'admin@globex.example';"
        ),
    )
    .await;

    let operator = Access::operator(acme, "Acme", "test");
    let mut keys = BTreeMap::new();
    for (role, scope) in [
        ("key: progress", KeyScope::Progress),
        ("key: read", KeyScope::MembersRead),
        ("key: write", KeyScope::MembersWrite),
        ("key: activity", KeyScope::Activity),
    ] {
        let key = app::server::api_keys::create(pool, &operator, role, &[scope])
            .await
            .unwrap();
        keys.insert(role, key);
    }
    app::server::api_keys::create(pool, &operator, "spare", &[KeyScope::Progress])
        .await
        .unwrap();
    let spare_key = id(pool, "SELECT id FROM api_keys WHERE name = 'spare'").await;
    let lesson = id(
        pool,
        "SELECT l.id::bigint FROM lessons l JOIN programs p ON p.id = l.program_id
          WHERE p.slug = 'meddicc-go-live-plan' ORDER BY l.position LIMIT 1",
    )
    .await;
    World {
        lesson,
        team_a,
        team_c,
        region_r,
        target,
        outsider,
        invited_a,
        invited_b,
        to_deactivate,
        deactivated,
        rest_deactivate,
        rest_reactivate,
        webhooks,
        plain_member,
        manager_a,
        spare_key,
        temp_region,
        temp_team,
        empty_region,
        keys,
    }
}

/// Every endpoint: its name in the table, and the request a role sends (some vary by
/// role, so that what one role did does not decide what the next one gets).
/// An endpoint's name in the table, and the request role number `r` sends.
type Endpoint<'w> = (&'static str, Box<dyn Fn(usize) -> Call + 'w>);

fn endpoints(w: &World) -> Vec<Endpoint<'_>> {
    use app::api::*;
    let s = |v: i64| v.to_string();
    let none_filter =
        json!({ "q": "", "status": "", "permission": "", "seat": "", "team": "", "sort": "" });
    let file = serde_json::to_value(roster_file("access.csv", Vec::new())).unwrap();
    let invitee = move |role: usize| {
        json!({ "first_name": "New", "last_name": format!("Person{role}"),
                "email": format!("new{role}@acme.example"), "job_title": "",
                "permission": "member", "enable_seat": false, "opportunity_seat": false })
    };
    vec![
        (
            "current_viewer",
            Box::new(|_| form::<auth::CurrentViewer>(&[])),
        ),
        (
            "activity",
            Box::new(|_| json_call::<activity::Activity>(json!({ "filter": {}, "before": null }))),
        ),
        (
            "GET /organization/activity/export",
            Box::new(|_| {
                http(
                    "GET",
                    "/organization/activity/export?format=csv".into(),
                    None,
                )
            }),
        ),
        ("webhooks", Box::new(|_| form::<webhooks::Webhooks>(&[]))),
        (
            "add_webhook",
            Box::new(|r| {
                json_call::<webhooks::AddWebhook>(json!({
                    "url": format!("https://hooks{r}.example.com/roster"),
                    "events": ["member.invited"], "description": ""
                }))
            }),
        ),
        (
            "send_test_webhook",
            Box::new(move |r| form::<webhooks::SendTestWebhook>(&[("id", s(w.webhooks[r]))])),
        ),
        (
            "remove_webhook",
            Box::new(move |r| form::<webhooks::RemoveWebhook>(&[("id", s(w.webhooks[r]))])),
        ),
        ("api_keys", Box::new(|_| form::<api_keys::ApiKeys>(&[]))),
        (
            "create_api_key",
            Box::new(|r| {
                json_call::<api_keys::CreateApiKey>(
                    json!({ "name": format!("k{r}"), "scopes": ["Progress"] }),
                )
            }),
        ),
        (
            "revoke_api_key (of Acme)",
            Box::new(move |_| form::<api_keys::RevokeApiKey>(&[("id", s(w.spare_key))])),
        ),
        (
            "load_member (team A)",
            Box::new(move |_| form::<enrollments::LoadMember>(&[("member_id", s(w.target))])),
        ),
        (
            "load_member (team C)",
            Box::new(move |_| form::<enrollments::LoadMember>(&[("member_id", s(w.outsider))])),
        ),
        (
            "assign_program (team A)",
            Box::new(move |_| {
                json_call::<enrollments::AssignProgram>(
                    json!({ "member_id": w.target, "program": "meddpicc-masterclass" }),
                )
            }),
        ),
        (
            "unassign_program (team A)",
            Box::new(move |_| {
                json_call::<enrollments::UnassignProgram>(
                    json!({ "member_id": w.target, "program": "meddpicc-masterclass" }),
                )
            }),
        ),
        (
            "load_import_context",
            Box::new(|_| form::<import::LoadImportContext>(&[])),
        ),
        (
            "start_import",
            Box::new(|r| {
                form::<import::StartImport>(&[
                    ("file_name", "a.csv".into()),
                    ("digest", format!("d{r}")),
                    ("rows_total", "0".into()),
                ])
            }),
        ),
        (
            "finish_import (none)",
            Box::new(|_| form::<import::FinishImport>(&[("import_id", "0".into())])),
        ),
        (
            "import_batch (none)",
            Box::new(|_| json_call::<import::ImportBatch>(json!({ "import_id": 0, "rows": [] }))),
        ),
        (
            "remember_columns",
            Box::new(|_| json_call::<import::RememberColumns>(json!({ "choices": [] }))),
        ),
        (
            "import_history",
            Box::new(|_| form::<import::ImportHistory>(&[])),
        ),
        (
            "pending_invitations",
            Box::new(|_| form::<invitations::PendingInvitations>(&[])),
        ),
        (
            "invite_members (no team)",
            Box::new(move |r| {
                json_call::<invite::InviteMembers>(json!({ "members": [invitee(r)] }))
            }),
        ),
        (
            "invite_members (team A)",
            Box::new(move |r| {
                json_call::<invite::InviteMembers>(
                    json!({ "members": [invitee(r + 20)], "team": w.team_a }),
                )
            }),
        ),
        (
            "invite_members (team C)",
            Box::new(move |r| {
                json_call::<invite::InviteMembers>(
                    json!({ "members": [invitee(r + 40)], "team": w.team_c }),
                )
            }),
        ),
        (
            "my_programs",
            Box::new(|_| form::<learning::MyPrograms>(&[])),
        ),
        (
            "load_lessons",
            Box::new(|_| form::<learning::LoadLessons>(&[("slug", "meddicc-go-live-plan".into())])),
        ),
        (
            "complete_lesson",
            Box::new(move |_| {
                json_call::<learning::CompleteLesson>(
                    json!({ "program": "meddicc-go-live-plan", "lesson_id": w.lesson }),
                )
            }),
        ),
        ("mailbox", Box::new(|_| form::<mailbox::Mailbox>(&[]))),
        (
            "organization_overview",
            Box::new(|_| form::<member_list::OrganizationOverview>(&[])),
        ),
        (
            "list_members",
            Box::new({
                let f = none_filter.clone();
                move |_| json_call::<member_list::ListMembers>(json!({ "filter": f }))
            }),
        ),
        (
            "deactivation_preview (team A)",
            Box::new(move |_| form::<members::DeactivationPreview>(&[("member_id", s(w.target))])),
        ),
        (
            "deactivate_member (team A)",
            Box::new(move |_| {
                form::<members::DeactivateMember>(&[("member_id", s(w.to_deactivate))])
            }),
        ),
        (
            "reactivate_member (team A)",
            Box::new(move |_| {
                form::<members::ReactivateMember>(&[("member_id", s(w.deactivated))])
            }),
        ),
        (
            "resend_invitation (team A)",
            Box::new(move |_| form::<members::ResendInvitation>(&[("member_id", s(w.invited_a))])),
        ),
        (
            "resend_invitation (team C)",
            Box::new(move |_| form::<members::ResendInvitation>(&[("member_id", s(w.outsider))])),
        ),
        (
            "resend_invitations (team B)",
            Box::new(move |_| {
                json_call::<members::ResendInvitations>(json!({ "member_ids": [w.invited_b] }))
            }),
        ),
        (
            "set_member_permission (team A)",
            Box::new(move |_| {
                form::<members::SetMemberPermission>(&[
                    ("member_id", s(w.plain_member)),
                    ("permission", "member".into()),
                ])
            }),
        ),
        (
            "set_manager_scope",
            Box::new(move |_| {
                json_call::<members::SetManagerScope>(
                    json!({ "member_id": w.manager_a, "teams": [w.team_a], "regions": [] }),
                )
            }),
        ),
        (
            "change_password (wrong current)",
            Box::new(|_| {
                form::<passwords::ChangePassword>(&[
                    ("current_password", "not it at all".into()),
                    ("password", "another long passphrase".into()),
                    ("password_confirmation", "another long passphrase".into()),
                ])
            }),
        ),
        (
            "send_password_reset (team A)",
            Box::new(move |_| form::<passwords::SendPasswordReset>(&[("member_id", s(w.target))])),
        ),
        (
            "request_password_reset (public)",
            Box::new(|r| {
                form::<passwords::RequestPasswordReset>(&[(
                    "email",
                    format!("nobody{r}@acme.example"),
                )])
            }),
        ),
        (
            "password_reset (public, bad link)",
            Box::new(|_| form::<passwords::PasswordReset>(&[("token", "nothing".into())])),
        ),
        (
            "invitation (public, bad link)",
            Box::new(|_| form::<invitations::Invitation>(&[("token", "nothing".into())])),
        ),
        (
            "load_report (organization)",
            Box::new(|_| form::<reports::LoadReport>(&[("scope", "organization".into())])),
        ),
        (
            "load_report (region R)",
            Box::new(move |_| {
                form::<reports::LoadReport>(&[("scope", format!("region:{}", w.region_r))])
            }),
        ),
        (
            "load_report (team C)",
            Box::new(move |_| {
                form::<reports::LoadReport>(&[("scope", format!("team:{}", w.team_c))])
            }),
        ),
        (
            "report_csv (team A)",
            Box::new(move |_| {
                form::<reports::ReportCsv>(&[
                    ("scope", format!("team:{}", w.team_a)),
                    ("kind", "summary".into()),
                ])
            }),
        ),
        (
            "export_members",
            Box::new({
                let f = none_filter.clone();
                move |_| json_call::<roster::ExportMembers>(json!({ "filter": f, "format": "csv" }))
            }),
        ),
        ("load_roster", Box::new(|_| form::<roster::LoadRoster>(&[]))),
        (
            "start_roster_apply",
            Box::new(|_| form::<roster::StartRosterApply>(&[])),
        ),
        (
            "send_roster_rows (unknown key)",
            Box::new(|_| {
                json_call::<roster::SendRosterRows>(
                    json!({ "progress_key": "00000000-0000-0000-0000-000000000000", "part": 0, "rows": [] }),
                )
            }),
        ),
        (
            "apply_roster (unknown key)",
            Box::new(move |_| {
                json_call::<roster::ApplyRoster>(
                    json!({ "file": file, "progress_key": "00000000-0000-0000-0000-000000000000", "sent_rows": 0 }),
                )
            }),
        ),
        (
            "roster_apply_progress",
            Box::new(|_| {
                form::<roster::RosterApplyProgress>(&[(
                    "progress_key",
                    "00000000-0000-0000-0000-000000000000".into(),
                )])
            }),
        ),
        (
            "undo_roster (none)",
            Box::new(|_| form::<roster::UndoRoster>(&[("change_id", "0".into())])),
        ),
        ("load_seats", Box::new(|_| form::<seats::LoadSeats>(&[]))),
        (
            "request_seats",
            Box::new(|_| {
                form::<seats::RequestSeats>(&[
                    ("kind", "enable".into()),
                    ("seats", "5".into()),
                    ("note", String::new()),
                ])
            }),
        ),
        (
            "set_member_seat (team A)",
            Box::new(move |_| {
                json_call::<seats::SetMemberSeat>(
                    json!({ "member_id": w.target, "kind": "Opportunity", "hold": true }),
                )
            }),
        ),
        (
            "preview_free_licenses (team A)",
            Box::new(move |_| {
                json_call::<seats::PreviewFreeLicenses>(json!({ "member_ids": [w.target] }))
            }),
        ),
        (
            "free_unused_licenses (team C)",
            Box::new(move |_| {
                json_call::<seats::FreeUnusedLicenses>(json!({ "member_ids": [w.outsider] }))
            }),
        ),
        ("load_teams", Box::new(|_| form::<teams::LoadTeams>(&[]))),
        (
            "create_region",
            Box::new(|r| form::<teams::CreateRegion>(&[("name", format!("New {r}"))])),
        ),
        (
            "rename_region",
            Box::new(move |r| {
                form::<teams::RenameRegion>(&[
                    ("id", s(w.temp_region)),
                    ("name", format!("Temp {r}")),
                ])
            }),
        ),
        (
            "create_team",
            Box::new(move |r| {
                form::<teams::CreateTeam>(&[
                    ("region_id", s(w.temp_region)),
                    ("name", format!("New {r}")),
                ])
            }),
        ),
        (
            "rename_team",
            Box::new(move |r| {
                form::<teams::RenameTeam>(&[("id", s(w.temp_team)), ("name", format!("Temp T{r}"))])
            }),
        ),
        (
            "delete_team",
            Box::new(move |_| form::<teams::DeleteTeam>(&[("id", s(w.temp_team))])),
        ),
        (
            "delete_region (empty)",
            Box::new(move |_| form::<teams::DeleteRegion>(&[("id", s(w.empty_region))])),
        ),
        (
            "assign_team (team A member)",
            Box::new(move |_| {
                json_call::<teams::AssignTeam>(
                    json!({ "member_ids": [w.plain_member], "team_id": w.team_a }),
                )
            }),
        ),
        (
            "set_managers_may_invite",
            Box::new(|_| form::<teams::SetManagersMayInvite>(&[("allowed", "true".into())])),
        ),
        (
            "load_licenses",
            Box::new(|_| {
                json_call::<licenses::LoadLicenses>(
                    json!({ "as_of": "", "filter": { "seat": "", "event": "", "from": "", "to": "" } }),
                )
            }),
        ),
        (
            "export_licenses",
            Box::new(|_| {
                json_call::<licenses::ExportLicenses>(json!({
                    "as_of": "", "format": "csv",
                    "filter": { "seat": "", "event": "", "from": "", "to": "" }
                }))
            }),
        ),
        (
            "member_license_history (team A)",
            Box::new(move |_| {
                form::<licenses::MemberLicenseHistory>(&[("member_id", s(w.target))])
            }),
        ),
        (
            "member_license_history (team C)",
            Box::new(move |_| {
                form::<licenses::MemberLicenseHistory>(&[("member_id", s(w.outsider))])
            }),
        ),
        (
            "load_seat_banner",
            Box::new(|_| form::<licenses::LoadSeatBanner>(&[])),
        ),
        (
            "schedule_deactivation (team A member)",
            Box::new(move |_| {
                json_call::<licenses::ScheduleDeactivation>(
                    json!({ "member_ids": [w.plain_member], "all_matching": null, "on": "" }),
                )
            }),
        ),
        (
            "load_invitation_settings",
            Box::new(|_| form::<licenses::LoadInvitationSettings>(&[])),
        ),
        (
            "save_invitation_settings",
            Box::new(|_| {
                form::<licenses::SaveInvitationSettings>(&[
                    ("reminder_days", "3,6".into()),
                    ("expired_seats", "release".into()),
                ])
            }),
        ),
        (
            "load_weekly_digest",
            Box::new(|_| form::<licenses::LoadWeeklyDigest>(&[])),
        ),
        (
            "set_weekly_digest",
            Box::new(|_| form::<licenses::SetWeeklyDigest>(&[("on", "true".into())])),
        ),
        (
            "load_identity",
            Box::new(|_| form::<identity::LoadIdentity>(&[])),
        ),
        (
            "save_seat_policy",
            Box::new(|_| form::<identity::SaveSeatPolicy>(&[("policy", "enable".into())])),
        ),
        (
            "set_group_grants (team A)",
            Box::new(move |_| {
                form::<identity::SetGroupGrants>(&[
                    ("team_id", s(w.team_a)),
                    ("enable", "on".into()),
                ])
            }),
        ),
        (
            "save_sso",
            Box::new(|_| {
                form::<sso::SaveSso>(&[
                    ("issuer", "https://idp.example".into()),
                    ("client_id", "roster".into()),
                    ("client_secret", "secret".into()),
                ])
            }),
        ),
        (
            "set_sso_policy",
            Box::new(|_| form::<sso::SetSsoPolicy>(&[])),
        ),
        (
            "add_sso_domain",
            Box::new(|r| form::<sso::AddSsoDomain>(&[("domain", format!("d{r}.example"))])),
        ),
        (
            "remove_sso_domain",
            Box::new(|r| form::<sso::RemoveSsoDomain>(&[("domain", format!("d{r}.example"))])),
        ),
        ("sso_test", Box::new(|_| form::<sso::SsoTest>(&[]))),
        (
            "sso_for_email (public)",
            Box::new(|_| form::<sso::SsoForEmail>(&[("email", "a@b.example".into())])),
        ),
        (
            "POST /scim/v2/Users",
            Box::new(|r| Call {
                path: "/scim/v2/Users".into(),
                body: Body::Json(json!({ "userName": format!("scim{r}@acme.example") })),
            }),
        ),
        (
            "POST /api/v1/progress (team A)",
            Box::new(|_| Call {
                path: "/api/v1/progress".into(),
                body: Body::Json(
                    json!({ "email": "target@acme.example", "program": "meddicc-go-live-plan", "progress": 5 }),
                ),
            }),
        ),
        (
            "GET /api/v1/openapi.json (public)",
            Box::new(|_| http("GET", "/api/v1/openapi.json".into(), None)),
        ),
        (
            "GET /api/v1/docs (public)",
            Box::new(|_| http("GET", "/api/v1/docs".into(), None)),
        ),
        (
            "GET /api/v1/members",
            Box::new(|_| http("GET", "/api/v1/members?status=active".into(), None)),
        ),
        (
            "POST /api/v1/members",
            Box::new(|r| {
                http(
                    "POST",
                    "/api/v1/members".into(),
                    Some(json!({
                        "email": format!("rest{r}@acme.example"), "first_name": "Rest", "last_name": "Person"
                    })),
                )
            }),
        ),
        (
            "GET /api/v1/members/{target}",
            Box::new(|_| http("GET", format!("/api/v1/members/{}", w.target), None)),
        ),
        (
            "PATCH /api/v1/members/{target}",
            Box::new(|r| {
                http(
                    "PATCH",
                    format!("/api/v1/members/{}", w.target),
                    Some(json!({ "job_title": format!("Title {r}") })),
                )
            }),
        ),
        (
            "POST /api/v1/members/{id}/deactivate",
            Box::new(|_| {
                http(
                    "POST",
                    format!("/api/v1/members/{}/deactivate", w.rest_deactivate),
                    None,
                )
            }),
        ),
        (
            "POST /api/v1/members/{id}/reactivate",
            Box::new(|_| {
                http(
                    "POST",
                    format!("/api/v1/members/{}/reactivate", w.rest_reactivate),
                    None,
                )
            }),
        ),
        (
            "GET /api/v1/members/{target}/enrollments",
            Box::new(|_| {
                http(
                    "GET",
                    format!("/api/v1/members/{}/enrollments", w.target),
                    None,
                )
            }),
        ),
        (
            "GET /api/v1/programs",
            Box::new(|_| http("GET", "/api/v1/programs".into(), None)),
        ),
        (
            "GET /api/v1/regions",
            Box::new(|_| http("GET", "/api/v1/regions".into(), None)),
        ),
        (
            "GET /api/v1/seats",
            Box::new(|_| http("GET", "/api/v1/seats".into(), None)),
        ),
        (
            "POST /api/v1/seats/requests",
            Box::new(|_| {
                http(
                    "POST",
                    "/api/v1/seats/requests".into(),
                    Some(json!({ "seat": "enable", "seats": 2 })),
                )
            }),
        ),
        (
            "GET /api/v1/activity",
            Box::new(|_| http("GET", "/api/v1/activity".into(), None)),
        ),
        (
            "GET /api/v1/activity/export",
            Box::new(|_| http("GET", "/api/v1/activity/export?format=jsonl".into(), None)),
        ),
    ]
}

/// What a response says, as the table writes it: `ok`, or the status.
fn outcome(status: reqwest::StatusCode) -> String {
    if status.is_success() || status.is_redirection() {
        "ok".into()
    } else {
        status.as_u16().to_string()
    }
}

/// The expected table: endpoint → the outcome per role, read from docs/ACCESS.md.
fn expected() -> BTreeMap<String, Vec<String>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/ACCESS.md");
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<String> = l
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().trim_matches('`').to_owned())
                .collect();
            (cells[0].clone(), cells[1..].to_vec())
        })
        .collect()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_role_may_do_what_the_table_says_and_nothing_else(pool: PgPool) {
    let app = spawn_app(pool).await;
    let w = world(&app).await;
    // A client per role; members sign in from addresses of their own.
    let mut clients = Vec::new();
    for (i, role) in ROLES.iter().enumerate() {
        let client = browser_from(&format!("127.0.9.{}", i + 1));
        let email = match *role {
            "admin" => Some("admin@acme.example"),
            "manager of team A" => Some("mgr.a@acme.example"),
            "manager of region R" => Some("mgr.r@acme.example"),
            "member" => Some("member@acme.example"),
            "other org's admin" => Some("admin@globex.example"),
            _ => None,
        };
        if let Some(email) = email {
            app.sign_in(&client, email, PASSWORD).await.unwrap();
        }
        clients.push((client, w.keys.get(role).cloned()));
    }
    let expected = expected();
    let mut observed = BTreeMap::new();
    let mut differences = Vec::new();
    let list = endpoints(&w);
    for (name, call) in &list {
        let mut row = Vec::new();
        // Administrators last: what they change cannot decide what the others get.
        let order: Vec<usize> = (1..ROLES.len()).chain([0]).collect();
        let mut cells = vec![String::new(); ROLES.len()];
        for r in order {
            let Call { path, body } = call(r);
            let (client, key) = &clients[r];
            let method = match &body {
                Body::Http(method, _) => method.parse().unwrap(),
                _ => reqwest::Method::POST,
            };
            let mut request = client
                .request(method, app.url(&path))
                .header("Accept", "application/json");
            if let Some(key) = key {
                request = request.bearer_auth(key);
            }
            request = match body {
                Body::Form(fields) => request.form(&fields),
                Body::Json(value) => request.json(&value),
                Body::Http(_, Some(value)) => request.json(&value),
                Body::Http(_, None) => request,
            };
            let response = request.send().await.unwrap();
            cells[r] = outcome(response.status());
        }
        row.extend(cells.iter().cloned());
        match expected.get(*name) {
            None => differences.push(format!("{name}: not in docs/ACCESS.md")),
            Some(want) => {
                for (i, role) in ROLES.iter().enumerate() {
                    if want.get(i) != Some(&cells[i]) {
                        differences.push(format!(
                            "{name}, {role}: the table says {}, the server answered {}",
                            want.get(i).map_or("nothing", String::as_str),
                            cells[i]
                        ));
                    }
                }
            }
        }
        observed.insert(*name, row);
    }
    for name in expected.keys() {
        if !list.iter().any(|(n, _)| n == name) {
            differences.push(format!("{name}: in docs/ACCESS.md but not called"));
        }
    }
    if std::env::var_os("ROSTER_ACCESS_PRINT").is_some() {
        for (name, _) in &list {
            println!("| `{name}` | {} |", observed[name].join(" | "));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

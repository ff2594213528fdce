//! The database holds SPEC §1's invariants itself: each test tries to break one.

use sqlx::PgPool;

async fn org(pool: &PgPool, enable: i32, opportunity: i32) -> i64 {
    sqlx::query_scalar("INSERT INTO organizations (name, enable_seats, opportunity_seats) VALUES ('Org', $1, $2) RETURNING id")
        .bind(enable)
        .bind(opportunity)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn member(pool: &PgPool, org: i64, email: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO members (organization_id, first_name, last_name, email, permission) VALUES ($1, 'A', 'B', $2, 'member') RETURNING id",
    )
    .bind(org)
    .bind(email)
    .fetch_one(pool)
    .await
}

async fn exec(pool: &PgPool, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::query(sql).execute(pool).await.map(|_| ())
}

/// The name of the constraint a statement broke.
fn constraint(result: Result<impl std::fmt::Debug, sqlx::Error>) -> String {
    let error = result.expect_err("the statement should have been refused");
    error
        .as_database_error()
        .and_then(|e| e.constraint().map(str::to_owned))
        .unwrap_or_else(|| panic!("not a constraint violation: {error}"))
}

async fn seats_held(pool: &PgPool, org: i64) -> (i32, i32) {
    sqlx::query_as(
        "SELECT enable_seats_held, opportunity_seats_held FROM organizations WHERE id = $1",
    )
    .bind(org)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn one_email_per_organization_case_insensitively(pool: PgPool) {
    let a = org(&pool, 0, 0).await;
    let b = org(&pool, 0, 0).await;
    member(&pool, a, "Ana@Example.com").await.unwrap();
    assert_eq!(
        constraint(member(&pool, a, "ana@example.COM").await),
        "members_email_unique_per_organization"
    );
    // Another organization may have the same person.
    member(&pool, b, "ana@example.com").await.unwrap();
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn emails_are_stored_trimmed_and_well_formed(pool: PgPool) {
    let a = org(&pool, 0, 0).await;
    assert_eq!(
        constraint(member(&pool, a, " ana@example.com").await),
        "members_email_valid"
    );
    assert_eq!(
        constraint(member(&pool, a, "not-an-address").await),
        "members_email_valid"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn one_external_id_per_organization_in_the_ext_format(pool: PgPool) {
    let a = org(&pool, 0, 0).await;
    let b = org(&pool, 0, 0).await;
    let m1 = member(&pool, a, "a@example.com").await.unwrap();
    let m2 = member(&pool, a, "b@example.com").await.unwrap();
    let m3 = member(&pool, b, "c@example.com").await.unwrap();
    exec(
        &pool,
        &format!("UPDATE members SET external_id = 'EXT00001' WHERE id = {m1}"),
    )
    .await
    .unwrap();
    assert_eq!(
        constraint(
            exec(
                &pool,
                &format!("UPDATE members SET external_id = 'EXT00001' WHERE id = {m2}")
            )
            .await
        ),
        "members_external_id_unique_per_organization"
    );
    exec(
        &pool,
        &format!("UPDATE members SET external_id = 'EXT00001' WHERE id = {m3}"),
    )
    .await
    .unwrap();
    assert_eq!(
        constraint(
            exec(
                &pool,
                &format!("UPDATE members SET external_id = 'ext00002' WHERE id = {m2}")
            )
            .await
        ),
        "members_external_id_format"
    );
    // Members without one are many.
    member(&pool, a, "d@example.com").await.unwrap();
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn names_titles_statuses_and_permissions_are_checked(pool: PgPool) {
    let a = org(&pool, 0, 0).await;
    let m = member(&pool, a, "a@example.com").await.unwrap();
    let long = "x".repeat(101);
    for (sql, name) in [
        (
            format!("UPDATE members SET first_name = '{long}' WHERE id = {m}"),
            "members_first_name_valid",
        ),
        (
            format!("UPDATE members SET last_name = '' WHERE id = {m}"),
            "members_last_name_valid",
        ),
        (
            format!("UPDATE members SET first_name = ' Ana' WHERE id = {m}"),
            "members_first_name_valid",
        ),
        (
            format!(
                "UPDATE members SET job_title = '{}' WHERE id = {m}",
                "y".repeat(151)
            ),
            "members_job_title_valid",
        ),
        (
            format!("UPDATE members SET status = 'archived' WHERE id = {m}"),
            "members_status_valid",
        ),
        (
            format!("UPDATE members SET permission = 'owner' WHERE id = {m}"),
            "members_permission_valid",
        ),
        // Active needs a password; invited has none.
        (
            format!("UPDATE members SET status = 'active' WHERE id = {m}"),
            "members_active_has_password",
        ),
        (
            format!("UPDATE members SET password_hash = 'x' WHERE id = {m}"),
            "members_invited_has_no_password",
        ),
    ] {
        assert_eq!(constraint(exec(&pool, &sql).await), name, "{sql}");
    }
    // A multi-byte name of 100 characters is fine.
    exec(
        &pool,
        &format!(
            "UPDATE members SET first_name = '{}' WHERE id = {m}",
            "é".repeat(100)
        ),
    )
    .await
    .unwrap();
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn seats_held_never_exceed_seats_bought(pool: PgPool) {
    let a = org(&pool, 2, 1).await;
    let m1 = member(&pool, a, "a@example.com").await.unwrap();
    let m2 = member(&pool, a, "b@example.com").await.unwrap();
    let m3 = member(&pool, a, "c@example.com").await.unwrap();
    exec(
        &pool,
        &format!("UPDATE members SET enable_seat = true, opportunity_seat = true WHERE id = {m1}"),
    )
    .await
    .unwrap();
    exec(
        &pool,
        &format!("UPDATE members SET enable_seat = true WHERE id = {m2}"),
    )
    .await
    .unwrap();
    assert_eq!(seats_held(&pool, a).await, (2, 1));
    assert_eq!(
        constraint(
            exec(
                &pool,
                &format!("UPDATE members SET enable_seat = true WHERE id = {m3}")
            )
            .await
        ),
        "organizations_enable_seats_within_bought"
    );
    assert_eq!(
        constraint(
            exec(
                &pool,
                &format!("UPDATE members SET opportunity_seat = true WHERE id = {m3}")
            )
            .await
        ),
        "organizations_opportunity_seats_within_bought"
    );
    // A bulk insert asking for more than is free is refused as a whole.
    assert_eq!(
        constraint(
            exec(
                &pool,
                &format!(
                    "INSERT INTO members (organization_id, first_name, last_name, email, permission, enable_seat)
                     SELECT {a}, 'N', 'M', 'bulk' || n || '@example.com', 'member', true FROM generate_series(1, 3) n"
                )
            )
            .await
        ),
        "organizations_enable_seats_within_bought"
    );
    // Seats bought cannot drop under seats held.
    assert_eq!(
        constraint(
            exec(
                &pool,
                &format!("UPDATE organizations SET enable_seats = 1 WHERE id = {a}")
            )
            .await
        ),
        "organizations_enable_seats_within_bought"
    );
    // Releasing a seat returns it; deleting a member with a seat returns it too.
    exec(
        &pool,
        &format!("UPDATE members SET enable_seat = false WHERE id = {m2}"),
    )
    .await
    .unwrap();
    exec(&pool, &format!("DELETE FROM members WHERE id = {m1}"))
        .await
        .unwrap();
    assert_eq!(seats_held(&pool, a).await, (0, 0));
    assert_eq!(
        constraint(exec(&pool, "UPDATE organizations SET enable_seats = -1").await),
        "organizations_enable_seats_nonnegative"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn concurrent_grants_never_exceed_free_seats(pool: PgPool) {
    // 20 simultaneous transactions each insert a member with an Enable seat; 5 are free.
    let a = org(&pool, 5, 0).await;
    let tasks: Vec<_> = (0..20)
        .map(|n| {
            let pool = pool.clone();
            tokio::spawn(async move {
                sqlx::query(
                    "INSERT INTO members (organization_id, first_name, last_name, email, permission, enable_seat)
                     VALUES ($1, 'R', 'Ace', $2, 'member', true)",
                )
                .bind(a)
                .bind(format!("racer{n}@example.com"))
                .execute(&pool)
                .await
            })
        })
        .collect();
    let mut granted = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => granted += 1,
            Err(e) => assert_eq!(
                e.as_database_error().and_then(|d| d.constraint()),
                Some("organizations_enable_seats_within_bought")
            ),
        }
    }
    assert_eq!(granted, 5);
    assert_eq!(seats_held(&pool, a).await, (5, 0));
    let holders: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM members WHERE organization_id = $1 AND enable_seat",
    )
    .bind(a)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(holders, 5);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn programs_need_an_enable_seat_and_progress_stays_in_range(pool: PgPool) {
    let a = org(&pool, 1, 0).await;
    let m = member(&pool, a, "a@example.com").await.unwrap();
    assert_eq!(
        constraint(
            exec(
                &pool,
                &format!("INSERT INTO enrollments (member_id, program_id) VALUES ({m}, 1)")
            )
            .await
        ),
        "enrollments_need_enable_seat"
    );
    exec(
        &pool,
        &format!("UPDATE members SET enable_seat = true WHERE id = {m}"),
    )
    .await
    .unwrap();
    exec(
        &pool,
        &format!("INSERT INTO enrollments (member_id, program_id) VALUES ({m}, 1)"),
    )
    .await
    .unwrap();
    for bad in [-1, 10_001] {
        assert_eq!(
            constraint(exec(&pool, &format!("UPDATE enrollments SET progress_basis_points = {bad} WHERE member_id = {m}")).await),
            "enrollments_progress_range"
        );
    }
    exec(
        &pool,
        &format!("UPDATE enrollments SET progress_basis_points = 10000 WHERE member_id = {m}"),
    )
    .await
    .unwrap();
    // The seat cannot go while programs remain; in one transaction with them it can.
    assert_eq!(
        constraint(
            exec(
                &pool,
                &format!("UPDATE members SET enable_seat = false WHERE id = {m}")
            )
            .await
        ),
        "enrollments_need_enable_seat"
    );
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("DELETE FROM enrollments WHERE member_id = $1")
        .bind(m)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("UPDATE members SET enable_seat = false WHERE id = $1")
        .bind(m)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        constraint(
            exec(
                &pool,
                &format!("INSERT INTO enrollments (member_id, program_id) VALUES ({m}, 99)")
            )
            .await
        ),
        "enrollments_program_id_fkey"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_catalog_is_the_domain_catalog(pool: PgPool) {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT slug, name FROM programs ORDER BY position")
            .fetch_all(&pool)
            .await
            .unwrap();
    let domain: Vec<(String, String)> = app::domain::Program::ALL
        .iter()
        .map(|p| (p.slug().to_owned(), p.name().to_owned()))
        .collect();
    assert_eq!(rows, domain);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn teams_are_unique_per_region_and_stay_in_their_tenant(pool: PgPool) {
    let a = org(&pool, 0, 0).await;
    let b = org(&pool, 0, 0).await;
    let region = |o: i64, name: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "INSERT INTO regions (organization_id, name) VALUES ($1, $2) RETURNING id",
            )
            .bind(o)
            .bind(name)
            .fetch_one(&pool)
            .await
        }
    };
    let team = |o: i64, r: i64, name: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("INSERT INTO teams (organization_id, region_id, name) VALUES ($1, $2, $3) RETURNING id")
                .bind(o)
                .bind(r)
                .bind(name)
                .fetch_one(&pool)
                .await
        }
    };
    let emea = region(a, "EMEA").await.unwrap();
    assert_eq!(
        constraint(region(a, "emea").await),
        "regions_name_unique_per_organization"
    );
    let americas = region(a, "Americas").await.unwrap();
    let london = team(a, emea, "London").await.unwrap();
    assert_eq!(
        constraint(team(a, emea, "LONDON").await),
        "teams_name_unique_per_region"
    );
    team(a, americas, "London").await.unwrap(); // another region may have a London
                                                // A team cannot sit in another organization's region.
    assert_eq!(constraint(team(b, emea, "Paris").await), "teams_region_fk");
    // A member cannot join another organization's team.
    let stranger = member(&pool, b, "s@example.com").await.unwrap();
    assert_eq!(
        constraint(
            exec(
                &pool,
                &format!("UPDATE members SET team_id = {london} WHERE id = {stranger}")
            )
            .await
        ),
        "members_team_fk"
    );
    // Deleting a team unassigns its members; a region with teams cannot be deleted.
    let m = member(&pool, a, "m@example.com").await.unwrap();
    exec(
        &pool,
        &format!("UPDATE members SET team_id = {london} WHERE id = {m}"),
    )
    .await
    .unwrap();
    assert_eq!(
        constraint(exec(&pool, &format!("DELETE FROM regions WHERE id = {emea}")).await),
        "teams_region_fk"
    );
    exec(&pool, &format!("DELETE FROM teams WHERE id = {london}"))
        .await
        .unwrap();
    let team_now: Option<i64> = sqlx::query_scalar("SELECT team_id FROM members WHERE id = $1")
        .bind(m)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(team_now, None);
    exec(&pool, &format!("DELETE FROM regions WHERE id = {emea}"))
        .await
        .unwrap();
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn tokens_are_stored_as_unique_digests(pool: PgPool) {
    let a = org(&pool, 0, 0).await;
    let m1 = member(&pool, a, "a@example.com").await.unwrap();
    let m2 = member(&pool, a, "b@example.com").await.unwrap();
    let invite = |m: i64, hash: Vec<u8>| {
        let pool = pool.clone();
        async move {
            sqlx::query("INSERT INTO invitations (member_id, token_hash, expires_at) VALUES ($1, $2, now() + interval '7 days')")
                .bind(m)
                .bind(hash)
                .execute(&pool)
                .await
        }
    };
    assert_eq!(
        constraint(invite(m1, vec![1; 16]).await),
        "invitations_token_hash_length"
    );
    invite(m1, vec![1; 32]).await.unwrap();
    assert_eq!(
        constraint(invite(m2, vec![1; 32]).await),
        "invitations_token_hash_key"
    );
    assert_eq!(
        constraint(invite(m1, vec![2; 32]).await),
        "invitations_pkey"
    );
    assert_eq!(
        constraint(
            sqlx::query(
                "INSERT INTO sessions (token_hash, member_id, expires_at) VALUES ($1, $2, now())"
            )
            .bind(vec![0u8; 31])
            .bind(m1)
            .execute(&pool)
            .await
        ),
        "sessions_token_hash_length"
    );
}

/// The activity log's and the mail outbox's keys, checked once per statement (migration
/// 33, issue 25): a row naming no parent is refused under the key's
/// name, even among rows that name one; a row cannot move to another parent; a parent
/// cannot go while a transaction writes about it; deleting it takes the rows along.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn history_and_mail_name_parents_that_exist(pool: PgPool) {
    let a = org(&pool, 0, 0).await;
    let b = org(&pool, 0, 0).await;
    let log = |org: i64| {
        format!("INSERT INTO audit_log (organization_id, actor_label, action) VALUES ({org}, 'test', 'test')")
    };
    let mail = |org: i64| {
        format!("INSERT INTO email_outbox (organization_id, kind, to_address, payload) VALUES ({org}, 'digest', 'a@b.example', '{{}}')")
    };
    assert_eq!(
        constraint(exec(&pool, &format!("{}, (-1, 'test', 'test')", log(a))).await),
        "audit_log_organization_id_fkey"
    );
    assert_eq!(
        constraint(exec(&pool, &mail(-1)).await),
        "email_outbox_organization_id_fkey"
    );
    exec(&pool, &log(a)).await.unwrap();
    exec(&pool, &mail(a)).await.unwrap();
    assert_eq!(
        constraint(
            exec(
                &pool,
                &format!("UPDATE audit_log SET organization_id = {b}")
            )
            .await
        ),
        "audit_log_organization_id_fkey"
    );
    assert_eq!(
        constraint(
            exec(
                &pool,
                &format!("UPDATE email_outbox SET organization_id = {b}")
            )
            .await
        ),
        "email_outbox_organization_id_fkey"
    );
    // Other updates go on as before (the outbox's rows are updated as mail goes).
    exec(&pool, "UPDATE email_outbox SET attempts = attempts + 1")
        .await
        .unwrap();
    let count = |sql: String| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(&sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    // While a transaction writes about b, b cannot be deleted; once it ends, b goes and
    // takes its log and mail along.
    let mut writing = pool.begin().await.unwrap();
    sqlx::query(&log(b)).execute(&mut *writing).await.unwrap();
    sqlx::query(&mail(b)).execute(&mut *writing).await.unwrap();
    let mut deleting = pool.begin().await.unwrap();
    sqlx::query("SET LOCAL lock_timeout = '300ms'")
        .execute(&mut *deleting)
        .await
        .unwrap();
    let blocked = sqlx::query(&format!("DELETE FROM organizations WHERE id = {b}"))
        .execute(&mut *deleting)
        .await
        .expect_err("the organization is locked by the writing transaction");
    assert_eq!(
        blocked
            .as_database_error()
            .and_then(|e| e.code())
            .as_deref(),
        Some("55P03"),
        "{blocked}"
    );
    drop(deleting);
    writing.commit().await.unwrap();
    for org in [a, b] {
        exec(
            &pool,
            &format!("DELETE FROM organizations WHERE id = {org}"),
        )
        .await
        .unwrap();
        assert_eq!(
            count(format!(
                "SELECT count(*) FROM audit_log WHERE organization_id = {org}"
            ))
            .await,
            0
        );
        assert_eq!(
            count(format!(
                "SELECT count(*) FROM email_outbox WHERE organization_id = {org}"
            ))
            .await,
            0
        );
    }
}

/// An enrollment's program, checked once per statement (migration 34): a program that
/// enrollments name can be neither deleted nor renumbered, and an enrollment's program is
/// fixed (a bad program on insert is refused above, in
/// `programs_need_an_enable_seat_and_progress_stays_in_range`).
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_program_stays_while_enrollments_name_it(pool: PgPool) {
    let a = org(&pool, 1, 0).await;
    let m = member(&pool, a, "ana@example.com").await.unwrap();
    exec(
        &pool,
        &format!("UPDATE members SET enable_seat = true WHERE id = {m}"),
    )
    .await
    .unwrap();
    exec(
        &pool,
        &format!("INSERT INTO enrollments (member_id, program_id) VALUES ({m}, 1), ({m}, 2)"),
    )
    .await
    .unwrap();
    for refused in [
        "DELETE FROM programs WHERE id = 1",
        "UPDATE programs SET id = 77 WHERE id = 1",
        "UPDATE enrollments SET program_id = 3 WHERE program_id = 2",
    ] {
        assert_eq!(
            constraint(exec(&pool, refused).await),
            "enrollments_program_id_fkey",
            "{refused}"
        );
    }
    // What does not touch the key goes on.
    exec(
        &pool,
        "UPDATE programs SET id = id, name = name WHERE id = 1",
    )
    .await
    .unwrap();
    exec(
        &pool,
        "UPDATE enrollments SET progress_basis_points = 500 WHERE program_id = 1",
    )
    .await
    .unwrap();
}

/// An invitation's member, checked once per statement (migration 35): an invitation
/// naming no member is refused under the key's name, even among invitations that name
/// one; an invitation cannot move to another member; a member cannot be renumbered while
/// invited, nor deleted while a transaction invites them; deleting a member (with their
/// organization) takes their invitation and its links along.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_invitation_names_a_member_that_exists(pool: PgPool) {
    let a = org(&pool, 0, 0).await;
    let m1 = member(&pool, a, "a@example.com").await.unwrap();
    let m2 = member(&pool, a, "b@example.com").await.unwrap();
    let invite = |rows: &[(i64, u8)]| {
        let values: Vec<String> = rows
            .iter()
            .map(|(m, h)| {
                format!("({m}, decode(repeat('{h:02x}', 32), 'hex'), now() + interval '7 days')")
            })
            .collect();
        format!(
            "INSERT INTO invitations (member_id, token_hash, expires_at) VALUES {}",
            values.join(", ")
        )
    };
    assert_eq!(
        constraint(exec(&pool, &invite(&[(m1, 1), (-1, 2)])).await),
        "invitations_member_id_fkey"
    );
    exec(&pool, &invite(&[(m1, 1)])).await.unwrap();
    exec(
        &pool,
        &format!("INSERT INTO invitation_links (member_id, token_hash) VALUES ({m1}, decode(repeat('07', 32), 'hex'))"),
    )
    .await
    .unwrap();
    for refused in [
        format!("UPDATE invitations SET member_id = {m2} WHERE member_id = {m1}"),
        // The identity column takes no value but its next one.
        format!("UPDATE members SET id = DEFAULT WHERE id = {m1}"),
    ] {
        assert_eq!(
            constraint(exec(&pool, &refused).await),
            "invitations_member_id_fkey",
            "{refused}"
        );
    }
    // What does not touch the key goes on: a resend, a member's other fields.
    exec(
        &pool,
        &format!(
            "{} ON CONFLICT (member_id) DO UPDATE SET token_hash = EXCLUDED.token_hash",
            invite(&[(m1, 3)])
        ),
    )
    .await
    .unwrap();
    exec(
        &pool,
        &format!("UPDATE members SET job_title = 'Lead' WHERE id = {m1}"),
    )
    .await
    .unwrap();
    // While a transaction invites m2, m2 cannot be deleted.
    let mut writing = pool.begin().await.unwrap();
    sqlx::query(&invite(&[(m2, 4)]))
        .execute(&mut *writing)
        .await
        .unwrap();
    let mut deleting = pool.begin().await.unwrap();
    sqlx::query("SET LOCAL lock_timeout = '300ms'")
        .execute(&mut *deleting)
        .await
        .unwrap();
    let blocked = sqlx::query(&format!("DELETE FROM members WHERE id = {m2}"))
        .execute(&mut *deleting)
        .await
        .expect_err("the member is locked by the inviting transaction");
    assert_eq!(
        blocked
            .as_database_error()
            .and_then(|e| e.code())
            .as_deref(),
        Some("55P03"),
        "{blocked}"
    );
    drop(deleting);
    writing.commit().await.unwrap();
    exec(&pool, &format!("DELETE FROM organizations WHERE id = {a}"))
        .await
        .unwrap();
    for table in ["invitations", "invitation_links"] {
        let left: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM {table} WHERE member_id IN ({m1}, {m2})"
        ))
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(left, 0, "{table}");
    }
}

/// Waits until a statement of this database waits on a lock: the deletion below has reached
/// the writer's lock on its parent.
async fn until_one_waits_on_a_lock(pool: &PgPool) {
    for _ in 0..500 {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        if waiting > 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("no statement came to wait on a lock");
}

/// A parent's deletion that waits for a writer of its children (the keys of migrations
/// 33–35): once the writer commits, the deletion takes the children the writer wrote
/// along, or is refused where the children keep their parent (a program). The triggers
/// that do it run BEFORE the parent's row is deleted, yet see the writer's rows: PostgreSQL
/// locks the row before it runs a BEFORE ROW trigger, so the deletion waits on the
/// writer's FOR KEY SHARE lock first, and the trigger's statements, in READ COMMITTED,
/// see what the writer committed. This keeps it so.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn children_go_with_their_parent_even_when_written_meanwhile(pool: PgPool) {
    let a = org(&pool, 1, 0).await;
    let b = org(&pool, 0, 0).await;
    let m = member(&pool, a, "ana@example.com").await.unwrap();
    let enrolled = member(&pool, a, "ben@example.com").await.unwrap();
    exec(
        &pool,
        &format!("UPDATE members SET enable_seat = true WHERE id = {enrolled}"),
    )
    .await
    .unwrap();
    let program: i64 = sqlx::query_scalar(
        "INSERT INTO programs (id, slug, name, position) VALUES (99, 'extra', 'Extra', 99) RETURNING id::bigint",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    // (what the writer writes, what is deleted meanwhile, what must be left after both)
    let cases = [
        (
            format!("INSERT INTO invitations (member_id, token_hash, expires_at) VALUES ({m}, decode(repeat('01', 32), 'hex'), now() + interval '7 days')"),
            format!("DELETE FROM members WHERE id = {m}"),
            format!("SELECT count(*) FROM invitations WHERE member_id = {m}"),
        ),
        (
            format!("INSERT INTO audit_log (organization_id, actor_label, action) VALUES ({b}, 'test', 'test')"),
            format!("DELETE FROM organizations WHERE id = {b}"),
            format!("SELECT count(*) FROM audit_log WHERE organization_id = {b}"),
        ),
    ];
    for (write, delete, left) in cases {
        deleted_while_written(&pool, &write, delete).await.unwrap();
        let count: i64 = sqlx::query_scalar(&left).fetch_one(&pool).await.unwrap();
        assert_eq!(count, 0, "{left}");
    }
    // A program enrolled in meanwhile stays.
    let enroll =
        format!("INSERT INTO enrollments (member_id, program_id) VALUES ({enrolled}, {program})");
    let delete = format!("DELETE FROM programs WHERE id = {program}");
    assert_eq!(
        constraint(deleted_while_written(&pool, &enroll, delete).await),
        "enrollments_program_id_fkey"
    );
}

/// Runs `delete` while a transaction that ran `write` is open, lets it reach that
/// transaction's lock, commits the writer, and answers what the deletion came to.
async fn deleted_while_written(
    pool: &PgPool,
    write: &str,
    delete: String,
) -> Result<(), sqlx::Error> {
    let mut writing = pool.begin().await.unwrap();
    sqlx::query(write).execute(&mut *writing).await.unwrap();
    let deleting = tokio::spawn({
        let pool = pool.clone();
        async move { exec(&pool, &delete).await }
    });
    until_one_waits_on_a_lock(pool).await;
    writing.commit().await.unwrap();
    deleting.await.unwrap()
}

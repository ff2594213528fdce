//! The demo organization of a first development run: an administrator, about twenty
//! members in every status, two regions with teams, and some progress.

use app::domain::{Email, OrganizationName, PersonName};
use app::server::crypto::hash_password;
use app::server::organizations::{self, NewOrganization};
use sqlx::PgPool;

pub const ADMIN_EMAIL: &str = "admin@northwind.example";
pub const MEMBER_EMAIL: &str = "ava.hughes@northwind.example";
/// Development only: printed at start-up so a person can sign in at once.
pub const PASSWORD: &str = "northwind-demo";

/// (first, last, job title, status, enable, opportunity, team index, progress per program)
type DemoMember = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    bool,
    Option<usize>,
    &'static [(i16, i32)],
);

const MEMBERS: &[DemoMember] = &[
    (
        "Ava",
        "Hughes",
        "Account Executive",
        "active",
        true,
        true,
        Some(0),
        &[(1, 4500), (4, 1200)],
    ),
    (
        "Liam",
        "Baker",
        "Account Executive",
        "active",
        true,
        false,
        Some(0),
        &[(1, 800)],
    ),
    (
        "Mia",
        "Schneider",
        "Sales Engineer",
        "active",
        true,
        true,
        Some(1),
        &[(3, 10000), (4, 6200)],
    ),
    (
        "Noah",
        "Weber",
        "Sales Development Rep",
        "active",
        true,
        false,
        Some(1),
        &[(2, 0)],
    ),
    (
        "Emma",
        "Rossi",
        "Regional Director",
        "active",
        true,
        true,
        Some(2),
        &[(1, 999), (2, 300)],
    ),
    (
        "Lucas",
        "Martin",
        "Account Manager",
        "active",
        true,
        false,
        Some(2),
        &[(5, 2750)],
    ),
    (
        "Olivia",
        "Garcia",
        "Account Executive",
        "active",
        true,
        true,
        Some(3),
        &[(6, 10000)],
    ),
    (
        "Ethan",
        "Nguyen",
        "Sales Engineer",
        "active",
        false,
        true,
        Some(3),
        &[],
    ),
    (
        "Sofia",
        "Kowalski",
        "Enablement Lead",
        "active",
        true,
        false,
        None,
        &[(1, 100)],
    ),
    (
        "James",
        "O'Connor",
        "Account Executive",
        "active",
        false,
        false,
        Some(0),
        &[],
    ),
    (
        "Chloé",
        "Dubois",
        "Customer Success",
        "active",
        true,
        false,
        Some(1),
        &[(3, 1500)],
    ),
    (
        "Zoë",
        "Lindqvist",
        "Sales Development Rep",
        "invited",
        true,
        false,
        Some(2),
        &[],
    ),
    (
        "Mateo",
        "Fernández",
        "Account Executive",
        "invited",
        true,
        true,
        Some(3),
        &[],
    ),
    (
        "Hannah",
        "Müller",
        "Solutions Consultant",
        "invited",
        false,
        false,
        Some(1),
        &[],
    ),
    (
        "Aarav",
        "Patel",
        "Account Manager",
        "invited",
        true,
        false,
        None,
        &[],
    ),
    (
        "Grace",
        "Kim",
        "Sales Development Rep",
        "invited",
        false,
        false,
        Some(0),
        &[],
    ),
    (
        "Oscar",
        "Jensen",
        "Account Executive",
        "deactivated",
        true,
        false,
        Some(2),
        &[(4, 3300)],
    ),
    (
        "Isla",
        "Murphy",
        "Sales Engineer",
        "deactivated",
        false,
        false,
        Some(3),
        &[],
    ),
    (
        "Felix",
        "Wagner",
        "Account Manager",
        "deactivated",
        false,
        false,
        None,
        &[],
    ),
    (
        "Yuki",
        "Tanaka",
        "Customer Success",
        "deactivated",
        false,
        false,
        Some(1),
        &[],
    ),
];

const TEAMS: &[(&str, &str)] = &[
    ("EMEA", "London"),
    ("EMEA", "Berlin"),
    ("Americas", "New York"),
    ("Americas", "Austin"),
];

/// Creates the demo organization when the database has no organization at all.
/// Returns true when the demo organization exists (just created or from before).
pub async fn ensure(pool: &PgPool) -> anyhow::Result<bool> {
    let any = sqlx::query_scalar!("SELECT EXISTS (SELECT 1 FROM organizations) AS \"any!\"")
        .fetch_one(pool)
        .await?;
    if any {
        let demo = sqlx::query_scalar!(
            "SELECT EXISTS (SELECT 1 FROM members WHERE lower(email) = $1 AND status = 'active') AS \"demo!\"",
            ADMIN_EMAIL
        )
        .fetch_one(pool)
        .await?;
        return Ok(demo);
    }
    let created = organizations::create(
        pool,
        &NewOrganization {
            name: OrganizationName::parse("Northwind Traders")?,
            enable_seats: 50,
            opportunity_seats: 20,
            admin_first_name: PersonName::parse("Dana", "first name")?,
            admin_last_name: PersonName::parse("Whitfield", "last name")?,
            admin_email: Email::parse(ADMIN_EMAIL)?,
            admin_enable_seat: true,
        },
        "demo seed",
    )
    .await
    .map_err(|e| anyhow::anyhow!("demo organization: {e}"))?;
    let org = created.organization_id;
    let password_hash = hash_password(PASSWORD.to_owned())
        .await
        .map_err(|e| anyhow::anyhow!("demo password: {e}"))?;

    let mut tx = pool.begin().await?;
    sqlx::query!(
        "UPDATE members SET status = 'active', password_hash = $2, activated_at = now() WHERE id = $1",
        created.admin_member_id,
        password_hash
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE invitations SET accepted_at = now() WHERE member_id = $1",
        created.admin_member_id
    )
    .execute(&mut *tx)
    .await?;

    let mut team_ids = Vec::new();
    for (region, team) in TEAMS {
        let region_id = sqlx::query_scalar!(
            "INSERT INTO regions (organization_id, name) VALUES ($1, $2)
             ON CONFLICT (organization_id, lower(name)) DO UPDATE SET name = EXCLUDED.name
             RETURNING id",
            org,
            region
        )
        .fetch_one(&mut *tx)
        .await?;
        let team_id = sqlx::query_scalar!(
            "INSERT INTO teams (organization_id, region_id, name) VALUES ($1, $2, $3) RETURNING id",
            org,
            region_id,
            team
        )
        .fetch_one(&mut *tx)
        .await?;
        team_ids.push(team_id);
    }

    for (n, (first, last, job, status, enable, opportunity, team, progress)) in
        MEMBERS.iter().enumerate()
    {
        let email = format!(
            "{}.{}@northwind.example",
            ascii_slug(first),
            ascii_slug(last)
        );
        let hash = (*status != "invited").then(|| password_hash.clone());
        let member_id = sqlx::query_scalar!(
            r#"INSERT INTO members (organization_id, external_id, first_name, last_name, email, job_title,
                                    permission, status, enable_seat, opportunity_seat, team_id, password_hash,
                                    activated_at, deactivated_at)
               VALUES ($1, $2, $3, $4, $5, $6, 'member', $7, $8, $9, $10, $11,
                       CASE WHEN $7 <> 'invited' THEN now() END,
                       CASE WHEN $7 = 'deactivated' THEN now() END)
               RETURNING id"#,
            org,
            format!("EXT{:05}", n + 1),
            first,
            last,
            email,
            job,
            status,
            enable,
            opportunity,
            team.map(|t| team_ids[t]),
            hash,
        )
        .fetch_one(&mut *tx)
        .await?;
        for (program, basis_points) in progress.iter() {
            sqlx::query!(
                "INSERT INTO enrollments (member_id, program_id, progress_basis_points) VALUES ($1, $2, $3)",
                member_id,
                program,
                basis_points
            )
            .execute(&mut *tx)
            .await?;
        }
        if *status == "invited" {
            app::server::invitations::issue(&mut tx, member_id, Some(created.admin_member_id))
                .await
                .map_err(|e| anyhow::anyhow!("demo invitation: {e}"))?;
        }
    }
    tx.commit().await?;
    tracing::info!(organization_id = org, "demo organization created");
    Ok(true)
}

fn ascii_slug(name: &str) -> String {
    name.chars()
        .filter_map(|c| match c {
            'é' | 'è' => Some('e'),
            'ë' => Some('e'),
            'ü' => Some('u'),
            'á' => Some('a'),
            c if c.is_ascii_alphabetic() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

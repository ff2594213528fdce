//! The demo organization of a first development run: an administrator, about twenty
//! members in every status, two regions with teams, and some progress.

use app::domain::licenses::Via;
use app::domain::Access;
use app::domain::{
    Email, ExternalId, Invitee, JobTitle, MemberStatus, OrganizationName, Permission, PersonName,
    Program,
};
use app::server::crypto::hash_password;
use app::server::enrollments::program_id;
use app::server::invite::{invite, Delivery, Logged};
use app::server::members::lock_organization;
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
    MemberStatus,
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
        MemberStatus::Active,
        true,
        true,
        Some(0),
        &[(1, 4500), (4, 1200)],
    ),
    (
        "Liam",
        "Baker",
        "Account Executive",
        MemberStatus::Active,
        true,
        false,
        Some(0),
        &[(1, 800)],
    ),
    (
        "Mia",
        "Schneider",
        "Sales Engineer",
        MemberStatus::Active,
        true,
        true,
        Some(1),
        &[(3, 10000), (4, 6200)],
    ),
    (
        "Noah",
        "Weber",
        "Sales Development Rep",
        MemberStatus::Active,
        true,
        false,
        Some(1),
        &[(2, 0)],
    ),
    (
        "Emma",
        "Rossi",
        "Regional Director",
        MemberStatus::Active,
        true,
        true,
        Some(2),
        &[(1, 999), (2, 300)],
    ),
    (
        "Lucas",
        "Martin",
        "Account Manager",
        MemberStatus::Active,
        true,
        false,
        Some(2),
        &[(5, 2750)],
    ),
    (
        "Olivia",
        "Garcia",
        "Account Executive",
        MemberStatus::Active,
        true,
        true,
        Some(3),
        &[(6, 10000)],
    ),
    (
        "Ethan",
        "Nguyen",
        "Sales Engineer",
        MemberStatus::Active,
        false,
        true,
        Some(3),
        &[],
    ),
    (
        "Sofia",
        "Kowalski",
        "Enablement Lead",
        MemberStatus::Active,
        true,
        false,
        None,
        &[(1, 100)],
    ),
    (
        "James",
        "O'Connor",
        "Account Executive",
        MemberStatus::Active,
        false,
        false,
        Some(0),
        &[],
    ),
    (
        "Chloé",
        "Dubois",
        "Customer Success",
        MemberStatus::Active,
        true,
        false,
        Some(1),
        &[(3, 1500)],
    ),
    (
        "Zoë",
        "Lindqvist",
        "Sales Development Rep",
        MemberStatus::Invited,
        true,
        false,
        Some(2),
        &[],
    ),
    (
        "Mateo",
        "Fernández",
        "Account Executive",
        MemberStatus::Invited,
        true,
        true,
        Some(3),
        &[],
    ),
    (
        "Hannah",
        "Müller",
        "Solutions Consultant",
        MemberStatus::Invited,
        false,
        false,
        Some(1),
        &[],
    ),
    (
        "Aarav",
        "Patel",
        "Account Manager",
        MemberStatus::Invited,
        true,
        false,
        None,
        &[],
    ),
    (
        "Grace",
        "Kim",
        "Sales Development Rep",
        MemberStatus::Invited,
        false,
        false,
        Some(0),
        &[],
    ),
    (
        "Oscar",
        "Jensen",
        "Account Executive",
        MemberStatus::Deactivated,
        true,
        false,
        Some(2),
        &[(4, 3300)],
    ),
    (
        "Isla",
        "Murphy",
        "Sales Engineer",
        MemberStatus::Deactivated,
        false,
        false,
        Some(3),
        &[],
    ),
    (
        "Felix",
        "Wagner",
        "Account Manager",
        MemberStatus::Deactivated,
        false,
        false,
        None,
        &[],
    ),
    (
        "Yuki",
        "Tanaka",
        "Customer Success",
        MemberStatus::Deactivated,
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
            "SELECT EXISTS (SELECT 1 FROM members WHERE email_key(email) = $1 AND status = 'active') AS \"demo!\"",
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

    // Every demo member is invited the one way members are created, then given the
    // state the demo shows: signed up, deactivated, with progress.
    let program = |id: i16| {
        Program::ALL
            .into_iter()
            .find(|p| program_id(*p) == id)
            .ok_or_else(|| anyhow::anyhow!("demo: no program {id}"))
    };
    let mut people = Vec::new();
    for (n, (first, last, job, _, enable, opportunity, _, progress)) in MEMBERS.iter().enumerate() {
        let email = format!(
            "{}.{}@northwind.example",
            ascii_slug(first),
            ascii_slug(last)
        );
        people.push(Invitee {
            external_id: Some(
                ExternalId::from_number(n as u32 + 1)
                    .ok_or_else(|| anyhow::anyhow!("demo: user_id {n}"))?,
            ),
            first_name: PersonName::parse(first, "first name")?,
            last_name: PersonName::parse(last, "last name")?,
            email: Email::parse(&email)?,
            job_title: JobTitle::parse(job)?,
            permission: Permission::Member,
            // Programs need the seat; a deactivated member keeps it only for a used license.
            enable_seat: *enable || !progress.is_empty(),
            opportunity_seat: *opportunity,
            programs: progress
                .iter()
                .map(|(id, _)| program(*id))
                .collect::<anyhow::Result<_>>()?,
        });
    }
    let actor = Access::operator(org, "Northwind Traders", "demo seed");
    let organization = lock_organization(&mut tx, &actor, &Via::CommandLine)
        .await
        .map_err(|e| anyhow::anyhow!("demo: {e}"))?;
    let invited = invite(
        &mut tx,
        &actor,
        &organization,
        &people,
        Delivery::ByHand,
        Logged::EachMember,
    )
    .await
    .map_err(|e| anyhow::anyhow!("demo members: {e}"))?;

    for (member, &member_id) in MEMBERS.iter().zip(&invited.member_ids) {
        let (_, _, _, status, enable, opportunity, team, progress) = member;
        sqlx::query!(
            "UPDATE members
                SET status = $2, enable_seat = $3, opportunity_seat = $4, team_id = $5,
                    password_hash = CASE WHEN $2 <> 'invited' THEN $6 END,
                    activated_at = CASE WHEN $2 <> 'invited' THEN now() END,
                    deactivated_at = CASE WHEN $2 = 'deactivated' THEN now() END
              WHERE id = $1",
            member_id,
            status.as_str(),
            enable,
            opportunity,
            team.map(|t| team_ids[t]),
            password_hash,
        )
        .execute(&mut *tx)
        .await?;
        if *status != MemberStatus::Invited {
            sqlx::query!("DELETE FROM invitations WHERE member_id = $1", member_id)
                .execute(&mut *tx)
                .await?;
        }
        for (program, basis_points) in progress.iter() {
            sqlx::query!(
                "UPDATE enrollments SET progress_basis_points = $3 WHERE member_id = $1 AND program_id = $2",
                member_id,
                program,
                basis_points
            )
            .execute(&mut *tx)
            .await?;
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

//! Inviting people: the one way members are created. The + Invite form, each CSV import
//! batch, the command line (an organization's first administrator, `roster csv import`)
//! and the demo seed all end in [`invite`], inside their own transaction.

use super::activity::{self, Action};
use super::invitations::{self, Issue, Recipient};
use super::members::{lock_organization, LockedOrganization};
use super::RuntimeConfig;
use crate::domain::invitee::{field, parse_batch, refusal};
use crate::domain::Access;
use crate::domain::{Invitee, InviteeDraft, Problem};
use crate::error::AppError;
use crate::import::OrgContext;
use sqlx::{PgConnection, PgPool};
use std::collections::HashMap;

/// The most members the invitation form sends at once; the CSV import handles more.
pub const MAX_INVITES_AT_ONCE: usize = 100;

/// How an invitation reaches the person.
#[derive(Debug, Clone, Copy)]
pub enum Delivery<'a> {
    /// An email through the outbox (everyone an administrator invites), with links to
    /// the configured public URL.
    Email(&'a RuntimeConfig),
    /// No email: the links come back to the caller, who hands them over (the operator's
    /// command line prints the first administrator's link).
    ByHand,
}

/// How the activity log records the invitations.
pub enum Logged {
    /// One "Invited" entry per member, with what they were given.
    EachMember,
    /// One entry for the whole set instead (an import batch of thousands of rows; the
    /// organization's creation). `about_first` makes the first member its subject.
    Once {
        action: Action,
        details: serde_json::Value,
        about_first: bool,
    },
}

/// The new members, in the order of the people given.
pub struct Invited {
    pub member_ids: Vec<i64>,
    /// With [`Delivery::ByHand`], each member's invitation token (for the link); empty
    /// otherwise.
    pub tokens: Vec<String>,
}

/// Creates `people` as invited members of the locked organization, with their seats and
/// programs, an invitation each (token and, by [`Delivery::Email`], an email in the
/// outbox) and the activity entries: all in the caller's transaction.
///
/// The caller has checked the people against the organization (addresses and user_ids
/// it already has: [`known`]); the unique constraints refuse what slipped through, and the
/// seats are checked here against the lock.
pub async fn invite(
    conn: &mut PgConnection,
    actor: &Access,
    organization: &LockedOrganization,
    people: &[Invitee],
    delivery: Delivery<'_>,
    logged: Logged,
) -> Result<Invited, AppError> {
    if people.is_empty() {
        return Ok(Invited {
            member_ids: Vec::new(),
            tokens: Vec::new(),
        });
    }
    let count = |f: fn(&Invitee) -> bool| people.iter().filter(|p| f(p)).count() as i64;
    organization
        .enable
        .check_request(count(|p| p.enable_seat))?;
    organization
        .opportunity
        .check_request(count(|p| p.opportunity_seat))?;

    let text = |f: fn(&Invitee) -> &str| people.iter().map(|p| f(p).to_owned()).collect::<Vec<_>>();
    let flag = |f: fn(&Invitee) -> bool| people.iter().map(f).collect::<Vec<_>>();
    let external_ids: Vec<Option<String>> = people
        .iter()
        .map(|p| p.external_id.map(|id| id.to_string()))
        .collect();
    let inserted = sqlx::query!(
        r#"INSERT INTO members (organization_id, external_id, first_name, last_name, email, job_title, permission,
                                enable_seat, opportunity_seat)
           SELECT $1, external_id, first_name, last_name, email, job_title, permission, enable_seat, opportunity_seat
             FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bool[], $9::bool[])
                  AS t(external_id, first_name, last_name, email, job_title, permission, enable_seat, opportunity_seat)
           RETURNING id, email_key(email) AS "email!""#,
        actor.organization_id,
        &external_ids as &[Option<String>],
        &text(|p| p.first_name.as_str()),
        &text(|p| p.last_name.as_str()),
        &text(|p| p.email.as_str()),
        &text(|p| p.job_title.as_str()),
        &text(|p| p.permission.as_str()),
        &flag(|p| p.enable_seat),
        &flag(|p| p.opportunity_seat),
    )
    .fetch_all(&mut *conn)
    .await?;
    // RETURNING order is not guaranteed: match rows to people by address (unique in the
    // organization, so in the set).
    let by_email: HashMap<&str, i64> = inserted.iter().map(|r| (r.email.as_str(), r.id)).collect();
    let member_ids: Vec<i64> = people
        .iter()
        .map(|p| {
            by_email
                .get(p.email.normalized().as_str())
                .copied()
                .ok_or_else(AppError::internal)
        })
        .collect::<Result<_, _>>()?;

    // Programs set at invitation time (SPEC rule 4 allows it with an Enable seat, which
    // a deferred constraint checks at commit).
    let (mut enrolled, mut slugs) = (Vec::new(), Vec::new());
    for (person, &id) in people.iter().zip(&member_ids) {
        for program in &person.programs {
            enrolled.push(id);
            slugs.push(program.slug().to_owned());
        }
    }
    if !enrolled.is_empty() {
        sqlx::query!(
            "INSERT INTO enrollments (member_id, program_id)
             SELECT t.member_id, p.id FROM UNNEST($1::bigint[], $2::text[]) AS t(member_id, slug)
               JOIN programs p ON p.slug = t.slug",
            &enrolled,
            &slugs
        )
        .execute(&mut *conn)
        .await?;
    }

    let tokens = match delivery {
        Delivery::Email(config) => {
            let recipients: Vec<Recipient> = people
                .iter()
                .zip(&member_ids)
                .map(|(p, &member_id)| Recipient {
                    member_id,
                    email: p.email.as_str(),
                    first_name: p.first_name.as_str(),
                })
                .collect();
            invitations::send(
                conn,
                config,
                actor,
                &organization.name,
                &recipients,
                Issue::New,
            )
            .await?;
            Vec::new()
        }
        Delivery::ByHand => invitations::issue_many(conn, &member_ids, Issue::New)
            .await?
            .into_iter()
            .map(|(token, _)| token)
            .collect(),
    };

    match logged {
        Logged::EachMember => {
            let details: Vec<serde_json::Value> = people
                .iter()
                .map(|p| {
                    serde_json::json!({
                        "email": p.email.as_str(),
                        "permission": p.permission.as_str(),
                        "enable_seat": p.enable_seat,
                        "opportunity_seat": p.opportunity_seat,
                    })
                })
                .collect();
            activity::record_many(conn, actor, Action::MemberInvited, &member_ids, &details)
                .await?;
        }
        Logged::Once {
            action,
            details,
            about_first,
        } => {
            let subject = about_first.then(|| member_ids[0]);
            activity::record(conn, actor, action, subject, details).await?;
        }
    }
    super::webhooks::emit_for_members(
        conn,
        actor.organization_id,
        crate::domain::webhooks::EventType::MemberInvited,
        &member_ids,
        serde_json::json!({ "invited_by": actor.label }),
    )
    .await?;
    Ok(Invited { member_ids, tokens })
}

/// The + Invite form: checks the drafts, then invites them all or none, into `team` when
/// one is chosen. Returns the new members' ids; refusals come back per member and field.
/// Administrators invite anyone; a team manager, when the organization allows it, invites
/// members (not administrators or managers) into a team they manage.
pub async fn from_form(
    pool: &PgPool,
    config: &RuntimeConfig,
    access: &Access,
    drafts: &[InviteeDraft],
    team: Option<i64>,
) -> Result<Vec<i64>, AppError> {
    access.may_invite_into(team)?;
    if drafts.is_empty() {
        return Err(AppError::invalid("Add at least one member to invite."));
    }
    if drafts.len() > MAX_INVITES_AT_ONCE {
        return Err(AppError::invalid(format!(
            "Invite at most {MAX_INVITES_AT_ONCE} members at once here; use Import CSV for more."
        )));
    }
    let people = parse_batch(drafts).map_err(AppError::Problems)?;
    for person in &people {
        crate::domain::access::may_give_permission(access.role, person.permission)?;
    }
    let mut tx = pool.begin().await?;
    let organization = lock_organization(&mut tx, access, &super::ledger::via_of(access)).await?;
    let known = known(&mut tx, access, Among::People(&people)).await?;
    let problems: Vec<Problem> = people
        .iter()
        .enumerate()
        .filter(|(_, p)| known.emails.contains_key(&p.email.normalized()))
        .map(|(item, _)| Problem {
            item,
            field: field::EMAIL.to_owned(),
            message: refusal::EMAIL_TAKEN.to_owned(),
        })
        .collect();
    if !problems.is_empty() {
        return Err(AppError::Problems(problems));
    }
    let invited = invite(
        &mut tx,
        access,
        &organization,
        &people,
        Delivery::Email(config),
        Logged::EachMember,
    )
    .await?;
    if let Some(team) = team {
        // The team's foreign key (team, organization) refuses another organization's team.
        let placed = sqlx::query!(
            "UPDATE members SET team_id = $2 WHERE id = ANY($1)
               AND $2 IN (SELECT id FROM scoped_teams($3, $4))",
            &invited.member_ids,
            team,
            access.organization_id,
            super::scope::teams(access) as Option<Vec<i64>>,
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if placed as usize != invited.member_ids.len() {
            return Err(AppError::NotFound(
                "This team no longer exists. Reload the page and choose another.".into(),
            ));
        }
    }
    tx.commit().await?;
    tracing::info!(
        count = invited.member_ids.len(),
        by = ?access.who,
        "members invited"
    );
    Ok(invited.member_ids)
}

/// Whose addresses and user_ids [`known`] looks up.
pub enum Among<'a> {
    /// Every member (the page's check of a whole file before it is sent).
    Everyone,
    /// Only members with these people's addresses or user_ids.
    People(&'a [Invitee]),
    /// Only members with the addresses or user_ids of these CSV rows (an import batch).
    Rows(&'a [crate::import::RowCells]),
}

/// What checking people against the organization needs to know of it: its members'
/// addresses (lowercase) and user_ids among `among`, and its free seats. The one source
/// for the form, the Import CSV page, each import batch and `roster csv`.
pub async fn known(
    conn: &mut PgConnection,
    access: &Access,
    among: Among<'_>,
) -> Result<OrgContext, AppError> {
    let organization_id = access.organization_id;
    use crate::import::Column;
    let (everyone, emails, user_ids): (bool, Vec<String>, Vec<String>) = match among {
        Among::Everyone => (true, Vec::new(), Vec::new()),
        Among::People(people) => (
            false,
            people.iter().map(|p| p.email.normalized()).collect(),
            people
                .iter()
                .filter_map(|p| p.external_id.map(|id| id.to_string()))
                .collect(),
        ),
        Among::Rows(rows) => (
            false,
            rows.iter()
                .map(|r| crate::domain::email::key(r.get(Column::Email)))
                .collect(),
            rows.iter()
                .map(|r| r.get(Column::UserId).to_uppercase())
                .collect(),
        ),
    };
    // Two statements rather than one with "$2 OR …": a plan for the filtered look-up
    // must use the address and user_id indexes. Addresses are probed one by one through
    // `members_email_lookup`, the organization applied after the probe (`OFFSET 0` keeps
    // it out of the index scan): the planner then has no other index to choose, whatever
    // it believes of the organization's size. During an import those beliefs lag behind
    // the batches — a probe per user_id within the organization once went through an index
    // that begins with the organization, testing every member for each user_id (190 s for a
    // batch of 5,000 in the browser tests), and
    // with "= ANY" over the organization it tested every member against every address
    // (0.5 s a batch at 100,000 members). User_ids are read with "= ANY" within the
    // organization: at worst one pass over it, with the values hashed.
    let members: Vec<(String, Option<String>)> = if everyone {
        sqlx::query!(
            r#"SELECT email_key(email) AS "email!", external_id FROM scoped_members($1, NULL)"#,
            organization_id
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|m| (m.email, m.external_id))
        .collect()
    } else {
        sqlx::query!(
            r#"SELECT m.email AS "email!", m.external_id FROM UNNEST($2::text[]) AS k(email)
                CROSS JOIN LATERAL (
                    SELECT found.email, found.external_id
                      FROM (SELECT organization_id, email_key(email) AS email, external_id FROM members
                             WHERE email_key(email) = k.email OFFSET 0) found
                     WHERE found.organization_id = $1 LIMIT 1) m
               UNION
               SELECT email_key(email), external_id FROM scoped_members($1, NULL)
                WHERE external_id = ANY($3)"#,
            organization_id,
            &emails,
            &user_ids
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|m| (m.email, m.external_id))
        .collect()
    };
    let seats = sqlx::query!(
        "SELECT (enable_seats - enable_seats_held)::bigint AS \"enable!\",
                (opportunity_seats - opportunity_seats_held)::bigint AS \"opportunity!\"
           FROM organizations WHERE id = $1",
        organization_id
    )
    .fetch_one(&mut *conn)
    .await?;
    let user_id = |id: Option<&str>| {
        id.and_then(|id| crate::domain::ExternalId::parse(id).ok())
            .map(|id| id.number())
    };
    let emails = members
        .into_iter()
        .map(|(email, id)| (email, user_id(id.as_deref())))
        .collect();
    Ok(OrgContext::new(emails, seats.enable, seats.opportunity))
}

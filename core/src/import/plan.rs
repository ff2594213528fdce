//! The planner: what a change set does to the members. A file's rows are matched to
//! members (by user_id, else by email) and compared with them: a new member to invite, a
//! member whose name, job title, permission, seats, programs or team change, or one
//! unchanged; with "deactivate members who are not in this file", the members it leaves
//! out. The member page and bulk actions ask by member id ([`Wish::Member`]). Every change
//! is judged by the rules of `domain::rules`, and the whole plan against the seats (seats
//! it frees count before seats it asks for). Pure: the page previews with it, the server
//! and the command line decide with it, on a roster read under lock.

use super::check::{check_row, validate_row};
use super::desired::Desired;
use super::parse::RowCells;
use super::roster::{
    flag_text, team_text, Action, FieldChange, Plan, PlanEntry, Roster, RosterMember,
};
use super::template::{Column, CELLS};
use crate::domain::licenses::may_schedule_deactivation;
use crate::domain::rules::{
    may_change_programs, may_remove_enable_seat, may_stop_being_active_admin, may_unassign_program,
};
use crate::domain::{ExternalId, Invitee, MemberStatus, Permission, Program, Progress};
use std::collections::HashMap;

fn text_change(field: Column, from: &str, to: &Option<String>) -> Option<FieldChange> {
    let to = to.as_ref()?;
    (from != to).then(|| FieldChange {
        field: field.name().into(),
        from: from.into(),
        to: to.clone(),
    })
}

/// The changes a row asks of `member`, and the rules each breaks (empty when allowed).
fn compare(
    member: &RosterMember,
    want: &Desired,
    roster: &Roster,
) -> (Vec<FieldChange>, Vec<String>) {
    let mut changes = Vec::new();
    let mut refusals = Vec::new();
    changes.extend(text_change(
        Column::FirstName,
        &member.first_name,
        &want.first_name,
    ));
    changes.extend(text_change(
        Column::LastName,
        &member.last_name,
        &want.last_name,
    ));
    changes.extend(text_change(
        Column::JobTitle,
        &member.job_title,
        &want.job_title,
    ));
    if let Some(permission) = want.permission.filter(|p| *p != member.permission) {
        changes.push(FieldChange {
            field: Column::Permission.name().into(),
            from: member.permission.as_str().into(),
            to: permission.as_str().into(),
        });
    }
    let enable_after = want.enable_seat.unwrap_or(member.enable_seat);
    let opportunity_after = want.opportunity_seat.unwrap_or(member.opportunity_seat);
    let seats_change =
        enable_after != member.enable_seat || opportunity_after != member.opportunity_seat;
    if seats_change && member.status == MemberStatus::Deactivated {
        refusals.push("This member is inactive: reactivate them before changing seats.".to_owned());
    }
    if enable_after != member.enable_seat {
        changes.push(FieldChange {
            field: Column::MosEnable.name().into(),
            from: flag_text(member.enable_seat),
            to: flag_text(enable_after),
        });
        if !enable_after {
            let progress: Vec<Progress> = member.programs.iter().map(|(_, p)| *p).collect();
            if let Err(e) = may_remove_enable_seat(&progress) {
                refusals.push(e.0);
            }
        }
    }
    if opportunity_after != member.opportunity_seat {
        changes.push(FieldChange {
            field: Column::MosOpportunity.name().into(),
            from: flag_text(member.opportunity_seat),
            to: flag_text(opportunity_after),
        });
    }
    // Programs: the Enable seat's removal takes them all (rule 3, checked above).
    let current: Vec<Program> = member.programs.iter().map(|(p, _)| *p).collect();
    let wanted_programs = match (&want.programs, enable_after) {
        (_, false) => Vec::new(),
        (Some(programs), true) => programs.clone(),
        (None, true) => current.clone(),
    };
    // Programs asked for a member who will hold no Enable seat: refused (rule 4), not
    // dropped in silence.
    if !enable_after
        && want
            .programs
            .as_ref()
            .is_some_and(|p| !p.is_empty() && *p != current)
    {
        if let Err(e) = may_change_programs(member.status, false) {
            refusals.push(e.0);
        }
    }
    if wanted_programs != current {
        let slugs = |ps: &[Program]| ps.iter().map(|p| p.slug()).collect::<Vec<_>>().join(",");
        changes.push(FieldChange {
            field: Column::CourseEnrollments.name().into(),
            from: slugs(&current),
            to: slugs(&wanted_programs),
        });
        if enable_after {
            if let Err(e) = may_change_programs(member.status, true) {
                refusals.push(e.0);
            }
            for (program, progress) in &member.programs {
                if !wanted_programs.contains(program) {
                    if let Err(e) = may_unassign_program(*progress) {
                        refusals.push(format!("{} ({})", e.0, program.name()));
                    }
                }
            }
        }
    }
    if let Some((region, team)) = &want.team {
        if (region.as_str(), team.as_str()) != (member.region.as_str(), member.team.as_str())
            && !(team.is_empty() && member.team.is_empty())
        {
            changes.push(FieldChange {
                field: Column::Team.name().into(),
                from: member.team_label(),
                to: team_text(region, team),
            });
            let exists = roster
                .teams
                .iter()
                .any(|(r, t)| r.eq_ignore_ascii_case(region) && t.eq_ignore_ascii_case(team));
            if !team.is_empty() && !exists {
                refusals.push(format!(
                    "There is no team \u{201c}{team}\u{201d} in the region \u{201c}{region}\u{201d}: create it on the Teams page, or correct the cell."
                ));
            }
        }
    }
    if let Some(day) = want
        .deactivate_on
        .as_ref()
        .filter(|d| **d != member.deactivate_on)
    {
        changes.push(FieldChange {
            field: Column::DeactivateOn.name().into(),
            from: member.deactivate_on.clone(),
            to: day.clone(),
        });
        if let Err(e) = may_schedule_deactivation(member.status, day, &roster.today) {
            refusals.push(e.0);
        }
    }
    (changes, refusals)
}

/// How a row finds its member: by user_id, else by email; a member's own change by id.
struct Index<'r> {
    by_user_id: HashMap<u32, usize>,
    by_email: HashMap<&'r str, usize>,
    by_id: HashMap<i64, usize>,
}

impl<'r> Index<'r> {
    fn new(members: &'r [RosterMember]) -> Self {
        let mut by_user_id = HashMap::with_capacity(members.len());
        let mut by_email = HashMap::with_capacity(members.len());
        let mut by_id = HashMap::with_capacity(members.len());
        for (i, m) in members.iter().enumerate() {
            if let Some(id) = m.user_id {
                by_user_id.insert(id.number(), i);
            }
            by_email.insert(m.email.as_str(), i);
            by_id.insert(m.id, i);
        }
        Self {
            by_user_id,
            by_email,
            by_id,
        }
    }
}

/// One thing a plan is asked: a file's row (matched to a member, or a new one), or a
/// member (by id) and what they should be.
#[derive(Debug, Clone, Copy)]
pub enum Wish<'a> {
    Row(&'a RowCells),
    Member(i64, &'a Desired),
}

/// What a row of a file turned out to be: an entry already decided (a new member, or a
/// refusal; with the seats a new member takes), or the member it names.
enum RowMatch {
    Done(PlanEntry, Option<(i64, i64)>),
    Member {
        index: usize,
        user_id: Option<ExternalId>,
        who: String,
    },
}

/// Matches a file's row to a member (by user_id, else by email), or judges it as a new
/// member with the import's own checks (each address once in the file).
fn row_member(
    cells: &RowCells,
    roster: &Roster,
    index: &Index,
    seen: &mut [bool],
    new_emails: &mut HashMap<String, u32>,
) -> RowMatch {
    let email = crate::domain::email::key(cells.get(Column::Email));
    let user_id = ExternalId::parse(cells.get(Column::UserId)).ok();
    let who = format!(
        "{} {} <{}>",
        cells.get(Column::FirstName),
        cells.get(Column::LastName),
        email
    );
    let by_id = user_id.and_then(|id| index.by_user_id.get(&id.number()).copied());
    let by_email = index.by_email.get(email.as_str()).copied();
    let refused = |member: Option<i64>, message: String| {
        RowMatch::Done(
            PlanEntry {
                row: Some(cells.row),
                action: Action::Refused,
                member,
                who: who.clone(),
                changes: Vec::new(),
                message,
            },
            None,
        )
    };
    let found = match (by_id, by_email) {
        (Some(a), Some(b)) if a != b => {
            return refused(
                None,
                format!(
                    "The user_id is {}'s and the address is {}'s: correct one of them.",
                    roster.members[a].email, roster.members[b].email
                ),
            );
        }
        (Some(i), _) | (None, Some(i)) => Some(i),
        (None, None) => None,
    };
    let problems_text = |problems: &[super::CellProblem]| -> String {
        problems
            .iter()
            .map(|p| match p.column {
                Some(c) => format!("{}: {}", c.name(), p.message),
                None => p.message.clone(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let Some(i) = found else {
        // A new member: the import's own checks, and each address once in the file.
        return match check_row(cells) {
            Ok(valid) => {
                if let Some(first) = new_emails.insert(email.clone(), cells.row) {
                    return refused(
                        None,
                        format!("This address is also on row {first}: keep one of the rows."),
                    );
                }
                let Invitee {
                    enable_seat,
                    opportunity_seat,
                    ..
                } = valid.invitee;
                RowMatch::Done(
                    PlanEntry {
                        row: Some(cells.row),
                        action: Action::New,
                        member: None,
                        who: who.clone(),
                        changes: Vec::new(),
                        message: "Invited, with an invitation email.".into(),
                    },
                    Some((enable_seat as i64, opportunity_seat as i64)),
                )
            }
            Err(problems) => refused(None, problems_text(&problems)),
        };
    };
    let member = &roster.members[i];
    if std::mem::replace(&mut seen[i], true) {
        return refused(
            None,
            format!(
                "Another row of the file is also {}: keep one.",
                member.email
            ),
        );
    }
    // A member invited by the form has no user_id: the export leaves the cell empty.
    let problems: Vec<_> = validate_row(cells)
        .err()
        .unwrap_or_default()
        .into_iter()
        .filter(|p| {
            !(p.column == Some(Column::UserId)
                && member.user_id.is_none()
                && cells.get(Column::UserId).trim().is_empty())
        })
        .collect();
    if !problems.is_empty() {
        return refused(Some(member.id), problems_text(&problems));
    }
    if email != member.email {
        return refused(
            Some(member.id),
            format!(
                "The address differs from the member's ({}): addresses are changed on the member's page, not by a file.",
                member.email
            ),
        );
    }
    RowMatch::Member {
        index: i,
        user_id,
        who,
    }
}

/// The plan of a file's `rows` (with the columns `present`) against `roster`.
/// `deactivate_missing`: members the file leaves out are deactivated.
pub fn plan(
    rows: &[RowCells],
    present: &[bool; CELLS],
    roster: &Roster,
    deactivate_missing: bool,
) -> Plan {
    let wishes: Vec<Wish> = rows.iter().map(Wish::Row).collect();
    plan_wishes(&wishes, present, roster, deactivate_missing)
}

/// How the Activity and a plan name a member.
fn who_is(member: &RosterMember) -> String {
    format!(
        "{} {} <{}>",
        member.first_name, member.last_name, member.email
    )
}

/// The plan of `wishes` against `roster`: the one judge of member changes, whatever asked
/// for them (a file's rows: `present` says which of its columns it has; the member page;
/// bulk actions). `deactivate_missing`: members no wish names are deactivated.
pub fn plan_wishes(
    wishes: &[Wish],
    present: &[bool; CELLS],
    roster: &Roster,
    deactivate_missing: bool,
) -> Plan {
    let index = Index::new(&roster.members);
    let mut seen = vec![false; roster.members.len()];
    let mut entries = Vec::with_capacity(wishes.len());
    // Seats each entry takes (positive) or frees (negative), judged together at the end.
    let mut seats: Vec<(usize, i64, i64)> = Vec::new();
    let mut admins_after: i64 = roster.active_admins.unwrap_or_else(|| {
        roster
            .members
            .iter()
            .filter(|m| m.status == MemberStatus::Active && m.permission == Permission::Admin)
            .count() as i64
    });
    let mut admin_losses: Vec<usize> = Vec::new();
    let mut new_emails: HashMap<String, u32> = HashMap::new();

    for wish in wishes {
        let (i, want, row, who, user_id) = match *wish {
            Wish::Member(id, desired) => {
                let Some(&i) = index.by_id.get(&id) else {
                    entries.push(PlanEntry {
                        row: None,
                        action: Action::Refused,
                        member: Some(id),
                        who: String::new(),
                        changes: Vec::new(),
                        message: "This member is not in your organization (any more).".into(),
                    });
                    continue;
                };
                let member = &roster.members[i];
                if std::mem::replace(&mut seen[i], true) {
                    entries.push(PlanEntry {
                        row: None,
                        action: Action::Refused,
                        member: Some(id),
                        who: who_is(member),
                        changes: Vec::new(),
                        message: format!("{} is asked twice: ask once.", member.email),
                    });
                    continue;
                }
                (i, desired.clone(), None, who_is(member), None)
            }
            Wish::Row(cells) => match row_member(cells, roster, &index, &mut seen, &mut new_emails)
            {
                RowMatch::Done(entry, seat) => {
                    if let Some((enable, opportunity)) = seat {
                        seats.push((entries.len(), enable, opportunity));
                    }
                    entries.push(entry);
                    continue;
                }
                RowMatch::Member {
                    index: i,
                    user_id,
                    who,
                } => (
                    i,
                    Desired::from_row(cells, present),
                    Some(cells.row),
                    who,
                    user_id,
                ),
            },
        };
        let member = &roster.members[i];
        let (mut changes, refusals) = compare(member, &want, roster);
        if let (None, Some(id)) = (member.user_id, user_id) {
            changes.insert(
                0,
                FieldChange {
                    field: Column::UserId.name().into(),
                    from: String::new(),
                    to: id.to_string(),
                },
            );
        }
        if !refusals.is_empty() {
            entries.push(PlanEntry {
                row,
                action: Action::Refused,
                member: Some(member.id),
                who,
                changes,
                message: refusals.join(" "),
            });
            continue;
        }
        if changes.is_empty() {
            entries.push(PlanEntry {
                row,
                action: Action::Unchanged,
                member: Some(member.id),
                who,
                changes,
                message: String::new(),
            });
            continue;
        }
        let enable_after = want.enable_seat.unwrap_or(member.enable_seat);
        let opportunity_after = want.opportunity_seat.unwrap_or(member.opportunity_seat);
        let enable_delta = enable_after as i64 - member.enable_seat as i64;
        let opportunity_delta = opportunity_after as i64 - member.opportunity_seat as i64;
        if enable_delta != 0 || opportunity_delta != 0 {
            seats.push((entries.len(), enable_delta, opportunity_delta));
        }
        let demoted = want.permission.is_some_and(|p| p != Permission::Admin)
            && member.permission == Permission::Admin
            && member.status == MemberStatus::Active;
        if demoted {
            admin_losses.push(entries.len());
        }
        entries.push(PlanEntry {
            row,
            action: Action::Change,
            member: Some(member.id),
            who,
            changes,
            message: String::new(),
        });
    }

    if deactivate_missing {
        for (member, _) in roster
            .members
            .iter()
            .zip(&seen)
            .filter(|(m, seen)| !**seen && m.status != MemberStatus::Deactivated)
        {
            // Rule 5: the seats return, but a used Enable license stays counted.
            let used = member.programs.iter().any(|(_, p)| p.uses_license());
            seats.push((
                entries.len(),
                -((member.enable_seat && !used) as i64),
                -(member.opportunity_seat as i64),
            ));
            if member.status == MemberStatus::Active && member.permission == Permission::Admin {
                admin_losses.push(entries.len());
            }
            entries.push(PlanEntry {
                row: None,
                action: Action::Deactivate,
                member: Some(member.id),
                who: format!("{} {} <{}>", member.first_name, member.last_name, member.email),
                changes: Vec::new(),
                message: "Not in the file: deactivated (sign-in blocked, seats returned unless a license is used).".into(),
            });
        }
    }

    // Rule 7: an active administrator stays. The last losses in the plan are refused.
    for &i in &admin_losses {
        if let Err(e) =
            may_stop_being_active_admin(MemberStatus::Active, Permission::Admin, admins_after)
        {
            let entry = &mut entries[i];
            entry.action = Action::Refused;
            entry.message = e.0;
            continue;
        }
        admins_after -= 1;
    }

    // Seats: what is free, plus what the file frees, is what its rows may take, in order.
    let enable_free_before = roster.enable_bought - roster.enable_held;
    let opportunity_free_before = roster.opportunity_bought - roster.opportunity_held;
    let refused: Vec<bool> = entries
        .iter()
        .map(|e| e.action == Action::Refused)
        .collect();
    let kept = |i: usize| !refused[i];
    let freed = |pick: fn(&(usize, i64, i64)) -> i64| -> i64 {
        seats
            .iter()
            .filter(|s| kept(s.0))
            .map(|s| (-pick(s)).max(0))
            .sum()
    };
    let mut enable_left = enable_free_before + freed(|s| s.1);
    let mut opportunity_left = opportunity_free_before + freed(|s| s.2);
    for &(i, enable, opportunity) in &seats {
        let (enable, opportunity) = (enable.max(0), opportunity.max(0));
        if !kept(i) || (enable == 0 && opportunity == 0) {
            continue;
        }
        if enable > enable_left || opportunity > opportunity_left {
            let kind = if enable > enable_left {
                "Enable"
            } else {
                "Opportunity"
            };
            let entry = &mut entries[i];
            entry.action = Action::Refused;
            entry.message = format!(
                "No free {kind} seat for this change: all are in use (in a file, the rows above take the ones free). Free seats, request more, or leave the seat out."
            );
            continue;
        }
        enable_left -= enable;
        opportunity_left -= opportunity;
    }
    Plan {
        entries,
        enable_free_before,
        enable_free_after: enable_left,
        opportunity_free_before,
        opportunity_free_after: opportunity_left,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::desired::Desired;
    use crate::import::roster::member_cells;
    use crate::import::{parse, ALL_COLUMNS};

    fn member(id: i64, email: &str) -> RosterMember {
        RosterMember {
            id,
            user_id: ExternalId::from_number(id as u32),
            first_name: "Ana".into(),
            last_name: "López".into(),
            email: email.into(),
            job_title: "Account Executive".into(),
            permission: Permission::Member,
            status: MemberStatus::Active,
            enable_seat: true,
            opportunity_seat: false,
            programs: vec![(
                Program::Masterclass,
                Progress::from_basis_points(500).unwrap(),
            )],
            region: "EMEA".into(),
            team: "Iberia".into(),
            deactivate_on: String::new(),
        }
    }

    fn roster(members: Vec<RosterMember>) -> Roster {
        let enable_held = members.iter().filter(|m| m.enable_seat).count() as i64;
        let opportunity_held = members.iter().filter(|m| m.opportunity_seat).count() as i64;
        Roster {
            members,
            enable_bought: enable_held + 1,
            enable_held,
            opportunity_bought: opportunity_held + 1,
            opportunity_held,
            active_admins: None,
            teams: vec![
                ("EMEA".into(), "Iberia".into()),
                ("EMEA".into(), "DACH".into()),
            ],
            today: "2026-12-02".into(),
        }
    }

    /// The roster exported, edited by `edit` (row cells by column), and planned.
    fn plan_of(
        roster: &Roster,
        edit: impl Fn(&mut Vec<Vec<String>>),
        deactivate_missing: bool,
    ) -> Plan {
        let mut rows: Vec<Vec<String>> = roster
            .members
            .iter()
            .map(|m| member_cells(m).to_vec())
            .collect();
        edit(&mut rows);
        let header: Vec<&str> = ALL_COLUMNS.iter().map(|c| c.name()).collect();
        let parsed = parse(crate::export::safe_csv(&header, rows));
        assert!(
            parsed.file_problems.is_empty(),
            "{:?}",
            parsed.file_problems
        );
        plan(&parsed.rows, &parsed.present, roster, deactivate_missing)
    }

    /// One entry of a plan, its row aside: member, action, changes, message.
    type Effect = (Option<i64>, Action, Vec<FieldChange>, String);

    /// What a plan does to members, whatever asked: its changes and refusals (rows and
    /// unchanged members aside), and the seats before and after.
    fn effect(plan: &Plan) -> (Vec<Effect>, [i64; 4]) {
        let entries = plan
            .entries
            .iter()
            .filter(|e| e.action != Action::Unchanged)
            .map(|e| (e.member, e.action, e.changes.clone(), e.message.clone()))
            .collect();
        (
            entries,
            [
                plan.enable_free_before,
                plan.enable_free_after,
                plan.opportunity_free_before,
                plan.opportunity_free_after,
            ],
        )
    }

    /// The member page's edit (or a bulk action) as the server makes it: `desired` of
    /// each member of `ids`.
    fn page_plan(roster: &Roster, ids: &[i64], desired: impl Fn(&RosterMember) -> Desired) -> Plan {
        let wants: Vec<(i64, Desired)> = ids
            .iter()
            .map(|id| {
                let m = roster.members.iter().find(|m| m.id == *id).unwrap();
                (*id, desired(m))
            })
            .collect();
        let wishes: Vec<Wish> = wants.iter().map(|(id, d)| Wish::Member(*id, d)).collect();
        plan_wishes(&wishes, &[false; CELLS], roster, false)
    }

    #[test]
    fn a_file_schedules_and_cancels_deactivations_on_real_days_after_today() {
        let mut scheduled = member(2, "bo@example.com");
        scheduled.deactivate_on = "2027-01-31".into();
        let r = roster(vec![
            member(1, "ana@example.com"),
            scheduled,
            member(3, "cy@example.com"),
        ]);
        let col = Column::DeactivateOn.index();
        let p = plan_of(
            &r,
            |rows| {
                rows[0][col] = "2027-03-31".into();
                rows[1][col] = String::new();
                rows[2][col] = "2026-12-01".into();
            },
            false,
        );
        let (effects, _) = effect(&p);
        assert_eq!(effects.len(), 3, "{effects:?}");
        assert_eq!(effects[0].1, Action::Change);
        assert_eq!(effects[0].2[0].to, "2027-03-31");
        assert_eq!(effects[1].1, Action::Change, "cancelled");
        assert_eq!(effects[1].2[0].from, "2027-01-31");
        assert_eq!(effects[2].1, Action::Refused);
        assert!(effects[2].3.contains("after today"), "{}", effects[2].3);
    }

    #[test]
    fn the_page_a_bulk_action_and_a_file_plan_the_same_change_and_refuse_alike() {
        use crate::domain::SeatKind;
        let mut used = member(3, "used@example.com");
        used.programs = vec![(
            Program::Masterclass,
            Progress::from_basis_points(1400).unwrap(),
        )];
        let mut admin = member(4, "boss@example.com");
        admin.permission = Permission::Admin;
        let r = roster(vec![
            member(1, "ana@example.com"),
            member(2, "bo@example.com"),
            used,
            admin,
        ]);
        let col = |c: Column| c.index();

        // The member page removes an Enable seat (and so the program below 10 %).
        // (A file says both: a row listing programs without the seat is refused as a row.)
        let page = page_plan(&r, &[2], |_| Desired::seat(SeatKind::Enable, false));
        let file = plan_of(
            &r,
            |rows| {
                rows[1][col(Column::MosEnable)] = "FALSE".into();
                rows[1][col(Column::CourseEnrollments)] = String::new();
            },
            false,
        );
        assert_eq!(effect(&page), effect(&file));
        assert_eq!(page.count(Action::Change), 1, "{page:?}");

        // Bulk Team Assign of two members, and a file moving the same two.
        let bulk = page_plan(&r, &[1, 2], |_| Desired::team(Some(("EMEA", "DACH"))));
        let file = plan_of(
            &r,
            |rows| {
                for row in rows.iter_mut().take(2) {
                    row[col(Column::Team)] = "DACH".into();
                }
            },
            false,
        );
        assert_eq!(effect(&bulk), effect(&file));
        assert_eq!(bulk.count(Action::Change), 2, "{bulk:?}");

        // Refusals read the same: a used license (seat and program), the last administrator.
        let page = page_plan(&r, &[3], |_| Desired::seat(SeatKind::Enable, false));
        let file = plan_of(
            &r,
            |rows| {
                rows[2][col(Column::MosEnable)] = "FALSE".into();
                rows[2][col(Column::CourseEnrollments)] = String::new();
            },
            false,
        );
        assert_eq!(effect(&page), effect(&file));
        assert_eq!(page.count(Action::Refused), 1);
        let page = page_plan(&r, &[3], |m| {
            Desired::program(&m.program_list(), Program::Masterclass, false)
        });
        let file = plan_of(
            &r,
            |rows| rows[2][col(Column::CourseEnrollments)] = String::new(),
            false,
        );
        assert_eq!(effect(&page), effect(&file));
        assert!(
            page.entries[0].message.starts_with("Progress is 14 %"),
            "{page:?}"
        );
        let page = page_plan(&r, &[4], |_| Desired::permission(Permission::Manager));
        let file = plan_of(
            &r,
            |rows| rows[3][col(Column::Permission)] = "manager".into(),
            false,
        );
        assert_eq!(effect(&page), effect(&file));
        assert_eq!(page.count(Action::Refused), 1, "{page:?}");
    }

    #[test]
    fn the_export_plans_no_change() {
        let r = roster(vec![
            member(1, "ana@example.com"),
            member(2, "bo@example.com"),
        ]);
        let plan = plan_of(&r, |_| {}, true);
        assert_eq!(plan.count(Action::Unchanged), 2, "{plan:?}");
        assert!(!plan.changes_anything());
    }

    #[test]
    fn edits_become_changes_and_a_missing_row_a_deactivation_only_when_asked() {
        let r = roster(vec![
            member(1, "ana@example.com"),
            member(2, "bo@example.com"),
            member(3, "cy@example.com"),
        ]);
        let edit = |rows: &mut Vec<Vec<String>>| {
            rows[0][Column::JobTitle.index()] = "Sales Manager".into();
            rows[1][Column::Team.index()] = "DACH".into();
            rows.remove(2);
        };
        let plan = plan_of(&r, edit, false);
        assert_eq!(plan.count(Action::Change), 2);
        assert_eq!(plan.count(Action::Deactivate), 0);
        assert_eq!(plan.entries[0].changes[0].field, "job_title");
        assert_eq!(plan.entries[1].changes[0].to, "EMEA / DACH");
        let plan = plan_of(&r, edit, true);
        assert_eq!(plan.count(Action::Deactivate), 1);
        // cy's Enable seat (license below 10 %) returns to the pool.
        assert_eq!(plan.enable_free_after, plan.enable_free_before + 1);
    }

    #[test]
    fn the_rules_refuse_with_their_reason() {
        let mut used = member(1, "ana@example.com");
        used.programs = vec![(
            Program::Masterclass,
            Progress::from_basis_points(1500).unwrap(),
        )];
        let mut invited = member(2, "bo@example.com");
        invited.status = MemberStatus::Invited;
        invited.programs.clear();
        let mut admin = member(3, "cy@example.com");
        admin.permission = Permission::Admin;
        let r = roster(vec![used, invited, admin]);
        let plan = plan_of(
            &r,
            |rows| {
                // A program at 15 %: cannot be removed.
                rows[0][Column::CourseEnrollments.index()] = String::new();
                // Invited members are frozen for programs.
                rows[1][Column::CourseEnrollments.index()] = "meddpicc-masterclass".into();
                // The last active administrator stays.
                rows[2][Column::Permission.index()] = "member".into();
            },
            false,
        );
        assert_eq!(plan.count(Action::Refused), 3, "{plan:#?}");
        assert!(
            plan.entries[0].message.contains("15"),
            "{}",
            plan.entries[0].message
        );
        assert!(plan.entries[1].message.contains("account setup"));
        assert!(plan.entries[2]
            .message
            .contains("last active administrator"));
    }

    #[test]
    fn seats_freed_by_the_file_count_before_seats_it_asks_for() {
        let mut a = member(1, "ana@example.com");
        a.programs.clear();
        let mut b = member(2, "bo@example.com");
        b.enable_seat = false;
        b.programs.clear();
        let mut r = roster(vec![a, b]);
        r.enable_bought = r.enable_held; // none free
        let plan = plan_of(
            &r,
            |rows| {
                rows[1][Column::MosEnable.index()] = "TRUE".into(); // asks one (row 3)
                rows[0][Column::MosEnable.index()] = "FALSE".into(); // frees one (row 2)
                rows[0][Column::CourseEnrollments.index()] = String::new();
            },
            false,
        );
        assert_eq!(plan.count(Action::Change), 2, "{plan:#?}");
        assert_eq!((plan.enable_free_before, plan.enable_free_after), (0, 0));
        let plan = plan_of(
            &r,
            |rows| rows[1][Column::MosEnable.index()] = "TRUE".into(),
            false,
        );
        assert_eq!(plan.count(Action::Refused), 1);
        assert!(plan.entries[1].message.contains("No free Enable seat"));
    }

    #[test]
    fn new_rows_are_invitations_and_conflicting_rows_are_refused() {
        let r = roster(vec![
            member(1, "ana@example.com"),
            member(2, "bo@example.com"),
        ]);
        let plan = plan_of(
            &r,
            |rows| {
                let mut new = rows[0].clone();
                new[Column::UserId.index()] = "EXT00099".into();
                new[Column::Email.index()] = "new@example.com".into();
                new[Column::MosEnable.index()] = "FALSE".into();
                new[Column::CourseEnrollments.index()] = String::new();
                rows.push(new);
                // bo's user_id with ana's address.
                rows[1][Column::Email.index()] = "ana@example.com".into();
            },
            false,
        );
        assert_eq!(plan.count(Action::New), 1, "{plan:#?}");
        assert_eq!(plan.entries[1].action, Action::Refused);
        assert!(plan.entries[1].message.contains("correct one of them"));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn any_member(id: i64) -> impl Strategy<Value = RosterMember> {
            let names = prop::sample::select(vec![
                "Ana",
                "Zoë",
                "Jürgen",
                "L'Œuvre",
                "Ødegård",
                "O'Neil",
                "Nguyễn",
            ]);
            let titles = prop::sample::select(vec![
                "",
                "Account Executive",
                "-Lead",
                "=Boss",
                "Sales, EMEA",
            ]);
            let teams = prop::sample::select(vec![("", ""), ("EMEA", "Iberia"), ("EMEA", "DACH")]);
            (
                names.clone(),
                names,
                titles,
                prop::sample::select(vec![
                    MemberStatus::Active,
                    MemberStatus::Invited,
                    MemberStatus::Deactivated,
                ]),
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
                prop::collection::vec((0usize..6, 0i64..=10_000), 0..3),
                teams,
                any::<bool>(),
            )
                .prop_map(
                    move |(
                        first,
                        last,
                        title,
                        status,
                        admin,
                        enable,
                        opportunity,
                        programs,
                        (region, team),
                        has_id,
                    )| {
                        let mut programs: Vec<(Program, Progress)> = programs
                            .into_iter()
                            .map(|(p, bp)| {
                                (Program::ALL[p], Progress::from_basis_points(bp).unwrap())
                            })
                            .collect();
                        programs.sort_by_key(|(p, _)| Program::ALL.iter().position(|q| q == p));
                        programs.dedup_by_key(|(p, _)| *p);
                        if !enable || status == MemberStatus::Deactivated {
                            programs.clear();
                        }
                        RosterMember {
                            id,
                            user_id: if has_id {
                                ExternalId::from_number(id as u32)
                            } else {
                                None
                            },
                            first_name: first.into(),
                            last_name: last.into(),
                            email: format!("m{id}@example.com"),
                            job_title: title.into(),
                            permission: if admin {
                                Permission::Admin
                            } else {
                                Permission::Member
                            },
                            status,
                            enable_seat: enable && status != MemberStatus::Deactivated,
                            opportunity_seat: opportunity && status != MemberStatus::Deactivated,
                            programs,
                            region: region.into(),
                            team: team.into(),
                            deactivate_on: String::new(),
                        }
                    },
                )
        }

        fn any_roster() -> impl Strategy<Value = Roster> {
            (1usize..30)
                .prop_flat_map(|n| (0..n as i64).map(|i| any_member(i + 1)).collect::<Vec<_>>())
                .prop_map(roster)
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]
            /// For any organization, exporting and re-importing the export plans no change,
            /// with or without deactivating members who are not in the file.
            #[test]
            fn exporting_and_reimporting_plans_no_change(roster in any_roster(), deactivate in any::<bool>()) {
                let csv = crate::export::roster_csv(&roster.members);
                let parsed = parse(csv);
                prop_assert!(parsed.file_problems.is_empty(), "{:?}", parsed.file_problems);
                let plan = plan(&parsed.rows, &parsed.present, &roster, deactivate);
                prop_assert!(!plan.changes_anything(), "{:#?}", plan.entries);
                prop_assert_eq!(plan.count(Action::Unchanged), roster.members.len(), "{:#?}", plan.entries);
            }
        }
    }
}

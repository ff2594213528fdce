//! What someone wants a member to be: the one input of the change planner
//! (`import::roster::plan_wishes`). Each field left `None` stays as it is. A change-set
//! file is one producer ([`Desired::from_row`]); the member page's edits and bulk actions
//! are others (the builders below, which the server's functions call); SCIM requests will
//! be the next. Whatever produced it, the same rules judge it and the same code applies it.

use super::parse::RowCells;
use super::template::{Column, CELLS};
use crate::domain::{Permission, Program, SeatKind};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Desired {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub job_title: Option<String>,
    pub permission: Option<Permission>,
    pub enable_seat: Option<bool>,
    pub opportunity_seat: Option<bool>,
    /// Every program the member should be enrolled in, in catalog order.
    pub programs: Option<Vec<Program>>,
    /// `(region, team)` by name; `("", "")` is no team.
    pub team: Option<(String, String)>,
    /// The day to deactivate the member (`YYYY-MM-DD`), `""` for none.
    #[serde(default)]
    pub deactivate_on: Option<String>,
}

impl Desired {
    /// What a file's row asks (only the columns the file has count).
    pub fn from_row(cells: &RowCells, present: &[bool; CELLS]) -> Self {
        let has = |c: Column| present[c.index()];
        let text = |c: Column| has(c).then(|| crate::domain::trim(cells.get(c)).to_owned());
        let flag = |c: Column| has(c).then(|| cells.get(c).eq_ignore_ascii_case("true"));
        Desired {
            first_name: text(Column::FirstName),
            last_name: text(Column::LastName),
            job_title: text(Column::JobTitle),
            permission: has(Column::Permission)
                .then(|| Permission::parse(cells.get(Column::Permission)).ok())
                .flatten(),
            enable_seat: flag(Column::MosEnable),
            opportunity_seat: flag(Column::MosOpportunity),
            programs: has(Column::CourseEnrollments).then(|| {
                in_catalog_order(
                    cells
                        .get(Column::CourseEnrollments)
                        .split(',')
                        .map(crate::domain::trim)
                        .filter(|s| !s.is_empty())
                        .filter_map(Program::from_slug)
                        .collect(),
                )
            }),
            team: (has(Column::Team) || has(Column::Region)).then(|| {
                (
                    crate::domain::trim(cells.get(Column::Region)).to_owned(),
                    crate::domain::trim(cells.get(Column::Team)).to_owned(),
                )
            }),
            deactivate_on: text(Column::DeactivateOn),
        }
    }

    /// The member page's seat buttons: hold (or not) a seat of `kind`.
    pub fn seat(kind: SeatKind, hold: bool) -> Self {
        match kind {
            SeatKind::Enable => Desired {
                enable_seat: Some(hold),
                ..Desired::default()
            },
            SeatKind::Opportunity => Desired {
                opportunity_seat: Some(hold),
                ..Desired::default()
            },
        }
    }

    /// The member list's permission menu.
    pub fn permission(permission: Permission) -> Self {
        Desired {
            permission: Some(permission),
            ..Desired::default()
        }
    }

    /// The team menu and Bulk Team Assign: `Some((region, team))`, or `None` for no team.
    pub fn team(team: Option<(&str, &str)>) -> Self {
        let (region, team) = team.unwrap_or(("", ""));
        Desired {
            team: Some((region.to_owned(), team.to_owned())),
            ..Desired::default()
        }
    }

    /// The member page's Assign and Unassign: the member's programs (`current`) with
    /// `program` added (`enrolled`) or taken away.
    pub fn program(current: &[Program], program: Program, enrolled: bool) -> Self {
        let mut programs: Vec<Program> =
            current.iter().copied().filter(|p| *p != program).collect();
        if enrolled {
            programs.push(program);
        }
        Desired {
            programs: Some(in_catalog_order(programs)),
            ..Desired::default()
        }
    }
}

fn in_catalog_order(mut programs: Vec<Program>) -> Vec<Program> {
    programs.sort_by_key(|p| Program::ALL.iter().position(|q| q == p));
    programs.dedup();
    programs
}

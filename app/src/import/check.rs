//! The checks of SPEC §4: each column's rule, duplicates inside the file, addresses and
//! user_ids the organization already has, programs without an Enable seat, and the whole
//! file against the free seats. Every problem names its row, its column and what to do.

use super::parse::{Column, RowCells};
use super::{CellProblem, MAX_ROWS};
use crate::domain::{Email, ExternalId, JobTitle, PersonName, Program};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// A row that passed every column rule, ready to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRow {
    pub row: u32,
    pub external_id: ExternalId,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: Email,
    pub job_title: JobTitle,
    pub enable_seat: bool,
    pub opportunity_seat: bool,
    pub programs: Vec<Program>,
}

/// What the organization already has, for the checks against it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgContext {
    /// Members' addresses, lowercase.
    pub emails: HashSet<String>,
    pub user_ids: HashSet<u32>,
    pub enable_free: i64,
    pub opportunity_free: i64,
}

fn boolean(value: &str) -> Option<bool> {
    if value.is_empty() || value.eq_ignore_ascii_case("false") {
        Some(false)
    } else if value.eq_ignore_ascii_case("true") {
        Some(true)
    } else {
        None
    }
}

/// The column rules of one row, on their own (no file, no organization).
pub fn check_row(cells: &RowCells) -> Result<ValidRow, Vec<CellProblem>> {
    let row = cells.row;
    let mut problems = Vec::new();
    let mut problem = |column: Column, message: String| {
        problems.push(CellProblem {
            row,
            column: Some(column),
            message,
        })
    };

    let user_id = cells.get(Column::UserId);
    let external_id = if user_id.is_empty() {
        problem(
            Column::UserId,
            "Enter a user_id: EXT and five digits, like EXT00001, one per member.".into(),
        );
        None
    } else {
        ExternalId::parse(user_id)
            .map_err(|e| problem(Column::UserId, e.0))
            .ok()
    };
    let first_name = PersonName::parse(cells.get(Column::FirstName), "first name")
        .map_err(|e| problem(Column::FirstName, e.0))
        .ok();
    let last_name = PersonName::parse(cells.get(Column::LastName), "last name")
        .map_err(|e| problem(Column::LastName, e.0))
        .ok();
    let email = Email::parse(cells.get(Column::Email))
        .map_err(|e| problem(Column::Email, e.0))
        .ok();
    let job_title = JobTitle::parse(cells.get(Column::JobTitle))
        .map_err(|e| problem(Column::JobTitle, e.0))
        .ok();
    let mut flag = |column: Column| {
        boolean(cells.get(column)).or_else(|| {
            problem(column, format!("\u{201c}{}\u{201d} is not TRUE or FALSE: write TRUE, FALSE, or leave it empty for FALSE.", cells.get(column)));
            None
        })
    };
    let enable_seat = flag(Column::MosEnable);
    let opportunity_seat = flag(Column::MosOpportunity);
    let mut programs = Vec::new();
    let slugs = cells.get(Column::CourseEnrollments);
    for slug in slugs.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match Program::parse(slug) {
            Ok(program) if !programs.contains(&program) => programs.push(program),
            Ok(_) => {}
            Err(e) => problem(Column::CourseEnrollments, e.0),
        }
    }
    if !programs.is_empty() && enable_seat == Some(false) {
        problem(
            Column::CourseEnrollments,
            "Programs need an Enable seat: set mos_enable to TRUE, or remove the programs.".into(),
        );
    }
    match (
        external_id,
        first_name,
        last_name,
        email,
        job_title,
        enable_seat,
        opportunity_seat,
    ) {
        (
            Some(external_id),
            Some(first_name),
            Some(last_name),
            Some(email),
            Some(job_title),
            Some(enable_seat),
            Some(opportunity_seat),
        ) if problems.is_empty() => Ok(ValidRow {
            row,
            external_id,
            first_name,
            last_name,
            email,
            job_title,
            enable_seat,
            opportunity_seat,
            programs,
        }),
        _ => Err(problems),
    }
}

/// Everything wrong with a file, and the rows that can be imported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Every problem, in row order.
    pub problems: Vec<CellProblem>,
    /// Problems of the file as a whole (seats, size).
    pub file_problems: Vec<String>,
    /// The rows without problems, in file order.
    pub valid: Vec<ValidRow>,
    pub enable_asked: i64,
    pub opportunity_asked: i64,
}

impl CheckReport {
    pub fn rows_with_problems(&self) -> usize {
        let mut rows: Vec<u32> = self.problems.iter().map(|p| p.row).collect();
        rows.dedup();
        rows.len()
    }
}

/// Checks every row, then the file: duplicates name both rows, and with an organization
/// its members and free seats count too.
pub fn check_file(rows: &[RowCells], org: Option<&OrgContext>) -> CheckReport {
    let mut report = CheckReport::default();
    if rows.len() > MAX_ROWS {
        report.file_problems.push(format!(
            "This file has {} rows; one import takes at most {MAX_ROWS}. Split it into several files.",
            rows.len()
        ));
    }
    // First row of each address (lowercase, borrowed when already lowercase) and user_id.
    let mut emails: HashMap<Cow<'_, str>, u32> = HashMap::with_capacity(rows.len());
    let mut user_ids: HashMap<u32, u32> = HashMap::with_capacity(rows.len());
    for cells in rows {
        let mut row_problems = Vec::new();
        let email = cells.get(Column::Email);
        let key: Cow<'_, str> =
            if email.bytes().any(|b| b.is_ascii_uppercase()) || !email.is_ascii() {
                Cow::Owned(email.to_lowercase())
            } else {
                Cow::Borrowed(email)
            };
        if !key.is_empty() {
            if let Some(&first) = emails.get(&key) {
                row_problems.push(CellProblem {
                    row: cells.row,
                    column: Some(Column::Email),
                    message: format!(
                        "This email address is also in row {first}: keep one of the two rows."
                    ),
                });
            } else if org.is_some_and(|o| o.emails.contains(key.as_ref())) {
                row_problems.push(CellProblem {
                    row: cells.row,
                    column: Some(Column::Email),
                    message: "A member with this email address is already in your organization: remove the row.".into(),
                });
            }
        }
        if let Ok(id) = ExternalId::parse(cells.get(Column::UserId)) {
            if let Some(&first) = user_ids.get(&id.number()) {
                row_problems.push(CellProblem {
                    row: cells.row,
                    column: Some(Column::UserId),
                    message: format!(
                        "{id} is also in row {first}: give each member their own user_id."
                    ),
                });
            } else if org.is_some_and(|o| o.user_ids.contains(&id.number())) {
                row_problems.push(CellProblem {
                    row: cells.row,
                    column: Some(Column::UserId),
                    message: format!("{id} already belongs to a member of your organization: use a free user_id."),
                });
            }
            user_ids.entry(id.number()).or_insert(cells.row);
        }
        if !key.is_empty() {
            emails.entry(key).or_insert(cells.row);
        }
        match check_row(cells) {
            Ok(valid) if row_problems.is_empty() => {
                report.enable_asked += i64::from(valid.enable_seat);
                report.opportunity_asked += i64::from(valid.opportunity_seat);
                report.valid.push(valid);
            }
            Ok(_) => {}
            Err(mut found) => {
                found.append(&mut row_problems);
                row_problems = found;
            }
        }
        report.problems.append(&mut row_problems);
    }
    if let Some(org) = org {
        for (asked, free, kind, column) in [
            (report.enable_asked, org.enable_free, "Enable", "mos_enable"),
            (
                report.opportunity_asked,
                org.opportunity_free,
                "Opportunity",
                "mos_opportunity",
            ),
        ] {
            if asked > free {
                report.file_problems.push(format!(
                    "This file asks for {asked} {kind} seat{}; {free} {} free. Set {column} to FALSE for {} row{}, or free or buy seats first.",
                    if asked == 1 { "" } else { "s" },
                    if free == 1 { "is" } else { "are" },
                    asked - free,
                    if asked - free == 1 { "" } else { "s" },
                ));
            }
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::parse;

    const HEADER: &str = "user_id,first_name,last_name,email,job_title,mos_enable,mos_opportunity,course_enrollments\n";

    fn report(body: &str, org: Option<&OrgContext>) -> CheckReport {
        let parsed = parse(format!("{HEADER}{body}").as_bytes());
        assert!(
            parsed.file_problems.is_empty(),
            "{:?}",
            parsed.file_problems
        );
        check_file(&parsed.rows, org)
    }

    fn found(report: &CheckReport) -> Vec<(u32, Option<&'static str>)> {
        report
            .problems
            .iter()
            .map(|p| (p.row, p.column.map(Column::name)))
            .collect()
    }

    #[test]
    fn a_good_file_has_no_problems() {
        let r = report(
            "EXT00001,Ana,López,ana@example.com,AE,TRUE,false,\"meddpicc-masterclass,Meddicc-go-live-plan\"\nEXT00002,Bo,Li,bo@example.com,,,,\n",
            None,
        );
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.valid.len(), 2);
        assert_eq!(
            r.valid[0].programs,
            [Program::Masterclass, Program::GoLivePlan]
        );
        assert_eq!((r.enable_asked, r.opportunity_asked), (1, 0));
    }

    #[test]
    fn every_kind_of_mistake_is_found_at_its_row() {
        let long = "x".repeat(101);
        let body = format!(
            "EXT1,Ana,López,ana@example.com,,TRUE,,\n\
             EXT00002,,Li,not-an-email,,yes,,\n\
             EXT00003,{long},Li,c@example.com,,FALSE,,meddpicc-masterclass\n\
             EXT00004,Di,Li,ANA@example.com,,TRUE,,meddpic-masterclass\n\
             EXT00003,Ed,Li,e@example.com,,,maybe,\n\
             ,Fe,Li,f@example.com,,,,\n"
        );
        let r = report(&body, None);
        assert_eq!(
            found(&r),
            [
                (2, Some("user_id")),
                (3, Some("first_name")),
                (3, Some("email")),
                (3, Some("mos_enable")),
                (4, Some("first_name")),
                (4, Some("course_enrollments")),
                (5, Some("course_enrollments")),
                (5, Some("email")),
                (6, Some("mos_opportunity")),
                (6, Some("user_id")),
                (7, Some("user_id")),
            ]
        );
        let messages: Vec<String> = r.problems.iter().map(ToString::to_string).collect();
        assert!(
            messages.contains(
                &"Row 5, email: This email address is also in row 2: keep one of the two rows."
                    .to_owned()
            ),
            "{messages:#?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("did you mean \u{201c}meddpicc-masterclass\u{201d}")),
            "{messages:#?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("Row 6, user_id: EXT00003 is also in row 4")),
            "{messages:#?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("Row 4, course_enrollments: Programs need an Enable seat")),
            "{messages:#?}"
        );
        assert_eq!(r.valid.len(), 0);
    }

    #[test]
    fn the_organization_counts() {
        let org = OrgContext {
            emails: ["ana@example.com".to_owned()].into(),
            user_ids: [7].into(),
            enable_free: 1,
            opportunity_free: 5,
        };
        let r = report(
            "EXT00001,Ana,L,Ana@Example.com,,TRUE,,\nEXT00007,Bo,L,bo@example.com,,TRUE,,\nEXT00008,Cy,L,cy@example.com,,TRUE,,\nEXT00009,Di,L,di@example.com,,TRUE,,\n",
            Some(&org),
        );
        assert_eq!(found(&r), [(2, Some("email")), (3, Some("user_id"))]);
        assert_eq!(
            r.file_problems,
            ["This file asks for 2 Enable seats; 1 is free. Set mos_enable to FALSE for 1 row, or free or buy seats first."]
        );
    }

    #[test]
    fn never_panics_on_arbitrary_bytes() {
        // A deterministic pseudo-random sweep (the property test in tests/ goes further).
        const ALPHABET: &[u8] = b"ab,;\"\n\r\xc3\xa9\xff EXT0123456789@.-_";
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for len in (0..4000).map(|n| n % 700) {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    ALPHABET[(state % ALPHABET.len() as u64) as usize]
                })
                .collect();
            let parsed = parse(&bytes);
            let _ = check_file(&parsed.rows, Some(&OrgContext::default()));
        }
    }
}

//! The checks of SPEC §4: each column's rule, duplicates inside the file, addresses and
//! user_ids the organization already has, programs without an Enable seat, and the whole
//! file against the free seats. Every problem names its row, its column and what to do.

use super::parse::{Column, RowCells, CELLS};
use super::{CellProblem, MAX_EXPECTED_ROWS, MAX_ROWS};
use crate::domain::invitee::refusal;
use crate::domain::{
    Email, ExternalId, FieldError, Invitee, JobTitle, Permission, PersonName, Program,
};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// For keys that already are hashes (see [`hash`]): used as they are.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
    /// A 32-bit key spread over the 64 bits the map uses (its buckets take the low bits,
    /// its tags the high ones).
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// A 64-bit hash of a text, eight bytes at a time: every address of the file is hashed,
/// and a byte at a time (FNV, SipHash) costs several times as much in the browser. Quality matters
/// only for speed: equal hashes are confirmed by comparing the addresses.
fn hash(text: &str) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = text.len() as u64;
    let mut words = text.as_bytes().chunks_exact(8);
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
        h = (h.rotate_left(23) ^ word).wrapping_mul(K);
    }
    let mut last = [0u8; 8];
    last[..words.remainder().len()].copy_from_slice(words.remainder());
    h = (h.rotate_left(23) ^ u64::from_le_bytes(last)).wrapping_mul(K);
    h ^ (h >> 29)
}

/// A row that passed every column rule: the person to invite, and where they were read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRow {
    pub row: u32,
    pub invitee: Invitee,
}

/// What the organization already has, for the checks against it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgContext {
    /// Members' addresses, lowercase, with each one's user_id.
    pub emails: HashMap<String, Option<u32>>,
    pub user_ids: HashSet<u32>,
    pub enable_free: i64,
    pub opportunity_free: i64,
    /// The organization's own mail domain (most members'), for typo warnings: found once
    /// here, not by each check of a file (the page checks again after every edit).
    pub home_domains: Vec<String>,
}

impl OrgContext {
    /// The context of an organization whose members have `emails` (lowercase, with their
    /// user_ids); the user_ids and the home domain follow from them.
    pub fn new(
        emails: HashMap<String, Option<u32>>,
        enable_free: i64,
        opportunity_free: i64,
    ) -> Self {
        Self {
            user_ids: emails.values().flatten().copied().collect(),
            home_domains: home_domains(&emails),
            emails,
            enable_free,
            opportunity_free,
        }
    }
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

/// What a valid row asks for, found without allocating (the browser checks 100,000 rows
/// in one go; building owned values for each would cost more than the check itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowFacts {
    pub enable_seat: bool,
    pub opportunity_seat: bool,
}

/// The column rules of one row, on their own (no file, no organization).
pub fn validate_row(cells: &RowCells) -> Result<RowFacts, Vec<CellProblem>> {
    let all = cells.all_cells();
    validate_cells(
        cells.row,
        &all,
        ExternalId::parse(all[Column::UserId.index()]),
    )
}

/// [`validate_row`] on the row's cells (see [`RowCells::all_cells`]), its user_id already
/// parsed: the file's check reads both once a row.
fn validate_cells(
    row: u32,
    cells: &[&str; CELLS],
    user_id: Result<ExternalId, FieldError>,
) -> Result<RowFacts, Vec<CellProblem>> {
    let cell = |column: Column| cells[column.index()];
    let mut problems = Vec::new();
    let mut problem = |column: Column, message: String| {
        problems.push(CellProblem {
            row,
            column: Some(column),
            message,
        })
    };

    if cell(Column::UserId).is_empty() {
        problem(
            Column::UserId,
            "Enter a user_id: EXT and five digits, like EXT00001, one per member.".into(),
        );
    } else if let Err(e) = user_id {
        problem(Column::UserId, e.0);
    }
    if let Err(e) = PersonName::check(cell(Column::FirstName), "first name") {
        problem(Column::FirstName, e.0);
    }
    if let Err(e) = PersonName::check(cell(Column::LastName), "last name") {
        problem(Column::LastName, e.0);
    }
    if let Err(e) = Email::check(cell(Column::Email)) {
        problem(Column::Email, e.0);
    }
    if let Err(e) = JobTitle::check(cell(Column::JobTitle)) {
        problem(Column::JobTitle, e.0);
    }
    // The roster's permission column, when the file has one (an exported roster).
    let permission = cell(Column::Permission);
    if !permission.is_empty() {
        if let Err(e) = Permission::parse(permission) {
            problem(Column::Permission, e.0);
        }
    }
    let mut flag = |column: Column| {
        boolean(cell(column)).or_else(|| {
            problem(column, format!("\u{201c}{}\u{201d} is not TRUE or FALSE: write TRUE, FALSE, or leave it empty for FALSE.", cell(column)));
            None
        })
    };
    let enable_seat = flag(Column::MosEnable);
    let opportunity_seat = flag(Column::MosOpportunity);
    let mut any_program = false;
    for slug in cell(Column::CourseEnrollments)
        .split(',')
        .map(crate::domain::trim)
        .filter(|s| !s.is_empty())
    {
        match Program::from_slug(slug) {
            Some(_) => any_program = true,
            None => problem(
                Column::CourseEnrollments,
                Program::parse(slug).err().map(|e| e.0).unwrap_or_default(),
            ),
        }
    }
    if any_program && enable_seat == Some(false) {
        problem(
            Column::CourseEnrollments,
            "Programs need an Enable seat: set mos_enable to TRUE, or remove the programs.".into(),
        );
    }
    match (enable_seat, opportunity_seat) {
        (Some(enable_seat), Some(opportunity_seat)) if problems.is_empty() => Ok(RowFacts {
            enable_seat,
            opportunity_seat,
        }),
        _ => Err(problems),
    }
}

/// A row that passes [`validate_row`], as owned, checked values (what the server imports).
pub fn check_row(cells: &RowCells) -> Result<ValidRow, Vec<CellProblem>> {
    let facts = validate_row(cells)?;
    let build = || -> Result<ValidRow, crate::domain::FieldError> {
        let mut programs = Vec::new();
        for slug in cells
            .get(Column::CourseEnrollments)
            .split(',')
            .map(crate::domain::trim)
            .filter(|s| !s.is_empty())
        {
            let program = Program::parse(slug)?;
            if !programs.contains(&program) {
                programs.push(program);
            }
        }
        Ok(ValidRow {
            row: cells.row,
            invitee: Invitee {
                external_id: Some(ExternalId::parse(cells.get(Column::UserId))?),
                first_name: PersonName::parse(cells.get(Column::FirstName), "first name")?,
                last_name: PersonName::parse(cells.get(Column::LastName), "last name")?,
                email: Email::parse(cells.get(Column::Email))?,
                job_title: JobTitle::parse(cells.get(Column::JobTitle))?,
                // A file invites members; administrators are made on the member list.
                permission: Permission::Member,
                enable_seat: facts.enable_seat,
                opportunity_seat: facts.opportunity_seat,
                programs,
            },
        })
    };
    // validate_row accepted every cell, so these parses succeed; should one ever not, it is
    // reported on the row rather than a panic.
    build().map_err(|e| {
        vec![CellProblem {
            row: cells.row,
            column: None,
            message: e.0,
        }]
    })
}

/// Everything wrong with a file, and the rows that can be imported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Every problem, in row order.
    pub problems: Vec<CellProblem>,
    /// Problems of the file as a whole (seats, size).
    pub file_problems: Vec<String>,
    /// Positions (in the checked slice) of the rows without problems, in file order.
    pub valid: Vec<usize>,
    /// Positions of the rows that are members already, with the same address and user_id:
    /// imported before (by an import that stopped and is now continued). Not problems,
    /// and not imported again.
    pub already: Vec<usize>,
    /// Rows whose address or user_id the organization has: members already, or rows
    /// clashing with one (what makes a dropped file a candidate change set). Counted here,
    /// where each row is looked up anyway: the page counted them again over every row.
    pub matched: usize,
    pub enable_asked: i64,
    pub opportunity_asked: i64,
    /// Addresses that are probably mistyped (a provider or the organization's domain one
    /// slip away): "did you mean", never a refusal.
    pub warnings: Vec<CellProblem>,
}

impl CheckReport {
    /// The rows without problems as owned, checked values, ready to import.
    pub fn valid_rows(&self, rows: &[RowCells]) -> Result<Vec<ValidRow>, Vec<CellProblem>> {
        self.valid.iter().map(|&i| check_row(&rows[i])).collect()
    }

    pub fn rows_with_problems(&self) -> usize {
        let mut rows: Vec<u32> = self.problems.iter().map(|p| p.row).collect();
        rows.dedup();
        rows.len()
    }
}

/// Checks every row, then the file: duplicates name both rows, and with an organization
/// its members and free seats count too.
pub fn check_file(rows: &[RowCells], org: Option<&OrgContext>) -> CheckReport {
    let mut checker = FileChecker::new(org, rows.len());
    checker.check(rows, 0..rows.len());
    checker.finish()
}

/// [`check_file`] a slice of rows at a time, so that the page can check a million rows
/// without freezing. Rows are checked in file order; duplicates are found against every
/// row checked before.
pub struct FileChecker<'o> {
    org: Option<&'o OrgContext>,
    /// The first row (its position in the rows) of each address, by a 32-bit hash of the
    /// address in lowercase: no copy of the addresses, eight bytes an address (a million
    /// rows: 19 MB). A hit is confirmed by comparing the two addresses; the rare different
    /// address with the same hash (a hundred or so in a million) goes to `collided`.
    emails: HashMap<u32, u32, BuildHasherDefault<Prehashed>>,
    collided: HashMap<String, u32>,
    /// The first row (its spreadsheet number) of each five-digit user_id, by the id's
    /// number (a flat table of 100,000: no hashing for the usual file); 0 for none yet.
    user_ids: Vec<u32>,
    /// The same for the longer user_ids (EXT100000 and on), which only large
    /// organizations have.
    long_user_ids: HashMap<u32, u32>,
    rows_checked: usize,
    /// How many rows the file is expected to have (see [`FileChecker::expect_rows`]).
    expected_rows: usize,
    report: CheckReport,
    /// Each domain met, with its likely intended form: most files have few domains.
    typos: HashMap<String, Option<String>>,
    /// The domain of the row before, and its intended form: rows of one domain follow
    /// each other, and hashing each row's domain for `typos` cost the check 2 %.
    last_domain: (String, Option<String>),
}

/// The domain most of the organization's members have (their company's), if any.
fn home_domains(emails: &HashMap<String, Option<u32>>) -> Vec<String> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for email in emails.keys() {
        if let Some((_, domain)) = email.rsplit_once('@') {
            *counts.entry(domain).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .filter(|(_, n)| *n >= 2)
        .max_by_key(|(domain, n)| (*n, std::cmp::Reverse(*domain)))
        .map(|(domain, _)| vec![domain.to_owned()])
        .unwrap_or_default()
}

/// An address as addresses are compared ([`crate::domain::email::key`]), borrowed when it
/// is already.
fn lowercase(email: &str) -> Cow<'_, str> {
    if email.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(email.to_ascii_lowercase())
    } else {
        Cow::Borrowed(email)
    }
}

impl<'o> FileChecker<'o> {
    pub fn new(org: Option<&'o OrgContext>, expected_rows: usize) -> Self {
        Self {
            org,
            emails: HashMap::with_capacity_and_hasher(
                expected_rows.min(MAX_EXPECTED_ROWS),
                Default::default(),
            ),
            collided: HashMap::new(),
            user_ids: vec![0; ExternalId::FIVE_DIGITS as usize + 1],
            long_user_ids: HashMap::new(),
            expected_rows: expected_rows.min(MAX_EXPECTED_ROWS),
            rows_checked: 0,
            report: CheckReport::default(),
            typos: HashMap::new(),
            last_domain: Default::default(),
        }
    }

    /// Room for `rows` rows in all (checked so far included), when the caller learns how
    /// many to expect after the first rows: the address map is then made once at its size
    /// rather than grown by copying itself, which at a million rows leaves tens of
    /// megabytes behind in the page's memory.
    pub fn expect_rows(&mut self, rows: usize) {
        let rows = rows.min(MAX_EXPECTED_ROWS);
        self.expected_rows = rows;
        self.emails.reserve(rows.saturating_sub(self.emails.len()));
        let valid = &mut self.report.valid;
        valid.reserve(rows.saturating_sub(valid.len()));
    }

    /// A warning when the address's domain is probably mistyped.
    fn warn_typo(&mut self, row: u32, email: &str) {
        let Some((local, domain)) = email.rsplit_once('@') else {
            return;
        };
        // The usual row (the domain of the row before) allocates nothing here.
        if self.last_domain.0 != domain || domain.is_empty() {
            let meant = match self.typos.get(domain) {
                Some(meant) => meant.clone(),
                None => {
                    let home = self.org.map_or(&[][..], |o| o.home_domains.as_slice());
                    let meant = crate::domain::likely_domain_typo(domain, home);
                    self.typos.insert(domain.to_owned(), meant.clone());
                    meant
                }
            };
            self.last_domain.0.clear();
            self.last_domain.0.push_str(domain);
            self.last_domain.1 = meant;
        }
        if let Some(meant) = &self.last_domain.1 {
            self.report.warnings.push(CellProblem {
                row,
                column: Some(Column::Email),
                message: format!(
                    "Did you mean {local}@{meant}? Check the address: it is imported as written."
                ),
            });
        }
    }

    /// The first earlier row with this address, if any; otherwise this row becomes it.
    fn first_with_email(&mut self, rows: &[RowCells], index: usize, key: &str) -> Option<u32> {
        let hash = hash(key);
        let first = *self
            .emails
            .entry((hash ^ (hash >> 32)) as u32)
            .or_insert(index as u32);
        if first as usize == index {
            return None;
        }
        let earlier = &rows[first as usize];
        if lowercase(earlier.get(Column::Email)) == key {
            return Some(earlier.row);
        }
        // Same hash, another address.
        let row = rows[index].row;
        match self.collided.get(key) {
            Some(&earlier_row) => Some(earlier_row),
            None => {
                self.collided.insert(key.to_owned(), row);
                None
            }
        }
    }

    /// Checks `rows[range]`; `rows` holds every row of the file read so far, in order,
    /// and `range` continues where the previous call stopped.
    pub fn check(&mut self, rows: &[RowCells], range: std::ops::Range<usize>) {
        debug_assert_eq!(range.start, self.rows_checked);
        for index in range {
            let cells = &rows[index];
            let all = cells.all_cells();
            let mut row_problems = Vec::new();
            let key = lowercase(all[Column::Email.index()]);
            let user_id = ExternalId::parse(all[Column::UserId.index()]);
            if self.is_member_already(&user_id, &key) {
                self.report.already.push(index);
                self.report.matched += 1;
                self.rows_checked += 1;
                continue;
            }
            let email_taken = !key.is_empty()
                && self
                    .org
                    .is_some_and(|o| o.emails.contains_key(key.as_ref()));
            let user_id_taken = user_id
                .as_ref()
                .is_ok_and(|id| self.org.is_some_and(|o| o.user_ids.contains(&id.number())));
            self.report.matched += usize::from(email_taken || user_id_taken);
            if !key.is_empty() {
                if let Some(first) = self.first_with_email(rows, index, &key) {
                    row_problems.push(CellProblem {
                        row: cells.row,
                        column: Some(Column::Email),
                        message: refusal::email_twice_in_file(first),
                    });
                } else if email_taken {
                    row_problems.push(CellProblem {
                        row: cells.row,
                        column: Some(Column::Email),
                        message: refusal::EMAIL_TAKEN.into(),
                    });
                }
            }
            if let Ok(id) = &user_id {
                let id = *id;
                let first = match self.user_ids.get_mut(id.number() as usize) {
                    Some(first) => first,
                    None => {
                        // Files with long user_ids are large ones: room for the rest of
                        // the file's at the first (no growing by copying, as above).
                        if self.long_user_ids.is_empty() {
                            self.long_user_ids
                                .reserve(self.expected_rows.saturating_sub(self.rows_checked));
                        }
                        self.long_user_ids.entry(id.number()).or_insert(0)
                    }
                };
                if *first != 0 {
                    let first = *first;
                    row_problems.push(CellProblem {
                        row: cells.row,
                        column: Some(Column::UserId),
                        message: refusal::user_id_twice_in_file(id, first),
                    });
                } else if user_id_taken {
                    row_problems.push(CellProblem {
                        row: cells.row,
                        column: Some(Column::UserId),
                        message: refusal::user_id_taken(id),
                    });
                }
                if *first == 0 {
                    *first = cells.row;
                }
            }
            match validate_cells(cells.row, &all, user_id) {
                Ok(facts) if row_problems.is_empty() => {
                    self.warn_typo(cells.row, &key);
                    self.report.enable_asked += i64::from(facts.enable_seat);
                    self.report.opportunity_asked += i64::from(facts.opportunity_seat);
                    self.report.valid.push(index);
                }
                Ok(_) => {}
                Err(mut found) => {
                    found.append(&mut row_problems);
                    row_problems = found;
                }
            }
            self.report.problems.append(&mut row_problems);
            self.rows_checked += 1;
        }
    }

    /// Whether the row is a member of the organization already: the same address and the
    /// same user_id (a row imported before), not merely a clash with someone else.
    fn is_member_already(&self, user_id: &Result<ExternalId, FieldError>, email: &str) -> bool {
        let Some(org) = self.org.filter(|o| !o.emails.is_empty()) else {
            return false;
        };
        match org.emails.get(email) {
            Some(Some(member_id)) => user_id.as_ref().is_ok_and(|id| id.number() == *member_id),
            _ => false,
        }
    }

    /// The report, with the problems of the file as a whole (size, seats).
    pub fn finish(mut self) -> CheckReport {
        let rows = self.rows_checked;
        if rows > MAX_ROWS {
            self.report.file_problems.push(format!(
                "This file has {rows} rows; one import takes at most {MAX_ROWS}. Split it into several files."
            ));
        }
        let report = &mut self.report;
        if let Some(org) = self.org {
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
        self.report
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn likely_typos_are_warned_about_not_refused() {
        let parsed = parse(
            format!("{HEADER}EXT00001,Ana,López,ana@gmial.com,,,,\nEXT00002,Bo,Li,bo@example.con,,,,\nEXT00003,Cy,Ng,cy@gmail.com,,,,\n")
                .as_bytes(),
        );
        let report = check_file(&parsed.rows, None);
        assert_eq!(report.valid.len(), 3);
        let warned: Vec<String> = report.warnings.iter().map(|w| w.to_string()).collect();
        assert_eq!(warned.len(), 2, "{warned:?}");
        assert!(warned[0].contains("Row 2") && warned[0].contains("ana@gmail.com"));
        assert!(warned[1].contains("bo@example.com"));
    }
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
    fn long_user_ids_are_checked_like_short_ones() {
        let org = OrgContext {
            user_ids: [1_000_000].into(),
            ..OrgContext::default()
        };
        let r = report(
            "EXT100000,Ana,López,ana@example.com,,,,\nEXT100000,Bo,Li,bo@example.com,,,,\nEXT1000000,Cy,Ng,cy@example.com,,,,\nEXT0100000,Di,Ng,di@example.com,,,,\n",
            Some(&org),
        );
        assert_eq!(
            found(&r),
            [
                (3, Some("user_id")),
                (4, Some("user_id")),
                (5, Some("user_id"))
            ],
            "{:?}",
            r.problems
        );
        assert_eq!(r.valid, [0]);
    }

    #[test]
    fn a_good_file_has_no_problems() {
        let r = report(
            "EXT00001,Ana,López,ana@example.com,AE,TRUE,false,\"meddpicc-masterclass,Meddicc-go-live-plan\"\nEXT00002,Bo,Li,bo@example.com,,,,\n",
            None,
        );
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.valid, [0, 1]);
        let parsed = parse(format!("{HEADER}EXT00001,Ana,López,ana@example.com,AE,TRUE,false,\"meddpicc-masterclass,Meddicc-go-live-plan,meddpicc-masterclass\"\n").as_bytes());
        let valid = check_row(&parsed.rows[0]).unwrap();
        assert_eq!(
            valid.invitee.programs,
            [Program::Masterclass, Program::GoLivePlan]
        );
        assert_eq!((r.enable_asked, r.opportunity_asked), (1, 0));
    }

    #[test]
    fn every_kind_of_mistake_is_found_at_its_row() {
        let long = "x".repeat(101);
        let body = format!(
            "EXT1,Ana,López,ana@example.com,,TRUE,,\n\
             EXT00002,,Li,not-an-email,,maybe,,\n\
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
            user_ids: [7].into(),
            ..OrgContext::new([("ana@example.com".to_owned(), None)].into(), 1, 5)
        };
        let r = report(
            "EXT00001,Ana,L,Ana@Example.com,,TRUE,,\nEXT00007,Bo,L,bo@example.com,,TRUE,,\nEXT00008,Cy,L,cy@example.com,,TRUE,,\nEXT00009,Di,L,di@example.com,,TRUE,,\n",
            Some(&org),
        );
        assert_eq!(found(&r), [(2, Some("email")), (3, Some("user_id"))]);
        // Ana by address (whatever its case), Bo by user_id: what the page calls rows that
        // are members already.
        assert_eq!(r.matched, 2);
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
            let parsed = parse(bytes.as_slice());
            let _ = check_file(&parsed.rows, Some(&OrgContext::default()));
        }
    }
}

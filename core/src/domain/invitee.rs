use super::{Email, ExternalId, JobTitle, Permission, PersonName, Program};
use serde::{Deserialize, Serialize};

/// A member to invite as typed into the form: raw text that may be wrong. `parse` turns it
/// into an [`Invitee`] or says what is wrong, field by field. (A CSV row becomes an
/// `Invitee` through `import::check_row`.)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteeDraft {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub job_title: String,
    /// `admin` or `member`.
    pub permission: String,
    pub enable_seat: bool,
    pub opportunity_seat: bool,
}

/// A person to invite, checked: what the + Invite form, a CSV row and the command line
/// all produce, and the one thing the server's invite function takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitee {
    /// The organization's own id for the person (the CSV's user_id), when it has one.
    pub external_id: Option<ExternalId>,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: Email,
    pub job_title: JobTitle,
    pub permission: Permission,
    pub enable_seat: bool,
    pub opportunity_seat: bool,
    /// Programs to enroll in at once (SPEC rule 4 allows it when inviting with an Enable
    /// seat); no duplicates.
    pub programs: Vec<Program>,
}

/// The refusals of inviting someone, worded once: the form, the CSV check and the
/// database's constraints all say the same.
pub mod refusal {
    pub const EMAIL_TAKEN: &str =
        "A member with this email address is already in your organization: leave this person out.";

    pub fn user_id_taken(user_id: impl std::fmt::Display) -> String {
        format!("{user_id} already belongs to a member of your organization: use a free user_id.")
    }

    /// The same address twice in the invitation form; `first` counts from 1.
    pub fn email_twice_in_list(first: usize) -> String {
        format!("This email address is also member {first} of this list: invite each person once.")
    }

    /// The same address twice in a file; `first` is the spreadsheet row.
    pub fn email_twice_in_file(first: u32) -> String {
        format!("This email address is also in row {first}: keep one of the two rows.")
    }

    /// The same user_id twice in a file.
    pub fn user_id_twice_in_file(user_id: impl std::fmt::Display, first: u32) -> String {
        format!("{user_id} is also in row {first}: give each member their own user_id.")
    }
}

/// One thing wrong with one item of a batch: which item, which field, what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Position in the batch, from 0.
    pub item: usize,
    pub field: String,
    pub message: String,
}

pub mod field {
    pub const FIRST_NAME: &str = "first_name";
    pub const LAST_NAME: &str = "last_name";
    pub const EMAIL: &str = "email";
    pub const JOB_TITLE: &str = "job_title";
    pub const PERMISSION: &str = "permission";
}

impl InviteeDraft {
    /// Checks every field and reports every problem, not only the first.
    pub fn parse(&self, item: usize) -> Result<Invitee, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut check = |field: &str, result: Result<(), super::FieldError>| {
            if let Err(e) = result {
                problems.push(Problem {
                    item,
                    field: field.to_owned(),
                    message: e.0,
                });
            }
        };
        let first_name = PersonName::parse(&self.first_name, "first name");
        check(
            field::FIRST_NAME,
            first_name.as_ref().map(|_| ()).map_err(Clone::clone),
        );
        let last_name = PersonName::parse(&self.last_name, "last name");
        check(
            field::LAST_NAME,
            last_name.as_ref().map(|_| ()).map_err(Clone::clone),
        );
        let email = Email::parse(&self.email);
        check(
            field::EMAIL,
            email.as_ref().map(|_| ()).map_err(Clone::clone),
        );
        let job_title = JobTitle::parse(&self.job_title);
        check(
            field::JOB_TITLE,
            job_title.as_ref().map(|_| ()).map_err(Clone::clone),
        );
        let permission = Permission::parse(&self.permission);
        check(
            field::PERMISSION,
            permission.as_ref().map(|_| ()).map_err(Clone::clone),
        );
        match (first_name, last_name, email, job_title, permission) {
            (Ok(first_name), Ok(last_name), Ok(email), Ok(job_title), Ok(permission))
                if problems.is_empty() =>
            {
                Ok(Invitee {
                    external_id: None,
                    first_name,
                    last_name,
                    email,
                    job_title,
                    permission,
                    enable_seat: self.enable_seat,
                    opportunity_seat: self.opportunity_seat,
                    programs: Vec::new(),
                })
            }
            _ => Err(problems),
        }
    }
}

/// Checks a whole batch: every draft, and addresses that appear twice in it (compared
/// case-insensitively), naming the other item. Problems come back in item order.
pub fn parse_batch(drafts: &[InviteeDraft]) -> Result<Vec<Invitee>, Vec<Problem>> {
    let mut invitees = Vec::with_capacity(drafts.len());
    let mut problems = Vec::new();
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (item, draft) in drafts.iter().enumerate() {
        match draft.parse(item) {
            Ok(invitee) => {
                match seen.get(&invitee.email.normalized()) {
                    Some(&first) => problems.push(Problem {
                        item,
                        field: field::EMAIL.to_owned(),
                        message: refusal::email_twice_in_list(first + 1),
                    }),
                    None => {
                        seen.insert(invitee.email.normalized(), item);
                    }
                }
                invitees.push(invitee);
            }
            Err(mut found) => problems.append(&mut found),
        }
    }
    if problems.is_empty() {
        Ok(invitees)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(email: &str) -> InviteeDraft {
        InviteeDraft {
            first_name: "Ana".into(),
            last_name: "Lopez".into(),
            email: email.into(),
            job_title: "Account Executive".into(),
            permission: "member".into(),
            enable_seat: true,
            opportunity_seat: false,
        }
    }

    #[test]
    fn a_good_draft_parses() {
        let invitee = draft(" ana@example.com ").parse(0).unwrap();
        assert_eq!(invitee.email.as_str(), "ana@example.com");
        assert_eq!(invitee.permission, Permission::Member);
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let bad = InviteeDraft {
            first_name: " ".into(),
            email: "ana@".into(),
            permission: "owner".into(),
            ..draft("")
        };
        let problems = bad.parse(3).unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["first_name", "email", "permission"]);
        assert!(problems.iter().all(|p| p.item == 3));
    }

    #[test]
    fn duplicates_in_a_batch_name_the_other_member() {
        let problems = parse_batch(&[
            draft("ana@example.com"),
            draft("bo@example.com"),
            draft("ANA@example.com"),
        ])
        .unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].item, 2);
        assert!(
            problems[0].message.contains("also member 1"),
            "{}",
            problems[0].message
        );
        assert_eq!(
            parse_batch(&[draft("a@example.com"), draft("b@example.com")])
                .unwrap()
                .len(),
            2
        );
    }
}

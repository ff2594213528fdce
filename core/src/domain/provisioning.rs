//! The rules of provisioning by an identity provider (SCIM, SPEC §7): which seats a member
//! the provider creates or brings back is given, and what waits. A provider is never
//! refused for lack of seats: what is not free goes on the first-come waitlist.

use super::SeatKind;
use serde::{Deserialize, Serialize};

/// The organization's seat policy for provisioned members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SeatPolicy {
    /// No seat: administrators give them by hand.
    None,
    /// An Enable seat when one is free.
    Enable,
    /// An Opportunity seat when one is free.
    Opportunity,
    /// Both, each when one is free.
    Both,
    /// What the groups the member is in grant (a group mapped to a kind of license).
    Groups,
}

impl SeatPolicy {
    pub const ALL: [SeatPolicy; 5] = [
        SeatPolicy::None,
        SeatPolicy::Enable,
        SeatPolicy::Opportunity,
        SeatPolicy::Both,
        SeatPolicy::Groups,
    ];

    /// As the database stores it.
    pub fn as_str(self) -> &'static str {
        match self {
            SeatPolicy::None => "none",
            SeatPolicy::Enable => "enable",
            SeatPolicy::Opportunity => "opportunity",
            SeatPolicy::Both => "both",
            SeatPolicy::Groups => "groups",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == raw)
    }

    /// How the Identity page names it.
    pub fn label(self) -> &'static str {
        match self {
            SeatPolicy::None => "No seat (administrators give seats by hand)",
            SeatPolicy::Enable => "An Enable seat",
            SeatPolicy::Opportunity => "An Opportunity seat",
            SeatPolicy::Both => "An Enable and an Opportunity seat",
            SeatPolicy::Groups => "The seats their groups grant",
        }
    }

    /// The seats a member asks for under this policy; `grants` is what their groups grant
    /// (Enable, Opportunity), read only under [`SeatPolicy::Groups`].
    pub fn wants(self, grants: (bool, bool)) -> Wants {
        let (enable, opportunity) = match self {
            SeatPolicy::None => (false, false),
            SeatPolicy::Enable => (true, false),
            SeatPolicy::Opportunity => (false, true),
            SeatPolicy::Both => (true, true),
            SeatPolicy::Groups => grants,
        };
        Wants {
            enable,
            opportunity,
        }
    }
}

/// The seats a provisioned member asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Wants {
    pub enable: bool,
    pub opportunity: bool,
}

/// What happens to one kind of seat a member asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SeatOutcome {
    /// Not asked for, or already held.
    Nothing,
    /// Given now.
    Given,
    /// None free (or others wait before them): on the waitlist.
    Waits,
}

/// Whether a member who asks for a seat of `kind` gets it now: only when one is free and
/// nobody waits for one already (first come, first served — a newcomer does not jump the
/// queue when a seat frees between two requests).
pub fn seat_outcome(asks: bool, holds: bool, free: i64, waiting_before: i64) -> SeatOutcome {
    match (asks, holds) {
        (false, _) | (true, true) => SeatOutcome::Nothing,
        (true, false) if free > 0 && waiting_before == 0 => SeatOutcome::Given,
        (true, false) => SeatOutcome::Waits,
    }
}

/// How many of a waitlist's first entries are served when `free` seats are free.
pub fn served_from_waitlist(free: i64, waiting: i64) -> i64 {
    free.clamp(0, waiting.max(0))
}

/// The words of a waitlist entry: for the member page, the SCIM answer and Activity.
pub fn waiting_words(kind: SeatKind) -> String {
    format!(
        "Waiting for a free {} seat: it is given automatically, first come first served, when one frees.",
        kind.label()
    )
}

/// What a deactivation by the provider did to the member's seats, in words for the SCIM
/// answer (SPEC rule 5: a used license stays counted, an unused one returns).
pub fn deactivation_note(outcome: &super::rules::DeactivationOutcome) -> String {
    let mut said = vec!["Deactivated in Roster: sign-in is blocked.".to_owned()];
    if outcome.keeps_used_enable {
        said.push(
            "The Enable license is used (a program reached 10 %), so its seat stays counted."
                .into(),
        );
    } else if outcome.releases_enable {
        said.push("The Enable seat returned to the organization's pool.".into());
    }
    if outcome.releases_opportunity {
        said.push("The Opportunity seat returned to the organization's pool.".into());
    }
    said.join(" ")
}

/// A name for a member the provider sent without one: the given name from `displayName`'s
/// first word or the address's local part, the family name from the rest of
/// `displayName` or a placeholder (both names are required in Roster).
pub fn names_for(
    given: Option<&str>,
    family: Option<&str>,
    display: Option<&str>,
    email: &str,
) -> (String, String) {
    let mut words = display.unwrap_or("").split_whitespace();
    let first_word = words.next().map(str::to_owned);
    let rest = words.collect::<Vec<_>>().join(" ");
    let local = email.split('@').next().unwrap_or(email).to_owned();
    let given = given.map(str::to_owned).or(first_word).unwrap_or(local);
    let family = family
        .map(str::to_owned)
        .or((!rest.is_empty()).then_some(rest))
        .unwrap_or_else(|| NO_FAMILY_NAME.to_owned());
    (given, family)
}

/// The family name of a member whose provider sent none.
pub const NO_FAMILY_NAME: &str = "(not given)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_ask_for_their_seats() {
        assert_eq!(SeatPolicy::None.wants((true, true)), Wants::default());
        assert_eq!(
            SeatPolicy::Both.wants((false, false)),
            Wants {
                enable: true,
                opportunity: true
            }
        );
        assert_eq!(
            SeatPolicy::Groups.wants((false, true)),
            Wants {
                enable: false,
                opportunity: true
            }
        );
        for policy in SeatPolicy::ALL {
            assert_eq!(SeatPolicy::parse(policy.as_str()), Some(policy));
        }
    }

    #[test]
    fn a_seat_is_given_when_free_and_nobody_waits() {
        assert_eq!(seat_outcome(true, false, 1, 0), SeatOutcome::Given);
        assert_eq!(seat_outcome(true, false, 0, 0), SeatOutcome::Waits);
        // First come: a seat that frees goes to who waits, not to a newcomer.
        assert_eq!(seat_outcome(true, false, 1, 3), SeatOutcome::Waits);
        assert_eq!(seat_outcome(true, true, 0, 0), SeatOutcome::Nothing);
        assert_eq!(seat_outcome(false, false, 5, 0), SeatOutcome::Nothing);
    }

    #[test]
    fn names_come_from_what_the_provider_sent() {
        assert_eq!(
            names_for(Some("Ava"), Some("Lind"), None, "x@y.io"),
            ("Ava".into(), "Lind".into())
        );
        assert_eq!(
            names_for(None, None, Some("Bo van Dijk"), "x@y.io"),
            ("Bo".into(), "van Dijk".into())
        );
        assert_eq!(
            names_for(None, None, None, "cy@y.io"),
            ("cy".into(), NO_FAMILY_NAME.into())
        );
    }

    #[test]
    fn a_deactivation_says_what_became_of_the_seats() {
        use super::super::rules::DeactivationOutcome;
        let kept = deactivation_note(&DeactivationOutcome {
            releases_opportunity: false,
            releases_enable: false,
            keeps_used_enable: true,
        });
        assert!(kept.contains("stays counted"), "{kept}");
        let freed = deactivation_note(&DeactivationOutcome {
            releases_opportunity: true,
            releases_enable: true,
            keeps_used_enable: false,
        });
        assert!(freed.contains("Enable seat returned"), "{freed}");
    }

    #[test]
    fn the_waitlist_is_served_as_far_as_seats_go() {
        assert_eq!(served_from_waitlist(3, 10), 3);
        assert_eq!(served_from_waitlist(10, 3), 3);
        assert_eq!(served_from_waitlist(-2, 3), 0);
        assert_eq!(served_from_waitlist(2, 0), 0);
    }
}

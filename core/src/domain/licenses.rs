//! Licenses over time (SPEC §1, *License event*): the ledger's vocabulary, the seat-alert
//! thresholds, the runway, and the monthly peaks a renewal is sized on. Pure functions:
//! the pages explain with them, the server decides with them.

use super::SeatKind;
use serde::{Deserialize, Serialize};

/// How a seat event came about: the ledger's `via`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Via {
    /// A page of Roster (a form, a button, a bulk action).
    Page,
    /// A file: an import or a change set (named).
    File(String),
    /// The operator's command line (or the demo seed).
    CommandLine,
    /// An API call (progress reported by an external course player).
    Api,
    /// A lesson (this one) completed on *My programs*.
    Lesson(i16),
    /// An invitation that expired (its seats returned).
    Expiry,
    /// A deactivation scheduled beforehand, carried out on its day.
    Schedule,
    /// The organization's identity provider (SCIM).
    Scim,
    /// The seat waitlist, served when a seat freed.
    Waitlist,
    /// A member made on their first company sign-in.
    SignIn,
}

impl Via {
    /// As the ledger stores it.
    pub fn key(&self) -> &'static str {
        match self {
            Via::Page => "page",
            Via::File(_) => "file",
            Via::CommandLine => "command line",
            Via::Api => "api",
            Via::Lesson(_) => "lesson",
            Via::Expiry => "expiry",
            Via::Schedule => "schedule",
            Via::Scim => "scim",
            Via::Waitlist => "waitlist",
            Via::SignIn => "sign-in",
        }
    }
}

/// How the Licenses page says a stored `via`.
pub fn via_words(key: &str) -> &str {
    match key {
        "page" => "on a page",
        "file" => "from a file",
        "command line" => "on the command line",
        "api" => "through the API",
        "lesson" => "by a lesson",
        "expiry" => "when the invitation expired",
        "schedule" => "as scheduled",
        "migration" => "opening balance",
        "scim" => "by the identity provider",
        "waitlist" => "from the seat waitlist",
        "sign-in" => "at a first company sign-in",
        other => other,
    }
}

/// A ledger event, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LicenseEvent {
    Granted,
    Used,
    Freed,
    Kept,
    Returned,
    Bought,
}

impl LicenseEvent {
    pub const ALL: [LicenseEvent; 6] = [
        LicenseEvent::Granted,
        LicenseEvent::Used,
        LicenseEvent::Freed,
        LicenseEvent::Kept,
        LicenseEvent::Returned,
        LicenseEvent::Bought,
    ];

    pub fn key(self) -> &'static str {
        match self {
            LicenseEvent::Granted => "granted",
            LicenseEvent::Used => "used",
            LicenseEvent::Freed => "freed",
            LicenseEvent::Kept => "kept",
            LicenseEvent::Returned => "returned",
            LicenseEvent::Bought => "bought",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.key() == raw)
    }

    /// How the pages say it.
    pub fn words(self) -> &'static str {
        match self {
            LicenseEvent::Granted => "Seat granted",
            LicenseEvent::Used => "License used",
            LicenseEvent::Freed => "Seat freed",
            LicenseEvent::Kept => "Used license kept",
            LicenseEvent::Returned => "Seat returned (invitation expired)",
            LicenseEvent::Bought => "Seats bought changed",
        }
    }
}

/// Licenses of one kind on one date.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub bought: i64,
    pub held: i64,
    pub used: i64,
}

impl Counts {
    pub fn free(self) -> i64 {
        (self.bought - self.held).max(0)
    }
}

/// Where the seats of one kind stand against the alert threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlertLevel {
    /// At or below the threshold, some still free.
    Low,
    /// None free.
    Out,
}

impl AlertLevel {
    pub fn key(self) -> &'static str {
        match self {
            AlertLevel::Low => "low",
            AlertLevel::Out => "out",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "low" => Some(AlertLevel::Low),
            "out" => Some(AlertLevel::Out),
            _ => None,
        }
    }
}

/// Free seats at or below which administrators are warned, scaled to the purchase: a
/// handful of seats warns at the last one, a large purchase early enough to buy more.
/// 15 or fewer → 1; 16–25 → 2; 26–99 → 10 %; 100–999 → 8 %; 1,000 or more → 5 %
/// (percentages rounded up).
pub fn alert_threshold(bought: i64) -> i64 {
    let percent = |p: i64| (bought * p + 99) / 100;
    match bought {
        ..=0 => 0,
        1..=15 => 1,
        16..=25 => 2,
        26..=99 => percent(10),
        100..=999 => percent(8),
        _ => percent(5),
    }
}

/// The alert level of seats `bought` with `held` in use; `None` above the threshold (or
/// when none were bought: nothing to run out of).
pub fn alert_level(bought: i64, held: i64) -> Option<AlertLevel> {
    if bought <= 0 {
        return None;
    }
    let free = (bought - held).max(0);
    if free == 0 {
        Some(AlertLevel::Out)
    } else if free <= alert_threshold(bought) {
        Some(AlertLevel::Low)
    } else {
        None
    }
}

/// Whether moving from the alert last sent (`sent`) to `now` calls for a mail: a step
/// down (above → low, above → out, low → out). A step up only clears the record, so that
/// the next crossing mails again.
pub fn alert_due(sent: Option<AlertLevel>, now: Option<AlertLevel>) -> bool {
    matches!(
        (sent, now),
        (None, Some(_)) | (Some(AlertLevel::Low), Some(AlertLevel::Out))
    )
}

/// The words of a seat alert (mail and banner).
pub fn alert_words(kind: SeatKind, level: AlertLevel, free: i64) -> String {
    match level {
        AlertLevel::Out => format!(
            "All {} seats are in use: invitations that ask for one will be refused until seats are freed or more are bought.",
            kind.label()
        ),
        AlertLevel::Low => format!(
            "Only {free} {} seat{} left.",
            kind.label(),
            if free == 1 { " is" } else { "s are" }
        ),
    }
}

/// Days until free seats reach zero at `per_30_days` new seats taken every 30 days (the
/// last 30 days' used licenses and invitations); `None` when nothing is being taken.
pub fn runway_days(free: i64, per_30_days: i64) -> Option<i64> {
    if per_30_days <= 0 {
        return None;
    }
    Some(free.max(0) * 30 / per_30_days)
}

/// One month of one kind: the month's last level, and its peaks from the events in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthEvents {
    /// Months since year 0 (`year * 12 + month - 1`).
    pub month: i32,
    pub peak_held: i64,
    pub peak_used: i64,
    pub end: Counts,
}

/// A month's peaks, what a renewal is sized on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthPeak {
    pub month: i32,
    pub bought: i64,
    pub peak_held: i64,
    pub peak_used: i64,
}

impl MonthPeak {
    pub fn label(&self) -> String {
        const NAMES: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        format!(
            "{} {}",
            NAMES[self.month.rem_euclid(12) as usize],
            self.month.div_euclid(12)
        )
    }
}

/// A stretch of one seat kind's ledger lines within one month (a day's lines, or part of
/// a day's), taken in the ledger's order: what it changed, and how far held and used seats
/// rose above where it began (0 if never above).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stretch {
    /// Months since year 0, as [`MonthEvents::month`].
    pub month: i32,
    pub change: Counts,
    pub rise_held: i64,
    pub rise_used: i64,
}

/// The level after `stretches` (one seat kind's, in the ledger's order, from its first
/// line) and the peaks of the months `from..=to`.
pub fn level_and_peaks(stretches: &[Stretch], from: i32, to: i32) -> (Counts, Vec<MonthPeak>) {
    let mut level = Counts::default();
    let mut before = None;
    let mut months: Vec<MonthEvents> = Vec::new();
    for s in stretches {
        if s.month >= from {
            before.get_or_insert(level);
        }
        let (peak_held, peak_used) = (level.held + s.rise_held, level.used + s.rise_used);
        level = Counts {
            bought: level.bought + s.change.bought,
            held: level.held + s.change.held,
            used: level.used + s.change.used,
        };
        if s.month < from {
            continue;
        }
        match months.last_mut() {
            Some(m) if m.month == s.month => {
                m.peak_held = m.peak_held.max(peak_held);
                m.peak_used = m.peak_used.max(peak_used);
                m.end = level;
            }
            _ => months.push(MonthEvents {
                month: s.month,
                peak_held,
                peak_used,
                end: level,
            }),
        }
    }
    let peaks = monthly_peaks(before.unwrap_or(level), &months, from, to);
    (level, peaks)
}

/// The peaks of every month from `from` to `to` (inclusive) out of the months that had
/// events (ascending) and the level before `from`: a month starts where the last one
/// ended, so its peak is at least that, and a month without events keeps it.
pub fn monthly_peaks(before: Counts, months: &[MonthEvents], from: i32, to: i32) -> Vec<MonthPeak> {
    let mut level = before;
    let mut events = months.iter().peekable();
    let mut out = Vec::new();
    for month in from..=to {
        while events.next_if(|e| e.month < month).is_some() {}
        let mut peak = MonthPeak {
            month,
            bought: level.bought,
            peak_held: level.held,
            peak_used: level.used,
        };
        if let Some(e) = events.next_if(|e| e.month == month) {
            peak.peak_held = peak.peak_held.max(e.peak_held);
            peak.peak_used = peak.peak_used.max(e.peak_used);
            peak.bought = e.end.bought;
            level = e.end;
        }
        out.push(peak);
    }
    out
}

/// The days after an invitation on which reminders go out, from a setting such as `3,6`
/// (empty or `off`: none). Each day from 1 to 6 (the invitation lasts 7), at most three.
pub fn parse_reminder_days(raw: &str) -> Result<Vec<i16>, super::FieldError> {
    let raw = raw.trim();
    if raw.is_empty() || raw.eq_ignore_ascii_case("off") {
        return Ok(Vec::new());
    }
    let wrong = || {
        super::FieldError::new(
            "Enter up to three days from 1 to 6, separated by commas (for example 3,6), or off.",
        )
    };
    let mut days = raw
        .split(',')
        .map(|d| d.trim().parse::<i16>().ok().filter(|d| (1..=6).contains(d)))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(wrong)?;
    days.sort_unstable();
    days.dedup();
    if days.len() > 3 {
        return Err(wrong());
    }
    Ok(days)
}

/// How far ahead a deactivation may be scheduled, in calendar years.
pub const MAX_SCHEDULE_YEARS: u32 = 3;

/// Whether a member with `status` may be scheduled for deactivation on `day`
/// (`YYYY-MM-DD`; empty cancels), `today` being `YYYY-MM-DD` (empty: not checked). ISO
/// dates compare as text.
pub fn may_schedule_deactivation(
    status: super::MemberStatus,
    day: &str,
    today: &str,
) -> Result<(), super::rules::RuleViolation> {
    use super::rules::RuleViolation;
    if day.is_empty() {
        return Ok(());
    }
    if !is_iso_date(day) {
        return Err(RuleViolation(format!(
            "\u{201c}{day}\u{201d} is not a date: write it as YYYY-MM-DD, for example 2027-03-31, or leave the cell empty."
        )));
    }
    if status == super::MemberStatus::Deactivated {
        return Err(RuleViolation(
            "This member is inactive already: there is nothing to schedule.".into(),
        ));
    }
    if !today.is_empty() && day <= today {
        return Err(RuleViolation(format!(
            "Choose a day after today ({today}) to deactivate on; to deactivate now, use Deactivate or remove the member from the file."
        )));
    }
    let year = |d: &str| d.get(..4).and_then(|y| y.parse::<u32>().ok()).unwrap_or(0);
    if !today.is_empty() && year(day) > year(today) + MAX_SCHEDULE_YEARS {
        return Err(RuleViolation(format!(
            "Choose a day within the next {MAX_SCHEDULE_YEARS} years to deactivate on."
        )));
    }
    Ok(())
}

/// `YYYY-MM-DD`, a day that exists.
pub fn is_iso_date(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let number = |r: std::ops::Range<usize>| text.get(r).and_then(|t| t.parse::<u32>().ok());
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 2000 && (1..=days).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_scale_with_the_purchase() {
        for (bought, threshold) in [
            (0, 0),
            (1, 1),
            (15, 1),
            (16, 2),
            (25, 2),
            (26, 3),
            (99, 10),
            (100, 8),
            (999, 80),
            (1_000, 50),
            (20_000, 1_000),
        ] {
            assert_eq!(alert_threshold(bought), threshold, "{bought}");
        }
        assert_eq!(alert_level(10, 8), None);
        assert_eq!(alert_level(10, 9), Some(AlertLevel::Low));
        assert_eq!(alert_level(10, 10), Some(AlertLevel::Out));
        assert_eq!(alert_level(0, 0), None);
        assert_eq!(alert_level(100, 92), Some(AlertLevel::Low));
        assert_eq!(alert_level(100, 91), None);
    }

    #[test]
    fn one_alert_per_crossing() {
        use AlertLevel::*;
        assert!(alert_due(None, Some(Low)));
        assert!(alert_due(None, Some(Out)));
        assert!(alert_due(Some(Low), Some(Out)));
        assert!(!alert_due(Some(Low), Some(Low)));
        assert!(!alert_due(Some(Out), Some(Out)));
        assert!(!alert_due(Some(Out), Some(Low)));
        assert!(!alert_due(Some(Low), None));
        assert!(!alert_due(None, None));
    }

    #[test]
    fn reminder_days_are_a_short_sorted_list() {
        assert_eq!(parse_reminder_days("6, 3").unwrap(), vec![3, 6]);
        assert_eq!(parse_reminder_days("off").unwrap(), Vec::<i16>::new());
        assert_eq!(parse_reminder_days("").unwrap(), Vec::<i16>::new());
        assert_eq!(parse_reminder_days("3,3").unwrap(), vec![3]);
        for wrong in ["0", "7", "1,2,3,4", "x", "3;6"] {
            assert!(parse_reminder_days(wrong).is_err(), "{wrong}");
        }
    }

    #[test]
    fn a_deactivation_is_scheduled_for_a_real_day_after_today() {
        use crate::domain::MemberStatus::*;
        let today = "2026-12-02";
        assert!(may_schedule_deactivation(Active, "2026-12-03", today).is_ok());
        assert!(may_schedule_deactivation(Invited, "", today).is_ok());
        assert!(may_schedule_deactivation(Active, "2026-12-02", today).is_err());
        assert!(may_schedule_deactivation(Deactivated, "2027-01-01", today).is_err());
        for wrong in [
            "2027-02-29",
            "2027-13-01",
            "31/12/2027",
            "2027-1-1",
            "tomorrow",
        ] {
            assert!(
                may_schedule_deactivation(Active, wrong, today).is_err(),
                "{wrong}"
            );
        }
        assert!(is_iso_date("2028-02-29"));
        assert!(may_schedule_deactivation(Active, "2029-12-31", today).is_ok());
        assert!(may_schedule_deactivation(Active, "2030-01-01", today).is_err());
    }

    #[test]
    fn runway_is_free_seats_over_the_rate() {
        assert_eq!(runway_days(10, 0), None);
        assert_eq!(runway_days(10, 30), Some(10));
        assert_eq!(runway_days(10, 60), Some(5));
        assert_eq!(runway_days(0, 5), Some(0));
    }

    /// Each month's (month, bought, peak held, peak used).
    fn figures(peaks: &[MonthPeak]) -> Vec<(i32, i64, i64, i64)> {
        peaks
            .iter()
            .map(|p| (p.month, p.bought, p.peak_held, p.peak_used))
            .collect()
    }

    #[test]
    fn stretches_give_the_level_and_each_months_peak() {
        let c = |bought, held, used| Counts { bought, held, used };
        let s = |month, change, rise_held, rise_used| Stretch {
            month,
            change,
            rise_held,
            rise_used,
        };
        let stretches = [
            // Before the months asked for: only the level counts.
            s(8, c(10, 6, 1), 9, 1),
            // Month 10 in two stretches: up 3 then down 4; then up 2 from there.
            s(10, c(0, -1, 0), 3, 0),
            s(10, c(0, 2, 1), 2, 1),
            // Month 12: bought 10 more, held fell.
            s(12, c(10, -2, 0), 0, 0),
        ];
        let (level, peaks) = level_and_peaks(&stretches, 9, 13);
        assert_eq!(level, c(20, 5, 2));
        assert_eq!(
            figures(&peaks),
            vec![
                (9, 10, 6, 1),
                // 6 + 3 in the first stretch; the second began at 5 and rose 2.
                (10, 10, 9, 2),
                (11, 10, 7, 2),
                (12, 20, 7, 2),
                (13, 20, 5, 2),
            ]
        );
        // Nothing in the months asked for: the level carries through them.
        let (level, peaks) = level_and_peaks(&stretches[..1], 9, 10);
        assert_eq!(level, c(10, 6, 1));
        assert_eq!(peaks[1].peak_held, 6);
        assert_eq!(level_and_peaks(&[], 1, 1).1[0].peak_held, 0);
    }

    #[test]
    fn peaks_carry_the_level_into_quiet_months() {
        let c = |bought, held, used| Counts { bought, held, used };
        let months = [
            MonthEvents {
                month: 10,
                peak_held: 7,
                peak_used: 2,
                end: c(10, 5, 2),
            },
            MonthEvents {
                month: 12,
                peak_held: 4,
                peak_used: 2,
                end: c(20, 4, 2),
            },
        ];
        let peaks = monthly_peaks(c(10, 3, 1), &months, 9, 13);
        assert_eq!(
            figures(&peaks),
            vec![
                (9, 10, 3, 1),
                (10, 10, 7, 2),
                (11, 10, 5, 2),
                // The month began at 5 held: its peak is 5 even though its events went lower.
                (12, 20, 5, 2),
                (13, 20, 4, 2),
            ]
        );
        assert_eq!(peaks[0].label(), "Oct 0");
    }
}

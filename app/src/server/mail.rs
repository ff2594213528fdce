//! The emails Roster sends, with a plain-text and an HTML part.

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A name (a person's, an organization's) or a note as mail shows it: as text, never as
/// a link. Mail programs turn whatever looks like a web or mail address into a link, so an
/// administrator who names someone "WIN A PRIZE http://prize.example" would otherwise send
/// a clickable link under Roster's name. A zero-width space after each `.`, `:`, `/` and
/// `@` reads the same and stops that; so does a name cut to 100 characters.
pub fn as_name(text: &str) -> String {
    unlinked(text, 100)
}

/// `text` with no link in it (see [`as_name`]), at most `max` characters.
fn unlinked(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        out.push(c);
        if matches!(c, '.' | ':' | '/' | '@') {
            out.push('\u{200B}');
        }
    }
    out
}

/// A rendered email.
pub struct Message {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The kinds of mail Roster sends. The outbox stores a kind and its data (the payload) and
/// knows nothing else of it; each kind renders itself when delivered or shown, so a
/// template change reaches mail already queued.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Mail {
    Invitation(Invitation),
    SeatRequest(SeatRequestMail),
    PasswordReset(PasswordReset),
    /// A reminder of an invitation not yet accepted, with a link of its own.
    Reminder(Invitation),
    SeatAlert(SeatAlertMail),
    Digest(DigestMail),
}

impl Mail {
    /// The kind stored in `email_outbox.kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Mail::Invitation(_) => "invitation",
            Mail::SeatRequest(_) => "seat_request",
            Mail::PasswordReset(_) => "password_reset",
            Mail::Reminder(_) => "reminder",
            Mail::SeatAlert(_) => "seat_alert",
            Mail::Digest(_) => "digest",
        }
    }

    pub fn render(&self) -> Message {
        match self {
            Mail::Invitation(invitation) => invitation.render(),
            Mail::SeatRequest(request) => request.render(),
            Mail::PasswordReset(reset) => reset.render(),
            Mail::Reminder(invitation) => invitation.render_reminder(),
            Mail::SeatAlert(alert) => alert.render(),
            Mail::Digest(digest) => digest.render(),
        }
    }

    /// The data stored for this mail.
    pub fn payload(&self) -> serde_json::Value {
        let data = match self {
            Mail::Invitation(invitation) => serde_json::to_value(invitation),
            Mail::SeatRequest(request) => serde_json::to_value(request),
            Mail::PasswordReset(reset) => serde_json::to_value(reset),
            Mail::Reminder(invitation) => serde_json::to_value(invitation),
            Mail::SeatAlert(alert) => serde_json::to_value(alert),
            Mail::Digest(digest) => serde_json::to_value(digest),
        };
        data.unwrap_or_default()
    }

    /// The link the mail carries, if its kind has one.
    pub fn link_mut(&mut self) -> Option<&mut Link> {
        match self {
            Mail::Invitation(invitation) | Mail::Reminder(invitation) => Some(&mut invitation.link),
            Mail::PasswordReset(reset) => Some(&mut reset.link),
            Mail::SeatRequest(_) | Mail::SeatAlert(_) | Mail::Digest(_) => None,
        }
    }

    /// A mail of `kind` from its stored data.
    pub fn from_stored(kind: &str, payload: serde_json::Value) -> Option<Self> {
        match kind {
            "invitation" => serde_json::from_value(payload).ok().map(Mail::Invitation),
            "seat_request" => serde_json::from_value(payload).ok().map(Mail::SeatRequest),
            "password_reset" => serde_json::from_value(payload)
                .ok()
                .map(Mail::PasswordReset),
            "reminder" => serde_json::from_value(payload).ok().map(Mail::Reminder),
            "seat_alert" => serde_json::from_value(payload).ok().map(Mail::SeatAlert),
            "digest" => serde_json::from_value(payload).ok().map(Mail::Digest),
            _ => None,
        }
    }
}

/// The message of an outbox row: rendered from its kind and data, or (rows written before
/// mail had kinds) as stored.
pub fn stored(
    kind: &str,
    payload: Option<serde_json::Value>,
    subject: Option<String>,
    text: Option<String>,
    html: Option<String>,
) -> Option<Message> {
    match payload {
        Some(data) => Mail::from_stored(kind, data).map(|mail| mail.render()),
        None => Some(Message {
            subject: subject?,
            text: text?,
            html: html?,
        }),
    }
}

/// The link a mail carries. A link signs its holder in, so it is made when the mail is
/// sent (`links::make`) and is never at rest: the outbox holds only which invitation or
/// reset it is for. The one exception is the development mailbox (no SMTP), which *is*
/// where such a mail is delivered.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum Link {
    /// Made: the address to open (rows written before links were made at sending hold one).
    Made(String),
    /// To be made when the mail is sent.
    Pending(PendingLink),
}

/// A link still to be made: what it opens, and the hash its row holds now (of a token no
/// one has), so that a mail whose invitation was resent, revoked or used since makes
/// nothing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PendingLink {
    pub opens: Opens,
    /// The row's `token_hash`, hex.
    pub slot: String,
}

/// What a link opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Opens {
    /// The invitation of this member.
    Invitation { member_id: i64 },
    /// A reminder's own link to the invitation of this member.
    Reminder { member_id: i64 },
    /// This password reset.
    Reset { reset_id: i64 },
}

impl Link {
    /// The address, or — if the mail is shown before it was sent — what stands for it.
    fn text(&self) -> &str {
        match self {
            Link::Made(url) => url,
            Link::Pending(_) => "(the link is made when this email is sent)",
        }
    }
}

/// An invitation to join an organization: who invited, to where, and the link.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Invitation {
    pub organization: String,
    pub inviter: String,
    pub first_name: String,
    pub link: Link,
    /// How long the link works, as it was when the mail was queued (`None` in mail
    /// queued before it was stored: today's rule).
    #[serde(default)]
    pub valid_days: Option<i32>,
}

impl Invitation {
    /// A reminder: the invitation again, said as a reminder, with a link of its own.
    fn render_reminder(&self) -> Message {
        let mut message = self.render();
        message.subject = format!("Reminder: {}", message.subject);
        let note = "A reminder: your invitation is still waiting. Any link you were sent for it works until it expires.";
        message.text = message.text.replacen("\n\n", &format!("\n\n{note}\n\n"), 1);
        message.html =
            message
                .html
                .replacen("</p>", &format!("</p><p>{}</p>", escape_html(note)), 1);
        message
    }

    fn render(&self) -> Message {
        let (organization, inviter, first_name, link) = (
            &as_name(&self.organization),
            &as_name(&self.inviter),
            &as_name(&self.first_name),
            self.link.text(),
        );
        let valid_days = self
            .valid_days
            .unwrap_or(crate::domain::rules::INVITATION_VALID_DAYS);
        let subject = format!("{inviter} invited you to {organization} on Roster");
        let text = format!(
            "Hello {first_name},\n\n\
             {inviter} invited you to join {organization} on Roster, where your team follows its sales training.\n\n\
             Open this link to choose your password and sign in:\n{link}\n\n\
             The link works once and expires in {valid_days} days. If it has expired, ask {inviter} to resend the invitation.\n\n\
             If you did not expect this email, you can ignore it.\n"
        );
        let (o, i, f, l) = (
            escape_html(organization),
            escape_html(inviter),
            escape_html(first_name),
            escape_html(link),
        );
        let html = format!(
            "<!DOCTYPE html><html><body style=\"font-family: system-ui, sans-serif; color: #1d2433; line-height: 1.5\">\
             <p>Hello {f},</p>\
             <p><strong>{i}</strong> invited you to join <strong>{o}</strong> on Roster, where your team follows its sales training.</p>\
             <p><a href=\"{l}\" style=\"display: inline-block; background: #2952cc; color: #fff; padding: 10px 18px; border-radius: 6px; text-decoration: none\">Accept the invitation</a></p>\
             <p>Or paste this link into your browser: <br><a href=\"{l}\">{l}</a></p>\
             <p style=\"color: #5b6475\">The link works once and expires in {valid_days} days. If it has expired, ask {i} to resend the invitation. If you did not expect this email, you can ignore it.</p>\
             </body></html>"
        );
        Message {
            subject,
            text,
            html,
        }
    }
}

/// A link to choose a new password, asked for by the member or sent by an administrator.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PasswordReset {
    pub organization: String,
    pub first_name: String,
    pub link: Link,
    /// The administrator who sent it; `None` when the member asked.
    pub sent_by: Option<String>,
    /// How long the link works, as it was when the mail was queued (`None`: today's rule).
    #[serde(default)]
    pub valid_minutes: Option<i32>,
}

impl PasswordReset {
    fn render(&self) -> Message {
        let minutes = self
            .valid_minutes
            .unwrap_or(crate::domain::rules::RESET_VALID_MINUTES);
        let (organization, first_name) = (as_name(&self.organization), as_name(&self.first_name));
        let subject = format!("Choose a new password for {organization} on Roster");
        let why = match &self.sent_by {
            Some(admin) => format!(
                "{}, an administrator of {organization}, sent you this link to choose a new password.",
                as_name(admin)
            ),
            None => format!(
                "Someone (we hope you) asked to reset your password for {organization} on Roster."
            ),
        };
        let text = format!(
            "Hello {},\n\n{why}\n\nOpen this link to choose a new password:\n{}\n\n\
             The link works once and expires in {minutes} minutes. Choosing a new password signs you out everywhere else.\n\n\
             If you did not ask for this, ignore this email: your password stays as it is.\n",
            first_name,
            self.link.text()
        );
        let (f, w, l) = (
            escape_html(&first_name),
            escape_html(&why),
            escape_html(self.link.text()),
        );
        let html = format!(
            "<!DOCTYPE html><html><body style=\"font-family: system-ui, sans-serif; color: #1d2433; line-height: 1.5\">\
             <p>Hello {f},</p><p>{w}</p>\
             <p><a href=\"{l}\" style=\"display: inline-block; background: #2952cc; color: #fff; padding: 10px 18px; border-radius: 6px; text-decoration: none\">Choose a new password</a></p>\
             <p>Or paste this link into your browser: <br><a href=\"{l}\">{l}</a></p>\
             <p style=\"color: #5b6475\">The link works once and expires in {minutes} minutes. Choosing a new password signs you out everywhere else. If you did not ask for this, ignore this email: your password stays as it is.</p>\
             </body></html>"
        );
        Message {
            subject,
            text,
            html,
        }
    }
}

/// An organization's request for more seats, to the vendor who sells them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SeatRequestMail {
    pub organization: String,
    pub organization_id: i64,
    pub requester: String,
    pub requester_email: String,
    pub kind: crate::domain::SeatKind,
    pub seats: i32,
    pub note: String,
}

impl SeatRequestMail {
    fn render(&self) -> Message {
        let kind = self.kind.label();
        let seats = self.seats;
        let (organization, requester) = (as_name(&self.organization), as_name(&self.requester));
        let subject = format!(
            "{organization}: {seats} more {kind} seat{} requested",
            if seats == 1 { "" } else { "s" }
        );
        let note = if self.note.is_empty() {
            "(no note)".to_owned()
        } else {
            unlinked(&self.note, 1000)
        };
        let grant = format!(
            "roster org set-seats {} --{} <new total>",
            self.organization_id,
            self.kind.key()
        );
        let text = format!(
            "{} ({}) of {} (organization {}) asks for {seats} more {kind} seats.\n\n             Note: {note}\n\n             To grant them, raise the organization's {kind} seats with:\n{grant}\n\n             The request shows as granted on their Seats page once the seats rise.\n",
            requester, self.requester_email, organization, self.organization_id
        );
        let html = format!(
            "<!DOCTYPE html><html><body style=\"font-family: system-ui, sans-serif; color: #1d2433; line-height: 1.5\">\
             <p><strong>{}</strong> ({}) of <strong>{}</strong> (organization {}) asks for <strong>{seats} more {kind} seats</strong>.</p>\
             <p>Note: {}</p>\
             <p>To grant them, raise the organization's {kind} seats with:<br><code>{}</code></p>\
             <p style=\"color: #5b6475\">The request shows as granted on their Seats page once the seats rise.</p>\
             </body></html>",
            escape_html(&requester),
            escape_html(&self.requester_email),
            escape_html(&organization),
            self.organization_id,
            escape_html(&note),
            escape_html(&grant),
        );
        Message {
            subject,
            text,
            html,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped_in_html_and_kept_in_text() {
        let m = Mail::Invitation(Invitation {
            organization: "A&B <Sales>".into(),
            inviter: "Dana \"D\" W".into(),
            first_name: "Zoë".into(),
            link: Link::Made("https://r.example/invite/abc".into()),
            valid_days: Some(7),
        })
        .render();
        assert!(m.html.contains("A&amp;B &lt;Sales&gt;"));
        assert!(
            m.text.contains("https://r.example/invite/abc"),
            "the link itself stays one"
        );
        assert!(m.html.contains("Dana &quot;D&quot; W"));
        assert!(!m.html.contains("<Sales>"));
        assert!(m.text.contains("A&B <Sales>"));
        assert!(m.text.contains("https://r.example/invite/abc"));
        assert_eq!(
            m.subject,
            "Dana \"D\" W invited you to A&B <Sales> on Roster"
        );
    }

    #[test]
    fn names_never_become_links() {
        let m = Mail::Invitation(Invitation {
            organization: "Acme".into(),
            inviter: "WIN A PRIZE http://prize.example".into(),
            first_name: "visit www.prize.example or me@prize.example".into(),
            link: Link::Made("https://r.example/invite/abc".into()),
            valid_days: Some(7),
        })
        .render();
        for part in [&m.subject, &m.text, &m.html] {
            assert!(!part.contains("http://prize"), "{part}");
            assert!(!part.contains("prize.example"), "{part}");
            assert!(!part.contains("@prize"), "{part}");
        }
        assert!(m
            .text
            .contains("WIN A PRIZE http:\u{200B}/\u{200B}/\u{200B}prize.\u{200B}example"));
        assert_eq!(as_name(&"x".repeat(300)).chars().count(), 101);
    }
}

/// Seats ran low (or out): to an organization's administrators, once per crossing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SeatAlertMail {
    pub organization: String,
    pub kind: crate::domain::SeatKind,
    pub level: crate::domain::licenses::AlertLevel,
    pub free: i64,
    pub bought: i64,
    /// The seats page, where *Request more seats* is.
    pub seats_url: String,
}

impl SeatAlertMail {
    fn render(&self) -> Message {
        let organization = as_name(&self.organization);
        let words = crate::domain::licenses::alert_words(self.kind, self.level, self.free);
        let subject = format!("{organization}: {words}");
        let text = format!(
            "{words}\n\n{organization} bought {} {} seats. To ask the vendor for more, open the Seats page and choose Request more seats:\n{}\n\n\
             You get this email once each time seats fall to this level.\n",
            self.bought,
            self.kind.label(),
            self.seats_url
        );
        let (w, o, u) = (
            escape_html(&words),
            escape_html(&organization),
            escape_html(&self.seats_url),
        );
        let html = format!(
            "<!DOCTYPE html><html><body style=\"font-family: system-ui, sans-serif; color: #1d2433; line-height: 1.5\">\
             <p><strong>{w}</strong></p>\
             <p>{o} bought {} {} seats. To ask the vendor for more, open the Seats page and choose <em>Request more seats</em>.</p>\
             <p><a href=\"{u}\">{u}</a></p>\
             <p style=\"color: #5b6475\">You get this email once each time seats fall to this level.</p>\
             </body></html>",
            self.bought,
            self.kind.label(),
        );
        Message {
            subject,
            text,
            html,
        }
    }
}

/// The weekly digest of an administrator (the organization) or a manager (their teams).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DigestMail {
    pub organization: String,
    pub first_name: String,
    /// "your organization" or "your teams".
    pub scope: String,
    pub accepted: i64,
    pub pending: i64,
    pub expired: i64,
    pub stuck_below_ten: i64,
    pub completed: i64,
    /// Administrators only.
    pub enable_free: Option<i64>,
    pub runway_until: Option<String>,
    pub url: String,
}

impl DigestMail {
    fn lines(&self) -> Vec<String> {
        let mut lines = vec![
            format!("Invitations accepted this week: {}", self.accepted),
            format!("Invitations pending: {}", self.pending),
            format!(
                "Invitations expired (re-invite them from My Organization): {}",
                self.expired
            ),
            format!(
                "Active members with programs still below 10 % after a week or more: {}",
                self.stuck_below_ten
            ),
            format!("Programs completed this week: {}", self.completed),
        ];
        if let Some(free) = self.enable_free {
            lines.push(format!("Enable seats free: {free}"));
            lines.push(match &self.runway_until {
                Some(date) => format!("At the last 30 days' rate they last until {date}"),
                None => "No Enable seat was taken in the last 30 days".to_owned(),
            });
        }
        lines
    }

    fn render(&self) -> Message {
        let organization = as_name(&self.organization);
        let subject = format!("Your week on Roster: {organization}");
        let lines = self.lines();
        let text = format!(
            "Hello {},\n\nThis week in {} ({organization}):\n\n{}\n\nOpen Roster: {}\n\n\
             You get this email because you turned on the weekly digest on the Reports page; turn it off there.\n",
            as_name(&self.first_name),
            self.scope,
            lines.iter().map(|l| format!("- {l}")).collect::<Vec<_>>().join("\n"),
            self.url
        );
        let html = format!(
            "<!DOCTYPE html><html><body style=\"font-family: system-ui, sans-serif; color: #1d2433; line-height: 1.5\">\
             <p>Hello {},</p><p>This week in {} ({}):</p><ul>{}</ul>\
             <p><a href=\"{u}\">{u}</a></p>\
             <p style=\"color: #5b6475\">You get this email because you turned on the weekly digest on the Reports page; turn it off there.</p>\
             </body></html>",
            escape_html(&as_name(&self.first_name)),
            escape_html(&self.scope),
            escape_html(&organization),
            lines.iter().map(|l| format!("<li>{}</li>", escape_html(l))).collect::<String>(),
            u = escape_html(&self.url),
        );
        Message {
            subject,
            text,
            html,
        }
    }
}

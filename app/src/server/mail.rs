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
}

impl Mail {
    /// The kind stored in `email_outbox.kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Mail::Invitation(_) => "invitation",
            Mail::SeatRequest(_) => "seat_request",
            Mail::PasswordReset(_) => "password_reset",
        }
    }

    pub fn render(&self) -> Message {
        match self {
            Mail::Invitation(invitation) => invitation.render(),
            Mail::SeatRequest(request) => request.render(),
            Mail::PasswordReset(reset) => reset.render(),
        }
    }

    /// The data stored for this mail.
    pub fn payload(&self) -> serde_json::Value {
        let data = match self {
            Mail::Invitation(invitation) => serde_json::to_value(invitation),
            Mail::SeatRequest(request) => serde_json::to_value(request),
            Mail::PasswordReset(reset) => serde_json::to_value(reset),
        };
        data.unwrap_or_default()
    }

    /// A mail of `kind` from its stored data.
    pub fn from_stored(kind: &str, payload: serde_json::Value) -> Option<Self> {
        match kind {
            "invitation" => serde_json::from_value(payload).ok().map(Mail::Invitation),
            "seat_request" => serde_json::from_value(payload).ok().map(Mail::SeatRequest),
            "password_reset" => serde_json::from_value(payload)
                .ok()
                .map(Mail::PasswordReset),
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

/// An invitation to join an organization: who invited, to where, and the link.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Invitation {
    pub organization: String,
    pub inviter: String,
    pub first_name: String,
    pub link: String,
}

impl Invitation {
    fn render(&self) -> Message {
        let (organization, inviter, first_name, link) = (
            &self.organization,
            &self.inviter,
            &self.first_name,
            &self.link,
        );
        let valid_days = super::invitations::VALID_FOR_DAYS;
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
    pub link: String,
    /// The administrator who sent it; `None` when the member asked.
    pub sent_by: Option<String>,
}

impl PasswordReset {
    fn render(&self) -> Message {
        let minutes = super::passwords::VALID_FOR_MINUTES;
        let subject = format!("Choose a new password for {} on Roster", self.organization);
        let why = match &self.sent_by {
            Some(admin) => format!(
                "{admin}, an administrator of {}, sent you this link to choose a new password.",
                self.organization
            ),
            None => format!(
                "Someone (we hope you) asked to reset your password for {} on Roster.",
                self.organization
            ),
        };
        let text = format!(
            "Hello {},\n\n{why}\n\nOpen this link to choose a new password:\n{}\n\n\
             The link works once and expires in {minutes} minutes. Choosing a new password signs you out everywhere else.\n\n\
             If you did not ask for this, ignore this email: your password stays as it is.\n",
            self.first_name, self.link
        );
        let (f, w, l) = (
            escape_html(&self.first_name),
            escape_html(&why),
            escape_html(&self.link),
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
        let subject = format!(
            "{}: {seats} more {kind} seat{} requested",
            self.organization,
            if seats == 1 { "" } else { "s" }
        );
        let note = if self.note.is_empty() {
            "(no note)".to_owned()
        } else {
            self.note.clone()
        };
        let grant = format!(
            "roster org set-seats {} --{} <new total>",
            self.organization_id,
            self.kind.key()
        );
        let text = format!(
            "{} ({}) of {} (organization {}) asks for {seats} more {kind} seats.\n\n             Note: {note}\n\n             To grant them, raise the organization's {kind} seats with:\n{grant}\n\n             The request shows as granted on their Seats page once the seats rise.\n",
            self.requester, self.requester_email, self.organization, self.organization_id
        );
        let html = format!(
            "<!DOCTYPE html><html><body style=\"font-family: system-ui, sans-serif; color: #1d2433; line-height: 1.5\">\
             <p><strong>{}</strong> ({}) of <strong>{}</strong> (organization {}) asks for <strong>{seats} more {kind} seats</strong>.</p>\
             <p>Note: {}</p>\
             <p>To grant them, raise the organization's {kind} seats with:<br><code>{}</code></p>\
             <p style=\"color: #5b6475\">The request shows as granted on their Seats page once the seats rise.</p>\
             </body></html>",
            escape_html(&self.requester),
            escape_html(&self.requester_email),
            escape_html(&self.organization),
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
            link: "https://r.example/invite/abc".into(),
        })
        .render();
        assert!(m.html.contains("A&amp;B &lt;Sales&gt;"));
        assert!(m.html.contains("Dana &quot;D&quot; W"));
        assert!(!m.html.contains("<Sales>"));
        assert!(m.text.contains("A&B <Sales>"));
        assert!(m.text.contains("https://r.example/invite/abc"));
        assert_eq!(
            m.subject,
            "Dana \"D\" W invited you to A&B <Sales> on Roster"
        );
    }
}

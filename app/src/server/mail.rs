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

pub struct Message {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub fn invitation(
    organization: &str,
    inviter: &str,
    first_name: &str,
    link: &str,
    valid_days: i32,
) -> Message {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped_in_html_and_kept_in_text() {
        let m = invitation(
            "A&B <Sales>",
            "Dana \"D\" W",
            "Zoë",
            "https://r.example/invite/abc",
            7,
        );
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

/// What an invitation email is made of, as the outbox stores it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct InvitationData {
    pub organization: String,
    pub inviter: String,
    pub first_name: String,
    pub link: String,
}

/// The message of an outbox row: rendered from its data, or as stored.
pub fn render(
    payload: Option<serde_json::Value>,
    subject: Option<String>,
    text: Option<String>,
    html: Option<String>,
) -> Option<Message> {
    match payload {
        Some(data) => {
            let d: InvitationData = serde_json::from_value(data).ok()?;
            Some(invitation(
                &d.organization,
                &d.inviter,
                &d.first_name,
                &d.link,
                super::invitations::VALID_FOR_DAYS,
            ))
        }
        None => Some(Message {
            subject: subject?,
            text: text?,
            html: html?,
        }),
    }
}

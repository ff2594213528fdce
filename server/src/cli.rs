//! The command line of the server binary.

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "roster",
    version,
    about = "Roster: the team-management console of a sales-training platform.",
    long_about = "Roster: the team-management console of a sales-training platform.\n\n\
                  Every command reads DATABASE_URL. Without a command, `serve` runs."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (applies pending migrations first). Reads SITE_ADDR,
    /// PUBLIC_URL, ROSTER_ENV and COOKIE_SECURE; see README.
    Serve,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Manage organizations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Check, import, or apply as a change set a member file: CSV (the page's sample
    /// file, or an export), UTF-16 text, or a workbook (.xlsx, .ods, .xls: the first sheet).
    #[command(subcommand)]
    Csv(CsvCommand),
    /// The organization's members as a file.
    #[command(subcommand)]
    Members(MembersCommand),
}

#[derive(Debug, Subcommand)]
pub enum MembersCommand {
    /// Write the organization's members (the template's columns plus permission, region,
    /// team and status; formula-safe) to standard output or --output. Change it and give it
    /// to `roster csv diff` / `roster csv apply` to update the members.
    Export {
        /// The organization, by id or exact name.
        #[arg(long)]
        org: String,
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<std::path::PathBuf>,
    },
    /// Make a member a team manager of exactly these teams and regions (none: a manager
    /// who sees no one yet). Their member page shows the same choice.
    Manage {
        /// The organization, by id or exact name.
        #[arg(long)]
        org: String,
        /// The member's email address.
        #[arg(long)]
        email: String,
        /// A team, as "Region / Team" (repeat for several).
        #[arg(long)]
        team: Vec<String>,
        /// A whole region: every team in it, today's and later ones (repeat for several).
        #[arg(long)]
        region: Vec<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

/// A file as a change set, for `csv diff` and `csv apply`.
#[derive(Debug, Args)]
pub struct ChangeSetArgs {
    pub file: std::path::PathBuf,
    /// The organization, by id or exact name.
    #[arg(long)]
    pub org: String,
    /// Deactivate the members the file leaves out.
    #[arg(long)]
    pub deactivate_missing: bool,
}

#[derive(Debug, Subcommand)]
pub enum CsvCommand {
    /// Check a file: print every problem with its row and column, exit non-zero if any.
    /// With --org, also check against that organization's members and free seats.
    Check {
        file: std::path::PathBuf,
        /// The organization, by id or exact name.
        #[arg(long)]
        org: Option<String>,
        /// One JSON object per line: {"row", "column", "message"}.
        #[arg(long)]
        json: bool,
    },
    /// Print what a file would change (rows matched to members by user_id, else email):
    /// new, change (with each field), unchanged, deactivate (with --deactivate-missing) or
    /// refused (with the reason). Exit status 1 when a row is refused.
    Diff {
        #[command(flatten)]
        change_set: ChangeSetArgs,
        /// One JSON object per line: {"row", "action", "member", "changes", "message"}.
        #[arg(long)]
        json: bool,
    },
    /// Apply what `csv diff` prints, all of it or nothing (exit status 1, nothing changed,
    /// when a row is refused). Applying the same file again changes nothing.
    Apply {
        #[command(flatten)]
        change_set: ChangeSetArgs,
    },
    /// Import a file into an organization as the page does: every valid row becomes an
    /// invited member (with seats, programs and an invitation email); others are listed.
    Import {
        file: std::path::PathBuf,
        /// The organization, by id or exact name.
        #[arg(long)]
        org: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Create an organization with its seat counts and first administrator, and print
    /// the administrator's one-time invitation link (valid for 7 days).
    Create(CreateOrg),
    /// Set the seats an organization has bought (the vendor's decision; never below what
    /// its members hold). Recorded in its Activity log as a change by the vendor; open
    /// requests for a kind that rises are marked granted.
    SetSeats(SetSeats),
    /// Create a provisioning token (SCIM, for the organization's identity provider) and
    /// print it once: the same as the API keys page's Provisioning scope.
    ProvisioningToken(ProvisioningToken),
    /// Create an API key for the REST API with the given scopes (read, write, progress,
    /// activity) and print it once: the same as the API keys page.
    ApiKey(ApiKeyArgs),
    /// Add a webhook endpoint for the given events (all of them if none is named) and
    /// print its signing secret once: the same as the Webhooks page.
    Webhook(WebhookArgs),
}

#[derive(Debug, Args)]
pub struct ApiKeyArgs {
    /// The organization, by id or exact name.
    pub org: String,
    /// What the key is for, as the API keys page lists it.
    #[arg(long)]
    pub name: String,
    /// read, write, progress or activity; repeat for several.
    #[arg(long = "scope", required = true)]
    pub scopes: Vec<String>,
}

#[derive(Debug, Args)]
pub struct WebhookArgs {
    /// The organization, by id or exact name.
    pub org: String,
    /// Where events go (https; http on loopback in development).
    #[arg(long)]
    pub url: String,
    /// An event type, such as member.invited; repeat for several. None: every event.
    #[arg(long = "event")]
    pub events: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ProvisioningToken {
    /// The organization, by id or exact name.
    pub org: String,
    /// What the token is for, as the API keys page lists it ("Okta", "Entra ID").
    #[arg(long)]
    pub name: String,
}

#[derive(Debug, Args)]
pub struct SetSeats {
    /// The organization, by id or exact name.
    pub org: String,
    /// Enable seats bought, in all.
    #[arg(long, value_parser = clap::value_parser!(i64).range(0..=1_000_000))]
    pub enable: Option<i64>,
    /// Opportunity seats bought, in all.
    #[arg(long, value_parser = clap::value_parser!(i64).range(0..=1_000_000))]
    pub opportunity: Option<i64>,
}

#[derive(Debug, Args)]
pub struct CreateOrg {
    /// The organization's name, as members will see it.
    #[arg(long)]
    pub name: String,
    /// Enable licenses bought (programs need one).
    #[arg(long, value_parser = clap::value_parser!(i32).range(0..=1_000_000))]
    pub enable_seats: i32,
    /// Opportunity licenses bought.
    #[arg(long, value_parser = clap::value_parser!(i32).range(0..=1_000_000), default_value_t = 0)]
    pub opportunity_seats: i32,
    /// The first administrator's email address; the invitation goes there.
    #[arg(long)]
    pub admin_email: String,
    #[arg(long)]
    pub admin_first_name: String,
    #[arg(long)]
    pub admin_last_name: String,
    /// Give the administrator an Enable seat (needed to see reports).
    #[arg(long)]
    pub admin_enable_seat: bool,
}

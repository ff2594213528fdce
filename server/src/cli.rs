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
    /// Check or import a member CSV file (the format of the page's sample file).
    #[command(subcommand)]
    Csv(CsvCommand),
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

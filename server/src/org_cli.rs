//! `roster org create`, `roster org set-seats` and `roster org provisioning-token`: what the
//! vendor's operator does for a customer organization. Seats bought are the vendor's to
//! set; no administrator can.

use crate::cli::{ApiKeyArgs, CreateOrg, OrgCommand, ProvisioningToken, SetSeats, WebhookArgs};
use crate::config::Config;
use crate::db;
use anyhow::{bail, Context};
use app::domain::Access;
use app::domain::{Email, OrganizationName, PersonName};
use app::server::{organizations, seats};
use sqlx::PgPool;

pub async fn run(config: &Config, command: OrgCommand) -> anyhow::Result<()> {
    match command {
        OrgCommand::Create(args) => create(config, args).await,
        OrgCommand::SetSeats(args) => set_seats(config, args).await,
        OrgCommand::ProvisioningToken(args) => provisioning_token(config, args).await,
        OrgCommand::ApiKey(args) => api_key(config, args).await,
        OrgCommand::Webhook(args) => webhook(config, args).await,
    }
}

/// Prints a new REST API key (shown this once).
async fn api_key(config: &Config, args: ApiKeyArgs) -> anyhow::Result<()> {
    let pool = db::connect(config.database_url()?).await?;
    db::migrate(&pool).await?;
    let (organization_id, name) = find(&pool, &args.org).await?;
    let mut scopes = Vec::new();
    for raw in &args.scopes {
        let scope = app::domain::KeyScope::ALL
            .into_iter()
            .find(|s| s.api_name() == raw && *s != app::domain::KeyScope::Provisioning)
            .with_context(|| format!("{raw}: a scope is read, write, progress or activity"))?;
        scopes.push(scope);
    }
    let key = app::server::api_keys::create(
        &pool,
        &Access::operator(organization_id, &name, "command line"),
        &args.name,
        &scopes,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{key}");
    Ok(())
}

/// Adds a webhook endpoint and prints its signing secret (shown this once).
async fn webhook(config: &Config, args: WebhookArgs) -> anyhow::Result<()> {
    let pool = db::connect(config.database_url()?).await?;
    db::migrate(&pool).await?;
    let (organization_id, name) = find(&pool, &args.org).await?;
    let events = if args.events.is_empty() {
        app::domain::webhooks::EventType::SUBSCRIBABLE
            .iter()
            .map(|e| e.key().to_owned())
            .collect()
    } else {
        args.events
    };
    let secret = app::server::webhooks::add(
        &pool,
        &config.runtime(),
        &Access::operator(organization_id, &name, "command line"),
        &args.url,
        &events,
        "",
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{secret}");
    Ok(())
}

/// Prints a new provisioning token (shown this once; the database keeps its hash).
async fn provisioning_token(config: &Config, args: ProvisioningToken) -> anyhow::Result<()> {
    let pool = db::connect(config.database_url()?).await?;
    db::migrate(&pool).await?;
    let (organization_id, name) = find(&pool, &args.org).await?;
    let token = app::server::api_keys::create(
        &pool,
        &Access::operator(organization_id, &name, "command line"),
        &args.name,
        &[app::domain::KeyScope::Provisioning],
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{token}");
    Ok(())
}

/// An organization by id, or else by exact name: its id and name.
pub async fn find(pool: &PgPool, org: &str) -> anyhow::Result<(i64, String)> {
    let found = organizations::find(pool, org)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!("no organization {org:?}: give its id or exact name"),
        _ => bail!("several organizations are named {org:?}: give the id instead"),
    }
}

async fn set_seats(config: &Config, args: SetSeats) -> anyhow::Result<()> {
    if args.enable.is_none() && args.opportunity.is_none() {
        bail!("say which seats to set: --enable N, --opportunity M, or both");
    }
    let pool = db::connect(config.database_url()?).await?;
    db::migrate(&pool).await?;
    let (organization_id, name) = find(&pool, &args.org).await?;
    let pools = seats::set_bought(
        &pool,
        &Access::vendor(organization_id),
        args.enable,
        args.opportunity,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "{name} (id {organization_id}) now has {} Enable seats ({} held) and {} Opportunity seats ({} held).",
        pools.enable.bought, pools.enable.held, pools.opportunity.bought, pools.opportunity.held
    );
    Ok(())
}

async fn create(config: &Config, args: CreateOrg) -> anyhow::Result<()> {
    let new = organizations::NewOrganization {
        name: OrganizationName::parse(&args.name).context("--name")?,
        enable_seats: args.enable_seats,
        opportunity_seats: args.opportunity_seats,
        admin_first_name: PersonName::parse(&args.admin_first_name, "first name")
            .context("--admin-first-name")?,
        admin_last_name: PersonName::parse(&args.admin_last_name, "last name")
            .context("--admin-last-name")?,
        admin_email: Email::parse(&args.admin_email).context("--admin-email")?,
        admin_enable_seat: args.admin_enable_seat,
    };
    let pool = db::connect(config.database_url()?).await?;
    db::migrate(&pool).await?;
    let created = organizations::create(&pool, &new, "command line")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let public_url = config.public_url();
    println!(
        "Created organization {:?} (id {}) with {} Enable and {} Opportunity seats.",
        new.name.as_str(),
        created.organization_id,
        new.enable_seats,
        new.opportunity_seats
    );
    println!(
        "Invitation link for {} (valid 7 days, single use):\n{}",
        new.admin_email,
        app::server::links::accept_url(&public_url, &created.invitation_token)
    );
    Ok(())
}

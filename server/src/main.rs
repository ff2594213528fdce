use anyhow::Context;
use app::server::ServerState;
use clap::Parser;
use server::cli::{Cli, Command};
use server::config::{Config, Environment};
use server::mailer::{Mailer, MailerConfig};
use server::{db, demo, http, maintenance};
use std::process::ExitCode;
use std::sync::Arc;

/// mimalloc instead of glibc's malloc: server-side rendering allocates many small, short-lived
/// values on every worker thread at once, where glibc spent a quarter of the CPU in its
/// arenas and their locks (measured under 50 clients; docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let logging = server::config::logging();
    let filter = EnvFilter::try_new(&logging.filter)
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    // Colours only for a person at a terminal: a log file stays plain text to search.
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    if logging.json {
        builder.json().init();
    } else {
        builder.compact().init();
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let pool = db::connect(config.database_url()?).await?;
            db::migrate(&pool).await?;
            println!("Migrations applied.");
            Ok(())
        }
        Command::Org(command) => server::org_cli::run(&config, command).await,
        Command::Csv(command) => server::csv_cli::run(&config, command).await,
        Command::Members(command) => server::roster_cli::members(&config, command).await,
    }
}

fn leptos_options(config: &Config) -> anyhow::Result<leptos::prelude::LeptosOptions> {
    // Under cargo-leptos the LEPTOS_* variables describe the build. Run by hand, the
    // defaults match [workspace.metadata.leptos] in Cargo.toml (leptos_config cannot read
    // the workspace form of that table itself).
    let mut options = if server::config::built_by_cargo_leptos() {
        leptos::prelude::get_configuration(None)
            .context("could not read the LEPTOS_* configuration variables")?
            .leptos_options
    } else {
        leptos::prelude::LeptosOptions::builder()
            .output_name("roster")
            .site_root("target/site")
            .site_pkg_dir("pkg")
            .env(leptos::config::Env::PROD)
            .build()
    };
    // The build names its files after their content when it leaves a hash file beside the
    // binary (hash-files in Cargo.toml): the pages then link those names.
    options.hash_files = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join(options.hash_file.as_ref())))
        .is_some_and(|file| file.exists());
    if let Some(addr) = config.site_addr {
        options.site_addr = addr;
    }
    Ok(options)
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let options = leptos_options(&config)?;
    config.check_for_serving()?;
    let pool = db::connect_with_size(config.database_url()?, config.pool_size).await?;
    db::migrate(&pool).await?;
    let addr = options.site_addr;
    let runtime = config.runtime();
    let public_url = runtime.public_url.clone();

    let demo_ready = if config.environment == Environment::Development {
        demo::ensure(&pool).await?
    } else {
        false
    };
    maintenance::spawn(pool.clone());
    maintenance::spawn_licenses(pool.clone(), runtime.clone());
    maintenance::spawn_webhooks(pool.clone(), runtime.clone());
    let (stop_mail, mail_stop) = tokio::sync::watch::channel(false);
    let mut mail_worker = None;
    if let Some(smtp_url) = &config.smtp_url {
        let mut mailer = MailerConfig::new(smtp_url.clone(), config.mail_from.clone());
        mailer.timeout = config.smtp_timeout;
        mailer.public_url = runtime.public_url.clone();
        mail_worker = Some(Mailer::new(mailer)?.spawn(pool.clone(), mail_stop));
        tracing::info!("mail worker started");
    } else {
        tracing::info!(
            "no SMTP_URL: emails are kept for the development mailbox (/organization/mailbox), never sent"
        );
    }

    let state = http::AppState {
        leptos_options: options,
        server: ServerState {
            pool,
            config: Arc::new(runtime.clone()),
            dns: config.dns()?,
        },
        metrics: config
            .metrics_token
            .clone()
            .map(server::metrics::MetricsToken),
    };
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!("could not listen on {addr} (is another server running there?)")
    })?;
    tracing::info!(%addr, "listening");
    println!("\nRoster is running at {public_url}");
    if demo_ready {
        // The demo password is in the README (and `make run` prints it): never in the
        // server's own output, which goes to logs.
        println!(
            "Sign in at {public_url}/sign-in as {} (administrator) or {} (member), with the demo password of the README.\n",
            demo::ADMIN_EMAIL,
            demo::MEMBER_EMAIL,
        );
    }
    http::serve(listener, http::router(state)).await?;
    // Told to stop: the mail worker finishes the message it is sending, then stops.
    let _ = stop_mail.send(true);
    if let Some(worker) = mail_worker {
        let _ = tokio::time::timeout(config.smtp_timeout * 2, worker).await;
    }
    Ok(())
}

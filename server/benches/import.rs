//! Importing 99,999 CSV rows (every user_id EXT00001…EXT99999: the format allows no more
//! per organization) as the command line does — check, members, programs, invitations,
//! outbox emails, activity log, in batches of 5,000 — against a raw `COPY` of the same
//! member rows into the same table, in the same run.
//!
//! Run: `scripts/bench.sh import`.

use app::domain::Access;
use app::import::{parse, RowCells};
use app::server::import::{import_batch, start};
use app::server::RuntimeConfig;
use sqlx::PgPool;
use std::time::Instant;

/// The allocator the served binary uses (`server/src/main.rs`): the import's own work is
/// mostly allocation.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ROWS: u32 = 99_999;
const BATCH: usize = app::import::MAX_BATCH_ROWS;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let pool = server::db::scratch_database(&base, "roster_bench_import").await?;
    let csv = generate();
    println!("{ROWS} rows, {:.1} MB of CSV", csv.len() as f64 / 1e6);

    // Reference: COPY the same member rows, nothing else.
    let copy_org = organization(&pool, "Copy").await?;
    let mut copy = String::with_capacity(csv.len());
    for (n, line) in csv.lines().skip(1).enumerate() {
        let cells: Vec<&str> = line.splitn(8, ',').collect();
        copy.push_str(&format!(
            "{copy_org},EXT{:05},{},{},{},{},member,{},{}\n",
            n + 1,
            cells[1],
            cells[2],
            cells[3],
            cells[4],
            cells[5].eq_ignore_ascii_case("true"),
            cells[6].eq_ignore_ascii_case("true")
        ));
    }
    let started = Instant::now();
    let mut conn = pool.acquire().await?;
    let mut sink = conn
        .copy_in_raw(
            "COPY members (organization_id, external_id, first_name, last_name, email, job_title, permission, enable_seat, opportunity_seat)
             FROM STDIN WITH (FORMAT csv)",
        )
        .await?;
    sink.send(copy.as_bytes()).await?;
    sink.finish().await?;
    drop(conn);
    let copy_time = started.elapsed();
    println!(
        "reference: raw COPY of the member rows          {:>7.2} s",
        copy_time.as_secs_f64()
    );

    // Roster's import, from the file's bytes.
    let org = organization(&pool, "Import").await?;
    let started = Instant::now();
    let parsed = parse(csv.as_bytes());
    let rows: Vec<RowCells> = parsed.rows;
    let who = Access::operator(org, "Benchmark", "benchmark");
    let config = RuntimeConfig {
        public_url: "http://127.0.0.1:3000".into(),
        secure_cookies: false,
        smtp_configured: false,
        vendor_email: "vendor@roster.localhost".into(),
        dev_mailbox: false,
        trusted_proxies: Vec::new(),
        development: false,
    };
    let import_id = start(
        &pool,
        &who,
        "bench.csv",
        &app::import::digest(csv.as_bytes()),
        rows.len(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?
    .import_id;
    let mut imported = 0;
    for batch in rows.chunks(BATCH) {
        imported += import_batch(&pool, &config, &who, import_id, batch)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .imported;
    }
    let import_time = started.elapsed();
    assert_eq!(imported, ROWS as usize);
    let (enrollments, mails): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM enrollments), (SELECT count(*) FROM email_outbox WHERE organization_id = $1)",
    )
    .bind(org)
    .fetch_one(&pool)
    .await?;
    println!(
        "Roster import: parse, check, members + {enrollments} enrollments + {mails} invitations and emails + log {:>7.2} s",
        import_time.as_secs_f64()
    );
    println!(
        "ratio import / COPY: {:.1}x",
        import_time.as_secs_f64() / copy_time.as_secs_f64()
    );
    Ok(())
}

fn generate() -> String {
    let mut csv = String::from("user_id,first_name,last_name,email,job_title,mos_enable,mos_opportunity,course_enrollments\n");
    for n in 1..=ROWS {
        let programs = match n % 3 {
            0 => "\"meddpicc-masterclass,meddicc-value-program\"",
            1 => "meddicc-go-live-plan",
            _ => "",
        };
        let enable = if programs.is_empty() { "FALSE" } else { "TRUE" };
        csv.push_str(&format!(
            "EXT{n:05},Zoë{n},Müller,person{n}@bench.example,Account Executive,{enable},{},{programs}\n",
            if n % 5 == 0 { "TRUE" } else { "FALSE" }
        ));
    }
    csv
}

async fn organization(pool: &PgPool, name: &str) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO organizations (name, enable_seats, opportunity_seats) VALUES ($1, 200000, 200000) RETURNING id",
    )
    .bind(name)
    .fetch_one(pool)
    .await?)
}

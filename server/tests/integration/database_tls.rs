//! PostgreSQL over TLS, for real: a PostgreSQL server of the test's own (Debian's
//! binaries, on a loopback port) that accepts only TLS connections (`hostssl` in its
//! pg_hba.conf), with a certificate authority and a server certificate the test makes with
//! openssl. `sslmode=require` encrypts; `sslmode=verify-full` with `sslrootcert` checks the
//! certificate and the host name, and refuses a server another authority certified; the
//! real binary migrates over it, as a managed PostgreSQL service would be used.

use crate::common;

use common::processes::free_port;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// initdb and postgres refuse to run as root: as root, they run as `postgres`.
fn as_owner(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn is_root() -> bool {
    let id = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&id.stdout).trim() == "0"
}

fn postgres_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's binaries (apt-get install postgresql; scripts/setup.sh does)")
        .filter_map(|entry| Some(entry.ok()?.path().join("bin")))
        .filter(|bin| bin.join("postgres").exists())
        .collect();
    versions.sort_by_key(|bin| {
        let version = bin
            .parent()
            .and_then(Path::file_name)
            .and_then(|v| v.to_str());
        version.and_then(|v| v.parse::<u32>().ok()).unwrap_or(0)
    });
    versions
        .pop()
        .expect("no /usr/lib/postgresql/*/bin/postgres")
}

fn run(command: &mut Command) {
    let output = command.stdin(Stdio::null()).output().unwrap();
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn openssl(dir: &Path, args: &[&str]) {
    run(Command::new("openssl").current_dir(dir).args(args));
}

/// A certificate authority (`NAME.crt`, `NAME.key`).
fn make_authority(dir: &Path, name: &str) {
    let (key, crt) = (format!("{name}.key"), format!("{name}.crt"));
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN=Roster test {name}"),
            "-keyout",
            &key,
            "-out",
            &crt,
        ],
    );
}

/// `server.crt`/`server.key` for `localhost` and 127.0.0.1, signed by the authority `ca`.
fn make_server_certificate(dir: &Path) {
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName = DNS:localhost, IP:127.0.0.1\nbasicConstraints = CA:FALSE\n\
         keyUsage = digitalSignature, keyEncipherment\nextendedKeyUsage = serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.crt",
        ],
    );
}

/// The test's PostgreSQL: stopped (immediately) when the test ends, however it ends.
struct Postgres {
    bin: PathBuf,
    data: PathBuf,
    dir: PathBuf,
    port: u16,
}

impl Postgres {
    fn start(dir: &Path) -> Postgres {
        let bin = postgres_bin();
        let data = dir.join("data");
        let port = free_port();
        std::fs::create_dir_all(&data).unwrap();
        chown_to_postgres(dir);
        run(as_owner(&bin.join("initdb")).arg("-D").arg(&data).args([
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ]));
        // Only TLS over TCP; the Unix socket (for pg_ctl) stays in the test's directory.
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\n\
             hostnossl all all 127.0.0.1/32 reject\n",
        )
        .unwrap();
        for file in ["server.crt", "server.key"] {
            std::fs::copy(dir.join(file), data.join(file)).unwrap();
        }
        chown_to_postgres(dir);
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories='{}' \
             -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key",
            dir.display()
        );
        run(as_owner(&bin.join("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.join("postgres.log"))
            .args(["-w", "-t", "60", "-o", &options, "start"]));
        Postgres {
            bin,
            data,
            dir: dir.to_owned(),
            port,
        }
    }

    fn url(&self, query: &str) -> String {
        format!(
            "postgres://postgres@localhost:{}/postgres?{query}",
            self.port
        )
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = as_owner(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// As root, the directory and its files go to `postgres` (which refuses a key file it
/// does not own, and must reach its data directory).
fn chown_to_postgres(dir: &Path) {
    if is_root() {
        run(Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(dir));
    }
}

async fn is_encrypted(pool: &sqlx::PgPool) -> bool {
    sqlx::query_scalar::<_, bool>("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_database_is_reached_over_tls_and_its_certificate_is_checked() {
    let dir = std::env::temp_dir().join(format!("roster-db-tls-{}", free_port()));
    std::fs::create_dir_all(&dir).unwrap();
    make_authority(&dir, "ca");
    make_authority(&dir, "other-ca");
    make_server_certificate(&dir);
    let postgres = Postgres::start(&dir);
    let ca = dir.join("ca.crt");
    let other_ca = dir.join("other-ca.crt");

    // The server takes nothing but TLS.
    let plain = server::db::connect(&postgres.url("sslmode=disable")).await;
    assert!(plain.is_err(), "a connection without TLS was accepted");

    // sslmode=require: encrypted, the certificate not checked.
    let started = Instant::now();
    let pool = loop {
        match server::db::connect(&postgres.url("sslmode=require")).await {
            Ok(pool) => break pool,
            Err(error) if started.elapsed() > Duration::from_secs(30) => {
                panic!("sslmode=require failed: {error:?}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    };
    assert!(is_encrypted(&pool).await);
    pool.close().await;

    // verify-full with the authority that signed the certificate: connected, encrypted.
    let verified = postgres.url(&format!("sslmode=verify-full&sslrootcert={}", ca.display()));
    let pool = server::db::connect(&verified).await.unwrap();
    assert!(is_encrypted(&pool).await);
    pool.close().await;

    // verify-full with another authority: refused, and the reason says why.
    let wrong = postgres.url(&format!(
        "sslmode=verify-full&sslrootcert={}",
        other_ca.display()
    ));
    let error = server::db::connect(&wrong).await.unwrap_err();
    let reason = format!("{error:#}").to_lowercase();
    assert!(reason.contains("certificate"), "{reason}");

    // The real binary, as a release step would run it: migrations over verify-full.
    let migrate = Command::new(env!("CARGO_BIN_EXE_roster"))
        .arg("migrate")
        .env("DATABASE_URL", &verified)
        .env("ROSTER_ENV", "development")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        migrate.status.success(),
        "roster migrate over TLS: {}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    assert!(String::from_utf8_lossy(&migrate.stdout).contains("Migrations applied."));
    // … and refused by the binary with the wrong authority, naming the cause.
    let refused = Command::new(env!("CARGO_BIN_EXE_roster"))
        .arg("migrate")
        .env("DATABASE_URL", &wrong)
        .env("ROSTER_ENV", "development")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr).to_lowercase();
    assert!(stderr.contains("certificate"), "{stderr}");
    drop(postgres);
}

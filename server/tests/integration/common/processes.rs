//! Other programs the tests start: a free port to put them on, a guard that kills a child
//! when a test ends (even by a failed assertion), and the misbehaving SMTP server
//! (aiosmtpd with `tests/smtp/fault_server.py`) with what it accepted.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process killed when dropped (a failed assertion leaves nothing running).
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        self.kill();
    }
}

impl Killed {
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The fault server on `port`, logging what it accepts to `log`, answering after
/// `delay_ms` (see the script for the addresses it misbehaves with).
pub fn smtp_server(port: u16, log: &std::path::Path, delay_ms: u32) -> Killed {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp/fault_server.py");
    let mut child = Command::new("python3")
        .args([
            script,
            &port.to_string(),
            log.to_str().unwrap(),
            &delay_ms.to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 with aiosmtpd (scripts/setup.sh installs it)");
    // It prints "ready" once it listens.
    use std::io::BufRead;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready", "the SMTP server did not start");
    Killed(child)
}

/// How many messages the SMTP server accepted for each recipient.
pub fn received(log: &std::path::Path) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for line in std::fs::read_to_string(log).unwrap_or_default().lines() {
        let entry: serde_json::Value = serde_json::from_str(line).unwrap();
        for to in entry["to"].as_array().unwrap() {
            *counts.entry(to.as_str().unwrap().to_owned()).or_insert(0) += 1;
        }
    }
    counts
}

/// The real binary as an operator runs it: `roster ARGS` against `database_url`, without
/// a mail server.
pub fn roster(database_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("PUBLIC_URL", "https://roster.example")
        .env_remove("SMTP_URL")
        .output()
        .unwrap()
}

//! TXT records, for proving an email domain (`_roster-verification.<domain>`). Behind a
//! trait so that tests and development answer from a file instead of the internet: the
//! server uses the system's resolver unless `ROSTER_DNS_TXT_FILE` names such a file (in
//! development only).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

/// The TXT records of a name: each record's strings joined, as its owner wrote it.
pub type Lookup<'a> = Pin<Box<dyn Future<Output = Result<Vec<String>, String>> + Send + 'a>>;

pub trait TxtLookup: Send + Sync {
    fn txt<'a>(&'a self, name: &'a str) -> Lookup<'a>;
}

/// The system's resolver (`/etc/resolv.conf`).
pub struct SystemResolver(hickory_resolver::TokioResolver);

impl SystemResolver {
    pub fn new() -> Result<Self, String> {
        let resolver = hickory_resolver::TokioResolver::builder_tokio()
            .map_err(|e| format!("the system's DNS configuration could not be read: {e}"))?
            .build();
        Ok(Self(resolver))
    }
}

impl TxtLookup for SystemResolver {
    fn txt<'a>(&'a self, name: &'a str) -> Lookup<'a> {
        Box::pin(async move {
            match self.0.txt_lookup(name).await {
                Ok(found) => Ok(found
                    .iter()
                    .map(|txt| {
                        txt.txt_data()
                            .iter()
                            .map(|part| String::from_utf8_lossy(part).into_owned())
                            .collect::<String>()
                    })
                    .collect()),
                // No such record is an answer, not a fault.
                Err(e) if e.is_no_records_found() => Ok(Vec::new()),
                Err(e) => Err(format!("the DNS lookup failed: {e}")),
            }
        })
    }
}

/// Records from a JSON file (`{"name": ["value", …]}`), read at each lookup: what tests
/// and development publish instead of DNS.
pub struct FileResolver(pub std::path::PathBuf);

impl TxtLookup for FileResolver {
    fn txt<'a>(&'a self, name: &'a str) -> Lookup<'a> {
        Box::pin(async move {
            let text = match tokio::fs::read_to_string(&self.0).await {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
                Err(e) => return Err(format!("{}: {e}", self.0.display())),
            };
            let records: HashMap<String, Vec<String>> =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", self.0.display()))?;
            Ok(records
                .get(name.trim_end_matches('.'))
                .cloned()
                .unwrap_or_default())
        })
    }
}

/// Records kept in memory, set by the test that owns them.
#[derive(Default)]
pub struct StaticResolver(pub std::sync::Mutex<HashMap<String, Vec<String>>>);

impl StaticResolver {
    pub fn publish(&self, name: &str, value: &str) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(name.to_owned())
            .or_default()
            .push(value.to_owned());
    }
}

impl TxtLookup for StaticResolver {
    fn txt<'a>(&'a self, name: &'a str) -> Lookup<'a> {
        let found = self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .cloned()
            .unwrap_or_default();
        Box::pin(async move { Ok(found) })
    }
}

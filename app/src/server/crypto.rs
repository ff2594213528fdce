//! Random tokens (sessions, invitations) and password hashing.

use crate::error::AppError;
use argon2::password_hash::{
    self, rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A fresh random token for a URL or a cookie (256 bits, hex) and the SHA-256 digest the
/// database keeps. Tokens are high-entropy, so a fast hash is enough: nobody can guess one.
pub fn new_token() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let digest = token_digest(&token);
    (token, digest)
}

pub fn token_digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Argon2 runs at most this many at once (about the number of cores): each takes 19 MiB
/// and a core for a while, and without a bound a burst of requests takes the server's
/// memory (300 concurrent hashes: 5 GB). The others wait their turn, at most
/// [`HASHING_WAIT`], then are told the server is busy.
fn hashing_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| tokio::sync::Semaphore::new(hashing_capacity()))
}

/// How many hashes run at once: the cores there are.
fn hashing_capacity() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 16))
}

/// How long a password check waits for its turn before "busy, try again".
pub const HASHING_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

async fn hashing_turn() -> Result<tokio::sync::SemaphorePermit<'static>, AppError> {
    match tokio::time::timeout(HASHING_WAIT, hashing_permits().acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => {
            tracing::warn!("password hashing at capacity: a request was told to retry");
            Err(AppError::Busy(
                "Roster is very busy checking passwords right now. Wait a few seconds and try again."
                    .into(),
            ))
        }
    }
}

/// A job for the hashing threads.
type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of threads that run Argon2 (as many as there are turns). Not tokio's
/// blocking pool: that starts new threads while old ones idle, and each thread's
/// allocator keeps its 19 MiB — a burst of sign-ins grew the server by hundreds of MB.
fn hashing_threads() -> &'static std::sync::Mutex<std::sync::mpsc::Sender<Job>> {
    use std::sync::{mpsc, Arc, Mutex, OnceLock};
    static THREADS: OnceLock<Mutex<mpsc::Sender<Job>>> = OnceLock::new();
    THREADS.get_or_init(|| {
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..hashing_capacity() {
            let receiver = Arc::clone(&receiver);
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || loop {
                    let job = match receiver.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                });
            if let Err(error) = spawned {
                tracing::error!(%error, "could not start a password hashing thread");
            }
        }
        Mutex::new(sender)
    })
}

/// Runs `work` on a hashing thread, in turn (see [`hashing_turn`]).
async fn on_hashing_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let _turn = hashing_turn().await?;
    let (answer, result) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = answer.send(work());
    });
    hashing_threads()
        .lock()
        .map_err(|_| internal("password hashing threads", "poisoned"))?
        .send(job)
        .map_err(|e| internal("password hashing threads", e))?;
    result
        .await
        .map_err(|e| internal("password hashing thread", e))
}

/// Argon2id with the crate's defaults (19 MiB, 2 passes), on a hashing thread, in turn.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    hash_password_like(password, None).await
}

/// Like [`hash_password`], with the salt and parameters of `sibling` — the hash of the
/// same address in another organization — when there is one. Every hash of one address
/// then shares its salt, so a sign-in computes Argon2 once however many organizations the
/// address belongs to ([`matching`]): how long it takes tells nothing.
pub async fn hash_password_like(
    password: String,
    sibling: Option<String>,
) -> Result<String, AppError> {
    on_hashing_thread(move || {
        let parsed = sibling.as_deref().and_then(|s| PasswordHash::new(s).ok());
        let reusable = parsed.as_ref().and_then(|p| {
            let params = argon2::Params::try_from(p).ok()?;
            let algorithm = argon2::Algorithm::try_from(p.algorithm).ok()?;
            let version = argon2::Version::try_from(p.version?).ok()?;
            Some((Argon2::new(algorithm, version, params), p.salt?))
        });
        match reusable {
            Some((argon2, salt)) => argon2
                .hash_password(password.as_bytes(), salt)
                .map(|h| h.to_string()),
            None => {
                let salt = SaltString::generate(&mut OsRng);
                Argon2::default()
                    .hash_password(password.as_bytes(), &salt)
                    .map(|h| h.to_string())
            }
        }
    })
    .await?
    .map_err(|e| internal("password hashing", e))
}

/// Which of `stored` (the hashes of one address, one per organization) `password`
/// matches. Argon2 runs once per distinct salt and parameters — once, since
/// [`hash_password_like`] gives one address one salt — and once with a dummy hash when
/// there is none, so the time taken does not tell how many organizations the address
/// belongs to, or whether it belongs to any. Hashes made before salts were shared cost
/// one run each.
pub async fn matching(password: String, stored: Vec<String>) -> Result<Option<usize>, AppError> {
    on_hashing_thread(move || {
        let parsed: Vec<Option<PasswordHash<'_>>> =
            stored.iter().map(|s| PasswordHash::new(s).ok()).collect();
        if parsed.iter().all(Option::is_none) {
            if let Ok(dummy) = PasswordHash::new(DUMMY_HASH) {
                let _ = Argon2::default().verify_password(password.as_bytes(), &dummy);
            }
            return None;
        }
        // One computation per (algorithm, version, parameters, salt): what the hash
        // string holds before its output.
        let mut computed: Vec<(String, Option<password_hash::Output>)> = Vec::new();
        let mut found = None;
        for (i, hash) in parsed.iter().enumerate() {
            let Some(hash) = hash else { continue };
            let text = hash.to_string();
            let prefix = text.rsplit_once('$').map_or("", |(p, _)| p).to_owned();
            let output = match computed.iter().find(|(p, _)| *p == prefix) {
                Some((_, output)) => *output,
                None => {
                    let output = recompute(password.as_bytes(), hash);
                    computed.push((prefix, output));
                    output
                }
            };
            // Output's equality takes the same time wherever the bytes differ.
            if found.is_none() && output.is_some() && output == hash.hash {
                found = Some(i);
            }
        }
        found
    })
    .await
}

/// The output `password` gives with `hash`'s algorithm, parameters and salt.
fn recompute(password: &[u8], hash: &PasswordHash<'_>) -> Option<password_hash::Output> {
    let params = argon2::Params::try_from(hash).ok()?;
    let algorithm = argon2::Algorithm::try_from(hash.algorithm).ok()?;
    let version = argon2::Version::try_from(hash.version?).ok()?;
    Argon2::new(algorithm, version, params)
        .hash_password(password, hash.salt?)
        .ok()?
        .hash
}

/// Verifies a password against a stored hash. With no hash (no such member, or not yet
/// active) a dummy hash is checked anyway, so the answer takes as long either way and
/// does not reveal which addresses are members.
pub async fn verify_password(password: String, stored: Option<String>) -> Result<bool, AppError> {
    Ok(matching(password, stored.into_iter().collect())
        .await?
        .is_some())
}

/// An Argon2id hash of a random string, with the default parameters.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$uYbTJqR2mLbd3XbBbV0OQOmkeYWGKUfYIuMMhR6uDwA";

fn internal(what: &str, error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "{what} failed");
    AppError::internal()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_round_trip_and_unknown_accounts_never_match() {
        let hash = hash_password("correct horse".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse".into(), Some(hash.clone()))
            .await
            .unwrap());
        assert!(!verify_password("wrong horse!".into(), Some(hash))
            .await
            .unwrap());
        assert!(!verify_password("anything".into(), None).await.unwrap());
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[tokio::test]
    async fn one_address_shares_one_salt_and_one_computation() {
        let first = hash_password("in acme".into()).await.unwrap();
        let second = hash_password_like("in globex".into(), Some(first.clone()))
            .await
            .unwrap();
        let salt = |h: &str| PasswordHash::new(h).unwrap().salt.unwrap().to_string();
        assert_eq!(salt(&first), salt(&second));
        assert_ne!(first, second);
        let both = vec![first.clone(), second.clone()];
        assert_eq!(
            matching("in acme".into(), both.clone()).await.unwrap(),
            Some(0)
        );
        assert_eq!(
            matching("in globex".into(), both.clone()).await.unwrap(),
            Some(1)
        );
        assert_eq!(matching("elsewhere".into(), both).await.unwrap(), None);
        assert_eq!(matching("anything".into(), vec![]).await.unwrap(), None);
        // Hashes of before, each with its own salt, still match.
        let old = hash_password("old".into()).await.unwrap();
        assert_eq!(
            matching("old".into(), vec![first, old]).await.unwrap(),
            Some(1)
        );
    }

    #[test]
    fn tokens_are_random_and_stored_as_digests() {
        let (a, digest) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(digest, token_digest(&a));
        assert_eq!(digest.len(), 32);
    }
}

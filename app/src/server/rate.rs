//! Requests per API key (a SCIM provisioning token, a REST API key), counted on each
//! instance in fixed windows: a client that sends faster than [`REQUESTS_PER_WINDOW`] in [`WINDOW_SECONDS`] gets 429 with
//! `Retry-After` (every major provider waits and resends). The bound protects the
//! database from one token's flood; it is not a rule that must hold across instances, so
//! it is kept in memory (each of N instances admits its share).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Requests one token may send per window on one instance.
pub const REQUESTS_PER_WINDOW: u32 = 500;
pub const WINDOW_SECONDS: u64 = 1;
/// Tokens remembered at once: beyond it, windows that ended are forgotten first.
const TOKENS_KEPT: usize = 10_000;

/// The counts of the current windows, by token (the API key's id).
#[derive(Debug)]
pub struct RateLimit {
    per_window: u32,
    window: Duration,
    windows: Mutex<HashMap<i64, (Instant, u32)>>,
}

impl Default for RateLimit {
    fn default() -> Self {
        Self::new(REQUESTS_PER_WINDOW, Duration::from_secs(WINDOW_SECONDS))
    }
}

impl RateLimit {
    pub fn new(per_window: u32, window: Duration) -> Self {
        Self {
            per_window,
            window,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request of `token`; `Err(seconds)`: refused, try again after that long.
    pub fn admit(&self, token: i64) -> Result<(), u64> {
        self.admit_at(token, Instant::now())
    }

    fn admit_at(&self, token: i64, now: Instant) -> Result<(), u64> {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() >= TOKENS_KEPT && !windows.contains_key(&token) {
            let window = self.window;
            windows.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = windows.entry(token).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.per_window {
            let left = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(left.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_gets_its_share_per_window_and_is_told_when_to_come_back() {
        let limit = RateLimit::new(3, Duration::from_secs(2));
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limit.admit_at(1, start).is_ok());
        }
        assert_eq!(limit.admit_at(1, start), Err(2));
        // Another token has its own window.
        assert!(limit.admit_at(2, start).is_ok());
        assert!(limit.admit_at(1, start + Duration::from_secs(2)).is_ok());
    }
}

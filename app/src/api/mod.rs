//! Server functions: the only way the browser reaches data. Each one is thin: it checks
//! who is calling (`server::session::require_*`), scopes every query to the caller's
//! organization, and leaves rules to `domain`.

pub mod api_keys;
pub mod auth;
pub mod import;
pub mod learner;
pub mod member;
pub mod members;
pub mod organization;
pub mod reports;
pub mod seats;
pub mod teams;

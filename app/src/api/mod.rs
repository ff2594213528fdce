//! Server functions: the only way the browser reaches data. Each is a few lines: who is
//! calling (`server::session::require_*`), which organization, then one call into
//! `server`, which holds the logic and the SQL. No SQL here, and a server function never
//! calls another. Each file has a namesake in `server/` (and in `model/` for its types).

pub mod activity;
pub mod api_keys;
pub mod auth;
pub mod enrollments;
pub mod identity;
pub mod import;
pub mod invitations;
pub mod invite;
pub mod learning;
pub mod licenses;
pub mod mailbox;
pub mod member_list;
pub mod members;
pub mod passwords;
pub mod reports;
pub mod roster;
pub mod seats;
pub mod sso;
pub mod teams;
pub mod webhooks;

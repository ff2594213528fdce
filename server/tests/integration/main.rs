//! The server's database, HTTP and process tests, in one test binary: one link instead of
//! one per file (each binary is the whole server; twenty of them took minutes to link and
//! gigabytes of disk). Run one file's tests with a filter: `cargo test -p server --test
//! integration seats::`.

mod common;

mod access;
mod auth;
mod cli;
mod constraints;
mod csv;
mod database_tls;
mod defenses;
mod import_resume;
mod licenses;
mod logs;
mod mail_faults;
mod managers;
mod member_list;
mod members;
mod memory;
mod operations;
mod passwords;
mod proxy;
mod rest;
mod roster;
mod scim;
mod seats;
mod security;
mod sso;
mod statuses;
mod teams;
mod throttle;
mod webhooks;

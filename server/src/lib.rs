//! Roster's server: configuration, the database pool and migrations, the HTTP routes,
//! background maintenance, the demo data and the command line.

pub mod activity_export;
pub mod assets;
pub mod cli;
pub mod config;
pub mod csv_cli;
pub mod db;
pub mod demo;
pub mod error_links;
pub mod files;
pub mod http;
pub mod mailer;
pub mod maintenance;
pub mod metrics;
pub mod org_cli;
pub mod progress_api;
pub mod rest;
pub mod roster_cli;
pub mod scim;

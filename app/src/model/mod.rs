//! What crosses the line between the layers: the values server functions answer with and
//! pages show. Plain data (serde), compiled for the server and the browser alike; the
//! server logic builds them and the pages read them, so neither imports the other. One
//! file per server-function module, with the same name.

pub mod activity;
pub mod api_keys;
pub mod enrollments;
pub mod identity;
pub mod import;
pub mod invitations;
pub mod learning;
pub mod licenses;
pub mod mailbox;
pub mod member_list;
pub mod passwords;
pub mod reports;
pub mod roster;
pub mod seats;
pub mod teams;
pub mod viewer;
pub mod webhooks;

pub use viewer::Viewer;

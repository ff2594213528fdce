//! Roster's rules and its reading of files: the lowest layer, free of I/O. `app` re-exports
//! these modules under the same names (`app::domain`, `app::import` …).

#![deny(unsafe_code)] // one exception, said where it is (`import::decode::Utf8Pieces`)

pub mod domain;
pub mod export;
pub mod import;
pub mod spreadsheet;

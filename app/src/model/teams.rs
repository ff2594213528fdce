//! The Teams & Regions page.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamView {
    pub id: i64,
    pub name: String,
    pub members: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionView {
    pub id: i64,
    pub name: String,
    /// Members in the region's teams.
    pub members: i64,
    pub teams: Vec<TeamView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamsOverview {
    pub regions: Vec<RegionView>,
    pub without_team: i64,
    /// Team managers may invite members into the teams they manage.
    pub managers_may_invite: bool,
}

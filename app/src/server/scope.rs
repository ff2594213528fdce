//! Where queries meet the scope of who acts. Every query that reads an organization's
//! members reads them from the SQL function `scoped_members(organization, teams)`
//! (migration 20261202000020) with the two values this module takes from the caller's
//! [`Access`]: the organization, and the teams a manager manages (`None` for the whole
//! organization). Teams a page offers come from `scoped_teams` the same way.
//!
//! Queries written with `sqlx::query!` bind [`teams`] as the function's second argument;
//! queries built at run time push [`members`].

use crate::domain::Access;
use sqlx::{Postgres, QueryBuilder};

/// The second argument of `scoped_members` and `scoped_teams`: `None` is everyone.
pub fn teams(access: &Access) -> Option<Vec<i64>> {
    access.scope.teams()
}

/// Appends `scoped_members($organization, $teams)` to a query being built — with a
/// literal `NULL` for the whole organization, so that PostgreSQL plans the query without
/// the teams' condition at all. (Bound, a `NULL` is known only at execution: a cached
/// generic plan keeps the condition, reads `team_id` from every row and loses the
/// index-only count; the member list's count took twice as long.)
pub fn members(qb: &mut QueryBuilder<'_, Postgres>, access: &Access) {
    qb.push("scoped_members(").push_bind(access.organization_id);
    match teams(access) {
        None => qb.push(", NULL)"),
        Some(teams) => qb.push(", ").push_bind(teams).push(")"),
    };
}

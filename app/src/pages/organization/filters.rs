//! The member list's search, filters and sort.

use crate::model::member_list::{MemberFilter, TeamOption};
use leptos::prelude::*;

/// Search, filters and sort: a plain GET form, so it works before the page is interactive
/// and every filtered list has its own address.
#[component]
pub(super) fn Filters(filter: MemberFilter, teams: Vec<TeamOption>) -> impl IntoView {
    let select = move |label: &'static str,
                       name: &'static str,
                       current: String,
                       options: Vec<(String, String)>| {
        let id = format!("filter-{name}");
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <select id=id name=name>
                    {options.into_iter().map(|(value, text)| {
                        let selected = value == current;
                        view! { <option value=value selected=selected>{text}</option> }
                    }).collect_view()}
                </select>
            </div>
        }
    };
    let o = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(v, t)| (v.to_string(), t.to_string()))
            .collect::<Vec<_>>()
    };
    let mut team_options = o(&[("", "Any team"), ("none", "No team")]);
    team_options.extend(teams.into_iter().map(|t| (t.id.to_string(), t.label)));
    view! {
        <form method="get" action="/organization" class="filters" role="search" aria-label="Search and filter members">
            <div class="field grow">
                <label for="filter-q">"Search"</label>
                <input id="filter-q" type="search" name="q" value=filter.q.clone() placeholder="Name or email"/>
            </div>
            {select("Billing status", "status", filter.status.clone(), o(&[("", "Any"), ("active", "Active"), ("invited", "Invited"), ("deactivated", "Inactive")]))}
            {select("Permission", "permission", filter.permission.clone(), o(&[("", "Any"), ("admin", "Administrators"), ("member", "Members")]))}
            {select("Seat", "seat", filter.seat.clone(), o(&[("", "Any"), ("enable", "Enable"), ("opportunity", "Opportunity"), ("none", "No seat")]))}
            {select("Team", "team", filter.team.clone(), team_options)}
            {select("Sort by", "sort", filter.sort.clone(), o(&[("name", "Name"), ("newest", "Newest first"), ("status", "Billing status")]))}
            <div class="filter-buttons">
                <button type="submit" class="primary">"Apply"</button>
                <a href="/organization">"Clear"</a>
            </div>
        </form>
    }
}

//! My Organization > Teams & Regions: add, rename and delete regions and teams, with
//! member counts. Members are put in teams from the member list.

use crate::api::teams::{
    create_region, create_team, delete_region, delete_team, load_teams, rename_region, rename_team,
    set_managers_may_invite,
};
use crate::components::load_blocking;
use crate::components::{confirmed, interactive, Changes, Flash, Guarded, Loaded, Need};
use crate::domain::Capability;
use crate::model::teams::{RegionView, TeamView, TeamsOverview};
use leptos::prelude::*;

#[component]
pub fn TeamsPage() -> impl IntoView {
    view! { <Guarded need=Need::To(Capability::ManageOrganization) title="Teams & Regions" page=|_viewer| view! { <TeamsBody/> }.into_any()/> }
}

#[component]
fn TeamsBody() -> impl IntoView {
    let changes = Changes::new();
    let teams = load_blocking(move || changes.version.get(), |_| load_teams());
    view! {
        <p><a href="/organization">"← Back to My Organization"</a></p>
        <h1>"Teams & Regions"</h1>
        <p class="subtitle">"Group members into regions and teams, then follow each in Reports."</p>
        <Flash changes/>
        <Loaded resource=teams ready=move |overview| view! { <Overview overview changes/> }.into_any()/>
    }
}

#[component]
fn Overview(overview: TeamsOverview, changes: Changes) -> impl IntoView {
    let ready = interactive();
    let region_name = RwSignal::new(String::new());
    let team_name = RwSignal::new(String::new());
    let team_region = RwSignal::new(
        overview
            .regions
            .first()
            .map(|r| r.id.to_string())
            .unwrap_or_default(),
    );
    let add_region = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = region_name.get_untracked();
        changes.run(create_region(name.clone()), move |_| {
            region_name.set(String::new());
            format!("Region {} added.", name.trim())
        });
    };
    let add_team = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(region) = team_region.get_untracked().parse::<i64>() else {
            return;
        };
        let name = team_name.get_untracked();
        changes.run(create_team(region, name.clone()), move |_| {
            team_name.set(String::new());
            format!("Team {} added.", name.trim())
        });
    };
    let has_regions = !overview.regions.is_empty();
    let region_options = overview
        .regions
        .iter()
        .map(|r| (r.id, r.name.clone()))
        .collect::<Vec<_>>();
    view! {
        <div class="two-forms" data-interactive=move || ready.get().to_string()>
            <form class="card" on:submit=add_region aria-labelledby="add-region-title">
                <h2 id="add-region-title">"+ Add New Region"</h2>
                <div class="field">
                    <label for="region-name">"Region name"</label>
                    <input id="region-name" required maxlength="100" placeholder="EMEA"
                        prop:value=move || region_name.get() on:input=move |ev| region_name.set(event_target_value(&ev))/>
                </div>
                <button type="submit" class="primary">"Add region"</button>
            </form>
            <form class="card" on:submit=add_team aria-labelledby="add-team-title">
                <h2 id="add-team-title">"+ Add New Team"</h2>
                {if has_regions {
                    view! {
                        <div class="field">
                            <label for="team-region">"Region"</label>
                            <select id="team-region" prop:value=move || team_region.get() on:change=move |ev| team_region.set(event_target_value(&ev))>
                                {region_options.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="team-name">"Team name"</label>
                            <input id="team-name" required maxlength="100" placeholder="Enterprise"
                                prop:value=move || team_name.get() on:input=move |ev| team_name.set(event_target_value(&ev))/>
                        </div>
                        <button type="submit" class="primary">"Add team"</button>
                    }.into_any()
                } else {
                    view! { <p class="hint">"Add a region first: every team belongs to a region."</p> }.into_any()
                }}
            </form>
        </div>
        {if overview.regions.is_empty() {
            view! {
                <section class="card notice" data-testid="no-regions">
                    <h2>"No regions yet"</h2>
                    <p>"Add a region (such as EMEA or North America), then its teams."</p>
                </section>
            }.into_any()
        } else {
            view! {
                <div data-testid="regions">
                    {overview.regions.into_iter().map(|region| view! { <Region region changes/> }).collect_view()}
                </div>
            }.into_any()
        }}
        <p class="hint" data-testid="without-team">{format!("{} members have no team.", overview.without_team)}</p>
        <ManagersCard may_invite=overview.managers_may_invite changes/>
    }
}

/// Team managers (members made managers on the member list, their teams chosen on their
/// member page) and what the organization lets them do.
#[component]
fn ManagersCard(may_invite: bool, changes: Changes) -> impl IntoView {
    let toggle = move |ev: leptos::ev::Event| {
        let allowed = event_target_checked(&ev);
        changes.run(set_managers_may_invite(allowed), move |()| {
            if allowed {
                "Team managers may now invite members into their teams.".to_owned()
            } else {
                "Only administrators invite members now.".to_owned()
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="managers-title">
            <h2 id="managers-title">"Team managers"</h2>
            <p class="hint">"A team manager sees the members, progress and reports of the teams and regions chosen on their member page, and can resend their invitations. Make someone a manager from the Permission menu of My Organization."</p>
            <label class="check">
                <input type="checkbox" checked=may_invite on:change=toggle data-testid="managers-may-invite"/>
                " Team managers may invite members into their teams (seats follow the organization's rules)"
            </label>
        </section>
    }
}

#[component]
fn Region(region: RegionView, changes: Changes) -> impl IntoView {
    let RegionView {
        id,
        name,
        members,
        teams,
    } = region;
    let label = name.clone();
    let delete = move |_| {
        if !confirmed(&format!("Delete the region {label}?")) {
            return;
        }
        let label = label.clone();
        changes.run(delete_region(id), move |()| {
            format!("Region {label} deleted.")
        });
    };
    let team_count = teams.len();
    view! {
        <section class="card region" aria-label=format!("Region {name}")>
            <div class="region-head">
                <h2>{name.clone()}</h2>
                <span class="hint">{format!("{team_count} team{} · {members} member{}", if team_count == 1 { "" } else { "s" }, if members == 1 { "" } else { "s" })}</span>
                <Rename current=name.clone() what="region" on_save=move |new: String| changes.run(rename_region(id, new.clone()), move |()| format!("Region renamed to {}.", new.trim()))/>
                <button type="button" class="danger" aria-label=format!("Delete region {name}") on:click=delete>"Delete"</button>
            </div>
            {if teams.is_empty() {
                view! { <p class="hint">"No teams in this region yet."</p> }.into_any()
            } else {
                view! {
                    <table>
                        <thead><tr><th scope="col">"Team"</th><th scope="col">"Members"</th><th scope="col">"Actions"</th></tr></thead>
                        <tbody>{teams.into_iter().map(|team| view! { <Team team changes/> }).collect_view()}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn Team(team: TeamView, changes: Changes) -> impl IntoView {
    let TeamView { id, name, members } = team;
    let label = name.clone();
    let delete = move |_| {
        let question = match members {
            0 => format!("Delete the team {label}?"),
            1 => format!("Delete the team {label}? Its member will have no team."),
            n => format!("Delete the team {label}? Its {n} members will have no team."),
        };
        if !confirmed(&question) {
            return;
        }
        let label = label.clone();
        changes.run(delete_team(id), move |n| match n {
            0 => format!("Team {label} deleted."),
            1 => format!("Team {label} deleted; its member has no team now."),
            n => format!("Team {label} deleted; its {n} members have no team now."),
        });
    };
    view! {
        <tr>
            <th scope="row">{name.clone()}</th>
            <td><a href=format!("/organization?team={id}")>{members}<span class="visually-hidden">{format!(" members of {name}")}</span></a></td>
            <td class="actions">
                <Rename current=name.clone() what="team" on_save=move |new: String| changes.run(rename_team(id, new.clone()), move |()| format!("Team renamed to {}.", new.trim()))/>
                <a class="button" href=format!("/organization/reports?scope=team:{id}")>"Report"</a>
                <button type="button" class="danger" aria-label=format!("Delete team {name}") on:click=delete>"Delete"</button>
            </td>
        </tr>
    }
}

/// A Rename button that turns into a small form (Escape or Cancel closes it).
#[component]
fn Rename<F>(current: String, what: &'static str, on_save: F) -> impl IntoView
where
    F: Fn(String) + Copy + Send + Sync + 'static,
{
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(current.clone());
    let label = current;
    view! {
        {move || if editing.get() {
            view! {
                <form class="inline-form rename" on:submit=move |ev| {
                    ev.prevent_default();
                    on_save(draft.get_untracked());
                    editing.set(false);
                }>
                    <input aria-label=format!("New name for {what} {label}") required maxlength="100" autofocus
                        prop:value=move || draft.get()
                        on:input=move |ev| draft.set(event_target_value(&ev))
                        on:keydown=move |ev| if ev.key() == "Escape" { editing.set(false) }/>
                    <button type="submit" class="primary">"Save"</button>
                    <button type="button" on:click=move |_| editing.set(false)>"Cancel"</button>
                </form>
            }.into_any()
        } else {
            view! {
                <button type="button" aria-label=format!("Rename {what} {label}") on:click=move |_| editing.set(true)>"Rename"</button>
            }.into_any()
        }}
    }
}

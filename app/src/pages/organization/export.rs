//! Export: the members the list shows (its current filter), as CSV or an Excel workbook —
//! the template's columns plus permission, region, team and status. Changed and dropped
//! back on the Import page, the file is a change set.

use crate::api::roster::export_members;
use crate::components::save_export;
use crate::model::member_list::MemberFilter;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub(super) fn ExportButtons(filter: Signal<MemberFilter>) -> impl IntoView {
    let busy = RwSignal::new(false);
    let message = RwSignal::new(None::<String>);
    let export = move |format: &'static str| {
        busy.set(true);
        message.set(None);
        let filter = filter.get_untracked();
        spawn_local(async move {
            message.set(save_export(export_members(filter, format.to_owned()).await).err());
            busy.set(false);
        });
    };
    view! {
        <div class="export" role="group" aria-label="Export the members shown">
            <button type="button" disabled=move || busy.get() on:click=move |_| export("csv")>"Export CSV"</button>
            <button type="button" disabled=move || busy.get() on:click=move |_| export("xlsx")>"Export Excel"</button>
            <span class="hint">" The members shown, with their seats, programs, permission and team. Change the file and drop it on Import to update them."</span>
            <span class="error" role="alert">{move || message.get()}</span>
        </div>
    }
}

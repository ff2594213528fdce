use crate::api::learner::my_programs;
use crate::components::{Access, Guarded};
use leptos::prelude::*;

#[component]
pub fn MyProgramsPage() -> impl IntoView {
    view! { <Guarded access=Access::SignedIn page=|_viewer| view! { <MyProgramsBody/> }.into_any()/> }
}

#[component]
fn MyProgramsBody() -> impl IntoView {
    let programs = Resource::new_blocking(|| (), |_| my_programs());
    view! {
        <h1>"My programs"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match programs.await {
                    Ok(mine) if !mine.has_enable_seat => view! {
                        <section class="card notice">
                            <p>"You have no programs: programs need an Enable seat, and you do not have one. Ask an administrator of your organization for a seat."</p>
                        </section>
                    }
                    .into_any(),
                    Ok(mine) if mine.programs.is_empty() => view! {
                        <section class="card notice">
                            <p>"No programs are assigned to you yet. Your administrator will assign them."</p>
                        </section>
                    }
                    .into_any(),
                    Ok(mine) => view! {
                        <ul class="programs" data-testid="my-programs">
                            {mine.programs.into_iter().map(|p| view! {
                                <li class="card">
                                    <h2>{p.name}</h2>
                                    <progress max="100" value=p.progress.percent() aria-label=format!("Progress")>{p.progress.to_string()}</progress>
                                    <span class="hint">{p.progress.to_string()}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }
                    .into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

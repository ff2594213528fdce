//! The learner's side: My programs with progress bars, and each program's lessons.

use crate::api::learning::{complete_lesson, load_lessons, my_programs};
use crate::components::load_blocking;
use crate::components::{interactive, Guarded, Loaded, Need};
use crate::domain::Progress;
use crate::model::learning::ProgramLessons;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

#[component]
pub fn MyProgramsPage() -> impl IntoView {
    view! { <Guarded need=Need::SignedIn title="My programs" page=|_viewer| view! { <MyProgramsBody/> }.into_any()/> }
}

#[component]
fn MyProgramsBody() -> impl IntoView {
    let programs = load_blocking(|| (), |_| my_programs());
    view! {
        <h1>"My programs"</h1>
        <Loaded resource=programs ready=move |value| match value {
                    mine if !mine.has_enable_seat => view! {
                        <section class="card notice" data-testid="no-seat">
                            <p>"You have no programs: programs need an Enable seat, and you do not have one. Ask an administrator of your organization for a seat."</p>
                        </section>
                    }
                    .into_any(),
                    mine if mine.programs.is_empty() => view! {
                        <section class="card notice">
                            <p>"No programs are assigned to you yet. Your administrator will assign them."</p>
                        </section>
                    }
                    .into_any(),
                    mine => view! {
                        <ul class="programs" data-testid="my-programs">
                            {mine.programs.into_iter().map(|p| view! {
                                <li class="card">
                                    <h2><a href=format!("/my-programs/{}", p.slug)>{p.name.clone()}</a></h2>
                                    <ProgressBar progress=p.progress label=format!("Progress in {}", p.name)/>
                                </li>
                            }).collect_view()}
                        </ul>
                    }
                    .into_any(),
        }/>
    }
}

#[component]
fn ProgressBar(progress: Progress, label: String) -> impl IntoView {
    view! {
        <progress max="100" value=progress.percent() aria-label=label>{progress.to_string()}</progress>
        <span class="hint" data-testid="progress-text">{format!("{progress} complete")}</span>
    }
}

#[component]
pub fn ProgramPage() -> impl IntoView {
    view! { <Guarded need=Need::SignedIn title="Program" page=|_viewer| view! { <ProgramBody/> }.into_any()/> }
}

#[component]
fn ProgramBody() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let version = RwSignal::new(0u32);
    let lessons = load_blocking(
        move || (slug(), version.get()),
        |(slug, _)| load_lessons(slug),
    );
    view! {
        <p><a href="/my-programs">"← My programs"</a></p>
        <Loaded resource=lessons ready=move |plan| view! { <Lessons plan version/> }.into_any()/>
    }
}

#[component]
fn Lessons(plan: ProgramLessons, version: RwSignal<u32>) -> impl IntoView {
    let program = plan.program;
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let ready = interactive();
    let done = plan.lessons.iter().filter(|l| l.completed).count();
    let total = plan.lessons.len();
    view! {
        <h1>{program.name()}</h1>
        <section class="card" aria-label="Your progress">
            <ProgressBar progress=plan.progress label=format!("Progress in {}", program.name())/>
            <p class="hint">{format!("{done} of {total} lessons completed")}</p>
        </section>
        <p class="error" role="alert">{move || error.get()}</p>
        <ol class="lessons" data-testid="lessons" data-interactive=move || ready.get().to_string()>
            {plan.lessons.into_iter().map(|lesson| {
                let complete = move |_| {
                    busy.set(true);
                    spawn_local(async move {
                        match complete_lesson(program, lesson.id).await {
                            Ok(_) => error.set(None),
                            Err(e) => error.set(Some(e.to_string())),
                        }
                        busy.set(false);
                        version.update(|v| *v += 1);
                    });
                };
                view! {
                    <li class=if lesson.completed { "lesson done" } else { "lesson" }>
                        <span class="lesson-title">{lesson.title.clone()}</span>
                        <span class="hint">{format!("{} min", lesson.minutes)}</span>
                        {if lesson.completed {
                            view! { <span class="badge ok">"Completed"</span> }.into_any()
                        } else {
                            view! {
                                // The visible words first in the name, the lesson after them
                                // for screen readers.
                                <button type="button" disabled=move || busy.get() on:click=complete>
                                    "Mark as completed"
                                    <span class="visually-hidden">{format!(": {}", lesson.title)}</span>
                                </button>
                            }.into_any()
                        }}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

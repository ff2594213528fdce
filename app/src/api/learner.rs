//! The learner's side: My programs, a program's lessons, completing a lesson.

use crate::domain::{Program, Progress};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyProgram {
    pub slug: String,
    pub name: String,
    pub progress: Progress,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyEnrollments {
    pub has_enable_seat: bool,
    pub programs: Vec<MyProgram>,
}

/// The signed-in member's own enrollments.
#[server]
pub async fn my_programs() -> Result<MyEnrollments, AppError> {
    let viewer = crate::server::session::require_viewer().await?;
    let pool = crate::server::pool()?;
    let rows = sqlx::query!(
        r#"SELECT p.slug, p.name, e.progress_basis_points
             FROM enrollments e JOIN programs p ON p.id = e.program_id
            WHERE e.member_id = $1
            ORDER BY p.position"#,
        viewer.member_id,
    )
    .fetch_all(&pool)
    .await?;
    let programs = rows
        .into_iter()
        .map(|r| {
            Ok(MyProgram {
                slug: r.slug,
                name: r.name,
                progress: Progress::from_basis_points(r.progress_basis_points.into())
                    .map_err(|_| AppError::Internal)?,
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(MyEnrollments {
        has_enable_seat: viewer.enable_seat,
        programs,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lesson {
    pub id: i16,
    pub position: i16,
    pub title: String,
    pub minutes: i16,
    pub completed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramLessons {
    pub program: Program,
    pub progress: Progress,
    pub lessons: Vec<Lesson>,
}

/// The lessons of one of the signed-in member's programs.
#[server]
pub async fn load_lessons(slug: String) -> Result<ProgramLessons, AppError> {
    let viewer = crate::server::session::require_viewer().await?;
    let program = Program::from_slug(&slug)
        .ok_or_else(|| AppError::NotFound("There is no such program.".into()))?;
    let pool = crate::server::pool()?;
    crate::server::learning::lessons(&pool, &viewer, program).await
}

/// Marks a lesson completed; returns the program's progress now.
#[server(input = Json)]
pub async fn complete_lesson(program: Program, lesson_id: i16) -> Result<Progress, AppError> {
    let viewer = crate::server::session::require_viewer().await?;
    let pool = crate::server::pool()?;
    crate::server::learning::complete_lesson(&pool, &viewer, program, lesson_id).await
}

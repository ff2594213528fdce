//! The learner's side: My programs, a program's lessons, completing a lesson.

use crate::domain::{Program, Progress};
use crate::error::AppError;
use crate::model::learning::{MyEnrollments, ProgramLessons};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The signed-in member's own enrollments.
#[server]
pub async fn my_programs() -> Result<MyEnrollments, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::learning::my_programs(&pool, &access).await
}

/// The lessons of one of the signed-in member's programs.
#[server]
pub async fn load_lessons(slug: String) -> Result<ProgramLessons, AppError> {
    let access = crate::server::session::require_access().await?;
    let program = Program::from_slug(&slug)
        .ok_or_else(|| AppError::NotFound("There is no such program.".into()))?;
    let pool = crate::server::pool()?;
    crate::server::learning::lessons(&pool, &access, program).await
}

/// Marks a lesson completed; returns the program's progress now.
#[server(input = Json)]
pub async fn complete_lesson(program: Program, lesson_id: i16) -> Result<Progress, AppError> {
    let access = crate::server::session::require_access().await?;
    let pool = crate::server::pool()?;
    crate::server::learning::complete_lesson(&pool, &access, program, lesson_id).await
}

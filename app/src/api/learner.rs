use crate::domain::Progress;
use crate::error::AppError;
use leptos::prelude::*;
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

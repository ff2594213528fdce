//! The learner's side: My programs and a program's lessons.

use crate::domain::{Program, Progress};
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

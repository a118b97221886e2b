//! One file per command.

pub mod check;
pub mod plan;
pub mod render;

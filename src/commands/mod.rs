//! One file per command.

pub mod plan;
pub mod render;

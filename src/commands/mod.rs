//! One file per command.

pub mod check;
pub mod extract;
pub mod plan;
pub mod render;

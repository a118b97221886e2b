//! One file per command.

pub mod batch;
pub mod check;
pub mod diff;
pub mod edit;
pub mod extract;
pub mod init;
pub mod plan;
pub mod render;
pub mod watch;

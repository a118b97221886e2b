//! Typesetting in process: the Typst world with its embedded fonts, the compilation to PDF and
//! the layout audit of the composed pages.

pub mod audit;
pub mod compile;
pub mod world;

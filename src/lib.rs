//! cdm-render: the labelling dossier of a Cité des métiers, from TOML data to a PDF.
//!
//! The data flows through one module per stage, tied together by one [`render::Pipeline`]:
//! [`load`] (the only stage that reads files: the TOML, its CSV tables, the files it names, the
//! previous dossier) → [`validate`] and [`check`] (errors, completeness) → [`template`] and
//! [`charts`] (pure: Typst sources and SVG) → [`world`] and [`compile`] (in-process Typst →
//! PDF). [`model`], [`vocab`], [`outline`], [`fr`] and [`geo`] are the leaves they share. The
//! command line lives in [`cli`] and [`commands`].

pub mod annex;
pub mod audit;
pub mod batch;
pub mod charts;
pub mod check;
pub mod cli;
pub mod commands;
pub mod compile;
pub mod diag;
pub mod diff;
pub mod extract;
pub mod fr;
pub mod fsutil;
pub mod geo;
pub mod init;
pub mod load;
pub mod model;
pub mod outline;
pub mod overview;
pub mod pieces;
pub mod previous;
pub mod probe;
pub mod render;
pub mod schema;
pub mod serve;
pub mod template;
pub mod validate;
pub mod vocab;
pub mod watch;
pub mod world;

/// Name and version written in generated files and PDF metadata.
pub const GENERATOR: &str = concat!("cdm-render ", env!("CARGO_PKG_VERSION"));

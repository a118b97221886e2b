//! cdm-render: the labelling dossier of a Cité des métiers, from TOML data to a PDF.
//!
//! The folders follow the data flow, tied together by one [`render::Pipeline`]:
//! [`model`] (what a dossier is: the typed data, the closed vocabularies, the official outline,
//! the JSON schema) → [`input`] (the only stage that reads the user's files: load, validate,
//! completeness, the previous phase) → [`document`] (pure: Typst sources from templates, SVG
//! charts, the files attached) → [`typeset`] (in-process Typst → PDF, layout audit). [`fr`],
//! [`diag`] and [`fsutil`] are the leaves they share. [`batch`], [`watch`] and [`serve`] use the
//! pipeline for many dossiers and for the live preview; the command line lives in [`cli`] and
//! [`commands`].

pub mod batch;
pub mod cli;
pub mod commands;
pub mod diag;
pub mod document;
pub mod edit;
pub mod fr;
pub mod fsutil;
pub mod init;
pub mod input;
pub mod model;
pub mod render;
pub mod serve;
pub mod typeset;
pub mod watch;

/// Name and version written in generated files and PDF metadata.
pub const GENERATOR: &str = concat!("cdm-render ", env!("CARGO_PKG_VERSION"));

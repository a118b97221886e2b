//! Reading a dossier: the TOML and every file it names (CSV tables, GeoJSON, annexes, the
//! previous phase's dossier), checked and made into the typed model, with its completeness.

pub mod annex;
pub mod check;
pub mod diff;
pub mod geo;
pub mod images;
pub mod isolate;
pub mod load;
pub mod pdfscan;
pub mod previous;
pub mod validate;

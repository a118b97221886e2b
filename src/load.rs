//! Reading a dossier TOML file into the typed model, with errors located in the file.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::diag::DataErrors;
use crate::model::Dossier;
use crate::validate::Target;
use crate::{fsutil, validate};

/// A dossier read from disk, with the text it came from (for located messages).
#[derive(Debug, Clone)]
pub struct LoadedDossier {
    /// Path of the TOML file.
    pub path: PathBuf,
    /// Its text.
    pub source: String,
    /// The parsed data.
    pub dossier: Dossier,
    /// Warnings found by validation (suspicious but possible data).
    pub warnings: DataErrors,
    /// Sections read from CSV files (attached to the PDF and watched like the dossier).
    pub tables: Vec<crate::validate::CsvTable>,
}

impl LoadedDossier {
    /// Folder of the dossier file, against which the files it refers to are resolved.
    pub fn base_dir(&self) -> &Path {
        fsutil::folder_of(&self.path)
    }
}

/// Reads and validates a dossier. Data problems come back as [`DataErrors`] inside the error,
/// all of them at once.
pub fn load(path: &Path, target: &Target) -> Result<LoadedDossier> {
    let source = fsutil::read_to_string(path)?;
    Ok(LoadedDossier::from_source(path, source, target)?)
}

impl LoadedDossier {
    /// Validates dossier text as if read from `path` (which names it in messages and is the
    /// base of the files it refers to).
    pub fn from_source(
        path: &Path,
        source: String,
        target: &Target,
    ) -> Result<LoadedDossier, DataErrors> {
        let validated = validate::validate_for(path, &source, target)?;
        Ok(LoadedDossier {
            path: path.to_path_buf(),
            source,
            dossier: validated.dossier,
            warnings: validated.warnings,
            tables: validated.tables,
        })
    }
}

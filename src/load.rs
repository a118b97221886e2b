//! Reading a dossier TOML file into the typed model, with errors located in the file.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::diag::{DataError, DataErrors, Severity, translate};
use crate::fsutil;
use crate::model::Dossier;

/// A dossier read from disk, with the text it came from (for located messages).
#[derive(Debug, Clone)]
pub struct LoadedDossier {
    /// Path of the TOML file.
    pub path: PathBuf,
    /// Its text.
    pub source: String,
    /// The parsed data.
    pub dossier: Dossier,
}

impl LoadedDossier {
    /// Folder of the dossier file, against which the files it refers to are resolved.
    pub fn base_dir(&self) -> &Path {
        self.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
    }
}

/// Reads and parses a dossier. Data problems come back as [`DataErrors`] inside the error.
pub fn load(path: &Path) -> Result<LoadedDossier> {
    let source = fsutil::read_to_string(path)?;
    let dossier = parse(path, &source)?;
    Ok(LoadedDossier { path: path.to_path_buf(), source, dossier })
}

/// Parses dossier text; `path` only names the file in messages.
pub fn parse(path: &Path, source: &str) -> Result<Dossier, DataErrors> {
    toml::from_str::<Dossier>(source).map_err(|error| {
        let (message, hint) = translate(error.message());
        DataErrors {
            errors: vec![DataError {
                severity: Severity::Error,
                file: path.to_path_buf(),
                span: error.span(),
                field: None,
                message,
                hint,
            }],
            source: source.to_string(),
        }
    })
}

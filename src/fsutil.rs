//! File operations that name their path in every error, and atomic output.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// Reads a UTF-8 file, naming it in the error.
pub fn read_to_string(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("impossible de lire {}", path.display()))
}

/// Writes a file atomically: the bytes go to a temporary file in the same folder, which then
/// replaces the target. A failed or interrupted write never leaves a truncated file and never
/// destroys the previous version.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)
        .with_context(|| format!("impossible de créer le dossier {}", dir.display()))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".cdm-render-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| {
        format!("impossible de créer un fichier temporaire dans {}", dir.display())
    })?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("impossible d'écrire {}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("impossible d'écrire {}", path.display()))?;
    Ok(())
}

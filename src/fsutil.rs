//! File operations that name their path in every error, and atomic output.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// Reads a UTF-8 file, naming it in the error.
pub fn read_to_string(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("impossible de lire {}", path.display()))
}

/// The folder a file is in: its parent, or `.` for a bare file name.
pub fn folder_of(path: &Path) -> &Path {
    path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// Writes a file atomically: the bytes go to a temporary file in the same folder, which then
/// replaces the target. A failed or interrupted write never leaves a truncated file and never
/// destroys the previous version.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = folder_of(path);
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
    // Temporary files are private (0600); the result gets the permissions of the file it
    // replaces, or ordinary ones for a new file.
    let permissions = match std::fs::metadata(path) {
        Ok(meta) => meta.permissions(),
        Err(_) => default_permissions(),
    };
    tmp.as_file()
        .set_permissions(permissions)
        .with_context(|| format!("impossible d'écrire {}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("impossible d'écrire {}", path.display()))?;
    Ok(())
}

#[cfg(unix)]
fn default_permissions() -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(0o644)
}

#[cfg(not(unix))]
fn default_permissions() -> std::fs::Permissions {
    tempfile::tempfile()
        .and_then(|f| f.metadata())
        .map(|m| m.permissions())
        .expect("temporary file")
}

/// Resolves a file named in a dossier against the dossier's folder, refusing anything that
/// would lead outside it: absolute paths, `..` and symbolic links pointing elsewhere.
pub fn resolve_inside(base: &Path, name: &str) -> Result<std::path::PathBuf> {
    let relative = Path::new(name);
    let hint =
        "les fichiers cités par le dossier doivent se trouver dans son dossier ou un sous-dossier";
    if relative.is_absolute()
        || relative.components().any(|c| matches!(c, std::path::Component::ParentDir))
    {
        anyhow::bail!("chemin refusé « {name} » : {hint}");
    }
    let base = base
        .canonicalize()
        .with_context(|| format!("impossible d'accéder au dossier {}", base.display()))?;
    let path = base.join(relative);
    let real = path.canonicalize().with_context(|| {
        format!("fichier introuvable : {} (cité comme « {name} »)", path.display())
    })?;
    if !real.starts_with(&base) {
        anyhow::bail!(
            "chemin refusé « {name} » : il mène hors du dossier ({}) ; {hint}",
            real.display()
        );
    }
    Ok(real)
}

/// Reads a file's bytes, naming it in the error.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("impossible de lire {}", path.display()))
}

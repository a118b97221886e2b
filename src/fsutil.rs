//! File operations that name their path in every error, and atomic output.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use anyhow::Result;

/// Largest dossier TOML (or custom template) read: a complete dossier is some 60 ko, so this
/// leaves room for any real one while a stray disk image or log named `.toml` is refused after
/// reading at most this much.
pub const MAX_TEXT_SIZE: u64 = 8_000_000;

/// Reads a UTF-8 text file of at most [`MAX_TEXT_SIZE`] bytes, naming it in the error; a file
/// in another encoding gets a hint.
pub fn read_to_string(path: &Path) -> Result<String> {
    let bytes = read_limited(path, MAX_TEXT_SIZE)?;
    String::from_utf8(bytes).map_err(|e| {
        let (line, _) = line_of(e.as_bytes(), e.utf8_error().valid_up_to());
        anyhow::anyhow!(
            "{} n'est pas encodé en UTF-8 (premier caractère illisible ligne {line})\n\
             aide : {}",
            path.display(),
            encoding_hint(e.as_bytes())
        )
    })
}

/// How to save a file that is not UTF-8, guessing its encoding from its first bytes.
fn encoding_hint(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        "le fichier est en UTF-16 : dans l'éditeur, enregistrez-le avec l'encodage « UTF-8 »"
    } else {
        "le fichier semble en Latin-1 ou Windows-1252 : dans l'éditeur (Bloc-notes : « Enregistrer sous », Encodage), choisissez « UTF-8 »"
    }
}

fn line_of(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    (line, offset)
}

/// An I/O error in French, for the user: what happened, without the system's English text.
pub fn io_message(error: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match error.kind() {
        K::NotFound => "fichier ou dossier introuvable".into(),
        K::PermissionDenied => "accès refusé (droits insuffisants)".into(),
        K::AlreadyExists => "le fichier existe déjà".into(),
        K::IsADirectory => "c'est un dossier, pas un fichier".into(),
        K::NotADirectory => "un élément du chemin n'est pas un dossier".into(),
        K::StorageFull => "le disque est plein".into(),
        K::ReadOnlyFilesystem => "le disque est en lecture seule".into(),
        K::InvalidData => "contenu illisible".into(),
        K::Interrupted | K::TimedOut => "opération interrompue".into(),
        _ => match error.raw_os_error() {
            Some(code) => format!("erreur du système (code {code})"),
            None => "erreur du système".into(),
        },
    }
}

/// The folder a file is in: its parent, or `.` for a bare file name.
pub fn folder_of(path: &Path) -> &Path {
    path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// Writes a file atomically: the bytes go to a temporary file in the same folder, which then
/// replaces the target. A failed or interrupted write never leaves a truncated file and never
/// destroys the previous version.
///
/// Only a regular file is ever replaced: a device, a FIFO, a socket or a folder at `path` is
/// refused (renaming over `/dev/null` would replace the node itself).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = folder_of(path);
    let failed = |what: &str, e: std::io::Error| {
        anyhow::anyhow!("impossible d'écrire {} ({what}) : {}", path.display(), io_message(&e))
    };
    refuse_special(path)?;
    #[cfg(windows)]
    if let Some(name) = path.file_name().and_then(|n| n.to_str())
        && let Some(why) = windows_reserved(name)
    {
        anyhow::bail!("impossible d'écrire {} : {why}", path.display());
    }
    std::fs::create_dir_all(dir).map_err(|e| failed("création du dossier", e))?;
    remove_stale_temporaries(dir);
    let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| failed("fichier temporaire", e))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| failed("écriture", e))?;
    // Temporary files are private (0600); the result gets the permissions of the file it
    // replaces, or ordinary ones for a new file.
    let permissions = match std::fs::metadata(path) {
        Ok(meta) => meta.permissions(),
        Err(_) => default_permissions(),
    };
    tmp.as_file().set_permissions(permissions).map_err(|e| failed("droits", e))?;
    tmp.persist(path).map_err(|e| failed("remplacement", e.error))?;
    Ok(())
}

/// Prefix of our temporary files, followed by the id of the process that writes them.
const TEMP_PREFIX: &str = ".cdm-render-";

/// Removes the temporary files that an interrupted run (killed between write and rename) left
/// in `dir`: those whose process no longer runs. Best effort: a file that cannot be removed is
/// left for the next run. Once per folder and process: a folder is listed once however many
/// files are written into it (`extract` of thousands of files stays linear).
fn remove_stale_temporaries(dir: &Path) {
    static CLEANED: std::sync::Mutex<Option<std::collections::HashSet<PathBuf>>> =
        std::sync::Mutex::new(None);
    if let Ok(mut cleaned) = CLEANED.lock()
        && !cleaned.get_or_insert_default().insert(dir.to_path_buf())
    {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(TEMP_PREFIX)) else { continue };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if rest.ends_with(".tmp") && pid != std::process::id() && is_stale(pid, &entry) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether the process that wrote a temporary file is gone. Where running processes cannot be
/// listed, a file a day old is taken as abandoned (no render writes for that long).
fn is_stale(pid: u32, entry: &std::fs::DirEntry) -> bool {
    if cfg!(target_os = "linux") {
        return !Path::new(&format!("/proc/{pid}")).exists();
    }
    let age = entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
    age.is_some_and(|a| a > std::time::Duration::from_secs(24 * 3600))
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
    let base = base.canonicalize().map_err(|e| {
        anyhow::anyhow!("impossible d'accéder au dossier {} : {}", base.display(), io_message(&e))
    })?;
    let path = base.join(relative);
    let real = path.canonicalize().map_err(|e| {
        anyhow::anyhow!(
            "fichier introuvable : {} (cité comme « {name} ») : {}",
            path.display(),
            io_message(&e)
        )
    })?;
    if !real.starts_with(&base) {
        anyhow::bail!(
            "chemin refusé « {name} » : il mène hors du dossier ({}) ; {hint}",
            real.display()
        );
    }
    Ok(real)
}

/// Largest file a dossier may name (annex, image, CSV table, GeoJSON outline, previous
/// dossier): far above any real letter or scan, and low enough that a wrong file (a disk image,
/// a video) is refused before it is read whole. In decimal megabytes, as the README and every
/// message say it (« 64 Mo »).
pub const MAX_FILE_SIZE: u64 = 64_000_000;

/// Reads a regular file of at most [`MAX_FILE_SIZE`] bytes. A FIFO, a device or a folder is
/// refused before it is opened for reading (reading a FIFO would wait forever).
pub fn read_regular(path: &Path) -> Result<Vec<u8>> {
    read_limited(path, MAX_FILE_SIZE)
}

/// Reads a regular file of at most `limit` bytes. A FIFO, a device (`/dev/zero`) or a folder,
/// or a link to one, is refused before it is opened; a larger file is refused after reading at
/// most `limit + 1` bytes, even when it grows while being read, so memory stays bounded.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let too_big = |size: Option<u64>| {
        let size = size.map(|s| format!("{}, ", crate::fr::format_size(s))).unwrap_or_default();
        anyhow::anyhow!(
            "{} est trop volumineux ({size}au plus {})\n\
             aide : vérifiez que c'est bien le fichier voulu",
            path.display(),
            crate::fr::format_size(limit)
        )
    };
    let failed = |e: std::io::Error| {
        anyhow::anyhow!("impossible de lire {} : {}", path.display(), io_message(&e))
    };
    let meta = std::fs::metadata(path)
        .map_err(|e| anyhow::anyhow!("{} : {}", path.display(), io_message(&e)))?;
    if !meta.is_file() {
        anyhow::bail!("{} n'est pas un fichier ordinaire", path.display());
    }
    if meta.len() > limit {
        return Err(too_big(Some(meta.len())));
    }
    let file = std::fs::File::open(path).map_err(failed)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes).map_err(failed)?;
    if bytes.len() as u64 > limit {
        return Err(too_big(None));
    }
    Ok(bytes)
}

/// A file a command reads, which none of its outputs may replace.
#[derive(Debug, Clone)]
pub struct Input {
    /// Where it is, as given or as resolved against the dossier's folder.
    pub path: PathBuf,
    /// What it is, in the user's terms (« le dossier », « le fichier de annexes[0].fichier »).
    pub role: String,
}

impl Input {
    /// An input and what it is.
    pub fn new(path: impl Into<PathBuf>, role: impl Into<String>) -> Input {
        Input { path: path.into(), role: role.into() }
    }
}

/// Refuses an output that is one of `inputs` — the same file whatever its spelling (`./x`,
/// `a/../x`, absolute, through a symbolic or a hard link) — or that exists and is not a regular
/// file. Every command checks each file it writes here before writing it.
pub fn check_output(output: &Path, inputs: &[Input]) -> Result<()> {
    refuse_special(output)?;
    if let Some(input) = inputs.iter().find(|i| same_file(output, &i.path)) {
        anyhow::bail!(
            "écriture refusée : {} est {} ({}), qui serait remplacé\n\
             aide : choisissez un autre nom pour le fichier à écrire",
            output.display(),
            input.role,
            input.path.display()
        );
    }
    Ok(())
}

/// [`check_output`], then [`write_atomic`].
pub fn write_output(output: &Path, bytes: &[u8], inputs: &[Input]) -> Result<()> {
    check_output(output, inputs)?;
    write_atomic(output, bytes)
}

/// Refuses a path where something other than a regular file exists (device, FIFO, socket,
/// folder): such a node is never replaced.
fn refuse_special(path: &Path) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => {
            let what = if meta.is_dir() {
                "un dossier"
            } else {
                "un fichier spécial (périphérique, tube ou socket)"
            };
            anyhow::bail!(
                "écriture refusée : {} est {what}, pas un fichier ordinaire ; il n'est pas remplacé\n\
                 aide : indiquez le chemin d'un fichier PDF ou CSV ordinaire",
                path.display()
            )
        }
        _ => Ok(()),
    }
}

/// Whether two paths name the same file: the same device and inode when both exist (Unix),
/// otherwise the same canonical path (case folded on Windows, whose file names ignore case).
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
        use std::os::unix::fs::MetadataExt;
        return (x.dev(), x.ino()) == (y.dev(), y.ino());
    }
    canonical(a) == canonical(b)
}

/// The canonical form of a path that may not exist yet: its deepest existing ancestor resolved
/// (symbolic links, `..`), the rest normalised lexically.
fn canonical(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut rest = Vec::new();
    let mut current = absolute.as_path();
    let mut out = loop {
        if let Ok(real) = current.canonicalize() {
            break real;
        }
        match (current.parent(), current.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last.as_os_str().to_os_string());
                current = parent;
            }
            _ => break current.to_path_buf(),
        }
    };
    for part in rest.iter().rev() {
        match Path::new(part).components().next() {
            Some(Component::ParentDir) => {
                out.pop();
            }
            Some(Component::CurDir) | None => {}
            Some(_) => out.push(part),
        }
    }
    if cfg!(windows) { PathBuf::from(out.to_string_lossy().to_lowercase()) } else { out }
}

/// Why a file name cannot be written as such on Windows, if it cannot: a reserved device name
/// (`CON`, `PRN`, `AUX`, `NUL`, `COM1`–`COM9`, `LPT1`–`LPT9`, with any extension), a final dot
/// or space (dropped by Windows, so another file is written), a `:` (an alternate data stream
/// of another file) or a character Windows forbids. Written by hand: the rule is short and
/// fixed, and it must hold on every system for the names `extract` writes.
pub fn windows_reserved(name: &str) -> Option<String> {
    if name.chars().any(|c| c == ':') {
        return Some(format!(
            "le nom « {name} » contient « : », qui sous Windows désigne une partie cachée d'un autre fichier"
        ));
    }
    if let Some(c) = name.chars().find(|c| c.is_control() || r#"<>"|?*\"#.contains(*c)) {
        return Some(format!(
            "le nom « {} » contient un caractère interdit sous Windows ({})",
            name.escape_debug(),
            c.escape_debug()
        ));
    }
    if name.ends_with('.') || name.ends_with(' ') {
        return Some(format!(
            "le nom « {name} » finit par un point ou une espace, que Windows supprime"
        ));
    }
    let stem = name.split('.').next().unwrap_or_default().trim_end().to_uppercase();
    let device = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$")
        || ["COM", "LPT"].iter().any(|p| {
            stem.strip_prefix(p).is_some_and(|n| {
                matches!(n, "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "¹" | "²" | "³")
            })
        });
    device.then(|| format!("le nom « {name} » est réservé par Windows à un périphérique ({stem})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_device_names_are_reserved_with_any_case_and_extension() {
        for name in ["con", "CON", "Con.txt", "nul.tar.gz", "aux", "prn.pdf", "com1", "LPT9.csv"] {
            assert!(windows_reserved(name).is_some(), "{name}");
        }
        for name in ["console.txt", "com10", "lpt0", "dossier.toml", "nulle.csv", "annexe.pdf"] {
            assert!(windows_reserved(name).is_none(), "{name}");
        }
    }

    #[test]
    fn windows_streams_trailing_dots_and_forbidden_characters_are_refused() {
        for name in ["dossier.toml:cache", "x.", "x ", "a<b", "a|b", "a?b", "\0"] {
            assert!(windows_reserved(name).is_some(), "{name:?}");
        }
    }

    #[test]
    fn a_path_through_a_missing_folder_and_back_is_the_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("dossier.toml");
        std::fs::write(&file, "x").unwrap();
        assert!(same_file(&dir.path().join("absent/../dossier.toml"), &file));
        assert!(same_file(&dir.path().join("./dossier.toml"), &file));
        assert!(!same_file(&dir.path().join("autre.toml"), &file));
    }
}

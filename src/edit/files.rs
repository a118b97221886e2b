//! Files chosen in the page (logo, images, annexes, territory outline), copied into the
//! dossier's folder: under a cleaned name, never outside the folder, never over a different
//! file.

use std::path::Path;

use anyhow::Result;

/// Longest name kept (in characters, extension included).
const MAX_NAME: usize = 120;

/// The name a file is saved under: its last component only (a browser may send a path), with
/// letters, digits, `.`, `-`, `_` and spaces kept and anything else made `_`; `None` for a name
/// that leaves nothing usable, has no extension, or is reserved on Windows.
pub fn sanitized(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .map(|c| if c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') { c } else { '_' })
        .collect();
    let cleaned = cleaned.trim_matches(|c: char| c == '.' || c == ' ' || c == '_').to_string();
    let (stem, extension) = cleaned.rsplit_once('.')?;
    if stem.is_empty()
        || extension.is_empty()
        || crate::fsutil::windows_reserved(&cleaned).is_some()
    {
        return None;
    }
    let stem: String =
        stem.chars().take(MAX_NAME.saturating_sub(extension.chars().count() + 1)).collect();
    Some(format!("{stem}.{extension}"))
}

/// Where a file was put.
pub struct Placed {
    /// Its name in the folder.
    pub name: String,
    /// Whether it was written now (false: the same file was there already).
    pub created: bool,
}

/// Saves `bytes` in `folder` as `name`, or as `name-2`, `name-3`… when a different file (or
/// anything that is not a plain file) has that name; the same file already there is reused.
pub fn place(folder: &Path, name: &str, bytes: &[u8]) -> Result<Placed> {
    let (stem, extension) = name.rsplit_once('.').unwrap_or((name, ""));
    for n in 1..1000 {
        let candidate = if n == 1 { name.to_string() } else { format!("{stem}-{n}.{extension}") };
        let path = folder.join(&candidate);
        match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                crate::fsutil::write_atomic(&path, bytes)?;
                return Ok(Placed { name: candidate, created: true });
            }
            Ok(meta)
                if meta.is_file()
                    && meta.len() == bytes.len() as u64
                    && std::fs::read(&path).is_ok_and(|existing| existing == bytes) =>
            {
                return Ok(Placed { name: candidate, created: false });
            }
            _ => {}
        }
    }
    anyhow::bail!("trop de fichiers nommés {name} dans {}", folder.display())
}

#[cfg(test)]
mod tests {
    use super::sanitized;

    #[test]
    fn names_keep_their_last_component_and_lose_what_could_escape() {
        assert_eq!(sanitized("logo.png").as_deref(), Some("logo.png"));
        assert_eq!(sanitized("../../etc/passwd.txt").as_deref(), Some("passwd.txt"));
        assert_eq!(
            sanitized("C:\\Users\\a\\Bilan 2025 (v2).pdf").as_deref(),
            Some("Bilan 2025 _v2_.pdf")
        );
        assert_eq!(sanitized("Écusson.jpg").as_deref(), Some("Écusson.jpg"));
        assert_eq!(sanitized(".."), None);
        assert_eq!(sanitized("sans-extension"), None);
        assert_eq!(sanitized(".png"), None);
        assert_eq!(sanitized("con.txt"), None);
    }
}

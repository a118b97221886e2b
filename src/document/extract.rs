//! Reading back the files attached to a dossier PDF (the source TOML and its data files).

use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};
use lopdf::{Dictionary, Document, Object};

use crate::document::pieces::PREFIX;
use crate::fsutil;

/// A file found in a PDF.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// Its name in the PDF, without the "pieces/" folder ("dossier.toml").
    pub name: String,
    /// Its content.
    pub data: Vec<u8>,
}

/// Lists the files attached to a PDF (embedded-files name tree of the catalog).
pub fn attachments(pdf: &Path) -> Result<Vec<Attachment>> {
    let doc = Document::load(pdf)
        .with_context(|| format!("{} n'est pas un PDF lisible", pdf.display()))?;
    let tree = doc
        .catalog()
        .and_then(|c| c.get(b"Names"))
        .and_then(|n| doc.dereference(n))
        .and_then(|(_, n)| n.as_dict())
        .and_then(|n| n.get(b"EmbeddedFiles"))
        .and_then(|e| doc.dereference(e))
        .and_then(|(_, e)| e.as_dict());
    let Ok(tree) = tree else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    walk(&doc, tree, &mut out, 0)?;
    let mut names = std::collections::HashSet::new();
    if let Some(twice) = out.iter().find(|a| !names.insert(a.name.as_str())) {
        bail!("le PDF joint deux fichiers nommés « {} » : extraction refusée", twice.name);
    }
    let total: u64 = out.iter().map(|a| a.data.len() as u64).sum();
    if total > MAX_TOTAL {
        bail!(
            "les fichiers joints dépassent {} au total : extraction refusée",
            crate::fr::format_size(MAX_TOTAL)
        );
    }
    Ok(out)
}

/// Walks a name tree node (leaves in `Names`, inner nodes in `Kids`).
fn walk(doc: &Document, node: &Dictionary, out: &mut Vec<Attachment>, depth: usize) -> Result<()> {
    if depth > 32 {
        bail!("arborescence des fichiers joints trop profonde");
    }
    if let Ok(names) = node.get(b"Names").and_then(Object::as_array) {
        for pair in names.chunks(2) {
            if let [name, spec] = pair {
                let (_, spec) = doc.dereference(spec)?;
                out.push(read_spec(
                    doc,
                    &text(name.as_str().unwrap_or_default()),
                    spec.as_dict()?,
                )?);
            }
        }
    }
    if let Ok(kids) = node.get(b"Kids").and_then(Object::as_array) {
        for kid in kids {
            let (_, kid) = doc.dereference(kid)?;
            walk(doc, kid.as_dict()?, out, depth + 1)?;
        }
    }
    Ok(())
}

/// Largest attachment `extract` accepts, and largest total: a dossier's data is a few
/// megabytes; a stream that decompresses to more is damaged or hostile (a decompression bomb).
const MAX_ATTACHMENT: u64 = crate::fsutil::MAX_FILE_SIZE;
const MAX_TOTAL: u64 = 4 * MAX_ATTACHMENT;

fn read_spec(doc: &Document, name: &str, spec: &Dictionary) -> Result<Attachment> {
    let name = name.strip_prefix(PREFIX.trim_start_matches('/')).unwrap_or(name).to_string();
    let damaged = |why: &str| {
        anyhow::anyhow!(
            "le fichier joint « {name} » est endommagé ({why}) : rien n'a été extrait\n\
             aide : le PDF a été modifié ou abîmé après sa production ; reprenez une copie intacte"
        )
    };
    let ef = spec.get(b"EF").and_then(|e| doc.dereference(e)).and_then(|(_, e)| e.as_dict())?;
    let (_, stream) = doc.dereference(ef.get(b"F")?)?;
    let stream = stream.as_stream()?;
    let params = stream
        .dict
        .get(b"Params")
        .and_then(|p| doc.dereference(p))
        .and_then(|(_, p)| p.as_dict())
        .ok();
    let size = params.and_then(|p| p.get(b"Size").ok()).and_then(|s| s.as_i64().ok());
    if size.is_some_and(|s| s < 0 || s as u64 > MAX_ATTACHMENT) {
        anyhow::bail!(
            "le fichier joint « {name} » est trop volumineux ({} octets)",
            size.unwrap_or(0)
        );
    }
    let data = decode(stream).map_err(|why| damaged(&why))?;
    if let Some(size) = size
        && data.len() as i64 != size
    {
        return Err(damaged(&format!("{} octets au lieu des {size} enregistrés", data.len())));
    }
    let checksum = params.and_then(|p| p.get(b"CheckSum").ok()).and_then(|c| c.as_str().ok());
    if let Some(expected) = checksum {
        use md5::Digest;
        if md5::Md5::digest(&data).as_slice() != expected {
            return Err(damaged("somme de contrôle différente"));
        }
    }
    Ok(Attachment { name, data })
}

/// The content of an embedded file: inflated (bounded) when compressed; any other filter is
/// refused rather than returned undecoded.
fn decode(stream: &lopdf::Stream) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let filters = stream.filters().unwrap_or_default();
    match filters.as_slice() {
        [] => Ok(stream.content.clone()),
        [filter] if *filter == b"FlateDecode" => {
            let mut data = Vec::new();
            let mut reader =
                flate2::read::ZlibDecoder::new(stream.content.as_slice()).take(MAX_ATTACHMENT + 1);
            reader
                .read_to_end(&mut data)
                .map_err(|_| "données compressées illisibles".to_string())?;
            if data.len() as u64 > MAX_ATTACHMENT {
                let limit = crate::fr::format_size(MAX_ATTACHMENT);
                return Err(format!("plus de {limit} une fois décompressé"));
            }
            Ok(data)
        }
        _ => Err("compression non prise en charge".into()),
    }
}

/// Decodes a PDF text string (UTF-16BE with BOM, or PDFDocEncoding read as Latin-1).
fn text(bytes: &[u8]) -> String {
    match bytes {
        [0xFE, 0xFF, rest @ ..] => {
            let units: Vec<u16> = rest
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        _ => String::from_utf8(bytes.to_vec())
            .unwrap_or_else(|_| bytes.iter().map(|b| char::from(*b)).collect()),
    }
}

/// Writes the attachments into `dir`, keeping their relative names, never outside `dir`, never
/// over one of `inputs` (the PDF read) and never over an existing file unless `force`. Every
/// attachment was verified (size, checksum) and every name is checked here before the first
/// file is written, so a damaged PDF or a bad name writes nothing; each file is written
/// atomically.
pub fn write_all(
    attachments: &[Attachment],
    dir: &Path,
    force: bool,
    inputs: &[fsutil::Input],
) -> Result<Vec<PathBuf>> {
    let targets: Vec<PathBuf> =
        attachments.iter().map(|a| target(dir, &a.name)).collect::<Result<_>>()?;
    check_names(attachments)?;
    for path in &targets {
        fsutil::check_output(path, inputs)?;
        // A file where a folder of the name must go would fail half-way through.
        let mut folder = path.parent();
        while let Some(f) = folder.filter(|f| f.starts_with(dir) && *f != dir) {
            if f.exists() && !f.is_dir() {
                bail!(
                    "impossible d'écrire {} : {} existe et n'est pas un dossier ; rien n'a été extrait",
                    path.display(),
                    f.display()
                );
            }
            folder = f.parent();
        }
    }
    if !force && let Some(existing) = targets.iter().find(|t| t.exists()) {
        bail!(
            "{} existe déjà\naide : choisissez un autre dossier avec -o, ou ajoutez --force pour remplacer",
            existing.display()
        );
    }
    for (attachment, path) in attachments.iter().zip(&targets) {
        fsutil::write_atomic(path, &attachment.data)?;
    }
    Ok(targets)
}

/// Refuses names that would land on the same file on Windows or macOS (equal once case is
/// folded), and a name that is a folder of another (`x` and `x/y`).
fn check_names(attachments: &[Attachment]) -> Result<()> {
    let mut folded = std::collections::HashMap::new();
    for a in attachments {
        if let Some(other) = folded.insert(a.name.to_lowercase(), &a.name) {
            bail!(
                "le PDF joint « {other} » et « {} », un seul et même fichier sous Windows : extraction refusée",
                a.name
            );
        }
    }
    let folders: std::collections::HashMap<String, &str> = attachments
        .iter()
        .flat_map(|a| {
            let lower = a.name.to_lowercase();
            let ends = lower.match_indices('/').map(|(i, _)| i).collect::<Vec<_>>();
            ends.into_iter().map(move |i| (lower[..i].to_string(), a.name.as_str()))
        })
        .collect();
    for a in attachments {
        if let Some(inner) = folders.get(&a.name.to_lowercase()) {
            bail!(
                "le PDF joint un fichier « {} » et un fichier « {inner} » dans un dossier du même nom : extraction refusée",
                a.name
            );
        }
    }
    Ok(())
}

/// Where an attachment is written: its name below `dir`, each part a plain name that every
/// system can write (no `..`, no absolute path, no Windows device name or stream).
fn target(dir: &Path, name: &str) -> Result<PathBuf> {
    let relative = Path::new(name);
    let safe = relative.components().all(|c| matches!(c, Component::Normal(_)));
    if !safe || name.is_empty() {
        bail!("fichier joint au nom dangereux « {} » : extraction refusée", name.escape_debug());
    }
    for part in name.split('/') {
        if let Some(why) = fsutil::windows_reserved(part) {
            bail!("fichier joint au nom impossible à écrire : {why} ; extraction refusée");
        }
    }
    Ok(dir.join(relative))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attachment(name: &str) -> Attachment {
        Attachment { name: name.into(), data: b"x".to_vec() }
    }

    /// Extracts into an empty folder and returns the error and what was written.
    fn refused(names: &[&str]) -> (String, usize) {
        let dir = tempfile::tempdir().unwrap();
        let found: Vec<Attachment> = names.iter().map(|n| attachment(n)).collect();
        let error = write_all(&found, dir.path(), false, &[]).expect_err("refused").to_string();
        let written = walkdir::WalkDir::new(dir.path()).into_iter().count() - 1;
        (error, written)
    }

    #[test]
    fn names_that_are_one_file_on_windows_or_a_folder_of_another_write_nothing() {
        for names in [
            &["dossier.toml", "x", "x/y"][..],
            &["Dossier.toml", "dossier.toml"],
            &["a.csv", "\0"],
            &["a.csv", "con"],
            &["a.csv", "sous/NUL.csv"],
            &["a.csv", "dossier.toml:cache"],
            &["a.csv", "fin."],
        ] {
            let (error, written) = refused(names);
            assert!(error.contains("extraction refusée"), "{names:?}: {error}");
            assert_eq!(written, 0, "{names:?} wrote something");
        }
    }
}

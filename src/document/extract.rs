//! Reading back the files attached to a dossier PDF (the source TOML and its data files).

use std::path::{Component, Path, PathBuf};

use anyhow::{Result, bail};
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

/// Lists the files attached to a PDF (embedded-files name tree of the catalog). Everything
/// that can be checked without inflating a stream is checked first — the PDF's size, the names,
/// the sizes the PDF declares and their total — and the total is kept while inflating, so that a
/// PDF of compressed bombs is refused before they are inflated.
pub fn attachments(pdf: &Path) -> Result<Vec<Attachment>> {
    let unreadable = |why: String| {
        anyhow::anyhow!(
            "{} n'est pas un PDF lisible ({why})\n\
             aide : indiquez un dossier PDF produit par cdm-render",
            pdf.display()
        )
    };
    let meta = std::fs::metadata(pdf).map_err(|e| unreadable(fsutil::io_message(&e)))?;
    if !meta.is_file() {
        return Err(unreadable("ce n'est pas un fichier ordinaire".into()));
    }
    if meta.len() > MAX_PDF {
        return Err(unreadable(format!(
            "{}, au plus {}",
            crate::fr::format_size(meta.len()),
            crate::fr::format_size(MAX_PDF)
        )));
    }
    // lopdf's own messages are English: the user gets what happened in French instead.
    let doc = Document::load(pdf)
        .map_err(|_| unreadable("fichier endommagé ou d'un autre type".into()))?;
    let tree = doc
        .catalog()
        .and_then(|c| c.get(b"Names"))
        .and_then(|n| doc.dereference(n))
        .and_then(|(_, n)| n.as_dict())
        .and_then(|n| n.get(b"EmbeddedFiles"))
        .and_then(|e| doc.dereference(e))
        .and_then(|(_, e)| e.as_dict());
    let Ok(tree) = tree else { return Ok(Vec::new()) };
    let mut specs = Vec::new();
    walk(&doc, tree, &mut specs, 0)?;
    let mut names = std::collections::HashSet::new();
    if let Some((twice, _)) = specs.iter().find(|(name, _)| !names.insert(name.as_str())) {
        bail!("le PDF joint deux fichiers nommés « {twice} » : extraction refusée");
    }
    let found: Vec<Found> = specs
        .into_iter()
        .map(|(name, spec)| find_stream(&doc, name, spec))
        .collect::<Result<_>>()?;
    let declared: u64 = found.iter().map(|f| f.size.unwrap_or(0)).sum();
    let too_much = || {
        anyhow::anyhow!(
            "les fichiers joints dépassent {} au total : extraction refusée",
            crate::fr::format_size(MAX_TOTAL)
        )
    };
    if declared > MAX_TOTAL {
        return Err(too_much());
    }
    let mut total = 0u64;
    let mut out = Vec::with_capacity(found.len());
    for f in found {
        let attachment = read_found(f, MAX_TOTAL - total)?;
        total += attachment.data.len() as u64;
        out.push(attachment);
    }
    Ok(out)
}

/// Largest PDF `extract` reads: it is read whole, and a dossier with its annexes is far smaller.
const MAX_PDF: u64 = 512_000_000;

/// The name tree of a damaged PDF, in French.
fn tree_damaged(_: lopdf::Error) -> anyhow::Error {
    anyhow::anyhow!(
        "la liste des fichiers joints du PDF est endommagée : rien n'a été extrait\n\
         aide : le PDF a été modifié ou abîmé après sa production ; reprenez une copie intacte"
    )
}

/// Walks a name tree node (leaves in `Names`, inner nodes in `Kids`), collecting each file's
/// name and specification without reading its content.
fn walk<'a>(
    doc: &'a Document,
    node: &'a Dictionary,
    out: &mut Vec<(String, &'a Dictionary)>,
    depth: usize,
) -> Result<()> {
    if depth > 32 {
        bail!("arborescence des fichiers joints trop profonde");
    }
    if let Ok(names) = node.get(b"Names").and_then(Object::as_array) {
        for pair in names.chunks(2) {
            if let [name, spec] = pair {
                let (_, spec) = doc.dereference(spec).map_err(tree_damaged)?;
                let name = text(name.as_str().unwrap_or_default());
                let name =
                    name.strip_prefix(PREFIX.trim_start_matches('/')).unwrap_or(&name).to_string();
                out.push((name, spec.as_dict().map_err(tree_damaged)?));
            }
        }
    }
    if let Ok(kids) = node.get(b"Kids").and_then(Object::as_array) {
        for kid in kids {
            let (_, kid) = doc.dereference(kid).map_err(tree_damaged)?;
            walk(doc, kid.as_dict().map_err(tree_damaged)?, out, depth + 1)?;
        }
    }
    Ok(())
}

/// Largest attachment `extract` accepts, and largest total: a dossier's data is a few
/// megabytes; a stream that decompresses to more is damaged or hostile (a decompression bomb).
const MAX_ATTACHMENT: u64 = crate::fsutil::MAX_FILE_SIZE;
const MAX_TOTAL: u64 = 4 * MAX_ATTACHMENT;

/// An attached file found in the PDF, not yet inflated.
struct Found<'a> {
    name: String,
    stream: &'a lopdf::Stream,
    /// Size the PDF declares.
    size: Option<u64>,
    /// MD5 the PDF declares.
    checksum: Option<&'a [u8]>,
}

fn damaged(name: &str, why: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "le fichier joint « {name} » est endommagé ({why}) : rien n'a été extrait\n\
         aide : le PDF a été modifié ou abîmé après sa production ; reprenez une copie intacte"
    )
}

fn find_stream<'a>(doc: &'a Document, name: String, spec: &'a Dictionary) -> Result<Found<'a>> {
    let stream = spec
        .get(b"EF")
        .and_then(|e| doc.dereference(e))
        .and_then(|(_, e)| e.as_dict())
        .and_then(|ef| ef.get(b"F"))
        .and_then(|f| doc.dereference(f))
        .and_then(|(_, f)| f.as_stream())
        .map_err(|_| damaged(&name, "contenu introuvable"))?;
    let params = stream
        .dict
        .get(b"Params")
        .and_then(|p| doc.dereference(p))
        .and_then(|(_, p)| p.as_dict())
        .ok();
    let size = params.and_then(|p| p.get(b"Size").ok()).and_then(|s| s.as_i64().ok());
    if size.is_some_and(|s| s < 0 || s as u64 > MAX_ATTACHMENT) {
        bail!("le fichier joint « {name} » est trop volumineux ({} octets)", size.unwrap_or(0));
    }
    let checksum = params.and_then(|p| p.get(b"CheckSum").ok()).and_then(|c| c.as_str().ok());
    Ok(Found { name, stream, size: size.map(|s| s as u64), checksum })
}

/// Inflates and verifies one attached file, refusing it when it would pass `room` bytes (what
/// is left of the total allowed).
fn read_found(found: Found, room: u64) -> Result<Attachment> {
    let Found { name, stream, size, checksum } = found;
    let limit = room.min(MAX_ATTACHMENT);
    let data = decode(stream, limit).map_err(|why| {
        if room < MAX_ATTACHMENT && why == TOO_BIG {
            anyhow::anyhow!(
                "les fichiers joints dépassent {} au total : extraction refusée",
                crate::fr::format_size(MAX_TOTAL)
            )
        } else {
            damaged(&name, &why)
        }
    })?;
    if let Some(size) = size
        && data.len() as u64 != size
    {
        return Err(damaged(
            &name,
            &format!("{} octets au lieu des {size} enregistrés", data.len()),
        ));
    }
    if let Some(expected) = checksum {
        use md5::Digest;
        if md5::Md5::digest(&data).as_slice() != expected {
            return Err(damaged(&name, "somme de contrôle différente"));
        }
    }
    Ok(Attachment { name, data })
}

const TOO_BIG: &str = "plus de 64 Mo une fois décompressé";

/// The content of an embedded file: inflated (bounded) when compressed; any other filter is
/// refused rather than returned undecoded.
fn decode(stream: &lopdf::Stream, limit: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let filters = stream.filters().unwrap_or_default();
    let data = match filters.as_slice() {
        [] => stream.content.clone(),
        [filter] if *filter == b"FlateDecode" => {
            let mut data = Vec::new();
            let mut reader =
                flate2::read::ZlibDecoder::new(stream.content.as_slice()).take(limit + 1);
            reader
                .read_to_end(&mut data)
                .map_err(|_| "données compressées illisibles".to_string())?;
            data
        }
        _ => return Err("compression non prise en charge".into()),
    };
    if data.len() as u64 > limit {
        return Err(TOO_BIG.into());
    }
    Ok(data)
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

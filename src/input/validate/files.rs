//! The files a dossier names (annexes, images, the territory outline), read once, here: later
//! stages (charts, attachments, templates) work on these bytes and never touch the disk.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Finding;
use crate::fsutil;
use crate::input::geo::Feature;
use crate::model::Dossier;

/// A file named in the dossier, with its bytes.
#[derive(Debug, Clone)]
pub struct NamedFile {
    /// The field naming it ("annexes[2].fichier").
    pub field: String,
    /// The name as written, relative to the dossier's folder.
    pub name: String,
    /// Where it was read.
    pub path: PathBuf,
    /// Its content.
    pub bytes: Arc<[u8]>,
}

/// A file whose content is not what its name says (a renamed Word file, a damaged image): the
/// render would fail on it with a message about its bytes, so it is reported here, at its field.
fn wrong_kind(file: &NamedFile) -> Option<Finding> {
    let extension = file.name.rsplit('.').next().unwrap_or_default().to_lowercase();
    let bytes = &file.bytes[..];
    let (ok, kind) = match extension.as_str() {
        "png" => (bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "une image PNG"),
        "jpg" | "jpeg" => (bytes.starts_with(&[0xFF, 0xD8, 0xFF]), "une image JPEG"),
        "pdf" => (bytes.starts_with(b"%PDF-"), "un PDF"),
        "svg" => {
            let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_lowercase();
            (head.contains("<svg"), "une image SVG")
        }
        _ => return None,
    };
    (!ok).then(|| {
        Finding::error(
            &file.field,
            format!("{} n'est pas {kind} lisible", file.path.display()),
            Some("le fichier est peut-être abîmé, ou d'un autre format renommé : ouvrez-le et réenregistrez-le au bon format".into()),
        )
    })
}

/// An image (logo, cover, image or SVG annex) the document cannot show: too large for the
/// budgets of [`crate::input::images`], damaged, or an SVG Typst would refuse. Checked after
/// [`wrong_kind`], on files whose first bytes are right.
fn image_problem(file: &NamedFile) -> Option<Finding> {
    let message = crate::input::images::problem(&file.name, &file.bytes)?;
    let hint = if message.contains("trop grande") || message.contains("trop complexe") {
        "réduisez l'image (par exemple à 300 dpi pour l'impression) et enregistrez-la à nouveau"
    } else {
        "ouvrez l'image dans un logiciel de dessin ou de retouche et enregistrez-la à nouveau (PNG, JPEG ou SVG)"
    };
    Some(Finding::error(
        &file.field,
        format!("{} : {message}", file.path.display()),
        Some(hint.into()),
    ))
}

/// Annex files the document cannot show as asked (a PDF protected by a password, damaged or
/// empty; a page selection outside the file), at the field to correct.
fn annex_problems(dossier: &Dossier, files: &[NamedFile]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (i, annex) in dossier.annexes.iter().enumerate() {
        let field = format!("annexes[{i}].fichier");
        let Some(file) = files.iter().find(|f| f.field == field) else { continue };
        if let Some((key, message)) = crate::input::annex::problem(i + 1, annex, &file.bytes) {
            let hint = match key {
                "fichier" => {
                    "enregistrez une copie sans mot de passe ni restriction (« Imprimer » vers un fichier PDF), ou remplacez le fichier"
                }
                _ => {
                    "écrivez par exemple `pages = \"1-3\"` ou `pages = \"1, 4-6\"`, ou retirez la clé pour toutes les pages"
                }
            };
            findings.push(Finding::error(
                &format!("annexes[{i}].{key}"),
                format!("annexe « {} » ({}) : {message}", annex.titre, file.path.display()),
                Some(hint.into()),
            ));
        }
    }
    findings
}

/// Reads every file the dossier names, inside its folder; each problem is a finding on the
/// field that names the file. The GeoJSON outline of the territory is parsed on the way.
pub fn read(dossier: &Dossier, base: &Path) -> (Vec<NamedFile>, Vec<Feature>, Vec<Finding>) {
    let mut files = Vec::new();
    let mut findings = Vec::new();
    for (field, name) in dossier.file_references() {
        let read = fsutil::resolve_inside(base, name).and_then(|path| {
            let bytes = fsutil::read_regular(&path)?;
            Ok(NamedFile {
                field: field.clone(),
                name: name.to_string(),
                path,
                bytes: bytes.into(),
            })
        });
        match read {
            Ok(file) => files.push(file),
            Err(error) => findings.push(Finding::error(
                &field,
                format!("{error:#}"),
                Some(format!("chemin relatif au dossier {}", base.display())),
            )),
        }
    }
    for file in &files {
        findings.extend(wrong_kind(file).or_else(|| image_problem(file)));
    }
    findings.extend(annex_problems(dossier, &files));
    let mut territory = Vec::new();
    if let Some(file) = files.iter().find(|f| f.field == "implantation.equite.contour") {
        match crate::input::geo::parse(&file.bytes) {
            Ok(rings) => territory = rings,
            Err(message) => findings.push(Finding::error(
                &file.field,
                format!("{} : {message}", file.path.display()),
                Some("exportez le contour au format GeoJSON (Polygon ou MultiPolygon)".into()),
            )),
        }
    }
    (files, territory, findings)
}

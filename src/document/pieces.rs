//! The data that travels with the dossier: the source TOML and every file it refers to are
//! attached to the PDF (PDF/A-3 associated files), so that `cdm-render extract` can give them
//! back and the next phase can start from last year's PDF.

use serde::Serialize;

use crate::input::load::LoadedDossier;

/// Folder of the attached files in the Typst world, and prefix of their names in the PDF.
pub const PREFIX: &str = "/pieces/";

/// A file attached to the PDF.
#[derive(Debug, Clone, Serialize)]
pub struct Piece {
    /// Virtual path ("/pieces/dossier.toml").
    pub chemin: String,
    /// MIME type.
    pub type_mime: &'static str,
    /// Relationship to the document (PDF/A-3 `AFRelationship`): "source" or "data".
    pub relation: &'static str,
    /// Description shown by PDF readers.
    pub description: String,
    /// Content.
    #[serde(skip)]
    pub data: Vec<u8>,
}

/// The dossier file and the files it names, with their names relative to the dossier folder.
/// Pure: the bytes were read by the load stage.
pub fn collect(loaded: &LoadedDossier) -> Vec<Piece> {
    let name = loaded.path.file_name().and_then(|n| n.to_str()).unwrap_or("dossier.toml");
    let mut pieces = vec![Piece {
        chemin: format!("{PREFIX}{}", safe_name(name)),
        type_mime: "application/toml",
        relation: "source",
        description: "Données du dossier de labellisation (fichier TOML source de ce PDF)".into(),
        data: loaded.source.clone().into_bytes(),
    }];
    for table in &loaded.tables {
        pieces.push(Piece {
            chemin: virtual_path(&table.name),
            type_mime: if table.sheet.is_some() { mime(&table.name) } else { "text/csv" },
            relation: "data",
            description: match &table.sheet {
                Some(sheet) => format!("Classeur (feuille {sheet} : section {})", table.field),
                None => format!("Tableau de données (CSV) de la section {}", table.field),
            },
            data: table.bytes.to_vec(),
        });
    }
    for file in &loaded.files {
        let (type_mime, relation) = match file.field.as_str() {
            "implantation.equite.contour" => ("application/geo+json", "data"),
            _ => (mime(&file.name), "supplement"),
        };
        pieces.push(Piece {
            chemin: virtual_path(&file.name),
            type_mime,
            relation,
            description: describe(loaded, &file.field),
            data: file.bytes.to_vec(),
        });
    }
    // The same file named twice is attached once.
    let mut seen = std::collections::HashSet::new();
    pieces.retain(|p| seen.insert(p.chemin.clone()));
    pieces
}

/// What an attached file is, for PDF readers.
fn describe(loaded: &LoadedDossier, field: &str) -> String {
    match field {
        "implantation.equite.contour" => {
            "Contour du territoire (GeoJSON) utilisé pour la carte de l'item 5.3".into()
        }
        "apparence.logo" => "Logo".into(),
        "apparence.image_couverture" => "Image de couverture".into(),
        _ => {
            let annex = field
                .strip_prefix("annexes[")
                .and_then(|r| r.split(']').next())
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| loaded.dossier.annexes.get(i));
            annex.map_or_else(|| "Fichier du dossier".into(), |a| format!("Annexe : {}", a.titre))
        }
    }
}

/// The virtual path of a file named in the dossier.
pub fn virtual_path(name: &str) -> String {
    format!("{PREFIX}{}", relative_name(name))
}

fn mime(name: &str) -> &'static str {
    match name.rsplit('.').next().map(str::to_lowercase).as_deref() {
        Some("pdf") => "application/pdf",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("svg") => "image/svg+xml",
        Some("csv") => "text/csv",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("xlsm") => "application/vnd.ms-excel.sheet.macroEnabled.12",
        Some("xlsb") => "application/vnd.ms-excel.sheet.binary.macroEnabled.12",
        Some("xls") => "application/vnd.ms-excel",
        Some("ods") => "application/vnd.oasis.opendocument.spreadsheet",
        _ => "application/octet-stream",
    }
}

/// A name usable as a virtual path: no backslashes, no leading slashes or dots.
fn safe_name(name: &str) -> String {
    let cleaned: String =
        name.chars().map(|c| if c == '\\' || c.is_control() { '_' } else { c }).collect();
    let trimmed = cleaned.trim_start_matches(['/', '.']);
    if trimmed.is_empty() { "fichier".into() } else { trimmed.into() }
}

/// The relative path of a file named in the dossier, normalised ("./a/b.json" → "a/b.json").
fn relative_name(name: &str) -> String {
    let parts: Vec<&str> = name.split(['/', '\\']).filter(|p| !p.is_empty() && *p != ".").collect();
    safe_name(&parts.join("/"))
}

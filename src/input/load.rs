//! The one input stage of the pipeline: a dossier TOML file and every file it names (CSV
//! tables, GeoJSON outline, images, annexes, the previous phase's dossier) are read and
//! validated here, once, with errors located in the user's files. Later stages (charts,
//! attachments, templates, Typst) only work on what this stage holds and never touch the disk.

use std::path::{Path, PathBuf};

use anyhow::Result;
use serde_json::Value;

use crate::diag::DataErrors;
use crate::fsutil::Input;
use crate::input::check::{self, Report};
use crate::input::geo::Feature;
use crate::input::previous::{self, Previous};
use crate::input::validate::{CsvTable, NamedFile, Target};
use crate::model::Dossier;
use crate::model::outline::Phase;
use crate::{fsutil, input::validate};

/// How a dossier is read: what it will be rendered to, and the overrides of the command line.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// PDF standards of the output (they decide what is acceptable).
    pub target: Target,
    /// Label to render instead of the one the dossier asks for.
    pub label: Option<Phase>,
    /// The previous phase's dossier (`--previous`), instead of `cite.precedent`.
    pub previous: Option<PathBuf>,
}

/// A dossier read from disk with everything it names, validated and assessed.
#[derive(Debug, Clone)]
pub struct LoadedDossier {
    /// Path of the TOML file.
    pub path: PathBuf,
    /// Its text.
    pub source: String,
    /// The parsed data (with the label of the command line, if one was given).
    pub dossier: Dossier,
    /// The same data as a JSON value, for the outline's dotted paths (made once).
    pub data: Value,
    /// Warnings found by validation (suspicious but possible data).
    pub warnings: DataErrors,
    /// Sections read from CSV files (attached to the PDF and watched like the dossier).
    pub tables: Vec<CsvTable>,
    /// The other files the dossier names, with their bytes.
    pub files: Vec<NamedFile>,
    /// The outline of the territory, from the GeoJSON file (empty without one).
    pub territory: Vec<Feature>,
    /// The comparison with the previous phase's dossier, when there is one.
    pub previous: Option<Previous>,
    /// The previous phase's dossier file, read or missing.
    pub previous_path: Option<PathBuf>,
    /// Completeness for the label rendered: what the PDF shows and `check` reports.
    pub report: Report,
}

impl LoadedDossier {
    /// Folder of the dossier file, against which the files it refers to are resolved.
    pub fn base_dir(&self) -> &Path {
        fsutil::folder_of(&self.path)
    }

    /// The bytes of a file the dossier names, by the name written in the dossier.
    pub fn file(&self, name: &str) -> Option<&NamedFile> {
        self.files.iter().find(|f| f.name == name)
    }

    /// Every file this dossier was made from: what a live preview must watch.
    pub fn dependencies(&self) -> Vec<PathBuf> {
        let mut paths = vec![self.path.clone()];
        paths.extend(self.tables.iter().map(|t| t.path.clone()));
        paths.extend(self.files.iter().map(|f| f.path.clone()));
        // A file that could not be read is watched too, so that fixing it renders again.
        let base = self.base_dir();
        paths.extend(self.dossier.file_references().into_iter().map(|(_, name)| base.join(name)));
        paths.extend(self.previous_path.clone());
        paths.sort();
        paths.dedup();
        paths
    }

    /// Every file this dossier was made from, with what it is: what no output may replace.
    pub fn inputs(&self) -> Vec<Input> {
        let mut inputs = vec![Input::new(&self.path, "le dossier")];
        let tables = self.tables.iter();
        inputs.extend(
            tables.map(|t| Input::new(&t.path, format!("la table CSV de « {} »", t.field))),
        );
        let files = self.files.iter();
        inputs.extend(
            files.map(|f| Input::new(&f.path, format!("le fichier nommé par « {} »", f.field))),
        );
        let base = self.base_dir();
        let named = self.dossier.file_references().into_iter();
        inputs.extend(named.map(|(field, name)| {
            Input::new(base.join(name), format!("le fichier nommé par « {field} »"))
        }));
        inputs.extend(
            self.previous_path.iter().map(|p| Input::new(p, "le dossier de la phase précédente")),
        );
        inputs
    }
}

/// The files a dossier names, found without validating it: every text value of the TOML that
/// names an existing file next to it, with its key. Outputs are checked against these before
/// any work starts (`watch`, `batch`); a value that merely looks like a file name only makes
/// the check stricter.
pub fn named_files(path: &Path) -> Vec<Input> {
    let mut found = Vec::new();
    // Bounded and regular files only (a link to /dev/zero is an error, not a hang).
    let Ok(text) = fsutil::read_to_string(path) else { return found };
    let Ok(table) = toml::from_str::<toml::Table>(&text) else { return found };
    let base = fsutil::folder_of(path);
    let mut stack: Vec<(String, &toml::Value)> =
        table.iter().map(|(k, v)| (k.clone(), v)).collect();
    while let Some((key, value)) = stack.pop() {
        match value {
            toml::Value::String(name) if !name.is_empty() && name.len() < 1024 => {
                let file = base.join(name);
                if file.is_file() {
                    found.push(Input::new(file, format!("le fichier nommé par « {key} »")));
                }
            }
            toml::Value::Table(t) => {
                stack.extend(t.iter().map(|(k, v)| (format!("{key}.{k}"), v)));
            }
            toml::Value::Array(items) => {
                stack.extend(items.iter().enumerate().map(|(i, v)| (format!("{key}[{i}]"), v)));
            }
            _ => {}
        }
    }
    found
}

/// Reads, validates and assesses a dossier. Data problems come back as [`DataErrors`] inside
/// the error, all of them at once; the previous dossier is read through `cache`.
pub fn load(path: &Path, options: &LoadOptions, cache: &previous::Cache) -> Result<LoadedDossier> {
    let source = fsutil::read_to_string(path)?;
    let validated = validate::validate_for(path, &source, &options.target)?;
    let (mut dossier, mut data) = (validated.dossier, validated.data);
    if let Some(label) = options.label {
        dossier.cite.label = label;
        data["cite"]["label"] = label.key().into();
    }
    let base = fsutil::folder_of(path);
    let previous_path =
        options.previous.clone().or_else(|| dossier.cite.precedent.as_ref().map(|p| base.join(p)));
    let previous = match &previous_path {
        // A missing `precedent` was reported as a warning: the dossier renders without it.
        Some(p) if options.previous.is_some() || p.is_file() => {
            Some(previous::compare(&*cache.get_or_load(p)?, &dossier, &data))
        }
        _ => None,
    };
    let report = assess(&data, dossier.cite.label, previous.as_ref());
    // Items said unchanged whose text speaks of a change: known once the previous dossier, if
    // any, is compared; warnings like those of validation, errors under --strict.
    let contradicted = match &previous {
        Some(p) => p.contradicted.clone(),
        None => validate::unchanged_against_text(&dossier, &data, None),
    };
    let mut warnings = validated.warnings;
    if !contradicted.is_empty() {
        let strict = options.target.strict_layout;
        let findings = contradicted.into_iter().map(|(_, mut f)| {
            if strict {
                f.severity = crate::diag::Severity::Error;
            }
            f
        });
        let found = validate::located(path, &source, &validated.tables, findings.collect());
        if strict {
            return Err(found.into());
        }
        warnings.errors.extend(found.errors);
    }
    Ok(LoadedDossier {
        path: path.to_path_buf(),
        source,
        dossier,
        data,
        warnings,
        tables: validated.tables,
        files: validated.files,
        territory: validated.territory,
        previous,
        previous_path,
        report,
    })
}

/// The completeness report, knowing what the previous dossier brings.
fn assess(data: &Value, label: Phase, previous: Option<&Previous>) -> Report {
    let computed = match previous {
        Some(p) if !p.changes.is_empty() => vec![previous::COMPUTED_ROWS],
        _ => Vec::new(),
    };
    let phase = previous.map(|p| p.label.label()).unwrap_or_default();
    let context =
        check::Context { computed, same_as_previous: previous.map(|p| (&p.unchanged, phase)) };
    check::assess(data, label, &context)
}

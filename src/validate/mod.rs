//! Validation of a dossier file: syntax, structure (against the schema of the model) and
//! meaning (amounts, dates, references, totals, opening hours, duplicates, glyphs). Every
//! problem is found in one pass and located in the user's file.

mod glyphs;
mod rules;
mod structure;
mod tables;

pub use tables::CsvTable;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use serde_json::Value;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{DataError, DataErrors, Severity, translate};
use crate::model::Dossier;

/// A problem found in the data, before it is tied to a file.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// Dotted path of the field ("budget.fonctionnement.charges[2].montant").
    pub field: String,
    /// What is wrong, in French.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
    /// Location in the source, when known.
    pub span: Option<Range<usize>>,
    /// The file the location is in, when it is not the dossier (a CSV table): path and text.
    pub origin: Option<(PathBuf, Arc<str>)>,
}

impl Finding {
    /// An error on a field.
    pub fn error(field: &str, message: String, hint: Option<String>) -> Self {
        Finding {
            severity: Severity::Error,
            field: field.to_string(),
            message,
            hint,
            span: None,
            origin: None,
        }
    }

    /// A warning on a field.
    pub fn warning(field: &str, message: String, hint: Option<String>) -> Self {
        Finding { severity: Severity::Warning, ..Finding::error(field, message, hint) }
    }

    /// Sets the location.
    pub fn at(mut self, span: Range<usize>) -> Self {
        self.span = Some(span);
        self
    }

    /// Places the finding in another file than the dossier (a CSV table).
    pub fn in_file(mut self, path: &Path, text: &Arc<str>, span: Range<usize>) -> Self {
        self.origin = Some((path.to_path_buf(), Arc::clone(text)));
        self.at(span)
    }

    fn into_data_error(self, file: &Path) -> DataError {
        let (file, text) = match self.origin {
            Some((path, text)) => (path, Some(text)),
            None => (file.to_path_buf(), None),
        };
        DataError {
            severity: self.severity,
            file,
            span: self.span,
            field: (!self.field.is_empty()).then_some(self.field),
            message: self.message,
            hint: self.hint,
            text,
        }
    }
}

/// A dossier that passed validation, with the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Validated {
    /// The typed dossier.
    pub dossier: Dossier,
    /// Warnings (suspicious but possible data).
    pub warnings: DataErrors,
    /// Sections read from CSV files.
    pub tables: Vec<CsvTable>,
}

static SCHEMA: LazyLock<Value> = LazyLock::new(crate::schema::dossier_schema);

/// What the dossier will be rendered to, when that changes what is acceptable.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// PDF standards of the output.
    pub standards: Vec<typst_pdf::PdfStandard>,
}

impl Target {
    /// Whether an archival (PDF/A) or accessibility (PDF/UA) standard is asked for.
    pub fn is_strict(&self) -> bool {
        self.standards.iter().any(|s| {
            let name = serde_json::to_value(s)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            name.starts_with("a-") || name.starts_with("ua-")
        })
    }
}

/// Validates dossier text for an output without PDF standard; `file` names the file in
/// messages.
pub fn validate(file: &Path, source: &str) -> Result<Validated, DataErrors> {
    validate_for(file, source, &Target::default())
}

/// Validates dossier text for a given output: under PDF/A or PDF/UA, characters no font can
/// draw and PDF annexes (which Typst cannot embed there) become errors.
pub fn validate_for(file: &Path, source: &str, target: &Target) -> Result<Validated, DataErrors> {
    let report = |findings: Vec<Finding>| DataErrors {
        errors: findings.into_iter().map(|f| f.into_data_error(file)).collect(),
        source: source.to_string(),
    };
    let (root, syntax) = DeTable::parse_recoverable(source);
    if !syntax.is_empty() {
        return Err(report(syntax.iter().map(toml_finding).collect()));
    }
    let (structural, csv_refs) = structure::check(&root, &SCHEMA);
    if !structural.is_empty() {
        return Err(report(structural));
    }
    let base = crate::fsutil::folder_of(file);
    let (tables, rows) = read_tables(&csv_refs, base).map_err(report)?;
    let dossier = deserialize(source, rows).map_err(|e| report(vec![toml_finding(&e)]))?;
    let mut findings = rules::check(&dossier);
    // One walk over every value of the dossier serves the rules on leaves (signs, glyphs).
    let json = serde_json::to_value(&dossier).unwrap_or(Value::Null);
    for_each_leaf(&json, "", &mut |path, leaf| match leaf {
        Value::Number(n) => findings.extend(rules::negative(path, n)),
        Value::String(s) => findings.extend(
            glyphs::missing(s, path)
                .map(|f| if target.is_strict() { glyphs::strict(f) } else { f }),
        ),
        _ => {}
    });
    if target.is_strict() {
        findings.extend(rules::pdf_annexes(&dossier));
    }
    findings.extend(referenced_files(&dossier, base));
    findings.extend(previous_dossier(&dossier, base));
    for finding in &mut findings {
        if finding.span.is_some() {
            continue;
        }
        match tables.iter().find_map(|t| Some((t, t.locate(&finding.field)?))) {
            Some((table, span)) => {
                finding.origin = Some((table.path.clone(), Arc::clone(&table.text)));
                finding.span = Some(span);
            }
            None => finding.span = locate(&root, &finding.field),
        }
    }
    findings.sort_by_key(|f| f.span.as_ref().map_or(usize::MAX, |s| s.start));
    let has_errors = findings.iter().any(|f| f.severity == Severity::Error);
    let all = report(findings);
    if has_errors { Err(all) } else { Ok(Validated { dossier, warnings: all, tables }) }
}

/// Rows read from CSV files, by the dotted path of their section.
type TableRows = Vec<(String, toml::Value)>;

/// Reads every section given as a CSV file; all their problems at once.
fn read_tables(
    refs: &[structure::CsvRef],
    base: &Path,
) -> Result<(Vec<CsvTable>, TableRows), Vec<Finding>> {
    let mut tables = Vec::new();
    let mut rows = Vec::new();
    let mut findings = Vec::new();
    for reference in refs {
        match tables::load(reference, base, &SCHEMA["$defs"]) {
            Ok((table, value)) => {
                rows.push((table.field.clone(), value));
                tables.push(table);
            }
            Err(mut errors) => findings.append(&mut errors),
        }
    }
    if findings.is_empty() { Ok((tables, rows)) } else { Err(findings) }
}

/// The typed dossier, with the rows read from CSV files in place of their references.
fn deserialize(source: &str, rows: TableRows) -> Result<Dossier, toml::de::Error> {
    if rows.is_empty() {
        return toml::from_str(source);
    }
    let mut root: toml::Table = toml::from_str(source)?;
    for (field, value) in rows {
        tables::inject(&mut root, &field, value);
    }
    serde::Deserialize::deserialize(toml::Value::Table(root))
}

/// Calls `visit` with the dotted path ("a.b[2].c") of every scalar of a JSON value.
fn for_each_leaf(value: &Value, path: &str, visit: &mut impl FnMut(&str, &Value)) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                for_each_leaf(item, &format!("{path}[{i}]"), visit);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let sub = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                for_each_leaf(item, &sub, visit);
            }
        }
        leaf => visit(path, leaf),
    }
}

/// Files the dossier names must exist inside its folder.
fn referenced_files(dossier: &Dossier, base: &Path) -> Vec<Finding> {
    dossier
        .file_references()
        .into_iter()
        .filter_map(|(field, name)| {
            let error = crate::fsutil::resolve_inside(base, name).err()?;
            let message = format!("{error:#}");
            Some(Finding::error(
                &field,
                message,
                Some(format!("chemin relatif au dossier {}", base.display())),
            ))
        })
        .collect()
}

/// The previous dossier may lie outside the folder (it is read, not embedded). A missing one
/// is a warning, not an error: a dossier extracted from a PDF elsewhere must still render, only
/// without the comparison.
fn previous_dossier(dossier: &Dossier, base: &Path) -> Option<Finding> {
    let name = dossier.cite.precedent.as_ref()?;
    let path = base.join(name);
    (!path.is_file()).then(|| {
        Finding::warning(
            "cite.precedent",
            format!("le dossier précédent {} est introuvable : pas de comparaison", path.display()),
            Some(format!("chemin relatif au dossier {}", base.display())),
        )
    })
}

fn toml_finding(error: &toml::de::Error) -> Finding {
    let (message, hint) = translate(error.message());
    let span = error.span().unwrap_or(0..0);
    Finding::error("", message, hint).at(span)
}

/// Finds the span of a field path ("a.b[2].c") in the parsed document: the value when it is
/// there, otherwise the closest enclosing value.
pub fn locate(root: &Spanned<DeTable>, field: &str) -> Option<Range<usize>> {
    let mut span = root.span();
    let mut table = Some(root.get_ref());
    for segment in field.split('.') {
        let (key, indices) = split_indices(segment);
        let Some(t) = table else { break };
        let Some((_, value)) = t.iter().find(|(k, _)| k.get_ref().as_ref() == key) else { break };
        span = value.span();
        let mut current = Some(value.get_ref());
        for index in indices {
            let Some(DeValue::Array(items)) = current else { break };
            let Some(item) = items.get(index) else { break };
            span = item.span();
            current = Some(item.get_ref());
        }
        table = match current {
            Some(DeValue::Table(t)) => Some(t),
            _ => None,
        };
    }
    Some(span)
}

/// "jours[2][0]" → ("jours", [2, 0]).
fn split_indices(segment: &str) -> (&str, Vec<usize>) {
    let key_end = segment.find('[').unwrap_or(segment.len());
    let indices = segment[key_end..]
        .split(['[', ']'])
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    (&segment[..key_end], indices)
}

#[cfg(test)]
mod tests;

//! Validation of a dossier file: syntax, structure (against the schema of the model), CSV
//! tables, the files it names, and meaning (amounts, dates, references, totals, opening hours,
//! duplicates, glyphs). Every problem of the readable parts is found in one pass and located in
//! the user's file: a value with an error is set aside so that the rest can still be checked.

mod commission;
mod delimited;
mod files;
mod glyphs;
mod rules;
mod structure;
mod syntax;
mod tables;
mod workbook;

pub use commission::{change_mentioned, unchanged_against_text};
pub use files::NamedFile;
pub use structure::{allowed_values, labels, primary_type, resolve as resolve_schema};
pub use tables::{
    Column, CsvTable, EXAMPLE_MARK, Header, column_letter, columns, is_total, match_headers,
    pdf_title,
};

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
    /// The words the finding is about inside the field's text (bytes of the decoded string):
    /// the finding is then placed on them, not on the start of the string.
    pub within: Option<Range<usize>>,
    /// The file the location is in, when it is not the dossier (a CSV table): path and text.
    pub origin: Option<(PathBuf, Arc<str>)>,
    /// Other fields the finding is about (the other figure of an inconsistency), with what
    /// each says; shown as secondary places in the same file.
    pub related: Vec<(String, String)>,
    /// Places of `related`, once located.
    related_spans: Vec<(Range<usize>, String)>,
    /// Row and column in a table file, to give the findings of one table in row order.
    rank: Option<(usize, usize)>,
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
            within: None,
            origin: None,
            related: Vec::new(),
            related_spans: Vec::new(),
            rank: None,
        }
    }

    /// Adds another field the finding is about, with what it says there.
    pub fn also(mut self, field: &str, label: String) -> Self {
        self.related.push((field.to_string(), label));
        self
    }

    /// A warning on a field.
    pub fn warning(field: &str, message: String, hint: Option<String>) -> Self {
        Finding { severity: Severity::Warning, ..Finding::error(field, message, hint) }
    }

    /// Places the finding on the words at `range` of the field's text (bytes of the string as
    /// read, escapes decoded).
    pub fn on_words(mut self, range: Range<usize>) -> Self {
        self.within = Some(range);
        self
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
            related: self.related_spans,
        }
    }
}

/// A dossier that passed validation, with the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Validated {
    /// The typed dossier.
    pub dossier: Dossier,
    /// The same data as a JSON value.
    pub data: Value,
    /// Warnings (suspicious but possible data).
    pub warnings: DataErrors,
    /// Sections read from CSV files.
    pub tables: Vec<CsvTable>,
    /// The other files the dossier names, read.
    pub files: Vec<NamedFile>,
    /// The territory outline from the GeoJSON file.
    pub territory: Vec<crate::input::geo::Feature>,
}

static SCHEMA: LazyLock<Value> = LazyLock::new(crate::model::schema::dossier_schema);

/// The model's schema, built once for the process (what validation checks against).
pub fn schema() -> &'static Value {
    &SCHEMA
}

/// What the dossier will be rendered to, when that changes what is acceptable.
#[derive(Debug, Clone)]
pub struct Target {
    /// PDF standards of the output.
    pub standards: Vec<typst_pdf::PdfStandard>,
    /// Layout defects found by the audit are errors (`--strict`), not warnings.
    pub strict_layout: bool,
}

/// By default a dossier is rendered as a submitted one is: PDF/A-3a (archival, tagged, with
/// its data attached) and PDF/UA-1 (accessible).
impl Default for Target {
    fn default() -> Self {
        Target {
            standards: vec![typst_pdf::PdfStandard::A_3a, typst_pdf::PdfStandard::Ua_1],
            strict_layout: false,
        }
    }
}

impl Target {
    /// No PDF standard: only what any PDF needs.
    pub fn none() -> Self {
        Target { standards: Vec::new(), strict_layout: false }
    }

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
    validate_for(file, source, &Target::none())
}

/// Validates dossier text for a given output: under PDF/A or PDF/UA, characters no font can
/// draw and PDF annexes (which Typst cannot embed there) become errors.
pub fn validate_for(file: &Path, source: &str, target: &Target) -> Result<Validated, DataErrors> {
    let (root, syntax) = DeTable::parse_recoverable(source);
    let syntax_report = syntax::findings(source, &syntax);
    let mut findings = Vec::new();
    // A syntax error stops only what cannot be read: the rest of the document is still walked.
    let (structural, csv_refs) = structure::check(&root, &SCHEMA);
    let set_aside: Vec<String> = structural.iter().map(|f| f.field.clone()).collect();
    findings.extend(structural);
    let base = crate::fsutil::folder_of(file);
    let (tables, rows) = read_tables(&csv_refs, base, &mut findings);
    // A table that could not be read at all is set aside like a wrong value: the rest of the
    // dossier is still checked, without judging what depends on the table.
    let unread = csv_refs.iter().filter(|r| !rows.iter().any(|(field, _)| *field == r.field));
    let set_aside: Vec<String> =
        set_aside.into_iter().chain(unread.map(|r| r.field.clone())).collect();
    let mut files = Vec::new();
    let mut territory = Vec::new();
    let typed = if syntax.is_empty() { deserialize(source, rows, &set_aside) } else { None };
    let dossier = match typed {
        Some(Ok(dossier)) => {
            let mut meaning = Vec::new();
            let data = check_meaning(&dossier, base, target, &mut meaning);
            // A rule cannot judge an entry whose value was set aside (a partner whose role was
            // misspelt has "no role"): those findings would only repeat the first error.
            let overlaps = |f: &Finding| {
                !f.field.is_empty()
                    && set_aside
                        .iter()
                        .any(|a| a.starts_with(&f.field) || f.field.starts_with(a.as_str()))
            };
            findings.extend(meaning.into_iter().filter(|f| !overlaps(f)));
            let (read, rings, problems) = files::read(&dossier, base);
            findings.extend(problems);
            findings.extend(territory_names(&rings, target));
            (files, territory) = (read, rings);
            Some((dossier, data))
        }
        // Only when no other error explains why the data does not fit the model (warnings do
        // not: a number too large for any type must not end as « 0 erreur »).
        Some(Err(e)) if !findings.iter().any(|f| f.severity == Severity::Error) => {
            findings.push(toml_finding(&e));
            None
        }
        // The parser refuses what its recovering pass let through: never « 0 erreur ».
        None if findings.iter().all(|f| f.severity != Severity::Error) => {
            if let Err(e) = toml::from_str::<toml::Table>(source) {
                findings.push(toml_finding(&e));
            }
            None
        }
        _ => None,
    };
    let report = report_with_syntax(file, source, &root, &tables, findings, syntax_report);
    match dossier {
        Some((dossier, data)) if report.error_count() == 0 => {
            Ok(Validated { dossier, data, warnings: report, tables, files, territory })
        }
        _ => Err(report),
    }
}

/// The problems of form of a dossier text (syntax, unknown keys, wrong types, values outside
/// a closed list), without reading any file it names: what an editor checks a value against
/// before writing it.
pub fn form_findings(source: &str) -> Vec<Finding> {
    let (root, syntax) = DeTable::parse_recoverable(source);
    let mut findings = syntax::findings(source, &syntax).findings;
    findings.extend(structure::check(&root, &SCHEMA).0);
    findings
}

/// The findings of the rules of meaning (a colour that is not `#rrggbb`, an end before its
/// start…) on a dossier text whose form is right, without reading any file it names (sections
/// kept in table files are left out): what an editor checks a control's value against.
pub fn meaning_findings(source: &str) -> Vec<Finding> {
    let (root, syntax) = DeTable::parse_recoverable(source);
    if !syntax.is_empty() {
        return Vec::new();
    }
    let (structural, refs) = structure::check(&root, &SCHEMA);
    let set_aside: Vec<String> = structural
        .iter()
        .map(|f| f.field.clone())
        .chain(refs.iter().map(|r| r.field.clone()))
        .collect();
    match deserialize(source, Vec::new(), &set_aside) {
        Some(Ok(dossier)) => rules::check(&dossier),
        _ => Vec::new(),
    }
}

/// A section of a dossier kept in a table file (CSV or workbook sheet), as an editor shows it.
#[derive(Debug, Clone)]
pub struct TableFile {
    /// Dotted path of the section.
    pub field: String,
    /// The file name as the dossier writes it.
    pub file: String,
    /// The sheet, for a workbook.
    pub sheet: Option<String>,
    /// Whether the file is a workbook.
    pub workbook: bool,
    /// The rows read, as the section expects them (`None` when the file cannot be read).
    pub rows: Option<toml::Value>,
    /// The file read (path, text, bytes), when it could be.
    pub table: Option<CsvTable>,
}

/// The sections of a dossier text kept in table files, each read as validation reads it.
pub fn table_files(file: &Path, source: &str) -> Vec<TableFile> {
    let base = crate::fsutil::folder_of(file);
    table_refs(source)
        .iter()
        .map(|reference| {
            let loaded = tables::load(reference, base, &SCHEMA["$defs"]).ok();
            TableFile {
                field: reference.field.clone(),
                file: reference.file.clone(),
                sheet: reference.sheet.as_ref().map(|(name, _)| name.clone()),
                workbook: workbook::is_workbook(&reference.file),
                rows: loaded.as_ref().map(|l| l.rows.clone()),
                table: loaded.map(|l| l.table),
            }
        })
        .collect()
}

/// The table files a dossier names, as written (`tableaux.xlsx` once per sheet), and whether
/// each is a workbook, without reading them: for what needs the names only (the editor's hash
/// of its table files, the CSV files it keeps versions of), where [`table_files`] would parse
/// every workbook and CSV file as well.
pub fn table_file_names(source: &str) -> Vec<(String, bool)> {
    let mut names: Vec<(String, bool)> = table_refs(source)
        .into_iter()
        .map(|reference| {
            let workbook = workbook::is_workbook(&reference.file);
            (reference.file, workbook)
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

fn table_refs(source: &str) -> Vec<structure::CsvRef> {
    let (root, _) = DeTable::parse_recoverable(source);
    structure::check(&root, &SCHEMA).1
}

/// Decodes a CSV file as validation reads it: its text and its encoding when not UTF-8
/// (`windows-1252`, `UTF-16LE`…), and its separator.
pub fn delimited_format(bytes: &[u8]) -> (String, Option<&'static str>, char) {
    let (text, encoding) = delimited::decode(bytes);
    let separator = delimited::separator(&text);
    (text, encoding, separator)
}

/// The cells of a delimited text (CSV or a block pasted from a spreadsheet), row by row; `None`
/// when a quote is never closed.
pub fn delimited_rows(text: &str, separator: char) -> Option<Vec<Vec<String>>> {
    let rows = delimited::rows(text, separator).ok()?;
    Some(rows.into_iter().map(|r| r.cells.into_iter().map(|(c, _)| c).collect()).collect())
}

/// One cell of text typed as a column of `row_schema` expects it (French numbers, dates,
/// yes/no, lists), or the French reason why it cannot be.
pub fn typed_cell(text: &str, key: &str, row_schema: &Value) -> Result<Value, String> {
    tables::typed_text(text, key, row_schema, &SCHEMA["$defs"])
}

/// The « Total » rows ending a block pasted into the table at `field` (cells by row, `keys[c]`
/// the key of column c, `first` the block's line of the first row), checked as in table files:
/// how many rows at the end are totals, and the totals that do not match the rows above.
pub fn pasted_totals(
    field: &str,
    cells: &[Vec<String>],
    keys: &[Option<&str>],
    first: usize,
    row_schema: &Value,
) -> (usize, Vec<Finding>) {
    tables::pasted_totals(field, cells, keys, first, row_schema, &SCHEMA["$defs"])
}

/// The schema of one row of the list at `field` ("partenariat.partenaires"), if it is a list of
/// tables.
pub fn row_schema(field: &str) -> Option<Value> {
    let defs = &SCHEMA["$defs"];
    let mut node = &*SCHEMA;
    for key in field.split('.') {
        node = resolve_schema(defs, node).get("properties")?.get(key)?;
    }
    let node = resolve_schema(defs, node);
    let items = node.get("items").or_else(|| {
        // A list that may also be given as a file: `anyOf: [array, FichierCsv]`.
        node.get("anyOf")?.as_array()?.iter().find_map(|o| o.get("items"))
    })?;
    let row = resolve_schema(defs, items);
    row.get("properties").is_some().then(|| row.clone())
}

/// The findings as located problems: each at its place in the dossier or its CSV tables.
fn report(
    file: &Path,
    source: &str,
    root: &Spanned<DeTable>,
    tables: &[CsvTable],
    mut findings: Vec<Finding>,
) -> DataErrors {
    locate_all(&mut findings, source, root, tables);
    DataErrors {
        errors: findings.into_iter().map(|f| f.into_data_error(file)).collect(),
        source: source.to_string(),
    }
}

/// [`report`] for a document with syntax errors: the findings of the later checks located on
/// or after the line of the first syntax error only repeat it and are left out; the syntax
/// errors come first.
fn report_with_syntax(
    file: &Path,
    source: &str,
    root: &Spanned<DeTable>,
    tables: &[CsvTable],
    mut findings: Vec<Finding>,
    syntax: syntax::Syntax,
) -> DataErrors {
    if let Some(cutoff) = syntax.cutoff {
        locate_all(&mut findings, source, root, tables);
        findings
            .retain(|f| f.origin.is_some() || f.span.as_ref().is_some_and(|s| s.start < cutoff));
    }
    let mut all = syntax.findings;
    all.extend(findings);
    report(file, source, root, tables, all)
}

/// Findings made after validation (by a later stage), located in the dossier or its CSV
/// tables like the others.
pub fn located(
    file: &Path,
    source: &str,
    tables: &[CsvTable],
    findings: Vec<Finding>,
) -> DataErrors {
    let (root, _) = DeTable::parse_recoverable(source);
    report(file, source, &root, tables, findings)
}

/// The rules of meaning, on the typed dossier; returns the dossier as a JSON value (made once,
/// for the walk over its leaves and for the outline's paths later).
fn check_meaning(
    dossier: &Dossier,
    base: &Path,
    target: &Target,
    findings: &mut Vec<Finding>,
) -> Value {
    let json = serde_json::to_value(dossier).unwrap_or(Value::Null);
    // Too long a dossier is refused before the rules, which compare rows with one another.
    if let Some(finding) = too_many_rows(&json) {
        findings.push(finding);
        return json;
    }
    findings.extend(rules::check(dossier));
    // What a commission would notice: warnings, refused under --strict.
    let strict = target.strict_layout;
    findings.extend(
        commission::check(dossier, &json)
            .into_iter()
            .map(|f| if strict { Finding { severity: Severity::Error, ..f } } else { f }),
    );
    // One walk over every value of the dossier serves the rules on leaves (signs, glyphs).
    for_each_leaf(&json, "", &mut |path, leaf| match leaf {
        Value::Number(n) => findings.extend(rules::number(path, n)),
        Value::String(s) => {
            findings.extend(rules::text(path, s));
            findings.extend(
                glyphs::missing(s, path)
                    .map(|f| if target.is_strict() { glyphs::strict(f) } else { f }),
            );
        }
        _ => {}
    });
    findings.extend(previous_dossier(dossier, base));
    json
}

/// The names of the territory's areas are printed on the map: the glyph rule of the dossier's
/// own text applies to them, at the field that names the file (otherwise the PDF/A export
/// would refuse the map with the typesetter's words).
fn territory_names(features: &[crate::input::geo::Feature], target: &Target) -> Vec<Finding> {
    const FIELD: &str = "implantation.equite.contour";
    let names = features.iter().filter_map(|f| f.name.as_deref());
    names
        .filter_map(|name| {
            let finding = glyphs::missing(name, FIELD)?;
            let finding = Finding {
                message: format!("nom « {name} » du fichier de contour : {}", finding.message),
                ..finding
            };
            Some(if target.is_strict() { glyphs::strict(finding) } else { finding })
        })
        .take(5)
        .collect()
}

/// Gives every finding without a place the place of its field: in a CSV table when the field
/// comes from one, else in the dossier. Sorted in file order.
fn locate_all(
    findings: &mut [Finding],
    source: &str,
    root: &Spanned<DeTable>,
    tables: &[CsvTable],
) {
    for finding in findings.iter_mut() {
        if finding.span.is_some() || finding.origin.is_some() {
            continue;
        }
        if !tables.iter().any(|t| t.place_finding(finding)) {
            finding.span = locate(root, &finding.field);
            if let (Some(span), Some(words)) = (&finding.span, &finding.within) {
                let raw = source.get(span.clone()).unwrap_or_default();
                if let Some(at) = syntax::raw_range(raw, words.clone()) {
                    finding.span = Some(span.start + at.start..span.start + at.end);
                }
            }
        }
        if finding.origin.is_none() {
            let related = finding.related.iter();
            finding.related_spans =
                related.filter_map(|(f, l)| Some((locate(root, f)?, l.clone()))).collect();
        }
    }
    // The dossier first, then each table file apart, in row order.
    findings.sort_by(|a, b| {
        let key = |f: &Finding| {
            let file = f.origin.as_ref().map(|(path, _)| path.clone());
            let at = f.span.as_ref().map_or(usize::MAX, |s| s.start);
            (file, f.rank.unwrap_or((at, 0)))
        };
        key(a).cmp(&key(b))
    });
}

/// Rows read from CSV files, by the dotted path of their section.
type TableRows = Vec<(String, toml::Value)>;

/// Reads every section given as a CSV file; their problems join `findings`.
fn read_tables(
    refs: &[structure::CsvRef],
    base: &Path,
    findings: &mut Vec<Finding>,
) -> (Vec<CsvTable>, TableRows) {
    let mut tables = Vec::new();
    let mut rows = Vec::new();
    for reference in refs {
        match tables::load(reference, base, &SCHEMA["$defs"]) {
            Ok(loaded) => {
                findings.extend(loaded.findings);
                rows.push((loaded.table.field.clone(), loaded.rows));
                tables.push(loaded.table);
            }
            Err(errors) => findings.extend(errors),
        }
    }
    (tables, rows)
}

/// The typed dossier, with the rows read from CSV files in place of their references and the
/// values of `set_aside` (fields with a structural error) taken out, so that the rules can
/// still check the rest. A bad value is taken out alone if the model can do without it, else
/// with the list entry holding it. `None` when the document's top level is unusable.
fn deserialize(
    source: &str,
    rows: TableRows,
    set_aside: &[String],
) -> Option<Result<Dossier, toml::de::Error>> {
    let parsed: toml::Table = match toml::from_str(source) {
        Ok(parsed) => parsed,
        // What only the full parse sees (a number too large): reported when nothing else is.
        Err(e) => return Some(Err(e)),
    };
    let mut result = None;
    for whole_entries in [false, true] {
        let mut root = parsed.clone();
        for field in set_aside {
            let entry = field.rsplit_once('.').map(|(parent, _)| parent).unwrap_or_default();
            let in_entry = entry.ends_with(']');
            let taken = !(whole_entries && in_entry) && tables::remove(&mut root, field);
            if !taken && in_entry {
                tables::remove(&mut root, entry);
            }
        }
        let mut root = toml::Value::Table(root);
        tables::purge(&mut root);
        let toml::Value::Table(mut root) = root else { return None };
        for (field, value) in rows.iter().cloned() {
            tables::inject(&mut root, &field, value);
        }
        let attempt: Result<Dossier, _> = serde::Deserialize::deserialize(toml::Value::Table(root));
        let done = attempt.is_ok() || set_aside.is_empty();
        result = Some(attempt);
        if done {
            break;
        }
    }
    result
}

/// Calls `visit` with the dotted path ("a.b[2].c") of every scalar of a JSON value.
pub fn for_each_leaf(value: &Value, path: &str, visit: &mut impl FnMut(&str, &Value)) {
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

/// Most rows all the tables of a dossier may hold together (lists of `[[…]]` in the TOML or rows
/// of CSV files). Typst keeps every laid-out table cell in memory until the document is done,
/// some 0.2 Mo a row of five columns: 1 500 rows stay under 500 Mo, where 10 000 partners took
/// 3.8 Go. A real dossier has a few hundred rows.
pub const MAX_TABLE_ROWS: usize = 1_500;

/// An error at the longest list when the dossier's tables hold more than [`MAX_TABLE_ROWS`]
/// rows in all.
fn too_many_rows(json: &Value) -> Option<Finding> {
    fn lists(value: &Value, path: String, out: &mut Vec<(String, usize)>) {
        match value {
            Value::Array(items) => {
                if items.iter().any(Value::is_object) {
                    out.push((path.clone(), items.len()));
                }
                for (i, item) in items.iter().enumerate() {
                    lists(item, format!("{path}[{i}]"), out);
                }
            }
            Value::Object(map) => {
                for (key, item) in map {
                    let sub = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                    lists(item, sub, out);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    lists(json, String::new(), &mut found);
    let total: usize = found.iter().map(|(_, n)| n).sum();
    if total <= MAX_TABLE_ROWS {
        return None;
    }
    let (field, rows) = found.into_iter().max_by_key(|(_, n)| *n)?;
    let number = |n: usize| crate::fr::format_number(n as f64, 0);
    Some(Finding::error(
        &field,
        format!(
            "le dossier compte {} lignes de tableaux, dont {} dans cette liste : au plus {} au \
             total",
            number(total),
            number(rows),
            number(MAX_TABLE_ROWS)
        ),
        Some(
            "un dossier de labellisation en compte quelques centaines : gardez les lignes \
             principales, ou regroupez-les (par catégorie, par territoire)"
                .into(),
        ),
    ))
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

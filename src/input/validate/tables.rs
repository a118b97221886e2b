//! Tabular sections given as files (`liste = { fichier = "partenaires.csv" }`), as people keep
//! them: CSV files as French spreadsheets export them (any usual encoding, `;`, `,` or tab,
//! decimal comma, amounts with `€` and spaces). The first non-empty row names the columns, in
//! the words people use (see [`match_headers`]); every cell is typed against the schema of the
//! section; a last row reading « Total » is checked against the rows above and not counted; a
//! row whose first cell begins with « Exemple : » (the example row of the starter workbook) is
//! not read; and every problem is placed as a spreadsheet shows it (« charges.csv, ligne 7, colonne C
//! (Montant) »).

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use super::Finding;
use super::structure::{CsvRef, constants, labels, primary_type, resolve};
use super::{delimited, workbook};
use crate::diag::suggestion;
use crate::model::Date;
use crate::model::vocab::{same, words};

/// A section read from a table file, kept to place later findings in it.
#[derive(Debug, Clone)]
pub struct CsvTable {
    /// Dotted path of the section.
    pub field: String,
    /// Name as written in the dossier (relative to its folder).
    pub name: String,
    /// Path of the file.
    pub path: PathBuf,
    /// The sheet, for a workbook.
    pub sheet: Option<String>,
    /// Its text, decoded (what error snippets show); empty for a workbook.
    pub text: Arc<str>,
    /// The file as given, byte for byte (what is attached to the PDF).
    pub bytes: Arc<[u8]>,
    /// Places of the rows that became entries of the section, in order.
    rows: Vec<RowPlace>,
}

/// Where an entry of the section came from.
#[derive(Debug, Clone)]
struct RowPlace {
    number: usize,
    span: Option<Range<usize>>,
    /// Its cells, by the key of their column.
    cells: Vec<(String, CellPlace)>,
}

#[derive(Debug, Clone)]
struct CellPlace {
    column: usize,
    title: String,
    span: Option<Range<usize>>,
}

/// A place in a table, in spreadsheet terms.
#[derive(Debug, Clone)]
pub struct Place {
    /// As the user reads it: « charges.csv, ligne 7, colonne C (Montant) ».
    pub label: String,
    /// Bytes in the decoded text, for the snippet.
    pub span: Option<Range<usize>>,
    /// Row and column, to give the findings of one file in row order.
    pub rank: (usize, usize),
}

impl CsvTable {
    /// Where a field path inside the section ("…liste[3].nom") is in the file.
    pub fn locate(&self, field: &str) -> Option<Place> {
        let rest = field.strip_prefix(&self.field)?.strip_prefix('[')?;
        let (index, rest) = rest.split_once(']')?;
        let row = self.rows.get(index.parse::<usize>().ok()?)?;
        let column = rest.trim_start_matches('.').split(['.', '[']).next().unwrap_or("");
        let cell = row.cells.iter().find(|(name, _)| name == column).map(|(_, c)| c);
        Some(match cell {
            Some(cell) => self.cell_place(row.number, cell),
            None => self.row_place(row.number, row.span.clone()),
        })
    }

    fn cell_place(&self, row: usize, cell: &CellPlace) -> Place {
        let letter = column_letter(cell.column);
        let title =
            if cell.title.is_empty() { String::new() } else { format!(" ({})", cell.title) };
        let label = match &self.sheet {
            Some(sheet) => format!("{} › {sheet} › {letter}{row}{title}", self.name),
            None => format!("{}, ligne {row}, colonne {letter}{title}", self.name),
        };
        Place { label, span: cell.span.clone(), rank: (row, cell.column + 1) }
    }

    fn row_place(&self, row: usize, span: Option<Range<usize>>) -> Place {
        let label = match &self.sheet {
            Some(sheet) => format!("{} › {sheet} › ligne {row}", self.name),
            None => format!("{}, ligne {row}", self.name),
        };
        Place { label, span, rank: (row, 0) }
    }

    fn whole(&self) -> Place {
        match &self.sheet {
            Some(sheet) => {
                Place { label: format!("{} › {sheet}", self.name), span: None, rank: (0, 0) }
            }
            None => Place { label: self.name.clone(), span: Some(0..0), rank: (0, 0) },
        }
    }

    /// A finding placed in this table: its message begins with the place.
    fn put(&self, mut finding: Finding, place: Place) -> Finding {
        finding.message = format!("{} : {}", place.label, finding.message);
        finding.origin = Some((self.path.clone(), Arc::clone(&self.text)));
        finding.span = place.span;
        finding.rank = Some(place.rank);
        finding
    }

    /// A finding made later about a field of this table (a rule of meaning), placed in it.
    pub(super) fn place_finding(&self, finding: &mut Finding) -> bool {
        let Some(place) = self.locate(&finding.field) else { return false };
        let mut placed = self.put(finding.clone(), place);
        placed.hint = placed.hint.map(|h| spreadsheet_hint(&h));
        *finding = placed;
        true
    }
}

/// A hint of the rules, said in spreadsheet terms when it names a TOML assignment:
/// "écrivez `hors_partenariat = true`" → "écrivez oui dans la colonne hors_partenariat".
fn spreadsheet_hint(hint: &str) -> String {
    let mut out = String::new();
    let mut parts = hint.split('`');
    out.push_str(parts.next().unwrap_or(""));
    let mut code = true;
    for part in parts {
        match part.split_once(" = ").filter(|_| code) {
            Some((key, value)) => {
                let value = match value.trim() {
                    "true" => "oui",
                    "false" => "non",
                    v => v.trim_matches('"'),
                };
                out.push_str(&format!("{value} dans la colonne {key}"));
            }
            None if code => out.push_str(&format!("la colonne {part}")),
            None => out.push_str(part),
        }
        code = !code;
    }
    out
}

fn quoted(names: &[String]) -> String {
    names.iter().map(|n| format!("« {n} »")).collect::<Vec<_>>().join(", ")
}

/// "A" for the first column, "Z", "AA", "AB"… as spreadsheets name them.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        letters.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    letters.iter().rev().map(|&b| b as char).collect()
}

/// A section read from a table file: the table, its rows without errors, and the problems of
/// the others (a row with an error is left out, so that the rest of the dossier can still be
/// checked in the same pass).
pub struct Loaded {
    /// The table.
    pub table: CsvTable,
    /// The rows that converted, as the section expects them.
    pub rows: toml::Value,
    /// Problems found in the file (warnings included).
    pub findings: Vec<Finding>,
}

/// Reads the file of a section and converts it to the rows the section expects. `Err` when
/// nothing of the file is usable (it cannot be read, or its columns cannot be told apart).
pub fn load(reference: &CsvRef, base: &Path, defs: &Value) -> Result<Loaded, Vec<Finding>> {
    let toml_error = |message: String, hint: Option<String>| {
        vec![Finding::error(&reference.field, message, hint).at(reference.span.clone())]
    };
    let path = crate::fsutil::resolve_inside(base, &reference.file)
        .map_err(|e| toml_error(format!("{e:#}"), None))?;
    let bytes =
        crate::fsutil::read_regular(&path).map_err(|e| toml_error(format!("{e:#}"), None))?;
    let mut table = CsvTable {
        field: reference.field.clone(),
        name: reference.file.clone(),
        path: path.clone(),
        sheet: None,
        text: Arc::from(""),
        bytes: Arc::from(&[][..]),
        rows: Vec::new(),
    };
    let mut findings = Vec::new();
    let grid = if workbook::is_workbook(&reference.file) {
        let at = reference.sheet.as_ref().map_or(reference.span.clone(), |(_, s)| s.clone());
        let error = |message: String, hint: String| {
            vec![Finding::error(&reference.field, message, Some(hint)).at(at.clone())]
        };
        let wanted = reference.sheet.as_ref().map(|(name, _)| name.as_str());
        let (sheet, grid) = workbook::read(&bytes, wanted).map_err(|problem| match problem {
            workbook::Problem::Unreadable => error(
                format!("{} n'est pas un classeur lisible", reference.file),
                "enregistrez-le depuis le tableur au format .xlsx ou .ods".into(),
            ),
            workbook::Problem::Which(names) => error(
                format!("le classeur {} a plusieurs feuilles : laquelle ?", reference.file),
                format!(
                    "ajoutez feuille = \"{}\" à côté de fichier ; feuilles du classeur : {}",
                    names.first().map_or("", String::as_str),
                    quoted(&names)
                ),
            ),
            workbook::Problem::Missing(names) => error(
                format!(
                    "le classeur {} n'a pas de feuille « {} »",
                    reference.file,
                    wanted.unwrap_or_default()
                ),
                format!("feuilles du classeur : {}", quoted(&names)),
            ),
        })?;
        table.sheet = Some(sheet);
        grid
    } else {
        if let Some((_, span)) = &reference.sheet {
            let message = "un fichier CSV n'a pas de feuilles".to_string();
            let hint = "retirez `feuille`, ou donnez un classeur (.xlsx, .ods)".to_string();
            return Err(vec![
                Finding::error(&reference.field, message, Some(hint)).at(span.clone()),
            ]);
        }
        let (text, guessed) = delimited::decode(&bytes);
        table.text = text.into();
        if let Some(encoding) = guessed {
            let message = format!("le fichier n'est pas en UTF-8 : il est lu comme {encoding}");
            let hint = "c'est l'encodage du « CSV (séparateur : point-virgule) » d'Excel ; si des \
                        lettres accentuées sont fausses dans le PDF, enregistrez en « CSV UTF-8 »";
            let warning = Finding::warning(&reference.field, message, Some(hint.into()));
            findings.push(table.put(warning, table.whole()));
        }
        csv_grid(&table)?
    };
    table.bytes = bytes.into();
    let reader = Reader { table: &table, defs, row: &reference.row };
    let (rows, places) = reader.read(&grid, &mut findings)?;
    table.rows = places;
    Ok(Loaded { table, rows: toml::Value::Array(rows), findings })
}

/// The cells of a CSV table.
fn csv_grid(table: &CsvTable) -> Result<Vec<GridRow>, Vec<Finding>> {
    let text = &*table.text;
    let rows = delimited::rows(text, delimited::separator(text)).map_err(|unclosed| {
        let place = table.cell_place(
            unclosed.row,
            &CellPlace { column: unclosed.column, title: String::new(), span: None },
        );
        let place = Place { span: Some(unclosed.at..unclosed.at + 1), ..place };
        let message = "guillemet jamais refermé : la cellule court jusqu'à la fin du fichier";
        let hint = "refermez le guillemet, ou doublez-le (\"\") s'il fait partie du texte";
        vec![table.put(Finding::error(&table.field, message.into(), Some(hint.into())), place)]
    })?;
    Ok(rows
        .into_iter()
        .map(|row| GridRow {
            number: row.number,
            span: Some(row.span),
            cells: row
                .cells
                .into_iter()
                .map(|(text, span)| GridCell { value: Cell::Text(text), span: Some(span) })
                .collect(),
        })
        .collect())
}

/// A cell as a table file gives it: text for a CSV file, typed in a workbook.
#[derive(Debug, Clone)]
pub(super) enum Cell {
    Text(String),
    Number(f64),
    Bool(bool),
    /// A date, as AAAA-MM-JJ.
    Date(String),
    /// A formula's error value (#DIV/0!) or a formula without a computed value.
    Error(String),
}

impl Cell {
    fn is_empty(&self) -> bool {
        matches!(self, Cell::Text(t) if t.trim().is_empty())
    }

    /// The cell as text (how a header or a label reads).
    fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.trim().to_string(),
            Cell::Number(n) => crate::fr::format_auto(*n, 6).replace(crate::fr::NNBSP, ""),
            Cell::Bool(b) => if *b { "oui" } else { "non" }.to_string(),
            Cell::Date(d) | Cell::Error(d) => d.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct GridCell {
    pub(super) value: Cell,
    pub(super) span: Option<Range<usize>>,
}

#[derive(Debug, Clone)]
pub(super) struct GridRow {
    pub(super) number: usize,
    pub(super) span: Option<Range<usize>>,
    pub(super) cells: Vec<GridCell>,
}

impl GridRow {
    fn is_empty(&self) -> bool {
        self.cells.iter().all(|c| c.value.is_empty())
    }

    fn cell(&self, column: usize) -> Option<&GridCell> {
        self.cells.get(column).filter(|c| !c.value.is_empty())
    }
}

/// A column a table accepts: its key and the titles it may bear in a spreadsheet.
#[derive(Debug, Clone)]
pub struct Column {
    /// The key of the rows (`distance_km`).
    pub key: String,
    /// Other titles: the column's title in the PDF, the start of its description.
    pub titles: Vec<String>,
    /// Whether every row must fill it.
    pub required: bool,
}

/// The keys a row must fill, from the schema of the row.
fn required_keys(row: &Value) -> Vec<&str> {
    let listed = row.get("required").and_then(Value::as_array);
    listed.into_iter().flatten().filter_map(Value::as_str).collect()
}

/// The columns of a section, from the schema of one of its rows.
pub fn columns(row: &Value) -> Vec<Column> {
    let required = required_keys(row);
    let properties = row.get("properties").and_then(Value::as_object);
    properties
        .into_iter()
        .flatten()
        .map(|(key, schema)| {
            let mut titles: Vec<String> = PDF_TITLES
                .iter()
                .filter(|(_, k, _)| k == key)
                .map(|(_, _, title)| title.to_string())
                .collect();
            // The form's label of the key (the editor's grid heads its column so).
            if let Some(title) = schema.get("title").and_then(Value::as_str) {
                titles.push(title.to_string());
            }
            if let Some(description) = schema.get("description").and_then(Value::as_str) {
                let end =
                    description.find(['(', '.', ',', ';', ':', '«']).unwrap_or(description.len());
                let lead = description[..end].trim();
                if !lead.is_empty() {
                    titles.push(lead.to_string());
                }
            }
            Column { key: key.clone(), titles, required: required.contains(&key.as_str()) }
        })
        .collect()
}

/// The column titles of the tables in the PDF (templates/chapitre-*.typ, macros.typ), by table
/// and key: a table copied from a printed dossier names its columns so, and the starter
/// workbook (`init`) heads its sheets with them. The table is given by the end of its path
/// (« equite.sites »), or empty for every table with that key. A header is matched against
/// every title of its key, whatever the table (see [`columns`]).
const PDF_TITLES: &[(&str, &str, &str)] = &[
    ("partenaires.liste", "nom", "Partenaire"),
    ("structures.liste", "nom", "Structure"),
    ("equite.sites", "nom", "Site"),
    ("amenagement.espaces", "nom", "Espace"),
    ("soutiens", "nom", "Soutien"),
    ("indicateurs", "nom", "Indicateur"),
    ("series", "nom", "Territoire"),
    ("instances", "nom", "Instance"),
    ("", "categorie", "Catégorie"),
    ("", "roles", "Rôles"),
    ("", "contribution", "Apport"),
    ("", "poste", "Poste"),
    ("financements", "partenaire", "Financeur"),
    ("financements", "sollicite", "Sollicité"),
    ("structures.liste", "partenaire", "Partenaire CDM"),
    ("", "designation", "Matériel"),
    ("", "cout_unitaire", "Coût unitaire"),
    ("", "quantite", "Quantité"),
    ("", "surface_m2", "Surface"),
    ("", "distance_km", "Distance"),
    ("", "temps_min", "Temps"),
    ("", "theme", "Thématique de conseil"),
    ("offre_collective.liste", "titre", "Intitulé"),
    ("mutualisation.actions", "titre", "Action"),
    ("", "plages", "Plages horaires"),
    ("", "intitule", "Formation"),
    ("", "duree", "Durée"),
    ("", "periode", "Période"),
    ("", "frequence", "Fréquence"),
    ("", "role", "Rôle"),
    ("", "resultat", "Résultat"),
    ("remarques", "critere", "Critère de la grille"),
    ("", "priorite", "Priorité"),
    ("", "etat", "État"),
    ("", "debut", "Début"),
    ("", "apres", "Après"),
    ("etapes", "action", "Étape"),
    ("", "service", "Type de service"),
    ("", "partenaires", "Partenaires engagés"),
    ("", "etp", "ETP"),
];

/// The title of a column in the PDF's table of a section (its dotted path), if the PDF prints
/// that column.
pub fn pdf_title(table: &str, key: &str) -> Option<&'static str> {
    let table = table.split('[').next().unwrap_or(table);
    PDF_TITLES
        .iter()
        .find(|(t, k, _)| *k == key && !t.is_empty() && table.ends_with(&format!(".{t}")))
        .or_else(|| PDF_TITLES.iter().find(|(t, k, _)| *k == key && t.is_empty()))
        .map(|(_, _, title)| *title)
}

/// What a header names, by [`match_headers`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Header {
    /// The column at this index of the accepted columns.
    Column(usize),
    /// An empty header.
    Empty,
    /// No column: the closest one, if any is close.
    Unknown {
        /// Index of the closest accepted column.
        closest: Option<usize>,
    },
    /// Several columns equally (« Coût » for `cout_unitaire` and `cout_total`).
    Ambiguous(Vec<usize>),
    /// A column an earlier header already names.
    Duplicate(usize),
}

/// Which column each header of a table names. A header names a column when, compared without
/// case, accents, punctuation or a unit in parentheses, it equals the key (`distance_km`), the
/// key's words, or one of the column's titles (see [`Column`]), or — when no column matches so
/// — begins with one of them (« Poste de dépense » → `poste`) or is the beginning of one
/// (« Distance » → `distance_km`), provided only one column does. Used for every table file,
/// and meant for any other grid a user pastes.
pub fn match_headers(headers: &[String], columns: &[Column]) -> Vec<Header> {
    let names: Vec<Vec<String>> = columns
        .iter()
        .map(|c| {
            let mut names = vec![singular(&c.key)];
            names.extend(c.titles.iter().map(|t| singular(t)));
            names.retain(|n| !n.is_empty());
            names
        })
        .collect();
    let mut taken: Vec<Option<usize>> = Vec::new();
    let mut result = Vec::new();
    for header in headers {
        let full = singular(header);
        let bare = singular(&without_units(header));
        let header_match =
            if full.is_empty() { Header::Empty } else { matching(&[full, bare], &names) };
        let header_match = match header_match {
            Header::Column(i) if taken.contains(&Some(i)) => Header::Duplicate(i),
            other => other,
        };
        taken.push(match header_match {
            Header::Column(i) => Some(i),
            _ => None,
        });
        result.push(header_match);
    }
    result
}

/// The column one header names (its forms: as written, and without units).
fn matching(forms: &[String], names: &[Vec<String>]) -> Header {
    // Tier by tier: the key itself, then a title, then a header beginning with a name, then a
    // header that is the beginning of a name; the first tier that names any column decides.
    let tiers: [fn(&str, &str, usize) -> bool; 4] = [
        |form, name, n| n == 0 && form == name,
        |form, name, _| form == name,
        |form, name, _| form.strip_prefix(name).is_some_and(|rest| rest.starts_with(' ')),
        |form, name, _| name.strip_prefix(form).is_some_and(|rest| rest.starts_with(' ')),
    ];
    for (level, tier) in tiers.iter().enumerate() {
        let found: Vec<(usize, usize)> = names
            .iter()
            .enumerate()
            .filter_map(|(i, candidates)| {
                let lengths = candidates
                    .iter()
                    .enumerate()
                    .filter(|(n, name)| forms.iter().any(|form| tier(form, name, *n)));
                // A longer beginning is a better one: « Coût unitaire HT » names the column
                // titled « Coût unitaire » rather than one titled « Coût ».
                let best =
                    lengths.map(|(_, name)| if level == 2 { name.len() } else { 0 }).max()?;
                Some((i, best))
            })
            .collect();
        let Some(best) = found.iter().map(|(_, l)| *l).max() else { continue };
        let hits: Vec<usize> = found.iter().filter(|(_, l)| *l == best).map(|(i, _)| *i).collect();
        return match hits.as_slice() {
            [one] => Header::Column(*one),
            _ => Header::Ambiguous(hits),
        };
    }
    let all: Vec<String> = names.iter().flatten().cloned().collect();
    let closest = suggestion(&forms[0], &all)
        .and_then(|name| names.iter().position(|candidates| candidates.contains(&name)));
    Header::Unknown { closest }
}

/// [`words`] in the singular, so that « Rôle » names `roles` and « Partenaires » `partenaire`.
fn singular(text: &str) -> String {
    let words = words(text);
    let each = words.split(' ').map(|w| {
        if w.len() > 3 && (w.ends_with('s') || w.ends_with('x')) { &w[..w.len() - 1] } else { w }
    });
    each.collect::<Vec<_>>().join(" ")
}

/// A header without its parenthesised parts (units): « Distance (km) » → « Distance ».
fn without_units(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The mark of an example row, at the start of its first cell: the starter workbook of `init`
/// shows one per sheet, which is not data until it is typed over.
pub const EXAMPLE_MARK: &str = "Exemple : ";

/// Whether a row is an example (its first filled cell begins with [`EXAMPLE_MARK`], in any case
/// and with any spaces around the colon).
fn is_example(row: &GridRow) -> bool {
    let first = row.cells.iter().find(|c| !c.value.is_empty()).map(|c| c.value.text());
    first.is_some_and(|text| {
        let text = text.to_lowercase();
        let mark = EXAMPLE_MARK.trim_end().to_lowercase();
        text.strip_prefix(mark.trim_end_matches(':').trim_end())
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    })
}

/// Whether a label cell announces a total row: « Total », « TOTAL », « Total général »,
/// « Sous-total », « Totaux ».
pub fn is_total(label: &str) -> bool {
    let w = words(label);
    w == "total" || w == "totaux" || w.starts_with("total ") || w.starts_with("sous total")
}

struct Reader<'a> {
    table: &'a CsvTable,
    defs: &'a Value,
    row: &'a Value,
}

/// A header cell that names a column of the section.
struct Used {
    /// Its column in the file.
    column: usize,
    /// Its title as written.
    title: String,
    key: String,
}

impl Reader<'_> {
    fn error(&self, place: Place, field: &str, message: String, hint: Option<String>) -> Finding {
        self.table.put(Finding::error(field, message, hint), place)
    }

    fn at(&self, row: &GridRow, column: usize, title: &str) -> Place {
        let span = row.cells.get(column).and_then(|c| c.span.clone()).or_else(|| row.span.clone());
        self.table.cell_place(row.number, &CellPlace { column, title: title.to_string(), span })
    }

    fn read(
        &self,
        grid: &[GridRow],
        findings: &mut Vec<Finding>,
    ) -> Result<(Vec<toml::Value>, Vec<RowPlace>), Vec<Finding>> {
        let field = &self.table.field;
        let mut rows = grid.iter().filter(|r| !r.is_empty());
        let Some(header) = rows.next() else {
            let message = "le tableau est vide".to_string();
            let hint = Some("la première ligne doit donner les titres des colonnes".to_string());
            return Err(vec![self.error(self.table.whole(), field, message, hint)]);
        };
        let data: Vec<&GridRow> = rows.filter(|r| !is_example(r)).collect();
        let used = self.columns(header, &data)?;
        let (lines, totals) = split_totals(&data, &used, self);
        let mut converted = Vec::new();
        let mut places = Vec::new();
        for row in &lines {
            let entry = format!("{field}[{}]", converted.len());
            let before =
                findings.iter().filter(|f| f.severity == crate::diag::Severity::Error).count();
            let value = self.convert_row(&used, row, &entry, findings);
            let after =
                findings.iter().filter(|f| f.severity == crate::diag::Severity::Error).count();
            if after == before {
                let cells = used
                    .iter()
                    .map(|u| {
                        let span = row.cells.get(u.column).and_then(|c| c.span.clone());
                        (
                            u.key.clone(),
                            CellPlace { column: u.column, title: u.title.clone(), span },
                        )
                    })
                    .collect();
                places.push(RowPlace { number: row.number, span: row.span.clone(), cells });
                converted.push(toml::Value::Table(value));
            }
        }
        findings.extend(self.check_totals(&lines, &totals, &used));
        Ok((converted, places))
    }

    /// The header: which column of the file is which key. Unknown, ambiguous or repeated
    /// titles and missing required columns are one error each for the table.
    fn columns(&self, header: &GridRow, data: &[&GridRow]) -> Result<Vec<Used>, Vec<Finding>> {
        let field = &self.table.field;
        let accepted = columns(self.row);
        let width =
            data.iter().map(|r| r.cells.len()).chain([header.cells.len()]).max().unwrap_or(0);
        let titles: Vec<String> = (0..width)
            .map(|i| header.cells.get(i).map(|c| c.value.text()).unwrap_or_default())
            .collect();
        let mut errors = Vec::new();
        let mut used = Vec::new();
        let list = || {
            accepted
                .iter()
                .map(|c| match pdf_title(field, &c.key) {
                    Some(t) => format!("{} ({t})", c.key),
                    None => c.key.clone(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        for (column, found) in match_headers(&titles, &accepted).into_iter().enumerate() {
            let title = &titles[column];
            let place = || self.at(header, column, title);
            match found {
                Header::Column(i) => {
                    used.push(Used { column, title: title.clone(), key: accepted[i].key.clone() })
                }
                // Empty trailing columns (`;;`) are how spreadsheets export; a column of data
                // without a title is not.
                Header::Empty => {
                    if data.iter().any(|r| r.cell(column).is_some()) {
                        let message = "colonne sans titre".to_string();
                        let hint = format!("donnez-lui un titre parmi : {}", list());
                        errors.push(self.error(place(), field, message, Some(hint)));
                    }
                }
                Header::Unknown { closest } => {
                    let message = format!("colonne inconnue « {title} »");
                    let hint = match closest {
                        Some(i) => format!(
                            "vouliez-vous dire « {} » ? titres possibles : {}",
                            accepted[i].key,
                            list()
                        ),
                        None => format!("titres possibles : {}", list()),
                    };
                    errors.push(self.error(place(), field, message, Some(hint)));
                }
                Header::Ambiguous(candidates) => {
                    let names: Vec<&str> =
                        candidates.iter().map(|&i| accepted[i].key.as_str()).collect();
                    let message =
                        format!("titre de colonne ambigu « {title} » : {}", names.join(" ou "));
                    let hint = "précisez le titre, par exemple avec le nom exact de la colonne";
                    errors.push(self.error(place(), field, message, Some(hint.into())));
                }
                Header::Duplicate(i) => {
                    let message = format!("colonne en double : « {title} » ({})", accepted[i].key);
                    errors.push(self.error(place(), field, message, None));
                }
            }
        }
        let missing: Vec<&str> = accepted
            .iter()
            .filter(|c| c.required && !used.iter().any(|u| u.key == c.key))
            .map(|c| c.key.as_str())
            .collect();
        if !missing.is_empty() {
            let s = if missing.len() > 1 { "s" } else { "" };
            let message =
                format!("colonne{s} obligatoire{s} manquante{s} : {}", missing.join(", "));
            let hint =
                format!("ajoutez à la première ligne une colonne titrée {}", missing.join(", "));
            let place = self.table.row_place(header.number, header.span.clone());
            errors.push(self.error(place, field, message, Some(hint)));
        }
        if errors.is_empty() { Ok(used) } else { Err(errors) }
    }

    fn convert_row(
        &self,
        used: &[Used],
        row: &GridRow,
        entry: &str,
        findings: &mut Vec<Finding>,
    ) -> toml::Table {
        let mut converted = toml::Table::new();
        let required = required_keys(self.row);
        for column in used {
            let field = format!("{entry}.{}", column.key);
            let place = || self.at(row, column.column, &column.title);
            let Some(cell) = row.cell(column.column) else {
                if required.contains(&column.key.as_str()) {
                    let message = "cellule vide : cette colonne est obligatoire".to_string();
                    findings.push(self.error(place(), &field, message, None));
                }
                continue;
            };
            let schema = resolve(self.defs, &self.row["properties"][&column.key]);
            match convert_cell(&cell.value, schema, self.defs) {
                Ok(value) => {
                    converted.insert(column.key.clone(), value);
                }
                Err((message, hint)) => findings.push(self.error(place(), &field, message, hint)),
            }
        }
        converted
    }

    /// Each total row against the sum of the rows above it, column by column.
    fn check_totals(&self, lines: &[&GridRow], totals: &[&GridRow], used: &[Used]) -> Vec<Finding> {
        let mut findings = Vec::new();
        for total in totals {
            for column in used.iter().filter(|u| self.is_numeric(&u.key)) {
                let Some(cell) = total.cell(column.column) else { continue };
                let place = || self.at(total, column.column, &column.title);
                let field = self.table.field.clone();
                let Ok(stated) = cell_number(&cell.value) else {
                    let message = format!("total illisible « {} »", cell.value.text());
                    findings.push(self.error(place(), &field, message, Some(NUMBER_HINT.into())));
                    continue;
                };
                let sum: f64 = lines
                    .iter()
                    .filter_map(|r| r.cell(column.column))
                    .filter_map(|c| cell_number(&c.value).ok())
                    .sum();
                if (stated - sum).abs() > 0.005 {
                    let message = format!(
                        "le total {} ne correspond pas à la somme des lignes au-dessus : {}",
                        crate::fr::format_auto(stated, 2),
                        crate::fr::format_auto(sum, 2)
                    );
                    let hint = "corrigez le total ou les lignes ; la ligne de total n'est pas \
                                comptée comme une ligne du tableau";
                    findings.push(self.error(place(), &field, message, Some(hint.into())));
                }
            }
        }
        findings
    }

    fn is_numeric(&self, key: &str) -> bool {
        let schema = resolve(self.defs, &self.row["properties"][key]);
        matches!(primary_type(schema), "number" | "integer")
    }
}

/// The rows of a table and its total rows: the last rows whose label (first filled cell)
/// reads « Total », in a table with a column of numbers.
fn split_totals<'r>(
    data: &[&'r GridRow],
    used: &[Used],
    reader: &Reader,
) -> (Vec<&'r GridRow>, Vec<&'r GridRow>) {
    if !used.iter().any(|u| reader.is_numeric(&u.key)) {
        return (data.to_vec(), Vec::new());
    }
    let label = |row: &GridRow| {
        used.iter()
            .filter_map(|u| row.cell(u.column))
            .next()
            .map(|c| c.value.text())
            .unwrap_or_default()
    };
    let count = data.iter().rev().take_while(|r| is_total(&label(r))).count();
    let (lines, totals) = data.split_at(data.len() - count);
    (lines.to_vec(), totals.to_vec())
}

/// The « Total » rows at the end of a block pasted from a spreadsheet, by the rule of table
/// files (the same [`split_totals`] and [`Reader::check_totals`]): how many of the last rows of
/// `cells` are totals — never rows of the table — and an error at each total cell that does not
/// match the sum of the rows above. `keys[c]` is the key of the block's column c, `first` the
/// line of `cells[0]` in the block.
pub(super) fn pasted_totals(
    field: &str,
    cells: &[Vec<String>],
    keys: &[Option<&str>],
    first: usize,
    row: &Value,
    defs: &Value,
) -> (usize, Vec<Finding>) {
    let table = CsvTable {
        field: field.to_string(),
        name: "bloc collé".to_string(),
        path: PathBuf::new(),
        sheet: None,
        text: Arc::from(""),
        bytes: Arc::from(&[][..]),
        rows: Vec::new(),
    };
    let grid: Vec<GridRow> = cells
        .iter()
        .enumerate()
        .map(|(i, row)| GridRow {
            number: first + i,
            span: None,
            cells: row
                .iter()
                .map(|c| GridCell { value: Cell::Text(c.clone()), span: None })
                .collect(),
        })
        .collect();
    let accepted = columns(row);
    let used: Vec<Used> = keys
        .iter()
        .enumerate()
        .filter_map(|(column, key)| {
            let key = (*key)?;
            let title = accepted.iter().find(|c| c.key == key).and_then(|c| c.titles.first());
            let title = title.cloned().unwrap_or_else(|| key.to_string());
            Some(Used { column, title, key: key.to_string() })
        })
        .collect();
    let reader = Reader { table: &table, defs, row };
    let data: Vec<&GridRow> = grid.iter().collect();
    let (lines, totals) = split_totals(&data, &used, &reader);
    let mut findings = reader.check_totals(&lines, &totals, &used);
    // The place is the block's own (« ligne 5, colonne B »), not a file's.
    for finding in &mut findings {
        finding.origin = None;
    }
    (totals.len(), findings)
}

type CellError = (String, Option<String>);

const NUMBER_HINT: &str = "écrivez un nombre dans la cellule : 12 500 ou 12 500,50";

/// A number of a cell: typed, or written as French spreadsheets write it.
fn cell_number(cell: &Cell) -> Result<f64, CellError> {
    match cell {
        Cell::Number(n) => Ok(*n),
        other => number(&other.text()),
    }
}

/// Converts a cell to the value its column's schema wants.
fn convert_cell(cell: &Cell, schema: &Value, defs: &Value) -> Result<toml::Value, CellError> {
    let kind = primary_type(schema);
    let is_date = schema.get("format").and_then(Value::as_str) == Some("date");
    match cell {
        Cell::Text(text) => convert(text.trim(), schema, defs),
        Cell::Error(e) => Err((
            format!("la formule de cette cellule n'a pas de valeur ({e})"),
            Some("corrigez la formule dans le tableur, puis enregistrez le classeur".into()),
        )),
        Cell::Number(n) if kind == "number" => Ok(toml::Value::Float(*n)),
        Cell::Date(d) if is_date => Ok(toml::Value::String(d.clone())),
        Cell::Date(d) => Err((
            format!(
                "cette cellule contient une date ({d}), la colonne attend {}",
                expected_kind(schema)
            ),
            Some(
                "tapez la valeur telle qu'elle doit paraître, ou mettez la cellule au format Texte"
                    .into(),
            ),
        )),
        Cell::Number(_) if is_date => Err((
            format!("« {} » n'est pas une date", cell.text()),
            Some("écrivez la date dans la cellule : 24/11/2026".into()),
        )),
        other => convert(&other.text(), schema, defs),
    }
}

/// A cell's text typed as the column `key` of `row` wants it (what a pasted grid gets): the
/// JSON value, or the French reason why not.
pub(super) fn typed_text(
    text: &str,
    key: &str,
    row: &Value,
    defs: &Value,
) -> Result<Value, String> {
    let schema = row.get("properties").and_then(|p| p.get(key)).ok_or("colonne inconnue")?;
    let schema = resolve(defs, schema);
    let value = convert(text.trim(), schema, defs).map_err(|(message, hint)| match hint {
        Some(hint) => format!("{message} ({hint})"),
        None => message,
    })?;
    serde_json::to_value(value).map_err(|e| e.to_string())
}

fn expected_kind(schema: &Value) -> &'static str {
    match primary_type(schema) {
        "number" | "integer" => "un nombre",
        "boolean" => "oui ou non",
        _ => "un texte",
    }
}
/// Converts a cell to the value its column's schema wants. Every kind of column the schema
/// has (optional or not) is handled here, so that a row that converts always deserializes.
fn convert(cell: &str, schema: &Value, defs: &Value) -> Result<toml::Value, CellError> {
    if let Some(allowed) = constants(schema) {
        // The drop-down lists of the starter workbook offer the labels.
        let shown = labels(schema).unwrap_or(allowed.clone());
        return match allowed.iter().find(|a| same(a, cell)) {
            Some(a) => Ok(toml::Value::String(a.clone())),
            None => Err((
                format!("valeur non reconnue « {cell} »"),
                Some(format!("valeurs possibles : {}", shown.join(", "))),
            )),
        };
    }
    let value_or_na = schema.get("format") == Some(&Value::from(crate::model::VALUE_OR_NA));
    if value_or_na && crate::model::Valeur::is_not_available(cell) {
        return Ok(toml::Value::String(crate::model::NOT_AVAILABLE.into()));
    }
    if schema.get("format") == Some(&Value::from(crate::model::TIME_SLOT))
        && crate::model::parse_slot(cell).is_none()
    {
        return Err((
            format!("plage horaire invalide « {cell} »"),
            Some("format attendu HH:MM-HH:MM, par exemple 09:30-12:30".into()),
        ));
    }
    match primary_type(schema) {
        "number" => number(cell).map(toml::Value::Float),
        "integer" => number(cell).and_then(|n| {
            (n.fract() == 0.0 && n.abs() <= f64::from(i32::MAX))
                .then_some(toml::Value::Integer(n as i64))
                .ok_or((format!("« {cell} » n'est pas un nombre entier"), None))
        }),
        "boolean" => match cell.to_lowercase().as_str() {
            "oui" | "vrai" | "true" | "x" | "1" => Ok(toml::Value::Boolean(true)),
            "non" | "faux" | "false" | "0" => Ok(toml::Value::Boolean(false)),
            _ => Err((
                format!("« {cell} » n'est ni oui ni non"),
                Some("écrivez oui ou non dans la cellule".into()),
            )),
        },
        "array" => {
            let items = resolve(defs, schema.get("items").unwrap_or(&Value::Null));
            let numeric = matches!(primary_type(items), "number" | "integer");
            let separators: &[char] = if numeric { &['|', ';'] } else { &['|', ';', ','] };
            cell.split(separators)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| convert(s, items, defs))
                .collect::<Result<Vec<_>, _>>()
                .map(toml::Value::Array)
        }
        "object" => Err((
            "cette colonne ne peut pas venir d'un tableau".into(),
            Some("retirez la colonne du tableau et renseignez cette valeur dans le dossier".into()),
        )),
        _ if schema.get("format").and_then(Value::as_str) == Some("date") => {
            let iso = iso_date(cell);
            // The message quotes the cell as typed (« 31/02/2025 »), not its ISO reading.
            Date::parse(&iso).map_err(|e| {
                (
                    e.replace(&iso, cell.trim()),
                    Some("écrivez la date dans la cellule : 24/11/2026".into()),
                )
            })?;
            Ok(toml::Value::String(iso))
        }
        _ => Ok(toml::Value::String(cell.to_string())),
    }
}

/// A number as French spreadsheets write it: "1 234,5", "12 %", "54 000,50 €" (with ordinary,
/// no-break or narrow no-break spaces), "€ 1 200", "1.234,50", "−12", "(1 200)" (accounting
/// negative).
fn number(cell: &str) -> Result<f64, CellError> {
    let trimmed = cell.trim();
    let (negative, inner) = match trimmed.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        Some(inner) => (true, inner),
        None => (false, trimmed),
    };
    // A space groups thousands before the decimal mark only: « 12 500,5 000 » is a slip, never
    // 12 500,5 (the editor's page reads typed numbers by the same rule).
    let core = inner.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, '\u{a0}' | '\u{202f}' | '€' | '%')
    });
    if let Some(mark) = core.rfind([',', '.'])
        && core[mark..].chars().any(|c| c.is_whitespace() || matches!(c, '\u{a0}' | '\u{202f}'))
    {
        return Err((format!("« {cell} » n'est pas un nombre"), Some(NUMBER_HINT.into())));
    }
    let mut cleaned: String = inner
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{202f}' | '€' | '%'))
        .map(|c| if c == '\u{2212}' { '-' } else { c })
        .collect();
    if let (Some(dot), Some(comma)) = (cleaned.find('.'), cleaned.rfind(',')) {
        // Both marks: the last one is the decimal mark, the other groups thousands.
        cleaned = if dot < comma { cleaned.replace('.', "") } else { cleaned.replace(',', "") };
    }
    let parsed = cleaned.replace(',', ".").parse::<f64>().ok().filter(|n| n.is_finite());
    let parsed = parsed.filter(|_| !cleaned.is_empty());
    parsed
        .map(|n| if negative { -n } else { n })
        .ok_or_else(|| (format!("« {cell} » n'est pas un nombre"), Some(NUMBER_HINT.into())))
}

/// "24/11/2026" → "2026-11-24"; anything else is left for the date parser to judge.
fn iso_date(cell: &str) -> String {
    let parts: Vec<&str> = cell.split('/').collect();
    match parts.as_slice() {
        [d, m, y] if y.len() == 4 && d.len() <= 2 && m.len() <= 2 => format!("{y}-{m:0>2}-{d:0>2}"),
        _ => cell.to_string(),
    }
}

/// "a.b[2].c" → [("a", []), ("b", [2]), ("c", [])].
fn segments(field: &str) -> Vec<(&str, Vec<usize>)> {
    field
        .split('.')
        .map(|seg| {
            let mut parts = seg.split('[');
            let key = parts.next().unwrap_or("");
            let indices = parts.filter_map(|p| p.trim_end_matches(']').parse().ok()).collect();
            (key, indices)
        })
        .collect()
}

/// The value at a path of the parsed dossier.
fn value_at<'a>(
    root: &'a mut toml::Table,
    path: &[(&str, Vec<usize>)],
) -> Option<&'a mut toml::Value> {
    let ((first, first_indices), rest) = path.split_first()?;
    let mut value = root.get_mut(*first)?;
    for i in first_indices {
        value = value.as_array_mut()?.get_mut(*i)?;
    }
    for (key, indices) in rest {
        value = value.as_table_mut()?.get_mut(*key)?;
        for i in indices {
            value = value.as_array_mut()?.get_mut(*i)?;
        }
    }
    Some(value)
}

/// Puts the rows read from CSV files at their place in the parsed dossier.
pub fn inject(root: &mut toml::Table, field: &str, rows: toml::Value) {
    let mut path = segments(field);
    let Some((last, _)) = path.pop() else { return };
    let table = if path.is_empty() {
        Some(root)
    } else {
        value_at(root, &path).and_then(toml::Value::as_table_mut)
    };
    if let Some(table) = table {
        table.insert(last.to_string(), rows);
    }
}

/// What stands in for a list entry set aside, until [`purge`] takes them all out (removing
/// them one by one would shift the indices of the others).
const SET_ASIDE: &str = "\u{0}mis de côté";

/// Sets aside the value at `field` (a key is removed, a list entry marked for [`purge`]).
/// Returns whether there was a value there.
pub fn remove(root: &mut toml::Table, field: &str) -> bool {
    let mut path = segments(field);
    let Some((last, indices)) = path.pop() else { return false };
    if let Some(&index) = indices.last() {
        let mut to_entry = path;
        to_entry.push((last, indices[..indices.len() - 1].to_vec()));
        return match value_at(root, &to_entry).and_then(toml::Value::as_array_mut) {
            Some(list) if index < list.len() => {
                list[index] = toml::Value::String(SET_ASIDE.into());
                true
            }
            _ => false,
        };
    }
    let table = if path.is_empty() {
        Some(root)
    } else {
        value_at(root, &path).and_then(toml::Value::as_table_mut)
    };
    table.is_some_and(|t| t.remove(last).is_some())
}

/// Takes out the list entries set aside by [`remove`].
pub fn purge(value: &mut toml::Value) {
    match value {
        toml::Value::Array(items) => {
            items.retain(|v| v.as_str() != Some(SET_ASIDE));
            items.iter_mut().for_each(purge);
        }
        toml::Value::Table(table) => table.iter_mut().for_each(|(_, v)| purge(v)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn a_space_groups_thousands_before_the_decimal_mark_only() {
        assert_eq!(number("12 500,5").ok(), Some(12500.5));
        assert_eq!(number("1 200 €").ok(), Some(1200.0));
        assert_eq!(number("16,8 %").ok(), Some(16.8));
        assert_eq!(number("1.234,5").ok(), Some(1234.5));
        assert!(number("12 500,5 000").is_err(), "a slip is not 12 500,5");
    }

    #[test]
    fn a_wrong_date_in_a_cell_is_quoted_as_typed() {
        let schema = serde_json::json!({ "type": "string", "format": "date" });
        let (message, _) =
            super::convert("31/13/2025", &schema, &serde_json::Value::Null).unwrap_err();
        assert!(message.contains("31/13/2025") && !message.contains("2025-13-31"), "{message}");
    }
}

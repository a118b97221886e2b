//! Finding the text a PDF standard refuses. When the PDF/A or PDF/UA export fails because some
//! text cannot be written with its code points (a combining sequence the fonts draw as one
//! glyph, a symbol missing from the chart font), Typst does not say which field it came from.
//! The dossier's strings are then compiled in small test documents, in the settings where
//! dossier text appears (body serif, sans, chart SVG), halving the set until each string that
//! fails alone is found; each becomes an error located at its field.
//!
//! This runs only after such a failure, so a valid dossier pays nothing for it; and since it
//! uses the export itself, `check` and the render can never disagree on what is acceptable.

use std::collections::BTreeMap;

use serde_json::Value;
use typst_pdf::PdfStandard;

use crate::document::template::filters::escape_markup;
use crate::typeset::compile::Sources;
use crate::typeset::compile::{self, PdfMeta};
use crate::typeset::world::{DossierWorld, SANS_FAMILY, SERIF_FAMILY};

/// Whether a failed export is about text that cannot be written (and worth probing).
pub fn is_text_failure(report: &str) -> bool {
    ["missing codepoints", "could not be displayed", "glyph"].iter().any(|m| report.contains(m))
}

/// The strings of the dossier that the export refuses under `standards`, each with the fields
/// that hold it (dotted paths).
pub fn refused_strings(data: &Value, standards: &[PdfStandard]) -> Vec<(String, Vec<String>)> {
    let mut fields: BTreeMap<String, Vec<String>> = BTreeMap::new();
    crate::input::validate::for_each_leaf(data, "", &mut |path, leaf| {
        if let Value::String(s) = leaf
            && !s.trim().is_empty()
        {
            fields.entry(s.clone()).or_default().push(path.to_string());
        }
    });
    // Plain ASCII is always written; only the rest can fail.
    let candidates: Vec<&String> = fields.keys().filter(|s| !s.is_ascii()).collect();
    let mut refused = Vec::new();
    bisect(&candidates, standards, &mut refused);
    refused.into_iter().map(|s| (s.clone(), fields[s].clone())).collect()
}

/// Adds to `refused` the strings of `set` that fail alone, compiling halves of the set.
fn bisect<'a>(set: &[&'a String], standards: &[PdfStandard], refused: &mut Vec<&'a String>) {
    if set.is_empty() || accepted(set, standards) {
        return;
    }
    if let [single] = set {
        refused.push(single);
        return;
    }
    let (left, right) = set.split_at(set.len() / 2);
    bisect(left, standards, refused);
    bisect(right, standards, refused);
}

/// Whether a test document showing `strings` as the dossier shows text exports.
fn accepted(strings: &[&String], standards: &[PdfStandard]) -> bool {
    let mut sources = Sources::default();
    let mut main = format!(
        "#set document(title: [Test], date: datetime(year: 2026, month: 1, day: 1))\n\
         #set text(font: \"{SERIF_FAMILY}\", lang: \"fr\")\n"
    );
    for (i, s) in strings.iter().enumerate() {
        let text = escape_markup(s);
        main.push_str(&format!("{text}\n\n#text(font: \"{SANS_FAMILY}\")[*{text}*]\n\n"));
        main.push_str(&format!("#image(\"/sonde/{i}.svg\", alt: \"test\")\n\n"));
        sources.files.insert(format!("/sonde/{i}.svg"), svg(s));
    }
    sources.files.insert("/main.typ".into(), main);
    let date = typst::foundations::Datetime::from_ymd(2026, 1, 1).expect("a valid date");
    let mut world = DossierWorld::new(date);
    compile::load_sources(&mut world, &sources);
    let meta = PdfMeta { ident: "sonde".into(), date, standards: standards.to_vec() };
    compile::compile(&world, &meta).is_ok()
}

/// A chart-like SVG showing `text` in the charts' font.
fn svg(text: &str) -> String {
    let escaped: String = crate::document::charts::clean_label(text)
        .chars()
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            c => c.to_string(),
        })
        .collect();
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"900\" height=\"40\">\
         <text x=\"10\" y=\"30\" font-family=\"{SANS_FAMILY}\" font-size=\"15\">{escaped}</text></svg>"
    )
}

//! Characters that no embedded font can draw: a warning naming the field, so that text never
//! silently turns into empty boxes.

use super::Finding;
use crate::typeset::world::has_glyph;

/// A warning listing (up to five of) the characters of `text` that cannot be drawn.
pub fn missing(text: &str, path: &str) -> Option<Finding> {
    let mut chars: Vec<char> = text
        .chars()
        .filter(|c| !c.is_control() && !c.is_whitespace() && !is_invisible(*c) && !has_glyph(*c))
        .collect();
    chars.sort_unstable();
    chars.dedup();
    if chars.is_empty() {
        return None;
    }
    let list: Vec<String> =
        chars.iter().take(5).map(|c| format!("« {c} » (U+{:04X})", u32::from(*c))).collect();
    let more =
        if chars.len() > 5 { format!(" et {} autres", chars.len() - 5) } else { String::new() };
    Some(Finding::warning(
        path,
        format!(
            "caractères qu'aucune police intégrée ne sait afficher : {}{more}",
            list.join(", ")
        ),
        Some("ils apparaîtraient comme des cases vides : remplacez-les ou retirez-les".into()),
    ))
}

/// Format characters (joiners, direction marks, variation selectors) have no glyph by design.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}')
}

/// Under PDF/A and PDF/UA every character must have a glyph: the warning becomes an error.
pub fn strict(finding: Finding) -> Finding {
    Finding {
        severity: crate::diag::Severity::Error,
        hint: Some("les normes PDF/A et PDF/UA exigent que chaque caractère soit affichable : remplacez ou retirez ces caractères, ou produisez le PDF avec --pdf-standard aucune".into()),
        ..finding
    }
}

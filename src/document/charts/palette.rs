//! The Cité's colours in the charts. Charts are drawn with the built-in palette of
//! [`super::canvas`]; a dossier with its own colours (`[apparence]`) gets the drawn SVG with
//! each built-in colour replaced by the matching one of its palette. Drawing code thus stays
//! palette-agnostic, and the chart cache stays valid when only colours change.

use plotters::style::RGBColor;

use super::canvas::{ACCENT, DARK, LIGHT, MEDIUM};
use crate::model::Apparence;

/// Replacement colours, as (built-in, replacement) pairs of SVG hex codes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Palette {
    swaps: Vec<(String, String)>,
}

impl Palette {
    /// The palette of a dossier: main colour and its tints, secondary colour for accents.
    pub fn new(look: &Apparence) -> Palette {
        let mut swaps = Vec::new();
        if let Some(main) = look.couleur_principale.as_deref().and_then(Apparence::rgb) {
            swaps.push((hex(DARK), code(main)));
            swaps.push((hex(MEDIUM), code(tint(main, 0.35))));
            swaps.push((hex(LIGHT), code(tint(main, 0.70))));
        }
        if let Some(second) = look.couleur_secondaire.as_deref().and_then(Apparence::rgb) {
            swaps.push((hex(ACCENT), code(second)));
        }
        Palette { swaps }
    }

    /// Recolours an SVG drawn with the built-in palette.
    pub fn apply(&self, svg: &str) -> String {
        self.swaps.iter().fold(svg.to_string(), |svg, (from, to)| svg.replace(from, to))
    }
}

/// The built-in accent colour as `#rrggbb`, for documents whose dossier sets none: the same
/// as in the charts.
pub fn built_in_accent() -> String {
    hex(ACCENT)
}

/// How plotters writes a colour in SVG ("#1D4F73").
fn hex(c: RGBColor) -> String {
    code([c.0, c.1, c.2])
}

fn code([r, g, b]: [u8; 3]) -> String {
    format!("#{r:02X}{g:02X}{b:02X}")
}

/// Mixes a colour with white (`amount` 0 = the colour, 1 = white).
fn tint(rgb: [u8; 3], amount: f64) -> [u8; 3] {
    rgb.map(|c| (f64::from(c) + (255.0 - f64::from(c)) * amount).round() as u8)
}

#[cfg(test)]
mod tests {
    use super::Palette;
    use crate::model::Apparence;

    #[test]
    fn the_built_in_colours_become_the_cites_colours() {
        let look = Apparence {
            couleur_principale: Some("#8a1538".into()),
            couleur_secondaire: Some("#0a7".into()),
            ..Apparence::default()
        };
        let svg = Palette::new(&look).apply(r##"<rect fill="#1D4F73"/><rect fill="#D07A2C"/>"##);
        assert_eq!(svg, r##"<rect fill="#8A1538"/><rect fill="#00AA77"/>"##);
        assert_eq!(Palette::new(&Apparence::default()).apply("#1D4F73"), "#1D4F73");
    }
}

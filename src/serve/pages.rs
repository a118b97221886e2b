//! The pages of the live preview: one SVG per page (typst-svg) plus a text layer, re-exported
//! only for the pages whose content changed.

use std::sync::Arc;

use serde::Serialize;
use typst::layout::{Frame, FrameItem, Point, Transform};
use typst_layout::PagedDocument;

/// One exported page.
#[derive(Clone)]
pub struct Page {
    /// Hash of the laid-out page: equal hashes, same rendering.
    pub hash: u128,
    /// The page as SVG (text drawn as glyph outlines).
    pub svg: Arc<str>,
    /// The SVG and the page's text runs with their places (see [`TextRun`]), as one JSON
    /// object `{"svg": …, "texte": […]}`: one request per page for the browser.
    pub json: Arc<str>,
    /// Width and height in points.
    pub size: (f64, f64),
}

/// A run of text and where it sits on the page, so that the browser can lay transparent,
/// selectable and searchable text over the SVG.
#[derive(Serialize)]
struct TextRun<'a> {
    /// Left edge, in points from the page's left edge.
    x: f64,
    /// Baseline, in points from the top.
    y: f64,
    /// Font size in points.
    taille: f64,
    /// Width of the run in points.
    largeur: f64,
    texte: &'a str,
}

/// Exports the pages of `document`, reusing those of `previous` whose hash is unchanged.
/// Returns the pages and how many were exported again. Pages are hashed and exported on every
/// core: the export of the changed pages is on the path from a change to the preview.
pub fn export(document: &PagedDocument, previous: &[Page]) -> (Vec<Page>, usize) {
    use rayon::prelude::*;
    let pages: Vec<(Page, bool)> = document
        .pages()
        .par_iter()
        .enumerate()
        .map(|(i, page)| {
            let hash = typst::utils::hash128(page);
            if let Some(old) = previous.get(i).filter(|old| old.hash == hash) {
                return (old.clone(), false);
            }
            (export_page(page, hash), true)
        })
        .collect();
    let exported = pages.iter().filter(|(_, new)| *new).count();
    (pages.into_iter().map(|(page, _)| page).collect(), exported)
}

fn export_page(page: &typst_layout::Page, hash: u128) -> Page {
    let svg = typst_svg::svg(page, &typst_svg::SvgOptions::default());
    let mut runs = Vec::new();
    collect_text(&page.frame, Transform::identity(), &mut runs);
    let json = serde_json::json!({ "svg": svg, "texte": runs }).to_string();
    let size = page.frame.size();
    Page { hash, svg: svg.into(), json: json.into(), size: (size.x.to_pt(), size.y.to_pt()) }
}

fn collect_text<'a>(frame: &'a Frame, ts: Transform, runs: &mut Vec<TextRun<'a>>) {
    for (pos, item) in frame.items() {
        match item {
            FrameItem::Group(group) => {
                let inner =
                    ts.pre_concat(Transform::translate(pos.x, pos.y)).pre_concat(group.transform);
                collect_text(&group.frame, inner, runs);
            }
            FrameItem::Text(text) => {
                let at = pos.transform(ts);
                let Point { x, y } = at;
                // Scale of the transform, for text in scaled groups (charts are images, not frames).
                let scale = ts.sx.get();
                runs.push(TextRun {
                    x: x.to_pt(),
                    y: y.to_pt(),
                    taille: text.size.to_pt() * scale,
                    largeur: text.width().to_pt() * scale,
                    texte: text.text.as_str(),
                });
            }
            _ => {}
        }
    }
}

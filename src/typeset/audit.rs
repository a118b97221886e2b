//! Layout audit: reads the laid-out pages Typst produced (before the PDF is written) and finds
//! what a committee would see as a defect but no compiler reports: ink outside the body area
//! (a table printed over the footer), two runs of text drawn over each other, a page left more
//! than half empty while what follows could have flowed there, a heading alone at the foot of
//! its page, or left there with only its level badge and its notes while its content starts on
//! the next page. Each finding names its page and the item of the outline it is in.

use std::fmt;

use typst::foundations::{NativeElement, StyleChain};
use typst::introspection::{Introspector, Tag};
use typst::layout::{Abs, Frame, FrameItem, Point, Rect, Transform};
use typst::model::HeadingElem;
use typst::pdf::{ArtifactElem, ArtifactKind};
use typst_layout::PagedDocument;

/// Tolerance, in points: less than this is rounding or half a border drawn on the edge of the
/// body (a 3 pt rule centred on it), not a defect.
const SLACK: f64 = 2.0;

/// A layout defect on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Page number, from 1.
    pub page: usize,
    /// The heading of the part of the document it is in ("4.1 Les partenaires…").
    pub item: Option<String>,
    /// What is wrong, in French.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "page {}", self.page)?;
        if let Some(item) = &self.item {
            write!(f, " ({item})")?;
        }
        write!(f, " : {}", self.message)
    }
}

/// Layout defects refused by `--strict`.
#[derive(Debug)]
pub struct LayoutErrors(pub Vec<Finding>);

impl fmt::Display for LayoutErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for finding in &self.0 {
            writeln!(f, "erreur de mise en page, {finding}")?;
        }
        write!(
            f,
            "{} défaut(s) de mise en page refusé(s) par --strict\n\
             aide : raccourcissez le texte ou le tableau en cause, ou vérifiez vos modèles \
             personnalisés (--templates) ; sans --strict ce sont des avertissements",
            self.0.len()
        )
    }
}

impl std::error::Error for LayoutErrors {}

/// Prints layout findings as warnings.
pub fn print_warnings(findings: &[Finding]) {
    for finding in findings {
        eprintln!("avertissement : mise en page, {finding}");
    }
}

/// Something drawn on a page: its box in page coordinates (points) and, for text, its text.
#[derive(Debug, Clone)]
struct Ink {
    rect: (f64, f64, f64, f64),
    text: Option<String>,
    /// Font size of a text, in points (0 for shapes and images).
    size: f64,
}

/// The body of a page: its area and what is drawn in it.
struct Body {
    area: (f64, f64, f64, f64),
    inks: Vec<Ink>,
}

/// A heading where it landed.
struct Placed {
    page: usize,
    y: f64,
    level: usize,
    text: String,
}

/// Audits a laid-out document.
pub fn audit(document: &PagedDocument) -> Vec<Finding> {
    let headings = headings(document);
    let ends = heading_ends(document);
    let Some(margins) = margins(document) else { return Vec::new() };
    let bodies: Vec<Option<Body>> =
        document.pages().iter().map(|page| body(&page.frame, margins)).collect();
    let mut findings = Vec::new();
    for (index, body) in bodies.iter().enumerate() {
        let Some(body) = body else { continue };
        let page = index + 1;
        let mut found = Vec::new();
        found.extend(outside(body));
        found.extend(overlapping(body));
        found.extend(half_empty(
            body,
            bodies.get(index + 1).and_then(Option::as_ref),
            page,
            &headings,
        ));
        found.extend(heading_last(body, page, &headings));
        found.extend(heading_stranded(body, page, &headings, &ends, bodies.len()));
        findings.extend(found.into_iter().map(|(y, message)| Finding {
            page,
            item: item_at(&headings, page, y),
            message,
        }));
    }
    findings
}

/// The headings of the document with their page, height on the page and level.
fn headings(document: &PagedDocument) -> Vec<Placed> {
    let introspector = document.introspector();
    let mut placed: Vec<Placed> = introspector
        .query(&HeadingElem::ELEM.select())
        .iter()
        .filter_map(|content| {
            let position = introspector.position(content.location()?)?;
            let heading = content.to_packed::<HeadingElem>()?;
            Some(Placed {
                page: position.page.get(),
                y: position.point.y.to_pt(),
                level: heading.resolve_level(StyleChain::default()).get(),
                text: heading.body.plain_text().trim().to_string(),
            })
        })
        .collect();
    placed.sort_by(|a, b| (a.page, a.y).partial_cmp(&(b.page, b.y)).expect("finite positions"));
    placed
}

/// Where the furniture of each heading ends (its level badge, its « mis à jour » note, its
/// references to annexes): the templates mark it with `#metadata(..) <cdm-fin-titre>` (the
/// `fin-titre` of lib.typ); as (page, y), in document order.
fn heading_ends(document: &PagedDocument) -> Vec<(usize, f64)> {
    let Ok(label) = typst::foundations::Label::construct("cdm-fin-titre".into()) else {
        return Vec::new();
    };
    let introspector = document.introspector();
    let mut ends: Vec<(usize, f64)> = introspector
        .query(&typst::foundations::Selector::Label(label))
        .iter()
        .filter_map(|content| {
            let position = introspector.position(content.location()?)?;
            Some((position.page.get(), position.point.y.to_pt()))
        })
        .collect();
    ends.sort_by(|a, b| a.partial_cmp(b).expect("finite positions"));
    ends
}

/// The last heading at or above a point of a page.
fn item_at(headings: &[Placed], page: usize, y: f64) -> Option<String> {
    headings
        .iter()
        .rev()
        .find(|h| h.page < page || (h.page == page && h.y <= y + SLACK))
        .map(|h| h.text.clone())
}

/// The body of a page: its area (the page less the margins the templates declare in the
/// `cdm-marges` metadata) and what is drawn there, the running header and footer left out
/// (they are marked as artifacts for PDF/UA, which is how they are recognised). Pages without
/// running header (cover, synthèse) have no body to audit.
fn body(page: &Frame, margins: Margins) -> Option<Body> {
    let mut walk = Walk::default();
    collect(page, Transform::identity(), None, &mut walk);
    if !walk.marginals {
        return None;
    }
    let (w, h) = (page.width().to_pt(), page.height().to_pt());
    let area = (margins.left, margins.top, w - margins.right, h - margins.bottom);
    Some(Body { area, inks: walk.inks })
}

/// Margins of the body pages, in points.
#[derive(Debug, Clone, Copy)]
struct Margins {
    top: f64,
    bottom: f64,
    left: f64,
    right: f64,
}

/// Reads the margins the templates declare (`#metadata((haut: …, bas: …, gauche: …,
/// droite: …)) <cdm-marges>` in lib.typ); `None` for a document that does not declare them.
fn margins(document: &PagedDocument) -> Option<Margins> {
    let label = typst::foundations::Label::construct("cdm-marges".into()).ok()?;
    let found = document.introspector().query_label(label).ok()?;
    let meta = found.to_packed::<typst::introspection::MetadataElem>()?;
    let typst::foundations::Value::Dict(dict) = &meta.value else { return None };
    let length = |key: &str| match dict.get(key).ok()? {
        typst::foundations::Value::Length(l) => Some(l.abs.to_pt()),
        _ => None,
    };
    Some(Margins {
        top: length("haut")?,
        bottom: length("bas")?,
        left: length("gauche")?,
        right: length("droite")?,
    })
}

/// The state of a walk through a page: what is drawn outside the running header and footer,
/// and whether the page has them.
#[derive(Default)]
struct Walk {
    inks: Vec<Ink>,
    open: Vec<typst::introspection::Location>,
    marginals: bool,
}

/// Everything drawn in a frame, in page coordinates, outside the running header and footer;
/// what a clipping group hides is cut.
fn collect(frame: &Frame, ts: Transform, clip: Option<(f64, f64, f64, f64)>, walk: &mut Walk) {
    for (pos, item) in frame.items() {
        let at = |rect: Rect| {
            let moved = Rect::new(rect.min + *pos, rect.max + *pos);
            clipped(transform(moved, ts), clip)
        };
        let ink = match item {
            FrameItem::Group(group) => {
                let inner =
                    ts.pre_concat(Transform::translate(pos.x, pos.y)).pre_concat(group.transform);
                let bounds = Rect::new(Point::zero(), group.frame.size().to_point());
                let clip = match group.clip {
                    Some(_) => clipped(transform(bounds, inner), clip),
                    None => clip,
                };
                collect(&group.frame, inner, clip, walk);
                continue;
            }
            FrameItem::Tag(tag) => {
                track_marginals(tag, walk);
                continue;
            }
            _ if !walk.open.is_empty() => continue,
            FrameItem::Text(text) => at(text_box(text)).map(|rect| Ink {
                rect,
                text: Some(text.text.to_string()),
                size: text.size.to_pt(),
            }),
            FrameItem::Shape(shape, _) => {
                at(shape.bbox(true)).map(|rect| Ink { rect, text: None, size: 0.0 })
            }
            FrameItem::Image(_, size, _) => at(Rect::new(Point::zero(), size.to_point()))
                .map(|rect| Ink { rect, text: None, size: 0.0 }),
            FrameItem::Link(..) => None,
        };
        walk.inks.extend(ink);
    }
}

/// Follows the start and end tags of the header and footer artifacts.
fn track_marginals(tag: &Tag, walk: &mut Walk) {
    match tag {
        Tag::Start(content, _) => {
            let marginal = content.to_packed::<ArtifactElem>().is_some_and(|a| {
                matches!(
                    a.kind.get(StyleChain::default()),
                    ArtifactKind::Header | ArtifactKind::Footer
                )
            });
            if let (true, Some(location)) = (marginal, content.location()) {
                walk.open.push(location);
                walk.marginals = true;
            }
        }
        Tag::End(location, ..) => walk.open.retain(|l| l != location),
    }
}

/// A run of text from the font's descender up to its ascender, over its advance width: the
/// room its letters may take, accents and descenders included, from the font's metrics at the
/// run's size. Two lines whose boxes overlap by more than [`SLACK`] print into each other (a
/// caption 3 pt into the line under it); a box from baseline to cap height missed that. The
/// ink box of every glyph would be exact but cost a fifth of a render's overhead.
fn text_box(text: &typst::text::TextItem) -> Rect {
    let metrics = text.font.metrics();
    let (ascender, descender) = (metrics.ascender.at(text.size), metrics.descender.at(text.size));
    Rect::new(Point::new(Abs::zero(), -ascender), Point::new(text.width(), -descender))
}

fn transform(rect: Rect, ts: Transform) -> (f64, f64, f64, f64) {
    let corners = [
        rect.min,
        Point::new(rect.max.x, rect.min.y),
        Point::new(rect.min.x, rect.max.y),
        rect.max,
    ]
    .map(|p| p.transform(ts));
    corners.iter().fold((f64::MAX, f64::MAX, f64::MIN, f64::MIN), |b, p| {
        (b.0.min(p.x.to_pt()), b.1.min(p.y.to_pt()), b.2.max(p.x.to_pt()), b.3.max(p.y.to_pt()))
    })
}

/// A box cut by a clipping box; `None` when nothing of it is visible.
fn clipped(
    r: (f64, f64, f64, f64),
    clip: Option<(f64, f64, f64, f64)>,
) -> Option<(f64, f64, f64, f64)> {
    let Some(c) = clip else { return Some(r) };
    let cut = (r.0.max(c.0), r.1.max(c.1), r.2.min(c.2), r.3.min(c.3));
    (cut.0 <= cut.2 && cut.1 <= cut.3).then_some(cut)
}

/// Ink beyond the body area: it runs over the footer, the header or the margins. Text is
/// allowed what typography gives it: accents above the first line's cap height, descenders
/// below the last baseline, hyphens and punctuation hanging into the side margins.
fn outside(body: &Body) -> Option<(f64, String)> {
    let a = body.area;
    let ink = body.inks.iter().find(|i| {
        let (up, down, side) = (0.45 * i.size, 0.35 * i.size, 0.6 * i.size);
        i.rect.3 > a.3 + SLACK + down
            || i.rect.2 > a.2 + SLACK + side
            || i.rect.0 < a.0 - SLACK - side
            || i.rect.1 < a.1 - SLACK - up
    })?;
    let side = if ink.rect.3 > a.3 + SLACK + 0.35 * ink.size {
        format!("dépasse la marge du bas de {:.0} pt et recouvre le pied de page", ink.rect.3 - a.3)
    } else {
        "sort de la zone de texte (marges ou en-tête)".to_string()
    };
    let what = ink
        .text
        .as_deref()
        .map_or("un élément".to_string(), |t| format!("le texte « {} »", short(t)));
    Some((ink.rect.1, format!("{what} {side}")))
}

/// Two runs of text whose ink overlaps.
fn overlapping(body: &Body) -> Option<(f64, String)> {
    let mut texts: Vec<&Ink> = body.inks.iter().filter(|i| i.text.is_some()).collect();
    // Sorted by top edge, a run is compared only with the runs that start more than SLACK above
    // its bottom: the ascenders and descenders of consecutive lines touch (by 0.3 pt in the body
    // text), and comparing each line with the next would double the work for nothing.
    texts.sort_by(|a, b| a.rect.1.total_cmp(&b.rect.1));
    for (i, a) in texts.iter().enumerate() {
        for b in texts[i + 1..].iter().take_while(|b| b.rect.1 < a.rect.3 - SLACK) {
            let overlap_x = a.rect.2.min(b.rect.2) - a.rect.0.max(b.rect.0);
            let overlap_y = a.rect.3.min(b.rect.3) - a.rect.1.max(b.rect.1);
            if overlap_x > SLACK && overlap_y > SLACK {
                let (ta, tb) = (a.text.as_deref().unwrap_or(""), b.text.as_deref().unwrap_or(""));
                return Some((
                    a.rect.1,
                    format!("les textes « {} » et « {} » se chevauchent", short(ta), short(tb)),
                ));
            }
        }
    }
    None
}

/// A page more than half empty whose following page starts with a block that would have fit
/// in the space left (a chapter, an annex or the end of the document start on a new page by
/// design, and are not reported).
fn half_empty(
    body: &Body,
    next: Option<&Body>,
    page: usize,
    headings: &[Placed],
) -> Option<(f64, String)> {
    let next = next?;
    let a = body.area;
    let bottom = body.inks.iter().map(|i| i.rect.3).fold(a.1, f64::max);
    let used = (bottom - a.1) / (a.3 - a.1);
    if used >= 0.5 || body.inks.is_empty() {
        return None;
    }
    let next_top = next.inks.iter().map(|i| i.rect.1).fold(f64::MAX, f64::min);
    let starts_section = headings.iter().any(|h| {
        h.page == page + 1
            && (h.level == 1 || h.text.starts_with("Annexe"))
            && h.y <= next_top + 30.0
    });
    if starts_section {
        return None;
    }
    // The first block of the next page: the ink above its first gap of a line or more.
    let mut first: Vec<&Ink> = next.inks.iter().collect();
    first.sort_by(|x, y| x.rect.1.total_cmp(&y.rect.1));
    let mut block_bottom = next_top;
    for ink in first {
        if ink.rect.1 > block_bottom + 12.0 {
            break;
        }
        block_bottom = block_bottom.max(ink.rect.3);
    }
    let room = a.3 - bottom;
    (block_bottom - next_top < room - 12.0).then(|| {
        (bottom, format!(
            "page remplie à {:.0} % alors que le début de la page suivante ({:.0} pt) tenait dans les {:.0} pt restants",
            used * 100.0,
            block_bottom - next_top,
            room
        ))
    })
}

/// A heading with nothing under it on its page.
fn heading_last(body: &Body, page: usize, headings: &[Placed]) -> Vec<(f64, String)> {
    headings
        .iter()
        .filter(|h| h.page == page)
        .filter(|h| !body.inks.iter().any(|i| i.rect.3 > h.y + heading_extent(h)))
        .map(|h| {
            (
                h.y,
                format!(
                    "le titre « {} » est seul en bas de page, séparé de son contenu",
                    short(&h.text)
                ),
            )
        })
        .collect()
}

/// A heading whose furniture (badge, notes) is all that is left of it at the foot of its page:
/// its content starts on the next page, or the furniture itself runs onto it.
/// The height a heading's own ink ends within, from where it starts.
fn heading_extent(heading: &Placed) -> f64 {
    if heading.level == 1 { 36.0 } else { 26.0 }
}

fn heading_stranded(
    body: &Body,
    page: usize,
    headings: &[Placed],
    ends: &[(usize, f64)],
    pages: usize,
) -> Vec<(f64, String)> {
    headings
        .iter()
        .enumerate()
        // A heading with nothing at all under it is [`heading_last`]'s.
        .filter(|(_, h)| h.page == page && page < pages)
        .filter(|(_, h)| body.inks.iter().any(|i| i.rect.3 > h.y + heading_extent(h)))
        .filter_map(|(i, h)| {
            // The first end mark after this heading and before the next one.
            let next = headings.get(i + 1).map(|n| (n.page, n.y));
            let end = ends.iter().find(|e| **e > (h.page, h.y) && next.is_none_or(|n| **e < n))?;
            let alone = if end.0 > page {
                true
            } else {
                // Content: ink that starts below the end mark. The mark takes the top edge of
                // what follows it (the capital height of a first line), whose ascenders reach
                // above it.
                !body.inks.iter().any(|ink| ink.rect.1 > end.1 - SLACK - 0.45 * ink.size)
            };
            alone.then(|| {
                (
                    h.y,
                    format!(
                        "le titre « {} » est resté en bas de page avec son niveau et ses notes, \
                         son contenu commence à la page suivante",
                        short(&h.text)
                    ),
                )
            })
        })
        .collect()
}

fn short(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

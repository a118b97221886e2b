//! Annex files made ready for the document: each selected page of a PDF annex becomes a vector
//! SVG page (PDF/A and PDF/UA forbid embedding a PDF, not drawing its content), very large
//! scans are reduced to print resolution, and the generic font families of SVG annexes are
//! mapped to embedded families so that their text keeps its metrics. The original files are
//! attached to the PDF unchanged (see the `pieces` module): nothing of a signed document is lost.

use std::io::Cursor;
use std::sync::Arc;

use hayro_svg::hayro_interpret::InterpreterSettings;
use hayro_svg::hayro_interpret::font::{FontData, FontQuery, StandardFont};
use hayro_svg::hayro_syntax::{LoadPdfError, Pdf};
use serde::Serialize;

use crate::input::isolate::{self, Frame};
use crate::model::Annexe;
use crate::typeset::world::{SANS_FAMILY, SERIF_FAMILY};

/// Longest side, in pixels, kept for an image annex: an A4 body (16.5 × 24.7 cm) at 300 dpi.
const MAX_LONG_SIDE: u32 = 2950;
/// Shortest side, in pixels, kept for an image annex.
const MAX_SHORT_SIDE: u32 = 1950;

/// One page of an annex as the templates place it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AnnexPage {
    /// Virtual path of the page's file.
    pub chemin: String,
    /// Wider than tall: turned a quarter so that it fills the portrait page.
    pub paysage: bool,
}

/// An annex ready to be placed: its pages, the files they need, and what was done to it.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    /// Pages, in order.
    pub pages: Vec<AnnexPage>,
    /// Virtual path → bytes of the files the pages show.
    pub assets: Vec<(String, Vec<u8>)>,
    /// A sentence for the terminal when the file was changed for the document (reduced scan).
    pub note: Option<String>,
}

impl Prepared {
    /// Bytes of the files its pages show.
    pub fn size(&self) -> usize {
        self.assets.iter().map(|(_, bytes)| bytes.len()).sum()
    }
}

/// The kind of an annex file, from its extension.
fn extension(name: &str) -> String {
    name.rsplit('.').next().unwrap_or_default().to_lowercase()
}

/// Opens a PDF annex; the error says in French what is wrong with the file.
fn open_pdf(bytes: &[u8]) -> Result<Pdf, String> {
    let pdf = Pdf::new(bytes.to_vec()).map_err(|e| match e {
        LoadPdfError::Decryption(_) => {
            "le PDF est protégé par un mot de passe : il ne peut pas être lu".to_string()
        }
        LoadPdfError::Invalid => "le PDF est endommagé : sa structure ne peut pas être lue".into(),
    })?;
    if pdf.pages().is_empty() {
        return Err("le PDF ne contient aucune page".into());
    }
    Ok(pdf)
}

/// The pages (0-based) chosen by a selection such as "1-3" or "1, 4-6" in a document of
/// `count` pages; all of them without a selection.
pub fn select_pages(selection: Option<&str>, count: usize) -> Result<Vec<usize>, String> {
    let Some(selection) = selection else { return Ok((0..count).collect()) };
    let mut pages = Vec::new();
    for part in selection.split([',', ';']).map(str::trim) {
        let (first, last) = match part.split_once(['-', '–']) {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (part, part),
        };
        let number = |s: &str| s.parse::<usize>().ok().filter(|n| *n >= 1);
        let (Some(a), Some(b)) = (number(first), number(last)) else {
            return Err(format!("« {part} » n'est pas une page ni une plage de pages"));
        };
        if a > b {
            return Err(format!("la plage « {part} » va à rebours"));
        }
        if b > count {
            return Err(format!("la page {b} n'existe pas : le PDF a {count} page(s)"));
        }
        pages.extend(a - 1..b);
    }
    if pages.is_empty() {
        return Err("aucune page choisie".into());
    }
    Ok(pages)
}

/// Most pages a PDF annex may have (the whole file is attached, and each chosen page drawn).
pub const MAX_PAGES: usize = 500;
/// Deepest nesting of arrays and dictionaries in a PDF annex (real files stay under 20).
pub const MAX_NESTING: usize = 100;
/// Most bytes the drawn pages of one PDF annex may weigh.
pub const MAX_DRAWN: usize = 256 << 20;

/// What is wrong with annex number `number` (1-based) for the document, if anything:
/// `(field, message)` where the field is `fichier` or `pages`. Run by validation so that
/// `check` reports it too. A PDF is drawn here, in a child process (see
/// [`crate::input::isolate`]), so that whatever would stop its drawing is found; [`prepare`]
/// takes the pages from the same cache.
pub fn problem(number: usize, annex: &Annexe, bytes: &[u8]) -> Option<(&'static str, String)> {
    if extension(&annex.fichier) != "pdf" {
        return annex
            .pages
            .is_some()
            .then(|| ("pages", "seule une annexe PDF a des pages à choisir".to_string()));
    }
    cached_drawn(number, annex, bytes).err()
}

/// The verdict on a PDF annex drawn in a child process.
type Drawn = Result<Prepared, (&'static str, String)>;

/// PDF annexes already drawn, by a hash of their file and settings, with what stopped them:
/// validation draws them (so that `check` finds what would stop the render), the render then
/// takes the pages from here, and `watch` draws nothing again at each save, not even a file
/// that took the whole timeout. Emptied when its pages would pass [`MAX_DRAWN`].
static DRAWN: std::sync::Mutex<Vec<(u128, Drawn)>> = std::sync::Mutex::new(Vec::new());

fn cached_drawn(number: usize, annex: &Annexe, bytes: &[u8]) -> Drawn {
    let key = typst::utils::hash128(&(number, &annex.pages, bytes));
    let size = |d: &Drawn| d.as_ref().map_or(0, Prepared::size);
    if let Some(done) = DRAWN
        .lock()
        .ok()
        .and_then(|held| held.iter().find(|(k, _)| *k == key).map(|(_, drawn)| drawn.clone()))
    {
        return done;
    }
    let result = drawn(number, annex, bytes);
    if let Ok(mut held) = DRAWN.lock() {
        let total: usize = held.iter().map(|(_, d)| size(d)).sum();
        if total + size(&result) > MAX_DRAWN {
            held.clear();
        }
        held.push((key, result.clone()));
    }
    result
}

/// The pages of a PDF annex drawn in a child process, or what stops them: `(field, message)`.
fn drawn(number: usize, annex: &Annexe, bytes: &[u8]) -> Result<Prepared, (&'static str, String)> {
    if let Some(message) = too_deep(bytes) {
        return Err(("fichier", message));
    }
    let request = Frame::default()
        .put(annex.pages.as_deref().unwrap_or_default().as_bytes())
        .put(&[u8::from(annex.pages.is_some())])
        .put(format!("/annexes/{number}").as_bytes())
        .put(bytes)
        .finish();
    let reply = isolate::run(&request, isolated).map_err(|f| ("fichier", failure_message(&f)))?;
    let mut reply = reply.as_slice();
    let status = Frame::take_str(&mut reply).unwrap_or_default();
    match status.as_str() {
        "ok" => {}
        "pages" => return Err(("pages", Frame::take_str(&mut reply).unwrap_or_default())),
        _ => return Err(("fichier", Frame::take_str(&mut reply).unwrap_or_default())),
    }
    let mut prepared = Prepared::default();
    while let Some(chemin) = Frame::take_str(&mut reply) {
        let paysage = Frame::take(&mut reply).is_some_and(|f| f == [1]);
        let svg = Frame::take(&mut reply).unwrap_or_default().to_vec();
        prepared.pages.push(AnnexPage { chemin: chemin.clone(), paysage });
        prepared.assets.push((chemin, svg));
    }
    Ok(prepared)
}

/// The child process's side of [`drawn`]: opens the PDF, checks its pages and the selection,
/// draws the pages.
fn isolated(request: &[u8]) -> Vec<u8> {
    let mut input = request;
    let selection = Frame::take_str(&mut input).unwrap_or_default();
    let selected = Frame::take(&mut input).is_some_and(|f| f == [1]);
    let selection = selected.then_some(selection.as_str());
    let folder = Frame::take_str(&mut input).unwrap_or_default();
    let bytes = Frame::take(&mut input).unwrap_or_default();
    let mut reply = Frame::default();
    if let Some((field, message)) = pdf_problem(selection, bytes) {
        return reply.put(field.as_bytes()).put(message.as_bytes()).finish();
    }
    let count = open_pdf(bytes).map(|pdf| pdf.pages().len()).unwrap_or_default();
    let pages = select_pages(selection, count).unwrap_or_default();
    if let Some(message) = crate::input::pdfscan::too_complex(bytes, &pages) {
        return reply.put(b"fichier").put(message.as_bytes()).finish();
    }
    match pdf_pages(&folder, selection, bytes) {
        Ok(prepared) => {
            reply.put(b"ok");
            for (page, (_, svg)) in prepared.pages.iter().zip(&prepared.assets) {
                reply.put(page.chemin.as_bytes()).put(&[u8::from(page.paysage)]).put(svg);
            }
        }
        Err(message) => {
            reply.put(b"fichier").put(message.as_bytes());
        }
    }
    reply.finish()
}

/// Entry point of the child process started for a PDF annex.
pub fn serve_child() -> std::process::ExitCode {
    isolate::serve(isolated)
}

/// [`problem`] for a PDF before drawing, in the process that reads it.
fn pdf_problem(selection: Option<&str>, bytes: &[u8]) -> Option<(&'static str, String)> {
    let pdf = match open_pdf(bytes) {
        Ok(pdf) => pdf,
        Err(message) => return Some(("fichier", message)),
    };
    let count = pdf.pages().len();
    if count > MAX_PAGES {
        return Some((
            "fichier",
            format!(
                "annexe trop complexe : {count} pages, au plus {MAX_PAGES} (joignez un extrait)"
            ),
        ));
    }
    select_pages(selection, count).err().map(|m| ("pages", m))
}

/// The French message for an annex whose reading was stopped.
fn failure_message(failure: &isolate::Failure) -> String {
    match failure {
        isolate::Failure::Timeout => format!(
            "annexe trop complexe : sa lecture dépasse {} secondes (dessins répétés un très grand nombre de fois ?)",
            isolate::TIMEOUT.as_secs()
        ),
        isolate::Failure::Memory => format!(
            "annexe trop complexe : sa lecture demande plus de {} Go de mémoire (image ou contenu démesuré ?)",
            isolate::MEMORY >> 30
        ),
        isolate::Failure::Stack => "annexe trop complexe : éléments imbriqués trop profondément, ou qui se dessinent eux-mêmes (formes, motifs, glyphes)".into(),
        isolate::Failure::Panicked => {
            "le PDF est endommagé : sa structure ne peut pas être lue".into()
        }
        isolate::Failure::Crashed(how) => {
            format!("annexe trop complexe : sa lecture s'est arrêtée ({how})")
        }
    }
}

/// The nesting depth of arrays and dictionaries in a PDF's bytes, when it passes
/// [`MAX_NESTING`]: PDF parsers recurse into them (100 000 levels overflow the stack, and
/// parsing is quadratic in the depth). Written by hand because it must not recurse itself: a
/// linear scan that skips strings, comments and stream data. Objects compressed in object
/// streams escape it; the child process catches those.
fn too_deep(bytes: &[u8]) -> Option<String> {
    let (mut depth, mut at) = (0usize, 0usize);
    while at < bytes.len() {
        match bytes[at] {
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b'<' if bytes.get(at + 1) == Some(&b'<') => {
                depth += 1;
                at += 1;
            }
            b'>' if bytes.get(at + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                at += 1;
            }
            // A hex string.
            b'<' => at += bytes[at..].iter().position(|b| *b == b'>').unwrap_or(bytes.len()),
            b'%' => {
                at += bytes[at..]
                    .iter()
                    .position(|b| matches!(b, b'\r' | b'\n'))
                    .unwrap_or(bytes.len())
            }
            b'(' => {
                let mut open = 0usize;
                while at < bytes.len() {
                    match bytes[at] {
                        b'\\' => at += 1,
                        b'(' => open += 1,
                        b')' => {
                            open -= 1;
                            if open == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    at += 1;
                }
            }
            b's' if bytes[at..].starts_with(b"stream") && !bytes[..at].ends_with(b"end") => {
                let data = &bytes[at..];
                at += find(data, b"endstream").map_or(data.len(), |end| end + b"endstream".len());
                continue;
            }
            _ => {}
        }
        if depth > MAX_NESTING {
            return Some(format!(
                "annexe trop complexe : objets imbriqués sur plus de {MAX_NESTING} niveaux"
            ));
        }
        at += 1;
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Prepares annex number `number` (1-based) from the bytes of its file, already checked by
/// [`problem`].
pub fn prepare(number: usize, annex: &Annexe, bytes: &[u8]) -> Result<Prepared, String> {
    let folder = format!("/annexes/{number}");
    match extension(&annex.fichier).as_str() {
        "pdf" => cached_drawn(number, annex, bytes).map_err(|(_, message)| message),
        "svg" => {
            let text = String::from_utf8_lossy(bytes);
            let chemin = format!("{folder}/image.svg");
            let assets = vec![(chemin.clone(), map_generic_fonts(&text).into_bytes())];
            Ok(Prepared { pages: vec![AnnexPage { chemin, paysage: false }], assets, note: None })
        }
        ext => raster(&folder, ext, bytes),
    }
}

fn pdf_pages(folder: &str, selection: Option<&str>, bytes: &[u8]) -> Result<Prepared, String> {
    let pdf = open_pdf(bytes)?;
    let pages = pdf.pages();
    let settings = interpreter_settings();
    let cache = hayro_svg::RenderCache::new();
    let render = hayro_svg::SvgRenderSettings { bg_color: [255, 255, 255, 255] };
    let mut prepared = Prepared::default();
    for index in select_pages(selection, pages.len())? {
        if prepared.size() > MAX_DRAWN {
            return Err(format!(
                "annexe trop complexe : ses pages dessinées dépassent {} Mo",
                MAX_DRAWN >> 20
            ));
        }
        let page = &pages[index];
        let (w, h) = page.render_dimensions();
        let chemin = format!("{folder}/page-{}.svg", index + 1);
        let svg = shrink_images(&hayro_svg::convert(page, &cache, &settings, &render));
        if group_depth(&svg) > MAX_GROUP_DEPTH {
            return Err(format!(
                "annexe trop complexe : page {} dessinée sur plus de {MAX_GROUP_DEPTH} niveaux imbriqués (formes ou motifs qui se contiennent), ce que PDF/A ne permet pas",
                index + 1
            ));
        }
        prepared.assets.push((chemin.clone(), svg.into_bytes()));
        prepared.pages.push(AnnexPage { chemin, paysage: w > h * 1.05 });
    }
    Ok(prepared)
}

/// Deepest nesting of groups in a drawn page: each becomes a saved graphics state in the
/// document, which PDF/A caps at 28 with the document's own.
const MAX_GROUP_DEPTH: usize = 20;

/// The deepest nesting of `<g>` elements in an SVG written by hayro. Written by hand: a scan
/// of the tags of a file we generated, where a full XML parse would cost a second copy.
fn group_depth(svg: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let bytes = svg.as_bytes();
    let mut at = 0;
    while let Some(next) = svg[at..].find('<') {
        at += next + 1;
        if bytes[at..].starts_with(b"/g>") {
            depth = depth.saturating_sub(1);
        } else if bytes[at..].starts_with(b"g ") || bytes[at..].starts_with(b"g>") {
            let end = svg[at..].find('>').map_or(svg.len(), |e| at + e);
            if !svg[..end].ends_with('/') {
                depth += 1;
                deepest = deepest.max(depth);
            }
        }
    }
    deepest
}

/// The images of a page drawn from a PDF, which hayro writes as PNG whatever they were: a
/// scanned page (a JPEG in the PDF) would weigh three times its original. An opaque image is
/// written again as JPEG, reduced to print resolution, when that makes it smaller; its
/// `width` and `height` attributes are kept, so it fills the same place.
fn shrink_images(svg: &str) -> String {
    const PREFIX: &str = "xlink:href=\"data:image/png;base64,";
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(at) = rest.find(PREFIX) {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        let data = &after[PREFIX.len()..];
        let end = data.find('"').unwrap_or(data.len());
        match smaller_jpeg(&data[..end]) {
            Some(jpeg) => {
                out.push_str("xlink:href=\"data:image/jpeg;base64,");
                out.push_str(&jpeg);
            }
            None => out.push_str(&after[..PREFIX.len() + end]),
        }
        rest = &data[end..];
    }
    out.push_str(rest);
    out
}

/// The image as a JPEG at print resolution, base64-encoded, when it is opaque, large, and the
/// JPEG is clearly smaller.
fn smaller_jpeg(png_base64: &str) -> Option<String> {
    use base64::Engine;
    let engine = base64::engine::general_purpose::STANDARD;
    // Small images (logos, icons) are left alone: lossless and already light.
    if png_base64.len() < 200_000 {
        return None;
    }
    let png = engine.decode(png_base64).ok()?;
    let image = image::load_from_memory(&png).ok()?;
    if image.color().has_alpha() {
        return None;
    }
    let (w, h) = (image.width(), image.height());
    let factor = (f64::from(MAX_LONG_SIDE) / f64::from(w.max(h)))
        .min(f64::from(MAX_SHORT_SIDE) / f64::from(w.min(h)))
        .min(1.0);
    let jpeg = reduce(&png, "jpg", factor).ok()?;
    (jpeg.len() * 3 < png.len() * 2).then(|| engine.encode(jpeg))
}

/// Fonts for the text of PDFs that rely on the 14 standard fonts: the metric-compatible ones
/// Typst ships for its own PDF images (same choice as typst-svg).
fn interpreter_settings() -> InterpreterSettings {
    fn standard(font: StandardFont) -> Option<(FontData, u32)> {
        use typst_assets::pdf;
        let bytes: &'static [u8] = match font {
            StandardFont::Helvetica => pdf::SANS,
            StandardFont::HelveticaBold => pdf::SANS_BOLD,
            StandardFont::HelveticaOblique => pdf::SANS_ITALIC,
            StandardFont::HelveticaBoldOblique => pdf::SANS_BOLD_ITALIC,
            StandardFont::Courier => pdf::FIXED,
            StandardFont::CourierBold => pdf::FIXED_BOLD,
            StandardFont::CourierOblique => pdf::FIXED_ITALIC,
            StandardFont::CourierBoldOblique => pdf::FIXED_BOLD_ITALIC,
            StandardFont::TimesRoman => pdf::SERIF,
            StandardFont::TimesBold => pdf::SERIF_BOLD,
            StandardFont::TimesItalic => pdf::SERIF_ITALIC,
            StandardFont::TimesBoldItalic => pdf::SERIF_BOLD_ITALIC,
            StandardFont::ZapfDingBats => pdf::DING_BATS,
            StandardFont::Symbol => pdf::SYMBOL,
        };
        Some((Arc::new(bytes), 0))
    }
    InterpreterSettings {
        font_resolver: Arc::new(|query| match query {
            FontQuery::Standard(s) => standard(*s),
            FontQuery::Fallback(f) => standard(f.pick_standard_font()),
        }),
        cmap_resolver: Arc::new(|_| None),
        warning_sink: Arc::new(|_| {}),
        render_annotations: true,
    }
}

/// A PNG or JPEG annex, reduced to print resolution when it is larger.
fn raster(folder: &str, ext: &str, bytes: &[u8]) -> Result<Prepared, String> {
    let image = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let (w, h) = image.into_dimensions().map_err(|e| format!("image illisible : {e}"))?;
    let paysage = w > h + h / 20;
    let chemin = format!("{folder}/image.{ext}");
    let (long, short) = (w.max(h), w.min(h));
    let factor = (f64::from(MAX_LONG_SIDE) / f64::from(long))
        .min(f64::from(MAX_SHORT_SIDE) / f64::from(short));
    let mut prepared = Prepared {
        pages: vec![AnnexPage { chemin: chemin.clone(), paysage }],
        ..Prepared::default()
    };
    if factor >= 1.0 {
        // A CMYK scan is shown converted to RGB (PDF/A has no CMYK profile for it).
        let shown = crate::input::images::rgb_version(bytes);
        if shown.is_some() {
            prepared.note =
                Some("image CMJN (quadrichromie) convertie en RVB pour l'affichage".into());
        }
        let chemin = if shown.is_some() { format!("{folder}/image.jpg") } else { chemin };
        prepared.pages[0].chemin = chemin.clone();
        prepared.assets.push((chemin, shown.unwrap_or_else(|| bytes.to_vec())));
        return Ok(prepared);
    }
    let reduced = reduce(bytes, ext, factor)?;
    prepared.note = Some(format!(
        "image de {w} × {h} pixels réduite à la résolution d'impression (300 dpi) : {} → {}",
        crate::fr::format_size(bytes.len() as u64),
        crate::fr::format_size(reduced.len() as u64)
    ));
    prepared.assets.push((chemin, reduced));
    Ok(prepared)
}

fn reduce(bytes: &[u8], ext: &str, factor: f64) -> Result<Vec<u8>, String> {
    let decoded = image::load_from_memory(bytes).map_err(|e| format!("image illisible : {e}"))?;
    let (w, h) = (decoded.width(), decoded.height());
    let size = |n: u32| ((f64::from(n) * factor).round() as u32).max(1);
    let small = decoded.resize_exact(size(w), size(h), image::imageops::FilterType::Triangle);
    let mut out = Vec::new();
    let result = if ext == "png" {
        small.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
    } else {
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88);
        small.to_rgb8().write_with_encoder(encoder)
    };
    result.map_err(|e| format!("réduction de l'image : {e}"))?;
    Ok(out)
}

/// Replaces the generic families (`sans-serif`, `serif`, `monospace`…) of an SVG's
/// `font-family` attributes and style properties by embedded families: the SVG renderer does
/// not resolve generic names, and text would fall back to a font with other widths.
/// Written by hand: the two places a family list can be are found with a scan, and a CSS or
/// XML library would reserialise (and risk changing) the rest of the user's file.
pub fn map_generic_fonts(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(at) = rest.find("font-family") {
        let (before, after) = rest.split_at(at + "font-family".len());
        out.push_str(before);
        let start =
            after.find(|c: char| !c.is_whitespace() && c != '=' && c != ':').unwrap_or(after.len());
        let (separator, value) = after.split_at(start);
        out.push_str(separator);
        // An attribute's value is its quoted string; a CSS property's runs to `;`, `}` or the
        // quote that closes the `style` attribute holding it.
        let (enclosing, skip) = if separator.contains('=') {
            (value.chars().next().filter(|c| *c == '"' || *c == '\''), 1)
        } else {
            let opener = out.rfind(['"', '\'', '>']).and_then(|i| out[i..].chars().next());
            (opener.filter(|c| *c != '>'), 0)
        };
        let body = &value[skip.min(value.len())..];
        let end = body
            .find(|c: char| Some(c) == enclosing || (skip == 0 && matches!(c, ';' | '}' | '<')))
            .unwrap_or(body.len());
        out.push_str(&value[..skip.min(value.len())]);
        let inner = if enclosing == Some('\'') { '"' } else { '\'' };
        out.push_str(&map_family_list(&body[..end], inner));
        rest = &body[end..];
    }
    out.push_str(rest);
    out
}

/// `Arial, sans-serif` → `Arial, 'Source Sans 3'`: each generic name of a family list replaced
/// by an embedded family, quoted with `quote`.
fn map_family_list(list: &str, quote: char) -> String {
    list.split(',')
        .map(|family| {
            let name = family.trim().trim_matches(['"', '\'']).to_ascii_lowercase();
            // No monospaced family is embedded: the sans family is the closest in width.
            let embedded = match name.as_str() {
                "sans-serif" | "system-ui" | "ui-sans-serif" | "cursive" | "fantasy"
                | "monospace" | "ui-monospace" => SANS_FAMILY,
                "serif" | "ui-serif" => SERIF_FAMILY,
                _ => return family.to_string(),
            };
            let lead = &family[..family.len() - family.trim_start().len()];
            let trail = &family[family.trim_end().len()..];
            format!("{lead}{quote}{embedded}{quote}{trail}")
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_selections_are_read_in_the_usual_notation() {
        assert_eq!(select_pages(None, 3), Ok(vec![0, 1, 2]));
        assert_eq!(select_pages(Some("1-3"), 5), Ok(vec![0, 1, 2]));
        assert_eq!(select_pages(Some("1, 4–5"), 5), Ok(vec![0, 3, 4]));
        assert!(select_pages(Some("2-7"), 5).unwrap_err().contains("5 page"));
        assert!(select_pages(Some("3-1"), 5).unwrap_err().contains("rebours"));
        assert!(select_pages(Some("deux"), 5).unwrap_err().contains("« deux »"));
    }

    #[test]
    fn generic_svg_families_become_embedded_families() {
        let svg = r#"<text font-family="Arial, sans-serif" style="font-family: 'A B', monospace; fill:red">x</text><style>text { font-family: serif }</style><g font-family='serif'/>"#;
        let mapped = map_generic_fonts(svg);
        let (mono, serif) = (SANS_FAMILY, SERIF_FAMILY);
        assert!(mapped.contains(&format!("font-family=\"Arial, '{SANS_FAMILY}'\"")), "{mapped}");
        assert!(mapped.contains(&format!("font-family: 'A B', '{mono}'; fill:red\">")), "{mapped}");
        assert!(mapped.contains(&format!("{{ font-family: '{serif}' }}")), "{mapped}");
        assert!(mapped.contains(&format!("font-family='\"{serif}\"'/>")), "{mapped}");
    }

    #[test]
    fn damaged_and_empty_pdfs_are_refused_in_french() {
        assert!(open_pdf(b"%PDF-1.7\n garbage").err().unwrap().contains("endommagé"));
    }
}

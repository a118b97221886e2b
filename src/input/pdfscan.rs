//! Budgets of a PDF annex that hayro does not offer (its interpreter has no limit on draws or
//! operators, only on the depth of nested forms): before the pages are drawn, their content
//! streams are read with lopdf, counting what drawing them would cost — operators, form and
//! tiling-pattern draws multiplied through their nesting (forms that each draw the next one
//! twice, 40 deep, make 2⁴⁰ draws, and Type3 glyphs each time shown), a form, pattern or
//! glyph that paints itself, the decoded size
//! of each content stream and the pixels of each image drawn. Runs in the annex's child process (see [`crate::input::isolate`]).

use std::collections::HashMap;
use std::io::Read;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};

/// Most operators drawing one page may run, forms and patterns counted each time they are drawn.
pub const MAX_OPERATIONS: u64 = 5_000_000;
/// Largest decoded content stream (64 MiB).
pub const MAX_CONTENT: u64 = 64 << 20;

/// What drawing a stream costs, once known; `None` while it is being counted (a cycle).
type Costs = HashMap<ObjectId, Option<u64>>;

/// Why the pages `pages` (0-based) of the PDF would be too costly to draw, if they would; a
/// file lopdf cannot read is left to hayro, whose own checks come next.
pub fn too_complex(bytes: &[u8], pages: &[usize]) -> Option<String> {
    let doc = Document::load_mem(bytes).ok()?;
    let ids: Vec<ObjectId> = doc.get_pages().into_values().collect();
    let mut costs = Costs::new();
    for &index in pages {
        let id = *ids.get(index)?;
        let resources = page_resources(&doc, id);
        let mut data = Vec::new();
        for content in doc.get_page_contents(id) {
            let stream = doc.get_object(content).and_then(Object::as_stream).ok()?;
            match decoded(stream) {
                Ok(decoded) => data.extend(decoded),
                Err(message) => {
                    return Some(format!("annexe trop complexe : page {} : {message}", index + 1));
                }
            }
            data.push(b'\n');
        }
        let cost = match cost_of(&doc, &data, &resources, &mut costs) {
            Ok(cost) => cost,
            Err(message) => {
                return Some(format!("annexe trop complexe : page {} : {message}", index + 1));
            }
        };
        if cost > MAX_OPERATIONS {
            return Some(format!(
                "annexe trop complexe : dessiner la page {} demande plus de {} millions d'opérations",
                index + 1,
                MAX_OPERATIONS / 1_000_000
            ));
        }
    }
    None
}

/// A page's resources, the nearest of its own or inherited.
fn page_resources(doc: &Document, page: ObjectId) -> Dictionary {
    match doc.get_page_resources(page) {
        Ok((Some(dict), _)) => dict.clone(),
        Ok((None, ids)) => {
            ids.first().and_then(|id| doc.get_dictionary(*id).ok()).cloned().unwrap_or_default()
        }
        Err(_) => Dictionary::new(),
    }
}

/// A stream's data, decoded within [`MAX_CONTENT`].
fn decoded(stream: &lopdf::Stream) -> Result<Vec<u8>, String> {
    let too_large =
        || format!("flux de contenu de plus de {} Mo une fois décompressé", MAX_CONTENT >> 20);
    let filter = stream.dict.get(b"Filter").ok();
    let flate = match filter {
        None => return Ok(stream.content.clone()),
        Some(Object::Name(name)) => name == b"FlateDecode",
        Some(Object::Array(list)) => {
            list.len() == 1 && list[0].as_name().is_ok_and(|n| n == b"FlateDecode")
        }
        Some(_) => false,
    };
    if !flate {
        // Other filters on content streams are rare; lopdf decodes them (its LZW and ASCII
        // filters expand at most a few times).
        return stream.decompressed_content().map_err(|_| "flux de contenu illisible".to_string());
    }
    let mut out = Vec::new();
    let mut inflater = flate2::read::ZlibDecoder::new(&stream.content[..]).take(MAX_CONTENT + 1);
    // A damaged end of stream is tolerated, as readers do: what was inflated is counted.
    let _ = inflater.read_to_end(&mut out);
    if out.len() as u64 > MAX_CONTENT {
        return Err(too_large());
    }
    Ok(out)
}

/// What drawing `data` with `resources` costs, in operators, counting each form or tiling
/// pattern as often as it is drawn. Recursion follows the nesting of forms, which hayro caps;
/// a cycle is caught by the `None` mark before any deep recursion.
fn cost_of(
    doc: &Document,
    data: &[u8],
    resources: &Dictionary,
    costs: &mut Costs,
) -> Result<u64, String> {
    let mut total = 0u64;
    // Cost of one glyph of the current font: its costliest glyph procedure for a Type3 font.
    let mut glyph = 0u64;
    for operation in Content::decode_iter(data) {
        let Ok(operation) = operation else { break };
        total = total.saturating_add(1);
        let category = match operation.operator.as_str() {
            "Do" => b"XObject".as_slice(),
            "scn" | "SCN" => b"Pattern".as_slice(),
            "Tf" => {
                let name = operation.operands.first().and_then(|o| o.as_name().ok());
                let font = name.and_then(|n| resource(doc, resources, b"Font", n));
                glyph = match font {
                    Some(id) => type3_cost(doc, id, costs)?,
                    None => 0,
                };
                continue;
            }
            "Tj" | "'" | "\"" | "TJ" if glyph > 0 => {
                let shown: usize = operation.operands.iter().map(string_length).sum();
                total = total.saturating_add(glyph.saturating_mul(shown as u64));
                if total > MAX_OPERATIONS {
                    return Ok(total);
                }
                continue;
            }
            _ => continue,
        };
        let Some(name) = operation.operands.last().and_then(|o| o.as_name().ok()) else { continue };
        let Some(id) = resource(doc, resources, category, name) else { continue };
        total = total.saturating_add(stream_cost(doc, id, costs)?);
        if total > MAX_OPERATIONS {
            return Ok(total);
        }
    }
    Ok(total)
}

/// The object id of a named resource (`/XObject /X0`), when it is a reference.
fn resource(
    doc: &Document,
    resources: &Dictionary,
    category: &[u8],
    name: &[u8],
) -> Option<ObjectId> {
    let group = resources.get(category).ok()?;
    let group = doc.dereference(group).ok()?.1.as_dict().ok()?;
    group.get(name).ok()?.as_reference().ok()
}

/// What drawing the form or tiling pattern `id` costs once; images and other objects cost one.
fn stream_cost(doc: &Document, id: ObjectId, costs: &mut Costs) -> Result<u64, String> {
    match costs.get(&id) {
        Some(Some(cost)) => return Ok(*cost),
        Some(None) => {
            return Err("une forme ou un motif se dessine lui-même".into());
        }
        None => {}
    }
    let Ok(stream) = doc.get_object(id).and_then(Object::as_stream) else { return Ok(1) };
    let dict = &stream.dict;
    let is_form = dict.get(b"Subtype").and_then(Object::as_name).is_ok_and(|n| n == b"Form");
    let is_tiling = dict.get(b"PatternType").and_then(Object::as_i64).is_ok_and(|t| t == 1);
    if dict.get(b"Subtype").and_then(Object::as_name).is_ok_and(|n| n == b"Image") {
        let side = |key: &[u8]| dict.get(key).and_then(Object::as_i64).unwrap_or(0).max(0) as u64;
        let (w, h) = (side(b"Width"), side(b"Height"));
        if w.saturating_mul(h) > crate::input::images::MAX_PIXELS {
            return Err(format!(
                "image de {w} × {h} pixels, au plus {} millions",
                crate::input::images::MAX_PIXELS / 1_000_000
            ));
        }
    }
    if !is_form && !is_tiling {
        return Ok(1);
    }
    costs.insert(id, None);
    let data = decoded(stream)?;
    let resources = dict
        .get(b"Resources")
        .ok()
        .and_then(|r| doc.dereference(r).ok())
        .and_then(|(_, r)| r.as_dict().ok())
        .cloned()
        .unwrap_or_default();
    let cost = cost_of(doc, &data, &resources, costs)?.saturating_add(1);
    costs.insert(id, Some(cost));
    Ok(cost)
}

/// Bytes of the strings of a text operand (a string, or the array of `TJ`).
fn string_length(operand: &Object) -> usize {
    match operand {
        Object::String(bytes, _) => bytes.len(),
        Object::Array(items) => items.iter().map(string_length).sum(),
        _ => 0,
    }
}

/// What showing one glyph of the font `id` costs: for a Type3 font, its costliest glyph
/// procedure (drawn with the font's resources); 0 for other fonts.
fn type3_cost(doc: &Document, id: ObjectId, costs: &mut Costs) -> Result<u64, String> {
    match costs.get(&id) {
        Some(Some(cost)) => return Ok(*cost),
        Some(None) => return Err("un glyphe se dessine lui-même".into()),
        None => {}
    }
    let Ok(font) = doc.get_dictionary(id) else { return Ok(0) };
    if !font.get(b"Subtype").and_then(Object::as_name).is_ok_and(|n| n == b"Type3") {
        return Ok(0);
    }
    costs.insert(id, None);
    let dictionary = |key: &[u8]| {
        font.get(key)
            .ok()
            .and_then(|r| doc.dereference(r).ok())
            .and_then(|(_, r)| r.as_dict().ok())
            .cloned()
            .unwrap_or_default()
    };
    let (resources, procedures) = (dictionary(b"Resources"), dictionary(b"CharProcs"));
    let mut costliest = 1u64;
    for (_, procedure) in procedures.iter() {
        let Ok(stream) = doc.dereference(procedure).and_then(|(_, o)| o.as_stream()) else {
            continue;
        };
        let cost = cost_of(doc, &decoded(stream)?, &resources, costs)?;
        costliest = costliest.max(cost);
    }
    costs.insert(id, Some(costliest));
    Ok(costliest)
}

//! Images named by a dossier (logo, cover image, image annexes, and the images an SVG holds)
//! checked under explicit budgets before Typst decodes them. Typst decodes PNG without limits
//! (a 177-byte PNG declaring 100 000 × 100 000 pixels, or an iCCP profile inflating to 2 GiB,
//! ends the process on a failed allocation, which no error handling can catch): here the header
//! is read first, then the image is decoded under the image crate's `Limits`, so a refusal is a
//! French message at the field that names the file.

use std::io::Cursor;

use std::io::Read;

use image::{ImageDecoder, ImageReader, Limits};

/// Most pixels an image may have (50 million: a 300 dpi A3 scan has 17 million).
pub const MAX_PIXELS: u64 = 50_000_000;
/// Longest side, in pixels.
pub const MAX_SIDE: u32 = 30_000;
/// Most memory decoding one image may take (256 MiB).
pub const MAX_DECODED: u64 = 256 << 20;
/// Largest colour profile (ICC) an image may carry (4 MiB; real ones weigh a few kB).
pub const MAX_ICC: usize = 4 << 20;

/// What the check learnt of a raster image.
#[derive(Debug, Clone, Copy)]
pub struct Raster {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// A CMYK JPEG (what scanners often make): PDF/A needs it converted to RGB.
    pub cmyk: bool,
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED);
    limits
}

fn mega(n: u64) -> String {
    format!("{} Mo", n >> 20)
}

/// The image crate's error in French, for a user who can only re-save the file.
fn decode_error(error: &image::ImageError) -> String {
    match error {
        image::ImageError::Limits(_) => format!(
            "image trop grande : la décoder demanderait plus de {} de mémoire (au plus {} millions de pixels, {} pixels de côté)",
            mega(MAX_DECODED),
            MAX_PIXELS / 1_000_000,
            MAX_SIDE
        ),
        image::ImageError::Unsupported(_) => {
            "format d'image non pris en charge (seuls PNG et JPEG le sont)".into()
        }
        _ => "image endommagée : son contenu ne peut pas être décodé".into(),
    }
}

/// Checks a PNG or JPEG under the budgets: dimensions from the header first (nothing is
/// allocated for a bomb), colour profile size, then a full decode under `Limits` (a damaged
/// file is found here rather than by Typst).
pub fn check_raster(bytes: &[u8]) -> Result<Raster, String> {
    // Before the decoder, which would inflate a profile up to its memory limit.
    if png_icc_too_large(bytes) {
        return Err(icc_message());
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| "image illisible".to_string())?;
    reader.limits(limits());
    let mut decoder = reader.into_decoder().map_err(|e| decode_error(&e))?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(format!(
            "image trop grande : {width} × {height} pixels, au plus {} millions",
            MAX_PIXELS / 1_000_000
        ));
    }
    let icc = decoder.icc_profile().map_err(|e| decode_error(&e))?;
    if icc.is_some_and(|p| p.len() > MAX_ICC) {
        return Err(icc_message());
    }
    let cmyk = jpeg_components(bytes) == Some(4);
    decoder.set_limits(limits()).map_err(|e| decode_error(&e))?;
    image::DynamicImage::from_decoder(decoder).map_err(|e| decode_error(&e))?;
    Ok(Raster { width, height, cmyk })
}

fn icc_message() -> String {
    format!(
        "image trop complexe : son profil de couleur (ICC) dépasse {} (un profil ordinaire pèse quelques kilo-octets)",
        mega(MAX_ICC as u64)
    )
}

/// Whether a PNG's colour profile (iCCP chunk) inflates beyond [`MAX_ICC`]. Read here because
/// the png crate drops a profile it cannot inflate within its limits without saying so, while
/// Typst, which decodes without limits, would inflate it whole. Written by hand: walking the
/// chunks is a loop over length-prefixed blocks, and flate2 bounds the inflation.
fn png_icc_too_large(bytes: &[u8]) -> bool {
    let Some(mut rest) = bytes.strip_prefix(b"\x89PNG\r\n\x1a\n".as_slice()) else {
        return false;
    };
    while rest.len() >= 12 {
        let length = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let kind = &rest[4..8];
        let Some(data) = rest.get(8..8 + length) else { return false };
        if kind == b"iCCP" {
            // Profile name, NUL, compression method, then the zlib stream.
            let Some(nul) = data.iter().position(|b| *b == 0) else { return false };
            let stream = data.get(nul + 2..).unwrap_or_default();
            let mut inflated = flate2::read::ZlibDecoder::new(stream).take(MAX_ICC as u64 + 1);
            let size = std::io::copy(&mut inflated, &mut std::io::sink()).unwrap_or(0);
            return size > MAX_ICC as u64;
        }
        if kind == b"IDAT" {
            return false;
        }
        rest = rest.get(12 + length..).unwrap_or_default();
    }
    false
}

/// The number of colour components of a JPEG (4 for CMYK or YCCK), from its frame header.
/// Written by hand: the image crate reports every JPEG as decoded (RGB), not as stored.
fn jpeg_components(bytes: &[u8]) -> Option<u8> {
    let mut at = 2;
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xFF {
            return None;
        }
        let marker = bytes[at + 1];
        if marker == 0xFF {
            at += 1;
            continue;
        }
        let length = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        // SOF0…SOF15, except DHT (C4), JPG (C8) and DAC (CC).
        if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
            return bytes.get(at + 9).copied();
        }
        if marker == 0xDA {
            return None;
        }
        at += 2 + length;
    }
    None
}

/// A CMYK JPEG as an RGB JPEG (the decoder converts the colours), which PDF/A accepts without
/// an output profile; `None` for any other image, shown as it is.
pub fn rgb_version(bytes: &[u8]) -> Option<Vec<u8>> {
    // The frame header first: other images are not decoded here at all.
    if jpeg_components(bytes) != Some(4) || !check_raster(bytes).ok()?.cmyk {
        return None;
    }
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().ok()?;
    reader.limits(limits());
    let image = reader.decode().ok()?.to_rgb8();
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92);
    image.write_with_encoder(encoder).ok()?;
    Some(out)
}

/// Checks an SVG the way Typst will read it (usvg): its syntax, and every image it holds
/// (`data:` URIs) under the raster budgets. Links to other files are refused: the document is
/// made from the files the dossier names, nothing else.
pub fn check_svg(bytes: &[u8]) -> Result<(), String> {
    use std::sync::{Arc, Mutex};
    let problem: Arc<Mutex<Option<String>>> = Arc::default();
    let options = usvg::Options {
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: {
                let problem = problem.clone();
                Box::new(move |mime, data, options| {
                    let kind = (usvg::ImageHrefResolver::default_data_resolver())(
                        mime,
                        data.clone(),
                        options,
                    )?;
                    let raster = match &kind {
                        usvg::ImageKind::PNG(b) | usvg::ImageKind::JPEG(b) => Some(b.clone()),
                        usvg::ImageKind::GIF(_) | usvg::ImageKind::WEBP(_) => {
                            set_once(
                                &problem,
                                "image intégrée au format GIF ou WebP : convertissez-la en PNG"
                                    .into(),
                            );
                            return None;
                        }
                        usvg::ImageKind::SVG(_) => None,
                    };
                    if let Some(Err(message)) = raster.map(|r| check_raster(&r)) {
                        set_once(&problem, format!("image intégrée : {message}"));
                        return None;
                    }
                    Some(kind)
                })
            },
            resolve_string: {
                let problem = problem.clone();
                Box::new(move |href, _| {
                    set_once(
                        &problem,
                        format!(
                            "l'image renvoie au fichier « {href} », qui n'est pas joint au dossier : incorporez l'image dans le SVG (Inkscape : Extensions › Images › Incorporer les images)"
                        ),
                    );
                    None
                })
            },
        },
        ..usvg::Options::default()
    };
    if let Err(error) = usvg::Tree::from_data(bytes, &options) {
        return Err(match error {
            usvg::Error::NotAnUtf8Str => "image SVG illisible : le texte n'est pas en UTF-8".into(),
            usvg::Error::MalformedGZip => "image SVG compressée endommagée".into(),
            usvg::Error::ElementsLimitReached => {
                "image SVG trop complexe : plus d'un million d'éléments".into()
            }
            usvg::Error::InvalidSize => {
                "image SVG sans taille valide : donnez-lui une largeur et une hauteur (ou un viewBox)".into()
            }
            usvg::Error::ParsingFailed(e) => {
                format!("image SVG endommagée : ce n'est pas du XML valide ({})", position(&e))
            }
        });
    }
    match problem.lock().ok().and_then(|mut p| p.take()) {
        Some(message) => Err(message),
        None => Ok(()),
    }
}

fn set_once(slot: &std::sync::Mutex<Option<String>>, message: String) {
    if let Ok(mut slot) = slot.lock() {
        slot.get_or_insert(message);
    }
}

/// Where in the SVG file its XML is broken, in the user's terms.
fn position(error: &usvg::roxmltree::Error) -> String {
    let pos = error.pos();
    format!("ligne {}, colonne {}", pos.row, pos.col)
}

/// What is wrong with an image file for the document, if anything, from its extension: PNG and
/// JPEG under the raster budgets, SVG as Typst reads it. Other files are not images.
pub fn problem(name: &str, bytes: &[u8]) -> Option<String> {
    let extension = name.rsplit('.').next().unwrap_or_default().to_lowercase();
    if !matches!(extension.as_str(), "png" | "jpg" | "jpeg" | "svg") {
        return None;
    }
    // Decoding the logo at every read cost a third of the reading of a dossier: the live
    // preview and the editor read it again at each change, with the same bytes.
    let key = typst::utils::hash128(&(extension.as_str(), bytes));
    if let Some(verdict) = CHECKED
        .lock()
        .ok()
        .and_then(|held| held.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone()))
    {
        return verdict;
    }
    let verdict = match extension.as_str() {
        "svg" => check_svg(bytes).err(),
        _ => check_raster(bytes).err(),
    };
    if let Ok(mut held) = CHECKED.lock() {
        if held.len() >= CHECKED_LENGTH {
            held.remove(0);
        }
        held.push((key, verdict.clone()));
    }
    verdict
}

/// The verdicts of [`problem`] on the images last checked, by a hash of their extension and
/// bytes (a verdict is a short message, so only their number is bounded).
static CHECKED: std::sync::Mutex<Vec<(u128, Option<String>)>> = std::sync::Mutex::new(Vec::new());
const CHECKED_LENGTH: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_png_declaring_ten_billion_pixels_is_refused_from_its_header() {
        let mut png = Vec::new();
        image::RgbImage::new(1, 1)
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        // IHDR's width and height, then its CRC (the header is checked).
        png[16..24].copy_from_slice(&[0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0]);
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        let message = check_raster(&png).unwrap_err();
        assert!(message.contains("trop grande"), "{message}");
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = flate2::Crc::new();
        crc.update(data);
        crc.sum()
    }
}

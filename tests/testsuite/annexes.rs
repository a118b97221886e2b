//! Annexes as they really come: PDF letters (several pages, protected, damaged), large scans
//! and SVG drawings with generic fonts, rendered under the default standards (PDF/A-3a +
//! PDF/UA-1) and checked with real tools.

use std::path::Path;
use std::process::Command;

use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};

use crate::support::{pdf_pages, run, scratch, stderr};

/// A PDF of `count` pages, written the way office suites do (text in the standard Helvetica,
/// not embedded, and a framed box); the last page is landscape.
fn letter_pdf(count: usize) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let mut kids = Vec::new();
    for n in 1..=count {
        let landscape = n == count && count > 1;
        let (w, h) = if landscape { (842, 595) } else { (595, 842) };
        let text = format!("Lettre de soutien - page {n}");
        let content = Content {
            operations: vec![
                Operation::new(
                    "re",
                    vec![50.into(), 50.into(), (w - 100).into(), (h - 100).into()],
                ),
                Operation::new("S", vec![]),
                Operation::new("BT", vec![]),
                Operation::new("Tf", vec!["F1".into(), 36.into()]),
                Operation::new("Td", vec![80.into(), (h - 150).into()]),
                Operation::new("Tj", vec![Object::string_literal(text)]),
                Operation::new("ET", vec![]),
            ],
        };
        let stream = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
        kids.push(Object::Reference(doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), w.into(), h.into()],
            "Contents" => stream,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
        })));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count as i64 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

/// A small projet dossier in `dir` whose only annex is `file`, with extra keys for it.
fn dossier_with_annex(dir: &Path, file: &str, extra: &str) -> std::path::PathBuf {
    let toml = format!(
        "[cite]\nnom = \"Cité des métiers de Serre-Vallée\"\nlabel = \"projet\"\ndate = 2026-03-02\n\
         porteur = \"Communauté de communes\"\nterritoire = \"Serre-Vallée\"\n\n\
         [[annexes]]\ntitre = \"Lettre de soutien de la Région\"\nfichier = \"{file}\"\n\
         description = \"Lettre de soutien signée par la vice-présidente de la Région\"\n{extra}"
    );
    let path = dir.join("dossier.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

/// Renders a dossier whose annex is `file` (written with `bytes`) in a fresh folder, and fails
/// the test if the render does; returns the PDF and the messages.
fn render_annex(name: &str, file: &str, bytes: &[u8]) -> (std::path::PathBuf, String) {
    let dir = scratch(name);
    std::fs::write(dir.join(file), bytes).unwrap();
    let out = dir.join("dossier.pdf");
    let dossier = dossier_with_annex(&dir, file, "");
    let output = run(&[dossier.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    let messages = stderr(&output);
    assert!(output.status.success(), "{messages}");
    (out, messages)
}

fn tool(name: &str, args: &[&str]) -> String {
    let output = Command::new(name).args(args).output().expect("poppler-utils and qpdf installed");
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

/// Share of dark pixels in the middle of page `page` (1-based) of a PDF, between the running
/// header and the footer, read from a low-resolution grey rendering by pdftoppm.
fn ink(pdf: &Path, page: usize) -> f64 {
    let n = page.to_string();
    let out = Command::new("pdftoppm")
        .args(["-r", "30", "-gray", "-f", &n, "-l", &n, pdf.to_str().unwrap()])
        .output()
        .expect("pdftoppm (poppler-utils) installed");
    // PGM: "P5\n<w> <h>\n255\n" then one byte per pixel.
    let data = out.stdout;
    let mut fields = 0;
    let start = data.iter().position(|b| {
        fields += usize::from(*b == b'\n');
        fields == 3
    });
    let pixels = &data[start.expect("a PGM image") + 1..];
    let band = &pixels[pixels.len() * 15 / 100..pixels.len() * 85 / 100];
    band.iter().filter(|p| **p < 128).count() as f64 / band.len() as f64
}

/// Pages from the annex's own heading (not the sommaire's entry) to the end.
fn annex_pages(pdf: &Path, heading: &str) -> Vec<(usize, String)> {
    let pages = pdf_pages(pdf);
    let first = pages.iter().rposition(|p| p.contains(heading)).expect("annex heading");
    let total = pages.iter().filter(|p| !p.trim().is_empty()).count();
    (first..total).map(|i| (i + 1, pages[i].clone())).collect()
}

#[test]
fn a_three_page_pdf_annex_becomes_three_drawn_pages_and_is_attached_whole_under_pdf_a() {
    let (out, _) = render_annex("annexe-pdf", "lettre.pdf", &letter_pdf(3));
    let pages = annex_pages(&out, "Annexe 1 – Lettre de soutien de la Région");
    assert_eq!(pages.len(), 3, "one page of the dossier per page of the letter");
    let total = pages.last().unwrap().0;
    for (number, text) in &pages {
        assert!(text.contains(&format!("Page {number} / {total}")), "page {number}: {text}");
        assert!(text.contains("Cité des métiers de Serre-Vallée"), "running header: {text}");
        assert!(ink(&out, *number) > 0.002, "page {number} of the annex is blank");
    }
    let p = out.to_str().unwrap();
    assert!(tool("pdfdetach", &["-list", p]).contains("pieces/lettre.pdf"), "original attached");
    assert!(tool("qpdf", &["--check", p]).contains("No syntax or stream encoding errors"));
    let xmp = tool("pdfinfo", &["-meta", p]);
    assert!(
        xmp.contains("<pdfaid:part>3</pdfaid:part>")
            && xmp.contains("<pdfuaid:part>1</pdfuaid:part>")
    );
    let list = &pdf_pages(&out).concat();
    assert!(list.contains("(3 pages)"), "the list of annexes gives the page count");
}

#[test]
fn a_page_selection_keeps_only_those_pages_and_one_outside_the_file_is_located() {
    let dir = scratch("annexe-pdf-pages");
    std::fs::write(dir.join("lettre.pdf"), letter_pdf(5)).unwrap();
    let out = dir.join("dossier.pdf");
    let dossier = dossier_with_annex(&dir, "lettre.pdf", "pages = \"2-3\"\n");
    let output = run(&[dossier.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(annex_pages(&out, "Annexe 1 – Lettre de soutien de la Région").len(), 2);

    let dossier = dossier_with_annex(&dir, "lettre.pdf", "pages = \"4-9\"\n");
    std::fs::remove_file(&out).unwrap();
    for args in [vec!["check"], vec![]] {
        let mut all = args.clone();
        all.extend([dossier.to_str().unwrap(), "-o", out.to_str().unwrap()]);
        if all[0] == "check" {
            all.truncate(2);
        }
        let output = run(&all);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {message}");
        assert!(message.contains("dossier.toml:12:9"), "{args:?} located at `pages`: {message}");
        assert!(message.contains("la page 9 n'existe pas : le PDF a 5 page(s)"), "{message}");
        assert!(!out.exists(), "no PDF written");
    }
}

#[test]
fn a_password_protected_or_damaged_pdf_annex_is_a_located_error_in_check_and_render() {
    let dir = scratch("annexe-pdf-protegee");
    std::fs::write(dir.join("lettre.pdf"), letter_pdf(2)).unwrap();
    let protected = dir.join("protegee.pdf");
    let qpdf = Command::new("qpdf")
        .args(["--encrypt", "secret", "proprietaire", "256", "--"])
        .args([dir.join("lettre.pdf"), protected.clone()])
        .status()
        .expect("qpdf installed");
    assert!(qpdf.success());
    let mut damaged = letter_pdf(2);
    damaged.truncate(60);
    std::fs::write(dir.join("abimee.pdf"), damaged).unwrap();
    for (file, expected) in [("protegee.pdf", "mot de passe"), ("abimee.pdf", "endommagé")] {
        let dossier = dossier_with_annex(&dir, file, "");
        let out = dir.join("dossier.pdf");
        for output in [
            run(&["check", dossier.to_str().unwrap()]),
            run(&[dossier.to_str().unwrap(), "-o", out.to_str().unwrap()]),
        ] {
            let message = stderr(&output);
            assert_eq!(output.status.code(), Some(2), "{file}: {message}");
            assert!(
                message.contains("dossier.toml:10:11"),
                "{file} located at `fichier`: {message}"
            );
            assert!(message.contains(expected), "{file}: {message}");
            assert!(!out.exists(), "{file}: no PDF written");
        }
    }
}

#[test]
fn a_large_scan_is_reduced_to_print_resolution_and_the_sizes_are_told() {
    // A 6000 × 4200 landscape "scan" with noise, as a phone or copier produces.
    let mut seed = 7u32;
    let scan = image::RgbImage::from_fn(6000, 4200, |x, y| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let paper = if (x / 40 + y / 40) % 9 == 0 { 60 } else { 235 };
        let grain = (seed >> 24) as u8 % 16;
        image::Rgb([paper + grain / 2, paper + grain / 2, paper])
    });
    let mut jpeg = Vec::new();
    scan.write_to(&mut std::io::Cursor::new(&mut jpeg), image::ImageFormat::Jpeg).unwrap();
    let original = jpeg.len() as u64;
    let (out, message) = render_annex("annexe-scan", "scan.jpg", &jpeg);
    assert!(message.contains("annexe 1 : image de 6000 × 4200 pixels réduite"), "{message}");
    let images = tool("pdfimages", &["-list", out.to_str().unwrap()]);
    let row = images.lines().find(|l| l.contains("image")).expect("the scan is in the PDF");
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!((cols[3], cols[4]), ("2786", "1950"), "{row}");
    let attached = tool("pdfdetach", &["-list", out.to_str().unwrap()]);
    assert!(attached.contains("pieces/scan.jpg"), "the original scan stays attached");
    let size = std::fs::metadata(&out).unwrap().len();
    assert!(size < original * 2, "PDF {size} bytes for a scan of {original}");
}

#[test]
fn an_svg_annex_with_generic_font_families_is_written_with_the_embedded_fonts() {
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200"><text x="10" y="50" font-family="sans-serif" font-size="20">Plan de la halle</text><text x="10" y="100" style="font-family: serif">Salle 2</text><text x="10" y="150" font-family="monospace">Accueil</text></svg>"#;
    let (out, _) = render_annex("annexe-svg", "plan.svg", svg.as_bytes());
    let fonts = tool("pdffonts", &[out.to_str().unwrap()]);
    for row in fonts.lines().skip(2) {
        assert!(row.contains("Noto"), "a font other than the embedded ones: {row}");
    }
    assert!(pdf_pages(&out).concat().contains("Plan de la halle"), "the SVG's text is text");
}

/// A one-page PDF holding a 2480 × 3508 JPEG (an A4 page scanned at 300 dpi), as scanners
/// write them.
fn scanned_pdf() -> Vec<u8> {
    let mut seed = 3u32;
    let scan = image::RgbImage::from_fn(2480, 3508, |_, y| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let ink = if y % 60 < 6 { 40 } else { 240 };
        image::Rgb([ink + (seed >> 28) as u8, ink, ink])
    });
    let mut jpeg = Vec::new();
    scan.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85))
        .unwrap();
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let picture = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => 2480, "Height" => 3508,
            "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8, "Filter" => "DCTDecode",
        },
        jpeg,
    ));
    let content = Content {
        operations: vec![
            Operation::new("q", vec![]),
            Operation::new(
                "cm",
                vec![595.into(), 0.into(), 0.into(), 842.into(), 0.into(), 0.into()],
            ),
            Operation::new("Do", vec!["Im1".into()]),
            Operation::new("Q", vec![]),
        ],
    };
    let stream = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Contents" => stream,
        "Resources" => dictionary! { "XObject" => dictionary! { "Im1" => picture } },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

#[test]
fn a_scanned_pdf_annex_stays_a_jpeg_at_print_resolution_instead_of_a_heavy_png() {
    let scan = scanned_pdf();
    let (out, _) = render_annex("annexe-pdf-scan", "scan.pdf", &scan);
    let images = tool("pdfimages", &["-list", out.to_str().unwrap()]);
    let row = images.lines().find(|l| l.contains(" image ")).expect("the scan is in the PDF");
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!((cols[3], cols[4], cols[8]), ("1950", "2758", "jpeg"), "{row}");
    // The dossier holds the original (attached) and the page (drawn): about twice the scan,
    // not the four or five times a PNG page would weigh.
    let size = std::fs::metadata(&out).unwrap().len() as usize;
    assert!(size < scan.len() * 5 / 2, "PDF of {size} bytes for a scan of {}", scan.len());
}

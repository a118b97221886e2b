//! Hostile files named by a dossier (images and PDF annexes made by the tests, never committed):
//! each gives a French error at the field that names it, or a correct render, never an abort,
//! under 1 GiB of address space and 30 s of processor time (`prlimit`); a batch holding them
//! still writes every good dossier's PDF, the summary and the overview CSV.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{scratch, stderr};

// ---------------------------------------------------------------------------------------------
// Images

fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
    out
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// An RGB PNG declaring `w` × `h` pixels, with `extra` chunks before its (short) image data.
fn png(w: u32, h: u32, extra: &[u8]) -> Vec<u8> {
    let mut header = w.to_be_bytes().to_vec();
    header.extend_from_slice(&h.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &header));
    out.extend_from_slice(extra);
    out.extend(chunk(b"IDAT", &zlib(&[0; 16])));
    out.extend(chunk(b"IEND", b""));
    out
}

/// The bomb of the issue: a tiny PNG (well under 200 bytes) declaring 100 000 × 100 000 pixels.
fn png_bomb() -> Vec<u8> {
    let bytes = png(100_000, 100_000, b"");
    assert!(bytes.len() < 200);
    bytes
}

/// A 2 × 2 PNG whose colour profile (iCCP) inflates to 2 GiB.
fn iccp_bomb() -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![0u8; 1 << 20];
    for _ in 0..2048 {
        encoder.write_all(&block).unwrap();
    }
    let mut data = b"icc\0\0".to_vec();
    data.extend(encoder.finish().unwrap());
    let pixels = [0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 0, 255, 0, 0, 255];
    let mut out = png(2, 2, &chunk(b"iCCP", &data));
    // Real pixel data, so that only the profile is wrong.
    let idat = out.len() - 12 - (12 + zlib(&[0; 16]).len());
    out.truncate(idat);
    out.extend(chunk(b"IDAT", &zlib(&pixels)));
    out.extend(chunk(b"IEND", b""));
    out
}

/// A PNG whose image data is not a zlib stream.
fn damaged_png() -> Vec<u8> {
    let mut out = png(20, 20, b"");
    let at = out.windows(4).position(|w| w == b"IDAT").unwrap() + 4;
    out[at..at + 6].copy_from_slice(b"garbag");
    out
}

/// An 8 × 8 CMYK JPEG as scanners write them (Adobe marker, four components), made by hand:
/// one block per component, every coefficient zero, Huffman tables of one code each.
fn cmyk_jpeg() -> Vec<u8> {
    fn segment(marker: u8, data: &[u8]) -> Vec<u8> {
        let mut out = vec![0xFF, marker];
        out.extend_from_slice(&((data.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(data);
        out
    }
    let mut out = vec![0xFF, 0xD8];
    out.extend(segment(0xEE, b"Adobe\x00\x64\x00\x00\x00\x00\x00"));
    let mut table = vec![0];
    table.extend([1u8; 64]);
    out.extend(segment(0xDB, &table));
    let mut frame = vec![8, 0, 8, 0, 8, 4];
    for c in 1..=4 {
        frame.extend([c, 0x11, 0]);
    }
    out.extend(segment(0xC0, &frame));
    for class in [0x00, 0x10] {
        let mut huffman = vec![class, 1];
        huffman.extend([0u8; 15]);
        huffman.push(0);
        out.extend(segment(0xC4, &huffman));
    }
    let mut scan = vec![4];
    for c in 1..=4 {
        scan.extend([c, 0]);
    }
    scan.extend([0, 63, 0]);
    out.extend(segment(0xDA, &scan));
    out.extend([0x00, 0xFF, 0xD9]);
    out
}

fn svg_with_png(png: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let data = base64::engine::general_purpose::STANDARD.encode(png);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"100\" height=\"100\">\
         <image width=\"100\" height=\"100\" xlink:href=\"data:image/png;base64,{data}\"/></svg>"
    )
    .into_bytes()
}

// ---------------------------------------------------------------------------------------------
// PDF annexes, written byte by byte: lopdf's writer recurses, and a few cases are about depth.

/// A PDF from its objects (numbered from 1; object 1 must be the catalog), with its xref table.
fn raw_pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).bytes());
        out.extend_from_slice(object);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for offset in offsets {
        out.extend(format!("{offset:010} 00000 n \n").bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
    out
}

/// A one-page PDF: catalog 1, pages 2, page 3 with `resources` and content object 4, then
/// `more` objects from number 5.
fn one_page(resources: &str, content: &[u8], more: Vec<Vec<u8>>) -> Vec<u8> {
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources {resources} /Contents 4 0 R >>"
        )
        .into_bytes(),
        stream("", content),
    ];
    objects.extend(more);
    raw_pdf(&objects)
}

/// A dictionary nested 100 000 levels deep in the page.
fn deeply_nested_pdf() -> Vec<u8> {
    let depth = 100_000;
    let deep = "<< /A ".repeat(depth) + &">> ".repeat(depth);
    let page = format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Deep {deep} >>");
    raw_pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        page.into_bytes(),
    ])
}

/// A form that draws itself.
fn self_painting_form_pdf() -> Vec<u8> {
    let form = stream(
        "/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Resources << /XObject << /X 5 0 R >> >>",
        b"0 0 50 50 re f /X Do",
    );
    one_page("<< /XObject << /X 5 0 R >> >>", b"/X Do", vec![form])
}

/// A tiling pattern whose cell is painted with itself.
fn self_painting_pattern_pdf() -> Vec<u8> {
    let pattern = stream(
        "/Type /Pattern /PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 10 10] /XStep 10 /YStep 10 \
         /Resources << /Pattern << /P 5 0 R >> >>",
        b"/Pattern cs /P scn 0 0 10 10 re f",
    );
    one_page("<< /Pattern << /P 5 0 R >> >>", b"/Pattern cs /P scn 0 0 595 842 re f", vec![pattern])
}

/// A Type3 font whose glyph shows itself.
fn self_showing_glyph_pdf() -> Vec<u8> {
    let font = b"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1000 1000] /FontMatrix [0.001 0 0 0.001 0 0] \
        /CharProcs << /a 6 0 R >> /Encoding << /Differences [97 /a] >> /FirstChar 97 /LastChar 97 \
        /Widths [1000] /Resources << /Font << /F 5 0 R >> >> >>"
        .to_vec();
    let glyph = stream("", b"1000 0 d0 BT /F 1 Tf (a) Tj ET 0 0 500 500 re f");
    one_page("<< /Font << /F 5 0 R >> >>", b"BT /F 12 Tf 100 700 Td (a) Tj ET", vec![font, glyph])
}

/// Forms each drawing the next one twice, 40 levels: 2⁴⁰ draws.
fn exponential_forms_pdf() -> Vec<u8> {
    let levels = 40;
    let forms = (0..levels)
        .map(|i| {
            let (resources, content) = if i + 1 < levels {
                (format!("<< /XObject << /X {} 0 R >> >>", i + 6), b"/X Do /X Do".to_vec())
            } else {
                ("<< >>".to_string(), b"0 0 1 1 re f".to_vec())
            };
            stream(
                &format!(
                    "/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Resources {resources}"
                ),
                &content,
            )
        })
        .collect();
    one_page("<< /XObject << /X 5 0 R >> >>", b"/X Do", forms)
}

/// A content stream of 2 GiB of spaces (a few MB compressed).
fn huge_content_pdf() -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![b' '; 1 << 20];
    for _ in 0..2048 {
        encoder.write_all(&block).unwrap();
    }
    let data = encoder.finish().unwrap();
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
    ];
    objects.push(stream("/Filter /FlateDecode", &data));
    raw_pdf(&objects)
}

/// An image of 30 000 × 30 000 grey pixels (under 1 MB compressed).
fn huge_image_pdf() -> Vec<u8> {
    let side = 30_000usize;
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    let row = vec![0u8; side];
    for _ in 0..side {
        encoder.write_all(&row).unwrap();
    }
    let image = stream(
        &format!(
            "/Type /XObject /Subtype /Image /Width {side} /Height {side} /ColorSpace /DeviceGray \
             /BitsPerComponent 8 /Filter /FlateDecode"
        ),
        &encoder.finish().unwrap(),
    );
    one_page("<< /XObject << /I 5 0 R >> >>", b"q 500 0 0 500 50 50 cm /I Do Q", vec![image])
}

/// 10 000 pages.
fn ten_thousand_pages_pdf() -> Vec<u8> {
    let count = 10_000;
    let kids: Vec<String> = (0..count).map(|i| format!("{} 0 R", i + 4)).collect();
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [{}] /Count {count} >>", kids.join(" ")).into_bytes(),
        stream("", b"0 0 100 100 re f"),
    ];
    for _ in 0..count {
        objects.push(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>".to_vec(),
        );
    }
    raw_pdf(&objects)
}

// ---------------------------------------------------------------------------------------------
// Running the cases

/// A small dossier in `dir` with `extra` TOML (its look, its annexes).
fn dossier(dir: &Path, name: &str, extra: &str) -> PathBuf {
    let toml = format!(
        "[cite]\nnom = \"{name}\"\nlabel = \"projet\"\ndate = 2026-03-02\n\
         porteur = \"Communauté de communes\"\nterritoire = \"Serre-Vallée\"\n\n{extra}"
    );
    let path = dir.join("dossier.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

fn annex(file: &str) -> String {
    format!("[[annexes]]\ntitre = \"Pièce\"\nfichier = \"{file}\"\ndescription = \"Une pièce\"\n")
}

/// Runs the binary under 1 GiB of address space and 30 s of processor time.
fn run_limited(args: &[&str]) -> Output {
    Command::new("prlimit")
        .args(["--as=1073741824", "--cpu=30", env!("CARGO_BIN_EXE_cdm-render")])
        .args(args)
        .output()
        .expect("prlimit (util-linux) installed")
}

/// A hostile case: a file and the dossier TOML naming it.
struct Case {
    name: &'static str,
    file: &'static str,
    bytes: Vec<u8>,
    toml: String,
    field: &'static str,
    said: &'static str,
}

fn case(
    name: &'static str,
    file: &'static str,
    bytes: Vec<u8>,
    field: &'static str,
    said: &'static str,
) -> Case {
    let toml = match field {
        "apparence.logo" => format!("[apparence]\nlogo = \"{file}\"\n"),
        "apparence.image_couverture" => format!("[apparence]\nimage_couverture = \"{file}\"\n"),
        _ => annex(file),
    };
    Case { name, file, bytes, toml, field, said }
}

fn image_cases() -> Vec<Case> {
    vec![
        case("bombe-logo", "logo.png", png_bomb(), "apparence.logo", "trop grande"),
        case("bombe-couverture", "couv.png", png_bomb(), "apparence.image_couverture", "trop grande"),
        case("bombe-annexe", "scan.png", png_bomb(), "annexes[0].fichier", "trop grande"),
        case("bombe-svg", "logo.svg", svg_with_png(&png_bomb()), "apparence.logo", "image intégrée : image trop grande"),
        case("bombe-svg-annexe", "plan.svg", svg_with_png(&png_bomb()), "annexes[0].fichier", "image intégrée"),
        case("iccp", "logo.png", iccp_bomb(), "apparence.logo", "profil de couleur (ICC)"),
        case("png-abime", "scan.png", damaged_png(), "annexes[0].fichier", "image endommagée"),
        case("svg-refuse", "logo.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"><rect".to_vec(), "apparence.logo", "image SVG endommagée"),
        case("svg-lien", "logo.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"10\" height=\"10\"><image width=\"10\" height=\"10\" xlink:href=\"photo.png\"/></svg>".to_vec(), "apparence.logo", "« photo.png »"),
    ]
}

fn pdf_cases() -> Vec<Case> {
    let complex = "annexe trop complexe";
    vec![
        case("imbrication", "a.pdf", deeply_nested_pdf(), "annexes[0].fichier", complex),
        case(
            "forme-recursive",
            "a.pdf",
            self_painting_form_pdf(),
            "annexes[0].fichier",
            "une forme ou un motif se dessine lui-même",
        ),
        case(
            "motif-recursif",
            "a.pdf",
            self_painting_pattern_pdf(),
            "annexes[0].fichier",
            "une forme ou un motif se dessine lui-même",
        ),
        case(
            "glyphe-recursif",
            "a.pdf",
            self_showing_glyph_pdf(),
            "annexes[0].fichier",
            "un glyphe se dessine lui-même",
        ),
        case(
            "formes-exponentielles",
            "a.pdf",
            exponential_forms_pdf(),
            "annexes[0].fichier",
            "millions d'opérations",
        ),
        case(
            "contenu-enorme",
            "a.pdf",
            huge_content_pdf(),
            "annexes[0].fichier",
            "plus de 64 Mo une fois décompressé",
        ),
        case(
            "image-enorme",
            "a.pdf",
            huge_image_pdf(),
            "annexes[0].fichier",
            "image de 30000 × 30000 pixels",
        ),
        case(
            "dix-mille-pages",
            "a.pdf",
            ten_thousand_pages_pdf(),
            "annexes[0].fichier",
            "10000 pages",
        ),
    ]
}

/// Writes the case in its own folder; returns the dossier.
fn write_case(dir: &Path, case: &Case) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(case.file), &case.bytes).unwrap();
    dossier(dir, &format!("Cité {}", case.name), &case.toml)
}

/// `check` and render of the case: a French error at the case's field, located in the
/// dossier (exit 1 or 2), never an abort.
fn assert_refused(case: &Case) {
    let dir = scratch(case.name);
    let input = write_case(&dir, case);
    let out = dir.join("dossier.pdf");
    for args in [
        vec!["check", input.to_str().unwrap()],
        vec![input.to_str().unwrap(), "-o", out.to_str().unwrap()],
    ] {
        let output = run_limited(&args);
        let messages = stderr(&output);
        let code = output.status.code();
        assert!(
            matches!(code, Some(1 | 2)),
            "{} {:?}: exit {code:?}\n{messages}",
            case.name,
            args[0]
        );
        assert!(messages.contains(case.field), "{}: the field is named\n{messages}", case.name);
        assert!(messages.contains(case.said), "{}: {:?} said\n{messages}", case.name, case.said);
        assert!(messages.contains("dossier.toml:"), "{}: located\n{messages}", case.name);
        assert!(!out.exists(), "{}: no PDF", case.name);
    }
}

#[test]
fn hostile_images_as_logo_cover_annex_or_inside_an_svg_are_located_french_errors() {
    for case in image_cases() {
        assert_refused(&case);
    }
}

#[test]
fn hostile_pdf_annexes_are_located_french_errors_and_never_abort() {
    for case in pdf_cases() {
        assert_refused(&case);
    }
}

#[test]
fn a_cmyk_jpeg_logo_and_annex_render_in_rgb_and_the_attached_file_is_the_users() {
    let dir = scratch("cmyk");
    let jpeg = cmyk_jpeg();
    std::fs::write(dir.join("logo.jpg"), &jpeg).unwrap();
    std::fs::write(dir.join("scan.jpg"), &jpeg).unwrap();
    let input = dossier(
        &dir,
        "Cité CMJN",
        &format!("[apparence]\nlogo = \"logo.jpg\"\n\n{}", annex("scan.jpg")),
    );
    let out = dir.join("dossier.pdf");
    let output = run_limited(&[input.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let images = Command::new("pdfimages").args(["-list", out.to_str().unwrap()]).output().unwrap();
    let list = String::from_utf8_lossy(&images.stdout);
    assert!(list.lines().skip(2).count() >= 2, "the logo and the annex are shown:\n{list}");
    assert!(!list.contains("cmyk"), "every image shown is RGB:\n{list}");
    let extracted = dir.join("extrait");
    let output = Command::new(env!("CARGO_BIN_EXE_cdm-render"))
        .args(["extract", out.to_str().unwrap(), "-o", extracted.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        std::fs::read(extracted.join("logo.jpg")).unwrap(),
        jpeg,
        "the user's bytes are attached"
    );
}

#[test]
fn a_batch_with_every_hostile_dossier_still_writes_the_good_pdfs_the_summary_and_the_csv() {
    let dir = scratch("batch-hostile");
    let inputs = dir.join("entrees");
    for i in 0..10 {
        let folder = inputs.join(format!("bon-{i}"));
        std::fs::create_dir_all(&folder).unwrap();
        dossier(&folder, &format!("Cité bonne {i}"), "");
    }
    let cases: Vec<Case> = image_cases().into_iter().chain(pdf_cases()).collect();
    for case in &cases {
        write_case(&inputs.join(case.name), case);
    }
    let (out, csv) = (dir.join("pdf"), dir.join("synthese.csv"));
    let output = run_limited(&[
        "batch",
        inputs.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--overview-csv",
        csv.to_str().unwrap(),
    ]);
    let messages = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{messages}");
    for i in 0..10 {
        let pdf = out.join(format!("cite-bonne-{i}-projet.pdf"));
        assert!(
            std::fs::read(&pdf).is_ok_and(|b| b.starts_with(b"%PDF-")),
            "{} missing\n{messages}",
            pdf.display()
        );
    }
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.contains("Cité bonne 9") && table.contains("ERREUR"), "the summary:\n{table}");
    let rows = std::fs::read_to_string(&csv).unwrap();
    assert!(rows.lines().count() > 10 + cases.len() / 2, "one row per dossier:\n{rows}");
    assert!(rows.contains("Cité bonne 0"), "{rows}");
    for case in &cases {
        let row = rows.lines().find(|r| r.contains(&format!("{}/dossier.toml", case.name)));
        assert!(
            row.is_some_and(|r| r.contains(case.said)),
            "{}: its error in the CSV\n{rows}",
            case.name
        );
    }
}

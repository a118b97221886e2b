//! Bounded time and memory whatever the files: a GeoJSON outline of a million points, a stray
//! huge TOML or CSV, a dossier that is a link to `/dev/zero`. Each case runs under `prlimit`
//! (CPU seconds, address space), so that a regression fails instead of stalling the suite.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{copy_dir, root, run, scratch, stderr};

/// Runs `cdm-render` under `prlimit`: at most 30 s of CPU and 1 GiB of address space.
fn run_limited(args: &[&str]) -> Output {
    Command::new("prlimit")
        .args(["--cpu=30", "--as=1073741824", "--"])
        .arg(env!("CARGO_BIN_EXE_cdm-render"))
        .args(args)
        .output()
        .expect("prlimit (util-linux) runs the binary")
}

/// The three examples in a scratch folder (the complete one names its previous phase).
fn examples(name: &str) -> PathBuf {
    let dir = scratch(name);
    copy_dir(&root().join("data"), &dir);
    dir
}

/// A closed ring going back and forth between two parallels of the example's territory:
/// every Douglas–Peucker split peels off a single point, which made it quadratic.
fn zigzag(points: usize) -> String {
    let mut ring: Vec<String> = (0..points)
        .map(|i| {
            let lon = 0.1 + 0.5 * i as f64 / points as f64;
            let lat = 47.0 + 0.3 * (i % 2) as f64;
            format!("[{lon:.7},{lat}]")
        })
        .collect();
    ring.push(ring[0].clone());
    format!(r#"{{"type":"Polygon","coordinates":[[{}]]}}"#, ring.join(","))
}

fn killed_or_failed(output: &Output) -> String {
    format!("status {:?}\n{}", output.status, stderr(output))
}

#[test]
fn a_zigzag_outline_of_a_hundred_thousand_and_a_million_points_is_checked_and_still_drawn() {
    let dir = examples("zigzag");
    let toml = dir.join("fonctionnement/dossier.toml");
    for points in [100_000, 1_000_000] {
        std::fs::write(dir.join("fonctionnement/territoire.geojson"), zigzag(points)).unwrap();
        let output = run_limited(&["check", toml.to_str().unwrap()]);
        assert!(output.status.success(), "{points} points: {}", killed_or_failed(&output));
    }
    let typst = dir.join("typst");
    let pdf = dir.join("zigzag.pdf");
    let output = run_limited(&[
        toml.to_str().unwrap(),
        "-o",
        pdf.to_str().unwrap(),
        "--emit-typst",
        typst.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", killed_or_failed(&output));
    let map = std::fs::read_to_string(typst.join("graphiques/carte.svg")).unwrap();
    let outline = map.split("<polygon").nth(1).expect("the territory is drawn");
    let points = outline.split("points=\"").nth(1).and_then(|p| p.split('"').next()).unwrap();
    let points = points.split_whitespace().count();
    assert!((4..=20_000).contains(&points), "the outline is drawn with {points} points");
}

#[test]
fn an_outline_outside_longitudes_and_latitudes_is_refused_at_its_field() {
    let dir = examples("wgs84");
    std::fs::write(
        dir.join("fonctionnement/territoire.geojson"),
        r#"{"type":"Polygon","coordinates":[[[0.1,47.2],[0.5,47.3],[1e308,47.1],[0.1,47.2]]]}"#,
    )
    .unwrap();
    let output = run_limited(&["check", dir.join("fonctionnement/dossier.toml").to_str().unwrap()]);
    let messages = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{messages}");
    assert!(messages.contains("implantation.equite.contour"), "{messages}");
    assert!(messages.contains("territoire.geojson"), "{messages}");
    assert!(messages.contains("point n° 3") && messages.contains("WGS 84"), "{messages}");
}

#[test]
fn an_outline_saved_with_a_byte_order_mark_is_read() {
    let dir = examples("bom");
    let outline = dir.join("fonctionnement/territoire.geojson");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(std::fs::read(&outline).unwrap());
    std::fs::write(&outline, bytes).unwrap();
    let output = run(&["check", dir.join("fonctionnement/dossier.toml").to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn a_commune_name_no_font_can_draw_is_an_error_at_the_outline_not_the_typesetter_s() {
    let dir = examples("glyph-outline");
    std::fs::write(
        dir.join("fonctionnement/territoire.geojson"),
        r#"{"type":"Feature","properties":{"nom":"Saint-𓀀-des-Bois"},"geometry":{"type":"Polygon","coordinates":[[[0.1,47.2],[0.5,47.3],[0.4,47.1],[0.1,47.2]]]}}"#,
    )
    .unwrap();
    let toml = dir.join("fonctionnement/dossier.toml");
    let pdf = dir.join("glyph.pdf");
    let output = run(&[toml.to_str().unwrap(), "-o", pdf.to_str().unwrap()]);
    let messages = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{messages}");
    assert!(messages.contains("implantation.equite.contour"), "{messages}");
    assert!(
        messages.contains("« Saint-𓀀-des-Bois »") && messages.contains("U+13000"),
        "{messages}"
    );
    assert!(!messages.contains("could not be displayed"), "the typesetter's words: {messages}");
    assert!(!pdf.exists(), "no PDF is written");
}

/// A file of `size` bytes of spaces (sparse: nothing is written to the disk).
fn huge(path: &Path, size: u64) {
    std::fs::File::create(path).unwrap().set_len(size).unwrap();
}

#[test]
fn a_dossier_over_eight_megabytes_is_refused_with_the_limit_the_readme_gives() {
    let dir = scratch("huge-toml");
    let toml = dir.join("enorme.toml");
    huge(&toml, 1_500_000_000);
    let output = run_limited(&["check", toml.to_str().unwrap()]);
    let messages = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{}", killed_or_failed(&output));
    assert!(messages.contains("enorme.toml"), "{messages}");
    assert!(messages.contains("1,5\u{a0}Go, au plus 8\u{a0}Mo"), "{messages}");
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(readme.contains("8 Mo") && readme.contains("64 Mo"), "the README states both limits");
}

/// A small dossier whose partners are in `partenaires.csv` (not written); returns its path.
fn partners_in_csv(dir: &Path) -> PathBuf {
    let toml = dir.join("dossier.toml");
    std::fs::write(
        &toml,
        "[cite]\nnom = \"Cité des métiers du Bocage\"\nlabel = \"projet\"\ndate = 2026-11-24\n\
         [fonctionnement.partenaires]\nliste = { fichier = \"partenaires.csv\" }\n",
    )
    .unwrap();
    toml
}

#[test]
fn a_csv_table_over_sixty_four_megabytes_is_refused_at_its_field() {
    let dir = scratch("huge-csv");
    let toml = partners_in_csv(&dir);
    huge(&dir.join("partenaires.csv"), 64_000_001);
    let output = run_limited(&["check", toml.to_str().unwrap()]);
    let messages = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{}", killed_or_failed(&output));
    assert!(messages.contains("partenaires.csv est trop volumineux"), "{messages}");
    assert!(messages.contains("au plus 64\u{a0}Mo"), "{messages}");
}

#[cfg(unix)]
#[test]
fn a_dossier_that_is_a_link_to_an_endless_device_is_refused_at_once() {
    let dir = scratch("dev-zero");
    let toml = dir.join("dossier.toml");
    std::os::unix::fs::symlink("/dev/zero", &toml).unwrap();
    let output = run_limited(&["check", toml.to_str().unwrap()]);
    let messages = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{}", killed_or_failed(&output));
    assert!(messages.contains("n'est pas un fichier ordinaire"), "{messages}");
}

#[test]
fn a_batch_with_a_stray_huge_toml_lists_it_as_an_error_and_renders_the_others() {
    let dir = examples("batch-huge");
    let inputs = dir.join("entrees");
    std::fs::create_dir_all(&inputs).unwrap();
    std::fs::copy(dir.join("projet/dossier.toml"), inputs.join("projet.toml")).unwrap();
    huge(&inputs.join("sauvegarde.toml"), 1_500_000_000);
    let out = dir.join("pdf");
    let output = run_limited(&["batch", inputs.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    let messages = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{}", killed_or_failed(&output));
    assert!(
        messages.contains("sauvegarde.toml") && messages.contains("au plus 8\u{a0}Mo"),
        "{messages}"
    );
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1, "the good dossier is rendered");
}

#[test]
fn ten_thousand_partners_in_a_csv_file_are_refused_at_once_with_the_row_limit() {
    let dir = scratch("rows");
    let toml = partners_in_csv(&dir);
    let rows: String = (1..=10_000).map(|i| format!("Partenaire {i};services\n")).collect();
    std::fs::write(dir.join("partenaires.csv"), format!("nom;roles\n{rows}")).unwrap();
    let output = run_limited(&["check", toml.to_str().unwrap()]);
    let messages = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{}", killed_or_failed(&output));
    assert!(messages.contains("10\u{202f}000 lignes de tableaux"), "{messages}");
    assert!(messages.contains("au plus 1\u{202f}500 au total"), "{messages}");
    assert!(messages.contains("fonctionnement.partenaires.liste"), "{messages}");
}

#[test]
fn a_chart_label_too_long_for_the_figure_is_printed_in_full_beside_it() {
    let dir = examples("long-label");
    let toml = dir.join("fonctionnement/dossier.toml");
    let long = "Autres industries manufacturières de la vallée, mécanique de précision, \
                métallurgie, plasturgie, papeterie et imprimerie du bassin de Lysmont";
    let text = std::fs::read_to_string(&toml).unwrap().replacen(
        "\"Autres industries (mécanique, métallurgie)\"",
        &format!("\"{long}\""),
        1,
    );
    std::fs::write(&toml, text).unwrap();
    let pdf = dir.join("long.pdf");
    crate::support::render(&toml, &pdf);
    let text = crate::support::pdf_text(&pdf);
    assert!(text.contains(long), "the full label is in the PDF text");
    assert!(text.contains("Libellés abrégés dans la figure"), "it is said why it is there");
}

//! Outputs never over inputs: whatever its spelling, an output that is one of the files a
//! dossier was made from is refused before anything is written, and only regular files are
//! ever replaced.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use crate::support::{root, scratch, wait_for};

/// A dossier with a CSV table, a PDF annex and a previous phase's dossier, in a fresh folder.
fn dossier_with_inputs(name: &str) -> PathBuf {
    let dir = scratch(name);
    for csv in ["partenaires.csv", "charges.csv"] {
        std::fs::copy(root().join("tests/fixtures/csv-tableaux").join(csv), dir.join(csv)).unwrap();
    }
    std::fs::copy(
        root().join("tests/fixtures/annexe-pdf-pdfa/convention.pdf"),
        dir.join("convention.pdf"),
    )
    .unwrap();
    std::fs::copy(root().join("data/projet/dossier.toml"), dir.join("ancien.toml")).unwrap();
    let text = std::fs::read_to_string(root().join("tests/fixtures/csv-tableaux/dossier.toml"))
        .unwrap()
        .replacen("date = 2026-11-24\n", "date = 2026-11-24\nprecedent = \"ancien.toml\"\n", 1)
        + "\n[[annexes]]\ntitre = \"Convention\"\nfichier = \"convention.pdf\"\nitems = [\"4.5\"]\n";
    std::fs::write(dir.join("dossier.toml"), text).unwrap();
    std::fs::create_dir(dir.join("sous")).unwrap();
    dir
}

/// Runs the binary in `dir`.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cdm-render"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The bytes of every file of a folder (not below), by name.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

/// Every way of writing `name` of `dir` as an output: as typed, `./`, through a folder (or a
/// folder that does not exist) and back, absolute, and through a symbolic and a hard link made
/// for the occasion.
fn spellings(dir: &Path, name: &str) -> Vec<String> {
    let stem = name.replace('.', "-");
    std::os::unix::fs::symlink(name, dir.join(format!("lien-{stem}.pdf"))).unwrap();
    std::fs::hard_link(dir.join(name), dir.join(format!("dur-{stem}.pdf"))).unwrap();
    vec![
        name.to_string(),
        format!("./{name}"),
        format!("sous/../{name}"),
        format!("absent/../{name}"),
        dir.join(name).display().to_string(),
        format!("lien-{stem}.pdf"),
        format!("dur-{stem}.pdf"),
    ]
}

#[test]
fn render_refuses_every_spelling_of_an_output_that_is_one_of_the_dossier_files() {
    let dir = dossier_with_inputs("sortie-entree");
    let cases = [
        ("dossier.toml", "le dossier"),
        ("partenaires.csv", "fonctionnement.partenaires.liste"),
        ("convention.pdf", "annexes[0].fichier"),
        ("ancien.toml", "precedent"),
    ];
    for (name, role) in cases {
        for output in spellings(&dir, name) {
            let before = snapshot(&dir);
            let run = run_in(&dir, &["dossier.toml", "-o", &output]);
            let err = stderr(&run);
            assert_eq!(run.status.code(), Some(1), "-o {output}: {err}");
            assert!(err.contains("écriture refusée") && err.contains(role), "-o {output}: {err}");
            assert_eq!(snapshot(&dir), before, "-o {output} changed a file");
        }
    }
    // The same dossier renders next to its files.
    let run = run_in(&dir, &["dossier.toml", "-o", "sous/dossier.pdf", "--quiet"]);
    assert!(run.status.success(), "{}", stderr(&run));
}

#[test]
fn a_device_a_fifo_or_a_folder_at_the_output_is_refused_and_left_in_place() {
    use std::os::unix::fs::FileTypeExt;
    let dir = dossier_with_inputs("sortie-speciale");
    let made = Command::new("mkfifo").arg(dir.join("tube.pdf")).status().unwrap();
    assert!(made.success());
    for output in ["tube.pdf", "/dev/null", "sous"] {
        let run = run_in(&dir, &["dossier.toml", "-o", output]);
        let err = stderr(&run);
        assert_eq!(run.status.code(), Some(1), "-o {output}: {err}");
        assert!(err.contains("pas un fichier ordinaire"), "-o {output}: {err}");
    }
    let fifo = std::fs::symlink_metadata(dir.join("tube.pdf")).unwrap().file_type();
    assert!(fifo.is_fifo(), "the FIFO is still a FIFO");
    let null = std::fs::symlink_metadata("/dev/null").unwrap().file_type();
    assert!(null.is_char_device(), "/dev/null is still a device");
    assert!(dir.join("sous").is_dir());
}

#[test]
fn watch_refuses_at_start_an_output_that_is_its_dossier_and_leaves_it_byte_for_byte() {
    let dir = dossier_with_inputs("sortie-watch");
    for output in spellings(&dir, "dossier.toml") {
        let before = snapshot(&dir);
        let mut child = Command::new(env!("CARGO_BIN_EXE_cdm-render"))
            .args(["watch", "dossier.toml", "-o", &output])
            .current_dir(&dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let status = wait_for("watch to stop", Duration::from_secs(60), || {
            child.try_wait().unwrap().ok_or_else(|| "still running".to_string())
        });
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        assert_eq!(status.code(), Some(1), "-o {output}: {err}");
        assert!(err.contains("écriture refusée"), "-o {output}: {err}");
        assert_eq!(snapshot(&dir), before, "-o {output} changed a file");
    }
}

#[test]
fn batch_refuses_an_overview_onto_one_of_its_dossiers() {
    let dir = dossier_with_inputs("sortie-lot");
    std::fs::copy(root().join("data/projet/dossier.toml"), dir.join("sous/autre.toml")).unwrap();
    let mut outputs = spellings(&dir, "dossier.toml");
    outputs.push("sous/autre.toml".into());
    outputs.push("partenaires.csv".into());
    for output in outputs {
        for option in ["--overview-csv", "--overview"] {
            let before = snapshot(&dir);
            let run = run_in(&dir, &["batch", ".", "-o", "pdf", option, &output, "--quiet"]);
            let err = stderr(&run);
            assert_eq!(run.status.code(), Some(1), "{option} {output}: {err}");
            assert!(err.contains("écriture refusée"), "{option} {output}: {err}");
            assert_eq!(snapshot(&dir), before, "{option} {output} changed a file");
            assert!(!dir.join("pdf").exists(), "nothing is rendered before the refusal");
        }
    }
}

#[test]
fn a_batch_pdf_never_replaces_a_file_another_dossier_names() {
    let dir = dossier_with_inputs("sortie-lot-annexe");
    // The annex of one dossier sits where the batch writes the PDF of this very Cité.
    std::fs::create_dir(dir.join("pdf")).unwrap();
    let annex = dir.join("pdf/cite-des-metiers-de-broceliande-prefiguration.pdf");
    std::fs::copy(dir.join("convention.pdf"), &annex).unwrap();
    let toml = std::fs::read_to_string(dir.join("dossier.toml")).unwrap();
    let toml = toml.replace(
        "fichier = \"convention.pdf\"",
        "fichier = \"pdf/cite-des-metiers-de-broceliande-prefiguration.pdf\"",
    );
    std::fs::write(dir.join("dossier.toml"), toml).unwrap();
    let before = std::fs::read(&annex).unwrap();
    let run = run_in(&dir, &["batch", "dossier.toml", "-o", "pdf", "--quiet"]);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(err.contains("écriture refusée") && err.contains("annexes[0].fichier"), "{err}");
    assert_eq!(std::fs::read(&annex).unwrap(), before, "the annex is untouched");
}

#[test]
fn extract_never_writes_over_the_pdf_it_reads() {
    let dir = scratch("sortie-extract");
    std::fs::create_dir(dir.join("source")).unwrap();
    std::fs::copy(root().join("data/projet/dossier.toml"), dir.join("source/dossier.toml"))
        .unwrap();
    let run = run_in(&dir, &["source/dossier.toml", "-o", "rendu.pdf", "--quiet"]);
    assert!(run.status.success(), "{}", stderr(&run));
    // The PDF attaches `dossier.toml`: the PDF itself is given under that name, directly, by
    // a hard link and by a symbolic link.
    std::fs::create_dir(dir.join("a")).unwrap();
    std::fs::copy(dir.join("rendu.pdf"), dir.join("a/dossier.toml")).unwrap();
    std::fs::create_dir(dir.join("b")).unwrap();
    std::fs::hard_link(dir.join("rendu.pdf"), dir.join("b/dossier.toml")).unwrap();
    std::fs::create_dir(dir.join("c")).unwrap();
    std::os::unix::fs::symlink("../rendu.pdf", dir.join("c/dossier.toml")).unwrap();
    let pdf = std::fs::read(dir.join("rendu.pdf")).unwrap();
    for (input, folder) in [
        ("a/dossier.toml", "a"),
        ("rendu.pdf", "b"),
        ("rendu.pdf", "c"),
        ("./a/dossier.toml", "./a/../a"),
    ] {
        let run = run_in(&dir, &["extract", input, "-o", folder, "--force"]);
        let err = stderr(&run);
        assert_eq!(run.status.code(), Some(1), "extract {input} -o {folder}: {err}");
        assert!(err.contains("écriture refusée"), "extract {input} -o {folder}: {err}");
        assert_eq!(std::fs::read(dir.join(input)).unwrap(), pdf, "the PDF is untouched");
    }
}

//! Fixture-driven tests: each folder of tests/fixtures/ holds a `dossier.toml` and an `expected/`
//! folder. With `expected/contains.txt`, the dossier must render and every line of that file
//! must appear in the PDF text. With `expected/stderr.txt`, rendering must fail with exit code 2,
//! every line must appear in the error output, and no PDF may be written.

use std::path::Path;

use crate::support::{normalize, pdf_text, root, run, scratch, stderr};

fn fixture_dirs() -> Vec<std::path::PathBuf> {
    let mut dirs: Vec<_> = std::fs::read_dir(root().join("tests/fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("dossier.toml").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn expected_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(normalize)
        .collect()
}

#[test]
fn every_fixture_renders_or_fails_as_expected() {
    let dirs = fixture_dirs();
    assert!(dirs.len() >= 5, "fixtures found: {dirs:?}");
    for dir in dirs {
        let expected = dir.join("expected");
        let contains = expected.join("contains.txt");
        let stderr_file = expected.join("stderr.txt");
        assert!(
            contains.is_file() != stderr_file.is_file(),
            "{} needs exactly one of expected/contains.txt or expected/stderr.txt",
            dir.display()
        );
        if contains.is_file() {
            check_renders(&dir, &expected_lines(&contains));
        } else {
            check_fails(&dir, &expected_lines(&stderr_file));
        }
    }
}

/// Extra command-line arguments of a fixture (`args.txt`), if any.
fn extra_args(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("args.txt"))
        .map(|a| a.split_whitespace().map(String::from).collect())
        .unwrap_or_default()
}

fn check_renders(dir: &Path, lines: &[String]) {
    let out = scratch("fixture").join("out.pdf");
    let input = dir.join("dossier.toml");
    let mut args =
        vec![input.to_str().unwrap().to_string(), "-o".into(), out.to_str().unwrap().into()];
    args.extend(extra_args(dir));
    let output = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(output.status.success(), "{}: {}", dir.display(), stderr(&output));
    let text = pdf_text(&out);
    for line in lines {
        assert!(
            text.contains(line.as_str()),
            "{}: {line:?} not found in the PDF text:\n{text}",
            dir.display()
        );
    }
}

fn check_fails(dir: &Path, lines: &[String]) {
    let work = scratch("fixture-error");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, work.join(path.file_name().unwrap())).unwrap();
        }
    }
    let input = work.join("dossier.toml");
    let out = work.join("dossier.pdf");
    let mut args =
        vec![input.to_str().unwrap().to_string(), "-o".into(), out.to_str().unwrap().into()];
    args.extend(extra_args(dir));
    let output = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let message = normalize(&stderr(&output));
    assert_eq!(output.status.code(), Some(2), "{}: exit code, stderr:\n{message}", dir.display());
    for line in lines {
        assert!(message.contains(line.as_str()), "{}: {line:?} not in:\n{message}", dir.display());
    }
    assert!(!out.exists(), "{}: a PDF was written despite the error", dir.display());
}

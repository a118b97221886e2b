//! Helpers: running the binary in a scratch folder and reading PDF text.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh scratch folder under the target directory.
pub fn scratch(name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("{name}-{n}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `cdm-render` with arguments.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cdm-render")).args(args).output().expect("the binary runs")
}

/// Standard error of a run as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Renders a dossier to `out` and fails the test with the messages when it does not succeed.
pub fn render(input: &Path, out: &Path) {
    let output = run(&[input.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(output.status.success(), "rendering {} failed:\n{}", input.display(), stderr(&output));
}

/// Renders a dossier to `out` and writes its generated Typst sources into `typst`, failing the
/// test with the messages when it does not succeed.
pub fn render_emitting(input: &Path, out: &Path, typst: &Path) {
    let output = run(&[
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--emit-typst",
        typst.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "rendering {} failed:\n{}", input.display(), stderr(&output));
}

/// The text of a PDF, one string per page, with spaces normalised (no-break and narrow spaces
/// become plain spaces, runs of whitespace one space) and typographic apostrophes made straight.
pub fn pdf_pages(pdf: &Path) -> Vec<String> {
    let output = Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) must be installed to run these tests");
    assert!(output.status.success(), "pdftotext failed on {}", pdf.display());
    String::from_utf8_lossy(&output.stdout).split('\u{c}').map(normalize).collect()
}

/// The whole text of a PDF, normalised as [`pdf_pages`].
pub fn pdf_text(pdf: &Path) -> String {
    pdf_pages(pdf).join(" ")
}

/// Normalises spaces and apostrophes so that expectations can be written plainly.
pub fn normalize(text: &str) -> String {
    // Apostrophes inside words are typographic; zero-width spaces are break opportunities.
    let text = text.replace('\u{2019}', "'").replace('\u{200B}', "");
    text.split(|c: char| c.is_whitespace() || c == '\u{202F}' || c == '\u{A0}' || c == '\u{2060}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Copies a folder recursively (an example dossier with its data files).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Waits until `condition` returns something, polling; fails the test with `what` and the
/// last observed state after `limit`. This is a deadline for a functional wait, not a timing
/// assertion: it is generous so that a loaded machine does not fail the test.
pub fn wait_for<T>(
    what: &str,
    limit: std::time::Duration,
    mut condition: impl FnMut() -> Result<T, String>,
) -> T {
    let start = std::time::Instant::now();
    loop {
        match condition() {
            Ok(value) => return value,
            Err(state) if start.elapsed() > limit => {
                panic!("timed out waiting for {what}; last state:\n{state}")
            }
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(100)),
        }
    }
}

/// Collects the standard error of a running child (spawned with `Stdio::piped()`) as it comes,
/// on a thread of its own.
pub fn capture_stderr(child: &mut std::process::Child) -> std::sync::Arc<std::sync::Mutex<String>> {
    use std::io::Read;
    let text = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let mut pipe = child.stderr.take().expect("standard error is piped");
    let sink = std::sync::Arc::clone(&text);
    std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut buffer) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buffer[..n]));
        }
    });
    text
}

//! Work on a user's file that a library may end with an abort rather than an error (a stack
//! overflow in a recursive parser, a failed allocation), or never finish, run in a child
//! process: the same executable started with a hidden argument, under a memory limit and a
//! timeout. A hostile annex is then one dossier's error, in `render`, `check` and `batch`
//! alike, instead of the end of the whole run.
//!
//! The child reads its request on standard input and writes its reply on standard output;
//! the format of both belongs to the caller (see [`Frame`]). Without [`enable`] (library use,
//! unit tests, benches) the work runs in the calling process.

use std::io::{Read, Write};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The hidden first argument that makes the executable a child.
pub const CHILD_ARGUMENT: &str = "__travail-isole";

/// Address space a child may use (1 GiB; on Unix).
pub const MEMORY: u64 = 1 << 30;

/// Time a child may take.
pub const TIMEOUT: Duration = Duration::from_secs(20);

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Lets isolated work run in child processes of the current executable, which must then call
/// [`serve`] when started with [`CHILD_ARGUMENT`]. Called by the binary's `main`.
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

/// How an isolated job ended when it gave no reply.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// It took longer than [`TIMEOUT`].
    Timeout,
    /// It needed more than [`MEMORY`].
    Memory,
    /// Its recursion overflowed the stack.
    Stack,
    /// The library panicked (a case it did not expect: a damaged file).
    Panicked,
    /// It ended otherwise (a signal, an exit code), with what it said.
    Crashed(String),
}

/// Runs `work` on `request` in a child process when [`enable`]d (in this process otherwise)
/// and returns its reply.
pub fn run(request: &[u8], work: fn(&[u8]) -> Vec<u8>) -> Result<Vec<u8>, Failure> {
    if !ENABLED.load(Ordering::Relaxed) {
        return Ok(work(request));
    }
    let Ok(exe) = std::env::current_exe() else { return Ok(work(request)) };
    let child = Command::new(exe)
        .arg(CHILD_ARGUMENT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    // A system that refuses a new process still gets its document.
    let Ok(mut child) = child else { return Ok(work(request)) };
    let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Ok(work(request));
    };
    // Pipes are read and written by threads so that neither side blocks the other.
    let request = request.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&request);
    });
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let errors = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stderr.by_ref().take(64 << 10).read_to_end(&mut text);
        let _ = std::io::copy(&mut stderr, &mut std::io::sink());
        String::from_utf8_lossy(&text).into_owned()
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => {
                let _ = child.kill();
                return Err(Failure::Crashed("processus perdu".into()));
            }
        }
    };
    let _ = writer.join();
    let reply = reader.join().unwrap_or_default();
    let said = errors.join().unwrap_or_default();
    match status {
        None => Err(Failure::Timeout),
        Some(status) if status.success() => Ok(reply),
        Some(_) if said.contains("memory allocation") => Err(Failure::Memory),
        Some(_) if said.contains("overflowed its stack") => Err(Failure::Stack),
        Some(status) if status.code() == Some(i32::from(PANICKED)) => Err(Failure::Panicked),
        Some(status) => Err(Failure::Crashed(ended(&status))),
    }
}

/// How a child ended, in French ("code 3", "signal 11").
fn ended(status: &std::process::ExitStatus) -> String {
    #[cfg(unix)]
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(status) {
        return format!("signal {signal}");
    }
    status.code().map_or_else(|| "fin anormale".into(), |code| format!("code {code}"))
}

/// The child's side: limits its own memory, reads the request, runs `work` and writes the
/// reply. A panic is the exit code [`PANICKED`], a failed allocation or a stack overflow the runtime's
/// abort, all seen by [`run`].
pub fn serve(work: fn(&[u8]) -> Vec<u8>) -> ExitCode {
    limit_memory();
    let mut request = Vec::new();
    if std::io::stdin().read_to_end(&mut request).is_err() {
        return ExitCode::from(3);
    }
    match std::panic::catch_unwind(|| work(&request)) {
        Ok(reply) => {
            let mut out = std::io::stdout().lock();
            if out.write_all(&reply).and_then(|()| out.flush()).is_err() {
                return ExitCode::from(3);
            }
            ExitCode::SUCCESS
        }
        Err(_) => ExitCode::from(PANICKED),
    }
}

/// Exit code of a child whose work panicked.
const PANICKED: u8 = 4;

/// Lowers the address space of this process to [`MEMORY`] (never raises it), and turns off
/// core dumps: an abort from a hostile file leaves nothing behind.
fn limit_memory() {
    #[cfg(unix)]
    // SAFETY: getrlimit/setrlimit only read and write the rlimit structure given.
    unsafe {
        let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        if libc::getrlimit(libc::RLIMIT_AS, &mut limit) == 0 {
            let wanted = MEMORY as libc::rlim_t;
            limit.rlim_cur = limit.rlim_cur.min(wanted);
            libc::setrlimit(libc::RLIMIT_AS, &limit);
        }
        let none = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        libc::setrlimit(libc::RLIMIT_CORE, &none);
    }
}

/// A request or reply as a sequence of length-prefixed fields. Written by hand: the payload is
/// mostly bytes (a PDF, SVG pages), which a text format such as JSON would inflate.
#[derive(Default)]
pub struct Frame {
    bytes: Vec<u8>,
}

impl Frame {
    /// Appends a field.
    pub fn put(&mut self, field: &[u8]) -> &mut Self {
        self.bytes.extend_from_slice(&(field.len() as u64).to_le_bytes());
        self.bytes.extend_from_slice(field);
        self
    }

    /// The encoded frame.
    pub fn finish(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.bytes)
    }

    /// Reads the next field of `input`, advancing it.
    pub fn take<'a>(input: &mut &'a [u8]) -> Option<&'a [u8]> {
        let (length, rest) = input.split_first_chunk::<8>()?;
        let length = usize::try_from(u64::from_le_bytes(*length)).ok()?;
        let field = rest.get(..length)?;
        *input = &rest[length..];
        Some(field)
    }

    /// Reads the next field of `input` as text.
    pub fn take_str(input: &mut &[u8]) -> Option<String> {
        Frame::take(input).map(|f| String::from_utf8_lossy(f).into_owned())
    }
}

//! File change notifications for the live preview.
//!
//! Written on notify directly rather than with typst-kit's watcher: that one watches each file
//! on its own and waits 100 ms after every event, which alone would exceed our 100 ms
//! edit-to-PDF target. Watching the *folders* of the files instead makes editors that save by
//! writing a temporary file and renaming it over the original (vim, many IDEs) a non-event: the
//! folder watch sees the new file arrive under the watched name.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{Event, RecommendedWatcher, RecursiveMode, Watcher as _};

/// How long to wait after an event for the next one of the same save. Editors write a save
/// as events microseconds apart (truncate and write, or write a copy and rename); 10 ms covers
/// them with room, and is a fifth of the latency budget of the preview.
const QUIET: Duration = Duration::from_millis(10);
/// Longest wait for a burst of events to end, so that a stream of writes still renders.
const MAX_BATCH: Duration = Duration::from_millis(400);

/// Watches a set of files (and folders, whose whole content counts).
pub struct FileWatcher {
    watcher: RecommendedWatcher,
    events: Receiver<notify::Result<Event>>,
    folders: HashSet<PathBuf>,
    targets: HashSet<PathBuf>,
}

impl FileWatcher {
    /// Starts a watcher that watches nothing yet.
    pub fn new() -> Result<FileWatcher> {
        let (tx, events) = std::sync::mpsc::channel();
        let watcher = notify::recommended_watcher(tx)
            .context("impossible de surveiller les fichiers (notify)")?;
        Ok(FileWatcher { watcher, events, folders: HashSet::new(), targets: HashSet::new() })
    }

    /// Watches exactly these files and folders from now on.
    pub fn set(&mut self, paths: &[PathBuf]) -> Result<()> {
        let targets: HashSet<PathBuf> = paths.iter().map(|p| absolute(p)).collect();
        let folders: HashSet<PathBuf> = targets
            .iter()
            .flat_map(|t| {
                [Some(t.clone()).filter(|t| t.is_dir()), t.parent().map(Path::to_path_buf)]
            })
            .flatten()
            .filter(|f| f.is_dir())
            .collect();
        for gone in self.folders.difference(&folders) {
            let _ = self.watcher.unwatch(gone);
        }
        for new in folders.difference(&self.folders) {
            self.watcher
                .watch(new, RecursiveMode::NonRecursive)
                .with_context(|| format!("impossible de surveiller {}", new.display()))?;
        }
        self.folders = folders;
        self.targets = targets;
        Ok(())
    }

    /// Blocks until a watched file changed, then waits for the burst of events of that save
    /// to end. Returns the changed paths.
    pub fn wait(&mut self) -> Result<Vec<PathBuf>> {
        let mut changed = Vec::new();
        while changed.is_empty() {
            let event = self.events.recv().context("la surveillance des fichiers s'est arrêtée")?;
            self.collect(event, &mut changed);
        }
        let start = Instant::now();
        while start.elapsed() < MAX_BATCH {
            match self.events.recv_timeout(QUIET) {
                Ok(event) => self.collect(event, &mut changed),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        changed.sort();
        changed.dedup();
        Ok(changed)
    }

    fn collect(&self, event: notify::Result<Event>, changed: &mut Vec<PathBuf>) {
        let Ok(event) = event else { return };
        if !is_change(&event.kind) {
            return;
        }
        changed.extend(event.paths.into_iter().filter(|p| self.is_watched(p)));
    }

    fn is_watched(&self, path: &Path) -> bool {
        self.targets.contains(path)
            || path.parent().is_some_and(|p| self.targets.contains(p) && p.is_dir())
    }
}

/// Content changes; reads and metadata-only changes are not.
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        EventKind::Modify(notify::event::ModifyKind::Metadata(_)) => false,
        _ => true,
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

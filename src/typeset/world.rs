//! The Typst `World` of a dossier: generated sources and assets held in memory, fonts embedded
//! in the binary, no access to the system fonts, the network or the disk.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::diagnostics::DiagnosticWorld;
use typst_kit::files::{FileLoader, FileStore};
use typst_kit::fonts::FontStore;
use typst_layout::PagedDocument;

macro_rules! fonts {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("../../fonts/", $name)))),*]
    };
}

/// The fonts of the dossier by file name (SIL Open Font License, see fonts/OFL.txt).
const FONTS: &[(&str, &[u8])] = fonts![
    "NotoSerif-Regular.ttf",
    "NotoSerif-Bold.ttf",
    "NotoSerif-Italic.ttf",
    "NotoSerif-BoldItalic.ttf",
    "NotoSans-Regular.ttf",
    "NotoSans-Bold.ttf",
    "NotoSans-Italic.ttf",
    "NotoSans-BoldItalic.ttf",
    // Fallbacks found by Typst for glyphs the text fonts lack (≥, →, ✓…).
    "NotoSansMath-Regular.ttf",
    "NotoSansSymbols-Regular.ttf",
    "NotoSansSymbols2-Regular.ttf",
];

/// The bytes of one embedded font file (empty if the name is unknown).
pub fn font_bytes(name: &str) -> &'static [u8] {
    FONTS.iter().find(|(n, _)| *n == name).map(|(_, b)| *b).unwrap_or(&[])
}

/// The embedded font files, by file name.
pub fn font_files() -> impl Iterator<Item = (&'static str, &'static [u8])> {
    FONTS.iter().copied()
}

/// Family of the body text.
pub const SERIF_FAMILY: &str = "Noto Serif";
/// Family of headings, tables and charts.
pub const SANS_FAMILY: &str = "Noto Sans";

/// What every document of the process shares: the standard library and the fonts.
pub struct Shared {
    library: LazyHash<Library>,
    fonts: FontStore,
}

static SHARED: LazyLock<Arc<Shared>> = LazyLock::new(|| {
    let mut fonts = FontStore::new();
    for (_, data) in FONTS {
        fonts.extend(Font::iter(Bytes::new(*data)).map(|font| {
            let info = font.info().clone();
            (font, info)
        }));
    }
    Arc::new(Shared { library: LazyHash::new(Library::default()), fonts })
});

impl Shared {
    /// The process-wide instance (fonts are parsed once).
    pub fn get() -> Arc<Shared> {
        SHARED.clone()
    }
}

/// Whether some embedded font has a glyph for `c`.
pub fn has_glyph(c: char) -> bool {
    let book = SHARED.fonts.book();
    (0..).map_while(|i| book.info(i)).any(|info| info.coverage.contains(u32::from(c)))
}

/// Interns a fixed virtual path. Documents reuse the same paths so the global file-id table
/// (capped at 65 535 entries) does not grow with the number of documents rendered.
pub fn file_id(path: &str) -> FileId {
    // Paths come from our own constants and generated names; an invalid one is a bug.
    let vpath = VirtualPath::new(path).expect("virtual paths are absolute and valid");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

/// In-memory files of one document.
#[derive(Default)]
pub struct MemoryFiles {
    files: HashMap<FileId, Bytes>,
}

impl FileLoader for MemoryFiles {
    fn load(&self, id: FileId) -> FileResult<Bytes> {
        self.files
            .get(&id)
            .cloned()
            .ok_or_else(|| FileError::NotFound(id.vpath().get_without_slash().into()))
    }
}

/// The world of one dossier.
pub struct DossierWorld {
    shared: Arc<Shared>,
    main: FileId,
    files: FileStore<MemoryFiles>,
    today: Datetime,
    /// The document last laid out in this world, whose introspector starts the next layout
    /// (the live layout loop of typeset/compile.rs).
    last: Option<PagedDocument>,
}

impl DossierWorld {
    /// Creates a world whose entry point is `/main.typ` and whose "today" is the dossier date
    /// (so that output never depends on the clock).
    pub fn new(today: Datetime) -> Self {
        DossierWorld {
            shared: Shared::get(),
            main: file_id("/main.typ"),
            files: FileStore::new(MemoryFiles::default()),
            today,
            last: None,
        }
    }

    /// Sets the content of a virtual file, replacing any previous content.
    pub fn set_file(&mut self, path: &str, data: Bytes) {
        self.files.loader_mut().files.insert(file_id(path), data);
    }

    /// Removes every file (keeping parsed sources for incremental reparsing).
    pub fn clear_files(&mut self) {
        self.files.loader_mut().files.clear();
    }

    /// Changes the date Typst sees as "today" (the dossier date may change while editing).
    pub fn set_today(&mut self, today: Datetime) {
        self.today = today;
    }

    /// The document last laid out in this world, if any.
    pub fn last_document(&self) -> Option<&PagedDocument> {
        self.last.as_ref()
    }

    /// Keeps a laid-out document: the next layout in this world starts from its introspector.
    pub fn remember(&mut self, document: PagedDocument) {
        self.last = Some(document);
    }

    /// Marks all files stale before a recompilation.
    pub fn reset(&mut self) {
        self.files.reset();
    }
}

impl World for DossierWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.shared.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.shared.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.files.source(id)
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files.file(id)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.shared.fonts.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

impl DiagnosticWorld for DossierWorld {
    fn name(&self, id: FileId) -> String {
        format!("<généré>{}", id.vpath().get_with_slash())
    }
}

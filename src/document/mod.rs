//! Making the document: the Typst sources from the tera templates, the charts as SVG, and the
//! files attached to the PDF (and read back from it).

pub mod charts;
pub mod extract;
pub mod pieces;
pub mod template;

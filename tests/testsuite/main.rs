//! Integration tests: they run the real `cdm-render` binary on the examples and on the fixtures
//! of tests/fixtures/, and read the PDFs back with `pdftotext` (poppler-utils).

mod annexes;
mod architecture;
mod audit;
mod batch;
mod browser;
mod cli;
mod commission;
mod completeness;
mod drafting;
mod edit;
mod edit_page;
mod examples;
mod figures;
mod fixtures;
mod hostile;
mod hostile_files;
mod layout;
mod limits;
mod malformed;
mod maps;
mod outputs;
mod spreadsheets;
mod standards;
mod support;
mod watch;

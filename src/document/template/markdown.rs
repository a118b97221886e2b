//! Markdown in narrative fields (opt-in with `[apparence] markdown = true`): paragraphs, lists,
//! bold, italic, links and simple tables become Typst markup; everything else (headings,
//! quotes, code blocks, HTML, images) stays literal text. Every piece of text goes through
//! [`escape_markup`], so no raw Typst can pass through.
//!
//! pulldown-cmark parses; the Typst side is written here because no crate targets Typst markup.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::filters::{escape_markup, string_literal};

/// Converts Markdown text to Typst markup.
pub fn to_typst(text: &str) -> String {
    let mut writer = Writer {
        source: text,
        out: String::new(),
        lists: Vec::new(),
        links: Vec::new(),
        table: None,
    };
    let mut events = Parser::new_ext(text, Options::ENABLE_TABLES).into_offset_iter();
    while let Some((event, range)) = events.next() {
        if let Event::Start(tag) = &event
            && !supported(tag)
        {
            if matches!(
                tag,
                Tag::Image { .. } | Tag::Strikethrough | Tag::Superscript | Tag::Subscript
            ) {
                writer.out.push_str(&escape_markup(&text[range]));
            } else {
                writer.literal(range);
            }
            skip_to_end(&mut events);
            continue;
        }
        writer.event(event, range);
    }
    writer.out.trim().to_string()
}

/// The elements the PDF formats (the others it prints as written); the editor's preview of
/// Markdown (`edit/markdown.rs`) formats the same.
pub(crate) fn supported(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::List(_)
            | Tag::Item
            | Tag::Emphasis
            | Tag::Strong
            | Tag::Link { .. }
            | Tag::Table(_)
            | Tag::TableHead
            | Tag::TableRow
            | Tag::TableCell
    )
}

/// Skips the events of an element whose start was just read.
pub(crate) fn skip_to_end<'a>(events: &mut impl Iterator<Item = (Event<'a>, Range<usize>)>) {
    let mut depth = 1;
    for (event, _) in events {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            return;
        }
    }
}

/// A table being read: its cells (Typst markup), the number of header cells, and the output
/// written before it.
struct Table {
    cells: Vec<String>,
    columns: usize,
    outer: String,
}

struct Writer<'a> {
    source: &'a str,
    out: String,
    /// Nesting of the open lists: `true` for numbered ones.
    lists: Vec<bool>,
    /// The open links: `true` for those written as Typst links (web and e-mail addresses).
    links: Vec<bool>,
    table: Option<Table>,
}

impl Writer<'_> {
    fn event(&mut self, event: Event, range: Range<usize>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => self.out.push_str(&escape_markup(&text)),
            Event::Code(code) => self.out.push_str(&format!("#raw({})", string_literal(&code))),
            Event::SoftBreak => self.out.push(' '),
            Event::HardBreak => self.out.push_str("#linebreak()"),
            // Inline HTML and footnote references are shown as written, in the line.
            Event::InlineHtml(_) | Event::FootnoteReference(_) | Event::InlineMath(_) => {
                self.out.push_str(&escape_markup(&self.source[range]))
            }
            // Block HTML, rules, display maths… too, as their own paragraph.
            _ => self.literal(range),
        }
    }

    fn start(&mut self, tag: Tag) {
        match tag {
            Tag::Paragraph if self.lists.is_empty() && self.table.is_none() => self.block_break(),
            Tag::Paragraph => self.out.push(' '),
            Tag::List(start) => {
                if self.lists.is_empty() {
                    self.block_break();
                }
                self.lists.push(start.is_some());
            }
            Tag::Item => {
                let indent = "  ".repeat(self.lists.len().saturating_sub(1));
                let marker = if self.lists.last() == Some(&true) { "+" } else { "-" };
                self.out.push_str(&format!("\n{indent}{marker} "));
            }
            Tag::Emphasis => self.out.push_str("#emph["),
            Tag::Strong => self.out.push_str("#strong["),
            Tag::Link { dest_url, .. } => {
                // A link to anything else than the web or an address (a file, a script) keeps
                // its text, without the link.
                let web = is_web(&dest_url);
                if web {
                    self.out.push_str(&format!("#link({})[", string_literal(&dest_url)));
                }
                self.links.push(web);
            }
            Tag::Table(_) => {
                self.block_break();
                let outer = std::mem::take(&mut self.out);
                self.table = Some(Table { cells: Vec::new(), columns: 0, outer });
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::List(_) => {
                self.lists.pop();
                if self.lists.is_empty() {
                    self.out.push('\n');
                }
            }
            TagEnd::Emphasis | TagEnd::Strong => self.out.push(']'),
            TagEnd::Link if self.links.pop() == Some(true) => self.out.push(']'),
            TagEnd::TableCell => {
                let cell = std::mem::take(&mut self.out);
                if let Some(table) = &mut self.table {
                    table.cells.push(format!("[{}]", cell.trim()));
                }
            }
            TagEnd::TableHead => {
                if let Some(table) = &mut self.table {
                    table.columns = table.cells.len();
                }
            }
            TagEnd::Table => {
                let Some(table) = self.table.take() else { return };
                let (head, body) = table.cells.split_at(table.columns);
                self.out = table.outer;
                self.out.push_str(&format!(
                    "#tableau-texte({}, ({},), {})\n",
                    table.columns.max(1),
                    head.join(", "),
                    body.join(", ")
                ));
            }
            _ => {}
        }
    }

    fn block_break(&mut self) {
        if !self.out.is_empty() {
            self.out.push_str("\n\n");
        }
    }

    /// Shows a piece of the source as written, one paragraph per blank-line-separated block.
    fn literal(&mut self, range: Range<usize>) {
        let text = &self.source[range];
        for (i, paragraph) in
            text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).enumerate()
        {
            if i > 0 || self.lists.is_empty() && self.table.is_none() {
                self.block_break();
            }
            self.out.push_str(&escape_markup(paragraph));
        }
    }
}

fn is_web(url: &str) -> bool {
    ["http://", "https://", "mailto:"].iter().any(|p| url.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::to_typst;

    #[test]
    fn supported_markdown_becomes_typst_and_the_rest_stays_escaped() {
        let typst = to_typst("**gras** et *italique*, [site](https://a.fr) et [f](file:///x)");
        assert_eq!(typst, "#strong[gras] et #emph[italique], #link(\"https://a.fr\")[site] et f");
        let hostile = to_typst("#panic(\"x\") $y$ <b> ![i](i.png)");
        assert!(!hostile.contains("#panic") || hostile.contains("\\#panic"), "{hostile}");
        assert!(hostile.contains("\\$y\\$"), "{hostile}");
        assert!(hostile.contains("!\\[i\\]"), "{hostile}");
    }

    #[test]
    fn lists_nest_and_tables_use_the_dossier_table_style() {
        let typst = to_typst("- a\n  - b\n1. c\n\n| x | y |\n|---|---|\n| 1 | 2 |");
        assert!(typst.starts_with("- a\n  - b"), "{typst}");
        assert!(typst.contains("+ c"), "{typst}");
        assert!(typst.contains("#tableau-texte(2, ([x], [y],), [1], [2])"), "{typst}");
    }
}

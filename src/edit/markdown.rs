//! The preview of Markdown under the page's text fields (`POST /api/markdown`), for a dossier
//! that enables it (`[apparence] markdown = true`).
//!
//! The HTML is made here, on the server, by pulldown-cmark, the parser the PDF reads Markdown
//! with (`document/template/markdown.rs`), rather than by a small renderer in the page: one
//! parser for the PDF and its preview, so the preview shows the subset the PDF prints
//! (paragraphs, lists, bold, italic, links, tables) and everything else as the literal text the
//! PDF prints, and no Markdown code of our own to keep safe. Safe by construction: HTML written
//! in the text becomes text (escaped by `push_html`), a link is a link only when its address is
//! `http:`, `https:` or `mailto:` (otherwise its text alone), and images are not loaded (their
//! source text is shown).

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

use crate::document::template::markdown::{skip_to_end, supported};

/// The HTML preview of a text written in Markdown.
pub fn to_html(text: &str) -> String {
    let mut events = Parser::new_ext(text, Options::ENABLE_TABLES).into_offset_iter();
    let mut kept: Vec<Event> = Vec::new();
    // Inside a link whose address is not kept: its text is shown as plain text.
    let mut unlinked = false;
    while let Some((event, range)) = events.next() {
        match event {
            Event::Start(tag) if !supported(&tag) => {
                let literal = Event::Text(CowStr::from(text[range].trim_end().to_string()));
                skip_to_end(&mut events);
                if inline(&tag) {
                    kept.push(literal);
                } else {
                    kept.extend([
                        Event::Start(Tag::Paragraph),
                        literal,
                        Event::End(TagEnd::Paragraph),
                    ]);
                }
            }
            Event::Start(Tag::Link { ref dest_url, .. }) if !safe_address(dest_url) => {
                unlinked = true;
            }
            Event::End(TagEnd::Link) if unlinked => unlinked = false,
            Event::Html(html) | Event::InlineHtml(html) => kept.push(Event::Text(html)),
            other => kept.push(other),
        }
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, kept.into_iter());
    html
}

/// The unsupported elements that sit inside a line (the others are blocks).
fn inline(tag: &Tag) -> bool {
    matches!(tag, Tag::Image { .. } | Tag::Strikethrough | Tag::Superscript | Tag::Subscript)
}

fn safe_address(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    ["http://", "https://", "mailto:"].iter().any(|scheme| lower.starts_with(scheme))
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn the_subset_the_pdf_formats_is_formatted() {
        let html = to_html(
            "Un **gras**, une *italique* et [un lien](https://exemple.fr).\n\n- un\n- deux\n",
        );
        assert!(html.contains("<strong>gras</strong>"), "{html}");
        assert!(html.contains("<em>italique</em>"), "{html}");
        assert!(html.contains("<a href=\"https://exemple.fr\">un lien</a>"), "{html}");
        assert!(html.contains("<ul>\n<li>un</li>"), "{html}");
    }

    #[test]
    fn html_scripts_and_images_in_the_text_are_shown_as_text() {
        let html = to_html(
            "<script>alert(1)</script>\n\nUn <img src=x onerror=alert(2)> ![logo](http://ailleurs/x.png) [lien](javascript:alert(3))\n\n# Titre\n",
        );
        assert!(!html.contains("<script") && !html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{html}");
        assert!(html.contains("![logo](http://ailleurs/x.png)"), "{html}");
        assert!(!html.contains("javascript") && html.contains(" lien</p>"), "{html}");
        assert!(html.contains("<p># Titre</p>"), "{html}");
    }
}

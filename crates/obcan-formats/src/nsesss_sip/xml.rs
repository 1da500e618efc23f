//! A small XML writer: elements nest through closures, so tags always
//! balance, and every text and attribute value is escaped on the way out.
//! Values reach it already checked (no control characters), so whatever it
//! writes is well-formed. White space around values is dropped.

use std::fmt::Write as _;

const INDENT: &str = "  ";

pub(super) struct XmlWriter {
    out: String,
    depth: usize,
}

impl XmlWriter {
    pub(super) fn new() -> Self {
        Self {
            out: String::from(r#"<?xml version="1.0" encoding="UTF-8"?>"#),
            depth: 0,
        }
    }

    pub(super) fn finish(mut self) -> String {
        self.out.push('\n');
        self.out
    }

    /// An element holding other elements.
    pub(super) fn element(
        &mut self,
        name: &str,
        attributes: &[(&str, &str)],
        content: impl FnOnce(&mut Self),
    ) {
        self.start_tag(name, attributes);
        self.out.push('>');
        self.depth += 1;
        content(self);
        self.depth -= 1;
        self.new_line();
        let _ = write!(self.out, "</{name}>");
    }

    /// An element holding text only.
    pub(super) fn text(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) {
        self.start_tag(name, attributes);
        self.out.push('>');
        escape_into(&mut self.out, text.trim(), false);
        let _ = write!(self.out, "</{name}>");
    }

    /// An element with neither elements nor text.
    pub(super) fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.start_tag(name, attributes);
        self.out.push_str("/>");
    }

    fn start_tag(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.new_line();
        let _ = write!(self.out, "<{name}");
        for (attribute, value) in attributes {
            let _ = write!(self.out, " {attribute}=\"");
            escape_into(&mut self.out, value.trim(), true);
            self.out.push('"');
        }
    }

    fn new_line(&mut self) {
        self.out.push('\n');
        for _ in 0..self.depth {
            self.out.push_str(INDENT);
        }
    }
}

/// Escapes markup characters; in attribute values also `"` and the white
/// space that attribute-value normalisation would otherwise turn into spaces.
fn escape_into(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nests_and_escapes() {
        let mut xml = XmlWriter::new();
        xml.element("a", &[("t", "\"x\" & <y>\n z")], |xml| {
            xml.text("b", &[], " 1 < 2 & 3 > 2 \"ok\"\n");
            xml.empty("c", &[("d", "e")]);
        });
        assert_eq!(
            xml.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <a t=\"&quot;x&quot; &amp; &lt;y&gt;&#10; z\">\n  \
             <b>1 &lt; 2 &amp; 3 &gt; 2 \"ok\"</b>\n  \
             <c d=\"e\"/>\n\
             </a>\n"
        );
    }
}

//! Text: UTF-8 validity over the whole stream, and how a text starts.

use super::Script;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Whether every byte so far is UTF-8 without NUL; a character may straddle
/// two chunks.
#[derive(Debug, Default)]
pub(super) struct Utf8Check {
    invalid: bool,
    /// The start of a character the next chunk completes.
    pending: [u8; 4],
    pending_len: usize,
}

impl Utf8Check {
    pub(super) fn update(&mut self, mut chunk: &[u8]) {
        if self.invalid {
            return;
        }
        if chunk.contains(&0) {
            self.invalid = true;
            return;
        }
        if self.pending_len > 0 {
            let width = utf8_width(self.pending[0]);
            let take = (width - self.pending_len).min(chunk.len());
            self.pending[self.pending_len..self.pending_len + take].copy_from_slice(&chunk[..take]);
            self.pending_len += take;
            chunk = &chunk[take..];
            if self.pending_len < width {
                return;
            }
            if std::str::from_utf8(&self.pending[..width]).is_err() {
                self.invalid = true;
                return;
            }
            self.pending_len = 0;
        }
        if let Err(error) = std::str::from_utf8(chunk) {
            let rest = &chunk[error.valid_up_to()..];
            // An incomplete character at the end: the next chunk may finish it.
            if error.error_len().is_none() && utf8_width(rest[0]) > rest.len() {
                self.pending[..rest.len()].copy_from_slice(rest);
                self.pending_len = rest.len();
            } else {
                self.invalid = true;
            }
        }
    }

    /// Whether the whole file was UTF-8 text: no character left unfinished.
    pub(super) fn is_text(&self) -> bool {
        !self.invalid && self.pending_len == 0
    }
}

/// How many bytes a character starting with this byte takes; 0 if none.
fn utf8_width(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => 0,
    }
}

/// Whether a text starts (after a byte order mark and white space) with an
/// XML declaration.
pub(super) fn starts_with_xml_declaration(head: &[u8]) -> bool {
    let start = head.strip_prefix(BOM).unwrap_or(head);
    let start = &start[start.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
    start.starts_with(b"<?xml") && start.get(5).is_some_and(|b| b.is_ascii_whitespace())
}

pub(super) fn has_isdoc_namespace(head: &[u8]) -> bool {
    find(head, b"http://isdoc.cz/namespace/").is_some()
}

/// What a browser or a web server would run a text as, judging by its first
/// element, after a byte order mark, white space, the XML declaration,
/// processing instructions, comments and an XML document type declaration.
pub(super) fn script_start(head: &[u8]) -> Option<Script> {
    let mut rest = head.strip_prefix(BOM).unwrap_or(head);
    loop {
        rest = &rest[rest.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
        if starts_with_ignore_case(rest, b"<?php") {
            return Some(Script::Php);
        }
        let end = if rest.starts_with(b"<?") {
            b"?>".as_slice()
        } else if rest.starts_with(b"<!--") {
            b"-->".as_slice()
        } else {
            break;
        };
        rest = &rest[find(rest, end)? + end.len()..];
    }
    let doctype = starts_with_ignore_case(rest, b"<!doctype");
    let name_start = if doctype {
        let after = &rest[b"<!doctype".len()..];
        b"<!doctype".len() + after.iter().take_while(|b| b.is_ascii_whitespace()).count()
    } else if rest.first() == Some(&b'<') {
        1
    } else {
        return None;
    };
    let name = &rest[name_start..];
    let name = &name[..name
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || b":-_.".contains(&b))
        .count()];
    // A namespaced root ("<h:html>") is judged by its local name.
    let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
    let local = local.to_ascii_lowercase();
    match local.as_slice() {
        b"svg" => Some(Script::Svg),
        b"html" => Some(Script::Html),
        b"head" | b"body" | b"script" | b"iframe" if !doctype => Some(Script::Html),
        _ => None,
    }
}

/// Whether bytes hold markup that would make a browser run them.
pub(super) fn has_markup(bytes: &[u8]) -> bool {
    [b"<script".as_slice(), b"<html", b"<svg", b"<?php"]
        .iter()
        .any(|markup| find_ignore_case(bytes, markup))
}

pub(super) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window.eq_ignore_ascii_case(needle))
}

fn starts_with_ignore_case(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes
        .get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(chunks: &[&[u8]]) -> bool {
        let mut check = Utf8Check::default();
        for chunk in chunks {
            check.update(chunk);
        }
        check.is_text()
    }

    #[test]
    fn characters_may_straddle_chunks() {
        let text = "Příliš žluťoučký kůň 🐴".as_bytes();
        for split in 0..text.len() {
            assert!(check(&[&text[..split], &text[split..]]), "split at {split}");
        }
        let single: Vec<&[u8]> = text.chunks(1).collect();
        assert!(check(&single));
    }

    #[test]
    fn invalid_or_unfinished_utf8_is_no_text() {
        assert!(!check(&[b"abc\xFFdef"]));
        assert!(!check(&[b"abc\xC5"]));
        assert!(!check(&[b"abc\xC5", b"x"]));
        assert!(!check(&[b"abc", b"\0"]));
        assert!(!check(&[b"\xED\xA0\x80"]));
        assert!(!check(&[b"\xF0\x9F", b"\x90"]));
    }

    #[test]
    fn script_starts() {
        assert_eq!(script_start(b"<!DOCTYPE html><p>"), Some(Script::Html));
        assert_eq!(script_start(b"\xEF\xBB\xBF \n <HTML>"), Some(Script::Html));
        assert_eq!(
            script_start(b"<svg xmlns=\"http://www.w3.org/2000/svg\">"),
            Some(Script::Svg)
        );
        assert_eq!(
            script_start(b"<ScRiPt>alert(1)</script>"),
            Some(Script::Html)
        );
        assert_eq!(script_start(b"<?php echo 1;"), Some(Script::Php));
        assert_eq!(
            script_start(b"<?xml version=\"1.0\"?>\n<!-- x -->\n<html xmlns=\"http://www.w3.org/1999/xhtml\">"),
            Some(Script::Html)
        );
        assert_eq!(
            script_start(
                b"<?xml version=\"1.0\"?><!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\">"
            ),
            Some(Script::Svg)
        );
        assert_eq!(
            script_start(b"<svg:svg xmlns:svg=\"x\">"),
            Some(Script::Svg)
        );
        assert_eq!(script_start(b"<?xml version=\"1.0\"?><faktura/>"), None);
        assert_eq!(script_start(b"<htmlish/>"), None);
        assert_eq!(script_start(b"Dobry den, <html> je znacka."), None);
        assert_eq!(script_start(b"<!-- neukonceny komentar"), None);
    }
}

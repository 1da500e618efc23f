//! Laying a document out on pages: where each line of text and each rule goes.
//! Coordinates are PDF points from the page's bottom left corner.

use super::font::{Fonts, Style, Typeface};
use super::{Block, Document, PdfError, Table};

/// A4.
pub(crate) const PAGE_WIDTH: f32 = 595.276;
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
/// 20 mm on every side; the footer sits in the bottom margin.
const MARGIN: f32 = 56.693;
const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const TOP: f32 = PAGE_HEIGHT - MARGIN;
const BOTTOM: f32 = MARGIN;

const FOOTER_RULE: f32 = BOTTOM - 12.0;
const FOOTER_LINES: usize = 3;

const CELL_PADDING_X: f32 = 4.0;
const CELL_PADDING_Y: f32 = 3.0;

#[derive(Debug, Clone, Copy)]
struct TextStyle {
    style: Style,
    size: f32,
    /// Line height as a multiple of the size.
    leading: f32,
}

impl TextStyle {
    fn line_height(self) -> f32 {
        self.size * self.leading
    }
}

const TITLE: TextStyle = TextStyle {
    style: Style::Bold,
    size: 16.0,
    leading: 1.25,
};
const HEADING: TextStyle = TextStyle {
    style: Style::Bold,
    size: 12.0,
    leading: 1.3,
};
const BODY: TextStyle = TextStyle {
    style: Style::Regular,
    size: 10.0,
    leading: 1.35,
};
const NOTE: TextStyle = TextStyle {
    style: Style::Regular,
    size: 8.5,
    leading: 1.35,
};
const CELL: TextStyle = TextStyle {
    style: Style::Regular,
    size: 9.0,
    leading: 1.3,
};
const HEADER_CELL: TextStyle = TextStyle {
    style: Style::Bold,
    ..CELL
};
const FOOTER: TextStyle = TextStyle {
    style: Style::Regular,
    size: 8.0,
    leading: 1.3,
};

/// Something drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    /// One line of text, its baseline starting at (x, y).
    Text {
        style: Style,
        size: f32,
        x: f32,
        y: f32,
        text: String,
    },
    /// A horizontal line.
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
        width: f32,
        gray: f32,
    },
    /// A filled rectangle, its bottom left corner at (x, y).
    Shade {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        gray: f32,
    },
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Page {
    pub(crate) ops: Vec<Op>,
}

/// The document's pages, footers included.
pub(crate) fn lay_out(document: &Document, fonts: &Fonts) -> Result<Vec<Page>, PdfError> {
    let mut layout = Layout::new(fonts);
    layout.title(&document.title);
    for block in &document.blocks {
        match block {
            Block::Heading(text) => layout.heading(text),
            Block::Paragraph(text) => layout.paragraph(text, BODY),
            Block::Note(text) => layout.paragraph(text, NOTE),
            Block::Table(table) => layout.table(table),
        }
    }
    let mut pages = layout.finish();
    let count = pages.len();
    for (index, page) in pages.iter_mut().enumerate() {
        let label = (document.page_label)(index + 1, count);
        footer(page, fonts, &document.footer, &label)?;
    }
    Ok(pages)
}

fn footer(page: &mut Page, fonts: &Fonts, text: &str, label: &str) -> Result<(), PdfError> {
    let face = fonts.get(FOOTER.style);
    let label_width = face.width(label, FOOTER.size);
    let lines = wrap(face, text, FOOTER.size, TEXT_WIDTH - label_width - 12.0);
    if lines.len() > FOOTER_LINES {
        return Err(PdfError::FooterTooLong);
    }
    page.ops.push(Op::Rule {
        x1: MARGIN,
        x2: PAGE_WIDTH - MARGIN,
        y: FOOTER_RULE,
        width: 0.5,
        gray: 0.6,
    });
    let first_baseline = FOOTER_RULE - 4.0 - baseline_offset(face, FOOTER);
    page.ops.push(Op::Text {
        style: FOOTER.style,
        size: FOOTER.size,
        x: PAGE_WIDTH - MARGIN - label_width,
        y: first_baseline,
        text: label.to_owned(),
    });
    let mut baseline = first_baseline;
    for line in lines {
        page.ops.push(Op::Text {
            style: FOOTER.style,
            size: FOOTER.size,
            x: MARGIN,
            y: baseline,
            text: line,
        });
        baseline -= FOOTER.line_height();
    }
    Ok(())
}

/// From the top of a line's box to its baseline: the box is the line
/// height, with the font's ascent and descent centred in it.
fn baseline_offset(face: &Typeface, style: TextStyle) -> f32 {
    let ascent = face.ascent() * style.size / 1000.0;
    let descent = -face.descent() * style.size / 1000.0;
    (style.line_height() - ascent - descent) / 2.0 + ascent
}

/// Breaks text into lines no wider than `width`: at spaces, and inside a
/// word only when the word alone is wider.
pub(crate) fn wrap(face: &Typeface, text: &str, size: f32, width: f32) -> Vec<String> {
    let space = face.width(" ", size);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_width = 0.0;
    for word in text.split(' ').filter(|word| !word.is_empty()) {
        let word_width = face.width(word, size);
        if !line.is_empty() && line_width + space + word_width <= width {
            line.push(' ');
            line.push_str(word);
            line_width += space + word_width;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if word_width <= width {
            line.push_str(word);
            line_width = word_width;
            continue;
        }
        // A word wider than the line: as many characters as fit, at least one.
        line_width = 0.0;
        for ch in word.chars() {
            let ch_width = face.width(ch.encode_utf8(&mut [0; 4]), size);
            if !line.is_empty() && line_width + ch_width > width {
                lines.push(std::mem::take(&mut line));
                line_width = 0.0;
            }
            line.push(ch);
            line_width += ch_width;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

struct Layout<'f> {
    fonts: &'f Fonts,
    done: Vec<Page>,
    page: Page,
    /// The top of the free space left on the page.
    y: f32,
}

impl<'f> Layout<'f> {
    fn new(fonts: &'f Fonts) -> Self {
        Self {
            fonts,
            done: Vec::new(),
            page: Page::default(),
            y: TOP,
        }
    }

    fn finish(mut self) -> Vec<Page> {
        self.done.push(self.page);
        self.done
    }

    fn new_page(&mut self) {
        self.done.push(std::mem::take(&mut self.page));
        self.y = TOP;
    }

    fn at_top(&self) -> bool {
        self.y >= TOP
    }

    fn room(&self) -> f32 {
        self.y - BOTTOM
    }

    /// Vertical space between blocks; none at the top of a page.
    fn space(&mut self, amount: f32) {
        if !self.at_top() {
            self.y -= amount;
        }
    }

    /// Starts a new page unless `height` fits on this one (or this one is
    /// empty, where nothing would be gained).
    fn keep(&mut self, height: f32) {
        if height > self.room() && !self.at_top() {
            self.new_page();
        }
    }

    fn line(&mut self, style: TextStyle, x: f32, text: String) {
        let face = self.fonts.get(style.style);
        self.page.ops.push(Op::Text {
            style: style.style,
            size: style.size,
            x,
            y: self.y - baseline_offset(face, style),
            text,
        });
    }

    fn lines(&mut self, style: TextStyle, text: &str) {
        let lines = wrap(self.fonts.get(style.style), text, style.size, TEXT_WIDTH);
        for line in lines {
            self.keep(style.line_height());
            self.line(style, MARGIN, line);
            self.y -= style.line_height();
        }
    }

    fn title(&mut self, text: &str) {
        self.lines(TITLE, text);
        self.y -= 10.0;
    }

    fn heading(&mut self, text: &str) {
        self.space(8.0);
        let lines = wrap(
            self.fonts.get(HEADING.style),
            text,
            HEADING.size,
            TEXT_WIDTH,
        );
        // A heading is not left alone at the foot of a page.
        let heading_height = lines.len() as f32 * HEADING.line_height();
        self.keep(heading_height + 3.0 * BODY.line_height());
        self.lines(HEADING, text);
        self.y -= 3.0;
    }

    fn paragraph(&mut self, text: &str, style: TextStyle) {
        self.lines(style, text);
        self.y -= 5.0;
    }

    fn table(&mut self, table: &Table) {
        let total: f32 = table.widths.iter().sum();
        let columns: Vec<(f32, f32)> = table
            .widths
            .iter()
            .scan(MARGIN, |x, share| {
                let width = TEXT_WIDTH * share / total;
                let column = (*x, width);
                *x += width;
                Some(column)
            })
            .collect();
        let header = table
            .header
            .as_ref()
            .map(|cells| self.wrap_cells(HEADER_CELL, &columns, cells));
        let header_height = header.as_ref().map_or(0.0, |cells| row_height(cells));
        let rows: Vec<Vec<Vec<String>>> = table
            .rows
            .iter()
            .map(|row| self.wrap_cells(CELL, &columns, row))
            .collect();
        // The table's top is not left alone at the foot of a page.
        let first_height = rows.first().map_or(0.0, |cells| row_height(cells));
        self.keep(header_height + first_height);
        match &header {
            Some(header) => self.header_row(&columns, header),
            None if !rows.is_empty() => self.rule(0.3, 0.7),
            None => {}
        }
        for cells in &rows {
            self.row(&columns, cells, header.as_ref());
        }
        self.y -= 6.0;
    }

    fn wrap_cells(
        &self,
        style: TextStyle,
        columns: &[(f32, f32)],
        cells: &[String],
    ) -> Vec<Vec<String>> {
        let face = self.fonts.get(style.style);
        columns
            .iter()
            .zip(cells)
            .map(|((_, width), text)| wrap(face, text, style.size, width - 2.0 * CELL_PADDING_X))
            .collect()
    }

    fn header_row(&mut self, columns: &[(f32, f32)], cells: &[Vec<String>]) {
        let height = row_height(cells);
        self.page.ops.push(Op::Shade {
            x: MARGIN,
            y: self.y - height,
            width: TEXT_WIDTH,
            height,
            gray: 0.92,
        });
        self.cell_lines(HEADER_CELL, columns, cells, 0, max_lines(cells));
        self.y -= height;
        self.rule(0.6, 0.35);
    }

    /// A row: moved whole to the next page if it does not fit here but
    /// would there, split between pages if it is taller than a page.
    fn row(
        &mut self,
        columns: &[(f32, f32)],
        cells: &[Vec<String>],
        header: Option<&Vec<Vec<String>>>,
    ) {
        let header_height = header.map_or(0.0, |cells| row_height(cells));
        let fit_on_fresh_page = lines_fitting(TOP - BOTTOM - header_height);
        let total = max_lines(cells);
        let mut from = 0;
        let mut fresh = false;
        loop {
            let mut fit = lines_fitting(self.room());
            if fresh {
                fit = fit.max(1);
            }
            let left = total - from;
            if fit >= left {
                self.row_part(columns, cells, from, total);
                return;
            }
            if (fresh || left > fit_on_fresh_page) && fit > 0 {
                self.row_part(columns, cells, from, from + fit);
                from += fit;
            }
            self.new_page();
            if let Some(header) = header {
                self.header_row(columns, header);
            }
            fresh = true;
        }
    }

    fn row_part(&mut self, columns: &[(f32, f32)], cells: &[Vec<String>], from: usize, to: usize) {
        self.cell_lines(CELL, columns, cells, from, to);
        self.y -= (to - from) as f32 * CELL.line_height() + 2.0 * CELL_PADDING_Y;
        self.rule(0.3, 0.7);
    }

    fn cell_lines(
        &mut self,
        style: TextStyle,
        columns: &[(f32, f32)],
        cells: &[Vec<String>],
        from: usize,
        to: usize,
    ) {
        let top = self.y;
        for ((x, _), lines) in columns.iter().zip(cells) {
            self.y = top - CELL_PADDING_Y;
            for line in lines.iter().take(to).skip(from) {
                self.line(style, x + CELL_PADDING_X, line.clone());
                self.y -= style.line_height();
            }
        }
        self.y = top;
    }

    fn rule(&mut self, width: f32, gray: f32) {
        self.page.ops.push(Op::Rule {
            x1: MARGIN,
            x2: PAGE_WIDTH - MARGIN,
            y: self.y,
            width,
            gray,
        });
    }
}

/// At least one line, so that an empty row still shows.
fn max_lines(cells: &[Vec<String>]) -> usize {
    cells.iter().map(Vec::len).max().unwrap_or(0).max(1)
}

/// How many lines of a table cell fit in `room`, padding included.
fn lines_fitting(room: f32) -> usize {
    let lines = ((room - 2.0 * CELL_PADDING_Y) / CELL.line_height()).floor();
    if lines > 0.0 { lines as usize } else { 0 }
}

fn row_height(cells: &[Vec<String>]) -> f32 {
    max_lines(cells) as f32 * CELL.line_height() + 2.0 * CELL_PADDING_Y
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> Fonts {
        Fonts::load().unwrap()
    }

    #[test]
    fn wrapping_keeps_words_whole_and_lines_within_the_width() {
        let fonts = fonts();
        let face = fonts.get(Style::Regular);
        let text = "Překročení nejvyšší dovolené rychlosti v obci o 20 km/h a více, \
                    nejde-li o jednání uvedené v jiném ustanovení";
        let lines = wrap(face, text, 10.0, 150.0);
        assert!(lines.len() > 2, "{lines:?}");
        for line in &lines {
            assert!(face.width(line, 10.0) <= 150.0, "{line}");
        }
        assert_eq!(
            lines.join(" "),
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }

    #[test]
    fn a_word_wider_than_the_line_is_broken_between_characters() {
        let fonts = fonts();
        let face = fonts.get(Style::Regular);
        let hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        let lines = wrap(face, hash, 10.0, 100.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), hash);
        for line in &lines {
            assert!(face.width(line, 10.0) <= 100.0);
        }
        assert!(wrap(face, "   ", 10.0, 100.0).is_empty());
        // Narrower than one character: one character a line, never none.
        assert_eq!(wrap(face, "ab", 10.0, 1.0), ["a", "b"]);
    }

    fn texts(page: &Page) -> Vec<&str> {
        page.ops
            .iter()
            .filter_map(|op| match op {
                Op::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    fn document(blocks: Vec<Block>) -> Document {
        Document {
            title: "Title".to_owned(),
            language: "cs".to_owned(),
            author: "Author".to_owned(),
            created: jiff::Timestamp::UNIX_EPOCH.to_zoned(jiff::tz::TimeZone::UTC),
            blocks,
            footer: "Footer".to_owned(),
            page_label: |page, pages| format!("{page}/{pages}"),
        }
    }

    #[test]
    fn a_long_table_continues_under_its_header_and_stays_inside_the_margins() {
        let rows = (1..=120)
            .map(|n| vec![format!("row {n}"), "text".to_owned()])
            .collect();
        let table = Table {
            widths: vec![1.0, 3.0],
            header: Some(vec!["Head A".to_owned(), "Head B".to_owned()]),
            rows,
        };
        let pages = lay_out(&document(vec![Block::Table(table)]), &fonts()).unwrap();
        assert!(pages.len() >= 3, "{}", pages.len());
        for (index, page) in pages.iter().enumerate() {
            let texts = texts(page);
            assert!(texts.contains(&"Head A"), "page {index}");
            assert!(texts.contains(&format!("{}/{}", index + 1, pages.len()).as_str()));
            for op in &page.ops {
                if let Op::Text { y, text, .. } = op
                    && text.starts_with("row")
                {
                    assert!(*y > BOTTOM && *y < TOP, "{text} at {y}");
                }
            }
        }
        let all: Vec<&str> = pages.iter().flat_map(texts).collect();
        for n in 1..=120 {
            let row = format!("row {n}");
            assert_eq!(all.iter().filter(|text| **text == row).count(), 1, "{row}");
        }
    }

    #[test]
    fn a_row_taller_than_a_page_is_split_between_pages() {
        let long = "slovo ".repeat(2000);
        let table = Table {
            widths: vec![1.0, 1.0],
            header: None,
            rows: vec![vec!["a".to_owned(), long.clone()]],
        };
        let pages = lay_out(&document(vec![Block::Table(table)]), &fonts()).unwrap();
        assert!(pages.len() > 1);
        let words: usize = pages
            .iter()
            .flat_map(texts)
            .filter(|text| text.starts_with("slovo"))
            .map(|text| text.split(' ').count())
            .sum();
        assert_eq!(words, 2000);
    }

    #[test]
    fn a_heading_moves_to_the_next_page_with_its_text() {
        let mut blocks: Vec<Block> = (0..55)
            .map(|n| Block::Paragraph(format!("paragraph {n}")))
            .collect();
        blocks.push(Block::Heading("Heading".to_owned()));
        blocks.push(Block::Paragraph("after".to_owned()));
        let pages = lay_out(&document(blocks), &fonts()).unwrap();
        let page_of = |wanted: &str| {
            pages
                .iter()
                .position(|page| texts(page).contains(&wanted))
                .unwrap()
        };
        assert_eq!(page_of("Heading"), page_of("after"));
    }

    #[test]
    fn a_footer_that_does_not_fit_is_refused() {
        let mut document = document(Vec::new());
        document.footer = "long footer text ".repeat(100);
        assert_eq!(lay_out(&document, &fonts()), Err(PdfError::FooterTooLong));
    }
}

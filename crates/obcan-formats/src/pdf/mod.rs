//! Office documents as PDF: a title, headings, paragraphs, notes in small
//! print, tables of two or more columns, and a footer line on every page.
//!
//! Text wraps to the page width; a table that does not fit continues on the
//! next page under its header row repeated. Pages are A4.
//!
//! The output aims at PDF/A-2b (ISO 19005-2), which decree 259/2012 asks of
//! office outputs: the fonts are embedded (subsets of Roboto, with a
//! ToUnicode map so that text can be copied and searched), XMP metadata
//! declares `pdfaid:part` 2 and `pdfaid:conformance` B and matches the
//! document information dictionary, an sRGB output intent carries its ICC
//! profile, the file has an ID, and there is no encryption, JavaScript,
//! transparency or annotation.
//!
//! Rendering is deterministic: the same [`Document`] gives the same bytes.
//! The creation date is the document's own [`Document::created`], never the
//! clock, and the file ID is the SHA-256 of the file's objects.
//!
//! Characters the font lacks are drawn as "?" (PDF/A forbids showing the
//! missing-glyph box); Roboto covers Latin, Greek and Cyrillic scripts.

mod font;
mod layout;
mod write;

use jiff::Zoned;

/// A document to render.
#[derive(Debug, Clone)]
pub struct Document {
    /// Shown at the top of the first page and in the file's metadata.
    pub title: String,
    /// The document's language as a BCP 47 tag, e.g. "cs".
    pub language: String,
    /// Who issues the document (the metadata's author), e.g. the office.
    pub author: String,
    /// When the document was made, in the zone it is to be shown in.
    pub created: Zoned,
    pub blocks: Vec<Block>,
    /// One line at the foot of every page, beside the page number.
    pub footer: String,
    /// The page number's text from the page's number and the page count,
    /// both counted from 1: e.g. "Strana 1 z 2".
    pub page_label: fn(usize, usize) -> String,
}

/// A part of a document's body, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(String),
    Paragraph(String),
    /// A paragraph in small print: legal notices, explanations.
    Note(String),
    Table(Table),
}

/// A table: rows of cells under an optional header row.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Each column's share of the text width, relative to the others.
    pub widths: Vec<f32>,
    /// Repeated at the top of every page the table continues on.
    pub header: Option<Vec<String>>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    #[error("the embedded font could not be read")]
    Font,
    #[error("the font could not be subset: {0}")]
    Subset(String),
    #[error("a table row has {cells} cells for {columns} columns")]
    RaggedTable { columns: usize, cells: usize },
    #[error("a table's column widths must be positive")]
    ColumnWidth,
    #[error("the footer does not fit in the page's margin")]
    FooterTooLong,
    #[error("the document is too large for a PDF file")]
    TooLarge,
}

/// The PDF file of a document.
pub fn render(document: &Document) -> Result<Vec<u8>, PdfError> {
    for block in &document.blocks {
        if let Block::Table(table) = block {
            check_table(table)?;
        }
    }
    let fonts = font::Fonts::load()?;
    let pages = layout::lay_out(document, &fonts)?;
    write::write(document, &pages, &fonts)
}

fn check_table(table: &Table) -> Result<(), PdfError> {
    if table.widths.is_empty()
        || table
            .widths
            .iter()
            .any(|width| !width.is_finite() || *width <= 0.0)
    {
        return Err(PdfError::ColumnWidth);
    }
    let columns = table.widths.len();
    for row in table.header.iter().chain(&table.rows) {
        if row.len() != columns {
            return Err(PdfError::RaggedTable {
                columns,
                cells: row.len(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;

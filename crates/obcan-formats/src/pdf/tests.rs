use jiff::Zoned;

use super::*;

fn created() -> Zoned {
    "2026-11-22T14:30:05+01:00[Europe/Prague]".parse().unwrap()
}

fn document() -> Document {
    Document {
        title: "Výpis – zkouška".to_owned(),
        language: "cs".to_owned(),
        author: "Město Vzorov".to_owned(),
        created: created(),
        blocks: vec![
            Block::Heading("Údaje".to_owned()),
            Block::Paragraph("Příliš žluťoučký kůň úpěl ďábelské ódy.".to_owned()),
            Block::Table(Table {
                widths: vec![1.0, 2.0],
                header: Some(vec!["Datum".to_owned(), "Popis".to_owned()]),
                rows: vec![vec!["1. 3. 2026".to_owned(), "Řízení".to_owned()]],
            }),
            Block::Note("Poznámka".to_owned()),
        ],
        footer: "Obcan".to_owned(),
        page_label: |page, pages| format!("{page}/{pages}"),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[test]
fn the_same_document_gives_the_same_bytes() {
    let first = render(&document()).unwrap();
    assert_eq!(first, render(&document()).unwrap());

    let mut other = document();
    other.created = "2026-11-22T14:30:06+01:00[Europe/Prague]".parse().unwrap();
    let second = render(&other).unwrap();
    assert_ne!(first, second);
    assert_ne!(file_id(&first), file_id(&second));
}

fn file_id(pdf: &[u8]) -> Vec<u8> {
    let start = pdf
        .windows(4)
        .rposition(|window| window == b"/ID[")
        .unwrap();
    pdf[start..].iter().take(80).copied().collect()
}

#[test]
fn the_file_claims_pdf_a_2b_and_carries_what_it_needs() {
    let pdf = render(&document()).unwrap();
    assert!(pdf.starts_with(b"%PDF-1.7\n%"));
    // The second line's comment is binary, so that tools treat the file so.
    assert!(pdf[10..14].iter().all(|byte| *byte > 127));
    for needle in [
        &b"<pdfaid:part>2</pdfaid:part>"[..],
        b"<pdfaid:conformance>B</pdfaid:conformance>",
        b"<xmp:CreateDate>2026-11-22T14:30:05+01:00</xmp:CreateDate>",
        b"/CreationDate(D:20261122143005+01'00)",
        b"/S/GTS_PDFA1",
        b"/DestOutputProfile",
        b"/FontFile2",
        b"/ToUnicode",
        b"/CIDToGIDMap/Identity",
        b"/ID[",
        b"/Lang(cs)",
    ] {
        assert!(
            contains(&pdf, needle),
            "{}",
            String::from_utf8_lossy(needle)
        );
    }
    for forbidden in [&b"/Encrypt"[..], b"/JavaScript", b"/JS", b"/SMask"] {
        assert!(
            !contains(&pdf, forbidden),
            "{}",
            String::from_utf8_lossy(forbidden)
        );
    }
}

#[test]
fn only_the_glyphs_used_are_embedded() {
    let pdf = render(&document()).unwrap();
    // Two Roboto faces in full are 600 kB; the subsets are a small part of that.
    assert!(pdf.len() < 60_000, "{}", pdf.len());
}

#[test]
fn ragged_tables_and_bad_widths_are_refused() {
    let mut ragged = document();
    ragged.blocks.push(Block::Table(Table {
        widths: vec![1.0, 1.0],
        header: None,
        rows: vec![vec!["a".to_owned()]],
    }));
    assert_eq!(
        render(&ragged),
        Err(PdfError::RaggedTable {
            columns: 2,
            cells: 1
        })
    );
    for widths in [vec![], vec![1.0, 0.0], vec![f32::NAN]] {
        let mut bad = document();
        bad.blocks = vec![Block::Table(Table {
            widths,
            header: None,
            rows: Vec::new(),
        })];
        assert_eq!(render(&bad), Err(PdfError::ColumnWidth));
    }
}

#[test]
fn odd_text_does_not_break_the_file() {
    let mut odd = document();
    odd.title = "<&\"> 漢字 \u{1F600} \u{200B}".to_owned();
    odd.author = "</rdf:li>".to_owned();
    odd.blocks = vec![
        Block::Paragraph(String::new()),
        Block::Heading(" ".to_owned()),
        Block::Table(Table {
            widths: vec![1.0],
            header: None,
            rows: vec![vec![String::new()]],
        }),
    ];
    let pdf = render(&odd).unwrap();
    assert!(contains(&pdf, b"&lt;/rdf:li&gt;"));
}

//! The driver's points extract as other programs read it: poppler's
//! `pdftotext` extracts its text (through the embedded fonts' ToUnicode
//! maps), `pdfinfo` reads its metadata, `pdffonts` lists its fonts and
//! `qpdf --check` checks its structure. The tools come from Debian's
//! poppler-utils and qpdf (`scripts/packages test`).
//!
//! With `KEEP_PDF_DIR` set to a folder, the documents are also written there,
//! named by their content hash, for a person to look at.

#![expect(clippy::unwrap_used, clippy::panic, reason = "tests fail loudly")]

use std::path::Path;
use std::process::Command;

use jiff::civil::date;
use obcan_core::citizen::PersonName;
use obcan_core::language::Language;
use obcan_core::registers::{
    DocumentNumber, DriverRecord, DrivingBan, DrivingLicence, LicenceGroup, LicenceLoss, Offence,
    Points, RegisterText, VehicleGroup,
};
use obcan_formats::driver_extract::{
    ExtractPerson, PointsExtract, RenderedExtract, points_extract,
};

fn text(raw: &str) -> RegisterText {
    RegisterText::parse(raw).unwrap()
}

fn record(offences: usize) -> DriverRecord {
    DriverRecord {
        licence: Some(DrivingLicence {
            number: DocumentNumber::parse("EF123456").unwrap(),
            issued_on: date(2019, 4, 2),
            valid_until: date(2029, 4, 2),
            issued_by: text("Magistrát města Vzorova"),
        }),
        groups: vec![LicenceGroup {
            group: VehicleGroup::B,
            since: date(2009, 6, 15),
            until: None,
        }],
        professional_competence: None,
        points: Points::new(7).unwrap(),
        points_changed_on: Some(date(2026, 9, 14)),
        offences: (0..offences)
            .map(|n| Offence {
                committed_on: date(2020, 1, 1) + jiff::Span::new().days(i64::try_from(n).unwrap()),
                description: text(&format!("Nedání přednosti v jízdě, případ č. {}", n + 1)),
                points: Points::new(3).unwrap(),
                decided_by: text("Městský úřad Vzorov"),
            })
            .collect(),
        bans: vec![DrivingBan {
            from: date(2026, 1, 1),
            until: Some(date(2026, 12, 31)),
            reason: text("Rozhodnutí soudu"),
            imposed_by: text("Městský úřad Vzorov"),
        }],
        losses: vec![LicenceLoss {
            on: date(2012, 5, 5),
            reason: text("Dosažení 12 bodů"),
        }],
    }
}

fn empty_record() -> DriverRecord {
    DriverRecord {
        licence: None,
        groups: Vec::new(),
        professional_competence: None,
        points: Points::new(0).unwrap(),
        points_changed_on: None,
        offences: Vec::new(),
        bans: Vec::new(),
        losses: Vec::new(),
    }
}

fn render(language: Language, record: &DriverRecord) -> RenderedExtract {
    let name = PersonName::new("Jana", "Nováková").unwrap();
    points_extract(&PointsExtract {
        language,
        issued_at: "2026-11-22T13:30:05Z".parse().unwrap(),
        portal_name: "Město Vzorov",
        person: ExtractPerson {
            name: &name,
            birth_date: date(1980, 5, 14),
        },
        record,
    })
    .unwrap()
}

/// The document written to a file, and what the tools say about it.
struct Read {
    _dir: tempfile::TempDir,
    text: String,
    pages: usize,
}

fn tool(program: &str, args: &[&str], file: &Path) -> String {
    let output = Command::new(program)
        .args(args)
        .arg(file)
        .args(if program == "pdftotext" { &["-"][..] } else { &[][..] })
        .output()
        .unwrap_or_else(|error| {
            panic!("{program} did not run ({error}): install poppler-utils and qpdf (scripts/packages test)")
        });
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "{program} failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn read(extract: &RenderedExtract) -> Read {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("extract.pdf");
    std::fs::write(&file, &extract.pdf).unwrap();
    if let Ok(keep) = std::env::var("KEEP_PDF_DIR") {
        std::fs::write(
            Path::new(&keep).join(format!("{}.pdf", extract.content_sha256.get(..8).unwrap())),
            &extract.pdf,
        )
        .unwrap();
    }

    let check = tool("qpdf", &["--check"], &file);
    assert!(
        check.contains("No syntax or stream encoding errors found"),
        "{check}"
    );

    let info = tool("pdfinfo", &[], &file);
    let field = |name: &str| {
        info.lines()
            .find_map(|line| line.strip_prefix(name))
            .map(str::trim)
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(field("Producer:"), "Obcan", "{info}");
    assert_eq!(field("Metadata Stream:"), "yes", "{info}");

    let pages = field("Pages:").parse().unwrap();

    let metadata = tool("pdfinfo", &["-meta"], &file);
    for claim in [
        "<pdfaid:part>2</pdfaid:part>",
        "<pdfaid:conformance>B</pdfaid:conformance>",
    ] {
        assert!(metadata.contains(claim), "{metadata}");
    }

    // Every font embedded, as a subset, with a Unicode map.
    let fonts = tool("pdffonts", &[], &file);
    let fonts: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!fonts.is_empty());
    for font in fonts {
        let columns: Vec<&str> = font.split_whitespace().collect();
        assert_eq!(
            columns.get(4..7),
            Some(&["yes", "yes", "yes"][..]),
            "{font}"
        );
    }

    let text = tool("pdftotext", &["-enc", "UTF-8", "-layout"], &file);
    Read {
        _dir: dir,
        text,
        pages,
    }
}

#[test]
fn a_czech_extract_reads_back_with_its_diacritics() {
    let extract = render(Language::Czech, &record(2));
    let read = read(&extract);
    let text = &read.text;
    for expected in [
        "Výpis z evidenční karty řidiče – bodové hodnocení",
        "Jana Nováková",
        "14. 5. 1980",
        "22. 11. 2026 14:30:05 SEČ",
        "Město Vzorov",
        "Počet bodů",
        "7 z 12",
        "1. 1. 2020",
        "Rozhodnutí soudu",
        "v platnosti",
        "není veřejnou listinou",
        "not a public deed",
        "Czech POINT",
        "Strana 1 z 1",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    let offence = text
        .lines()
        .find(|line| line.contains("Nedání přednosti v jízdě, případ č. 1 "))
        .unwrap_or_else(|| panic!("no offence line in:\n{text}"));
    let offence: Vec<&str> = offence
        .split("  ")
        .map(str::trim)
        .filter(|cell| !cell.is_empty())
        .collect();
    assert_eq!(
        offence,
        [
            "1. 1. 2020",
            "Nedání přednosti v jízdě, případ č. 1",
            "3",
            "Městský úřad Vzorov"
        ]
    );
    assert!(
        text.contains(&format!(
            "SHA-256 obsahu / content SHA-256: {}",
            extract.content_sha256
        )),
        "hash missing from:\n{text}"
    );
    assert_eq!(read.pages, 1);
}

#[test]
fn an_english_extract_reads_back() {
    let extract = render(Language::English, &record(1));
    let read = read(&extract);
    let text = &read.text;
    for expected in [
        "Extract from the driver's record – penalty points",
        "22 November 2026, 14:30:05 CET",
        "7 of 12",
        "Driving bans",
        "in force",
        "not a public deed",
        "není veřejnou listinou",
        "Page 1 of 1",
        &extract.content_sha256,
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
}

#[test]
fn many_offences_continue_on_further_pages_under_the_table_header() {
    let extract = render(Language::Czech, &record(80));
    let read = read(&extract);
    assert!(read.pages >= 3, "{} pages", read.pages);
    let pages: Vec<&str> = read
        .text
        .split('\u{c}')
        .filter(|page| !page.trim().is_empty())
        .collect();
    assert_eq!(pages.len(), read.pages);
    for (index, page) in pages.iter().enumerate() {
        assert!(
            page.contains(&format!("Strana {} z {}", index + 1, read.pages)),
            "page {}:\n{page}",
            index + 1
        );
    }
    // The offences' table header stands on the second page again.
    assert!(pages[1].contains("Datum spáchání"), "{}", pages[1]);
    for n in 1..=80 {
        let line = format!("případ č. {n}\n");
        let line_end = format!("případ č. {n} ");
        assert!(
            read.text.contains(&line) || read.text.contains(&line_end),
            "offence {n} missing"
        );
    }
    assert!(read.text.contains(&extract.content_sha256));
}

#[test]
fn an_empty_record_says_there_is_nothing() {
    let extract = render(Language::Czech, &empty_record());
    let read = read(&extract);
    for expected in [
        "V registru řidičů není veden žádný řidičský průkaz.",
        "V evidenční kartě řidiče nejsou zaznamenány žádné přestupky.",
        "0 z 12",
        "beze změny",
        &extract.content_sha256,
    ] {
        assert!(
            read.text.contains(expected),
            "{expected:?} missing from:\n{}",
            read.text
        );
    }
    assert_eq!(read.pages, 1);
}

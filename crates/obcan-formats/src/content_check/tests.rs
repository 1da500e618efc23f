//! Every accepted type and every refusal, with small files built here. Each
//! verdict is checked whole and in chunks of 1, 7 and 4096 bytes, so that
//! every marker also straddles chunk borders.

use super::*;

// ---------------------------------------------------------------- running

fn run(bytes: &[u8], chunk: usize, name: &str) -> Result<Detected, Refusal> {
    let mut check = ContentCheck::new();
    for part in bytes.chunks(chunk.max(1)) {
        check.update(part);
    }
    check.finish(name)
}

/// The verdict, the same whatever the chunks.
fn check(bytes: &[u8], name: &str) -> Result<Detected, Refusal> {
    let whole = run(bytes, bytes.len(), name);
    let sizes: &[usize] = if bytes.len() > 200_000 {
        &[65_536]
    } else {
        &[1, 7, 4096]
    };
    for &size in sizes {
        assert_eq!(run(bytes, size, name), whole, "chunks of {size} bytes");
    }
    whole
}

/// The verdict, the same wherever the file is cut in two.
fn check_every_split(bytes: &[u8], name: &str) -> Result<Detected, Refusal> {
    let whole = check(bytes, name);
    for split in 1..bytes.len() {
        let mut check = ContentCheck::new();
        check.update(&bytes[..split]);
        check.update(&bytes[split..]);
        assert_eq!(check.finish(name), whole, "split at {split}");
    }
    whole
}

fn kind(bytes: &[u8], name: &str) -> FileKind {
    check(bytes, name).unwrap().kind()
}

fn refusal(bytes: &[u8], name: &str) -> Refusal {
    check(bytes, name).unwrap_err()
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

// ---------------------------------------------------------------- samples

fn png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1A\n".to_vec();
    png.extend_from_slice(b"\0\0\0\x0DIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90\x77\x53\xDE");
    png.extend_from_slice(b"\0\0\0\0IEND\xAE\x42\x60\x82");
    png
}

fn jpeg_with(segment: &[u8]) -> Vec<u8> {
    let mut jpeg = b"\xFF\xD8\xFF\xE0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0".to_vec();
    jpeg.extend_from_slice(segment);
    jpeg.extend_from_slice(b"\xFF\xDB\0\x03\x01\xFF\xD9");
    jpeg
}

fn jpeg() -> Vec<u8> {
    jpeg_with(b"")
}

/// A JPEG comment segment.
fn comment(text: &[u8]) -> Vec<u8> {
    let len = u16::try_from(text.len() + 2).unwrap();
    cat(&[b"\xFF\xFE", &len.to_be_bytes(), text])
}

fn gif() -> Vec<u8> {
    b"GIF89a\x01\0\x01\0\0\0\0,\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;".to_vec()
}

/// A one-pixel TIFF whose only directory entry is its compression.
fn tiff(compression: u16) -> Vec<u8> {
    let mut tiff = b"II*\0\x08\0\0\0\x01\0".to_vec();
    tiff.extend_from_slice(&259u16.to_le_bytes());
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&u32::from(compression).to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff
}

fn webp() -> Vec<u8> {
    b"RIFF\x1A\0\0\0WEBPVP8L\x0D\0\0\0\x2F\0\0\0\x10\x07\x10\x11\x11\x88\x88\xFE\x07\0".to_vec()
}

fn heic() -> Vec<u8> {
    cat(&[b"\0\0\0\x18ftypheic\0\0\0\0mif1heic", b"\0\0\0\x08free"])
}

/// A PDF of the given objects, numbered from 1.
fn pdf(objects: &[&[u8]], trailer: &str) -> Vec<u8> {
    let mut pdf = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (number, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", number + 1).as_bytes());
        pdf.extend_from_slice(object);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R {trailer} >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

fn stream(dictionary: &str, data: &[u8]) -> Vec<u8> {
    cat(&[
        format!("<< {dictionary} /Length {} >>\nstream\r\n", data.len()).as_bytes(),
        data,
        b"\r\nendstream",
    ])
}

const CATALOG: &[u8] = b"<< /Type /Catalog /Pages 2 0 R >>";
const PAGES: &[u8] = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>";
const PAGE: &[u8] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>";

/// A one-page PDF, with one more object.
fn pdf_with(object: &[u8]) -> Vec<u8> {
    let content = stream("", b"BT /F1 12 Tf 72 720 Td (Dobry den) Tj ET");
    pdf(&[CATALOG, PAGES, PAGE, &content, object], "")
}

fn plain_pdf() -> Vec<u8> {
    pdf_with(b"<< /Producer (Obcan) >>")
}

fn xmp(part: &str) -> Vec<u8> {
    let xmp = format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
         <x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
         <rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"{part}\n\
         </rdf:RDF></x:xmpmeta>\n<?xpacket end=\"w\"?>"
    );
    stream("/Type /Metadata /Subtype /XML", xmp.as_bytes())
}

/// An object stream holding the given objects, deflated or not.
fn object_stream(objects: &[u8], deflated: bool, dictionary: &str) -> Vec<u8> {
    let header = b"10 0 ";
    let data = cat(&[header, objects]);
    if deflated {
        let packed = miniz_oxide::deflate::compress_to_vec_zlib(&data, 6);
        stream(&format!("{dictionary} /Filter /FlateDecode"), &packed)
    } else {
        stream(dictionary, &data)
    }
}

const OBJECT_STREAM: &str = "/Type /ObjStm /N 1 /First 5";

/// One entry of a ZIP file built for a test, stored uncompressed.
#[derive(Clone)]
struct Entry {
    name: Vec<u8>,
    data: Vec<u8>,
    flags: u16,
    method: u16,
    /// The unpacked size declared, when not the data's length.
    declared: Option<u64>,
    /// The packed size declared, when not the data's length.
    packed: Option<u64>,
    /// Where the directory says the entry starts, when not where it does.
    offset: Option<u64>,
}

fn entry(name: &str, data: &[u8]) -> Entry {
    Entry {
        name: name.as_bytes().to_vec(),
        data: data.to_vec(),
        flags: 0,
        method: 0,
        declared: None,
        packed: None,
        offset: None,
    }
}

/// A ZIP file; with `zip64`, every entry's sizes and the end record are
/// written the ZIP64 way.
fn zip_file(entries: &[Entry], zip64: bool) -> Vec<u8> {
    const MAX32: u32 = u32::MAX;
    let mut file = Vec::new();
    let mut directory = Vec::new();
    for entry in entries {
        let offset = file.len() as u64;
        let size = u32::try_from(entry.data.len()).unwrap();
        let name_len = u16::try_from(entry.name.len()).unwrap();
        file.extend_from_slice(b"PK\x03\x04\x14\0");
        file.extend_from_slice(&entry.flags.to_le_bytes());
        file.extend_from_slice(&entry.method.to_le_bytes());
        file.extend_from_slice(&[0; 8]);
        file.extend_from_slice(&size.to_le_bytes());
        file.extend_from_slice(&size.to_le_bytes());
        file.extend_from_slice(&name_len.to_le_bytes());
        file.extend_from_slice(&0u16.to_le_bytes());
        file.extend_from_slice(&entry.name);
        file.extend_from_slice(&entry.data);

        let unpacked = entry.declared.unwrap_or(entry.data.len() as u64);
        let packed = entry.packed.unwrap_or(entry.data.len() as u64);
        let offset = entry.offset.unwrap_or(offset);
        let mut extra = Vec::new();
        if zip64 {
            extra.extend_from_slice(&1u16.to_le_bytes());
            extra.extend_from_slice(&24u16.to_le_bytes());
            extra.extend_from_slice(&unpacked.to_le_bytes());
            extra.extend_from_slice(&packed.to_le_bytes());
            extra.extend_from_slice(&offset.to_le_bytes());
        }
        let small = |value: u64| {
            if zip64 {
                MAX32
            } else {
                u32::try_from(value).unwrap()
            }
        };
        directory.extend_from_slice(b"PK\x01\x02\x14\0\x14\0");
        directory.extend_from_slice(&entry.flags.to_le_bytes());
        directory.extend_from_slice(&entry.method.to_le_bytes());
        directory.extend_from_slice(&[0; 8]);
        directory.extend_from_slice(&small(packed).to_le_bytes());
        directory.extend_from_slice(&small(unpacked).to_le_bytes());
        directory.extend_from_slice(&name_len.to_le_bytes());
        directory.extend_from_slice(&u16::try_from(extra.len()).unwrap().to_le_bytes());
        directory.extend_from_slice(&[0; 10]);
        directory.extend_from_slice(&small(offset).to_le_bytes());
        directory.extend_from_slice(&entry.name);
        directory.extend_from_slice(&extra);
    }
    let directory_at = file.len() as u64;
    let count = entries.len() as u64;
    file.extend_from_slice(&directory);
    let size = directory.len() as u64;
    if zip64 {
        let end64_at = file.len() as u64;
        file.extend_from_slice(b"PK\x06\x06");
        file.extend_from_slice(&44u64.to_le_bytes());
        file.extend_from_slice(b"\x2D\0\x2D\0");
        file.extend_from_slice(&[0; 8]);
        for value in [count, count, size, directory_at] {
            file.extend_from_slice(&value.to_le_bytes());
        }
        file.extend_from_slice(b"PK\x06\x07\0\0\0\0");
        file.extend_from_slice(&end64_at.to_le_bytes());
        file.extend_from_slice(&1u32.to_le_bytes());
        file.extend_from_slice(
            b"PK\x05\x06\0\0\0\0\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\0\0",
        );
    } else {
        let count = u16::try_from(count).unwrap();
        file.extend_from_slice(b"PK\x05\x06\0\0\0\0");
        file.extend_from_slice(&count.to_le_bytes());
        file.extend_from_slice(&count.to_le_bytes());
        file.extend_from_slice(&u32::try_from(size).unwrap().to_le_bytes());
        file.extend_from_slice(&u32::try_from(directory_at).unwrap().to_le_bytes());
        file.extend_from_slice(&0u16.to_le_bytes());
    }
    file
}

fn zip(entries: &[Entry]) -> Vec<u8> {
    zip_file(entries, false)
}

fn plain_zip() -> Vec<u8> {
    zip(&[
        entry("dopis.txt", b"Dobry den"),
        entry("foto/", b""),
        entry("foto/a.jpg", &jpeg()),
    ])
}

const MANIFEST: &[u8] = b"<?xml version=\"1.0\"?><manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\"><manifest:file-entry manifest:full-path=\"/\"/></manifest:manifest>";

fn odf_entries(media_type: &str) -> Vec<Entry> {
    vec![
        entry("mimetype", media_type.as_bytes()),
        entry("content.xml", b"<office:document-content/>"),
        entry("styles.xml", b"<office:document-styles/>"),
        entry("META-INF/manifest.xml", MANIFEST),
    ]
}

fn odt() -> Vec<u8> {
    zip(&odf_entries("application/vnd.oasis.opendocument.text"))
}

fn ooxml_entries(main: &str) -> Vec<Entry> {
    vec![
        entry("[Content_Types].xml", b"<Types/>"),
        entry("_rels/.rels", b"<Relationships/>"),
        entry(main, b"<document/>"),
    ]
}

/// An OLE2 compound file whose directory names the given streams.
fn compound(streams: &[&str]) -> Vec<u8> {
    let mut file = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    file.resize(512, 0);
    for stream in streams {
        let mut record = [0u8; 128];
        for (i, unit) in stream.encode_utf16().enumerate() {
            record[2 * i..2 * i + 2].copy_from_slice(&unit.to_le_bytes());
        }
        file.extend_from_slice(&record);
    }
    file.resize(2048, 0);
    file
}

// ---------------------------------------------------------------- accepted

#[test]
fn images_are_recognised() {
    assert_eq!(kind(&png(), "scan.png"), FileKind::Png);
    assert_eq!(kind(&jpeg(), "foto.jpg"), FileKind::Jpeg);
    assert_eq!(kind(&jpeg(), "FOTO.JPEG"), FileKind::Jpeg);
    assert_eq!(kind(&jpeg(), "foto.jfif"), FileKind::Jpeg);
    assert_eq!(kind(&gif(), "a.gif"), FileKind::Gif);
    assert_eq!(kind(&tiff(1), "a.tif"), FileKind::Tiff);
    assert_eq!(kind(&tiff(1), "a.tiff"), FileKind::Tiff);
    assert_eq!(kind(&webp(), "a.webp"), FileKind::WebP);
    assert_eq!(kind(&heic(), "IMG_0001.HEIC"), FileKind::Heic);
}

#[test]
fn a_name_without_extension_takes_the_canonical_one() {
    let detected = check(&jpeg(), "foto").unwrap();
    assert_eq!(detected.kind(), FileKind::Jpeg);
    assert_eq!(detected.extension(), "jpg");
    assert_eq!(detected.media_type(), "image/jpeg");
    assert_eq!(kind(&plain_pdf(), "zápis 1.2.2024"), FileKind::Pdf);
    assert_eq!(kind(&plain_pdf(), "smlouva.pdf. "), FileKind::Pdf);
}

#[test]
fn a_plain_pdf_is_no_pdf_a() {
    let detected = check(&plain_pdf(), "dopis.pdf").unwrap();
    assert_eq!(detected.kind(), FileKind::Pdf);
    assert_eq!(detected.pdf_a(), None);
    assert!(!detected.is_office_output_format());
}

#[test]
fn a_pdf_a_declares_its_part_in_xmp() {
    let element = xmp(
        ">\n<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></rdf:Description>",
    );
    let detected = check(&pdf_with(&element), "a.pdf").unwrap();
    let expected = PdfA {
        part: 2,
        conformance: Some('B'),
    };
    assert_eq!(detected.pdf_a(), Some(expected));
    assert!(detected.is_office_output_format());

    let attribute = xmp(" pdfaid:part=\"3\" pdfaid:conformance='u'/>");
    let detected = check(&pdf_with(&attribute), "a.pdf").unwrap();
    let expected = PdfA {
        part: 3,
        conformance: Some('U'),
    };
    assert_eq!(detected.pdf_a(), Some(expected));

    let part_4 = xmp(" pdfaid:part=\"4\"/>");
    let detected = check(&pdf_with(&part_4), "a.pdf").unwrap();
    let expected = PdfA {
        part: 4,
        conformance: None,
    };
    assert_eq!(detected.pdf_a(), Some(expected));
}

#[test]
fn the_portals_own_pdf_a_passes() {
    let document = crate::pdf::Document {
        title: "Výpis".to_owned(),
        language: "cs".to_owned(),
        author: "Město Vzorov".to_owned(),
        created: "2026-11-22T14:30:05+01:00[Europe/Prague]".parse().unwrap(),
        blocks: vec![
            crate::pdf::Block::Heading("Údaje".to_owned()),
            crate::pdf::Block::Paragraph("Příliš žluťoučký kůň úpěl ďábelské ódy.".repeat(50)),
        ],
        footer: "Obcan".to_owned(),
        page_label: |page, pages| format!("{page}/{pages}"),
    };
    let bytes = crate::pdf::render(&document).unwrap();
    let detected = check(&bytes, "vypis.pdf").unwrap();
    assert_eq!(detected.kind(), FileKind::Pdf);
    assert_eq!(
        detected.pdf_a(),
        Some(PdfA {
            part: 2,
            conformance: Some('B')
        })
    );
    assert!(detected.is_office_output_format());
}

#[test]
fn text_kinds_come_from_the_declaration_and_the_name() {
    let text = "Dobrý den,\r\nžádám o výpis.\n".as_bytes();
    assert_eq!(kind(text, "zadost.txt"), FileKind::Text);
    assert_eq!(
        kind(&cat(&[b"\xEF\xBB\xBF", text]), "zadost.txt"),
        FileKind::Text
    );
    assert_eq!(kind(text, "zadost"), FileKind::Text);
    assert_eq!(
        kind(b"jmeno;castka\nJana;100\n", "platby.csv"),
        FileKind::Csv
    );
    let xml = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<podani/>";
    assert_eq!(kind(xml, "podani.xml"), FileKind::Xml);
    assert_eq!(kind(xml, "podani"), FileKind::Xml);
    assert_eq!(kind(b"<podani/>", "podani.xml"), FileKind::Xml);
    let isdoc = b"<?xml version=\"1.0\"?>\n<Invoice xmlns=\"http://isdoc.cz/namespace/2013\" version=\"6.0.2\"/>";
    assert_eq!(kind(isdoc, "faktura.isdoc"), FileKind::Isdoc);
    assert_eq!(kind(isdoc, "faktura.xml"), FileKind::Isdoc);
    assert_eq!(check(isdoc, "faktura").unwrap().extension(), "isdoc");
}

#[test]
fn text_starting_like_a_program_is_still_text() {
    let text = "MZe doporučuje: zalévejte ráno.\n".as_bytes();
    assert_eq!(kind(text, "rada.txt"), FileKind::Text);
    assert_eq!(kind(b"BZh, nebo jak se to pise", "a.txt"), FileKind::Text);
}

#[test]
fn zip_based_documents_come_from_the_directory() {
    assert_eq!(kind(&odt(), "a.odt"), FileKind::Odt);
    let ods = zip(&odf_entries(
        "application/vnd.oasis.opendocument.spreadsheet",
    ));
    assert_eq!(kind(&ods, "a.ods"), FileKind::Ods);
    let odp = zip(&odf_entries(
        "application/vnd.oasis.opendocument.presentation",
    ));
    assert_eq!(kind(&odp, "a.odp"), FileKind::Odp);
    assert_eq!(
        kind(&zip(&ooxml_entries("word/document.xml")), "a.docx"),
        FileKind::Docx
    );
    assert_eq!(
        kind(&zip(&ooxml_entries("xl/workbook.xml")), "a.xlsx"),
        FileKind::Xlsx
    );
    assert_eq!(
        kind(&zip(&ooxml_entries("ppt/presentation.xml")), "a.pptx"),
        FileKind::Pptx
    );
    assert_eq!(kind(&plain_zip(), "fotky.zip"), FileKind::Zip);
    assert_eq!(kind(&zip(&[]), "prazdny.zip"), FileKind::Zip);
    // An ODF type the portal does not name is a plain ZIP.
    let odg = zip(&odf_entries("application/vnd.oasis.opendocument.graphics"));
    assert_eq!(kind(&odg, "a.zip"), FileKind::Zip);
}

#[test]
fn zip64_files_are_read() {
    assert_eq!(
        kind(
            &zip_file(
                &odf_entries("application/vnd.oasis.opendocument.text"),
                true
            ),
            "a.odt"
        ),
        FileKind::Odt
    );
    assert_eq!(
        kind(&zip_file(&[entry("a.txt", b"x")], true), "a.zip"),
        FileKind::Zip
    );
}

#[test]
fn a_zip_with_a_comment_is_read() {
    let mut file = plain_zip();
    let len = file.len();
    file[len - 2..].copy_from_slice(&5u16.to_le_bytes());
    file.extend_from_slice(b"ahoj!");
    assert_eq!(kind(&file, "a.zip"), FileKind::Zip);
}

#[test]
fn output_formats_of_the_decree() {
    let output = |bytes: &[u8], name: &str| check(bytes, name).unwrap().is_office_output_format();
    assert!(output(&png(), "a.png"));
    assert!(output(&jpeg(), "a.jpg"));
    assert!(output(&gif(), "a.gif"));
    assert!(output(&tiff(1), "a.tif"));
    assert!(!output(&tiff(5), "a.tif"));
    assert!(!output(&webp(), "a.webp"));
    assert!(!output(b"text", "a.txt"));
    assert!(!output(&odt(), "a.odt"));
}

#[test]
fn the_accepted_types_can_be_listed() {
    let mut extensions = Vec::new();
    for kind in FileKind::ALL {
        assert!(kind.extensions().contains(&kind.extension()));
        assert!(kind.media_type().contains('/'));
        assert!(!kind.to_string().is_empty());
        for extension in kind.extensions() {
            assert!(!names::is_program(extension));
            if kind != FileKind::Zip {
                assert!(!names::is_archive(extension));
            }
            assert_eq!(
                names::extension(&format!("a.{extension}")).as_deref(),
                Some(*extension)
            );
            if *extension != "xml" {
                assert!(!extensions.contains(extension), "{extension} twice");
            }
            extensions.push(*extension);
        }
    }
}

// ---------------------------------------------------------------- refused: type and name

#[test]
fn an_empty_file_is_refused() {
    assert_eq!(refusal(b"", "a.pdf"), Refusal::Empty);
    assert_eq!(ContentCheck::new().finish("a.txt"), Err(Refusal::Empty));
}

#[test]
fn unknown_content_is_refused() {
    let binary: Vec<u8> = (0..2000u32).map(|i| (i * 7919 % 251) as u8).collect();
    assert_eq!(refusal(&binary, "a.dat"), Refusal::UnknownType);
    let utf16: Vec<u8> = "\u{feff}Dobrý den"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    assert_eq!(refusal(&utf16, "a.txt"), Refusal::UnknownType);
    assert_eq!(refusal(b"Dobry den \xC5", "a.txt"), Refusal::UnknownType);
    assert_eq!(refusal(b"\0\0\0\0", "a.txt"), Refusal::UnknownType);
}

#[test]
fn a_nul_late_in_a_text_makes_it_no_text() {
    let mut text = "Řádek textu.\n".repeat(200_000).into_bytes();
    assert_eq!(run(&text, 65_536, "a.txt").unwrap().kind(), FileKind::Text);
    text.extend_from_slice(b"konec\0");
    assert_eq!(run(&text, 65_536, "a.txt"), Err(Refusal::UnknownType));
}

#[test]
fn the_name_must_match_the_content() {
    assert_eq!(
        refusal(&png(), "smlouva.pdf"),
        Refusal::ExtensionMismatch {
            detected: FileKind::Png,
            extension: "pdf".to_owned()
        }
    );
    assert_eq!(
        refusal(b"Dobry den", "dopis.PDF"),
        Refusal::ExtensionMismatch {
            detected: FileKind::Text,
            extension: "pdf".to_owned()
        }
    );
    assert_eq!(
        refusal(&zip(&ooxml_entries("word/document.xml")), "a.zip"),
        Refusal::ExtensionMismatch {
            detected: FileKind::Docx,
            extension: "zip".to_owned()
        }
    );
    let message = refusal(&png(), "a.pdf").to_string();
    assert_eq!(message, "the file is PNG content but its name ends in .pdf");
}

#[test]
fn program_names_are_refused_whatever_the_content() {
    let forbidden = |extension: &str| Refusal::ForbiddenExtension {
        extension: extension.to_owned(),
    };
    assert_eq!(refusal(b"Dobry den", "readme.js"), forbidden("js"));
    assert_eq!(refusal(&plain_pdf(), "faktura.pdf.exe"), forbidden("exe"));
    assert_eq!(refusal(&plain_pdf(), "faktura.EXE. "), forbidden("exe"));
    for extension in [
        "exe", "dll", "com", "bat", "cmd", "msi", "ps1", "vbs", "js", "jse", "wsf", "sh", "jar",
        "scr", "lnk", "hta", "apk", "html", "svg", "docm",
    ] {
        assert_eq!(
            refusal(&png(), &format!("a.{extension}")),
            forbidden(extension)
        );
    }
}

#[test]
fn programs_are_refused_by_content() {
    let mut pe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xFF\xFF\0\0".to_vec();
    pe.resize(0x80, 0);
    pe[0x3C] = 0x80;
    pe.extend_from_slice(b"PE\0\0");
    pe.resize(0x200, 0);
    assert_eq!(
        refusal(&pe, "faktura.pdf"),
        Refusal::Executable(Executable::Windows)
    );
    assert_eq!(
        refusal(&pe, "faktura"),
        Refusal::Executable(Executable::Windows)
    );
    let programs: [(&[u8], Executable); 10] = [
        (b"\x7FELF\x02\x01\x01\0\0\0\0\0\0\0\0\0", Executable::Elf),
        (b"\xFE\xED\xFA\xCE\0\0\0\x07", Executable::MachO),
        (b"\xFE\xED\xFA\xCF\0\0\0\x07", Executable::MachO),
        (b"\xCE\xFA\xED\xFE\x07\0\0\0", Executable::MachO),
        (b"\xCF\xFA\xED\xFE\x07\0\0\x01", Executable::MachO),
        (b"\xCA\xFE\xBA\xBE\0\0\0\x02\0\0\0\x07", Executable::MachO),
        (b"\xCA\xFE\xBA\xBE\0\0\0\x34\0\x0A", Executable::JavaClass),
        (b"\0asm\x01\0\0\0", Executable::WebAssembly),
        (b"#!/bin/sh\nrm -rf ~\n", Executable::Shebang),
        (b"\xEF\xBB\xBF#!/usr/bin/env python3\n", Executable::Shebang),
    ];
    for (bytes, executable) in programs {
        assert_eq!(refusal(bytes, "a.txt"), Refusal::Executable(executable));
    }
}

#[test]
fn web_pages_and_scripts_are_refused() {
    let pages: [(&[u8], Script); 8] = [
        (
            b"<!DOCTYPE html>\n<html><body>x</body></html>",
            Script::Html,
        ),
        (b"\xEF\xBB\xBF\n  <HTML>", Script::Html),
        (b"<script>alert(1)</script>", Script::Html),
        (b"<!-- uvod -->\n<html>", Script::Html),
        (
            b"<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"/>",
            Script::Html,
        ),
        (
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
            Script::Svg,
        ),
        (
            b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            Script::Svg,
        ),
        (b"<?php system($_GET['c']);", Script::Php),
    ];
    for (bytes, script) in pages {
        assert_eq!(refusal(bytes, "a.txt"), Refusal::Script(script));
        assert_eq!(refusal(bytes, "a.xml"), Refusal::Script(script));
        assert_eq!(refusal(bytes, "a"), Refusal::Script(script));
    }
    // Markup later in a text is only text.
    assert_eq!(
        kind(b"Znacka <html> zacina stranku.", "a.txt"),
        FileKind::Text
    );
}

#[test]
fn unsupported_formats_are_refused() {
    let mut tar = b"dopis.txt".to_vec();
    tar.resize(257, 0);
    tar.extend_from_slice(b"ustar\x0000");
    tar.resize(1024, 0);
    let mut iso = vec![0; 0x8001];
    iso.extend_from_slice(b"CD001\x01");
    iso.resize(0x8800, 0);
    let formats: [(&[u8], Unsupported); 11] = [
        (b"{\\rtf1\\ansi Dobry den}", Unsupported::Rtf),
        (b"Rar!\x1A\x07\x01\0", Unsupported::Rar),
        (b"7z\xBC\xAF\x27\x1C\0\x04", Unsupported::SevenZip),
        (b"\x1F\x8B\x08\0\0\0\0\0", Unsupported::Gzip),
        (b"BZh91AY&SY", Unsupported::Bzip2),
        (b"\xFD7zXZ\0\0\x04", Unsupported::Xz),
        (b"\x28\xB5\x2F\xFD\x04\0", Unsupported::Zstd),
        (b"MSCF\0\0\0\0\x20\0\0\0", Unsupported::Cab),
        (&tar, Unsupported::Tar),
        (&iso, Unsupported::DiskImage),
        (
            &compound(&["Root Entry", "WordDocument"]),
            Unsupported::LegacyOffice,
        ),
    ];
    for (bytes, format) in formats {
        assert_eq!(refusal(bytes, "a"), Refusal::Unsupported(format));
    }
}

// ---------------------------------------------------------------- refused: encryption

#[test]
fn encrypted_files_are_refused() {
    let trailer = pdf(
        &[CATALOG, PAGES, b"<< /Filter /Standard /V 2 /R 3 >>"],
        "/Encrypt 3 0 R",
    );
    assert_eq!(refusal(&trailer, "a.pdf"), Refusal::Encrypted);
    // Cross-reference streams carry the trailer's keys in their dictionary.
    let xref_stream = stream("/Type /XRef /Size 3 /Encrypt 3 0 R /W [1 2 1]", b"\0\0\0\0");
    let in_xref_stream = pdf(&[CATALOG, PAGES, &xref_stream], "");
    assert_eq!(refusal(&in_xref_stream, "a.pdf"), Refusal::Encrypted);
    let escaped = pdf(&[CATALOG, PAGES], "/En#63rypt 3 0 R");
    assert_eq!(refusal(&escaped, "a.pdf"), Refusal::Encrypted);

    let mut flagged = entry("tajne.txt", b"\x12\x34\x56");
    flagged.flags = 1;
    assert_eq!(
        refusal(&zip(&[entry("a.txt", b"a"), flagged.clone()]), "a.zip"),
        Refusal::Encrypted
    );
    let mut aes = entry("tajne.txt", b"\x12\x34\x56");
    aes.method = 99;
    assert_eq!(refusal(&zip(&[aes]), "a.zip"), Refusal::Encrypted);
    let mut strong = entry("tajne.txt", b"\x12\x34\x56");
    strong.flags = 1 << 6;
    assert_eq!(refusal(&zip(&[strong]), "a.zip"), Refusal::Encrypted);
    let mut docx = ooxml_entries("word/document.xml");
    docx[2].flags = 1;
    assert_eq!(refusal(&zip(&docx), "a.docx"), Refusal::Encrypted);
}

#[test]
fn an_encrypted_office_file_is_refused_as_encrypted() {
    let encrypted = compound(&["Root Entry", "EncryptionInfo", "EncryptedPackage"]);
    assert_eq!(refusal(&encrypted, "smlouva.docx"), Refusal::Encrypted);
    assert_eq!(refusal(&encrypted, "smlouva"), Refusal::Encrypted);
}

#[test]
fn an_encrypted_odf_document_is_refused() {
    let mut entries = odf_entries("application/vnd.oasis.opendocument.text");
    entries[3] = entry(
        "META-INF/manifest.xml",
        b"<manifest:manifest><manifest:file-entry manifest:full-path=\"content.xml\"><manifest:encryption-data manifest:checksum-type=\"SHA1/1K\"/></manifest:file-entry></manifest:manifest>",
    );
    assert_eq!(refusal(&zip(&entries), "a.odt"), Refusal::Encrypted);

    // A deflated manifest is inflated to be read.
    let manifest = b"<manifest:manifest><manifest:encryption-data/></manifest:manifest>";
    let mut deflated = entry(
        "META-INF/manifest.xml",
        &miniz_oxide::deflate::compress_to_vec(manifest, 6),
    );
    deflated.method = 8;
    deflated.declared = Some(manifest.len() as u64);
    entries[3] = deflated.clone();
    assert_eq!(refusal(&zip(&entries), "a.odt"), Refusal::Encrypted);
    deflated.data = miniz_oxide::deflate::compress_to_vec(MANIFEST, 6);
    entries[3] = deflated;
    assert_eq!(kind(&zip(&entries), "a.odt"), FileKind::Odt);

    // Without a manifest, encryption cannot be ruled out.
    let mut entries = odf_entries("application/vnd.oasis.opendocument.text");
    entries.pop();
    assert_eq!(refusal(&zip(&entries), "a.odt"), Refusal::Malformed);
}

// ---------------------------------------------------------------- refused: PDF active content

#[test]
fn pdf_active_content_is_refused() {
    let cases: [(&[u8], PdfActiveContent); 9] = [
        (
            b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>",
            PdfActiveContent::JavaScript,
        ),
        (b"<</JS 9 0 R>>", PdfActiveContent::JavaScript),
        (
            b"<< /Type /Action /S /Launch /F (cmd.exe) >>",
            PdfActiveContent::Launch,
        ),
        (
            b"<< /Names << /EmbeddedFiles 9 0 R >> >>",
            PdfActiveContent::EmbeddedFile,
        ),
        (
            b"<< /Type /Filespec /F (a.exe) /EF << /F 9 0 R >> >>",
            PdfActiveContent::EmbeddedFile,
        ),
        (b"<< /Subtype /RichMedia >>", PdfActiveContent::RichMedia),
        (b"<< /Fields [] /XFA 9 0 R >>", PdfActiveContent::Xfa),
        (
            b"<< /S /J#61va#53cript /JS (x) >>",
            PdfActiveContent::JavaScript,
        ),
        (b"<< /S /#4Aava#53cript >>", PdfActiveContent::JavaScript),
    ];
    for (object, active) in cases {
        assert_eq!(
            check_every_split(&pdf_with(object), "a.pdf"),
            Err(Refusal::PdfActiveContent(active)),
            "{}",
            String::from_utf8_lossy(object)
        );
    }
    let embedded = stream("/Type /EmbeddedFile", b"MZ");
    assert_eq!(
        refusal(&pdf_with(&embedded), "a.pdf"),
        Refusal::PdfActiveContent(PdfActiveContent::EmbeddedFile)
    );
}

#[test]
fn pdf_names_are_told_apart_from_longer_ones() {
    let innocent = pdf_with(b"<< /JSON (x) /Launcher 1 /EFx 2 /XFAB 3 /Subtype /RichMediaX >>");
    assert_eq!(kind(&innocent, "a.pdf"), FileKind::Pdf);
}

#[test]
fn active_content_in_an_object_stream_is_found() {
    let action = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>";
    for deflated in [true, false] {
        let hidden = object_stream(action, deflated, OBJECT_STREAM);
        assert_eq!(
            check_every_split(&pdf_with(&hidden), "a.pdf"),
            Err(Refusal::PdfActiveContent(PdfActiveContent::JavaScript)),
            "deflated: {deflated}"
        );
    }
    // A type given indirectly: /N with /First still marks an object stream.
    let indirect = object_stream(b"<< /JS (x) >>", true, "/Type 8 0 R /N 1 /First 5");
    assert_eq!(
        refusal(&pdf_with(&indirect), "a.pdf"),
        Refusal::PdfActiveContent(PdfActiveContent::JavaScript)
    );
    let innocent = object_stream(b"<< /Type /Font /Subtype /Type1 >>", true, OBJECT_STREAM);
    assert_eq!(kind(&pdf_with(&innocent), "a.pdf"), FileKind::Pdf);
}

#[test]
fn short_names_in_stream_data_do_not_count() {
    // Compressed data holds "/JS " by chance; only long names count there.
    let chance = stream("/Filter /FlateDecode", b"\x8A\x17/JS \x01\x99/EF>\x02");
    assert_eq!(kind(&pdf_with(&chance), "a.pdf"), FileKind::Pdf);
    let long = stream("/Filter /FlateDecode", b"\x8A\x17/JavaScript \x01\x99");
    assert_eq!(
        refusal(&pdf_with(&long), "a.pdf"),
        Refusal::PdfActiveContent(PdfActiveContent::JavaScript)
    );
}

#[test]
fn an_object_stream_taken_for_data_is_refused() {
    // A reader sees a string, then an object stream; the scanner is led to
    // take the object stream for the data of a stream that never was.
    let hidden = object_stream(b"<< /JS (x) >>", true, "/N 1 /First 5");
    let decoy = cat(&[b"<< /Title (>>stream\n) >>\nendobj\n9 0 obj\n", &hidden]);
    assert_eq!(
        check_every_split(&pdf_with(&decoy), "a.pdf"),
        Err(Refusal::Malformed)
    );
    let hidden = object_stream(b"<< /JS (x) >>", false, OBJECT_STREAM);
    let decoy = cat(&[b"<< /Title (>>stream\n) >>\nendobj\n9 0 obj\n", &hidden]);
    assert_eq!(refusal(&pdf_with(&decoy), "a.pdf"), Refusal::Malformed);
    // Long names are found there anyway.
    let decoy = b"<< /Title (>>stream\n) /Annots [<< /Subtype /FileAttachment >>] >>";
    assert_eq!(
        refusal(&pdf_with(decoy), "a.pdf"),
        Refusal::PdfActiveContent(PdfActiveContent::EmbeddedFile)
    );
}

#[test]
fn unreadable_object_streams_are_refused() {
    let lzw = object_stream(
        b"<< >>",
        false,
        "/Type /ObjStm /N 1 /First 5 /Filter /LZWDecode",
    );
    assert_eq!(refusal(&pdf_with(&lzw), "a.pdf"), Refusal::Malformed);
    let indirect_filter =
        object_stream(b"<< >>", false, "/Type /ObjStm /N 1 /First 5 /Filter 9 0 R");
    assert_eq!(
        refusal(&pdf_with(&indirect_filter), "a.pdf"),
        Refusal::Malformed
    );
    let corrupt = stream(
        "/Type /ObjStm /N 1 /First 5 /Filter /FlateDecode",
        b"\x78\x9C\xFF\xFF\xFF\xFF\xFF\xFF",
    );
    assert_eq!(refusal(&pdf_with(&corrupt), "a.pdf"), Refusal::Malformed);
    // "endstream" inside the compressed data would hide the objects after
    // it: the inflater has not finished there. Where those objects are
    // plain (a stored deflate block), they are read as objects.
    let objects = b"10 0 << /Type /Font /BaseFont /Helvetica >> 11 0 << /S /JavaScript /JS (x) >>";
    for (level, verdict) in [
        (9, Refusal::Malformed),
        (0, Refusal::PdfActiveContent(PdfActiveContent::JavaScript)),
    ] {
        let packed = miniz_oxide::deflate::compress_to_vec_zlib(objects, level);
        let (before, after) = packed.split_at(packed.len() / 2);
        let cut = stream(
            &format!("{OBJECT_STREAM} /Filter /FlateDecode"),
            &cat(&[before, b"\nendstream\n", after]),
        );
        assert_eq!(check_every_split(&pdf_with(&cut), "a.pdf"), Err(verdict));
    }
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(objects, 9);
    let before = &packed[..packed.len() / 2];
    let truncated = stream(&format!("{OBJECT_STREAM} /Filter /FlateDecode"), before);
    assert_eq!(refusal(&pdf_with(&truncated), "a.pdf"), Refusal::Malformed);
    // A wrong checksum, which readers ignore, is no reason to refuse.
    let mut packed = miniz_oxide::deflate::compress_to_vec_zlib(b"10 0 << /Type /Font >>", 6);
    let last = packed.len() - 1;
    packed[last] ^= 0xFF;
    let wrong_sum = stream(&format!("{OBJECT_STREAM} /Filter /FlateDecode"), &packed);
    assert_eq!(kind(&pdf_with(&wrong_sum), "a.pdf"), FileKind::Pdf);
}

#[test]
fn an_object_stream_that_inflates_too_far_is_a_bomb() {
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(&vec![b' '; 40 << 20], 9);
    let bomb = stream(&format!("{OBJECT_STREAM} /Filter /FlateDecode"), &packed);
    let file = pdf_with(&bomb);
    assert!(file.len() < 200_000);
    assert_eq!(run(&file, 65_536, "a.pdf"), Err(Refusal::CompressionBomb));
}

// ---------------------------------------------------------------- refused: archives

#[test]
fn nested_archives_are_refused() {
    for name in [
        "zaloha.zip",
        "data/archiv.7z",
        "x/ZALOHA.TAR.GZ",
        "a.rar",
        "disk.iso",
    ] {
        let file = zip(&[entry("a.txt", b"a"), entry(name, b"\x1F\x8B\x08\0")]);
        assert_eq!(
            check_every_split(&file, "a.zip"),
            Err(Refusal::NestedArchive {
                entry: name.to_owned()
            })
        );
    }
}

#[test]
fn programs_in_archives_are_refused() {
    for name in [
        "setup.exe",
        "skripty/run.JS",
        "faktura.pdf.exe",
        "a.lnk",
        "index.html",
    ] {
        let file = zip(&[entry(name, b"MZ"), entry("a.txt", b"a")]);
        assert_eq!(
            refusal(&file, "a.zip"),
            Refusal::ArchivedProgram {
                entry: name.to_owned()
            }
        );
    }
    let mut docx = ooxml_entries("word/document.xml");
    docx.push(entry("word/embeddings/run.bat", b"@echo off"));
    assert_eq!(
        refusal(&zip(&docx), "a.docx"),
        Refusal::ArchivedProgram {
            entry: "word/embeddings/run.bat".to_owned()
        }
    );
}

#[test]
fn entry_paths_leaving_the_archive_are_refused() {
    for name in [
        "../../etc/cron.d/x",
        "/etc/passwd",
        "a/../../b.txt",
        "C:\\Windows\\x.txt",
        "a\\..\\..\\b",
    ] {
        assert_eq!(
            refusal(&zip(&[entry(name, b"x")]), "a.zip"),
            Refusal::Malformed,
            "{name}"
        );
    }
}

#[test]
fn compression_bombs_are_refused() {
    let mut huge = entry("nuly.bin", b"\0\0\0\0");
    huge.declared = Some(5 << 30);
    assert_eq!(
        refusal(&zip_file(&[huge.clone()], true), "a.zip"),
        Refusal::CompressionBomb
    );
    // Over 100 times the file's size, past the floor.
    huge.declared = Some(20 << 20);
    assert_eq!(
        refusal(&zip(&[huge.clone()]), "a.zip"),
        Refusal::CompressionBomb
    );
    // A small file that compresses well is no bomb.
    huge.declared = Some(10 << 20);
    assert_eq!(kind(&zip(&[huge]), "a.zip"), FileKind::Zip);
    // The same data counted many times over.
    let data = vec![b'x'; 1000];
    let mut overlapping: Vec<Entry> = (0..50).map(|i| entry(&format!("{i}.txt"), b"")).collect();
    overlapping[0].data.clone_from(&data);
    for entry in &mut overlapping {
        entry.offset = Some(0);
        entry.packed = Some(1000);
        entry.declared = Some(1000);
    }
    assert_eq!(
        refusal(&zip(&overlapping), "a.zip"),
        Refusal::CompressionBomb
    );
    // An ODF document is a ZIP too.
    let mut entries = odf_entries("application/vnd.oasis.opendocument.text");
    entries[1].declared = Some(5 << 30);
    assert_eq!(
        refusal(&zip_file(&entries, true), "a.odt"),
        Refusal::CompressionBomb
    );
}

#[test]
fn too_many_entries_are_refused() {
    let entries: Vec<Entry> = (0..10_001).map(|i| entry(&format!("{i}"), b"")).collect();
    assert_eq!(
        run(&zip_file(&entries, true), 65_536, "a.zip"),
        Err(Refusal::CompressionBomb)
    );
    let entries: Vec<Entry> = (0..10_000).map(|i| entry(&format!("{i}"), b"")).collect();
    assert_eq!(
        run(&zip_file(&entries, true), 65_536, "a.zip")
            .unwrap()
            .kind(),
        FileKind::Zip
    );
    // A directory larger than the tail kept cannot be checked.
    let long = "d".repeat(250);
    let entries: Vec<Entry> = (0..5000)
        .map(|i| entry(&format!("{long}/{i}.txt"), b""))
        .collect();
    assert_eq!(
        run(&zip(&entries), 65_536, "a.zip"),
        Err(Refusal::CompressionBomb)
    );
}

#[test]
fn a_broken_zip_is_refused() {
    let file = plain_zip();
    assert_eq!(
        refusal(&file[..file.len() - 10], "a.zip"),
        Refusal::Malformed
    );
    assert_eq!(
        refusal(b"PK\x03\x04\x14\0\0\0", "a.zip"),
        Refusal::Malformed
    );
    // The directory claims more entries than it holds.
    let mut file = plain_zip();
    let at = file.len() - 12;
    file[at] = 9;
    file[at - 2] = 9;
    assert_eq!(refusal(&file, "a.zip"), Refusal::Malformed);
}

#[test]
fn office_macros_are_refused() {
    let mut docm = ooxml_entries("word/document.xml");
    docm.push(entry("word/vbaProject.bin", b"\xD0\xCF\x11\xE0"));
    assert_eq!(refusal(&zip(&docm), "a.docx"), Refusal::Macros);
    let mut activex = ooxml_entries("xl/workbook.xml");
    activex.push(entry("xl/activeX/activeX1.xml", b"<ax/>"));
    assert_eq!(refusal(&zip(&activex), "a.xlsx"), Refusal::Macros);
    let mut basic = odf_entries("application/vnd.oasis.opendocument.text");
    basic.push(entry("Basic/Standard/Module1.xml", b"<script:module/>"));
    assert_eq!(refusal(&zip(&basic), "a.odt"), Refusal::Macros);
    let mut scripts = odf_entries("application/vnd.oasis.opendocument.spreadsheet");
    scripts.push(entry("Scripts/python/run.py", b"import os"));
    assert_eq!(
        refusal(&zip(&scripts), "a.ods"),
        Refusal::ArchivedProgram {
            entry: "Scripts/python/run.py".to_owned()
        }
    );
    scripts.pop();
    scripts.push(entry("Scripts/beanshell/run.bsh", b"x"));
    assert_eq!(refusal(&zip(&scripts), "a.ods"), Refusal::Macros);
    // Library lists without modules are no macros; nor is a plain ZIP's entry.
    let mut lists = odf_entries("application/vnd.oasis.opendocument.text");
    lists.push(entry("Basic/script-lc.xml", b"<library:libraries/>"));
    lists.push(entry("Basic/Standard/script-lb.xml", b"<library:library/>"));
    assert_eq!(kind(&zip(&lists), "a.odt"), FileKind::Odt);
    let backup = zip(&[entry("zaloha/vbaProject.bin", b"x")]);
    assert_eq!(kind(&backup, "a.zip"), FileKind::Zip);
}

// ---------------------------------------------------------------- refused: polyglots

#[test]
fn a_zip_at_the_end_of_another_type_is_a_polyglot() {
    let appended = Refusal::Polyglot(Polyglot::ZipAppended);
    assert_eq!(
        check_every_split(&cat(&[&plain_pdf(), &plain_zip()]), "a.pdf"),
        Err(appended.clone())
    );
    assert_eq!(refusal(&cat(&[&jpeg(), &plain_zip()]), "a.jpg"), appended);
    assert_eq!(
        refusal(&cat(&[&gif(), &plain_zip(), b"trailing junk"]), "a.gif"),
        appended
    );
    // A ZIP's records hold NULs: text with a ZIP after it is no text.
    assert_eq!(
        refusal(
            &cat(&[b"Dobry den\n", &zip(&[entry("a.txt", b"x")])]),
            "a.txt"
        ),
        Refusal::UnknownType
    );
    assert_eq!(refusal(&cat(&[&png(), &zip(&[])]), "a.png"), appended);
}

#[test]
fn a_zip_signature_by_chance_is_no_polyglot() {
    // The signature with fields that do not hang together.
    let segment = comment(
        b"PK\x05\x06\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0A\x0B\x0C\x0D\x0E\x0F\x10\x11\x12",
    );
    assert_eq!(kind(&jpeg_with(&segment), "a.jpg"), FileKind::Jpeg);
}

#[test]
fn a_pdf_after_another_types_start_is_a_polyglot() {
    let inside = Refusal::Polyglot(Polyglot::PdfInside);
    let jpeg_pdf = jpeg_with(&comment(b"%PDF-1.7 1 0 obj << >> endobj"));
    assert_eq!(refusal(&jpeg_pdf, "a.jpg"), inside);
    let zip_pdf = zip(&[entry("%PDF-1.4.txt", b"x")]);
    assert_eq!(refusal(&zip_pdf, "a.zip"), inside);
    assert_eq!(refusal(b"Ahoj\n%PDF-1.4\n", "a.txt"), inside);
    // Past the first KiB, a reader no longer looks.
    let late = jpeg_with(&comment(&cat(&[&[b' '; 1100], b"%PDF-1.7"])));
    assert_eq!(kind(&late, "a.jpg"), FileKind::Jpeg);
}

#[test]
fn markup_in_an_image_or_pdf_head_is_a_polyglot() {
    let markup = Refusal::Polyglot(Polyglot::MarkupInHead);
    let script = jpeg_with(&comment(b"<script>alert(document.cookie)</script>"));
    assert_eq!(check_every_split(&script, "a.jpg"), Err(markup.clone()));
    assert_eq!(
        refusal(&jpeg_with(&comment(b"<HTML><body>")), "a.jpg"),
        markup
    );
    assert_eq!(
        refusal(&jpeg_with(&comment(b"<?php echo 1; ?>")), "a.jpg"),
        markup
    );
    assert_eq!(
        refusal(&cat(&[&gif(), b"<svg onload=alert(1)>"]), "a.gif"),
        markup
    );
    let pdf = cat(&[b"%PDF-1.4\n%<html><script>x</script>\n", &plain_pdf()[9..]]);
    assert_eq!(refusal(&pdf, "a.pdf"), markup);
    let late = jpeg_with(&comment(&cat(&[&[b' '; 1100], b"<script>"])));
    assert_eq!(kind(&late, "a.jpg"), FileKind::Jpeg);
}

// ---------------------------------------------------------------- memory

/// Feeds `first`, then `repeat` until `total` bytes are in, checking the
/// memory held after every chunk.
fn feed(first: &[u8], repeat: &[u8], total: usize) -> ContentCheck {
    let mut check = ContentCheck::new();
    check.update(first);
    let mut fed = first.len();
    while fed < total {
        check.update(repeat);
        fed += repeat.len();
        assert!(check.buffered_bytes() <= ContentCheck::MAX_BUFFERED_BYTES);
    }
    check
}

#[test]
fn memory_stays_bounded_whatever_the_size() {
    let noise: Vec<u8> = (0..65_536u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    // A PDF that is one long stream: an image, a font.
    let stream = feed(
        b"%PDF-1.7\n1 0 obj\n<< /Length 50000000 >>\nstream\n",
        &noise,
        50_000_000,
    );
    assert!(stream.buffered_bytes() > TAIL_LEN);
    assert_eq!(stream.finish("a.pdf").unwrap().kind(), FileKind::Pdf);
    // A PDF that is one long run of objects, read byte by byte: slower.
    let objects = b"<< /Type /Page /Parent 2 0 R >>\n".repeat(2048);
    let objects = feed(b"%PDF-1.7\n", &objects, 5_000_000);
    assert_eq!(objects.finish("a.pdf").unwrap().kind(), FileKind::Pdf);
    let text = feed(
        b"",
        &"Příliš žluťoučký kůň.\n".repeat(3000).into_bytes(),
        50_000_000,
    );
    assert_eq!(text.finish("a.txt").unwrap().kind(), FileKind::Text);
    let compound = feed(&compound(&["Root Entry"]), &noise, 50_000_000);
    assert_eq!(
        compound.finish("a.doc"),
        Err(Refusal::Unsupported(Unsupported::LegacyOffice))
    );
    let zip = feed(&zip(&[entry("a.txt", b"a")]), &noise, 50_000_000);
    assert_eq!(zip.finish("a.zip"), Err(Refusal::Malformed));
}

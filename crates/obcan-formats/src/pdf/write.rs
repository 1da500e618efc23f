//! Writing laid-out pages as a PDF/A-2b file.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use jiff::Zoned;
use pdf_writer::types::{CidFontType, FontFlags, OutputIntentSubtype, SystemInfo, UnicodeCmap};
use pdf_writer::{
    Chunk, Content, Date, Filter, Finish, Name, Pdf, Rect, Ref, Settings, Str, TextStr,
};
use sha2::{Digest, Sha256};
use subsetter::GlyphRemapper;

use super::Document;
use super::PdfError;
use super::font::{Fonts, Style, Typeface};
use super::layout::{Op, PAGE_HEIGHT, PAGE_WIDTH, Page};

static SRGB_PROFILE: &[u8] = include_bytes!("../../color/sRGB.icc");

const PRODUCER: &str = "Obcan";

const IDENTITY: SystemInfo = SystemInfo {
    registry: Str(b"Adobe"),
    ordering: Str(b"Identity"),
    supplement: 0,
};

const SETTINGS: Settings = Settings { pretty: false };

pub(crate) fn write(
    document: &Document,
    pages: &[Page],
    fonts: &Fonts,
) -> Result<Vec<u8>, PdfError> {
    let mut refs = Refs::default();
    let catalog_id = refs.next();
    let info_id = refs.next();
    let page_tree_id = refs.next();

    let mut chunk = Chunk::with_settings(SETTINGS);
    let embedded = embed_fonts(&mut chunk, &mut refs, pages, fonts)?;

    let mut page_ids = Vec::with_capacity(pages.len());
    for page in pages {
        let page_id = refs.next();
        let content_id = refs.next();
        page_ids.push(page_id);
        let content = deflate(&content(page, &embedded));
        chunk
            .stream(content_id, &content)
            .filter(Filter::FlateDecode);
        let mut writer = chunk.page(page_id);
        writer
            .parent(page_tree_id)
            .media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
            .contents(content_id);
        let mut resources = writer.resources();
        let mut font_names = resources.fonts();
        for font in &embedded {
            font_names.pair(Name(font.style.resource_name()), font.type0_id);
        }
    }
    let page_count = i32::try_from(page_ids.len()).map_err(|_| PdfError::TooLarge)?;
    chunk.pages(page_tree_id).kids(page_ids).count(page_count);

    let profile_id = refs.next();
    let profile = deflate(SRGB_PROFILE);
    chunk
        .icc_profile(profile_id, &profile)
        .n(3)
        .range([0.0, 1.0, 0.0, 1.0, 0.0, 1.0])
        .filter(Filter::FlateDecode);

    // PDF/A wants the metadata stream readable without decoding.
    let metadata_id = refs.next();
    let xmp = xmp(document);
    chunk.metadata(metadata_id, xmp.as_bytes());

    // The file ID is a digest of everything the file says, so that the same
    // document always gets the same ID and a different one never does.
    let digest = Sha256::digest(chunk.as_bytes());
    let file_id = digest.get(..16).unwrap_or(&digest).to_vec();

    let mut pdf = Pdf::with_settings(SETTINGS);
    pdf.extend(&chunk);
    let mut catalog = pdf.catalog(catalog_id);
    catalog
        .pages(page_tree_id)
        .metadata(metadata_id)
        .lang(TextStr(&document.language));
    catalog.viewer_preferences().display_doc_title(true);
    catalog
        .output_intents()
        .push()
        .subtype(OutputIntentSubtype::PDFA)
        .output_condition_identifier(TextStr("sRGB IEC61966-2.1"))
        .info(TextStr("sRGB IEC61966-2.1"))
        .dest_output_profile(profile_id);
    catalog.finish();
    let created = pdf_date(&document.created);
    pdf.document_info(info_id)
        .title(TextStr(&document.title))
        .author(TextStr(&document.author))
        .producer(TextStr(PRODUCER))
        .creation_date(created)
        .modified_date(created);
    pdf.set_file_id((file_id.clone(), file_id));
    Ok(pdf.finish())
}

/// Hands out object numbers, each once: pdf-writer panics on a repeat.
#[derive(Debug, Default)]
struct Refs(i32);

impl Refs {
    fn next(&mut self) -> Ref {
        self.0 += 1;
        Ref::new(self.0)
    }
}

/// A font subset written into the file.
struct EmbeddedFont<'f> {
    style: Style,
    face: &'f Typeface,
    type0_id: Ref,
    /// The subset's glyph (which is also its CID) of each original glyph.
    cids: GlyphRemapper,
}

fn embed_fonts<'f>(
    chunk: &mut Chunk,
    refs: &mut Refs,
    pages: &[Page],
    fonts: &'f Fonts,
) -> Result<Vec<EmbeddedFont<'f>>, PdfError> {
    let mut embedded = Vec::new();
    for style in Style::ALL {
        let face = fonts.get(style);
        // Each glyph used, with the character a reader gets back from it.
        let mut used: BTreeMap<u16, char> = BTreeMap::new();
        for op in pages.iter().flat_map(|page| &page.ops) {
            if let Op::Text {
                style: op_style,
                text,
                ..
            } = op
                && *op_style == style
            {
                for ch in text.chars() {
                    used.entry(face.glyph(ch))
                        .or_insert_with(|| face.shown_as(ch));
                }
            }
        }
        if used.is_empty() {
            continue;
        }
        let glyphs: Vec<u16> = used.keys().copied().collect();
        let (cids, subset) = subset(face, &glyphs)?;

        let type0_id = refs.next();
        let cid_font_id = refs.next();
        let descriptor_id = refs.next();
        let file_id = refs.next();
        let cmap_id = refs.next();
        let base_font = format!("{}+{}", subset_tag(style, &glyphs), face.postscript_name);
        let base_font = Name(base_font.as_bytes());

        chunk
            .type0_font(type0_id)
            .base_font(base_font)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid_font_id)
            .to_unicode(cmap_id);

        let mut cid_font = chunk.cid_font(cid_font_id);
        cid_font
            .subtype(CidFontType::Type2)
            .base_font(base_font)
            .system_info(IDENTITY)
            .font_descriptor(descriptor_id)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        let mut widths = cid_font.widths();
        for &glyph in &glyphs {
            if let Some(cid) = cids.get(glyph) {
                widths.consecutive(cid, [face.advance(glyph)]);
            }
        }
        widths.finish();
        cid_font.finish();

        let [left, bottom, right, top] = face.bbox();
        chunk
            .font_descriptor(descriptor_id)
            .name(base_font)
            .flags(FontFlags::SYMBOLIC)
            .bbox(Rect::new(left, bottom, right, top))
            .italic_angle(face.italic_angle())
            .ascent(face.ascent())
            .descent(face.descent())
            .cap_height(face.cap_height())
            // The usual estimate from the weight; readers use it only to
            // imitate the font when they cannot use the embedded one.
            .stem_v(10.0 + 0.244 * (f32::from(face.weight) - 50.0))
            .font_file2(file_id);

        let length = i32::try_from(subset.len()).map_err(|_| PdfError::TooLarge)?;
        let compressed = deflate(&subset);
        chunk
            .stream(file_id, &compressed)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), length);

        let mut cmap = UnicodeCmap::new(Name(b"Custom"), IDENTITY);
        for (&glyph, &ch) in &used {
            if let Some(cid) = cids.get(glyph) {
                cmap.pair(cid, ch);
            }
        }
        let cmap = deflate(cmap.finish().as_slice());
        chunk.stream(cmap_id, &cmap).filter(Filter::FlateDecode);

        embedded.push(EmbeddedFont {
            style,
            face,
            type0_id,
            cids,
        });
    }
    Ok(embedded)
}

/// The font program with only `glyphs` (and the glyphs they are built
/// of), and each glyph's number in it, which is also its CID.
fn subset(face: &Typeface, glyphs: &[u16]) -> Result<(GlyphRemapper, Vec<u8>), PdfError> {
    let cids = GlyphRemapper::new_from_glyphs_sorted(glyphs);
    let subset = subsetter::subset(face.data, 0, &cids)
        .map_err(|error| PdfError::Subset(error.to_string()))?;
    Ok((cids, subset))
}

/// Six capital letters naming a subset, as PDF asks: from the glyphs it
/// holds, so that it is stable for the same text.
fn subset_tag(style: Style, glyphs: &[u16]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(style.resource_name());
    for glyph in glyphs {
        hasher.update(glyph.to_be_bytes());
    }
    hasher
        .finalize()
        .iter()
        .take(6)
        .map(|byte| char::from(b'A' + byte % 26))
        .collect()
}

fn content(page: &Page, fonts: &[EmbeddedFont<'_>]) -> Vec<u8> {
    let mut content = Content::new();
    for op in &page.ops {
        match op {
            Op::Text {
                style,
                size,
                x,
                y,
                text,
            } => {
                let Some(font) = fonts.iter().find(|font| font.style == *style) else {
                    continue;
                };
                let mut encoded = Vec::with_capacity(text.len() * 2);
                for ch in text.chars() {
                    let cid = font.cids.get(font.face.glyph(ch)).unwrap_or(0);
                    encoded.extend_from_slice(&cid.to_be_bytes());
                }
                content
                    .set_fill_rgb(0.0, 0.0, 0.0)
                    .begin_text()
                    .set_font(Name(style.resource_name()), *size)
                    .next_line(*x, *y)
                    .show(Str(&encoded))
                    .end_text();
            }
            Op::Rule {
                x1,
                x2,
                y,
                width,
                gray,
            } => {
                content
                    .set_stroke_rgb(*gray, *gray, *gray)
                    .set_line_width(*width)
                    .move_to(*x1, *y)
                    .line_to(*x2, *y)
                    .stroke();
            }
            Op::Shade {
                x,
                y,
                width,
                height,
                gray,
            } => {
                content
                    .set_fill_rgb(*gray, *gray, *gray)
                    .rect(*x, *y, *width, *height)
                    .fill_nonzero();
            }
        }
    }
    content.finish().into_vec()
}

fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

fn pdf_date(time: &Zoned) -> Date {
    let offset = time.offset().seconds();
    let hours = i8::try_from(offset / 3600).unwrap_or(0);
    let minutes = u8::try_from(offset.abs() % 3600 / 60).unwrap_or(0);
    Date::new(u16::try_from(time.year()).unwrap_or(0))
        .month(u8::try_from(time.month()).unwrap_or(1))
        .day(u8::try_from(time.day()).unwrap_or(1))
        .hour(u8::try_from(time.hour()).unwrap_or(0))
        .minute(u8::try_from(time.minute()).unwrap_or(0))
        .second(u8::try_from(time.second()).unwrap_or(0))
        .utc_offset_hour(hours)
        .utc_offset_minute(minutes)
}

/// The XMP metadata PDF/A asks for, saying what the information dictionary
/// says, and which part and level of PDF/A the file claims.
fn xmp(document: &Document) -> String {
    let date = document
        .created
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string();
    let mut xmp = String::new();
    xmp.push_str("<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n");
    xmp.push_str("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n");
    xmp.push_str("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n");
    xmp.push_str("<rdf:Description rdf:about=\"\"");
    xmp.push_str(" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"");
    xmp.push_str(" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"");
    xmp.push_str(" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"");
    xmp.push_str(" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n");
    xmp.push_str("<dc:format>application/pdf</dc:format>\n");
    let _ = writeln!(
        xmp,
        "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:title>",
        xml_escape(&document.title)
    );
    let _ = writeln!(
        xmp,
        "<dc:creator><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:creator>",
        xml_escape(&document.author)
    );
    let _ = writeln!(
        xmp,
        "<dc:language><rdf:Bag><rdf:li>{}</rdf:li></rdf:Bag></dc:language>",
        xml_escape(&document.language)
    );
    let _ = writeln!(xmp, "<xmp:CreateDate>{date}</xmp:CreateDate>");
    let _ = writeln!(xmp, "<xmp:ModifyDate>{date}</xmp:ModifyDate>");
    let _ = writeln!(xmp, "<xmp:MetadataDate>{date}</xmp:MetadataDate>");
    let _ = writeln!(xmp, "<pdf:Producer>{PRODUCER}</pdf:Producer>");
    xmp.push_str("<pdfaid:part>2</pdfaid:part>\n");
    xmp.push_str("<pdfaid:conformance>B</pdfaid:conformance>\n");
    xmp.push_str("</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n");
    xmp.push_str("<?xpacket end=\"w\"?>");
    xmp
}

fn xml_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            // XML 1.0 allows no other control characters, even escaped.
            ch if ch.is_control() && !matches!(ch, '\t' | '\n' | '\r') => escaped.push(' '),
            ch => escaped.push(ch),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_is_escaped() {
        assert_eq!(
            xml_escape("A & B <c> \"d\"\u{1}"),
            "A &amp; B &lt;c&gt; &quot;d&quot; "
        );
    }

    #[test]
    fn dates_carry_the_offset() {
        let time: Zoned = "2026-07-01T09:05:03+02:00[Europe/Prague]".parse().unwrap();
        let mut chunk = Chunk::new();
        chunk.indirect(Ref::new(1)).primitive(pdf_date(&time));
        let written = String::from_utf8_lossy(chunk.as_bytes()).into_owned();
        assert!(written.contains("(D:20260701090503+02'00)"), "{written}");
    }

    #[test]
    fn the_widths_written_are_the_subsets_own() {
        // PDF/A requires the widths of the font dictionary to match the
        // embedded program's.
        let fonts = Fonts::load().unwrap();
        for style in Style::ALL {
            let face = fonts.get(style);
            let glyphs: Vec<u16> = "Příliš žluťoučký kůň ÚPĚL ďábelské ódy 0123456789 –„“?"
                .chars()
                .map(|ch| face.glyph(ch))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let (cids, program) = subset(face, &glyphs).unwrap();
            assert!(program.len() < face.data.len() / 5, "{}", program.len());
            let embedded = ttf_parser::Face::parse(&program, 0).unwrap();
            let scale = 1000.0 / f32::from(embedded.units_per_em());
            for glyph in glyphs {
                let cid = cids.get(glyph).unwrap();
                let advance = embedded
                    .glyph_hor_advance(ttf_parser::GlyphId(cid))
                    .unwrap();
                assert!((f32::from(advance) * scale - face.advance(glyph)).abs() < 0.01);
            }
        }
    }

    #[test]
    fn the_output_intent_profile_is_an_rgb_display_profile_of_icc_version_2() {
        // Header fields of ICC.1: size, version, device class, colour space.
        let size = u32::from_be_bytes(SRGB_PROFILE[0..4].try_into().unwrap());
        assert_eq!(usize::try_from(size).unwrap(), SRGB_PROFILE.len());
        assert_eq!(SRGB_PROFILE[8], 2);
        assert_eq!(&SRGB_PROFILE[12..16], b"mntr");
        assert_eq!(&SRGB_PROFILE[16..20], b"RGB ");
        assert_eq!(&SRGB_PROFILE[36..40], b"acsp");
    }

    #[test]
    fn subset_tags_are_six_capitals_and_depend_on_the_glyphs() {
        let tag = subset_tag(Style::Regular, &[1, 2, 3]);
        assert_eq!(tag.len(), 6);
        assert!(tag.bytes().all(|b| b.is_ascii_uppercase()));
        assert_eq!(tag, subset_tag(Style::Regular, &[1, 2, 3]));
        assert_ne!(tag, subset_tag(Style::Regular, &[1, 2, 4]));
        assert_ne!(tag, subset_tag(Style::Bold, &[1, 2, 3]));
    }
}

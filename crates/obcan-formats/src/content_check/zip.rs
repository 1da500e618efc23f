//! ZIP files, and the ODF and OOXML documents built on them, judged from
//! their central directory at the end of the file, ZIP64 included.
//!
//! The sizes checked are the declared ones: the portal stores the file as
//! it came and never unpacks it; whoever unpacks it later gets what the
//! directory declares, or an error.
//!
//! ODF encrypts entries on its own, without the ZIP flag, and says so in
//! `META-INF/manifest.xml`; the manifest is read when it lies in the head or
//! the tail (office suites write it last), and an ODF file whose manifest
//! cannot be read is refused as unreadable.

use miniz_oxide::inflate::stream::{InflateState, inflate};
use miniz_oxide::{DataFormat, MZFlush, MZStatus};

use super::needle::Needle;
use super::{FileKind, Refusal, names};

const END_SIGNATURE: &[u8] = b"PK\x05\x06";
const END_LEN: usize = 22;
const LOCATOR_SIGNATURE: &[u8] = b"PK\x06\x07";
const LOCATOR_LEN: usize = 20;
const END64_SIGNATURE: &[u8] = b"PK\x06\x06";
const END64_LEN: usize = 56;
const ENTRY_SIGNATURE: &[u8] = b"PK\x01\x02";
const ENTRY_LEN: usize = 46;
const LOCAL_LEN: u64 = 30;
/// A ZIP reader looks for the end record this far from the file's end.
const END_SEARCH: usize = END_LEN + 0xFFFF;

const MAX_ENTRIES: u64 = 10_000;
const MAX_UNPACKED: u64 = 4 << 30;
const MAX_RATIO: u64 = 100;
/// Below this much unpacked data the ratio does not count.
const RATIO_FLOOR: u64 = 16 << 20;
/// An ODF manifest larger than this is not read.
const MANIFEST_MAX: u64 = 16 << 20;

const FLAG_ENCRYPTED: u16 = 1 << 0;
const FLAG_STRONG_ENCRYPTION: u16 = 1 << 6;
const FLAG_DIRECTORY_ENCRYPTED: u16 = 1 << 13;
const METHOD_STORED: u16 = 0;
const METHOD_DEFLATE: u16 = 8;
const METHOD_AES: u16 = 99;
const ZIP64_EXTRA: u16 = 0x0001;

/// A window of a file: its bytes and where they start in the file.
#[derive(Debug, Clone, Copy)]
pub(in crate::content_check) struct Window<'a> {
    pub(in crate::content_check) bytes: &'a [u8],
    pub(in crate::content_check) start: u64,
}

impl Window<'_> {
    /// The bytes at an offset in the file, if the window holds them all.
    pub(in crate::content_check) fn get(&self, offset: u64, len: usize) -> Option<&[u8]> {
        let start = usize::try_from(offset.checked_sub(self.start)?).ok()?;
        self.bytes.get(start..start.checked_add(len)?)
    }
}

/// Whether the file ends with an end record a ZIP reader would take, even
/// with bytes after it: the polyglot check. The record's fields must hang
/// together, so that compressed bytes that happen to hold the signature do
/// not count.
pub(super) fn has_end_record(tail: &Window, total: u64) -> bool {
    let from = tail.bytes.len().saturating_sub(END_SEARCH);
    (from..tail.bytes.len())
        .rev()
        .any(|at| end_record(tail, tail.start + at as u64, total, false).is_some())
}

/// What the end record says.
#[derive(Debug, Clone, Copy)]
struct End {
    entries: u64,
    directory_offset: u64,
    directory_size: u64,
    /// Where the end records start: the directory ends before.
    records_at: u64,
}

/// Reads the end record at an offset; `exact` asks that its comment end
/// the file, as a well-formed ZIP's does.
fn end_record(tail: &Window, at: u64, total: u64, exact: bool) -> Option<End> {
    let record = tail.get(at, END_LEN)?;
    if !record.starts_with(END_SIGNATURE) {
        return None;
    }
    let comment = u64::from(u16_at(record, 20)?);
    let fits = if exact {
        at + END_LEN as u64 + comment == total
    } else {
        at + END_LEN as u64 + comment <= total
    };
    let disk = u16_at(record, 4)?;
    let directory_disk = u16_at(record, 6)?;
    let entries_here = u16_at(record, 8)?;
    let entries = u16_at(record, 10)?;
    let size = u32_at(record, 12)?;
    let offset = u32_at(record, 16)?;
    let single_disk = matches!(disk, 0 | 0xFFFF) && directory_disk == disk;
    if !fits || !single_disk || entries_here != entries {
        return None;
    }
    if let Some(end) = end64(tail, at) {
        return end.directory_fits().then_some(end);
    }
    let end = End {
        entries: u64::from(entries),
        directory_offset: u64::from(offset),
        directory_size: u64::from(size),
        records_at: at,
    };
    let zip64_marks = entries == 0xFFFF || size == u32::MAX || offset == u32::MAX;
    (!zip64_marks && end.directory_fits()).then_some(end)
}

impl End {
    /// Whether the directory ends before the end records, as it must.
    fn directory_fits(&self) -> bool {
        self.directory_offset
            .checked_add(self.directory_size)
            .is_some_and(|end| end <= self.records_at)
    }
}

/// The ZIP64 end record, found through the locator just before the end record.
fn end64(tail: &Window, end_at: u64) -> Option<End> {
    let locator_at = end_at.checked_sub(LOCATOR_LEN as u64)?;
    let locator = tail.get(locator_at, LOCATOR_LEN)?;
    if !locator.starts_with(LOCATOR_SIGNATURE) {
        return None;
    }
    let at = u64_at(locator, 8)?;
    let record = tail.get(at, END64_LEN)?;
    let single_disk = u32_at(record, 16)? == 0 && u32_at(record, 20)? == 0;
    let entries = u64_at(record, 32)?;
    if !record.starts_with(END64_SIGNATURE) || !single_disk || u64_at(record, 24)? != entries {
        return None;
    }
    Some(End {
        entries,
        directory_size: u64_at(record, 40)?,
        directory_offset: u64_at(record, 48)?,
        records_at: at.min(locator_at),
    })
}

/// What the entries of a directory add up to.
#[derive(Debug, Default)]
struct Facts {
    encrypted: bool,
    nested: Option<String>,
    program: Option<String>,
    unsafe_path: bool,
    odf_macros: bool,
    ooxml_macros: bool,
    content_types: bool,
    word: bool,
    xl: bool,
    ppt: bool,
    manifest: Option<Located>,
    unpacked: u64,
    /// The bytes the entries' data and local headers take at the least.
    packed: u64,
}

/// Where an entry's data is, from its directory record.
#[derive(Debug, Clone, Copy)]
struct Located {
    /// The local header's offset.
    offset: u64,
    packed: u64,
    method: u16,
}

/// The type of a file that starts like a ZIP, or why it is refused.
pub(super) fn inspect(head: &[u8], tail: &Window, total: u64) -> Result<FileKind, Refusal> {
    let from = tail.bytes.len().saturating_sub(END_SEARCH);
    let end = (from..tail.bytes.len())
        .rev()
        .find_map(|at| end_record(tail, tail.start + at as u64, total, true))
        .ok_or(Refusal::Malformed)?;
    if end.entries > MAX_ENTRIES {
        return Err(Refusal::CompressionBomb);
    }
    // A directory beyond the tail would hold thousands of entries.
    let directory_size =
        usize::try_from(end.directory_size).map_err(|_| Refusal::CompressionBomb)?;
    let directory = tail.get(end.directory_offset, directory_size).ok_or(
        if end.directory_offset < tail.start {
            Refusal::CompressionBomb
        } else {
            Refusal::Malformed
        },
    )?;
    let facts = read_directory(directory, end.entries)?;
    if facts.encrypted {
        return Err(Refusal::Encrypted);
    }
    let bomb = facts.unpacked > MAX_UNPACKED
        || (facts.unpacked > RATIO_FLOOR && facts.unpacked / MAX_RATIO > total)
        || facts.packed > end.directory_offset;
    if bomb {
        return Err(Refusal::CompressionBomb);
    }
    if let Some(entry) = facts.program {
        return Err(Refusal::ArchivedProgram { entry });
    }
    if let Some(entry) = facts.nested {
        return Err(Refusal::NestedArchive { entry });
    }
    if facts.unsafe_path {
        return Err(Refusal::Malformed);
    }
    let kind = if let Some(kind) = odf_kind(head) {
        kind
    } else if facts.content_types && facts.word {
        FileKind::Docx
    } else if facts.content_types && facts.xl {
        FileKind::Xlsx
    } else if facts.content_types && facts.ppt {
        FileKind::Pptx
    } else {
        FileKind::Zip
    };
    let odf = matches!(kind, FileKind::Odt | FileKind::Ods | FileKind::Odp);
    if odf {
        let head = Window {
            bytes: head,
            start: 0,
        };
        let manifest = facts.manifest.ok_or(Refusal::Malformed)?;
        if odf_encrypted(&head, tail, manifest).ok_or(Refusal::Malformed)? {
            return Err(Refusal::Encrypted);
        }
    }
    let macros = match kind {
        FileKind::Odt | FileKind::Ods | FileKind::Odp => facts.odf_macros,
        FileKind::Docx | FileKind::Xlsx | FileKind::Pptx => facts.ooxml_macros,
        _ => false,
    };
    if macros {
        return Err(Refusal::Macros);
    }
    Ok(kind)
}

fn read_directory(directory: &[u8], entries: u64) -> Result<Facts, Refusal> {
    let mut facts = Facts::default();
    let mut at = 0;
    for _ in 0..entries {
        let entry = directory
            .get(at..at + ENTRY_LEN)
            .filter(|entry| entry.starts_with(ENTRY_SIGNATURE))
            .ok_or(Refusal::Malformed)?;
        let field = |offset| u16_at(entry, offset).ok_or(Refusal::Malformed);
        let flags = field(8)?;
        let method = field(10)?;
        let name_len = usize::from(field(28)?);
        let extra_len = usize::from(field(30)?);
        let comment_len = usize::from(field(32)?);
        let mut packed = u64::from(u32_at(entry, 20).ok_or(Refusal::Malformed)?);
        let mut unpacked = u64::from(u32_at(entry, 24).ok_or(Refusal::Malformed)?);
        let mut offset = u64::from(u32_at(entry, 42).ok_or(Refusal::Malformed)?);
        let name_at = at + ENTRY_LEN;
        let name = directory
            .get(name_at..name_at + name_len)
            .ok_or(Refusal::Malformed)?;
        let extra = directory
            .get(name_at + name_len..name_at + name_len + extra_len)
            .ok_or(Refusal::Malformed)?;
        at = name_at + name_len + extra_len + comment_len;
        if at > directory.len() {
            return Err(Refusal::Malformed);
        }
        if [packed, unpacked, offset].contains(&u64::from(u32::MAX)) {
            [unpacked, packed, offset] =
                zip64_fields(extra, [unpacked, packed, offset]).ok_or(Refusal::Malformed)?;
        }
        let encryption = FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION | FLAG_DIRECTORY_ENCRYPTED;
        facts.encrypted |= flags & encryption != 0 || method == METHOD_AES;
        facts.unpacked = facts.unpacked.saturating_add(unpacked);
        facts.packed = facts
            .packed
            .saturating_add(packed.saturating_add(LOCAL_LEN + name_len as u64));
        let name = String::from_utf8_lossy(name);
        if name == "META-INF/manifest.xml" {
            facts.manifest = Some(Located {
                offset,
                packed,
                method,
            });
        }
        judge_name(&mut facts, &name);
    }
    Ok(facts)
}

/// The unpacked size, packed size and local header offset, from the ZIP64
/// extra field where the directory record marks them as too large. The
/// field holds those it replaces, in this order.
fn zip64_fields(mut extra: &[u8], mut values: [u64; 3]) -> Option<[u64; 3]> {
    while extra.len() >= 4 {
        let id = u16_at(extra, 0)?;
        let len = usize::from(u16_at(extra, 2)?);
        let data = extra.get(4..4 + len)?;
        if id == ZIP64_EXTRA {
            let mut fields = data.chunks_exact(8).map(|b| u64_at(b, 0));
            for value in &mut values {
                if *value == u64::from(u32::MAX) {
                    *value = fields.next()??;
                }
            }
            return Some(values);
        }
        extra = &extra[4 + len..];
    }
    None
}

/// Whether an ODF document's manifest declares encrypted entries; `None`
/// when the manifest lies outside the bytes kept or cannot be read.
fn odf_encrypted(head: &Window, tail: &Window, manifest: Located) -> Option<bool> {
    let read = |offset, len| head.get(offset, len).or_else(|| tail.get(offset, len));
    let local = read(manifest.offset, LOCAL_LEN as usize)?;
    if !local.starts_with(b"PK\x03\x04") {
        return None;
    }
    let name_len = u64::from(u16_at(local, 26)?);
    let extra_len = u64::from(u16_at(local, 28)?);
    let data_at = manifest.offset + LOCAL_LEN + name_len + extra_len;
    let data = read(data_at, usize::try_from(manifest.packed).ok()?)?;
    let mut needle = Needle::new(b"encryption-data");
    match manifest.method {
        METHOD_STORED => Some(data.iter().any(|&b| needle.feed(b))),
        METHOD_DEFLATE => inflate_contains(data, &mut needle),
        _ => None,
    }
}

/// Whether deflated data holds the needle; `None` if it cannot be inflated.
fn inflate_contains<const N: usize>(mut data: &[u8], needle: &mut Needle<N>) -> Option<bool> {
    let mut state = InflateState::new_boxed(DataFormat::Raw);
    let mut buffer = [0; 4096];
    let mut total = 0;
    loop {
        let result = inflate(&mut state, data, &mut buffer, MZFlush::None);
        data = &data[result.bytes_consumed..];
        if buffer[..result.bytes_written]
            .iter()
            .any(|&b| needle.feed(b))
        {
            return Some(true);
        }
        total += result.bytes_written as u64;
        if total > MANIFEST_MAX {
            return None;
        }
        match result.status {
            Ok(MZStatus::StreamEnd) => return Some(false),
            Ok(_) if result.bytes_consumed > 0 || result.bytes_written > 0 => {}
            // An error, or the data ended before the deflate stream did.
            _ => return None,
        }
    }
}

fn judge_name(facts: &mut Facts, name: &str) {
    let lower = name.to_ascii_lowercase();
    let shown = || name.chars().take(200).collect::<String>();
    if let Some(extension) = names::extension(&lower) {
        if names::is_program(&extension) && facts.program.is_none() {
            facts.program = Some(shown());
        }
        if names::is_archive(&extension) && facts.nested.is_none() {
            facts.nested = Some(shown());
        }
    }
    let escapes = lower.starts_with(['/', '\\'])
        || lower.as_bytes().get(1) == Some(&b':')
        || lower.split(['/', '\\']).any(|part| part == "..");
    facts.unsafe_path |= escapes;
    facts.content_types |= lower == "[content_types].xml";
    facts.word |= lower.starts_with("word/");
    facts.xl |= lower.starts_with("xl/");
    facts.ppt |= lower.starts_with("ppt/");
    facts.ooxml_macros |= lower.ends_with("vbaproject.bin") || lower.contains("/activex/");
    // An ODF document keeps Basic modules next to two library lists that
    // may be there without macros.
    let basic_module = lower.starts_with("basic/")
        && lower.ends_with(".xml")
        && !lower.ends_with("/script-lc.xml")
        && !lower.ends_with("/script-lb.xml");
    facts.odf_macros |= basic_module || lower.starts_with("scripts/");
}

/// An ODF document names its type in a first entry `mimetype`, stored
/// uncompressed right after its local header.
fn odf_kind(head: &[u8]) -> Option<FileKind> {
    const NAME: &[u8] = b"mimetype";
    if !head.starts_with(b"PK\x03\x04") || u16_at(head, 8)? != 0 {
        return None;
    }
    let size = usize::try_from(u32_at(head, 18)?).ok()?;
    let name_len = usize::from(u16_at(head, 26)?);
    let extra_len = usize::from(u16_at(head, 28)?);
    if head.get(30..30 + name_len)? != NAME {
        return None;
    }
    let data_at = 30 + name_len + extra_len;
    match head.get(data_at..data_at + size)? {
        b"application/vnd.oasis.opendocument.text" => Some(FileKind::Odt),
        b"application/vnd.oasis.opendocument.spreadsheet" => Some(FileKind::Ods),
        b"application/vnd.oasis.opendocument.presentation" => Some(FileKind::Odp),
        _ => None,
    }
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

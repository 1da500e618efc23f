//! A ZIP archive written as a stream: the archival package (the NSESSS SIP,
//! `mets.xml` and `komponenty/<files>`) goes to the HTTP response while each
//! component is decrypted from storage, so nothing is held whole and nothing
//! written can be sought back to.
//!
//! Hence, following PKWARE's APPNOTE 6.3.x:
//!
//! - entries are stored (method 0): the components are PDFs and images,
//!   which do not compress;
//! - an entry's CRC-32 and size are known only once its data has passed, so
//!   the local header leaves them out (flag bit 3) and a data descriptor
//!   after the data carries them;
//! - every entry and the end records are ZIP64, whatever their size: one
//!   component may exceed 4 GiB, and by the time that is known its header
//!   has long been sent;
//! - names are UTF-8 (flag bit 11): Czech file names;
//! - one fixed modification time for all entries, so that the same package
//!   gives the same bytes.
//!
//! [`ZipStream`] is sans-IO: it returns the bytes around each entry, and the
//! caller writes them, with the entry's data between, in order.
//!
//! Write `mets.xml` first: stored data is readable as is, and a PDF
//! component in an archive's first KiB makes it a file that PDF readers
//! open too, which [`crate::content_check`] refuses as a polyglot.

use std::collections::HashSet;

use jiff::civil::DateTime;

const LOCAL_SIGNATURE: u32 = 0x0403_4b50;
const DESCRIPTOR_SIGNATURE: u32 = 0x0807_4b50;
const CENTRAL_SIGNATURE: u32 = 0x0201_4b50;
const END64_SIGNATURE: u32 = 0x0606_4b50;
const LOCATOR_SIGNATURE: u32 = 0x0706_4b50;
const END_SIGNATURE: u32 = 0x0605_4b50;

/// 4.5: ZIP64 needs version 4.5 to extract; made by the same, on MS-DOS
/// (upper byte 0), so that the zero external attributes mean a plain file.
const VERSION: u16 = 45;
/// Bit 3: sizes and CRC-32 in a data descriptor; bit 11: UTF-8 names.
const FLAGS: u16 = (1 << 3) | (1 << 11);
const METHOD_STORED: u16 = 0;
const ZIP64_EXTRA: u16 = 0x0001;
/// A 32-bit field whose value is in the ZIP64 extra field.
const IN_ZIP64: u32 = u32::MAX;
/// The ZIP64 end record's size, less its signature and this size field.
const END64_REST: u64 = 44;

/// A streamed ZIP archive: the entries written so far and their offsets.
#[derive(Debug)]
pub struct ZipStream {
    time: u16,
    date: u16,
    /// The bytes the caller has written so far, entries' data included.
    written: u64,
    entries: Vec<Finished>,
    names: HashSet<String>,
    /// The name of the entry begun and not yet ended.
    open: Option<String>,
}

/// An entry being written: its data passes through [`Entry::update`].
#[derive(Debug)]
pub struct Entry {
    crc: crc32fast::Hasher,
    size: u64,
    name: String,
    /// Where its local header starts.
    offset: u64,
}

/// What the central directory says of an ended entry.
#[derive(Debug)]
struct Finished {
    name: String,
    crc: u32,
    size: u64,
    offset: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZipError {
    #[error("the entry name {name:?} is unsafe: {reason}")]
    UnsafeName { name: String, reason: &'static str },
    #[error("the archive already has an entry {name:?}")]
    Duplicate { name: String },
    #[error("the entry {open:?} must end before {next:?} begins")]
    EntryOpen { open: String, next: String },
}

impl ZipStream {
    /// An empty archive whose entries all bear `modified`, which MS-DOS
    /// time clamps to 1980–2107 and rounds down to even seconds.
    pub fn new(modified: DateTime) -> Self {
        let (time, date) = dos_time(modified);
        ZipStream {
            time,
            date,
            written: 0,
            entries: Vec::new(),
            names: HashSet::new(),
            open: None,
        }
    }

    /// The local header of the next entry. The caller writes it, then the
    /// entry's bytes, each passed through [`Entry::update`], then what
    /// [`ZipStream::end`] returns.
    pub fn begin(&mut self, name: &str) -> Result<(Entry, Vec<u8>), ZipError> {
        if let Some(open) = &self.open {
            return Err(ZipError::EntryOpen {
                open: open.clone(),
                next: name.to_owned(),
            });
        }
        let name_len = check_name(name)?;
        if !self.names.insert(name.to_owned()) {
            return Err(ZipError::Duplicate {
                name: name.to_owned(),
            });
        }
        let mut header = Vec::with_capacity(30 + name.len() + 20);
        put32(&mut header, LOCAL_SIGNATURE);
        self.put_common(&mut header);
        // 4.4.4: with bit 3 the CRC-32 and sizes are zero here; the sizes
        // are the ZIP64 extra field's, which must hold both.
        put32(&mut header, 0);
        put32(&mut header, IN_ZIP64);
        put32(&mut header, IN_ZIP64);
        put16(&mut header, name_len);
        put16(&mut header, 20);
        header.extend_from_slice(name.as_bytes());
        put16(&mut header, ZIP64_EXTRA);
        put16(&mut header, 16);
        put64(&mut header, 0);
        put64(&mut header, 0);
        let entry = Entry {
            crc: crc32fast::Hasher::new(),
            size: 0,
            name: name.to_owned(),
            offset: self.written,
        };
        self.written += header.len() as u64;
        self.open = Some(entry.name.clone());
        Ok((entry, header))
    }

    /// The data descriptor that ends the entry, with its CRC-32 and size.
    pub fn end(&mut self, entry: Entry) -> Vec<u8> {
        let crc = entry.crc.finalize();
        let mut descriptor = Vec::with_capacity(24);
        put32(&mut descriptor, DESCRIPTOR_SIGNATURE);
        put32(&mut descriptor, crc);
        // Stored: compressed and uncompressed sizes are the same.
        put64(&mut descriptor, entry.size);
        put64(&mut descriptor, entry.size);
        self.written += entry.size + descriptor.len() as u64;
        self.open = None;
        self.entries.push(Finished {
            name: entry.name,
            crc,
            size: entry.size,
            offset: entry.offset,
        });
        descriptor
    }

    /// The central directory and the end records that close the archive.
    /// An entry begun and never ended is left out of the directory.
    pub fn finish(self) -> Vec<u8> {
        let mut out = Vec::new();
        for entry in &self.entries {
            put32(&mut out, CENTRAL_SIGNATURE);
            put16(&mut out, VERSION);
            self.put_common(&mut out);
            put32(&mut out, entry.crc);
            put32(&mut out, IN_ZIP64);
            put32(&mut out, IN_ZIP64);
            // Checked in `begin`.
            put16(
                &mut out,
                u16::try_from(entry.name.len()).unwrap_or(u16::MAX),
            );
            put16(&mut out, 28);
            // Comment length, first disk, internal and external attributes.
            put16(&mut out, 0);
            put16(&mut out, 0);
            put16(&mut out, 0);
            put32(&mut out, 0);
            put32(&mut out, IN_ZIP64);
            out.extend_from_slice(entry.name.as_bytes());
            // 4.5.3: the values the fields above mark, in this order.
            put16(&mut out, ZIP64_EXTRA);
            put16(&mut out, 24);
            put64(&mut out, entry.size);
            put64(&mut out, entry.size);
            put64(&mut out, entry.offset);
        }
        let directory_offset = self.written;
        let directory_size = out.len() as u64;
        let end64_offset = directory_offset + directory_size;
        let count = self.entries.len() as u64;

        put32(&mut out, END64_SIGNATURE);
        put64(&mut out, END64_REST);
        put16(&mut out, VERSION);
        put16(&mut out, VERSION);
        // This disk, and the disk the directory starts on: one disk.
        put32(&mut out, 0);
        put32(&mut out, 0);
        put64(&mut out, count);
        put64(&mut out, count);
        put64(&mut out, directory_size);
        put64(&mut out, directory_offset);

        put32(&mut out, LOCATOR_SIGNATURE);
        put32(&mut out, 0);
        put64(&mut out, end64_offset);
        put32(&mut out, 1);

        // The classic record marks its fields as found in the ZIP64 record.
        let count16 = u16::try_from(count).unwrap_or(u16::MAX);
        put32(&mut out, END_SIGNATURE);
        put16(&mut out, 0);
        put16(&mut out, 0);
        put16(&mut out, count16);
        put16(&mut out, count16);
        put32(&mut out, IN_ZIP64);
        put32(&mut out, IN_ZIP64);
        put16(&mut out, 0);
        out
    }

    /// Version needed, flags, method, time and date: the same in the local
    /// and central headers.
    fn put_common(&self, out: &mut Vec<u8>) {
        put16(out, VERSION);
        put16(out, FLAGS);
        put16(out, METHOD_STORED);
        put16(out, self.time);
        put16(out, self.date);
    }
}

impl Entry {
    /// Counts the next bytes of the entry's data, which the caller writes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.crc.update(bytes);
        self.size += bytes.len() as u64;
    }
}

/// The name's length, if whoever unpacks the archive would write the entry
/// where it says: relative, inside the archive's folder, a plain file.
fn check_name(name: &str) -> Result<u16, ZipError> {
    let refuse = |reason| ZipError::UnsafeName {
        name: name.chars().take(200).collect(),
        reason,
    };
    let len = u16::try_from(name.len()).map_err(|_| refuse("longer than 65535 bytes"))?;
    if name.is_empty() {
        return Err(refuse("empty"));
    }
    if name.contains('\0') {
        return Err(refuse("holds a NUL byte"));
    }
    // 4.4.17: forward slashes only; a backslash is a separator on Windows.
    if name.contains('\\') {
        return Err(refuse("holds a backslash"));
    }
    if name.starts_with('/') || name.as_bytes().get(1) == Some(&b':') {
        return Err(refuse("absolute"));
    }
    if name.split('/').any(|part| matches!(part, "" | "." | "..")) {
        return Err(refuse("has an empty, \".\" or \"..\" part"));
    }
    Ok(len)
}

/// MS-DOS time and date, clamped to the years they can hold.
fn dos_time(at: DateTime) -> (u16, u16) {
    if at.year() < 1980 {
        return (0, (1 << 5) | 1);
    }
    if at.year() > 2107 {
        return ((23 << 11) | (59 << 5) | 29, (127 << 9) | (12 << 5) | 31);
    }
    let field = |value: i8| u16::from(value.unsigned_abs());
    let time = (field(at.hour()) << 11) | (field(at.minute()) << 5) | (field(at.second()) / 2);
    let date =
        ((at.year() - 1980).unsigned_abs() << 9) | (field(at.month()) << 5) | field(at.day());
    (time, date)
}

fn put16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put64(out: &mut Vec<u8>, value: u64) {
    out.extend_from_slice(&value.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::process::Command;

    use jiff::civil::date;
    use sha2::{Digest, Sha256};

    use super::*;
    use crate::content_check::{ContentCheck, FileKind};

    const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n";
    const TEXT: &[u8] = "Žádost o vydání výpisu, příliš žluťoučký kůň.\n".as_bytes();

    /// A package in the order the portal writes it: `mets.xml` (over a KiB,
    /// as a real one is) before the PDF, which the upload check would
    /// otherwise refuse as a polyglot.
    fn files() -> Vec<(&'static str, Vec<u8>)> {
        let mets = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<mets:mets>\n{}</mets:mets>\n",
            "  <mets:file ID=\"komp-1\" MIMETYPE=\"application/pdf\"/>\n".repeat(40)
        );
        vec![
            ("mets.xml", mets.into_bytes()),
            ("komponenty/1_Zadost.pdf", PDF.repeat(500)),
            ("komponenty/2_Prazdna.txt", Vec::new()),
            ("Žádost.txt", TEXT.to_vec()),
        ]
    }

    /// The archive as the portal streams it: each entry's data in chunks.
    fn archive(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut zip = ZipStream::new(date(2026, 3, 15).at(14, 30, 59, 0));
        let mut out = Vec::new();
        for (name, data) in files {
            let (mut entry, header) = zip.begin(name).unwrap();
            out.extend_from_slice(&header);
            for chunk in data.chunks(1000) {
                entry.update(chunk);
                out.extend_from_slice(chunk);
            }
            out.extend_from_slice(&zip.end(entry));
        }
        out.extend_from_slice(&zip.finish());
        out
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn the_portal_upload_check_reads_it_as_a_zip() {
        let zip = archive(&files());
        let mut check = ContentCheck::new();
        check.update(&zip);
        assert_eq!(check.finish("balik.zip").unwrap().kind(), FileKind::Zip);
    }

    #[test]
    fn python_zipfile_reads_it_back() {
        let files = files();
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(&archive(&files)).unwrap();
        file.flush().unwrap();
        let script = "import hashlib, sys, zipfile\n\
            z = zipfile.ZipFile(sys.argv[1])\n\
            assert z.testzip() is None\n\
            for i in z.infolist():\n\
            \x20   data = z.read(i)\n\
            \x20   print(i.filename, i.file_size, i.compress_size, i.compress_type,\n\
            \x20         hex(i.flag_bits), i.date_time, hashlib.sha256(data).hexdigest(), sep='\\t')\n";
        let output = Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(file.path())
            .env("PYTHONIOENCODING", "utf-8")
            .output()
            .expect("python3 runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "python3 failed: {stderr}");
        let stdout = String::from_utf8(output.stdout).unwrap();
        let expected: Vec<String> = files
            .iter()
            .map(|(name, data)| {
                let sha = hex(&Sha256::digest(data));
                let size = data.len();
                format!("{name}\t{size}\t{size}\t0\t0x808\t(2026, 3, 15, 14, 30, 58)\t{sha}")
            })
            .collect();
        assert_eq!(stdout.lines().collect::<Vec<_>>(), expected);
    }

    #[test]
    fn the_same_package_gives_the_same_bytes() {
        assert_eq!(archive(&files()), archive(&files()));
    }

    #[test]
    fn headers_are_zip64_with_a_data_descriptor() {
        let zip = archive(&[("a.txt", b"abc".to_vec())]);
        let u16_at = |at: usize| u16::from_le_bytes([zip[at], zip[at + 1]]);
        let u32_at = |at: usize| u32::from_le_bytes(zip[at..at + 4].try_into().unwrap());
        let u64_at = |at: usize| u64::from_le_bytes(zip[at..at + 8].try_into().unwrap());
        assert_eq!(u32_at(0), LOCAL_SIGNATURE);
        assert_eq!((u16_at(4), u16_at(6), u16_at(8)), (45, 0x0808, 0));
        assert_eq!(
            (u32_at(14), u32_at(18), u32_at(22)),
            (0, IN_ZIP64, IN_ZIP64)
        );
        assert_eq!((u16_at(26), u16_at(28)), (5, 20));
        assert_eq!(
            (u16_at(35), u16_at(37), u64_at(39), u64_at(47)),
            (1, 16, 0, 0)
        );
        // The data at 55, then the descriptor.
        assert_eq!(&zip[55..58], b"abc");
        assert_eq!(u32_at(58), DESCRIPTOR_SIGNATURE);
        assert_eq!(u32_at(62), crc32fast::hash(b"abc"));
        assert_eq!((u64_at(66), u64_at(74)), (3, 3));
        // The end record closes the file and points to the ZIP64 records.
        let end = zip.len() - 22;
        assert_eq!(u32_at(end), END_SIGNATURE);
        assert_eq!(
            (u16_at(end + 10), u32_at(end + 12), u32_at(end + 16)),
            (1, IN_ZIP64, IN_ZIP64)
        );
        assert_eq!(u32_at(end - 20), LOCATOR_SIGNATURE);
        let end64 = usize::try_from(u64_at(end - 12)).unwrap();
        assert_eq!(end64, end - 20 - 56);
        assert_eq!(u32_at(end64), END64_SIGNATURE);
        assert_eq!(u64_at(end64 + 48), 82, "the directory follows the entry");
    }

    #[test]
    fn dos_time_is_clamped_to_its_years() {
        assert_eq!(dos_time(date(1980, 1, 1).at(0, 0, 0, 0)), (0, 0x21));
        assert_eq!(dos_time(date(1970, 6, 1).at(12, 0, 0, 0)), (0, 0x21));
        assert_eq!(
            dos_time(date(2107, 12, 31).at(23, 59, 59, 0)),
            dos_time(date(3000, 1, 1).at(0, 0, 0, 0))
        );
    }

    #[test]
    fn refuses_unsafe_names() {
        let long = "a".repeat(65_536);
        let unsafe_names = [
            "",
            "/etc/passwd",
            "C:/Windows/x.pdf",
            "../x.pdf",
            "komponenty/../../x.pdf",
            "komponenty\\x.pdf",
            "x\0.pdf",
            "komponenty//x.pdf",
            "./x.pdf",
            "komponenty/",
            &long,
        ];
        let mut zip = ZipStream::new(date(2026, 1, 1).at(0, 0, 0, 0));
        for name in unsafe_names {
            assert!(
                matches!(zip.begin(name), Err(ZipError::UnsafeName { .. })),
                "{:?}",
                name.get(..40)
            );
        }
        assert!(zip.begin(&"a".repeat(65_535)).is_ok());
    }

    #[test]
    fn refuses_a_second_entry_of_a_name_and_one_begun_too_soon() {
        let mut zip = ZipStream::new(date(2026, 1, 1).at(0, 0, 0, 0));
        let (entry, _) = zip.begin("mets.xml").unwrap();
        assert_eq!(
            zip.begin("Žádost.txt").unwrap_err(),
            ZipError::EntryOpen {
                open: "mets.xml".to_owned(),
                next: "Žádost.txt".to_owned(),
            }
        );
        zip.end(entry);
        assert_eq!(
            zip.begin("mets.xml").unwrap_err(),
            ZipError::Duplicate {
                name: "mets.xml".to_owned(),
            }
        );
        assert!(zip.begin("Žádost.txt").is_ok());
    }
}

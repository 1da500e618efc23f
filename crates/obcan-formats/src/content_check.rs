//! The upload format filter: what a file is, decided from its content as it
//! streams in, and whether a citizen's storage may hold it.
//!
//! Feed the file's chunks in order to [`ContentCheck::update`], then ask
//! [`ContentCheck::finish`] for the verdict, given the name the citizen gave
//! the file. The file is never held whole: the check keeps the first 64 KiB
//! (magic numbers, text and markup starts), the last 1 MiB (a ZIP file's
//! central directory) and small scanners that read every byte once (UTF-8,
//! PDF names, an OLE2 directory name). [`ContentCheck::MAX_BUFFERED_BYTES`]
//! bounds its memory, whatever the file's size.
//!
//! # What is refused, and why
//!
//! - Programs, by content (PE, ELF, Mach-O, Java class, WebAssembly, `#!`
//!   scripts) and by name (`.exe`, `.js`, `.html`, `.docm`, …, whatever the
//!   content), since the file may be opened elsewhere by its name.
//! - Web pages and scripts (HTML, XHTML, SVG, PHP): they run in a browser.
//! - PDF active content: JavaScript, launch actions, embedded files (PDF/A-3
//!   attachments too: the decree wants none that is not an output format),
//!   rich media, XFA forms (scripted, and outside PDF/A). Names are read
//!   with their `#xx` escapes decoded, and compressed object streams are
//!   inflated and read too, since most of a modern PDF's dictionaries live
//!   there; one that cannot be read is refused as malformed. Inside other
//!   streams' data only the long names count: short ones such as `/JS` turn
//!   up by chance in compressed bytes.
//! - Encryption: a PDF with `/Encrypt`, a ZIP entry with the encryption flag
//!   or AES, an ODF document whose manifest declares encryption data, an
//!   encrypted OOXML file. Nobody can check what is inside, and the citizen
//!   could lose the password.
//! - Legacy Office files (.doc, .xls, .ppt, .msg: OLE2 compound files): they
//!   carry macros and cannot be told apart from encrypted .docx without
//!   parsing the whole container. Those with an `EncryptedPackage` stream are
//!   refused as encrypted, the others as an unsupported format.
//! - RTF (embeds OLE objects, a common attack), and archives other than ZIP
//!   (RAR, 7z, gzip, bzip2, xz, zstd, tar, cab, disk images): their content
//!   cannot be checked from the outside.
//! - In a ZIP (and in ODF and OOXML files, which are ZIPs): encrypted
//!   entries, archives and programs among the entries (by name), entry paths
//!   that leave the archive, more than 10,000 entries, more than 4 GiB
//!   declared, more than 100 times the file's size declared (once over
//!   16 MiB: a small file cannot be a bomb, and a sparse sheet compresses
//!   well), entries whose data overlap, a central directory larger than the
//!   1 MiB kept. Office macros (VBA, ActiveX, ODF Basic and scripts).
//! - Polyglots: a file that is two types at once, which two programs would
//!   read differently: a ZIP end record at the end of a non-ZIP file, a PDF
//!   header in the first KiB of another type, web markup in the first KiB of
//!   an image or a PDF.
//! - A name whose extension is not one of the content's: the citizen
//!   renames, or sends the name without an extension and the caller appends
//!   [`Detected::extension`].
//!
//! UTF-16 text is refused (it holds NUL bytes); so are ZFO data box messages
//! (a signed container whose base64 attachments cannot be checked here).
//!
//! # Which refusal wins
//!
//! An empty file; a program's name; a program's content; a polyglot; an
//! unsupported format; then what the type's own checks find (for a ZIP:
//! encryption, a bomb, an archived program, a nested archive, a bad path,
//! macros; for a PDF: encryption, active content, a bomb, an unreadable
//! object stream; for text: a web page or script); an unknown type; and
//! last, a name that does not match.

mod names;
mod needle;
mod pdf;
mod sniff;
mod text;
mod zip;

use std::fmt;

use crate::content_check::needle::Needle;
use crate::content_check::pdf::PdfScan;
use crate::content_check::sniff::Magic;

/// The bytes kept from the start of a file.
const HEAD_LEN: usize = 64 * 1024;
/// The bytes kept from the end of a file: enough for the central directory
/// of a ZIP file with thousands of entries.
const TAIL_LEN: usize = 1024 * 1024;
/// How far into a file the polyglot checks look for another type's start.
const POLYGLOT_WINDOW: usize = 1024;

// Many uploads run at once: each check must stay near its head and tail.
const _: () = assert!(ContentCheck::MAX_BUFFERED_BYTES < 1_300_000);

/// A file type the portal accepts for storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    Pdf,
    Png,
    Jpeg,
    Gif,
    Tiff,
    WebP,
    /// HEIF images with HEVC content, as phones take them.
    Heic,
    /// UTF-8 text, with or without a byte order mark.
    Text,
    Csv,
    Xml,
    /// A Czech electronic invoice: XML in the ISDOC namespace.
    Isdoc,
    Odt,
    Ods,
    Odp,
    Docx,
    Xlsx,
    Pptx,
    Zip,
}

impl FileKind {
    /// Every accepted type, for an "accepted formats" hint.
    pub const ALL: [FileKind; 18] = [
        FileKind::Pdf,
        FileKind::Png,
        FileKind::Jpeg,
        FileKind::Gif,
        FileKind::Tiff,
        FileKind::WebP,
        FileKind::Heic,
        FileKind::Text,
        FileKind::Csv,
        FileKind::Xml,
        FileKind::Isdoc,
        FileKind::Odt,
        FileKind::Ods,
        FileKind::Odp,
        FileKind::Docx,
        FileKind::Xlsx,
        FileKind::Pptx,
        FileKind::Zip,
    ];

    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Gif => "image/gif",
            FileKind::Tiff => "image/tiff",
            FileKind::WebP => "image/webp",
            FileKind::Heic => "image/heic",
            FileKind::Text => "text/plain",
            FileKind::Csv => "text/csv",
            FileKind::Xml | FileKind::Isdoc => "application/xml",
            FileKind::Odt => "application/vnd.oasis.opendocument.text",
            FileKind::Ods => "application/vnd.oasis.opendocument.spreadsheet",
            FileKind::Odp => "application/vnd.oasis.opendocument.presentation",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            FileKind::Zip => "application/zip",
        }
    }

    /// The canonical extension, without the dot, in lowercase.
    pub fn extension(self) -> &'static str {
        // Every list below starts with the canonical one and is never empty.
        self.extensions().first().copied().unwrap_or("bin")
    }

    /// Every extension a name of this type may end in, canonical first.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Pdf => &["pdf"],
            FileKind::Png => &["png"],
            FileKind::Jpeg => &["jpg", "jpeg", "jpe", "jfif"],
            FileKind::Gif => &["gif"],
            FileKind::Tiff => &["tif", "tiff"],
            FileKind::WebP => &["webp"],
            FileKind::Heic => &["heic", "heif"],
            FileKind::Text => &["txt"],
            FileKind::Csv => &["csv"],
            FileKind::Xml => &["xml"],
            FileKind::Isdoc => &["isdoc", "xml"],
            FileKind::Odt => &["odt"],
            FileKind::Ods => &["ods"],
            FileKind::Odp => &["odp"],
            FileKind::Docx => &["docx"],
            FileKind::Xlsx => &["xlsx"],
            FileKind::Pptx => &["pptx"],
            FileKind::Zip => &["zip"],
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::Pdf => "PDF",
            FileKind::Png => "PNG",
            FileKind::Jpeg => "JPEG",
            FileKind::Gif => "GIF",
            FileKind::Tiff => "TIFF",
            FileKind::WebP => "WebP",
            FileKind::Heic => "HEIC",
            FileKind::Text => "plain text",
            FileKind::Csv => "CSV",
            FileKind::Xml => "XML",
            FileKind::Isdoc => "ISDOC",
            FileKind::Odt => "ODT",
            FileKind::Ods => "ODS",
            FileKind::Odp => "ODP",
            FileKind::Docx => "DOCX",
            FileKind::Xlsx => "XLSX",
            FileKind::Pptx => "PPTX",
            FileKind::Zip => "ZIP",
        })
    }
}

/// The PDF/A conformance a PDF declares in its XMP metadata (`pdfaid:part`,
/// `pdfaid:conformance`). A claim, not a validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PdfA {
    /// 1 to 4 (ISO 19005-1 to -4).
    pub part: u8,
    /// "A", "B", "U", "E" or "F", in uppercase; PDF/A-4 may have none.
    pub conformance: Option<char>,
}

/// An accepted file: what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detected {
    kind: FileKind,
    pdf_a: Option<PdfA>,
    uncompressed_tiff: bool,
}

impl Detected {
    pub fn kind(&self) -> FileKind {
        self.kind
    }

    pub fn media_type(&self) -> &'static str {
        self.kind.media_type()
    }

    /// The extension to append to a name that has none.
    pub fn extension(&self) -> &'static str {
        self.kind.extension()
    }

    /// For a PDF: the PDF/A part it declares, if any.
    pub fn pdf_a(&self) -> Option<PdfA> {
        self.pdf_a
    }

    /// Whether the file is in an output format of decree 259/2012 Sb., § 23:
    /// PDF/A (as declared; PDF/A-3 embedded files are refused anyway), PNG,
    /// uncompressed TIFF, JPEG and GIF. Every JPEG counts: Exif files are
    /// JFIF-compatible for every reader, and the decree names the format.
    pub fn is_office_output_format(&self) -> bool {
        match self.kind {
            FileKind::Pdf => self.pdf_a.is_some(),
            FileKind::Png | FileKind::Jpeg | FileKind::Gif => true,
            FileKind::Tiff => self.uncompressed_tiff,
            _ => false,
        }
    }
}

/// Why a file is not stored. Each variant is specific enough for its own
/// message to the citizen; `Display` is for logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the file is empty")]
    Empty,
    #[error("the file's type is not recognised")]
    UnknownType,
    #[error("the file is {detected} content but its name ends in .{extension}")]
    ExtensionMismatch {
        detected: FileKind,
        extension: String,
    },
    /// The name marks a program or script, whatever the content.
    #[error("names ending in .{extension} (programs and scripts) are not accepted")]
    ForbiddenExtension { extension: String },
    #[error("the file is a program: {0}")]
    Executable(Executable),
    #[error("the file is a web page or script: {0}")]
    Script(Script),
    #[error("the PDF holds active content: {0}")]
    PdfActiveContent(PdfActiveContent),
    /// VBA macros or ActiveX controls in an OOXML file, Basic macros or
    /// scripts in an ODF file.
    #[error("the document holds macros")]
    Macros,
    #[error("the file is encrypted (password-protected)")]
    Encrypted,
    #[error("{0} files are not accepted")]
    Unsupported(Unsupported),
    /// `entry` is the inner archive's path in the archive.
    #[error("the archive holds another archive: {entry}")]
    NestedArchive { entry: String },
    /// `entry` is the program's path in the archive.
    #[error("the archive holds a program or script: {entry}")]
    ArchivedProgram { entry: String },
    /// A ZIP that unpacks to too much or holds too many entries (or a
    /// directory too large to check), or a PDF object stream that inflates
    /// to too much.
    #[error("the file unpacks to too much data or holds too many entries")]
    CompressionBomb,
    #[error("the file is two types at once: {0}")]
    Polyglot(Polyglot),
    /// A ZIP without a readable central directory or with entry paths that
    /// leave the archive, a PDF object stream that cannot be read.
    #[error("the file is damaged or its structure cannot be checked")]
    Malformed,
}

/// A program, recognised by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Executable {
    /// Windows or DOS (`MZ`).
    Windows,
    /// Linux and other Unix systems (ELF).
    Elf,
    /// macOS (Mach-O, universal binaries too).
    MachO,
    JavaClass,
    WebAssembly,
    /// A script with an interpreter line (`#!`).
    Shebang,
}

impl fmt::Display for Executable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Executable::Windows => "Windows or DOS program",
            Executable::Elf => "ELF program",
            Executable::MachO => "Mach-O program",
            Executable::JavaClass => "Java class",
            Executable::WebAssembly => "WebAssembly module",
            Executable::Shebang => "script with an interpreter line (#!)",
        })
    }
}

/// Text that a browser or a web server would run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// HTML or XHTML, or an HTML fragment such as `<script>`.
    Html,
    Svg,
    Php,
}

impl fmt::Display for Script {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Script::Html => "HTML",
            Script::Svg => "SVG",
            Script::Php => "PHP",
        })
    }
}

/// What in a PDF can act on the reader's computer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PdfActiveContent {
    /// `/JavaScript`, `/JS`.
    JavaScript,
    /// `/Launch`: starts a program.
    Launch,
    /// `/EmbeddedFile(s)`, `/EF`: a file attached inside the PDF.
    EmbeddedFile,
    /// `/RichMedia`: Flash or video with scripts.
    RichMedia,
    /// `/XFA`: a dynamic form, which carries scripts.
    Xfa,
}

impl fmt::Display for PdfActiveContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PdfActiveContent::JavaScript => "JavaScript",
            PdfActiveContent::Launch => "a launch action",
            PdfActiveContent::EmbeddedFile => "an embedded file",
            PdfActiveContent::RichMedia => "rich media",
            PdfActiveContent::Xfa => "an XFA form",
        })
    }
}

/// A recognised format the portal does not store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsupported {
    /// An OLE2 compound file: .doc, .xls, .ppt, .msg and the like.
    LegacyOffice,
    Rtf,
    Rar,
    SevenZip,
    Gzip,
    Bzip2,
    Xz,
    Zstd,
    Tar,
    Cab,
    /// An ISO 9660 disk image.
    DiskImage,
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unsupported::LegacyOffice => "legacy Office (OLE2)",
            Unsupported::Rtf => "RTF",
            Unsupported::Rar => "RAR",
            Unsupported::SevenZip => "7z",
            Unsupported::Gzip => "gzip",
            Unsupported::Bzip2 => "bzip2",
            Unsupported::Xz => "xz",
            Unsupported::Zstd => "zstd",
            Unsupported::Tar => "tar",
            Unsupported::Cab => "cabinet",
            Unsupported::DiskImage => "disk image",
        })
    }
}

/// How a file is two types at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polyglot {
    /// A ZIP end-of-central-directory record at the end of a non-ZIP file.
    ZipAppended,
    /// A PDF header in the first KiB of a file of another type.
    PdfInside,
    /// `<script`, `<html`, `<svg` or `<?php` in the first KiB of an image
    /// or a PDF.
    MarkupInHead,
}

impl fmt::Display for Polyglot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Polyglot::ZipAppended => "a ZIP archive at its end",
            Polyglot::PdfInside => "a PDF header after another type's start",
            Polyglot::MarkupInHead => "web markup in an image or PDF",
        })
    }
}

/// The streaming check of one uploaded file.
pub struct ContentCheck {
    total: u64,
    head: Vec<u8>,
    tail: Tail,
    text: text::Utf8Check,
    scanner: Scanner,
}

/// The whole-file scanner a type needs, chosen from the first bytes.
enum Scanner {
    /// Fewer than [`sniff::DECIDE_LEN`] bytes so far.
    Undecided,
    None,
    Pdf(Box<PdfScan>),
    /// An OLE2 file: is there an encrypted Office package inside?
    Compound(Box<Needle<32>>, bool),
}

/// The UTF-16LE name of the stream an encrypted OOXML file keeps its
/// content in, as the OLE2 directory spells it.
const ENCRYPTED_PACKAGE: &[u8; 32] = b"E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0";

impl ContentCheck {
    /// The most memory a check holds, whatever the file's size: the head,
    /// the tail and the PDF scanner with its inflater.
    pub const MAX_BUFFERED_BYTES: usize = HEAD_LEN + TAIL_LEN + pdf::MAX_BUFFERED_BYTES;

    pub fn new() -> Self {
        ContentCheck {
            total: 0,
            head: Vec::new(),
            tail: Tail::default(),
            text: text::Utf8Check::default(),
            scanner: Scanner::Undecided,
        }
    }

    /// Feeds the next chunk of the file, in order. Memory stays bounded
    /// whatever the file's size.
    pub fn update(&mut self, chunk: &[u8]) {
        if chunk.is_empty() {
            return;
        }
        let before = self.head.len();
        self.total = self.total.saturating_add(chunk.len() as u64);
        let take = chunk.len().min(HEAD_LEN - self.head.len());
        push_bounded(&mut self.head, &chunk[..take], HEAD_LEN);
        self.tail.push(chunk);
        self.text.update(chunk);
        if matches!(self.scanner, Scanner::Undecided) {
            if self.head.len() < sniff::DECIDE_LEN {
                return;
            }
            // Until now every byte fit in the head: catch the scanner up.
            self.scanner = Scanner::for_head(&self.head);
            self.scanner.update(&self.head[..before]);
        }
        self.scanner.update(chunk);
    }

    /// The bytes this check holds now; never above [`Self::MAX_BUFFERED_BYTES`].
    pub fn buffered_bytes(&self) -> usize {
        self.head.capacity() + self.tail.buffer.capacity() + self.scanner.buffered_bytes()
    }

    /// The verdict for the whole file, given the name the citizen gave it.
    pub fn finish(mut self, file_name: &str) -> Result<Detected, Refusal> {
        if self.total == 0 {
            return Err(Refusal::Empty);
        }
        let extension = names::extension(file_name);
        if let Some(extension) = &extension
            && names::is_program(extension)
        {
            return Err(Refusal::ForbiddenExtension {
                extension: extension.clone(),
            });
        }
        if matches!(self.scanner, Scanner::Undecided) {
            self.scanner = Scanner::for_head(&self.head);
            self.scanner.update(&self.head);
        }
        let tail_bytes = self.tail.into_bytes();
        let tail = zip::Window {
            bytes: &tail_bytes,
            start: self.total - tail_bytes.len() as u64,
        };
        let head = self.head.as_slice();
        let magic = sniff::magic(head);
        if let Magic::Executable(executable) = magic {
            return Err(Refusal::Executable(executable));
        }
        let is_text = matches!(magic, Magic::None) && self.text.is_text();
        if is_text || !matches!(magic, Magic::None | Magic::Unsupported(_)) {
            check_polyglot(head, &tail, self.total, magic)?;
        }
        let mut uncompressed_tiff = false;
        let mut pdf_a = None;
        let kind = match magic {
            Magic::Executable(executable) => return Err(Refusal::Executable(executable)),
            Magic::Unsupported(format) => return Err(Refusal::Unsupported(format)),
            Magic::Compound => {
                return Err(match self.scanner {
                    Scanner::Compound(_, true) => Refusal::Encrypted,
                    _ => Refusal::Unsupported(Unsupported::LegacyOffice),
                });
            }
            Magic::Zip => zip::inspect(head, &tail, self.total)?,
            Magic::Kind(FileKind::Pdf) => {
                let findings = match self.scanner {
                    Scanner::Pdf(scan) => scan.finish(),
                    _ => return Err(Refusal::Malformed),
                };
                findings.verdict()?;
                pdf_a = findings.pdf_a;
                FileKind::Pdf
            }
            Magic::Kind(FileKind::Tiff) => {
                uncompressed_tiff = sniff::tiff_uncompressed(head, &tail);
                FileKind::Tiff
            }
            Magic::Kind(kind) => kind,
            Magic::None if is_text => text_kind(head, extension.as_deref())?,
            Magic::None => return Err(Refusal::UnknownType),
        };
        if let Some(extension) = extension
            && !kind.extensions().contains(&extension.as_str())
        {
            return Err(Refusal::ExtensionMismatch {
                detected: kind,
                extension,
            });
        }
        Ok(Detected {
            kind,
            pdf_a,
            uncompressed_tiff,
        })
    }
}

impl Default for ContentCheck {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ContentCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContentCheck")
            .field("total", &self.total)
            .field("buffered_bytes", &self.buffered_bytes())
            .finish_non_exhaustive()
    }
}

impl Scanner {
    fn for_head(head: &[u8]) -> Scanner {
        match sniff::magic(head) {
            Magic::Kind(FileKind::Pdf) => Scanner::Pdf(Box::default()),
            Magic::Compound => Scanner::Compound(Box::new(Needle::new(ENCRYPTED_PACKAGE)), false),
            _ => Scanner::None,
        }
    }

    fn update(&mut self, chunk: &[u8]) {
        match self {
            Scanner::Undecided | Scanner::None => {}
            Scanner::Pdf(scan) => scan.update(chunk),
            Scanner::Compound(needle, found) => {
                if !*found {
                    *found = needle.find_in(chunk);
                }
            }
        }
    }

    fn buffered_bytes(&self) -> usize {
        match self {
            Scanner::Pdf(scan) => scan.buffered_bytes(),
            Scanner::Compound(..) => size_of::<Needle<32>>(),
            Scanner::Undecided | Scanner::None => 0,
        }
    }
}

/// The kinds of text: XML by its declaration or name, CSV by its name.
fn text_kind(head: &[u8], extension: Option<&str>) -> Result<FileKind, Refusal> {
    if let Some(script) = text::script_start(head) {
        return Err(Refusal::Script(script));
    }
    let xml = text::starts_with_xml_declaration(head) || matches!(extension, Some("xml" | "isdoc"));
    Ok(if xml {
        if text::has_isdoc_namespace(head) {
            FileKind::Isdoc
        } else {
            FileKind::Xml
        }
    } else if extension == Some("csv") {
        FileKind::Csv
    } else {
        FileKind::Text
    })
}

/// Refuses a file that another program would read as another type.
fn check_polyglot(
    head: &[u8],
    tail: &zip::Window,
    total: u64,
    magic: Magic,
) -> Result<(), Refusal> {
    if !matches!(magic, Magic::Zip) && zip::has_end_record(tail, total) {
        return Err(Refusal::Polyglot(Polyglot::ZipAppended));
    }
    let window = &head[..head.len().min(POLYGLOT_WINDOW)];
    let is_pdf = matches!(magic, Magic::Kind(FileKind::Pdf));
    if !is_pdf && text::find(window, b"%PDF-").is_some() {
        return Err(Refusal::Polyglot(Polyglot::PdfInside));
    }
    if matches!(magic, Magic::Kind(_)) && text::has_markup(window) {
        return Err(Refusal::Polyglot(Polyglot::MarkupInHead));
    }
    Ok(())
}

/// Appends to a buffer that never holds more than `limit` bytes, growing it
/// by doubling but never past the limit.
fn push_bounded(buffer: &mut Vec<u8>, bytes: &[u8], limit: usize) {
    let needed = buffer.len() + bytes.len();
    if needed > buffer.capacity() {
        let target = needed.max(buffer.capacity() * 2).min(limit).max(needed);
        buffer.reserve_exact(target - buffer.len());
    }
    buffer.extend_from_slice(bytes);
}

/// The last [`TAIL_LEN`] bytes seen: a ring once full.
#[derive(Default)]
struct Tail {
    buffer: Vec<u8>,
    /// Once full, where the oldest byte is.
    start: usize,
}

impl Tail {
    fn push(&mut self, mut chunk: &[u8]) {
        if chunk.len() >= TAIL_LEN {
            chunk = &chunk[chunk.len() - TAIL_LEN..];
            self.buffer.clear();
            self.start = 0;
        }
        if self.buffer.len() < TAIL_LEN {
            let take = chunk.len().min(TAIL_LEN - self.buffer.len());
            push_bounded(&mut self.buffer, &chunk[..take], TAIL_LEN);
            chunk = &chunk[take..];
        }
        while !chunk.is_empty() {
            let take = chunk.len().min(TAIL_LEN - self.start);
            self.buffer[self.start..self.start + take].copy_from_slice(&chunk[..take]);
            self.start = (self.start + take) % TAIL_LEN;
            chunk = &chunk[take..];
        }
    }

    /// The bytes in file order.
    fn into_bytes(mut self) -> Vec<u8> {
        self.buffer.rotate_left(self.start);
        self.buffer
    }
}

#[cfg(test)]
mod tests;

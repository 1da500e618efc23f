//! Magic numbers: what a file's first bytes say it is.

use super::zip::Window;
use super::{Executable, FileKind, Unsupported};

/// How many bytes the whole-file scanner is chosen from (the OLE2 magic).
pub(super) const DECIDE_LEN: usize = 8;

const OLE2: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// What the first bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Magic {
    /// An accepted type that is not ZIP-based.
    Kind(FileKind),
    /// A ZIP file, or an ODF or OOXML file: the central directory tells.
    Zip,
    /// An OLE2 compound file.
    Compound,
    Executable(Executable),
    Unsupported(Unsupported),
    /// Nothing known: text, or unknown.
    None,
}

pub(super) fn magic(head: &[u8]) -> Magic {
    let at = |offset: usize, magic: &[u8]| {
        head.get(offset..offset + magic.len())
            .is_some_and(|bytes| bytes == magic)
    };
    let starts = |magic: &[u8]| head.starts_with(magic);
    if starts(b"%PDF-") {
        Magic::Kind(FileKind::Pdf)
    } else if starts(b"\x89PNG\r\n\x1A\n") {
        Magic::Kind(FileKind::Png)
    } else if starts(b"\xFF\xD8\xFF") {
        Magic::Kind(FileKind::Jpeg)
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Magic::Kind(FileKind::Gif)
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        Magic::Kind(FileKind::Tiff)
    } else if starts(b"RIFF") && at(8, b"WEBP") {
        Magic::Kind(FileKind::WebP)
    } else if is_heic(head) {
        Magic::Kind(FileKind::Heic)
    } else if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        Magic::Zip
    } else if starts(OLE2) {
        Magic::Compound
    } else if let Some(executable) = executable(head) {
        Magic::Executable(executable)
    } else if let Some(format) = unsupported(head, at) {
        Magic::Unsupported(format)
    } else {
        Magic::None
    }
}

fn executable(head: &[u8]) -> Option<Executable> {
    let starts = |magic: &[u8]| head.starts_with(magic);
    // "MZ" alone also starts Czech text ("MZe…"); a DOS header holds NULs.
    if starts(b"MZ") && head.iter().take(64).any(|&b| b == 0) {
        return Some(Executable::Windows);
    }
    if starts(b"\x7FELF") {
        return Some(Executable::Elf);
    }
    const MACH_O: [&[u8]; 4] = [
        b"\xFE\xED\xFA\xCE",
        b"\xFE\xED\xFA\xCF",
        b"\xCE\xFA\xED\xFE",
        b"\xCF\xFA\xED\xFE",
    ];
    if MACH_O.iter().any(|magic| starts(magic)) {
        return Some(Executable::MachO);
    }
    if starts(b"\xCA\xFE\xBA\xBE") {
        // Universal binaries share the magic with Java classes; they count a
        // few architectures where a class has its version (45 and up).
        let field = head.get(4..8).and_then(|b| b.try_into().ok());
        let field = field.map_or(0, u32::from_be_bytes);
        return Some(if field < 45 {
            Executable::MachO
        } else {
            Executable::JavaClass
        });
    }
    if starts(b"\0asm") {
        return Some(Executable::WebAssembly);
    }
    if starts(b"#!") || starts(b"\xEF\xBB\xBF#!") {
        return Some(Executable::Shebang);
    }
    None
}

fn unsupported(head: &[u8], at: impl Fn(usize, &[u8]) -> bool) -> Option<Unsupported> {
    let starts = |magic: &[u8]| head.starts_with(magic);
    Some(if starts(b"{\\rtf") {
        Unsupported::Rtf
    } else if starts(b"Rar!\x1A\x07") {
        Unsupported::Rar
    } else if starts(b"7z\xBC\xAF\x27\x1C") {
        Unsupported::SevenZip
    } else if starts(b"\x1F\x8B") {
        Unsupported::Gzip
    } else if starts(b"BZh") && head.get(3).is_some_and(|b| (b'1'..=b'9').contains(b)) {
        Unsupported::Bzip2
    } else if starts(b"\xFD7zXZ\0") {
        Unsupported::Xz
    } else if starts(b"\x28\xB5\x2F\xFD") {
        Unsupported::Zstd
    } else if starts(b"MSCF\0\0\0\0") {
        Unsupported::Cab
    } else if at(257, b"ustar") {
        Unsupported::Tar
    } else if at(0x8001, b"CD001") {
        Unsupported::DiskImage
    } else {
        return None;
    })
}

/// An ISO base media file whose brand is HEIF with HEVC images.
fn is_heic(head: &[u8]) -> bool {
    const HEVC: [&[u8]; 6] = [b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"];
    if head.get(4..8) != Some(b"ftyp") {
        return false;
    }
    let Some(major) = head.get(8..12) else {
        return false;
    };
    if HEVC.contains(&major) {
        return true;
    }
    // A generic HEIF brand: look among the compatible brands.
    let size = read_u32(head, 0, false).map_or(0, |size| size as usize);
    let brands = head.get(16..size.min(head.len())).unwrap_or_default();
    (major == b"mif1" || major == b"msf1") && brands.chunks_exact(4).any(|b| HEVC.contains(&b))
}

/// Whether a TIFF file's first image is uncompressed (compression 1), as
/// decree 259/2012 asks. Its directory may be anywhere in the file: when it
/// is neither in the head nor in the tail, the answer is no.
pub(super) fn tiff_uncompressed(head: &[u8], tail: &Window) -> bool {
    const COMPRESSION: u16 = 259;
    const SHORT: u16 = 3;
    let little = head.starts_with(b"II");
    let read = |offset: u64, len: usize| -> Option<&[u8]> {
        let start = usize::try_from(offset).ok()?;
        head.get(start..start.checked_add(len)?)
            .or_else(|| tail.get(offset, len))
    };
    let check = || -> Option<bool> {
        let directory = u64::from(read_u32(head, 4, little)?);
        let count = read_u16(read(directory, 2)?, 0, little)?;
        let entries = read(directory + 2, usize::from(count) * 12)?;
        for entry in entries.chunks_exact(12) {
            if read_u16(entry, 0, little)? == COMPRESSION {
                let kind = read_u16(entry, 2, little)?;
                let value = if kind == SHORT {
                    u32::from(read_u16(entry, 8, little)?)
                } else {
                    read_u32(entry, 8, little)?
                };
                return Some(value == 1);
            }
        }
        // Without the tag, the image is uncompressed.
        Some(true)
    };
    check().unwrap_or(false)
}

fn read_u16(bytes: &[u8], at: usize, little: bool) -> Option<u16> {
    let bytes: [u8; 2] = bytes.get(at..at.checked_add(2)?)?.try_into().ok()?;
    Some(if little {
        u16::from_le_bytes(bytes)
    } else {
        u16::from_be_bytes(bytes)
    })
}

fn read_u32(bytes: &[u8], at: usize, little: bool) -> Option<u32> {
    let bytes: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(if little {
        u32::from_le_bytes(bytes)
    } else {
        u32::from_be_bytes(bytes)
    })
}

//! File names: their extension, and the extensions of programs and archives.

/// Extensions of programs, scripts and active documents: a file named so may
/// be run by the system that opens it, whatever its content.
const PROGRAMS: &[&str] = &[
    "app",
    "appx",
    "appxbundle",
    "apk",
    "application",
    "bash",
    "bat",
    "chm",
    "cmd",
    "com",
    "cpl",
    "dll",
    "docm",
    "dotm",
    "dylib",
    "exe",
    "gadget",
    "hta",
    "htm",
    "html",
    "inf",
    "ipa",
    "iqy",
    "jar",
    "jnlp",
    "js",
    "jse",
    "lnk",
    "mht",
    "mhtml",
    "mjs",
    "msc",
    "msi",
    "msix",
    "msixbundle",
    "msp",
    "ocx",
    "php",
    "pif",
    "potm",
    "ppam",
    "ppsm",
    "pptm",
    "ps1",
    "psd1",
    "psm1",
    "py",
    "pyw",
    "reg",
    "scr",
    "settingcontent-ms",
    "sh",
    "shtml",
    "svg",
    "svgz",
    "sys",
    "url",
    "vb",
    "vbe",
    "vbs",
    "website",
    "ws",
    "wsc",
    "wsf",
    "wsh",
    "xht",
    "xhtml",
    "xlam",
    "xll",
    "xlsm",
    "xltm",
];

/// Extensions of archives and disk images: an archive inside an archive
/// cannot be checked without unpacking it.
const ARCHIVES: &[&str] = &[
    "7z", "ace", "arj", "bz2", "cab", "cpio", "dmg", "gz", "img", "iso", "lha", "lz", "lz4", "lzh",
    "lzma", "rar", "tar", "taz", "tbz", "tbz2", "tgz", "tlz", "txz", "tzst", "vhd", "vhdx", "wim",
    "xz", "z", "zip", "zipx", "zst",
];

/// The extension of a name, in lowercase and without the dot: what follows
/// the last dot of the last path component, once trailing dots and spaces
/// are dropped (Windows drops them, so "a.exe." runs as "a.exe").
///
/// A suffix that does not look like an extension (1 to 20 ASCII letters,
/// digits, `-` or `_`, at least one letter) is none: "zápis 1.2.2024" has no
/// extension, rather than the extension "2024".
pub(super) fn extension(name: &str) -> Option<String> {
    let name = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let name = name.trim_end_matches(['.', ' ']);
    let (_, suffix) = name.rsplit_once('.')?;
    let shaped = (1..=20).contains(&suffix.len())
        && suffix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && suffix.bytes().any(|b| b.is_ascii_alphabetic());
    shaped.then(|| suffix.to_ascii_lowercase())
}

pub(super) fn is_program(extension: &str) -> bool {
    PROGRAMS.contains(&extension)
}

pub(super) fn is_archive(extension: &str) -> bool {
    ARCHIVES.contains(&extension)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_is_the_last_suffix_in_lowercase() {
        assert_eq!(extension("Smlouva.PDF").as_deref(), Some("pdf"));
        assert_eq!(extension("archiv.tar.gz").as_deref(), Some("gz"));
        assert_eq!(extension("faktura.pdf.exe").as_deref(), Some("exe"));
        assert_eq!(
            extension("C:\\Users\\jana\\sken.JPG").as_deref(),
            Some("jpg")
        );
        assert_eq!(extension("slozka.v1/dopis").as_deref(), None);
        assert_eq!(extension("virus.exe. . ").as_deref(), Some("exe"));
        assert_eq!(extension(".pdf").as_deref(), Some("pdf"));
        assert_eq!(extension("dopis").as_deref(), None);
        assert_eq!(extension("").as_deref(), None);
    }

    #[test]
    fn a_suffix_that_is_no_extension_is_none() {
        assert_eq!(extension("zápis 1.2.2024").as_deref(), None);
        assert_eq!(extension("Dopis p.Nováková").as_deref(), None);
        assert_eq!(extension("verze 2.").as_deref(), None);
        assert_eq!(extension("x.a b").as_deref(), None);
        assert_eq!(
            extension("x.settingcontent-ms").as_deref(),
            Some("settingcontent-ms")
        );
    }

    #[test]
    fn lists_are_lowercase_and_disjoint() {
        for extension in PROGRAMS.iter().chain(ARCHIVES) {
            assert_eq!(*extension, extension.to_ascii_lowercase());
        }
        assert!(!PROGRAMS.iter().any(|p| ARCHIVES.contains(p)));
    }
}

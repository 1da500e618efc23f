//! Public standards and document formats, as pure functions: values in,
//! bytes out, no I/O, so that each can be tested and fuzzed on its own.
//!
//! - [`pdf`]: office documents as PDF/A-2b (title, headings, paragraphs,
//!   tables, a footer), with an embedded font that covers Czech;
//! - [`driver_extract`]: the citizen's extract of their driver's points;
//! - [`content_check`]: the upload filter, a file's type from its streamed content.
//! - [`nsesss_sip`]: a closed file as the NSESSS data package (SIP) for the archive.
//! - [`zip_stream`]: that package as a ZIP, written as it streams out.

pub mod content_check;
pub mod driver_extract;
pub mod nsesss_sip;
pub mod pdf;
#[cfg(feature = "testing")]
pub mod testing;
pub mod zip_stream;

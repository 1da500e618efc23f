//! The NSESSS SIP: the data package ("datový balíček SIP") in which a closed
//! file (spis) leaves the portal for the disposal procedure (skartační
//! řízení) or for the archive, as the national standard for electronic
//! records-management systems (NSESSS) defines it.
//!
//! [`build`] checks a [`Package`] and writes the package's `mets.xml`; it
//! also names the component files, which the caller puts beside it with
//! their bytes (as a ZIP or a folder):
//!
//! ```text
//! mets.xml
//! komponenty/1_Zadost_o_prispevek.pdf    one file per component, numbered
//! komponenty/2_Priloha_c._1.pdf          through the whole package
//! ```
//!
//! `mets.xml` is METS holding:
//! - `OBJID`: the file's unique identifier as `<source>_<value>`; `LABEL`
//!   says whether the package goes to the archive or to the disposal
//!   procedure;
//! - `metsHdr`: the originator as the ORGANIZATION creator (note: its IČO),
//!   and the official who makes the package as the INDIVIDUAL creator (note:
//!   their position);
//! - one `dmdSec`, OTHERMDTYPE=NSESSS: `nsesss:Spis` with the file's
//!   registry data, its filing-plan classes up to the filing plan, its
//!   documents and their components;
//! - one `amdSec` with one `digiprovMD`, OTHERMDTYPE=TP: the transaction log
//!   of the file and its documents (`TransakcniLogSystemu`, whose events
//!   each name their object), in time order;
//! - a `fileSec` with one `fileGrp`: size, creation time, media type and
//!   checksum of each component, located by a relative URL in `komponenty/`;
//! - one `structMap`: the file, its documents, their components.
//!
//! The shared schemas beside the project (METS, NSESSS v4 and the 2023
//! transaction log) are the authority; the tests validate against them.
//!
//! Component files are stored under an ASCII name made from the original
//! (Czech letters lose their diacritics, anything outside `A–Z a–z 0–9 . -
//! _` becomes `_`) after the component's number, so that the URL in
//! `mets.xml` and the path in the ZIP are the same string on every system;
//! the original name stays in the component's metadata.

use std::fmt::Write as _;

use jiff::Timestamp;
use jiff::civil::Date;
pub use obcan_core::records::RetentionSign;
use obcan_core::registers::Ico;
use sha2::{Digest, Sha256, Sha512};

use self::check::{MAX_IDENTIFIER, checked_text};

mod check;
mod write;
mod xml;

/// Why a package is made; decides its METS `LABEL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The disposal procedure (skartační řízení): the archive decides what
    /// to keep.
    DisposalProcedure,
    /// The transfer of records the archive has selected.
    Archive,
}

impl Purpose {
    fn label(self) -> &'static str {
        match self {
            Self::DisposalProcedure => "Datový balíček pro provedení skartačního řízení",
            Self::Archive => "Datový balíček pro předávání dokumentů a jejich metadat do archivu",
        }
    }
}

/// Everything a package says.
#[derive(Debug, Clone)]
pub struct Package {
    pub purpose: Purpose,
    /// Identifies this export; every export gets a new one. The transaction
    /// log carries it.
    pub export_id: Identifier,
    /// When the package is made.
    pub created_at: Timestamp,
    pub originator: Originator,
    /// The official who makes the package.
    pub creator: Official,
    pub filing_plan: FilingPlan,
    pub file: FileRecord,
}

/// The organisation whose records these are (původce).
#[derive(Debug, Clone)]
pub struct Originator {
    pub name: String,
    pub ico: Ico,
    /// The registered seat (sídlo), one line.
    pub address: String,
    /// The name of the records system, which is also the name of its
    /// register of documents (evidence dokumentů), e.g. "Obcan – evidence
    /// podání".
    pub records_system: String,
}

/// A person working for the originator.
#[derive(Debug, Clone)]
pub struct Official {
    /// E.g. a staff number, with the system that gave it as its source.
    pub id: Identifier,
    pub name: String,
    /// The organisational unit (organizační útvar), up to 100 characters.
    pub unit: String,
    /// The position (pracovní pozice), up to 100 characters.
    pub position: String,
}

/// Someone outside the originator: a sender or a recipient.
#[derive(Debug, Clone)]
pub enum Party {
    Organisation {
        /// E.g. the IČO with source "IČO".
        id: Identifier,
        name: String,
        /// The registered seat (sídlo), one line.
        address: String,
    },
    Person {
        name: String,
        /// The postal address, one line.
        address: String,
        /// An e-mail address, a data box or a telephone number, up to 100
        /// characters.
        contact: String,
    },
}

/// The originator's filing plan (spisový plán), as far as the file needs it.
#[derive(Debug, Clone)]
pub struct FilingPlan {
    pub id: Identifier,
    pub name: String,
    /// The day the plan came into force.
    pub valid_from: Date,
    /// What joins the simple marks of nested classes into the full mark,
    /// e.g. `'.'` for "1.2".
    pub mark_separator: char,
    /// The classes (věcné skupiny) from the top of the plan down to the one
    /// the file is filed under; at least one.
    pub classes: Vec<PlanClass>,
}

/// One class of the filing plan (věcná skupina).
#[derive(Debug, Clone)]
pub struct PlanClass {
    pub id: Identifier,
    /// The simple mark (jednoduchý spisový znak), unique within the parent,
    /// up to 50 characters.
    pub mark: String,
    pub title: String,
    pub opened_on: Date,
}

/// The retention regime (skartační režim) of the file and its documents.
#[derive(Debug, Clone)]
pub struct RetentionRegime {
    pub id: Identifier,
    pub name: String,
    /// Why the regime has its sign (odůvodnění).
    pub reason: String,
    pub sign: RetentionSign,
    /// The retention period (skartační lhůta) in years, 0 to 999.
    pub years: u16,
    /// What starts the period (spouštěcí událost), e.g. "uzavření spisu".
    pub trigger_event: String,
}

/// The file (spis): a citizen's submission with its documents, or another
/// set of documents in one matter.
#[derive(Debug, Clone)]
pub struct FileRecord {
    /// The unique identifier; it also makes the package's `OBJID`.
    pub id: Identifier,
    /// The file reference (spisová značka) or the reference number of the
    /// opening document, up to 50 characters.
    pub reference: String,
    /// The matter (věc).
    pub title: String,
    pub opened_on: Date,
    /// The day the file was settled and closed.
    pub closed_on: Date,
    /// The official who settled and closed the file.
    pub handled_by: Official,
    pub retention: RetentionRegime,
    /// The year of the trigger event; the retention period runs from the
    /// 1st January after it.
    pub trigger_year: i16,
    /// A restriction of access that is not a security classification, e.g.
    /// "obsahuje osobní údaje".
    pub access_restriction: Option<String>,
    /// At least one.
    pub documents: Vec<Document>,
    pub events: Vec<Event>,
}

/// A document of the file.
#[derive(Debug, Clone)]
pub struct Document {
    pub id: Identifier,
    /// The reference number (číslo jednací), up to 50 characters.
    pub reference: String,
    pub title: String,
    pub origin: Origin,
    /// The document's files; at least one, the main one first.
    pub components: Vec<Component>,
    pub events: Vec<Event>,
}

/// How a document came to the file.
#[derive(Debug, Clone)]
pub enum Origin {
    /// Received from outside, e.g. a citizen's submission.
    Received {
        received_at: Timestamp,
        /// When the sender made it, if known.
        created_on: Option<Date>,
        sender: Party,
        /// The sender's own reference, up to 50 characters.
        sender_reference: Option<String>,
    },
    /// Made by the originator, e.g. a reply.
    Own {
        created_on: Date,
        author: Official,
        sent: Option<Sending>,
    },
}

/// The dispatch of an own document, which settles it.
#[derive(Debug, Clone)]
pub struct Sending {
    pub sent_on: Date,
    pub recipient: Party,
}

/// One file of a document (komponenta).
#[derive(Debug, Clone)]
pub struct Component {
    pub id: Identifier,
    /// The original file name; no path, no control characters, up to 200
    /// characters.
    pub file_name: String,
    pub role: ComponentRole,
    pub form: KeepingForm,
    /// E.g. "application/pdf".
    pub media_type: String,
    /// In bytes.
    pub size: u64,
    pub created_at: Timestamp,
    pub checksum: Checksum,
}

/// What part of the document a component is (druh komponenty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComponentRole {
    MainDocument,
    CoverLetter,
    Attachment,
}

impl ComponentRole {
    fn as_str(self) -> &'static str {
        match self {
            Self::MainDocument => "hlavní dokument",
            Self::CoverLetter => "průvodní dopis",
            Self::Attachment => "příloha",
        }
    }
}

/// Which stage of the document a component keeps (forma uchování).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeepingForm {
    Draft,
    Original,
    OriginalInOutputFormat,
    Digitised,
    Container,
}

impl KeepingForm {
    fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "koncept",
            Self::Original => "originál",
            Self::OriginalInOutputFormat => "originál ve výstupním datovém formátu",
            Self::Digitised => "digitalizát",
            Self::Container => "kontejner",
        }
    }
}

/// An entry of the transaction log: who did what to the file or a document,
/// and when.
#[derive(Debug, Clone)]
pub struct Event {
    pub at: Timestamp,
    /// Who did it: name, role and identifier as text, 1 to 100 characters.
    pub by: String,
    pub kind: EventKind,
    /// A description for people reading the history.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Created,
    Modified,
    Received,
    InsertedIntoFile,
    Sent,
    Settled,
    Closed,
    Reopened,
    Exported,
}

impl EventKind {
    /// The log schema's name of the kind.
    fn as_str(self) -> &'static str {
        match self {
            Self::Created => "Zalozeni",
            Self::Modified => "Uprava",
            Self::Received => "Doruceno",
            Self::InsertedIntoFile => "VlozeniDoSpisu",
            Self::Sent => "Vypraveno",
            Self::Settled => "Vyrizeni",
            Self::Closed => "Uzavreni",
            Self::Reopened => "Otevreni",
            Self::Exported => "Export",
        }
    }
}

/// An identifier with its source (zdroj): the system or register that gave
/// it. Both are 1 to 50 characters on one line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identifier {
    value: String,
    source: String,
}

impl Identifier {
    pub fn new(value: &str, source: &str) -> Result<Self, SipError> {
        Ok(Self {
            value: checked_text(|| "the identifier".into(), value, MAX_IDENTIFIER)?.to_owned(),
            source: checked_text(|| "the identifier's source".into(), source, MAX_IDENTIFIER)?
                .to_owned(),
        })
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    pub fn source(&self) -> &str {
        &self.source
    }
}

/// The checksum of a component's bytes, SHA-256 or SHA-512.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checksum {
    algorithm: ChecksumAlgorithm,
    /// Lowercase hexadecimal.
    hex: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChecksumAlgorithm {
    Sha256,
    Sha512,
}

impl ChecksumAlgorithm {
    /// The name in METS `CHECKSUMTYPE`.
    fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "SHA-256",
            Self::Sha512 => "SHA-512",
        }
    }

    fn hex_digits(self) -> usize {
        match self {
            Self::Sha256 => 64,
            Self::Sha512 => 128,
        }
    }
}

impl Checksum {
    /// A SHA-256 digest given in hexadecimal (64 digits, either case).
    pub fn sha256_hex(hex: &str) -> Result<Self, SipError> {
        Self::from_hex(ChecksumAlgorithm::Sha256, hex)
    }

    /// A SHA-512 digest given in hexadecimal (128 digits, either case).
    pub fn sha512_hex(hex: &str) -> Result<Self, SipError> {
        Self::from_hex(ChecksumAlgorithm::Sha512, hex)
    }

    /// A SHA-256 digest computed before, e.g. while the content was stored.
    pub fn sha256(digest: [u8; 32]) -> Self {
        Self {
            algorithm: ChecksumAlgorithm::Sha256,
            hex: hex(&digest),
        }
    }

    /// The SHA-256 digest of the bytes.
    pub fn sha256_of(bytes: &[u8]) -> Self {
        Self {
            algorithm: ChecksumAlgorithm::Sha256,
            hex: hex(&Sha256::digest(bytes)),
        }
    }

    /// The SHA-512 digest of the bytes.
    pub fn sha512_of(bytes: &[u8]) -> Self {
        Self {
            algorithm: ChecksumAlgorithm::Sha512,
            hex: hex(&Sha512::digest(bytes)),
        }
    }

    /// The METS name of the algorithm, "SHA-256" or "SHA-512".
    pub fn algorithm(&self) -> &'static str {
        self.algorithm.name()
    }

    /// The digest in lowercase hexadecimal.
    pub fn hex(&self) -> &str {
        &self.hex
    }

    fn from_hex(algorithm: ChecksumAlgorithm, hex: &str) -> Result<Self, SipError> {
        let found = hex.chars().count();
        if found != algorithm.hex_digits() {
            return Err(SipError::ChecksumLength {
                algorithm: algorithm.name(),
                expected: algorithm.hex_digits(),
                found,
            });
        }
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(SipError::ChecksumDigit);
        }
        Ok(Self {
            algorithm,
            hex: hex.to_ascii_lowercase(),
        })
    }
}

/// A written package: `mets.xml` and the component files to put beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sip {
    /// The package's identifier (METS `OBJID`): the file's identifier as
    /// `<source>_<value>`.
    pub objid: String,
    /// The content of [`Sip::METS_PATH`], UTF-8.
    pub mets_xml: String,
    /// Where each component's bytes go, in package order.
    pub components: Vec<PackagedComponent>,
}

impl Sip {
    /// Where `mets_xml` goes in the package.
    pub const METS_PATH: &'static str = "mets.xml";
}

/// Where the bytes of one component go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackagedComponent {
    /// The index of the document in [`FileRecord::documents`].
    pub document: usize,
    /// The index of the component in [`Document::components`].
    pub component: usize,
    /// The path in the package, `komponenty/<number>_<name>`; also the
    /// component's URL in `mets.xml`.
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SipError {
    #[error("{field} {reason}")]
    Invalid { field: String, reason: String },
    #[error("the file (spis) holds no documents; a package needs at least one")]
    EmptyFile,
    #[error("{document} has no components; the package carries digital documents only")]
    NoComponents { document: String },
    #[error("{field}: the file name {name:?} is unsafe: {reason}")]
    UnsafeFileName {
        field: String,
        name: String,
        reason: &'static str,
    },
    #[error("a {algorithm} checksum has {expected} hexadecimal digits, not {found}")]
    ChecksumLength {
        algorithm: &'static str,
        expected: usize,
        found: usize,
    },
    #[error("a checksum holds a character that is not a hexadecimal digit")]
    ChecksumDigit,
    #[error("{field}: the identifier {identifier} is already used in the package")]
    DuplicateIdentifier { field: String, identifier: String },
}

impl SipError {
    fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// Checks a package and writes its `mets.xml`.
pub fn build(package: &Package) -> Result<Sip, SipError> {
    let components = check::check(package)?;
    let objid = format!("{}_{}", package.file.id.source, package.file.id.value);
    let mets_xml = write::mets(package, &objid, &components);
    Ok(Sip {
        objid,
        mets_xml,
        components,
    })
}

/// The full mark (plně určený spisový znak) of the class at `index`.
fn full_mark(plan: &FilingPlan, index: usize) -> String {
    let mut mark = String::new();
    for class in plan.classes.iter().take(index + 1) {
        if !mark.is_empty() {
            mark.push(plan.mark_separator);
        }
        mark.push_str(class.mark.trim());
    }
    mark
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

#[cfg(test)]
mod tests;

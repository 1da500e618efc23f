//! The citizen's extract of their driver's points ("Výpis z evidenční karty
//! řidiče – bodové hodnocení"), as a PDF/A document in Czech or English.
//!
//! The extract is informative: it shows what the portal received from the
//! register of drivers, and says so. It is no public deed; the register's
//! certified extract is issued by Czech POINT.
//!
//! # The content hash
//!
//! The extract carries the SHA-256 of its data, so that anyone holding the
//! data can check the document against it. The hash is taken over the UTF-8
//! bytes of a canonical text, printed in lowercase hexadecimal. The canonical
//! text is the same in both languages: one `key: value` line per fact, each
//! line ending with a line feed (U+000A), in this order:
//!
//! ```text
//! format: obcan/driver-points-extract/1
//! issued_at: <time of issue in UTC, YYYY-MM-DDTHH:MM:SSZ>
//! issued_by: <the portal's name>
//! person.name: <given names> <family name>
//! person.birth_date: <YYYY-MM-DD>
//! licence.number: <number>            ─┐ or the one line
//! licence.issued_on: <YYYY-MM-DD>      │ "licence: none"
//! licence.valid_until: <YYYY-MM-DD>    │
//! licence.issued_by: <authority>      ─┘
//! groups: <count>
//! groups[i].group: <code, e.g. B or C1E>
//! groups[i].since: <YYYY-MM-DD>
//! groups[i].until: <YYYY-MM-DD or "none">
//! points: <0 to 12>
//! points.changed_on: <YYYY-MM-DD or "none">
//! offences: <count>
//! offences[i].committed_on: <YYYY-MM-DD>
//! offences[i].description: <text>
//! offences[i].points: <points>
//! offences[i].decided_by: <authority>
//! bans: <count>
//! bans[i].from: <YYYY-MM-DD>
//! bans[i].until: <YYYY-MM-DD or "none">
//! bans[i].in_force: <"yes" or "no", on the day of issue in Czech time>
//! bans[i].reason: <text>
//! bans[i].imposed_by: <authority>
//! losses: <count>
//! losses[i].on: <YYYY-MM-DD>
//! losses[i].reason: <text>
//! ```
//!
//! `i` counts from 1, in the register's order, which is also the order the
//! document shows them in; the lines of one item follow each other. Texts are
//! as the register gave them (register texts hold no line breaks). The time
//! of issue is truncated to whole seconds, as the document shows it.

use std::fmt::Write as _;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::Offset;
use obcan_core::citizen::PersonName;
use obcan_core::language::Language;
use obcan_core::registers::{DriverRecord, MAX_POINTS, Validity};
use obcan_core::time::office_zone;
use sha2::{Digest, Sha256};

use crate::pdf::{self, Block, Document, PdfError, Table};

/// What an extract is made of.
#[derive(Debug, Clone, Copy)]
pub struct PointsExtract<'a> {
    pub language: Language,
    /// When the citizen asked for the extract; shown in Czech time.
    pub issued_at: Timestamp,
    /// The portal that issues the extract, e.g. "Město Vzorov".
    pub portal_name: &'a str,
    pub person: ExtractPerson<'a>,
    pub record: &'a DriverRecord,
}

/// Whom the extract is about.
#[derive(Debug, Clone, Copy)]
pub struct ExtractPerson<'a> {
    pub name: &'a PersonName,
    pub birth_date: Date,
}

/// An issued extract: the document and what its hash was taken over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedExtract {
    pub pdf: Vec<u8>,
    /// The SHA-256 of `canonical_text`, lowercase hexadecimal.
    pub content_sha256: String,
    pub canonical_text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    #[error("the portal's name must be one line of 1 to {MAX_PORTAL_NAME} characters")]
    PortalName,
    #[error(transparent)]
    Pdf(#[from] PdfError),
}

const MAX_PORTAL_NAME: usize = 200;

/// The extract of a person's driver's points, as PDF.
pub fn points_extract(input: &PointsExtract<'_>) -> Result<RenderedExtract, ExtractError> {
    let portal_name = input.portal_name.trim();
    if portal_name.is_empty()
        || portal_name.chars().count() > MAX_PORTAL_NAME
        || portal_name.chars().any(char::is_control)
    {
        return Err(ExtractError::PortalName);
    }
    // The document shows whole seconds; the hash and the metadata say the same.
    let issued_at = Timestamp::from_second(input.issued_at.as_second())
        .unwrap_or(input.issued_at)
        .to_zoned(office_zone());
    let today = issued_at.date();

    let canonical_text = canonical_text(input, portal_name, issued_at.timestamp(), today);
    let content_sha256 = hex(&Sha256::digest(canonical_text.as_bytes()));

    let texts = Texts::in_language(input.language);
    let document = Document {
        title: texts.title.to_owned(),
        language: input.language.tag().to_owned(),
        author: portal_name.to_owned(),
        blocks: blocks(
            input,
            texts,
            portal_name,
            &issued_at,
            today,
            &content_sha256,
        ),
        footer: format!(
            "{} – {} {}",
            texts.title,
            texts.issued_on,
            texts.time(&issued_at)
        ),
        created: issued_at,
        page_label: texts.page_label,
    };
    let pdf = pdf::render(&document)?;
    Ok(RenderedExtract {
        pdf,
        content_sha256,
        canonical_text,
    })
}

/// The text the content hash is taken over; see the module's documentation.
fn canonical_text(
    input: &PointsExtract<'_>,
    portal_name: &str,
    issued_at: Timestamp,
    today: Date,
) -> String {
    let record = input.record;
    let mut lines = Lines::default();
    lines.add("format", "obcan/driver-points-extract/1");
    lines.add("issued_at", issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"));
    lines.add("issued_by", portal_name);
    lines.add("person.name", input.person.name);
    lines.add("person.birth_date", input.person.birth_date);
    match &record.licence {
        None => lines.add("licence", "none"),
        Some(licence) => {
            lines.add("licence.number", &licence.number);
            lines.add("licence.issued_on", licence.issued_on);
            lines.add("licence.valid_until", licence.valid_until);
            lines.add("licence.issued_by", &licence.issued_by);
        }
    }
    lines.add("groups", record.groups.len());
    for (n, group) in (1..).zip(&record.groups) {
        lines.add(format!("groups[{n}].group"), group.group);
        lines.add(format!("groups[{n}].since"), group.since);
        lines.add(format!("groups[{n}].until"), or_none(group.until));
    }
    lines.add("points", record.points.get());
    lines.add("points.changed_on", or_none(record.points_changed_on));
    lines.add("offences", record.offences.len());
    for (n, offence) in (1..).zip(&record.offences) {
        lines.add(format!("offences[{n}].committed_on"), offence.committed_on);
        lines.add(format!("offences[{n}].description"), &offence.description);
        lines.add(format!("offences[{n}].points"), offence.points.get());
        lines.add(format!("offences[{n}].decided_by"), &offence.decided_by);
    }
    lines.add("bans", record.bans.len());
    for (n, ban) in (1..).zip(&record.bans) {
        lines.add(format!("bans[{n}].from"), ban.from);
        lines.add(format!("bans[{n}].until"), or_none(ban.until));
        let in_force = if ban.in_force(today) { "yes" } else { "no" };
        lines.add(format!("bans[{n}].in_force"), in_force);
        lines.add(format!("bans[{n}].reason"), &ban.reason);
        lines.add(format!("bans[{n}].imposed_by"), &ban.imposed_by);
    }
    lines.add("losses", record.losses.len());
    for (n, loss) in (1..).zip(&record.losses) {
        lines.add(format!("losses[{n}].on"), loss.on);
        lines.add(format!("losses[{n}].reason"), &loss.reason);
    }
    lines.0
}

#[derive(Default)]
struct Lines(String);

impl Lines {
    fn add(&mut self, key: impl std::fmt::Display, value: impl std::fmt::Display) {
        let _ = writeln!(self.0, "{key}: {value}");
    }
}

fn or_none(date: Option<Date>) -> String {
    date.map_or_else(|| "none".to_owned(), |date| date.to_string())
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

fn blocks(
    input: &PointsExtract<'_>,
    texts: &Texts,
    portal_name: &str,
    issued_at: &jiff::Zoned,
    today: Date,
    content_sha256: &str,
) -> Vec<Block> {
    let record = input.record;
    let mut blocks = vec![fields(vec![
        (texts.issued_by, format!("{portal_name} ({})", texts.portal)),
        (texts.issued_at, texts.time(issued_at)),
        (texts.name, input.person.name.to_string()),
        (texts.birth_date, texts.date(input.person.birth_date)),
    ])];
    // What the document is not, first and in both languages whatever the
    // extract's language, as it may be shown to someone who reads only one.
    let (first, second) = match input.language {
        Language::Czech => (CZECH.notice, ENGLISH.notice),
        Language::English => (ENGLISH.notice, CZECH.notice),
    };
    blocks.push(Block::Note(first.to_owned()));
    blocks.push(Block::Note(second.to_owned()));

    blocks.push(Block::Heading(texts.licence.to_owned()));
    match &record.licence {
        None => blocks.push(Block::Paragraph(texts.no_licence.to_owned())),
        Some(licence) => {
            let validity = match Validity::on(today, licence.valid_until) {
                Validity::Valid { .. } => texts.valid,
                Validity::ExpiresSoon { .. } => texts.expires_soon,
                Validity::Expired { .. } => texts.expired,
            };
            blocks.push(fields(vec![
                (texts.licence_number, licence.number.to_string()),
                (texts.licence_issued_on, texts.date(licence.issued_on)),
                (
                    texts.licence_valid_until,
                    format!("{} ({validity})", texts.date(licence.valid_until)),
                ),
                (texts.licence_issued_by, licence.issued_by.to_string()),
            ]));
        }
    }

    blocks.push(Block::Heading(texts.groups.to_owned()));
    if record.groups.is_empty() {
        blocks.push(Block::Paragraph(texts.none_recorded.to_owned()));
    } else {
        blocks.push(Block::Table(Table {
            widths: vec![1.0, 2.0, 2.0],
            header: Some(strings(&[texts.group, texts.since, texts.until])),
            rows: record
                .groups
                .iter()
                .map(|group| {
                    vec![
                        group.group.to_string(),
                        texts.date(group.since),
                        group
                            .until
                            .map_or_else(|| texts.no_end.to_owned(), |until| texts.date(until)),
                    ]
                })
                .collect(),
        }));
    }

    blocks.push(Block::Heading(texts.points_heading.to_owned()));
    blocks.push(fields(vec![
        (
            texts.points,
            format!("{} {} {MAX_POINTS}", record.points.get(), texts.of),
        ),
        (
            texts.points_changed_on,
            record
                .points_changed_on
                .map_or_else(|| texts.never_changed.to_owned(), |on| texts.date(on)),
        ),
    ]));

    blocks.push(Block::Heading(texts.offences.to_owned()));
    if record.offences.is_empty() {
        blocks.push(Block::Paragraph(texts.no_offences.to_owned()));
    } else {
        blocks.push(Block::Table(Table {
            widths: vec![2.2, 6.0, 1.2, 3.6],
            header: Some(strings(&[
                texts.committed_on,
                texts.offence,
                texts.offence_points,
                texts.decided_by,
            ])),
            rows: record
                .offences
                .iter()
                .map(|offence| {
                    vec![
                        texts.date(offence.committed_on),
                        offence.description.to_string(),
                        offence.points.get().to_string(),
                        offence.decided_by.to_string(),
                    ]
                })
                .collect(),
        }));
    }

    blocks.push(Block::Heading(texts.bans.to_owned()));
    if record.bans.is_empty() {
        blocks.push(Block::Paragraph(texts.no_bans.to_owned()));
    } else {
        blocks.push(Block::Table(Table {
            widths: vec![2.6, 2.6, 2.2, 3.6, 3.2],
            header: Some(strings(&[
                texts.since,
                texts.until,
                texts.state,
                texts.reason,
                texts.imposed_by,
            ])),
            rows: record
                .bans
                .iter()
                .map(|ban| {
                    vec![
                        texts.date(ban.from),
                        ban.until
                            .map_or_else(|| texts.no_end.to_owned(), |until| texts.date(until)),
                        if ban.in_force(today) {
                            texts.in_force
                        } else {
                            texts.not_in_force
                        }
                        .to_owned(),
                        ban.reason.to_string(),
                        ban.imposed_by.to_string(),
                    ]
                })
                .collect(),
        }));
    }

    blocks.push(Block::Heading(texts.losses.to_owned()));
    if record.losses.is_empty() {
        blocks.push(Block::Paragraph(texts.none_recorded.to_owned()));
    } else {
        blocks.push(Block::Table(Table {
            widths: vec![1.0, 3.0],
            header: Some(strings(&[texts.lost_on, texts.reason])),
            rows: record
                .losses
                .iter()
                .map(|loss| vec![texts.date(loss.on), loss.reason.to_string()])
                .collect(),
        }));
    }

    blocks.push(Block::Heading(texts.verification.to_owned()));
    // Small enough for the label and the digest to share a line.
    blocks.push(Block::Note(format!(
        "SHA-256 obsahu / content SHA-256: {content_sha256}"
    )));
    blocks.push(Block::Note(texts.hash_explained.to_owned()));
    blocks
}

/// Labelled values, as a table of two columns without a header.
fn fields(rows: Vec<(&str, String)>) -> Block {
    Block::Table(Table {
        widths: vec![1.0, 2.0],
        header: None,
        rows: rows
            .into_iter()
            .map(|(label, value)| vec![label.to_owned(), value])
            .collect(),
    })
}

fn strings(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|text| (*text).to_owned()).collect()
}

/// Everything the extract says in one language.
struct Texts {
    language: Language,
    title: &'static str,
    issued_by: &'static str,
    portal: &'static str,
    issued_at: &'static str,
    issued_on: &'static str,
    name: &'static str,
    birth_date: &'static str,
    licence: &'static str,
    no_licence: &'static str,
    licence_number: &'static str,
    licence_issued_on: &'static str,
    licence_valid_until: &'static str,
    licence_issued_by: &'static str,
    valid: &'static str,
    expires_soon: &'static str,
    expired: &'static str,
    groups: &'static str,
    group: &'static str,
    since: &'static str,
    until: &'static str,
    no_end: &'static str,
    none_recorded: &'static str,
    points_heading: &'static str,
    points: &'static str,
    of: &'static str,
    points_changed_on: &'static str,
    never_changed: &'static str,
    offences: &'static str,
    no_offences: &'static str,
    committed_on: &'static str,
    offence: &'static str,
    offence_points: &'static str,
    decided_by: &'static str,
    bans: &'static str,
    no_bans: &'static str,
    state: &'static str,
    in_force: &'static str,
    not_in_force: &'static str,
    reason: &'static str,
    imposed_by: &'static str,
    losses: &'static str,
    lost_on: &'static str,
    verification: &'static str,
    hash_explained: &'static str,
    notice: &'static str,
    page_label: fn(usize, usize) -> String,
}

static CZECH: Texts = Texts {
    language: Language::Czech,
    title: "Výpis z evidenční karty řidiče – bodové hodnocení",
    issued_by: "Vydal",
    portal: "portál občana",
    issued_at: "Datum a čas vydání",
    issued_on: "vydáno",
    name: "Jméno a příjmení",
    birth_date: "Datum narození",
    licence: "Řidičský průkaz",
    no_licence: "V registru řidičů není veden žádný řidičský průkaz.",
    licence_number: "Číslo průkazu",
    licence_issued_on: "Datum vydání",
    licence_valid_until: "Platnost do",
    licence_issued_by: "Vydal",
    valid: "platný",
    expires_soon: "platnost brzy skončí",
    expired: "platnost skončila",
    groups: "Skupiny řidičského oprávnění",
    group: "Skupina",
    since: "Od",
    until: "Do",
    no_end: "bez omezení",
    none_recorded: "Nic není zaznamenáno.",
    points_heading: "Bodové hodnocení",
    points: "Počet bodů",
    of: "z",
    points_changed_on: "Poslední změna",
    never_changed: "beze změny",
    offences: "Přestupky",
    no_offences: "V evidenční kartě řidiče nejsou zaznamenány žádné přestupky.",
    committed_on: "Datum spáchání",
    offence: "Přestupek",
    offence_points: "Body",
    decided_by: "Rozhodl",
    bans: "Zákazy řízení",
    no_bans: "V evidenční kartě řidiče nejsou zaznamenány žádné zákazy řízení.",
    state: "Stav",
    in_force: "v platnosti",
    not_in_force: "není v platnosti",
    reason: "Důvod",
    imposed_by: "Uložil",
    losses: "Pozbytí řidičského oprávnění",
    lost_on: "Datum",
    verification: "Ověření obsahu",
    hash_explained: "Otisk SHA-256 je spočten z kanonického textu údajů tohoto výpisu \
                     (kódování UTF-8, údaj na řádku ve tvaru „klíč: hodnota“, data podle \
                     ISO 8601, čas vydání v UTC), jak jej popisuje dokumentace portálu. \
                     Shodný otisk potvrzuje, že údaje nebyly změněny.",
    notice: "Tento výpis je informativní výpis z portálu občana a není veřejnou listinou. \
             Ověřený výpis z evidenční karty řidiče vydá kterékoli kontaktní místo \
             Czech POINT.",
    page_label: |page, pages| format!("Strana {page} z {pages}"),
};

static ENGLISH: Texts = Texts {
    language: Language::English,
    title: "Extract from the driver's record – penalty points",
    issued_by: "Issued by",
    portal: "citizen portal",
    issued_at: "Date and time of issue",
    issued_on: "issued",
    name: "Name",
    birth_date: "Date of birth",
    licence: "Driving licence",
    no_licence: "No driving licence is recorded in the register of drivers.",
    licence_number: "Licence number",
    licence_issued_on: "Date of issue",
    licence_valid_until: "Valid until",
    licence_issued_by: "Issued by",
    valid: "valid",
    expires_soon: "expires soon",
    expired: "expired",
    groups: "Licence categories",
    group: "Category",
    since: "From",
    until: "Until",
    no_end: "no end date",
    none_recorded: "Nothing is recorded.",
    points_heading: "Penalty points",
    points: "Points",
    of: "of",
    points_changed_on: "Last change",
    never_changed: "never changed",
    offences: "Offences",
    no_offences: "No offences are recorded in the driver's record.",
    committed_on: "Committed on",
    offence: "Offence",
    offence_points: "Points",
    decided_by: "Decided by",
    bans: "Driving bans",
    no_bans: "No driving bans are recorded in the driver's record.",
    state: "State",
    in_force: "in force",
    not_in_force: "not in force",
    reason: "Reason",
    imposed_by: "Imposed by",
    losses: "Loss of driving entitlement",
    lost_on: "Date",
    verification: "Verifying the content",
    hash_explained: "The SHA-256 digest is computed over the canonical text of this \
                     extract's data (UTF-8, one \"key: value\" line per fact, dates in \
                     ISO 8601, the time of issue in UTC), as the portal's documentation \
                     describes it. An equal digest confirms that the data was not changed.",
    notice: "This is an informative extract from the citizen portal, not a public deed. \
             A certified extract from the driver's record is issued at any Czech POINT \
             office.",
    page_label: |page, pages| format!("Page {page} of {pages}"),
};

impl Texts {
    fn in_language(language: Language) -> &'static Self {
        match language {
            Language::Czech => &CZECH,
            Language::English => &ENGLISH,
        }
    }

    fn date(&self, date: Date) -> String {
        match self.language {
            Language::Czech => date.strftime("%-d. %-m. %Y").to_string(),
            Language::English => date.strftime("%-d %B %Y").to_string(),
        }
    }

    /// A time of day in Czech time, with the zone's name.
    fn time(&self, time: &jiff::Zoned) -> String {
        let zone = zone_name(self.language, time.offset());
        match self.language {
            Language::Czech => format!("{} {zone}", time.strftime("%-d. %-m. %Y %H:%M:%S")),
            Language::English => format!("{} {zone}", time.strftime("%-d %B %Y, %H:%M:%S")),
        }
    }
}

/// Central European (Summer) Time by its names; any other offset by its value.
fn zone_name(language: Language, offset: Offset) -> String {
    match (offset.seconds(), language) {
        (3600, Language::Czech) => "SEČ".to_owned(),
        (3600, Language::English) => "CET".to_owned(),
        (7200, Language::Czech) => "SELČ".to_owned(),
        (7200, Language::English) => "CEST".to_owned(),
        _ => format!("UTC{offset}"),
    }
}

#[cfg(test)]
mod tests;

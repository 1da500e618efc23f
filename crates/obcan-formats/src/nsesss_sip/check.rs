//! What a package must satisfy before it is written: what the schemas or an
//! archive would refuse, named by the field that holds it; and the names of
//! the component files.

use std::collections::HashSet;

use jiff::Timestamp;
use obcan_core::time::office_zone;

use super::{
    Event, Identifier, Official, Origin, Package, PackagedComponent, Party, SipError, full_mark,
};

// Limits of the schemas' types (tIdentifikatorHodnota, tEvidencniCislo,
// tJednoduchySpisovyZnak, tPlneUrcenySpisovyZnak, tText, provedlKdo) and,
// for the schemas' unbounded strings, a bound of our own.
pub(super) const MAX_IDENTIFIER: usize = 50;
const MAX_REFERENCE: usize = 50;
const MAX_MARK: usize = 50;
const MAX_FULL_MARK: usize = 255;
const MAX_SHORT_TEXT: usize = 100;
const MAX_EVENT_BY: usize = 100;
const MAX_TEXT: usize = 1000;
const MAX_FILE_NAME: usize = 200;

const COMPONENTS_FOLDER: &str = "komponenty";

/// Text must hold something, stay within its length and be one line: a
/// control character is either not allowed in XML at all or a line break
/// that no field of the package expects.
pub(super) fn checked_text(
    field: impl Fn() -> String,
    raw: &str,
    max: usize,
) -> Result<&str, SipError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(SipError::invalid(field(), "is empty"));
    }
    if text.chars().count() > max {
        return Err(SipError::invalid(
            field(),
            format!("is longer than {max} characters"),
        ));
    }
    if text.chars().any(forbidden_char) {
        return Err(SipError::invalid(field(), "holds a control character"));
    }
    Ok(text)
}

pub(super) fn forbidden_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// Validates everything the schemas or the archive would refuse, and names
/// the component files.
pub(super) fn check(package: &Package) -> Result<Vec<PackagedComponent>, SipError> {
    let made_on = package.created_at.to_zoned(office_zone()).date();
    let originator = &package.originator;
    checked_text(|| "originator.name".into(), &originator.name, MAX_TEXT)?;
    checked_text(
        || "originator.address".into(),
        &originator.address,
        MAX_TEXT,
    )?;
    checked_text(
        || "originator.records_system".into(),
        &originator.records_system,
        MAX_TEXT,
    )?;
    check_official("creator", &package.creator)?;

    let plan = &package.filing_plan;
    checked_text(|| "filing_plan.name".into(), &plan.name, MAX_TEXT)?;
    if forbidden_char(plan.mark_separator) {
        return Err(SipError::invalid(
            "filing_plan.mark_separator",
            "is a control character",
        ));
    }
    if plan.classes.is_empty() {
        return Err(SipError::invalid(
            "filing_plan.classes",
            "is empty; the file needs the class it is filed under",
        ));
    }
    for (i, class) in plan.classes.iter().enumerate() {
        let field = |name: &str| format!("filing_plan.classes[{i}].{name}");
        checked_text(|| field("mark"), &class.mark, MAX_MARK)?;
        checked_text(|| field("title"), &class.title, MAX_TEXT)?;
    }
    let full_mark = full_mark(plan, plan.classes.len().saturating_sub(1));
    if full_mark.chars().count() > MAX_FULL_MARK {
        return Err(SipError::invalid(
            "filing_plan.classes",
            format!("make a full mark longer than {MAX_FULL_MARK} characters"),
        ));
    }

    let file = &package.file;
    checked_text(|| "file.reference".into(), &file.reference, MAX_REFERENCE)?;
    checked_text(|| "file.title".into(), &file.title, MAX_TEXT)?;
    if file.closed_on < file.opened_on {
        return Err(SipError::invalid(
            "file.closed_on",
            "is before file.opened_on",
        ));
    }
    if file.closed_on > made_on {
        return Err(SipError::invalid(
            "file.closed_on",
            "is after the day the package is made; only a closed file is exported",
        ));
    }
    check_official("file.handled_by", &file.handled_by)?;
    let retention = &file.retention;
    checked_text(|| "file.retention.name".into(), &retention.name, MAX_TEXT)?;
    checked_text(
        || "file.retention.reason".into(),
        &retention.reason,
        MAX_TEXT,
    )?;
    checked_text(
        || "file.retention.trigger_event".into(),
        &retention.trigger_event,
        MAX_TEXT,
    )?;
    if retention.years > 999 {
        return Err(SipError::invalid(
            "file.retention.years",
            "is more than 999",
        ));
    }
    if file.trigger_year < file.opened_on.year() || file.trigger_year > 9000 {
        return Err(SipError::invalid(
            "file.trigger_year",
            "is before the year the file was opened, or past 9000",
        ));
    }
    if let Some(restriction) = &file.access_restriction {
        checked_text(|| "file.access_restriction".into(), restriction, MAX_TEXT)?;
    }
    check_events("file.events", &file.events, package.created_at)?;
    if file.documents.is_empty() {
        return Err(SipError::EmptyFile);
    }

    let mut document_ids = HashSet::new();
    let mut component_ids = HashSet::new();
    let mut packaged = Vec::new();
    for (d, document) in file.documents.iter().enumerate() {
        let field = |name: &str| format!("file.documents[{d}].{name}");
        if document.id == file.id || !document_ids.insert(&document.id) {
            return Err(SipError::DuplicateIdentifier {
                field: field("id"),
                identifier: describe(&document.id),
            });
        }
        checked_text(|| field("reference"), &document.reference, MAX_REFERENCE)?;
        checked_text(|| field("title"), &document.title, MAX_TEXT)?;
        check_origin(&field("origin"), &document.origin, package.created_at)?;
        check_events(&field("events"), &document.events, package.created_at)?;
        if document.components.is_empty() {
            return Err(SipError::NoComponents {
                document: format!("file.documents[{d}]"),
            });
        }
        for (c, component) in document.components.iter().enumerate() {
            let field = |name: &str| format!("file.documents[{d}].components[{c}].{name}");
            if !component_ids.insert(&component.id) {
                return Err(SipError::DuplicateIdentifier {
                    field: field("id"),
                    identifier: describe(&component.id),
                });
            }
            let name = safe_file_name(&field("file_name"), &component.file_name)?;
            check_media_type(&field("media_type"), &component.media_type)?;
            if i64::try_from(component.size).is_err() {
                return Err(SipError::invalid(field("size"), "is too large"));
            }
            packaged.push(PackagedComponent {
                document: d,
                component: c,
                path: format!(
                    "{COMPONENTS_FOLDER}/{}_{}",
                    packaged.len() + 1,
                    portable_name(name)
                ),
            });
        }
    }
    Ok(packaged)
}

fn describe(id: &Identifier) -> String {
    format!("{:?} (source {:?})", id.value, id.source)
}

fn check_official(field: &str, official: &Official) -> Result<(), SipError> {
    checked_text(|| format!("{field}.name"), &official.name, MAX_TEXT)?;
    checked_text(|| format!("{field}.unit"), &official.unit, MAX_SHORT_TEXT)?;
    checked_text(
        || format!("{field}.position"),
        &official.position,
        MAX_SHORT_TEXT,
    )?;
    Ok(())
}

fn check_party(field: &str, party: &Party) -> Result<(), SipError> {
    match party {
        Party::Organisation { name, address, .. } => {
            checked_text(|| format!("{field}.name"), name, MAX_TEXT)?;
            checked_text(|| format!("{field}.address"), address, MAX_TEXT)?;
        }
        Party::Person {
            name,
            address,
            contact,
        } => {
            checked_text(|| format!("{field}.name"), name, MAX_TEXT)?;
            checked_text(|| format!("{field}.address"), address, MAX_TEXT)?;
            checked_text(|| format!("{field}.contact"), contact, MAX_SHORT_TEXT)?;
        }
    }
    Ok(())
}

fn check_origin(field: &str, origin: &Origin, made_at: Timestamp) -> Result<(), SipError> {
    match origin {
        Origin::Received {
            received_at,
            created_on,
            sender,
            sender_reference,
        } => {
            if *received_at > made_at {
                return Err(SipError::invalid(
                    format!("{field}.received_at"),
                    "is after the package is made",
                ));
            }
            let received_on = received_at.to_zoned(office_zone()).date();
            if created_on.is_some_and(|created_on| created_on > received_on) {
                return Err(SipError::invalid(
                    format!("{field}.created_on"),
                    "is after the document was received",
                ));
            }
            check_party(&format!("{field}.sender"), sender)?;
            if let Some(reference) = sender_reference {
                checked_text(
                    || format!("{field}.sender_reference"),
                    reference,
                    MAX_REFERENCE,
                )?;
            }
        }
        Origin::Own {
            created_on,
            author,
            sent,
        } => {
            check_official(&format!("{field}.author"), author)?;
            if let Some(sending) = sent {
                if sending.sent_on < *created_on {
                    return Err(SipError::invalid(
                        format!("{field}.sent.sent_on"),
                        "is before the document was made",
                    ));
                }
                check_party(&format!("{field}.sent.recipient"), &sending.recipient)?;
            }
        }
    }
    Ok(())
}

fn check_events(field: &str, events: &[Event], made_at: Timestamp) -> Result<(), SipError> {
    for (i, event) in events.iter().enumerate() {
        checked_text(|| format!("{field}[{i}].by"), &event.by, MAX_EVENT_BY)?;
        if let Some(note) = &event.note {
            checked_text(|| format!("{field}[{i}].note"), note, MAX_TEXT)?;
        }
        if event.at > made_at {
            return Err(SipError::invalid(
                format!("{field}[{i}].at"),
                "is after the package is made",
            ));
        }
    }
    Ok(())
}

/// The name as given, when it is one plain file name.
fn safe_file_name<'a>(field: &str, name: &'a str) -> Result<&'a str, SipError> {
    let unsafe_name = |reason| SipError::UnsafeFileName {
        field: field.to_owned(),
        name: name.to_owned(),
        reason,
    };
    if name.trim().is_empty() {
        return Err(unsafe_name("it is empty"));
    }
    if name != name.trim() {
        return Err(unsafe_name("it starts or ends with white space"));
    }
    if name.chars().any(forbidden_char) {
        return Err(unsafe_name("it holds a control character"));
    }
    if name.contains(['/', '\\']) {
        return Err(unsafe_name("it holds a path separator"));
    }
    if name.chars().all(|c| c == '.') {
        return Err(unsafe_name("it names a folder"));
    }
    if name.chars().count() > MAX_FILE_NAME {
        return Err(unsafe_name("it is longer than 200 characters"));
    }
    Ok(name)
}

/// The name in ASCII letters, digits, `.`, `-` and `_`.
fn portable_name(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '-' | '_' => c,
            _ => without_diacritics(c).unwrap_or('_'),
        })
        .collect()
}

/// The base letter of a Czech, Slovak or German letter with diacritics.
fn without_diacritics(c: char) -> Option<char> {
    Some(match c {
        'á' | 'ä' => 'a',
        'č' => 'c',
        'ď' => 'd',
        'é' | 'ě' => 'e',
        'í' => 'i',
        'ĺ' | 'ľ' => 'l',
        'ň' => 'n',
        'ó' | 'ô' | 'ö' => 'o',
        'ŕ' | 'ř' => 'r',
        'š' => 's',
        'ť' => 't',
        'ú' | 'ů' | 'ü' => 'u',
        'ý' => 'y',
        'ž' => 'z',
        'Á' | 'Ä' => 'A',
        'Č' => 'C',
        'Ď' => 'D',
        'É' | 'Ě' => 'E',
        'Í' => 'I',
        'Ĺ' | 'Ľ' => 'L',
        'Ň' => 'N',
        'Ó' | 'Ô' | 'Ö' => 'O',
        'Ŕ' | 'Ř' => 'R',
        'Š' => 'S',
        'Ť' => 'T',
        'Ú' | 'Ů' | 'Ü' => 'U',
        'Ý' => 'Y',
        'Ž' => 'Z',
        _ => return None,
    })
}

/// A media type as `type/subtype`, with optional parameters after `;`.
fn check_media_type(field: &str, media_type: &str) -> Result<(), SipError> {
    let essence = media_type.split(';').next().unwrap_or_default().trim();
    let token = |part: &str| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    let valid = essence
        .split_once('/')
        .is_some_and(|(kind, subtype)| token(kind) && token(subtype))
        && !media_type.chars().any(forbidden_char)
        && media_type.len() <= MAX_SHORT_TEXT;
    if valid {
        Ok(())
    } else {
        Err(SipError::invalid(
            field,
            format!("{media_type:?} is not a media type (type/subtype)"),
        ))
    }
}

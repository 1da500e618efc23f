use jiff::civil::date;
use obcan_core::registers::{
    DocumentNumber, DrivingBan, DrivingLicence, LicenceGroup, LicenceLoss, Offence, Points,
    RegisterText, VehicleGroup,
};

use super::*;

fn text(raw: &str) -> RegisterText {
    RegisterText::parse(raw).unwrap()
}

fn record() -> DriverRecord {
    DriverRecord {
        licence: Some(DrivingLicence {
            number: DocumentNumber::parse("EF123456").unwrap(),
            issued_on: date(2019, 4, 2),
            valid_until: date(2029, 4, 2),
            issued_by: text("Magistrát města Vzorova"),
        }),
        groups: vec![
            LicenceGroup {
                group: VehicleGroup::B,
                since: date(2009, 6, 15),
                until: None,
            },
            LicenceGroup {
                group: VehicleGroup::C,
                since: date(2019, 4, 2),
                until: Some(date(2029, 4, 2)),
            },
        ],
        professional_competence: None,
        points: Points::new(7).unwrap(),
        points_changed_on: Some(date(2026, 9, 14)),
        offences: vec![
            Offence {
                committed_on: date(2026, 3, 1),
                description: text("Překročení nejvyšší dovolené rychlosti v obci o 20 km/h"),
                points: Points::new(3).unwrap(),
                decided_by: text("Městský úřad Vzorov"),
            },
            Offence {
                committed_on: date(2026, 9, 14),
                description: text("Jízda na červenou"),
                points: Points::new(4).unwrap(),
                decided_by: text("Městský úřad Vzorov"),
            },
        ],
        bans: vec![DrivingBan {
            from: date(2026, 1, 1),
            until: Some(date(2026, 12, 31)),
            reason: text("Rozhodnutí správního orgánu"),
            imposed_by: text("Městský úřad Vzorov"),
        }],
        losses: vec![LicenceLoss {
            on: date(2012, 5, 5),
            reason: text("Dosažení 12 bodů"),
        }],
    }
}

fn empty_record() -> DriverRecord {
    DriverRecord {
        licence: None,
        groups: Vec::new(),
        professional_competence: None,
        points: Points::new(0).unwrap(),
        points_changed_on: None,
        offences: Vec::new(),
        bans: Vec::new(),
        losses: Vec::new(),
    }
}

fn name() -> PersonName {
    PersonName::new("Jana", "Nováková").unwrap()
}

fn extract<'a>(record: &'a DriverRecord, name: &'a PersonName) -> PointsExtract<'a> {
    PointsExtract {
        language: Language::Czech,
        issued_at: "2026-11-22T13:30:05.75Z".parse().unwrap(),
        portal_name: "Město Vzorov",
        person: ExtractPerson {
            name,
            birth_date: date(1980, 5, 14),
        },
        record,
    }
}

#[test]
fn the_canonical_text_is_as_documented() {
    let (record, name) = (record(), name());
    let rendered = points_extract(&extract(&record, &name)).unwrap();
    assert_eq!(
        rendered.canonical_text,
        "format: obcan/driver-points-extract/1\n\
         issued_at: 2026-11-22T13:30:05Z\n\
         issued_by: Město Vzorov\n\
         person.name: Jana Nováková\n\
         person.birth_date: 1980-05-14\n\
         licence.number: EF123456\n\
         licence.issued_on: 2019-04-02\n\
         licence.valid_until: 2029-04-02\n\
         licence.issued_by: Magistrát města Vzorova\n\
         groups: 2\n\
         groups[1].group: B\n\
         groups[1].since: 2009-06-15\n\
         groups[1].until: none\n\
         groups[2].group: C\n\
         groups[2].since: 2019-04-02\n\
         groups[2].until: 2029-04-02\n\
         points: 7\n\
         points.changed_on: 2026-09-14\n\
         offences: 2\n\
         offences[1].committed_on: 2026-03-01\n\
         offences[1].description: Překročení nejvyšší dovolené rychlosti v obci o 20 km/h\n\
         offences[1].points: 3\n\
         offences[1].decided_by: Městský úřad Vzorov\n\
         offences[2].committed_on: 2026-09-14\n\
         offences[2].description: Jízda na červenou\n\
         offences[2].points: 4\n\
         offences[2].decided_by: Městský úřad Vzorov\n\
         bans: 1\n\
         bans[1].from: 2026-01-01\n\
         bans[1].until: 2026-12-31\n\
         bans[1].in_force: yes\n\
         bans[1].reason: Rozhodnutí správního orgánu\n\
         bans[1].imposed_by: Městský úřad Vzorov\n\
         losses: 1\n\
         losses[1].on: 2012-05-05\n\
         losses[1].reason: Dosažení 12 bodů\n"
    );
    assert_eq!(
        rendered.content_sha256,
        hex(&Sha256::digest(rendered.canonical_text.as_bytes()))
    );
}

#[test]
fn an_empty_record_has_a_short_canonical_text() {
    let (record, name) = (empty_record(), name());
    let rendered = points_extract(&extract(&record, &name)).unwrap();
    assert!(rendered.canonical_text.contains("\nlicence: none\n"));
    assert!(rendered.canonical_text.ends_with(
        "groups: 0\npoints: 0\npoints.changed_on: none\noffences: 0\nbans: 0\nlosses: 0\n"
    ));
}

#[test]
fn hex_is_lowercase_and_matches_a_known_digest() {
    assert_eq!(
        hex(&Sha256::digest(b"abc")),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn the_hash_is_the_same_in_both_languages_and_the_documents_differ() {
    let (record, name) = (record(), name());
    let czech = points_extract(&extract(&record, &name)).unwrap();
    let english = points_extract(&PointsExtract {
        language: Language::English,
        ..extract(&record, &name)
    })
    .unwrap();
    assert_eq!(czech.content_sha256, english.content_sha256);
    assert_eq!(czech.canonical_text, english.canonical_text);
    assert_ne!(czech.pdf, english.pdf);
}

#[test]
fn the_same_input_gives_the_same_document() {
    let (record, name) = (record(), name());
    let first = points_extract(&extract(&record, &name)).unwrap();
    assert_eq!(first, points_extract(&extract(&record, &name)).unwrap());

    let mut changed = record.clone();
    changed.points = Points::new(8).unwrap();
    let second = points_extract(&extract(&changed, &name)).unwrap();
    assert_ne!(first.content_sha256, second.content_sha256);
    assert_ne!(first.pdf, second.pdf);
}

#[test]
fn a_ban_is_judged_on_the_day_of_issue_in_czech_time() {
    let (record, name) = (record(), name());
    // 23:30 UTC on 31 December is already 1 January in Prague: the ban ended.
    let rendered = points_extract(&PointsExtract {
        issued_at: "2026-12-31T23:30:00Z".parse().unwrap(),
        ..extract(&record, &name)
    })
    .unwrap();
    assert!(rendered.canonical_text.contains("bans[1].in_force: no\n"));
    let rendered = points_extract(&PointsExtract {
        issued_at: "2026-12-31T22:30:00Z".parse().unwrap(),
        ..extract(&record, &name)
    })
    .unwrap();
    assert!(rendered.canonical_text.contains("bans[1].in_force: yes\n"));
}

#[test]
fn the_portal_name_must_be_one_line() {
    let (record, name) = (record(), name());
    for portal_name in ["", "  ", "Město\nVzorov", &"x".repeat(201)] {
        assert_eq!(
            points_extract(&PointsExtract {
                portal_name,
                ..extract(&record, &name)
            }),
            Err(ExtractError::PortalName),
            "{portal_name:?}"
        );
    }
}

#[test]
fn times_and_dates_are_shown_in_the_extracts_language() {
    let winter: Timestamp = "2026-11-22T13:30:05Z".parse().unwrap();
    let summer: Timestamp = "2026-07-01T08:00:00Z".parse().unwrap();
    let zone = office_zone();
    assert_eq!(
        CZECH.time(&winter.to_zoned(zone.clone())),
        "22. 11. 2026 14:30:05 SEČ"
    );
    assert_eq!(
        ENGLISH.time(&summer.to_zoned(zone.clone())),
        "1 July 2026, 10:00:00 CEST"
    );
    assert_eq!(CZECH.date(date(2026, 3, 1)), "1. 3. 2026");
    assert_eq!(ENGLISH.date(date(2026, 3, 1)), "1 March 2026");
    assert_eq!(
        zone_name(Language::English, Offset::constant(3)),
        format!("UTC{}", Offset::constant(3))
    );
}

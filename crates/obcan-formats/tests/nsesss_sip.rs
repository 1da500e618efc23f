//! The NSESSS SIP as an archive reads it: `mets.xml` of a realistic package
//! is validated offline against the shared schemas beside the project (see
//! `obcan_formats::testing`).
//!
//! With `KEEP_SIP_DIR` set to a folder, the package's `mets.xml` is also
//! written there, for a person to look at.

#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

use std::path::Path;

use jiff::civil::date;
use obcan_core::registers::Ico;
use obcan_formats::nsesss_sip::{
    Checksum, Component, ComponentRole, Document, Event, EventKind, FileRecord, FilingPlan,
    Identifier, KeepingForm, Official, Origin, Originator, Package, Party, PlanClass, Purpose,
    RetentionRegime, RetentionSign, Sending, Sip, build,
};
use obcan_formats::testing::{self, LOG_NS, NSESSS_NS, combined_schema, extract, xmllint};

const SOURCE: &str = "Obcan.Vzorov";

fn id(value: &str) -> Identifier {
    Identifier::new(value, SOURCE).unwrap()
}

fn referentka() -> Official {
    Official {
        id: Identifier::new("1207", "osobní číslo").unwrap(),
        name: "Jana Nováková".to_owned(),
        unit: "Odbor sociálních věcí & zdravotnictví".to_owned(),
        position: "referentka sociálních dávek".to_owned(),
    }
}

fn event(at: &str, kind: EventKind, note: Option<&str>) -> Event {
    Event {
        at: at.parse().unwrap(),
        by: "Nováková Jana, referentka (1207)".to_owned(),
        kind,
        note: note.map(str::to_owned),
    }
}

fn component(
    id_value: &str,
    file_name: &str,
    role: ComponentRole,
    media_type: &str,
    bytes: &[u8],
) -> Component {
    Component {
        id: id(id_value),
        file_name: file_name.to_owned(),
        role,
        form: KeepingForm::OriginalInOutputFormat,
        media_type: media_type.to_owned(),
        size: u64::try_from(bytes.len()).unwrap(),
        created_at: "2026-02-03T09:12:44Z".parse().unwrap(),
        checksum: Checksum::sha256_of(bytes),
    }
}

/// A citizen's application with an attachment, and the office's reply.
fn package(purpose: Purpose) -> Package {
    Package {
        purpose,
        export_id: id("export-2026-000017"),
        created_at: "2026-09-30T08:00:00Z".parse().unwrap(),
        originator: Originator {
            name: "Město Vzorov".to_owned(),
            ico: Ico::parse("00007064").unwrap(),
            address: "Masarykovo náměstí 1, 543 21 Vzorov".to_owned(),
            records_system: "Obcan – evidence podání".to_owned(),
        },
        creator: Official {
            id: Identifier::new("0815", "osobní číslo").unwrap(),
            name: "Karel Dvořák".to_owned(),
            unit: "Spisovna".to_owned(),
            position: "správce spisovny".to_owned(),
        },
        filing_plan: FilingPlan {
            id: id("sp-2024"),
            name: "Spisový a skartační plán Města Vzorov".to_owned(),
            valid_from: date(2024, 1, 1),
            mark_separator: '.',
            classes: vec![
                PlanClass {
                    id: id("vs-5"),
                    mark: "5".to_owned(),
                    title: "Sociální věci".to_owned(),
                    opened_on: date(2024, 1, 1),
                },
                PlanClass {
                    id: id("vs-5.3"),
                    mark: "3".to_owned(),
                    title: "Příspěvky <jednorázové> & mimořádné".to_owned(),
                    opened_on: date(2024, 1, 1),
                },
            ],
        },
        file: FileRecord {
            id: id("spis-2026-42"),
            reference: "SZ MVZ 42/2026 <SOC>".to_owned(),
            title: "Žádost o příspěvek na péči & bydlení <mimořádná>".to_owned(),
            opened_on: date(2026, 2, 3),
            closed_on: date(2026, 3, 16),
            handled_by: referentka(),
            retention: RetentionRegime {
                id: id("sr-5.3"),
                name: "Mimořádné příspěvky".to_owned(),
                reason: "Spisový a skartační plán, věcná skupina 5.3".to_owned(),
                sign: RetentionSign::V,
                years: 5,
                trigger_event: "uzavření spisu".to_owned(),
            },
            trigger_year: 2026,
            access_restriction: Some("obsahuje osobní údaje žadatele".to_owned()),
            documents: vec![
                Document {
                    id: id("dok-2026-100"),
                    reference: "MVZ 100/2026".to_owned(),
                    title: "Žádost o příspěvek – Svoboda & syn".to_owned(),
                    origin: Origin::Received {
                        received_at: "2026-02-03T09:12:44Z".parse().unwrap(),
                        created_on: Some(date(2026, 2, 2)),
                        sender: Party::Person {
                            name: "Petr Svoboda".to_owned(),
                            address: "Lipová 3, 543 21 Vzorov".to_owned(),
                            contact: "petr.svoboda@example.cz".to_owned(),
                        },
                        sender_reference: None,
                    },
                    components: vec![
                        component(
                            "komp-2026-100-1",
                            "Žádost o příspěvek.pdf",
                            ComponentRole::MainDocument,
                            "application/pdf",
                            b"%PDF-1.7 zadost",
                        ),
                        component(
                            "komp-2026-100-2",
                            "Potvrzení <příjmu> & nájmu.pdf",
                            ComponentRole::Attachment,
                            "application/pdf",
                            b"%PDF-1.7 potvrzeni",
                        ),
                    ],
                    events: vec![
                        event("2026-02-03T09:12:44Z", EventKind::Received, None),
                        event(
                            "2026-02-03T09:13:02Z",
                            EventKind::InsertedIntoFile,
                            Some("vloženo do spisu SZ MVZ 42/2026 <SOC>"),
                        ),
                    ],
                },
                Document {
                    id: id("dok-2026-131"),
                    reference: "MVZ 131/2026".to_owned(),
                    title: "Rozhodnutí o přiznání příspěvku".to_owned(),
                    origin: Origin::Own {
                        created_on: date(2026, 3, 10),
                        author: referentka(),
                        sent: Some(Sending {
                            sent_on: date(2026, 3, 11),
                            recipient: Party::Person {
                                name: "Petr Svoboda".to_owned(),
                                address: "Lipová 3, 543 21 Vzorov".to_owned(),
                                contact: "datová schránka abc123x".to_owned(),
                            },
                        }),
                    },
                    components: vec![component(
                        "komp-2026-131-1",
                        "Rozhodnutí.pdf",
                        ComponentRole::MainDocument,
                        "application/pdf",
                        b"%PDF-1.7 rozhodnuti",
                    )],
                    events: vec![
                        event("2026-03-10T13:40:00Z", EventKind::Created, None),
                        event(
                            "2026-03-11T07:05:00Z",
                            EventKind::Sent,
                            Some("do datové schránky"),
                        ),
                    ],
                },
            ],
            events: vec![
                event("2026-02-03T09:13:00Z", EventKind::Created, None),
                event("2026-03-16T10:00:00Z", EventKind::Settled, None),
                event("2026-03-16T10:00:05Z", EventKind::Closed, None),
                event(
                    "2026-09-30T07:59:00Z",
                    EventKind::Exported,
                    Some("do skartačního řízení"),
                ),
            ],
        },
    }
}

fn validate(xml: &str) -> Result<(), String> {
    testing::validate_mets(xml)
}

fn keep(sip: &Sip, name: &str) {
    if let Ok(keep) = std::env::var("KEEP_SIP_DIR") {
        std::fs::write(Path::new(&keep).join(name), &sip.mets_xml).unwrap();
    }
}

#[test]
fn a_package_for_the_disposal_procedure_validates_against_the_schemas() {
    let sip = build(&package(Purpose::DisposalProcedure)).unwrap();
    keep(&sip, "mets-skartacni-rizeni.xml");
    if let Err(report) = validate(&sip.mets_xml) {
        panic!("{report}\n{}", sip.mets_xml);
    }

    assert_eq!(sip.objid, "Obcan.Vzorov_spis-2026-42");
    let paths: Vec<&str> = sip.components.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "komponenty/1_Zadost_o_prispevek.pdf",
            "komponenty/2_Potvrzeni__prijmu____najmu.pdf",
            "komponenty/3_Rozhodnuti.pdf",
        ]
    );
    let xml = &sip.mets_xml;
    for path in &paths {
        assert_eq!(
            xml.matches(&format!("xlink:href=\"{path}\"")).count(),
            1,
            "{path}"
        );
    }
    for expected in [
        r#"LABEL="Datový balíček pro provedení skartačního řízení""#,
        "<nsesss:Nazev>Žádost o příspěvek na péči &amp; bydlení &lt;mimořádná&gt;</nsesss:Nazev>",
        "<nsesss:EvidencniCislo>SZ MVZ 42/2026 &lt;SOC&gt;</nsesss:EvidencniCislo>",
        "<nsesss:Nazev>Potvrzení &lt;příjmu&gt; &amp; nájmu.pdf</nsesss:Nazev>",
        "<mets:note>00007064</mets:note>",
        "<mets:note>správce spisovny</mets:note>",
        r#"CHECKSUMTYPE="SHA-256""#,
        "<nsesss:RokSkartacniOperace>2032</nsesss:RokSkartacniOperace>",
        "<tp:PopisUdalosti>vloženo do spisu SZ MVZ 42/2026 &lt;SOC&gt;</tp:PopisUdalosti>",
    ] {
        assert!(xml.contains(expected), "{expected} missing from\n{xml}");
    }
    assert_eq!(xml.matches("<mets:structMap").count(), 1);
    assert_eq!(xml.matches("<mets:fileGrp").count(), 1);
    assert_eq!(xml.matches("<tp:Udalost>").count(), 8);
}

#[test]
fn a_package_for_the_archive_validates_and_says_so() {
    let sip = build(&package(Purpose::Archive)).unwrap();
    keep(&sip, "mets-archiv.xml");
    if let Err(report) = validate(&sip.mets_xml) {
        panic!("{report}\n{}", sip.mets_xml);
    }
    assert!(
        sip.mets_xml.contains(
            r#"LABEL="Datový balíček pro předávání dokumentů a jejich metadat do archivu""#
        )
    );
}

#[test]
fn a_package_with_one_class_and_a_received_document_only_validates() {
    let mut package = package(Purpose::DisposalProcedure);
    package.filing_plan.classes.truncate(1);
    package.file.documents.truncate(1);
    package.file.documents[0].origin = Origin::Received {
        received_at: "2026-02-03T09:12:44Z".parse().unwrap(),
        created_on: None,
        sender: Party::Organisation {
            id: Identifier::new("25596641", "IČO").unwrap(),
            name: "Stavby & Domy s.r.o.".to_owned(),
            address: "Dlouhá 5, 110 00 Praha 1".to_owned(),
        },
        sender_reference: Some("SD-2026/7".to_owned()),
    };
    package.file.access_restriction = None;
    let sip = build(&package).unwrap();
    if let Err(report) = validate(&sip.mets_xml) {
        panic!("{report}\n{}", sip.mets_xml);
    }
}

/// Guards the guard: a broken detail of the nested metadata fails both the
/// schema of its own and the validation of the whole `mets.xml`.
#[test]
fn the_validation_catches_broken_nested_metadata() {
    let xml = build(&package(Purpose::DisposalProcedure))
        .unwrap()
        .mets_xml;
    let schemas = testing::nsesss_schemas().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let combined = combined_schema(dir.path()).unwrap();

    let broken = xml.replace(
        "<nsesss:SkartacniZnak>V</nsesss:SkartacniZnak>",
        "<nsesss:SkartacniZnak>X</nsesss:SkartacniZnak>",
    );
    assert_ne!(broken, xml);
    let mets = dir.path().join("mets.xml");
    std::fs::write(&mets, &broken).unwrap();
    let report = xmllint(&combined, &mets).unwrap_err();
    assert!(report.contains("SkartacniZnak"), "{report}");
    let spis = dir.path().join("spis.xml");
    std::fs::write(&spis, extract(&broken, "nsesss:Spis", NSESSS_NS).unwrap()).unwrap();
    assert!(xmllint(&schemas.join("nsesss.xsd"), &spis).is_err());

    let broken = xml.replace("<tp:TypUdalostiId>Export<", "<tp:TypUdalostiId>Vyvezeno<");
    assert_ne!(broken, xml);
    std::fs::write(&mets, &broken).unwrap();
    let report = xmllint(&combined, &mets).unwrap_err();
    assert!(report.contains("TypUdalostiId"), "{report}");
    let log = dir.path().join("log.xml");
    std::fs::write(
        &log,
        extract(&broken, "tp:TransakcniLogSystemu", LOG_NS).unwrap(),
    )
    .unwrap();
    assert!(xmllint(&schemas.join("nsesss-TrP.xsd"), &log).is_err());
}

use jiff::civil::date;

use super::*;

fn id(value: &str) -> Identifier {
    Identifier::new(value, "Obcan.Vzorov").unwrap()
}

fn official(name: &str) -> Official {
    Official {
        id: id(&format!("zam-{name}")),
        name: name.to_owned(),
        unit: "Odbor sociálních věcí".to_owned(),
        position: "referentka".to_owned(),
    }
}

fn component(n: u32, file_name: &str) -> Component {
    Component {
        id: id(&format!("komp-{n}")),
        file_name: file_name.to_owned(),
        role: ComponentRole::MainDocument,
        form: KeepingForm::OriginalInOutputFormat,
        media_type: "application/pdf".to_owned(),
        size: 1024,
        created_at: "2026-02-01T08:00:00Z".parse().unwrap(),
        checksum: Checksum::sha256_of(file_name.as_bytes()),
    }
}

fn event(at: &str, kind: EventKind) -> Event {
    Event {
        at: at.parse().unwrap(),
        by: "Nováková Jana, referentka".to_owned(),
        kind,
        note: None,
    }
}

fn package() -> Package {
    Package {
        purpose: Purpose::DisposalProcedure,
        export_id: id("export-1"),
        created_at: "2026-06-30T10:00:00Z".parse().unwrap(),
        originator: Originator {
            name: "Město Vzorov".to_owned(),
            ico: Ico::parse("00012343").unwrap(),
            address: "Náměstí 1, 123 45 Vzorov".to_owned(),
            records_system: "Obcan – evidence podání".to_owned(),
        },
        creator: official("Jana Nováková"),
        filing_plan: FilingPlan {
            id: id("sp-2024"),
            name: "Spisový plán města Vzorov".to_owned(),
            valid_from: date(2024, 1, 1),
            mark_separator: '.',
            classes: vec![
                PlanClass {
                    id: id("vs-1"),
                    mark: "1".to_owned(),
                    title: "Sociální věci".to_owned(),
                    opened_on: date(2024, 1, 1),
                },
                PlanClass {
                    id: id("vs-1-2"),
                    mark: "2".to_owned(),
                    title: "Příspěvky & dávky".to_owned(),
                    opened_on: date(2024, 1, 1),
                },
            ],
        },
        file: FileRecord {
            id: id("spis-42"),
            reference: "SZ 42/2026".to_owned(),
            title: "Žádost o příspěvek <rychle> & včas".to_owned(),
            opened_on: date(2026, 2, 1),
            closed_on: date(2026, 3, 15),
            handled_by: official("Jana Nováková"),
            retention: RetentionRegime {
                id: id("sr-1.2"),
                name: "Příspěvky".to_owned(),
                reason: "Podle spisového plánu".to_owned(),
                sign: RetentionSign::S,
                years: 5,
                trigger_event: "uzavření spisu".to_owned(),
            },
            trigger_year: 2026,
            access_restriction: None,
            documents: vec![Document {
                id: id("dok-1"),
                reference: "MVZ 100/2026".to_owned(),
                title: "Žádost".to_owned(),
                origin: Origin::Received {
                    received_at: "2026-02-01T07:30:00Z".parse().unwrap(),
                    created_on: None,
                    sender: Party::Person {
                        name: "Petr Svoboda".to_owned(),
                        address: "Lipová 3, 123 45 Vzorov".to_owned(),
                        contact: "petr@example.cz".to_owned(),
                    },
                    sender_reference: None,
                },
                components: vec![component(1, "Žádost o příspěvek.pdf")],
                events: vec![
                    event("2026-02-01T07:30:00Z", EventKind::Received),
                    event("2026-02-01T07:31:00Z", EventKind::InsertedIntoFile),
                ],
            }],
            events: vec![
                event("2026-03-15T12:00:00Z", EventKind::Closed),
                event("2026-02-01T07:29:00Z", EventKind::Created),
            ],
        },
    }
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn writes_the_package() {
    let sip = build(&package()).unwrap();
    assert_eq!(sip.objid, "Obcan.Vzorov_spis-42");
    assert_eq!(
        sip.components,
        [PackagedComponent {
            document: 0,
            component: 0,
            path: "komponenty/1_Zadost_o_prispevek.pdf".to_owned(),
        }]
    );
    let xml = &sip.mets_xml;
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<mets:mets "));
    assert!(xml.contains(r#"OBJID="Obcan.Vzorov_spis-42""#));
    assert!(xml.contains(r#"LABEL="Datový balíček pro provedení skartačního řízení""#));
    assert!(
        xml.contains("<nsesss:Nazev>Žádost o příspěvek &lt;rychle&gt; &amp; včas</nsesss:Nazev>")
    );
    assert!(xml.contains(r#"LABEL="Žádost o příspěvek &lt;rychle&gt; &amp; včas""#));
    assert!(xml.contains(r#"xlink:href="komponenty/1_Zadost_o_prispevek.pdf""#));
    for (element, times) in [
        ("<mets:metsHdr ", 1),
        (r#"<mets:agent ROLE="CREATOR" TYPE="ORGANIZATION">"#, 1),
        (r#"<mets:agent ROLE="CREATOR" TYPE="INDIVIDUAL">"#, 1),
        ("<mets:dmdSec ", 1),
        (r#"OTHERMDTYPE="NSESSS""#, 1),
        ("<mets:digiprovMD ", 1),
        (r#"OTHERMDTYPE="TP""#, 1),
        ("<mets:fileGrp ", 1),
        ("<mets:file ", 1),
        ("<mets:structMap>", 1),
        ("<nsesss:Spis ", 1),
        ("<nsesss:Dokument ", 1),
        ("<nsesss:Komponenta ", 1),
        ("<nsesss:VecnaSkupina ", 2),
        ("<nsesss:SpisovyPlan ", 1),
        ("<tp:Udalost>", 4),
    ] {
        assert_eq!(count(xml, element), times, "{element} in\n{xml}");
    }
}

#[test]
fn the_full_mark_joins_the_classes_and_the_disposal_year_follows_the_period() {
    let xml = build(&package()).unwrap().mets_xml;
    assert!(xml.contains("<nsesss:PlneUrcenySpisovyZnak>1.2</nsesss:PlneUrcenySpisovyZnak>"));
    assert!(xml.contains("<nsesss:RokSpousteciUdalosti>2026</nsesss:RokSpousteciUdalosti>"));
    // Five years from the 1st January 2027: the operation is due in 2032.
    assert!(xml.contains("<nsesss:RokSkartacniOperace>2032</nsesss:RokSkartacniOperace>"));
}

#[test]
fn the_log_runs_in_time_order_and_names_each_object() {
    let xml = build(&package()).unwrap().mets_xml;
    let kinds: Vec<&str> = xml
        .split("<tp:TypUdalostiId>")
        .skip(1)
        .filter_map(|rest| rest.split('<').next())
        .collect();
    assert_eq!(
        kinds,
        ["Zalozeni", "Doruceno", "VlozeniDoSpisu", "Uzavreni"]
    );
    let order: Vec<&str> = xml
        .split("<tp:Poradi>")
        .skip(1)
        .filter_map(|rest| rest.split('<').next())
        .collect();
    assert_eq!(order, ["1", "2", "3", "4"]);
    assert!(xml.contains("<tp:DatumCasOd>2026-02-01T07:29:00Z</tp:DatumCasOd>"));
    assert!(xml.contains("<tp:HodnotaID>dok-1</tp:HodnotaID>"));
}

#[test]
fn a_received_document_keeps_its_time_in_czech_time() {
    let xml = build(&package()).unwrap().mets_xml;
    assert!(
        xml.contains(
            r#"<nsesss:DatumDoruceni datum="2026-02-01T08:30:00+01:00">2026-02-01</nsesss:DatumDoruceni>"#
        ),
        "{xml}"
    );
}

#[test]
fn components_are_numbered_through_the_package() {
    let mut package = package();
    let mut second = package.file.documents[0].clone();
    second.id = id("dok-2");
    second.components = vec![
        component(2, "příloha č. 1.pdf"),
        component(3, "Žádost o příspěvek.pdf"),
    ];
    package.file.documents.push(second);
    let sip = build(&package).unwrap();
    let paths: Vec<(usize, usize, &str)> = sip
        .components
        .iter()
        .map(|c| (c.document, c.component, c.path.as_str()))
        .collect();
    assert_eq!(
        paths,
        [
            (0, 0, "komponenty/1_Zadost_o_prispevek.pdf"),
            (1, 0, "komponenty/2_priloha_c._1.pdf"),
            (1, 1, "komponenty/3_Zadost_o_prispevek.pdf"),
        ]
    );
    assert!(
        sip.mets_xml
            .contains(r#"<nsesss:Komponenta ID="komponenta-3" poradi="2""#)
    );
}

#[test]
fn an_empty_file_is_refused() {
    let mut package = package();
    package.file.documents.clear();
    assert_eq!(build(&package), Err(SipError::EmptyFile));
}

#[test]
fn unsafe_file_names_are_refused() {
    for name in [
        "../mets.xml",
        "a/b.pdf",
        "a\\b.pdf",
        "..",
        "",
        " x.pdf",
        "a\nb.pdf",
        "a\0.pdf",
    ] {
        let mut package = package();
        package.file.documents[0].components[0].file_name = name.to_owned();
        match build(&package) {
            Err(SipError::UnsafeFileName { field, .. }) => {
                assert_eq!(field, "file.documents[0].components[0].file_name");
            }
            other => panic!("{name:?}: {other:?}"),
        }
    }
}

#[test]
fn checksums_must_have_the_length_of_their_algorithm() {
    assert_eq!(
        Checksum::sha256_hex("abc"),
        Err(SipError::ChecksumLength {
            algorithm: "SHA-256",
            expected: 64,
            found: 3
        })
    );
    let sha256 = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
    assert!(matches!(
        Checksum::sha512_hex(sha256),
        Err(SipError::ChecksumLength {
            expected: 128,
            found: 64,
            ..
        })
    ));
    assert_eq!(
        Checksum::sha256_hex(&"g".repeat(64)),
        Err(SipError::ChecksumDigit)
    );
    let checksum = Checksum::sha256_hex(sha256).unwrap();
    assert_eq!(checksum, Checksum::sha256_of(b"abc"));
    assert_eq!(checksum.hex(), sha256.to_ascii_lowercase());
    assert_eq!(Checksum::sha512_of(b"abc").hex().len(), 128);
    assert!(
        SipError::ChecksumLength {
            algorithm: "SHA-256",
            expected: 64,
            found: 3
        }
        .to_string()
        .contains("64 hexadecimal digits, not 3")
    );
}

/// Spoils one detail of a package.
type Spoil = fn(&mut Package);

#[test]
fn other_bad_input_is_refused_with_the_field_named() {
    let cases: Vec<(&str, Spoil)> = vec![
        ("file.closed_on", |p| p.file.closed_on = date(2026, 1, 1)),
        ("file.title", |p| p.file.title = "  ".to_owned()),
        ("file.title", |p| p.file.title = "a\u{7}b".to_owned()),
        ("file.reference", |p| p.file.reference = "x".repeat(51)),
        ("file.trigger_year", |p| p.file.trigger_year = 2020),
        ("file.retention.years", |p| p.file.retention.years = 1000),
        ("creator.unit", |p| p.creator.unit = "ú".repeat(101)),
        ("filing_plan.classes", |p| p.filing_plan.classes.clear()),
        ("file.documents[0].components[0].media_type", |p| {
            p.file.documents[0].components[0].media_type = "pdf".to_owned()
        }),
        ("file.documents[0].events[0].at", |p| {
            p.file.documents[0].events[0].at = "2027-01-01T00:00:00Z".parse().unwrap()
        }),
        ("file.documents[0].events[1].by", |p| {
            p.file.documents[0].events[1].by = "x".repeat(101)
        }),
    ];
    for (expected, spoil) in cases {
        let mut package = package();
        spoil(&mut package);
        match build(&package) {
            Err(SipError::Invalid { field, .. }) => assert_eq!(field, expected),
            other => panic!("{expected}: {other:?}"),
        }
    }
}

#[test]
fn a_document_without_components_or_a_repeated_identifier_is_refused() {
    let mut package = package();
    package.file.documents[0].components.clear();
    assert_eq!(
        build(&package),
        Err(SipError::NoComponents {
            document: "file.documents[0]".to_owned()
        })
    );

    let mut package = self::package();
    let copy = package.file.documents[0].clone();
    package.file.documents.push(copy);
    assert!(matches!(
        build(&package),
        Err(SipError::DuplicateIdentifier { field, .. }) if field == "file.documents[1].id"
    ));
}

#[test]
fn identifiers_keep_to_the_schemas_limits() {
    assert!(Identifier::new(&"x".repeat(50), "zdroj").is_ok());
    assert!(matches!(
        Identifier::new(&"x".repeat(51), "zdroj"),
        Err(SipError::Invalid { .. })
    ));
    assert!(Identifier::new("x", "").is_err());
    assert_eq!(Identifier::new(" x ", "z").unwrap().value(), "x");
}

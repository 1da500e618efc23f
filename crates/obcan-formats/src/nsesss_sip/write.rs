//! Writes `mets.xml` of a checked package: the METS sections, the NSESSS
//! descriptive metadata and the transaction log.

use jiff::Timestamp;
use jiff::civil::Date;
use obcan_core::time::office_zone;

use super::xml::XmlWriter;
use super::{
    Component, Document, Event, Identifier, Official, Origin, Package, PackagedComponent, Party,
    full_mark,
};

/// The source of the originator's identifier in NSESSS subjects.
const ICO_SOURCE: &str = "IČO";

const METS_NS: &str = "http://www.loc.gov/METS/";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";
const NSESSS_NS: &str = "http://www.mvcr.cz/nsesss/v4";
const LOG_NS: &str = "http://www.mvcr.cz/nsesss/2023/log";

// IDs of the METS sections and of the NSESSS entities share the document's
// one ID space; the prefixes keep them apart.
const DMD_ID: &str = "dmd-spis";
const DIGIPROV_ID: &str = "tp-spis";
const SPIS_ID: &str = "spis";

fn document_xml_id(d: usize) -> String {
    format!("dokument-{}", d + 1)
}

fn component_xml_id(n: usize) -> String {
    format!("komponenta-{}", n + 1)
}

fn file_xml_id(n: usize) -> String {
    format!("soubor-{}", n + 1)
}

/// A moment as `xs:dateTime` in UTC, to the second.
fn date_time(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn year(year: i16) -> String {
    format!("{year:04}")
}

pub(super) fn mets(package: &Package, objid: &str, components: &[PackagedComponent]) -> String {
    let mut xml = XmlWriter::new();
    xml.element(
        "mets:mets",
        &[
            ("xmlns:mets", METS_NS),
            ("xmlns:xlink", XLINK_NS),
            ("xmlns:nsesss", NSESSS_NS),
            ("xmlns:tp", LOG_NS),
            ("OBJID", objid),
            ("LABEL", package.purpose.label()),
        ],
        |xml| {
            mets_header(xml, package);
            xml.element("mets:dmdSec", &[("ID", DMD_ID)], |xml| {
                wrapped(xml, "NSESSS", |xml| Nsesss { package }.spis(xml));
            });
            xml.element("mets:amdSec", &[("ID", "amd-spis")], |xml| {
                xml.element("mets:digiprovMD", &[("ID", DIGIPROV_ID)], |xml| {
                    wrapped(xml, "TP", |xml| transaction_log(xml, package));
                });
            });
            file_section(xml, package, components);
            struct_map(xml, package, components);
        },
    );
    xml.finish()
}

fn mets_header(xml: &mut XmlWriter, package: &Package) {
    let created = date_time(package.created_at);
    xml.element("mets:metsHdr", &[("CREATEDATE", &created)], |xml| {
        let originator = &package.originator;
        xml.element(
            "mets:agent",
            &[("ROLE", "CREATOR"), ("TYPE", "ORGANIZATION")],
            |xml| {
                xml.text("mets:name", &[], &originator.name);
                xml.text("mets:note", &[], originator.ico.as_str());
            },
        );
        xml.element(
            "mets:agent",
            &[("ROLE", "CREATOR"), ("TYPE", "INDIVIDUAL")],
            |xml| {
                xml.text("mets:name", &[], &package.creator.name);
                xml.text("mets:note", &[], &package.creator.position);
            },
        );
    });
}

/// XML metadata wrapped in a METS `mdWrap`.
fn wrapped(xml: &mut XmlWriter, kind: &str, content: impl FnOnce(&mut XmlWriter)) {
    xml.element(
        "mets:mdWrap",
        &[
            ("MDTYPE", "OTHER"),
            ("OTHERMDTYPE", kind),
            ("MIMETYPE", "text/xml"),
        ],
        |xml| xml.element("mets:xmlData", &[], content),
    );
}

fn file_section(xml: &mut XmlWriter, package: &Package, components: &[PackagedComponent]) {
    xml.element("mets:fileSec", &[], |xml| {
        xml.element("mets:fileGrp", &[("ID", "komponenty")], |xml| {
            for (n, packaged) in components.iter().enumerate() {
                let Some(component) = component_of(package, packaged) else {
                    continue;
                };
                xml.element(
                    "mets:file",
                    &[
                        ("ID", &file_xml_id(n)),
                        ("MIMETYPE", &component.media_type),
                        ("SIZE", &component.size.to_string()),
                        ("CREATED", &date_time(component.created_at)),
                        ("CHECKSUM", component.checksum.hex()),
                        ("CHECKSUMTYPE", component.checksum.algorithm()),
                    ],
                    |xml| {
                        xml.empty(
                            "mets:FLocat",
                            &[
                                ("LOCTYPE", "URL"),
                                ("xlink:type", "simple"),
                                ("xlink:href", &packaged.path),
                            ],
                        );
                    },
                );
            }
        });
    });
}

fn component_of<'a>(package: &'a Package, packaged: &PackagedComponent) -> Option<&'a Component> {
    package
        .file
        .documents
        .get(packaged.document)?
        .components
        .get(packaged.component)
}

fn struct_map(xml: &mut XmlWriter, package: &Package, components: &[PackagedComponent]) {
    let file = &package.file;
    xml.element("mets:structMap", &[], |xml| {
        xml.element(
            "mets:div",
            &[
                ("TYPE", "spis"),
                ("LABEL", &file.title),
                ("DMDID", DMD_ID),
                ("ADMID", DIGIPROV_ID),
            ],
            |xml| {
                for (d, document) in file.documents.iter().enumerate() {
                    xml.element(
                        "mets:div",
                        &[("TYPE", "dokument"), ("LABEL", &document.title)],
                        |xml| {
                            let numbered = components.iter().enumerate();
                            for (n, packaged) in numbered.filter(|(_, p)| p.document == d) {
                                let Some(component) = component_of(package, packaged) else {
                                    continue;
                                };
                                xml.element(
                                    "mets:div",
                                    &[("TYPE", "komponenta"), ("LABEL", &component.file_name)],
                                    |xml| xml.empty("mets:fptr", &[("FILEID", &file_xml_id(n))]),
                                );
                            }
                        },
                    );
                }
            },
        );
    });
}

/// Writes the `nsesss:` descriptive metadata.
struct Nsesss<'a> {
    package: &'a Package,
}

impl Nsesss<'_> {
    fn spis(&self, xml: &mut XmlWriter) {
        let package = self.package;
        let file = &package.file;
        xml.element("nsesss:Spis", &[("ID", SPIS_ID)], |xml| {
            xml.element("nsesss:EvidencniUdaje", &[], |xml| {
                identifikace(xml, &file.id);
                popis(xml, &file.title);
                if let Some(restriction) = &file.access_restriction {
                    xml.element("nsesss:Pristupnost", &[], |xml| {
                        xml.text("nsesss:JineOmezeni", &[], restriction);
                    });
                }
                self.evidence(xml, &file.reference, file.opened_on.year());
                xml.element("nsesss:Puvod", &[], |xml| {
                    datum(xml, "nsesss:DatumVytvoreni", file.opened_on);
                });
                xml.element("nsesss:Trideni", &[], |xml| {
                    self.marks(xml);
                    xml.element("nsesss:MaterskaEntita", &[], |xml| {
                        self.plan_class(xml, package.filing_plan.classes.len().saturating_sub(1));
                    });
                });
                xml.element("nsesss:VyrizeniUzavreni", &[], |xml| {
                    datum(xml, "nsesss:Datum", file.closed_on);
                    xml.element("nsesss:Zpracovatel", &[], |xml| {
                        self.internal(xml, &file.handled_by);
                    });
                });
                xml.element("nsesss:Vyrazovani", &[], |xml| {
                    self.retention(xml);
                    xml.element("nsesss:DataceVyrazeni", &[], |xml| {
                        let disposal_year = file.trigger_year
                            + i16::try_from(file.retention.years).unwrap_or(0)
                            + 1;
                        xml.text("nsesss:RokSpousteciUdalosti", &[], &year(file.trigger_year));
                        xml.text("nsesss:RokSkartacniOperace", &[], &year(disposal_year));
                    });
                });
                xml.element("nsesss:Manipulace", &[], |xml| {
                    xml.text("nsesss:AnalogovyDokument", &[], "ne");
                    datum(xml, "nsesss:DatumOtevreni", file.opened_on);
                    datum(xml, "nsesss:DatumUzavreni", file.closed_on);
                });
            });
            xml.element("nsesss:Dokumenty", &[], |xml| {
                let mut first_component = 0;
                for (d, document) in file.documents.iter().enumerate() {
                    self.document(xml, d, document, first_component);
                    first_component += document.components.len();
                }
            });
        });
    }

    /// A class of the filing plan, its parents inside it, up to the plan.
    fn plan_class(&self, xml: &mut XmlWriter, index: usize) {
        let plan = &self.package.filing_plan;
        let Some(class) = plan.classes.get(index) else {
            return;
        };
        let id = format!("vecna-skupina-{}", index + 1);
        xml.element("nsesss:VecnaSkupina", &[("ID", &id)], |xml| {
            xml.element("nsesss:EvidencniUdaje", &[], |xml| {
                identifikace(xml, &class.id);
                popis(xml, &class.title);
                xml.element("nsesss:Puvod", &[], |xml| {
                    datum(xml, "nsesss:DatumVytvoreni", class.opened_on);
                });
                xml.element("nsesss:Trideni", &[], |xml| {
                    xml.text("nsesss:JednoduchySpisovyZnak", &[], &class.mark);
                    xml.text("nsesss:PlneUrcenySpisovyZnak", &[], &full_mark(plan, index));
                    if index == 0 {
                        self.filing_plan(xml);
                    } else {
                        xml.element("nsesss:MaterskaEntita", &[], |xml| {
                            self.plan_class(xml, index - 1);
                        });
                    }
                });
                // The regime belongs to the class that holds the file; the
                // classes above it need none.
                if index + 1 == plan.classes.len() {
                    xml.element("nsesss:Vyrazovani", &[], |xml| self.retention(xml));
                } else {
                    xml.empty("nsesss:Vyrazovani", &[]);
                }
                xml.element("nsesss:Manipulace", &[], |xml| {
                    xml.text("nsesss:AnalogovyDokument", &[], "ne");
                    datum(xml, "nsesss:DatumOtevreni", class.opened_on);
                });
            });
        });
    }

    fn filing_plan(&self, xml: &mut XmlWriter) {
        let plan = &self.package.filing_plan;
        let originator = &self.package.originator;
        xml.element("nsesss:SpisovyPlan", &[("ID", "spisovy-plan")], |xml| {
            identifikator(xml, "nsesss:Identifikator", &plan.id);
            xml.text("nsesss:Nazev", &[], &plan.name);
            xml.element("nsesss:Manipulace", &[], |xml| {
                datum(xml, "nsesss:DatumOtevreni", plan.valid_from);
            });
            xml.element("nsesss:Vydavatel", &[], |xml| {
                xml.element("nsesss:Subjekt", &[], |xml| {
                    self.originator_id(xml);
                    xml.text("nsesss:NazevOrganizace", &[], &originator.name);
                    xml.text("nsesss:SidloOrganizace", &[], &originator.address);
                });
            });
        });
    }

    fn document(&self, xml: &mut XmlWriter, d: usize, document: &Document, first_component: usize) {
        xml.element("nsesss:Dokument", &[("ID", &document_xml_id(d))], |xml| {
            xml.element("nsesss:EvidencniUdaje", &[], |xml| {
                identifikace(xml, &document.id);
                popis(xml, &document.title);
                let registered_in = match &document.origin {
                    Origin::Received { received_at, .. } => {
                        received_at.to_zoned(office_zone()).year()
                    }
                    Origin::Own { created_on, .. } => created_on.year(),
                };
                self.evidence(xml, &document.reference, registered_in);
                xml.element("nsesss:Puvod", &[], |xml| {
                    self.origin(xml, &document.origin)
                });
                xml.element("nsesss:Trideni", &[], |xml| self.marks(xml));
                if let Origin::Own {
                    author,
                    sent: Some(sending),
                    ..
                } = &document.origin
                {
                    xml.element("nsesss:Vyrizeni", &[], |xml| {
                        datum(xml, "nsesss:Datum", sending.sent_on);
                        xml.element("nsesss:Zpracovatel", &[], |xml| self.internal(xml, author));
                        datum(xml, "nsesss:DatumOdeslani", sending.sent_on);
                        xml.element("nsesss:Prijemce", &[], |xml| {
                            external(xml, &sending.recipient);
                        });
                    });
                }
                xml.element("nsesss:Vyrazovani", &[], |xml| self.retention(xml));
                xml.element("nsesss:Manipulace", &[], |xml| {
                    xml.text("nsesss:AnalogovyDokument", &[], "ne");
                });
            });
            xml.element("nsesss:Komponenty", &[], |xml| {
                for (c, component) in document.components.iter().enumerate() {
                    self.component(xml, first_component + c, c, component);
                }
            });
        });
    }

    /// A component; `n` counts through the package, `c` within the document.
    fn component(&self, xml: &mut XmlWriter, n: usize, c: usize, component: &Component) {
        let order = (c + 1).to_string();
        xml.element(
            "nsesss:Komponenta",
            &[
                ("ID", &component_xml_id(n)),
                ("poradi", &order),
                ("druh", component.role.as_str()),
                // One version per component: the one the file keeps.
                ("verze", "1"),
                ("forma_uchovani", component.form.as_str()),
            ],
            |xml| {
                xml.element("nsesss:EvidencniUdaje", &[], |xml| {
                    identifikace(xml, &component.id);
                    popis(xml, &component.file_name);
                    xml.element("nsesss:Trideni", &[], |xml| self.marks(xml));
                });
            },
        );
    }

    fn origin(&self, xml: &mut XmlWriter, origin: &Origin) {
        match origin {
            Origin::Received {
                received_at,
                created_on,
                sender,
                sender_reference,
            } => xml.element("nsesss:DorucenyDokument", &[], |xml| {
                if let Some(created_on) = created_on {
                    datum(xml, "nsesss:DatumVytvoreni", *created_on);
                }
                let received = received_at.to_zoned(office_zone());
                xml.text(
                    "nsesss:DatumDoruceni",
                    &[(
                        "datum",
                        &received.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
                    )],
                    &received.date().to_string(),
                );
                if let Some(reference) = sender_reference {
                    xml.text("nsesss:OdesilatelovoEvidencniCislo", &[], reference);
                }
                xml.element("nsesss:Odesilatel", &[], |xml| external(xml, sender));
            }),
            Origin::Own {
                created_on, author, ..
            } => xml.element("nsesss:VlastniDokument", &[], |xml| {
                datum(xml, "nsesss:DatumVytvoreni", *created_on);
                xml.element("nsesss:Autor", &[], |xml| self.internal(xml, author));
            }),
        }
    }

    /// The register entry: a reference in the originator's one register of
    /// documents, for the year the entity was registered.
    fn evidence(&self, xml: &mut XmlWriter, reference: &str, registered_in: i16) {
        xml.element("nsesss:Evidence", &[], |xml| {
            xml.text("nsesss:EvidencniCislo", &[], reference);
            xml.element("nsesss:UrceneCasoveObdobi", &[], |xml| {
                xml.text("nsesss:Rok", &[], &year(registered_in));
            });
            xml.text(
                "nsesss:NazevEvidenceDokumentu",
                &[],
                &self.package.originator.records_system,
            );
        });
    }

    /// The marks of the class that holds the file; its documents and their
    /// components inherit them.
    fn marks(&self, xml: &mut XmlWriter) {
        let plan = &self.package.filing_plan;
        let leaf = plan.classes.len().saturating_sub(1);
        if let Some(class) = plan.classes.get(leaf) {
            xml.text("nsesss:JednoduchySpisovyZnak", &[], &class.mark);
        }
        xml.text("nsesss:PlneUrcenySpisovyZnak", &[], &full_mark(plan, leaf));
    }

    fn retention(&self, xml: &mut XmlWriter) {
        let retention = &self.package.file.retention;
        xml.element("nsesss:SkartacniRezim", &[], |xml| {
            identifikator(xml, "nsesss:Identifikator", &retention.id);
            xml.text("nsesss:Nazev", &[], &retention.name);
            xml.text("nsesss:Oduvodneni", &[], &retention.reason);
            xml.text("nsesss:SkartacniZnak", &[], retention.sign.as_str());
            xml.text("nsesss:SkartacniLhuta", &[], &retention.years.to_string());
            xml.text("nsesss:SpousteciUdalost", &[], &retention.trigger_event);
        });
    }

    fn originator_id(&self, xml: &mut XmlWriter) {
        xml.text(
            "nsesss:IdentifikatorOrganizace",
            &[("zdroj", ICO_SOURCE)],
            self.package.originator.ico.as_str(),
        );
    }

    /// An official, as a subject inside the originator.
    fn internal(&self, xml: &mut XmlWriter, official: &Official) {
        let originator = &self.package.originator;
        xml.element("nsesss:Subjekt", &[], |xml| {
            self.originator_id(xml);
            xml.text("nsesss:NazevOrganizace", &[], &originator.name);
            identifikator(xml, "nsesss:IdentifikatorFyzickeOsoby", &official.id);
            xml.text("nsesss:NazevFyzickeOsoby", &[], &official.name);
            xml.text("nsesss:OrganizacniUtvar", &[], &official.unit);
            xml.text("nsesss:PracovniPozice", &[], &official.position);
            xml.text("nsesss:SidloOrganizace", &[], &originator.address);
        });
    }
}

fn external(xml: &mut XmlWriter, party: &Party) {
    xml.element("nsesss:Subjekt", &[], |xml| match party {
        Party::Organisation { id, name, address } => {
            identifikator(xml, "nsesss:IdentifikatorOrganizace", id);
            xml.text("nsesss:NazevOrganizace", &[], name);
            xml.text("nsesss:SidloOrganizace", &[], address);
        }
        Party::Person {
            name,
            address,
            contact,
        } => {
            xml.text("nsesss:NazevFyzickeOsoby", &[], name);
            xml.text("nsesss:PostovniAdresa", &[], address);
            xml.text("nsesss:ElektronickyKontakt", &[], contact);
        }
    });
}

fn identifikace(xml: &mut XmlWriter, id: &Identifier) {
    xml.element("nsesss:Identifikace", &[], |xml| {
        identifikator(xml, "nsesss:Identifikator", id);
    });
}

fn identifikator(xml: &mut XmlWriter, name: &str, id: &Identifier) {
    xml.text(name, &[("zdroj", &id.source)], &id.value);
}

fn popis(xml: &mut XmlWriter, title: &str) {
    xml.element("nsesss:Popis", &[], |xml| {
        xml.text("nsesss:Nazev", &[], title);
    });
}

fn datum(xml: &mut XmlWriter, name: &str, date: Date) {
    xml.text(name, &[], &date.to_string());
}

/// The transaction log: the events of the file and its documents, oldest
/// first, each naming its object.
fn transaction_log(xml: &mut XmlWriter, package: &Package) {
    let file = &package.file;
    let mut events: Vec<(&Event, &'static str, &Identifier)> = file
        .events
        .iter()
        .map(|event| (event, "Spis", &file.id))
        .chain(file.documents.iter().flat_map(|document| {
            document
                .events
                .iter()
                .map(move |event| (event, "Dokument", &document.id))
        }))
        .collect();
    events.sort_by_key(|(event, _, _)| event.at);
    let since = events
        .first()
        .map_or(package.created_at, |(event, _, _)| event.at);

    xml.element("tp:TransakcniLogSystemu", &[], |xml| {
        xml.element("tp:TransLogInfo", &[], |xml| {
            log_identifier(xml, &package.export_id);
            xml.text("tp:DatumVzniku", &[], &date_time(package.created_at));
            xml.text("tp:DatumCasOd", &[], &date_time(since));
            xml.text("tp:DatumCasDo", &[], &date_time(package.created_at));
            xml.text("tp:Software", &[], "Obcan");
            xml.element("tp:TypyObjektu", &[], |xml| {
                for kind in ["Spis", "Dokument"] {
                    object_kind(xml, kind);
                }
            });
        });
        xml.element("tp:Udalosti", &[], |xml| {
            for (n, (event, kind, id)) in events.iter().enumerate() {
                xml.element("tp:Udalost", &[], |xml| {
                    xml.text("tp:Poradi", &[], &(n + 1).to_string());
                    xml.text("tp:DatumVzniku", &[], &date_time(event.at));
                    xml.text("tp:provedlKdo", &[], &event.by);
                    xml.element("tp:TypUdalosti", &[], |xml| {
                        xml.text("tp:TypUdalostiId", &[], event.kind.as_str());
                    });
                    if let Some(note) = &event.note {
                        xml.text("tp:PopisUdalosti", &[], note);
                    }
                    xml.element("tp:Objekt", &[], |xml| {
                        object_kind(xml, kind);
                        log_identifier(xml, id);
                    });
                });
            }
        });
    });
}

fn object_kind(xml: &mut XmlWriter, kind: &str) {
    xml.element("tp:TypObjektu", &[], |xml| {
        xml.text("tp:TypObjektuId", &[], kind);
    });
}

fn log_identifier(xml: &mut XmlWriter, id: &Identifier) {
    xml.element("tp:Identifikator", &[], |xml| {
        xml.text("tp:HodnotaID", &[], &id.value);
        xml.text("tp:ZdrojID", &[], &id.source);
    });
}

use std::collections::BTreeSet;

use jiff::civil::{Date, date};
use obcan_core::registers::{
    ContactDetails, DataUsage, DocumentKind, DriverRecord, IdentityDocument, PersonMatch,
    PersonalData, RegisterRef, Section, SectionData, TradeLicence, TradeState, Validity, Vehicle,
    VehicleGroup,
};

use super::profile::{Resident, Sex, age_on};
use super::*;
use crate::identity::demo::PERSONAS;

const ANCHOR: Date = date(2026, 11, 22);

fn registers() -> DemoRegisters {
    DemoRegisters::new(20_261_122, ANCHOR)
}

fn reference(index: u32) -> RegisterRef {
    RegisterRef::parse(&format!("VZ-{index:06}")).unwrap()
}

/// Everything the register holds about one person.
#[derive(Debug)]
struct Person {
    personal: PersonalData,
    documents: Vec<IdentityDocument>,
    driver: Option<DriverRecord>,
    vehicles: Vec<Vehicle>,
    trades: Vec<TradeLicence>,
    usage: Vec<DataUsage>,
}

fn person(registers: &DemoRegisters, index: u32) -> Person {
    let person = reference(index);
    let fetch = |section| registers.fetch(&person, section).unwrap();
    let (
        SectionData::Personal(personal),
        SectionData::Documents(documents),
        SectionData::Driver(driver),
        SectionData::Vehicles(vehicles),
        SectionData::TradeLicences(trades),
        SectionData::DataUsage(usage),
    ) = (
        fetch(Section::Personal),
        fetch(Section::Documents),
        fetch(Section::Driver),
        fetch(Section::Vehicles),
        fetch(Section::TradeLicences),
        fetch(Section::DataUsage),
    )
    else {
        panic!("a section answered with another section's data");
    };
    Person {
        personal,
        documents,
        driver,
        vehicles,
        trades,
        usage,
    }
}

fn everyone(registers: &DemoRegisters) -> Vec<Person> {
    (1..=POPULATION)
        .map(|index| person(registers, index))
        .collect()
}

fn document(person: &Person, kind: DocumentKind) -> Option<&IdentityDocument> {
    person
        .documents
        .iter()
        .find(|document| document.kind == kind)
}

#[test]
fn the_same_seed_gives_the_same_data_and_another_seed_other_people() {
    let json = |registers: &DemoRegisters, index: u32| {
        Section::ALL
            .map(|section| {
                serde_json::to_string(&registers.fetch(&reference(index), section).unwrap())
                    .unwrap()
            })
            .join("\n")
    };
    let first = registers();
    let again = registers();
    let other = DemoRegisters::new(7, ANCHOR);
    let mut different = 0;
    for index in 1..=300 {
        assert_eq!(json(&first, index), json(&again, index), "person {index}");
        if index > 6 && person(&first, index).personal != person(&other, index).personal {
            different += 1;
        }
    }
    assert!(different > 280, "only {different} of 294 persons differ");
    // The personas are who they are whatever the seed.
    for index in 1..=6 {
        let (mine, theirs) = (
            person(&first, index).personal,
            person(&other, index).personal,
        );
        assert_eq!(
            (
                mine.given_name,
                mine.family_name,
                mine.birth_date,
                mine.address
            ),
            (
                theirs.given_name,
                theirs.family_name,
                theirs.birth_date,
                theirs.address
            )
        );
    }
}

#[test]
fn every_section_of_every_person_survives_the_wire() {
    let registers = registers();
    for index in 1..=POPULATION {
        for section in Section::ALL {
            let data = registers.fetch(&reference(index), section).unwrap();
            assert_eq!(data.section(), section);
            let json = serde_json::to_string(&data).unwrap();
            let back: SectionData = serde_json::from_str(&json).unwrap();
            assert_eq!(back, data, "person {index}, {section:?}");
        }
    }
}

#[test]
fn any_anchor_day_works_even_the_29th_of_february() {
    for anchor in [date(2028, 2, 29), date(2035, 7, 1)] {
        let registers = DemoRegisters::new(1, anchor);
        let people = everyone(&registers);
        consistent(&people, anchor).unwrap();
        varied(&people, anchor).unwrap();
    }
}

#[test]
fn only_known_references_are_answered() {
    let registers = registers();
    for unknown in ["VZ-000000", "VZ-001201", "VZ-1", "VZ-0000001", "XY-000001"] {
        let unknown = RegisterRef::parse(unknown).unwrap();
        assert_eq!(
            registers.fetch(&unknown, Section::Personal),
            Err(RegisterError::UnknownPerson)
        );
        assert_eq!(
            registers.update_contacts(
                &unknown,
                &ContactDetails {
                    email: None,
                    phone: None
                }
            ),
            Err(RegisterError::UnknownPerson)
        );
    }
    assert!(
        registers
            .fetch(&reference(POPULATION), Section::Driver)
            .is_ok()
    );
    let contacts = ContactDetails {
        email: Some("jana@example.com".into()),
        phone: None,
    };
    assert_eq!(
        registers.update_contacts(&reference(1), &contacts),
        Ok(ContactUpdate::Accepted)
    );
}

#[test]
fn identifiers_find_the_personas_and_the_other_residents() {
    let registers = registers();
    let by_identifier = |identifier: &str| {
        registers.find_person(&PersonMatch::Identifier {
            identifier: identifier.into(),
        })
    };
    for (index, persona) in (1..).zip(PERSONAS) {
        assert_eq!(by_identifier(persona.subject), Some(reference(index)));
    }
    assert_eq!(by_identifier("CZ/CZ/demo-0777"), Some(reference(777)));
    assert_eq!(by_identifier("CZ/CZ/demo-1200"), Some(reference(1200)));
    for unknown in [
        "CZ/CZ/demo-1201",
        "CZ/CZ/demo-0000",
        "CZ/CZ/demo-001",
        "CZ/CZ/demo-00001",
        "CZ/CZ/demo-+001",
        "CZ/CZ/demo-",
        "CZ/SK/demo-0001",
        "",
    ] {
        assert_eq!(by_identifier(unknown), None, "{unknown:?}");
    }
}

#[test]
fn name_and_birth_date_find_exactly_one_person() {
    let registers = registers();
    let by_name = |given: &str, family: &str, birth_date: Date| {
        registers.find_person(&PersonMatch::NameAndBirthDate {
            given_name: given.into(),
            family_name: family.into(),
            birth_date,
        })
    };
    assert_eq!(
        by_name("  jana ", "DVOŘÁKOVÁ", date(1984, 3, 7)),
        Some(reference(1))
    );
    assert_eq!(
        by_name("Marie", "Černá", date(1939, 1, 2)),
        Some(reference(5))
    );
    assert_eq!(by_name("Marie", "Černá", date(1939, 1, 3)), None);
    assert_eq!(by_name("Marie", "Cerna", date(1939, 1, 2)), None);

    let resident = profile::resident(&registers.context, 640).unwrap();
    let twins = (1..=POPULATION)
        .filter_map(|index| profile::resident(&registers.context, index).ok())
        .filter(|other| {
            (other.given_name, other.family_name, other.birth_date)
                == (
                    resident.given_name,
                    resident.family_name,
                    resident.birth_date,
                )
        })
        .count();
    let found = by_name(
        resident.given_name,
        resident.family_name,
        resident.birth_date,
    );
    assert_eq!(found, (twins == 1).then(|| reference(640)));
}

#[test]
fn namesakes_born_the_same_day_are_not_told_apart() {
    let namesake = |index| Resident {
        index,
        sex: Sex::Male,
        given_name: "Jan",
        family_name: "Novák",
        birth_date: date(1980, 1, 1),
    };
    let other = Resident {
        given_name: "Josef",
        ..namesake(3)
    };
    let found = |residents: Vec<Resident>| only_match(residents, "jan", "novák", date(1980, 1, 1));
    assert_eq!(found(vec![namesake(1), other]), Some(1));
    assert_eq!(found(vec![namesake(1), other, namesake(2)]), None);
    assert_eq!(found(vec![other]), None);
}

#[test]
fn the_personas_are_who_they_say_and_show_every_case() {
    let registers = registers();
    let today = ANCHOR;
    for (index, persona) in (1..).zip(PERSONAS) {
        let personal = person(&registers, index).personal;
        assert_eq!(personal.given_name.as_str(), persona.given_name);
        assert_eq!(personal.family_name.as_str(), persona.family_name);
        assert_eq!(personal.birth_date, persona.birth_date);
        assert_eq!(personal.address.as_str(), persona.address);
    }

    let jana = person(&registers, 1);
    let id_card = document(&jana, DocumentKind::IdCard).unwrap();
    assert_eq!(
        id_card.validity(today),
        Validity::ExpiresSoon { days_left: 12 }
    );
    assert!(matches!(
        jana.vehicles[0].inspection(today),
        Some(Validity::ExpiresSoon { days_left: 9 })
    ));
    assert_eq!(jana.driver.as_ref().unwrap().points.get(), 4);

    let petr = person(&registers, 2);
    let driver = petr.driver.as_ref().unwrap();
    assert_eq!(driver.points.get(), 12);
    assert!(driver.bans.iter().any(|ban| ban.in_force(today)));
    assert!(!driver.losses.is_empty());
    assert!(driver.licence.is_none());
    let passport = document(&petr, DocumentKind::Passport).unwrap();
    assert!(matches!(passport.validity(today), Validity::Expired { .. }));

    let tereza = person(&registers, 3);
    let driver = tereza.driver.as_ref().unwrap();
    assert!(
        driver
            .groups
            .iter()
            .any(|group| group.group == VehicleGroup::B)
    );
    assert!(
        driver
            .groups
            .iter()
            .all(|group| age_on(date(2001, 5, 30), group.since) >= 22)
    );
    assert!(tereza.vehicles.is_empty());
    assert!((1..=5).contains(&tereza.usage.len()));

    let karel = person(&registers, 4);
    let states: BTreeSet<_> = karel
        .trades
        .iter()
        .map(|trade| format!("{:?}", trade.state))
        .collect();
    assert!(states.contains("Active") && states.contains("Suspended"));
    assert!(karel.vehicles.len() >= 3);
    assert!(
        karel
            .vehicles
            .iter()
            .any(|vehicle| matches!(vehicle.inspection(today), Some(Validity::Expired { .. })))
    );
    let driver = karel.driver.as_ref().unwrap();
    let competence = driver.professional_competence.as_ref().unwrap();
    assert_eq!(competence.groups, [VehicleGroup::C, VehicleGroup::CE]);
    assert!(
        driver
            .groups
            .iter()
            .filter(|group| matches!(group.group, VehicleGroup::C | VehicleGroup::CE))
            .all(|group| group.until.is_some())
    );

    let marie = person(&registers, 5);
    assert!(marie.driver.is_none());
    let id_card = document(&marie, DocumentKind::IdCard).unwrap();
    assert!(matches!(id_card.validity(today), Validity::Expired { .. }));
    assert!(marie.usage.len() >= 60);
    assert!(marie.personal.delivery_address.is_some());

    let lukas = person(&registers, 6);
    let driver = lukas.driver.as_ref().unwrap();
    let groups: Vec<_> = driver.groups.iter().map(|group| group.group).collect();
    for group in [
        VehicleGroup::AM,
        VehicleGroup::A1,
        VehicleGroup::A2,
        VehicleGroup::A,
    ] {
        assert!(groups.contains(&group), "{groups:?}");
    }
    assert!(!driver.bans.is_empty());
    assert!(
        driver
            .bans
            .iter()
            .all(|ban| !ban.in_force(today) && ban.from < today)
    );
    let passport = document(&lukas, DocumentKind::Passport).unwrap();
    assert_eq!(
        passport.validity(today),
        Validity::ExpiresSoon { days_left: 0 }
    );
}

#[test]
fn the_data_set_is_consistent_and_varied() {
    let people = everyone(&registers());
    consistent(&people, ANCHOR).unwrap();
    varied(&people, ANCHOR).unwrap();
}

/// The rules every person's data keeps.
fn consistent(people: &[Person], today: Date) -> Result<(), String> {
    let feminine: BTreeSet<&str> = [
        tables::WOMEN_BORN_BEFORE_1960,
        tables::WOMEN_BORN_1960_TO_1989,
        tables::WOMEN_BORN_SINCE_1990,
    ]
    .concat()
    .into_iter()
    .collect();
    let two_years_ago = days_before(today, 731).unwrap();
    for (index, person) in (1..).zip(people) {
        let fail = |what: &str| Err(format!("person {index}: {what}: {person:#?}"));
        let personal = &person.personal;
        let age = age_on(personal.birth_date, today);
        // The personas' birth dates are fixed; they age with the anchor.
        if age < 15 || (index > 6 && age > 95) {
            return fail("age");
        }
        if feminine.contains(personal.given_name.as_str())
            && !personal.family_name.as_str().ends_with('á')
        {
            return fail("a woman's family name");
        }
        if let Some(data_box) = &personal.data_box {
            let valid = data_box.as_str().len() == 7
                && data_box
                    .as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
            if !valid {
                return fail("data box");
            }
        }
        let czech = personal.citizenship.as_str() == tables::CZECH_REPUBLIC;
        if czech != document(person, DocumentKind::IdCard).is_some() {
            return fail("an ID card for every Czech citizen, none for others");
        }
        for document in &person.documents {
            let years = (document.valid_until - document.issued_on).get_days() / 365;
            let issued_at = age_on(personal.birth_date, document.issued_on);
            let valid = document.issued_on <= today
                && match document.kind {
                    DocumentKind::IdCard => {
                        ((15..70).contains(&issued_at) && years == 10)
                            || (issued_at >= 70 && years == 35)
                    }
                    DocumentKind::Passport => {
                        (issued_at >= 15 && years == 10) || (issued_at < 15 && years == 5)
                    }
                };
            if !valid {
                return fail("document dates");
            }
        }
        if let Some(driver) = &person.driver {
            let lost = driver.points.get() == 12
                || driver.losses.iter().any(|loss| loss.on > two_years_ago);
            if lost != driver.licence.is_none()
                || (driver.licence.is_none() && !driver.groups.is_empty())
            {
                return fail("a licence unless lost");
            }
            if driver.points.get() == 12 && driver.losses.is_empty() {
                return fail("12 points cost the licence");
            }
            let offence_points: u32 = driver
                .offences
                .iter()
                .map(|offence| u32::from(offence.points.get()))
                .sum();
            if u32::from(driver.points.get()) > offence_points {
                return fail("points without offences");
            }
            if driver.offences.iter().any(|offence| {
                offence.committed_on >= today || offence.committed_on < two_years_ago
            }) {
                return fail("offences of the last two years");
            }
            if driver.points.get() > 0 && driver.points_changed_on.is_none() {
                return fail("points changed on");
            }
            for group in &driver.groups {
                let professional = matches!(
                    group.group,
                    VehicleGroup::C1
                        | VehicleGroup::C1E
                        | VehicleGroup::C
                        | VehicleGroup::CE
                        | VehicleGroup::D1
                        | VehicleGroup::D1E
                        | VehicleGroup::D
                        | VehicleGroup::DE
                );
                if group.since > today
                    || age_on(personal.birth_date, group.since) < 15
                    || professional != group.until.is_some()
                {
                    return fail("licence groups");
                }
            }
            if let Some(licence) = &driver.licence
                && (licence.issued_on > today
                    || driver
                        .groups
                        .iter()
                        .any(|group| group.since > licence.issued_on))
            {
                return fail("licence issued after its groups");
            }
        }
        for vehicle in &person.vehicles {
            let vin = vehicle.vin.as_str().as_bytes();
            if vehicles::check_digit_of(vin) != Some(vin[8]) || vehicle.first_registered_on > today
            {
                return fail("vehicle");
            }
        }
        for trade in &person.trades {
            let dated = match trade.state {
                TradeState::Active => trade.until.is_none(),
                TradeState::Suspended => trade.until.is_some_and(|until| until > today),
                TradeState::Ended => trade
                    .until
                    .is_some_and(|until| until < today && until >= trade.since),
            };
            if !dated || trade.since > today || trade.ico != person.trades[0].ico {
                return fail("trade licence");
            }
        }
        let checks_missing_documents = person.usage.iter().any(|usage| {
            let checked = match usage.agenda_code.as_str() {
                "A117" => DocumentKind::IdCard,
                "A118" => DocumentKind::Passport,
                _ => return false,
            };
            document(person, checked).is_none()
        });
        if checks_missing_documents {
            return fail("uses of documents the person does not have");
        }
        let newest_first = person.usage.windows(2).all(|pair| pair[0].at >= pair[1].at);
        let in_the_log = person.usage.iter().all(|usage| {
            let day = usage.at.to_zoned(obcan_core::time::office_zone()).date();
            day < today && day >= two_years_ago
        });
        if !newest_first || !in_the_log || person.usage.len() > 84 {
            return fail("data usage");
        }
    }
    Ok(())
}

/// Every case the portal's pages show occurs across the data set.
fn varied(people: &[Person], today: Date) -> Result<(), String> {
    let documents = people.iter().flat_map(|person| &person.documents);
    let validity = |document: &&IdentityDocument| document.validity(today);
    let drivers: Vec<&DriverRecord> = people
        .iter()
        .filter_map(|person| person.driver.as_ref())
        .collect();
    let vehicles: Vec<&Vehicle> = people.iter().flat_map(|person| &person.vehicles).collect();
    let trades: Vec<&TradeLicence> = people.iter().flat_map(|person| &person.trades).collect();
    let statuses: BTreeSet<String> = people
        .iter()
        .map(|person| format!("{:?}", person.personal.marital_status))
        .collect();
    let count = |what: &str, count: usize, at_least: usize| {
        if count >= at_least {
            Ok(())
        } else {
            Err(format!("{what}: {count}, expected at least {at_least}"))
        }
    };
    let documents: Vec<Validity> = documents.map(|document| validity(&document)).collect();
    count(
        "valid documents",
        documents
            .iter()
            .filter(|v| matches!(v, Validity::Valid { .. }))
            .count(),
        1_000,
    )?;
    count(
        "expired documents",
        documents
            .iter()
            .filter(|v| matches!(v, Validity::Expired { .. }))
            .count(),
        20,
    )?;
    count(
        "documents ending within 30 days",
        documents
            .iter()
            .filter(|v| matches!(v, Validity::ExpiresSoon { days_left } if *days_left > 0))
            .count(),
        20,
    )?;
    count(
        "documents ending today",
        documents
            .iter()
            .filter(|v| **v == Validity::ExpiresSoon { days_left: 0 })
            .count(),
        2,
    )?;
    count(
        "passports",
        people
            .iter()
            .filter(|p| document(p, DocumentKind::Passport).is_some())
            .count(),
        200,
    )?;
    count(
        "persons not in the driver register",
        people.len() - drivers.len(),
        100,
    )?;
    count(
        "drivers without points",
        drivers.iter().filter(|d| d.points.get() == 0).count(),
        drivers.len() * 3 / 5,
    )?;
    count(
        "drivers with 12 points",
        drivers.iter().filter(|d| d.points.get() == 12).count(),
        3,
    )?;
    count(
        "drivers with some points",
        drivers
            .iter()
            .filter(|d| (1..12).contains(&d.points.get()))
            .count(),
        50,
    )?;
    count(
        "bans in force",
        drivers
            .iter()
            .filter(|d| d.bans.iter().any(|b| b.in_force(today)))
            .count(),
        5,
    )?;
    count(
        "bans without an end",
        drivers
            .iter()
            .filter(|d| d.bans.iter().any(|b| b.until.is_none()))
            .count(),
        1,
    )?;
    count(
        "bans served",
        drivers
            .iter()
            .filter(|d| d.bans.iter().any(|b| b.until.is_some_and(|u| u < today)))
            .count(),
        5,
    )?;
    count(
        "losses",
        drivers.iter().filter(|d| !d.losses.is_empty()).count(),
        8,
    )?;
    count(
        "professional drivers",
        drivers
            .iter()
            .filter(|d| d.professional_competence.is_some())
            .count(),
        10,
    )?;
    count(
        "motorcyclists",
        drivers
            .iter()
            .filter(|d| d.groups.iter().any(|g| g.group == VehicleGroup::A))
            .count(),
        3,
    )?;
    count("vehicles", vehicles.len(), 500)?;
    count(
        "overdue inspections",
        vehicles
            .iter()
            .filter(|v| matches!(v.inspection(today), Some(Validity::Expired { .. })))
            .count(),
        10,
    )?;
    count(
        "inspections due within 30 days",
        vehicles
            .iter()
            .filter(|v| matches!(v.inspection(today), Some(Validity::ExpiresSoon { .. })))
            .count(),
        10,
    )?;
    count(
        "vehicles without inspections",
        vehicles
            .iter()
            .filter(|v| v.inspection_valid_until.is_none())
            .count(),
        5,
    )?;
    let categories: BTreeSet<&str> = vehicles.iter().map(|v| v.category.as_str()).collect();
    count("vehicle categories", categories.len(), 5)?;
    count(
        "active trade licences",
        trades
            .iter()
            .filter(|t| t.state == TradeState::Active)
            .count(),
        30,
    )?;
    count(
        "suspended trade licences",
        trades
            .iter()
            .filter(|t| t.state == TradeState::Suspended)
            .count(),
        3,
    )?;
    count(
        "ended trade licences",
        trades
            .iter()
            .filter(|t| t.state == TradeState::Ended)
            .count(),
        3,
    )?;
    count("marital statuses", statuses.len(), 5)?;
    count(
        "other citizenships",
        people
            .iter()
            .filter(|p| p.personal.citizenship.as_str() != tables::CZECH_REPUBLIC)
            .count(),
        10,
    )?;
    count(
        "delivery addresses",
        people
            .iter()
            .filter(|p| p.personal.delivery_address.is_some())
            .count(),
        10,
    )?;
    count(
        "data boxes",
        people
            .iter()
            .filter(|p| p.personal.data_box.is_some())
            .count(),
        150,
    )?;
    count(
        "e-mails",
        people.iter().filter(|p| p.personal.email.is_some()).count(),
        200,
    )?;
    count(
        "podhradí",
        people
            .iter()
            .filter(|p| p.personal.address.as_str().ends_with(tables::PODHRADI))
            .count(),
        50,
    )?;
    count(
        "logs without entries",
        people.iter().filter(|p| p.usage.is_empty()).count(),
        10,
    )?;
    count(
        "long logs",
        people.iter().filter(|p| p.usage.len() >= 50).count(),
        10,
    )?;
    let women = people
        .iter()
        .filter(|p| p.personal.family_name.as_str().ends_with('á'))
        .count();
    count("women", women, 450)?;
    count("men", people.len() - women, 450)?;
    Ok(())
}

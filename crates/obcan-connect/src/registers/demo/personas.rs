//! The demo personas one logs in as (`identity::demo::PERSONAS`) are the
//! register's persons 1 to 6, with their names, birth dates and addresses,
//! and profiles chosen so that together they show every case the portal's
//! pages know:
//!
//! | # | persona                  | shows                                                                                              |
//! |---|--------------------------|----------------------------------------------------------------------------------------------------|
//! | 1 | Jana Dvořáková (1984)    | ID card ending in 12 days; her car's inspection due in 9 days; 4 points; a passport; a data box     |
//! | 2 | Petr Novák (1956)        | 12 points and the licence lost for them; a ban in force; a passport ended                          |
//! | 3 | Tereza Svobodová (2001)  | a young driver (group B at 22), no points, no vehicles; few uses of her data                        |
//! | 4 | Karel Procházka (1972)   | trade licences active, suspended and ended; truck, car, van overdue, trailer; C, CE and competence |
//! | 5 | Marie Černá (1939)       | not in the driver register; her ID card ended; a delivery address; many uses of her data           |
//! | 6 | Lukáš Veselý (1990)      | motorcycle groups AM to A; a ban served; his passport ends today                                   |

use jiff::civil::Date;
use obcan_core::registers::{MaritalStatus, VehicleRelation};

use super::profile::{
    BanPlan, Citizenship, DriverPlan, Expiry, Inspection, LicenceKind, Profile, Resident, Sex,
    TradePlan, TradePlanState, VehicleKind, VehiclePlan,
};
use super::tables::{FREE_TRADE, HAULAGE, MASONRY};
use crate::identity::demo::{DemoPersona, PERSONAS};

fn persona(index: u32) -> Option<&'static DemoPersona> {
    let position = usize::try_from(index).ok()?.checked_sub(1)?;
    PERSONAS.get(position)
}

pub(super) fn resident(index: u32) -> Option<Resident> {
    let persona = persona(index)?;
    let sex = match index {
        1 | 3 | 5 => Sex::Female,
        _ => Sex::Male,
    };
    Some(Resident {
        index,
        sex,
        given_name: persona.given_name,
        family_name: persona.family_name,
        birth_date: persona.birth_date,
    })
}

pub(super) fn address(index: u32) -> Option<&'static str> {
    persona(index).map(|persona| persona.address)
}

/// Whether a persona has this name and birth date.
pub(super) fn is_persona(given_name: &str, family_name: &str, birth_date: Date) -> bool {
    PERSONAS.iter().any(|persona| {
        persona.birth_date == birth_date
            && persona.given_name == given_name
            && persona.family_name == family_name
    })
}

const fn car(relation: VehicleRelation, inspection: Inspection) -> VehiclePlan {
    VehiclePlan {
        kind: VehicleKind::Car,
        relation,
        inspection,
    }
}

const CLEAN_DRIVER: DriverPlan = DriverPlan {
    licence: LicenceKind::Car,
    first_licence_age: 18,
    validity: Expiry::Valid,
    competence: None,
    recent_points: 0,
    old_offence: false,
    ban: BanPlan::None,
    past_loss: false,
};

pub(super) fn profile(index: u32) -> Option<Profile> {
    use MaritalStatus::{Divorced, Married, Single, Widowed};
    use VehicleRelation::{Owner, OwnerAndOperator};
    let profile = match index {
        1 => Profile {
            citizenship: Citizenship::Czech,
            marital_status: Married,
            delivery_address: false,
            data_box: true,
            email: true,
            phone: true,
            id_card: Some(Expiry::EndsIn(12)),
            passport: Some(Expiry::Valid),
            driver: Some(DriverPlan {
                recent_points: 4,
                ..CLEAN_DRIVER
            }),
            vehicles: vec![car(OwnerAndOperator, Inspection::DueIn(9))],
            trades: Vec::new(),
            data_uses: 14,
        },
        2 => Profile {
            citizenship: Citizenship::Czech,
            marital_status: Divorced,
            delivery_address: false,
            data_box: false,
            email: false,
            phone: true,
            id_card: Some(Expiry::Valid),
            passport: Some(Expiry::EndedAgo(420)),
            driver: Some(DriverPlan {
                licence: LicenceKind::CarAndTrailer,
                recent_points: 12,
                ban: BanPlan::InForce,
                ..CLEAN_DRIVER
            }),
            vehicles: vec![car(Owner, Inspection::Valid)],
            trades: Vec::new(),
            data_uses: 28,
        },
        3 => Profile {
            citizenship: Citizenship::Czech,
            marital_status: Single,
            delivery_address: false,
            data_box: false,
            email: true,
            phone: true,
            id_card: Some(Expiry::Valid),
            passport: None,
            driver: Some(DriverPlan {
                first_licence_age: 22,
                ..CLEAN_DRIVER
            }),
            vehicles: Vec::new(),
            trades: Vec::new(),
            data_uses: 3,
        },
        4 => Profile {
            citizenship: Citizenship::Czech,
            marital_status: Married,
            delivery_address: false,
            data_box: true,
            email: true,
            phone: true,
            id_card: Some(Expiry::Valid),
            passport: Some(Expiry::Valid),
            driver: Some(DriverPlan {
                licence: LicenceKind::TruckAndTrailer,
                competence: Some(Expiry::Valid),
                recent_points: 2,
                ..CLEAN_DRIVER
            }),
            vehicles: vec![
                VehiclePlan {
                    kind: VehicleKind::Truck,
                    relation: OwnerAndOperator,
                    inspection: Inspection::Valid,
                },
                car(OwnerAndOperator, Inspection::Valid),
                VehiclePlan {
                    kind: VehicleKind::Van,
                    relation: OwnerAndOperator,
                    inspection: Inspection::OverdueBy(45),
                },
                VehiclePlan {
                    kind: VehicleKind::Trailer,
                    relation: Owner,
                    inspection: Inspection::Valid,
                },
            ],
            trades: vec![
                TradePlan {
                    subject: HAULAGE,
                    state: TradePlanState::Active,
                },
                TradePlan {
                    subject: FREE_TRADE,
                    state: TradePlanState::Suspended,
                },
                TradePlan {
                    subject: MASONRY,
                    state: TradePlanState::Ended,
                },
            ],
            data_uses: 24,
        },
        5 => Profile {
            citizenship: Citizenship::Czech,
            marital_status: Widowed,
            delivery_address: true,
            data_box: false,
            email: false,
            phone: true,
            id_card: Some(Expiry::EndedAgo(200)),
            passport: None,
            driver: None,
            vehicles: Vec::new(),
            trades: Vec::new(),
            data_uses: 76,
        },
        6 => Profile {
            citizenship: Citizenship::Czech,
            marital_status: Single,
            delivery_address: false,
            data_box: true,
            email: true,
            phone: true,
            id_card: Some(Expiry::Valid),
            passport: Some(Expiry::EndsIn(0)),
            driver: Some(DriverPlan {
                licence: LicenceKind::Motorcyclist,
                first_licence_age: 15,
                ban: BanPlan::Past,
                ..CLEAN_DRIVER
            }),
            vehicles: vec![
                VehiclePlan {
                    kind: VehicleKind::Motorcycle,
                    relation: OwnerAndOperator,
                    inspection: Inspection::Valid,
                },
                car(OwnerAndOperator, Inspection::Valid),
            ],
            trades: Vec::new(),
            data_uses: 9,
        },
        _ => return None,
    };
    Some(profile)
}

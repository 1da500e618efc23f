//! Who a resident is (name, sex, birth date) and, in outline, what the
//! registers hold about them: their profile. The sections fill in the
//! details; the demo personas have fixed profiles (`personas`).

use jiff::civil::Date;
use obcan_core::registers::{MaritalStatus, VehicleGroup, VehicleRelation};

use super::personas;
use super::rng::{Rng, Stream};
use super::tables::{self, TradeSubject};
use super::{Context, Gen, years_before};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sex {
    Female,
    Male,
}

/// A resident as every section needs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Resident {
    /// 1-based; the demo personas are 1 to 6.
    pub(super) index: u32,
    pub(super) sex: Sex,
    pub(super) given_name: &'static str,
    pub(super) family_name: &'static str,
    pub(super) birth_date: Date,
}

/// How far a document is from its end on the day the data set is anchored to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Expiry {
    /// More than the warning period left.
    Valid,
    /// Ends in this many days: 0 is today, up to 30 within the warning period.
    EndsIn(i64),
    /// Ended about this many days ago (as far as the document's rules allow).
    EndedAgo(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Citizenship {
    Czech,
    /// The state and the place of birth.
    Other(&'static str, &'static str),
}

/// The groups of a licence, each with the age it can be granted at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LicenceKind {
    Moped,
    LightMotorcycle,
    Car,
    CarAndTrailer,
    CarAndMotorcycle,
    Motorcyclist,
    Tractor,
    LightTruck,
    Truck,
    TruckAndTrailer,
    Bus,
}

impl LicenceKind {
    /// The groups in the order they are usually obtained, with the minimum age.
    pub(super) fn groups(self) -> &'static [(VehicleGroup, i16)] {
        use VehicleGroup::{A, A1, A2, AM, B, BE, C, C1, C1E, CE, D, T};
        match self {
            Self::Moped => &[(AM, 15)],
            Self::LightMotorcycle => &[(AM, 15), (A1, 16)],
            Self::Car => &[(B, 18)],
            Self::CarAndTrailer => &[(B, 18), (BE, 18)],
            Self::CarAndMotorcycle => &[(B, 18), (A2, 18)],
            Self::Motorcyclist => &[(AM, 15), (A1, 16), (B, 18), (A2, 18), (A, 24)],
            Self::Tractor => &[(T, 17), (B, 18)],
            Self::LightTruck => &[(B, 18), (C1, 18), (C1E, 18)],
            Self::Truck => &[(B, 18), (C, 21), (CE, 21)],
            Self::TruckAndTrailer => &[(B, 18), (BE, 18), (C, 21), (CE, 21)],
            Self::Bus => &[(B, 18), (C, 21), (D, 24)],
        }
    }

    /// The youngest a holder of all the groups can be.
    pub(super) fn minimum_age(self) -> i16 {
        self.groups()
            .iter()
            .map(|(_, age)| *age)
            .max()
            .unwrap_or(18)
    }

    /// Groups C and D make the licence valid for 5 years instead of 10.
    pub(super) fn professional(self) -> bool {
        matches!(
            self,
            Self::LightTruck | Self::Truck | Self::TruckAndTrailer | Self::Bus
        )
    }
}

/// What drives the driver's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BanPlan {
    None,
    /// A ban for an offence between one and two years ago, served.
    Past,
    /// A ban for an offence in the last months, still in force.
    InForce,
    /// A ban longer than a year, in force; it also cost the licence.
    LongInForce,
    /// The police kept the licence a few days ago; no end is set yet.
    HeldByPolice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct DriverPlan {
    pub(super) licence: LicenceKind,
    /// The age the first group was granted at.
    pub(super) first_licence_age: i16,
    pub(super) validity: Expiry,
    /// The professional driver's certificate, for truck and bus drivers.
    pub(super) competence: Option<Expiry>,
    /// Points of the offences of the last twelve months; 12 costs the licence.
    pub(super) recent_points: u8,
    /// One small offence one to two years ago, its points written off since.
    pub(super) old_offence: bool,
    pub(super) ban: BanPlan,
    /// Lost the licence years ago and got it back.
    pub(super) past_loss: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum VehicleKind {
    Car,
    Van,
    Truck,
    Motorcycle,
    Trailer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Inspection {
    Valid,
    /// Due in this many days (0: today).
    DueIn(i64),
    /// Overdue by this many days.
    OverdueBy(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct VehiclePlan {
    pub(super) kind: VehicleKind,
    pub(super) relation: VehicleRelation,
    pub(super) inspection: Inspection,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TradePlanState {
    Active,
    Suspended,
    Ended,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TradePlan {
    pub(super) subject: TradeSubject,
    pub(super) state: TradePlanState,
}

/// What the registers hold about a resident, in outline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Profile {
    pub(super) citizenship: Citizenship,
    pub(super) marital_status: MaritalStatus,
    pub(super) delivery_address: bool,
    pub(super) data_box: bool,
    pub(super) email: bool,
    pub(super) phone: bool,
    pub(super) id_card: Option<Expiry>,
    pub(super) passport: Option<Expiry>,
    /// None: not in the driver register.
    pub(super) driver: Option<DriverPlan>,
    pub(super) vehicles: Vec<VehiclePlan>,
    pub(super) trades: Vec<TradePlan>,
    /// How many uses of their data the log shows, about.
    pub(super) data_uses: u8,
}

/// The age on a day of someone born on another.
pub(super) fn age_on(birth_date: Date, day: Date) -> i16 {
    let had_birthday = (day.month(), day.day()) >= (birth_date.month(), birth_date.day());
    day.year() - birth_date.year() - i16::from(!had_birthday)
}

/// The shape of the town's population aged 15 to 95: weight, youngest, oldest.
const AGE_BANDS: [(u32, (i64, i64)); 9] = [
    (6, (15, 19)),
    (12, (20, 29)),
    (14, (30, 39)),
    (16, (40, 49)),
    (14, (50, 59)),
    (14, (60, 69)),
    (12, (70, 79)),
    (5, (80, 89)),
    (1, (90, 95)),
];

pub(super) fn resident(context: &Context, index: u32) -> Gen<Resident> {
    if let Some(resident) = personas::resident(index) {
        return Ok(resident);
    }
    let mut rng = Rng::new(context.seed, index, Stream::Identity);
    let sex = if rng.chance(52) {
        Sex::Female
    } else {
        Sex::Male
    };
    let &(youngest, oldest) = rng.weighted(&AGE_BANDS);
    let age = rng.between(youngest, oldest);
    // Up to 364 days before the birthday of that age, so the age holds.
    let birth_date = super::days_before(years_before(context.anchor, age)?, rng.between(0, 364))?;
    let names = match (sex, birth_date.year()) {
        (Sex::Male, ..1960) => &tables::MEN_BORN_BEFORE_1960,
        (Sex::Male, 1960..1990) => &tables::MEN_BORN_1960_TO_1989,
        (Sex::Male, _) => &tables::MEN_BORN_SINCE_1990,
        (Sex::Female, ..1960) => &tables::WOMEN_BORN_BEFORE_1960,
        (Sex::Female, 1960..1990) => &tables::WOMEN_BORN_1960_TO_1989,
        (Sex::Female, _) => &tables::WOMEN_BORN_SINCE_1990,
    };
    let given = rng.below(names.len() as u64) as usize;
    let (man, woman) = *rng.pick(&tables::FAMILY_NAMES);
    let family_name = match sex {
        Sex::Female => woman,
        Sex::Male => man,
    };
    let mut given_name = names.get(given).copied().unwrap_or(names[0]);
    // A persona's name and birth date must find the persona alone.
    if personas::is_persona(given_name, family_name, birth_date) {
        given_name = names
            .get((given + 1) % names.len())
            .copied()
            .unwrap_or(names[0]);
    }
    Ok(Resident {
        index,
        sex,
        given_name,
        family_name,
        birth_date,
    })
}

pub(super) fn profile(context: &Context, resident: &Resident) -> Profile {
    if let Some(profile) = personas::profile(resident.index) {
        return profile;
    }
    let mut rng = Rng::new(context.seed, resident.index, Stream::Profile);
    let age = age_on(resident.birth_date, context.anchor);
    let citizenship = if rng.chance(3) {
        let &(state, birth_place) = rng.pick(&tables::OTHER_CITIZENSHIPS);
        Citizenship::Other(state, birth_place)
    } else {
        Citizenship::Czech
    };
    let czech = citizenship == Citizenship::Czech;
    let trades = if (20..=75).contains(&age) && rng.chance(9) {
        let count = *rng.weighted(&[(70, 1), (25, 2), (5, 3)]);
        (0..count).map(|_| trade(&mut rng)).collect()
    } else {
        Vec::new()
    };
    let driver = driver(&mut rng, age);
    let vehicles = vehicles(&mut rng, age, driver.as_ref());
    let heavy_user = rng.chance(3);
    let frequent_user = rng.chance(12);
    let data_uses = if heavy_user {
        rng.between(50, 80)
    } else if frequent_user {
        rng.between(15, 45)
    } else {
        rng.between(0, 6 + i64::from(age) / 8)
    };
    Profile {
        citizenship,
        marital_status: marital_status(&mut rng, age),
        delivery_address: rng.chance(4),
        data_box: !trades.is_empty() || (age >= 18 && rng.chance(22)),
        email: rng.chance(if age < 70 { 45 } else { 12 }),
        phone: rng.chance(if age < 75 { 50 } else { 25 }),
        id_card: czech.then(|| expiry(&mut rng)),
        passport: (czech && rng.chance(if age < 70 { 35 } else { 12 })).then(|| expiry(&mut rng)),
        driver,
        vehicles,
        trades,
        data_uses: u8::try_from(data_uses).unwrap_or(u8::MAX),
    }
}

/// Mostly valid; some ending within the month or today, some ended.
fn expiry(rng: &mut Rng) -> Expiry {
    match rng.below(1000) {
        0..60 => Expiry::EndsIn(rng.between(1, 30)),
        60..75 => Expiry::EndsIn(0),
        75..140 => Expiry::EndedAgo(rng.between(1, 900)),
        _ => Expiry::Valid,
    }
}

fn marital_status(rng: &mut Rng, age: i16) -> MaritalStatus {
    use MaritalStatus::{Divorced, Married, RegisteredPartnership, Single, Widowed};
    match age {
        ..20 => Single,
        20..30 => *rng.weighted(&[
            (70, Single),
            (27, Married),
            (2, Divorced),
            (1, RegisteredPartnership),
        ]),
        30..50 => *rng.weighted(&[
            (25, Single),
            (55, Married),
            (17, Divorced),
            (1, Widowed),
            (2, RegisteredPartnership),
        ]),
        50..70 => *rng.weighted(&[
            (8, Single),
            (60, Married),
            (20, Divorced),
            (11, Widowed),
            (1, RegisteredPartnership),
        ]),
        _ => *rng.weighted(&[(4, Single), (45, Married), (11, Divorced), (40, Widowed)]),
    }
}

fn trade(rng: &mut Rng) -> TradePlan {
    TradePlan {
        subject: *rng.weighted(&tables::TRADE_SUBJECTS),
        state: *rng.weighted(&[
            (78, TradePlanState::Active),
            (12, TradePlanState::Suspended),
            (10, TradePlanState::Ended),
        ]),
    }
}

fn driver(rng: &mut Rng, age: i16) -> Option<DriverPlan> {
    let licence = match age {
        ..16 if rng.chance(20) => LicenceKind::Moped,
        16..18 if rng.chance(25) => *rng.pick(&[LicenceKind::Moped, LicenceKind::LightMotorcycle]),
        ..18 => return None,
        _ if !rng.chance(if age < 80 { 82 } else { 45 }) => return None,
        _ => *rng.weighted(&[
            (48, LicenceKind::Car),
            (12, LicenceKind::CarAndTrailer),
            (9, LicenceKind::CarAndMotorcycle),
            (2, LicenceKind::Motorcyclist),
            (3, LicenceKind::Tractor),
            (3, LicenceKind::LightTruck),
            (6, LicenceKind::Truck),
            (3, LicenceKind::TruckAndTrailer),
            (3, LicenceKind::Bus),
            (1, LicenceKind::Moped),
        ]),
    };
    // Too young for all of its groups: the car licence of their age.
    let licence = if licence.minimum_age() > age {
        LicenceKind::Car
    } else {
        licence
    };
    let first_age = licence.groups().first().map_or(18, |(_, age)| *age);
    let first_licence_age = match rng.below(100) {
        0..50 => first_age,
        50..85 => first_age + rng.between(1, 5) as i16,
        _ => first_age + rng.between(6, 22) as i16,
    }
    .min(age);
    let ban = *rng.weighted(&[
        (955, BanPlan::None),
        (25, BanPlan::Past),
        (12, BanPlan::InForce),
        (4, BanPlan::LongInForce),
        (4, BanPlan::HeldByPolice),
    ]);
    let points = *rng.weighted(&[
        (780, 0u8),
        (70, 2),
        (50, 4),
        (35, 6),
        (25, 8),
        (20, 10),
        (5, 12),
    ]);
    let recent_points = match ban {
        BanPlan::InForce | BanPlan::LongInForce => points.max(6),
        _ => points,
    };
    Some(DriverPlan {
        licence,
        first_licence_age,
        validity: expiry(rng),
        competence: (licence.professional() && age < 65 && rng.chance(65)).then(|| expiry(rng)),
        recent_points,
        old_offence: matches!(ban, BanPlan::None | BanPlan::HeldByPolice) && rng.chance(6),
        ban,
        past_loss: age >= 25 && rng.rare(15),
    })
}

fn vehicles(rng: &mut Rng, age: i16, driver: Option<&DriverPlan>) -> Vec<VehiclePlan> {
    let Some(driver) = driver else {
        // Some who do not drive own the car a relative drives.
        return if age >= 18 && rng.chance(6) {
            vec![vehicle(rng, VehicleKind::Car, VehicleRelation::Owner)]
        } else {
            Vec::new()
        };
    };
    let count = *rng.weighted(&[(40, 0usize), (42, 1), (14, 2), (4, 3)]);
    let mut kinds = Vec::with_capacity(4);
    match driver.licence {
        LicenceKind::Moped | LicenceKind::LightMotorcycle => {
            kinds.push(VehicleKind::Motorcycle);
        }
        LicenceKind::CarAndMotorcycle | LicenceKind::Motorcyclist => {
            kinds.push(VehicleKind::Motorcycle);
            kinds.push(VehicleKind::Car);
        }
        LicenceKind::Truck | LicenceKind::TruckAndTrailer if rng.chance(20) => {
            kinds.push(VehicleKind::Truck);
            kinds.push(VehicleKind::Car);
        }
        _ => kinds.push(if rng.chance(10) {
            VehicleKind::Van
        } else {
            VehicleKind::Car
        }),
    }
    if matches!(
        driver.licence,
        LicenceKind::CarAndTrailer | LicenceKind::TruckAndTrailer
    ) {
        kinds.push(VehicleKind::Trailer);
    }
    while kinds.len() < count {
        kinds.push(VehicleKind::Car);
    }
    kinds
        .into_iter()
        .take(count)
        .map(|kind| {
            let relation = *rng.weighted(&[
                (80, VehicleRelation::OwnerAndOperator),
                (12, VehicleRelation::Operator),
                (8, VehicleRelation::Owner),
            ]);
            vehicle(rng, kind, relation)
        })
        .collect()
}

fn vehicle(rng: &mut Rng, kind: VehicleKind, relation: VehicleRelation) -> VehiclePlan {
    let inspection = match rng.below(100) {
        0..8 => Inspection::DueIn(rng.between(0, 30)),
        8..16 => Inspection::OverdueBy(rng.between(1, 300)),
        _ => Inspection::Valid,
    };
    VehiclePlan {
        kind,
        relation,
        inspection,
    }
}

//! Vehicles registered to a resident: plates of the current Czech format,
//! VINs with their manufacturer's prefix, model year and check digit, and
//! technical inspections on the legal cycle (a new car after four years, then
//! every two; a truck every year; a light trailer never).

use jiff::civil::Date;
use obcan_core::registers::{RegistrationPlate, Vehicle, Vin};

use super::profile::{Inspection, Profile, Resident, VehicleKind, VehiclePlan};
use super::rng::{Rng, Stream};
use super::tables::{self, Model};
use super::{Context, Gen, days_after, days_before, invalid, malformed, text, years_before};

pub(super) fn vehicles(
    context: &Context,
    resident: &Resident,
    profile: &Profile,
) -> Gen<Vec<Vehicle>> {
    let mut rng = Rng::new(context.seed, resident.index, Stream::Vehicles);
    profile
        .vehicles
        .iter()
        .map(|plan| vehicle(context.anchor, &mut rng, plan))
        .collect()
}

fn vehicle(anchor: Date, rng: &mut Rng, plan: &VehiclePlan) -> Gen<Vehicle> {
    let model = match plan.kind {
        VehicleKind::Car => rng.weighted(&tables::CARS),
        VehicleKind::Van => rng.weighted(&tables::VANS),
        VehicleKind::Truck => rng.weighted(&tables::TRUCKS),
        VehicleKind::Motorcycle => rng.weighted(&tables::MOTORCYCLES),
        VehicleKind::Trailer => rng.weighted(&tables::TRAILERS),
    };
    // Years to the first inspection and between the later ones.
    let cycle = match plan.kind {
        VehicleKind::Car | VehicleKind::Van | VehicleKind::Motorcycle => Some((4, 2)),
        VehicleKind::Truck => Some((1, 1)),
        VehicleKind::Trailer => None,
    };
    let (first_registered_on, inspection_valid_until) = match cycle {
        None => (days_before(anchor, rng.between(100, 15 * 365))?, None),
        Some((first, every)) => {
            let due = match plan.inspection {
                Inspection::Valid => days_after(anchor, rng.between(31, every * 365))?,
                Inspection::DueIn(days) => days_after(anchor, days)?,
                Inspection::OverdueBy(days) => days_before(anchor, days)?,
            };
            let new_vehicle = plan.inspection == Inspection::Valid && rng.chance(25);
            let registered = if new_vehicle {
                years_before(due, first)?
            } else {
                days_before(years_before(due, first)?, rng.between(0, 14 * 365))?
            };
            (registered, Some(due))
        }
    };
    Ok(Vehicle {
        plate: RegistrationPlate::parse(&plate(rng)).map_err(invalid)?,
        vin: Vin::parse(&vin(rng, model, first_registered_on)?).map_err(invalid)?,
        make: text(model.make)?,
        model: text(model.model)?,
        category: text(model.category)?,
        first_registered_on,
        relation: plan.relation,
        inspection_valid_until,
    })
}

/// `1S2 3456` written without its space: a digit, the region's letter, a
/// letter or digit, four digits.
fn plate(rng: &mut Rng) -> String {
    let region = char::from(*rng.weighted(&tables::PLATE_REGIONS));
    let third = if rng.chance(50) {
        char::from(*rng.pick(tables::PLATE_LETTERS))
    } else {
        char::from(b'0' + rng.below(10) as u8)
    };
    format!("{}{region}{third}{}", rng.between(1, 9), rng.digits(4))
}

/// The manufacturer's prefix, six characters describing the vehicle (the
/// ninth of the whole a check digit), the model year, the plant and a serial.
fn vin(rng: &mut Rng, model: &Model, first_registered_on: Date) -> Gen<String> {
    let mut characters: Vec<u8> = model.wmi.bytes().collect();
    for _ in 0..5 {
        characters.push(*rng.pick(tables::VIN_CHARACTERS));
    }
    characters.push(b'0');
    characters.push(model_year_code(first_registered_on.year()));
    characters.push(*rng.pick(tables::VIN_CHARACTERS));
    characters.extend(rng.digits(6).bytes());
    let check = check_digit_of(&characters).ok_or_else(|| malformed("a VIN character"))?;
    if let Some(position) = characters.get_mut(8) {
        *position = check;
    }
    String::from_utf8(characters).map_err(malformed)
}

/// The tenth character: the model year, in a 30-year cycle from 1980 (A).
fn model_year_code(year: i16) -> u8 {
    const CODES: &[u8; 30] = b"ABCDEFGHJKLMNPRSTVWXY123456789";
    CODES[usize::from((year - 1980).rem_euclid(30).unsigned_abs())]
}

/// The check digit of ISO 3779's North American form: weighted values of
/// the characters, modulo 11, 10 written as X.
pub(super) fn check_digit_of(vin: &[u8]) -> Option<u8> {
    const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    let mut sum = 0;
    for (character, weight) in vin.iter().zip(WEIGHTS) {
        let value = match character {
            b'0'..=b'9' => u32::from(character - b'0'),
            b'A' | b'J' => 1,
            b'B' | b'K' | b'S' => 2,
            b'C' | b'L' | b'T' => 3,
            b'D' | b'M' | b'U' => 4,
            b'E' | b'N' | b'V' => 5,
            b'F' | b'W' => 6,
            b'G' | b'P' | b'X' => 7,
            b'H' | b'Y' => 8,
            b'R' | b'Z' => 9,
            _ => return None,
        };
        sum += value * weight;
    }
    Some(match sum % 11 {
        10 => b'X',
        digit => b'0' + digit as u8,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_match_known_vins() {
        // Published examples of valid VINs.
        for vin in [
            "1M8GDM9AXKP042788",
            "11111111111111111",
            "1HGCM82633A004352",
        ] {
            let bytes = vin.as_bytes();
            assert_eq!(check_digit_of(bytes), Some(bytes[8]), "{vin}");
        }
        assert_eq!(check_digit_of(b"TMBI"), None);
    }

    #[test]
    fn model_years_cycle_every_thirty_years() {
        assert_eq!(model_year_code(1980), b'A');
        assert_eq!(model_year_code(2009), b'9');
        assert_eq!(model_year_code(2010), b'A');
        assert_eq!(model_year_code(2018), b'J');
        assert_eq!(model_year_code(2026), b'T');
    }
}

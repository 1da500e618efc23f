//! The population register's entry of a resident.

use obcan_core::registers::PersonalData;

use super::profile::{Citizenship, Profile, Resident};
use super::rng::{Rng, Stream};
use super::{Context, Gen, personas, tables, text};

pub(super) fn personal(
    context: &Context,
    resident: &Resident,
    profile: &Profile,
) -> Gen<PersonalData> {
    let mut rng = Rng::new(context.seed, resident.index, Stream::Personal);
    let address = match personas::address(resident.index) {
        Some(address) => address.to_owned(),
        None => {
            let &(street, district, highest) = rng.pick(&tables::STREETS);
            format!("{street} {}, {district}", rng.between(1, highest))
        }
    };
    let (citizenship, birth_place) = match profile.citizenship {
        Citizenship::Czech => (tables::CZECH_REPUBLIC, *rng.pick(&tables::BIRTH_PLACES)),
        Citizenship::Other(state, birth_place) => (state, birth_place),
    };
    let delivery_address = if !profile.delivery_address {
        None
    } else if rng.chance(25) {
        Some(format!(
            "P. O. Box {}, {}",
            rng.between(1, 60),
            tables::VZOROV
        ))
    } else {
        let &(street, town, highest) = rng.pick(&tables::DELIVERY_ADDRESSES);
        Some(format!("{street} {}, {town}", rng.between(1, highest)))
    };
    let data_box = profile.data_box.then(|| {
        (0..7)
            .map(|_| char::from(*rng.pick(tables::DATA_BOX_CHARACTERS)))
            .collect::<String>()
    });
    let email = profile.email.then(|| email(&mut rng, resident));
    let phone = profile.phone.then(|| phone(&mut rng));
    Ok(PersonalData {
        given_name: text(resident.given_name)?,
        family_name: text(resident.family_name)?,
        birth_date: resident.birth_date,
        birth_place: text(birth_place)?,
        citizenship: text(citizenship)?,
        address: text(&address)?,
        delivery_address: delivery_address.as_deref().map(text).transpose()?,
        marital_status: profile.marital_status,
        data_box: data_box.as_deref().map(text).transpose()?,
        email: email.as_deref().map(text).transpose()?,
        phone: phone.as_deref().map(text).transpose()?,
    })
}

/// `jana.dvorakova@example.com`, sometimes with the year of birth.
fn email(rng: &mut Rng, resident: &Resident) -> String {
    let domain = rng.pick(&tables::EMAIL_DOMAINS);
    let given = ascii_lowercase(resident.given_name);
    let family = ascii_lowercase(resident.family_name);
    match rng.below(3) {
        0 => format!("{given}.{family}@{domain}"),
        1 => format!("{family}.{given}@{domain}"),
        _ => format!(
            "{given}.{family}{}@{domain}",
            resident.birth_date.year() % 100
        ),
    }
}

/// A Czech mobile number, as people write it: `+420 737 123 456`.
fn phone(rng: &mut Rng) -> String {
    const PREFIXES: [&str; 12] = [
        "601", "602", "603", "604", "605", "606", "720", "724", "731", "736", "737", "777",
    ];
    format!(
        "+420 {} {} {}",
        rng.pick(&PREFIXES),
        rng.digits(3),
        rng.digits(3)
    )
}

/// The name without its accents, in small letters: Dvořáková → dvorakova.
fn ascii_lowercase(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            'á' => Some('a'),
            'č' => Some('c'),
            'ď' => Some('d'),
            'é' | 'ě' => Some('e'),
            'í' => Some('i'),
            'ň' => Some('n'),
            'ó' => Some('o'),
            'ř' => Some('r'),
            'š' => Some('s'),
            'ť' => Some('t'),
            'ú' | 'ů' => Some('u'),
            'ý' => Some('y'),
            'ž' => Some('z'),
            c if c.is_ascii_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_accents_in_addresses() {
        assert_eq!(ascii_lowercase("Dvořáková"), "dvorakova");
        assert_eq!(ascii_lowercase("Šťastný"), "stastny");
        assert_eq!(ascii_lowercase("Lukáš"), "lukas");
        assert_eq!(ascii_lowercase("Ůžďěň Ó"), "uzdeno");
    }
}

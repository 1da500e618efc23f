//! Identity documents: the ID card of every Czech citizen from 15 on, a
//! passport for some. Their dates follow the rules of validity: an ID card
//! is valid 10 years, 35 if issued from the age of 70; a passport 10 years,
//! 5 if issued before 15.

use jiff::civil::Date;
use obcan_core::registers::{DocumentKind, DocumentNumber, IdentityDocument};

use super::profile::{Expiry, Profile, Resident, age_on};
use super::rng::{Rng, Stream};
use super::{
    Context, Gen, days_after, days_before, days_between, invalid, tables, text, years_after,
    years_before,
};

pub(super) fn documents(
    context: &Context,
    resident: &Resident,
    profile: &Profile,
) -> Gen<Vec<IdentityDocument>> {
    let mut rng = Rng::new(context.seed, resident.index, Stream::Documents);
    let mut documents = Vec::with_capacity(2);
    if let Some(expiry) = profile.id_card {
        let (issued_on, valid_until) =
            id_card_dates(context, &mut rng, resident.birth_date, expiry)?;
        let number = format!("{}{}", rng.between(1, 9), rng.digits(8));
        let issued_by = if rng.chance(75) {
            tables::TOWN_OFFICE
        } else {
            rng.pick(&tables::OTHER_ISSUING_OFFICES)
        };
        documents.push(IdentityDocument {
            kind: DocumentKind::IdCard,
            number: DocumentNumber::parse(&number).map_err(invalid)?,
            issued_on,
            valid_until,
            issued_by: text(issued_by)?,
        });
    }
    if let Some(expiry) = profile.passport {
        let (issued_on, valid_until) =
            passport_dates(context, &mut rng, resident.birth_date, expiry)?;
        let number = format!("{}{}", rng.between(1, 9), rng.digits(7));
        let issued_by = match rng.below(100) {
            0..65 => tables::TOWN_OFFICE,
            65..80 => tables::MINISTRY_OF_THE_INTERIOR,
            _ => rng.pick(&tables::OTHER_ISSUING_OFFICES),
        };
        documents.push(IdentityDocument {
            kind: DocumentKind::Passport,
            number: DocumentNumber::parse(&number).map_err(invalid)?,
            issued_on,
            valid_until,
            issued_by: text(issued_by)?,
        });
    }
    Ok(documents)
}

/// The last day of validity the profile asks for.
pub(super) fn planned_end(
    rng: &mut Rng,
    anchor: Date,
    expiry: Expiry,
    longest_days: i64,
) -> Gen<Date> {
    match expiry {
        Expiry::Valid => days_after(anchor, rng.between(31, longest_days)),
        Expiry::EndsIn(days) => days_after(anchor, days),
        Expiry::EndedAgo(days) => days_before(anchor, days),
    }
}

/// Issue date and last day of an ID card, by the rules of its validity;
/// where the profile's wish breaks them, the rules win.
fn id_card_dates(
    context: &Context,
    rng: &mut Rng,
    birth_date: Date,
    expiry: Expiry,
) -> Gen<(Date, Date)> {
    let anchor = context.anchor;
    let end = planned_end(rng, anchor, expiry, 3_600)?;
    let issued = years_before(end, 10)?;
    let age_at_issue = age_on(birth_date, issued);
    if (15..70).contains(&age_at_issue) {
        return Ok((issued, end));
    }
    if age_at_issue >= 70 {
        if let Expiry::EndedAgo(_) = expiry {
            // Their last card came before 70, for ten years, and was not renewed.
            let end = days_before(years_after(birth_date, 80)?, rng.between(1, 700))?;
            return Ok((years_before(end, 10)?, end));
        }
        let seventy = years_after(birth_date, 70)?;
        let issued = days_after(seventy, rng.between(0, days_between(seventy, anchor)))?;
        return Ok((issued, years_after(issued, 35)?));
    }
    // Their first card, from 15 on.
    first_document(rng, anchor, birth_date)
}

fn passport_dates(
    context: &Context,
    rng: &mut Rng,
    birth_date: Date,
    expiry: Expiry,
) -> Gen<(Date, Date)> {
    let anchor = context.anchor;
    let end = planned_end(rng, anchor, expiry, 3_600)?;
    let issued = years_before(end, 10)?;
    if age_on(birth_date, issued) >= 15 {
        return Ok((issued, end));
    }
    let issued = years_before(end, 5)?;
    if issued >= birth_date && age_on(birth_date, issued) < 15 {
        return Ok((issued, end));
    }
    first_document(rng, anchor, birth_date)
}

/// A ten-year document issued on the holder's 15th birthday or later.
fn first_document(rng: &mut Rng, anchor: Date, birth_date: Date) -> Gen<(Date, Date)> {
    let fifteen = years_after(birth_date, 15)?;
    let issued = days_after(fifteen, rng.between(0, days_between(fifteen, anchor)))?;
    Ok((issued, years_after(issued, 10)?))
}

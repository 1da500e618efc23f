//! The log of who used the resident's data in the last two years, newest
//! first: routine checks by the offices, and the reads that issuing their
//! identity documents took.

use jiff::civil::{Date, Time, Weekday};
use obcan_core::registers::{AgendaCode, DataUsage, DocumentKind, MaritalStatus};

use super::documents::documents;
use super::profile::{Profile, Resident};
use super::rng::{Rng, Stream};
use super::tables::{self, Use};
use super::{Context, Gen, days_after, days_before, invalid, malformed, text};

/// How far back the log goes, in days.
const LOG_DAYS: i64 = 730;

pub(super) fn data_usage(
    context: &Context,
    resident: &Resident,
    profile: &Profile,
) -> Gen<Vec<DataUsage>> {
    let anchor = context.anchor;
    let mut rng = Rng::new(context.seed, resident.index, Stream::DataUsage);
    let log_start = days_before(anchor, LOG_DAYS)?;
    let mut uses: Vec<(Date, Use)> = Vec::new();
    for document in documents(context, resident, profile)? {
        if document.issued_on <= log_start || document.issued_on >= anchor {
            continue;
        }
        let (application, handover) = match document.kind {
            DocumentKind::IdCard => (tables::ID_CARD_APPLICATION, tables::ID_CARD_HANDOVER),
            DocumentKind::Passport => (tables::PASSPORT_APPLICATION, tables::PASSPORT_HANDOVER),
        };
        let applied_on = days_before(document.issued_on, rng.between(14, 30))?;
        if applied_on > log_start {
            uses.push((applied_on, application));
        }
        uses.push((document.issued_on, handover));
    }
    if profile.marital_status == MaritalStatus::Married && rng.chance(10) {
        uses.push((
            days_before(anchor, rng.between(1, LOG_DAYS))?,
            tables::MARRIAGE_RECORD,
        ));
    }
    while uses.len() < usize::from(profile.data_uses) {
        let day = days_before(anchor, rng.between(1, LOG_DAYS))?;
        uses.push((day, routine_use(&mut rng, profile)));
    }
    let mut log = uses
        .into_iter()
        .map(|(day, used)| entry(context, &mut rng, log_start, day, &used))
        .collect::<Gen<Vec<_>>>()?;
    log.sort_by_key(|usage| std::cmp::Reverse(usage.at));
    Ok(log)
}

/// A routine use that fits the person: their ID card or passport is only
/// checked if they have one.
fn routine_use(rng: &mut Rng, profile: &Profile) -> Use {
    for _ in 0..8 {
        let used = *rng.weighted(&tables::ROUTINE_USES);
        let fits = match used.agenda.code {
            code if code == tables::ID_CARDS_AGENDA.code => profile.id_card.is_some(),
            code if code == tables::PASSPORTS_AGENDA.code => profile.passport.is_some(),
            _ => true,
        };
        if fits {
            return used;
        }
    }
    tables::ROUTINE_USES[0].1
}

fn entry(
    context: &Context,
    rng: &mut Rng,
    log_start: Date,
    day: Date,
    used: &Use,
) -> Gen<DataUsage> {
    // The ministry's system updates overnight; offices work weekdays by day,
    // so a weekend's use moves to the Friday before (or the Monday after, at
    // the log's start).
    let automatic = used.authority == tables::MINISTRY_OF_THE_INTERIOR && used.register == "ROB";
    let (day, hour) = if automatic {
        (day, rng.between(1, 4))
    } else {
        let (back, forward) = match day.weekday() {
            Weekday::Saturday => (1, 2),
            Weekday::Sunday => (2, 1),
            _ => (0, 0),
        };
        let friday = days_before(day, back)?;
        let workday = if friday > log_start {
            friday
        } else {
            days_after(day, forward)?
        };
        (workday, rng.between(7, 17))
    };
    let time = Time::new(
        hour as i8,
        rng.between(0, 59) as i8,
        rng.between(0, 59) as i8,
        0,
    )
    .and_then(|time| day.to_datetime(time).to_zoned(context.zone.clone()))
    .map_err(malformed)?;
    Ok(DataUsage {
        at: time.timestamp(),
        authority: text(used.authority)?,
        agenda_code: AgendaCode::parse(used.agenda.code).map_err(invalid)?,
        agenda: text(used.agenda.name)?,
        purpose: text(used.purpose)?,
        register: text(used.register)?,
    })
}

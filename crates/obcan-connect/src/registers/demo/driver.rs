//! The driver register's entry: licence and groups, the professional
//! driver's certificate, offences with their points, bans and losses.
//!
//! Points follow the act's rules: an offence adds its points (at most 12 in
//! all); twelve months without an offence take four off; reaching 12 costs
//! the licence. So the points shown are computed from the offences shown.

use jiff::civil::Date;
use obcan_core::registers::{
    DocumentNumber, DriverRecord, DrivingBan, DrivingLicence, LicenceGroup, LicenceLoss,
    MAX_POINTS, Offence, Points, ProfessionalCompetence, VehicleGroup,
};

use super::documents::planned_end;
use super::profile::{BanPlan, DriverPlan, Profile, Resident};
use super::rng::{Rng, Stream};
use super::tables::{self, OffenceKind};
use super::{
    Context, Gen, days_after, days_before, days_between, invalid, months_after, text, years_after,
    years_before,
};

/// Twelve months without an offence take this many points off.
const WRITE_OFF: u8 = 4;

/// An offence before it becomes a register value.
#[derive(Debug, Clone, Copy)]
struct Committed {
    on: Date,
    description: &'static str,
    points: u8,
    decided_by: &'static str,
}

pub(super) fn driver(
    context: &Context,
    resident: &Resident,
    profile: &Profile,
) -> Gen<Option<DriverRecord>> {
    let Some(plan) = profile.driver else {
        return Ok(None);
    };
    let anchor = context.anchor;
    let mut rng = Rng::new(context.seed, resident.index, Stream::Driver);
    let first_licence = days_after(
        years_after(resident.birth_date, i64::from(plan.first_licence_age))?,
        rng.between(0, 300),
    )?
    .min(anchor);

    let mut offences = Vec::new();
    let mut bans = Vec::new();
    let mut losses = Vec::new();
    let regained = past_loss(&mut rng, anchor, first_licence, &plan, &mut losses)?;
    // Offences come after the licence was granted, or granted again.
    let licensed_from = regained.unwrap_or(first_licence);
    ban(
        &mut rng,
        anchor,
        licensed_from,
        plan.ban,
        &mut offences,
        &mut bans,
        &mut losses,
    )?;
    if plan.old_offence {
        let on = days_before(anchor, rng.between(400, 700))?;
        let points = *rng.pick(&[2, 4]);
        if on > licensed_from {
            offences.push(minor_offence(&mut rng, on, points));
        }
    }
    recent_offences(&mut rng, anchor, licensed_from, &plan, &mut offences)?;
    offences.sort_by_key(|offence| offence.on);

    let tally = tally(anchor, &offences)?;
    if let Some(reached) = tally.reached_twelve_on {
        // The licence is lost five working days after the driver is told.
        losses.push(LicenceLoss {
            on: days_after(reached, rng.between(7, 20))?.min(anchor),
            reason: text(tables::LOSS_BY_POINTS)?,
        });
    }
    losses.sort_by_key(|loss| loss.on);
    // A loss after the last regained licence means there is none now.
    let lost_now = losses
        .iter()
        .any(|loss| regained.is_none_or(|regained| loss.on > regained));

    let (licence, groups, professional_competence) = if lost_now {
        (None, Vec::new(), None)
    } else {
        licence(context, &mut rng, resident, &plan, licensed_from)?
    };
    Ok(Some(DriverRecord {
        licence,
        groups,
        professional_competence,
        points: points(tally.points)?,
        points_changed_on: tally.changed_on,
        offences: offences
            .iter()
            .map(|offence| {
                Ok(Offence {
                    committed_on: offence.on,
                    description: text(offence.description)?,
                    points: points(offence.points)?,
                    decided_by: text(offence.decided_by)?,
                })
            })
            .collect::<Gen<_>>()?,
        bans,
        losses,
    }))
}

fn points(points: u8) -> Gen<Points> {
    Points::new(points).map_err(invalid)
}

/// The ban the plan asks for, with the offence it was imposed for; a ban
/// longer than a year also costs the licence.
fn ban(
    rng: &mut Rng,
    anchor: Date,
    licensed_from: Date,
    plan: BanPlan,
    offences: &mut Vec<Committed>,
    bans: &mut Vec<DrivingBan>,
    losses: &mut Vec<LicenceLoss>,
) -> Gen<()> {
    let (kind, days_ago) = match plan {
        BanPlan::None => return Ok(()),
        BanPlan::HeldByPolice => {
            bans.push(DrivingBan {
                from: days_before(anchor, rng.between(1, 20))?,
                until: None,
                reason: text(tables::LICENCE_HELD_BY_POLICE)?,
                imposed_by: text(tables::POLICE)?,
            });
            return Ok(());
        }
        BanPlan::Past => (
            *rng.pick(&[tables::DRINK_DRIVING, tables::SPEEDING_40]),
            rng.between(560, 720),
        ),
        BanPlan::InForce => (
            *rng.pick(&[tables::DRINK_DRIVING, tables::SPEEDING_40]),
            rng.between(40, 170),
        ),
        BanPlan::LongInForce => (tables::REFUSED_TEST, rng.between(40, 300)),
    };
    let on = days_before(anchor, days_ago)?;
    if on <= licensed_from {
        return Ok(());
    }
    let authority = if rng.chance(80) {
        tables::TRAFFIC_OFFICE
    } else {
        tables::NEIGHBOURING_TRAFFIC_OFFICE
    };
    offences.push(Committed {
        on,
        description: kind.description,
        points: kind.points,
        decided_by: authority,
    });
    let OffenceKind {
        ban_months: Some((shortest, longest)),
        ..
    } = kind
    else {
        return Ok(());
    };
    let months = rng.between(shortest, longest);
    // The ban runs from the day the decision is final.
    let from = days_after(on, rng.between(20, 35))?;
    bans.push(DrivingBan {
        from,
        until: Some(days_before(months_after(from, months)?, 1)?),
        reason: text(kind.description)?,
        imposed_by: text(authority)?,
    });
    if months > 12 {
        losses.push(LicenceLoss {
            on: from,
            reason: text(tables::LOSS_BY_LONG_BAN)?,
        });
    }
    Ok(())
}

/// Offences of the last twelve months adding up to the planned points,
/// after any older offence's points were written off.
fn recent_offences(
    rng: &mut Rng,
    anchor: Date,
    licensed_from: Date,
    plan: &DriverPlan,
    offences: &mut Vec<Committed>,
) -> Gen<()> {
    let year_ago = days_before(anchor, 360)?;
    let mut remaining = plan.recent_points;
    let mut start = year_ago.max(licensed_from);
    for offence in offences.iter() {
        if offence.on >= year_ago {
            remaining = remaining.saturating_sub(offence.points);
        } else {
            start = start.max(days_after(offence.on, 366)?);
        }
    }
    let window = days_between(start, anchor) - 1;
    if window < 1 {
        return Ok(());
    }
    while remaining >= 2 {
        let points = match remaining {
            2 | 3 => 2,
            4 | 5 => *rng.weighted(&[(45, 2), (55, 4)]),
            _ => *rng.weighted(&[(40, 2), (40, 4), (20, 6)]),
        };
        let on = days_after(start, rng.between(1, window))?;
        offences.push(minor_offence(rng, on, points));
        remaining -= points;
    }
    Ok(())
}

/// An offence without a ban required, of the given points.
fn minor_offence(rng: &mut Rng, on: Date, points: u8) -> Committed {
    let description = match points {
        2 => rng.pick(&tables::OFFENCES_2),
        4 => rng.pick(&tables::OFFENCES_4),
        _ => rng.pick(&tables::OFFENCES_6),
    };
    let &decided_by = rng.weighted(&tables::OFFENCE_AUTHORITIES);
    Committed {
        on,
        description,
        points,
        decided_by,
    }
}

/// The state of the points account on the anchor day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tally {
    points: u8,
    changed_on: Option<Date>,
    /// The day the account reached 12; it stays there until the licence is back.
    reached_twelve_on: Option<Date>,
}

fn tally(anchor: Date, offences: &[Committed]) -> Gen<Tally> {
    let mut tally = Tally {
        points: 0,
        changed_on: None,
        reached_twelve_on: None,
    };
    let mut last_offence: Option<Date> = None;
    for offence in offences {
        if tally.reached_twelve_on.is_some() {
            break;
        }
        write_off(&mut tally, last_offence, offence.on)?;
        tally.points = tally.points.saturating_add(offence.points).min(MAX_POINTS);
        tally.changed_on = Some(offence.on);
        if tally.points == MAX_POINTS {
            tally.reached_twelve_on = Some(offence.on);
        }
        last_offence = Some(offence.on);
    }
    if tally.reached_twelve_on.is_none() {
        write_off(&mut tally, last_offence, anchor)?;
    }
    Ok(tally)
}

/// Takes off the points due for each twelve months without an offence
/// after the last one, up to a day.
fn write_off(tally: &mut Tally, last_offence: Option<Date>, up_to: Date) -> Gen<()> {
    let Some(last_offence) = last_offence else {
        return Ok(());
    };
    let mut years = 1;
    while tally.points > 0 {
        let due = years_after(last_offence, years)?;
        if due > up_to {
            break;
        }
        tally.points = tally.points.saturating_sub(WRITE_OFF);
        tally.changed_on = Some(due);
        years += 1;
    }
    Ok(())
}

/// A licence lost years ago and regained; returns the day it came back.
fn past_loss(
    rng: &mut Rng,
    anchor: Date,
    first_licence: Date,
    plan: &DriverPlan,
    losses: &mut Vec<LicenceLoss>,
) -> Gen<Option<Date>> {
    if !plan.past_loss {
        return Ok(None);
    }
    let on = days_before(anchor, rng.between(4 * 365, 15 * 365))?;
    let regained = days_after(on, rng.between(365, 900))?;
    if on <= days_after(first_licence, 365)? || regained >= days_before(anchor, 30)? {
        return Ok(None);
    }
    let &reason = rng.pick(&tables::PAST_LOSS_REASONS);
    losses.push(LicenceLoss {
        on,
        reason: text(reason)?,
    });
    Ok(Some(regained))
}

type Licence = (
    Option<DrivingLicence>,
    Vec<LicenceGroup>,
    Option<ProfessionalCompetence>,
);

/// The licence, its groups in the order they were granted, and the
/// professional certificate of truck and bus drivers.
fn licence(
    context: &Context,
    rng: &mut Rng,
    resident: &Resident,
    plan: &DriverPlan,
    granted_from: Date,
) -> Gen<Licence> {
    let anchor = context.anchor;
    let mut since = Vec::with_capacity(5);
    let mut previous = granted_from;
    for (index, (group, minimum_age)) in plan.licence.groups().iter().enumerate() {
        let earliest = years_after(resident.birth_date, i64::from(*minimum_age))?;
        let granted = if index == 0 {
            previous.max(earliest)
        } else {
            days_after(previous, rng.between(0, 700))?.max(earliest)
        };
        let granted = granted.min(anchor);
        since.push((*group, granted));
        previous = granted;
    }
    let last_granted = since.last().map_or(granted_from, |(_, day)| *day);

    let years = if plan.licence.professional() { 5 } else { 10 };
    let mut valid_until = planned_end(rng, anchor, plan.validity, years * 365 - 30)?;
    let mut issued_on = years_before(valid_until, years)?;
    if issued_on < last_granted {
        // A new card comes with a new group: issued then, valid from then.
        issued_on = days_after(
            last_granted,
            rng.between(0, days_between(last_granted, anchor).min(700)),
        )?;
        valid_until = years_after(issued_on, years)?;
    }
    let number = format!("{}{}", rng.pick(&tables::LICENCE_SERIES), rng.digits(6));
    let issued_by = if rng.chance(80) {
        tables::TOWN_OFFICE
    } else {
        rng.pick(&tables::OTHER_ISSUING_OFFICES)
    };
    let groups: Vec<LicenceGroup> = since
        .iter()
        .map(|(group, since)| LicenceGroup {
            group: *group,
            since: *since,
            until: is_professional(*group).then_some(valid_until),
        })
        .collect();
    let professional_groups: Vec<VehicleGroup> = groups
        .iter()
        .map(|group| group.group)
        .filter(|group| is_professional(*group))
        .collect();
    let competence = match plan.competence {
        Some(expiry) if !professional_groups.is_empty() => Some(ProfessionalCompetence {
            number: DocumentNumber::parse(&format!("PZ{}", rng.digits(6))).map_err(invalid)?,
            groups: professional_groups,
            valid_until: planned_end(rng, anchor, expiry, 5 * 365 - 30)?,
        }),
        _ => None,
    };
    let licence = DrivingLicence {
        number: DocumentNumber::parse(&number).map_err(invalid)?,
        issued_on,
        valid_until,
        issued_by: text(issued_by)?,
    };
    Ok((Some(licence), groups, competence))
}

/// Groups C and D are granted for the licence's term; the others for life.
fn is_professional(group: VehicleGroup) -> bool {
    use VehicleGroup::{C, C1, C1E, CE, D, D1, D1E, DE};
    matches!(group, C1 | C1E | C | CE | D1 | D1E | D | DE)
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn offence(on: Date, points: u8) -> Committed {
        Committed {
            on,
            description: tables::OFFENCES_2[0],
            points,
            decided_by: tables::TRAFFIC_OFFICE,
        }
    }

    #[test]
    fn points_are_written_off_after_twelve_months_without_an_offence() {
        let anchor = date(2026, 11, 22);
        let tally = tally(anchor, &[offence(date(2025, 3, 1), 6)]).unwrap();
        assert_eq!(tally.points, 2);
        assert_eq!(tally.changed_on, Some(date(2026, 3, 1)));

        let tally = tally_of(anchor, &[(date(2024, 12, 1), 4), (date(2026, 2, 1), 2)]);
        assert_eq!(
            (tally.points, tally.changed_on),
            (2, Some(date(2026, 2, 1)))
        );

        let tally = tally_of(anchor, &[(date(2025, 12, 1), 4), (date(2026, 2, 1), 2)]);
        assert_eq!(tally.points, 6, "no twelve months without an offence yet");
    }

    #[test]
    fn twelve_points_stay_until_the_licence_is_back() {
        let anchor = date(2026, 11, 22);
        let tally = tally_of(
            anchor,
            &[
                (date(2025, 1, 10), 6),
                (date(2025, 5, 1), 4),
                (date(2025, 6, 1), 4),
            ],
        );
        assert_eq!(tally.points, 12);
        assert_eq!(tally.reached_twelve_on, Some(date(2025, 6, 1)));
        assert_eq!(tally_of(anchor, &[]).points, 0);
    }

    fn tally_of(anchor: Date, offences: &[(Date, u8)]) -> Tally {
        let offences: Vec<Committed> = offences
            .iter()
            .map(|(on, points)| offence(*on, *points))
            .collect();
        tally(anchor, &offences).unwrap()
    }
}

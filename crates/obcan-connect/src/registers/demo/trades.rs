//! Trade licences from the trade register, all under the resident's one IČO.

use obcan_core::registers::{Ico, TradeLicence, TradeState};

use super::profile::{Profile, Resident, TradePlanState};
use super::rng::{Rng, Stream};
use super::{
    Context, Gen, days_after, days_before, days_between, invalid, tables, text, years_after,
};

pub(super) fn trade_licences(
    context: &Context,
    resident: &Resident,
    profile: &Profile,
) -> Gen<Vec<TradeLicence>> {
    if profile.trades.is_empty() {
        return Ok(Vec::new());
    }
    let anchor = context.anchor;
    let mut rng = Rng::new(context.seed, resident.index, Stream::Trades);
    let ico = ico(&mut rng)?;
    // In business from 20 at the earliest, and at most for thirty years.
    let earliest = years_after(resident.birth_date, 20)?.max(years_after(anchor, -30)?);
    let span = days_between(earliest, anchor);
    profile
        .trades
        .iter()
        .map(|plan| {
            let (state, since, until) = match plan.state {
                TradePlanState::Active => (
                    TradeState::Active,
                    days_after(earliest, rng.between(0, span - 30))?,
                    None,
                ),
                TradePlanState::Suspended => (
                    TradeState::Suspended,
                    days_after(earliest, rng.between(0, span - 400))?,
                    Some(days_after(anchor, rng.between(20, 700))?),
                ),
                TradePlanState::Ended => {
                    let since = days_after(earliest, rng.between(0, span - 400))?;
                    let lasted = rng.between(180, days_between(since, anchor) - 1);
                    let ended = days_after(since, lasted)?.min(days_before(anchor, 1)?);
                    (TradeState::Ended, since, Some(ended.max(since)))
                }
            };
            Ok(TradeLicence {
                ico: ico.clone(),
                subject: text(plan.subject.name)?,
                kind: plan.subject.kind,
                since,
                state,
                until,
                trade_office: text(tables::TRADE_OFFICE)?,
            })
        })
        .collect()
}

/// Seven digits and their modulo-11 check digit.
fn ico(rng: &mut Rng) -> Gen<Ico> {
    let first_seven: Vec<u32> = (0..7).map(|_| rng.below(10) as u32).collect();
    let check = Ico::check_digit(&first_seven);
    let raw: String = first_seven
        .iter()
        .chain(std::iter::once(&check))
        .filter_map(|digit| char::from_digit(*digit, 10))
        .collect();
    Ico::parse(&raw).map_err(invalid)
}

//! `/api/v1/me/…`: the citizen's register data, as the pages show it.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use obcan_core::registers::{DataUsage, Section, SectionData};
use serde::{Deserialize, Serialize};

use super::{ApiCitizen, Problem};
use crate::i18n::texts;
use crate::pages::my_data::UsageFilter;
use crate::registers::{self, Reading, Shown};
use crate::state::AppState;

/// Records of "who used my data" in one answer, unless asked for fewer.
const USAGE_PAGE: usize = 50;
const MAX_USAGE_PAGE: usize = 200;

/// How current a section's data is.
#[derive(Debug, Clone, Copy)]
struct Freshness {
    as_of: Timestamp,
    stale: bool,
}

/// One section's data with how current it is.
#[derive(Debug, Serialize)]
struct Answer<T> {
    data: T,
    /// When the register gave this data.
    as_of: Timestamp,
    /// True when the register did not answer now and this is its last answer.
    stale: bool,
}

macro_rules! section_endpoints {
    ($($name:ident => $section:ident),* $(,)?) => {$(
        pub(crate) async fn $name(State(state): State<AppState>, citizen: ApiCitizen) -> Response {
            match read(&state, &citizen, Section::$section).await {
                Ok((freshness, SectionData::$section(data))) => answer(freshness, data),
                Ok(_) => Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error")
                    .into_response(),
                Err(problem) => problem.into_response(),
            }
        }
    )*};
}

section_endpoints! {
    personal_data => Personal,
    identity_documents => Documents,
    driver => Driver,
    vehicles => Vehicles,
    trade_licences => TradeLicences,
}

/// The usage log's filter and page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct UsageQuery {
    from: String,
    to: String,
    authority: String,
    page: Option<usize>,
    per_page: Option<usize>,
}

#[derive(Debug, Serialize)]
struct UsagePage<'a> {
    entries: Vec<&'a DataUsage>,
    total: usize,
    page: usize,
    per_page: usize,
}

pub(crate) async fn data_usage(
    State(state): State<AppState>,
    citizen: ApiCitizen,
    query: Result<Query<UsageQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return Problem::new(StatusCode::BAD_REQUEST, "bad-request", "Bad request")
            .detail("page and per_page are positive whole numbers")
            .into_response();
    };
    let t = &texts(citizen.0.visitor.language).my_data;
    let filter = match UsageFilter::parse(t, &query.from, &query.to, &query.authority) {
        Ok(filter) => filter,
        Err(errors) => {
            let detail = errors
                .iter()
                .map(|error| format!("{}: {}", error.field, error.message))
                .collect::<Vec<_>>()
                .join("; ");
            return Problem::new(StatusCode::BAD_REQUEST, "invalid-filter", "Invalid filter")
                .detail(detail)
                .into_response();
        }
    };
    let (freshness, data) = match read(&state, &citizen, Section::DataUsage).await {
        Ok((freshness, SectionData::DataUsage(entries))) => (freshness, entries),
        Ok(_) => {
            return Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
            )
            .into_response();
        }
        Err(problem) => return problem.into_response(),
    };
    let per_page = query
        .per_page
        .unwrap_or(USAGE_PAGE)
        .clamp(1, MAX_USAGE_PAGE);
    let page = query.page.unwrap_or(1).max(1);
    let matching: Vec<&DataUsage> = data.iter().filter(|entry| filter.admits(entry)).collect();
    let total = matching.len();
    let entries = matching
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .collect();
    answer(
        freshness,
        UsagePage {
            entries,
            total,
            page,
            per_page,
        },
    )
}

/// One section, or the problem that keeps it from the citizen.
async fn read(
    state: &AppState,
    citizen: &ApiCitizen,
    section: Section,
) -> Result<(Freshness, SectionData), Problem> {
    let mut reading = registers::read(state, &citizen.0, &[section])
        .await
        .map_err(Problem::from)?;
    if let Reading::NotMatched { register_down } = reading {
        return Err(if register_down {
            unavailable()
        } else {
            Problem::new(
                StatusCode::NOT_FOUND,
                "not-matched",
                "You were not found in the public registers",
            )
            .detail("log in with a means of identity that identifies you, such as NIA")
        });
    }
    let (data, as_of, stale) = reading
        .take(section)
        .and_then(Shown::into_parts)
        .ok_or_else(unavailable)?;
    Ok((Freshness { as_of, stale }, data))
}

fn unavailable() -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "register-unavailable",
        "The register is not answering now",
    )
}

fn answer<T: Serialize>(freshness: Freshness, data: T) -> Response {
    Json(Answer {
        data,
        as_of: freshness.as_of,
        stale: freshness.stale,
    })
    .into_response()
}

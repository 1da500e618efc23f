//! "Moje údaje": what the public registers hold about the citizen, one page
//! per register and an overview, read through [`crate::registers`].

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use jiff::civil::Date;
use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::registers::{
    DataUsage, DocumentKind, DriverRecord, IdentityDocument, MaritalStatus, PersonalData,
    Section as RegisterSection, SectionData, TradeKind, TradeLicence, TradeState, Validity,
    Vehicle, VehicleRelation,
};
use obcan_formats::driver_extract::{ExtractPerson, PointsExtract};
use obcan_store::{Extract, ExtractSummary};
use serde::Deserialize;

use super::{Chrome, Section, ValidForm, ValidQuery, local_time, render};
use crate::authz::SignedInCitizen;
use crate::error::WebError;
use crate::i18n::{MyDataTexts, Texts};
use crate::registers::{self, Reading, Shown};
use crate::state::AppState;

/// Records of "who used my data" on one page.
const USAGE_PAGE: usize = 20;

/// The parts of "My data", in the order of its side navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Overview,
    Personal,
    Documents,
    Driver,
    Vehicles,
    Trade,
    Usage,
}

impl Part {
    const ALL: [Self; 7] = [
        Self::Overview,
        Self::Personal,
        Self::Documents,
        Self::Driver,
        Self::Vehicles,
        Self::Trade,
        Self::Usage,
    ];

    pub(crate) const fn href(self) -> &'static str {
        match self {
            Self::Overview => "/me",
            Self::Personal => "/me/personal",
            Self::Documents => "/me/documents",
            Self::Driver => "/me/driver",
            Self::Vehicles => "/me/vehicles",
            Self::Trade => "/me/trade-licences",
            Self::Usage => "/me/data-usage",
        }
    }

    fn label(self, t: &MyDataTexts) -> &'static str {
        match self {
            Self::Overview => t.overview,
            Self::Personal => t.personal,
            Self::Documents => t.documents,
            Self::Driver => t.driver,
            Self::Vehicles => t.vehicles,
            Self::Trade => t.trade,
            Self::Usage => t.usage,
        }
    }

    fn section(self) -> Option<RegisterSection> {
        match self {
            Self::Overview => None,
            Self::Personal => Some(RegisterSection::Personal),
            Self::Documents => Some(RegisterSection::Documents),
            Self::Driver => Some(RegisterSection::Driver),
            Self::Vehicles => Some(RegisterSection::Vehicles),
            Self::Trade => Some(RegisterSection::TradeLicences),
            Self::Usage => Some(RegisterSection::DataUsage),
        }
    }

    fn of(section: RegisterSection) -> Self {
        match section {
            RegisterSection::Personal => Self::Personal,
            RegisterSection::Documents => Self::Documents,
            RegisterSection::Driver => Self::Driver,
            RegisterSection::Vehicles => Self::Vehicles,
            RegisterSection::TradeLicences => Self::Trade,
            RegisterSection::DataUsage => Self::Usage,
        }
    }
}

#[derive(Debug)]
pub(crate) struct PartLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// What every page of "My data" shows around its content.
#[derive(Debug)]
pub(crate) struct Frame {
    pub title: &'static str,
    pub parts: Vec<PartLink>,
    /// Said above the data: the register is down, not matched, or the time
    /// of the data shown.
    pub warning: Option<String>,
    pub as_of: Option<String>,
    /// The section whose data can be reloaded from the register.
    pub reload: Option<&'static str>,
}

impl Frame {
    fn new(t: &'static Texts, current: Part) -> Self {
        Self {
            title: current.label(&t.my_data),
            parts: Part::ALL
                .into_iter()
                .map(|part| PartLink {
                    href: part.href(),
                    label: part.label(&t.my_data),
                    current: part == current,
                })
                .collect(),
            warning: None,
            as_of: None,
            reload: None,
        }
    }
}

/// A status word with the colour it is shown in.
#[derive(Debug, Clone)]
pub(crate) struct Status {
    pub text: String,
    /// `ok`, `warning` or `error`, for the stylesheet.
    pub tone: &'static str,
}

fn validity(t: &Texts, validity: Validity, last_day: Date) -> Status {
    let m = &t.my_data;
    match validity {
        Validity::Valid { .. } => Status {
            text: m.valid.to_owned(),
            tone: "ok",
        },
        Validity::ExpiresSoon { days_left: 0 } => Status {
            text: m.expires_today.to_owned(),
            tone: "warning",
        },
        Validity::ExpiresSoon { days_left } => Status {
            text: format!("{} {}", m.expires_in, t.days(days_left)),
            tone: "warning",
        },
        Validity::Expired { .. } => Status {
            text: format!("{} {}", m.expired, t.date_short(last_day)),
            tone: "error",
        },
    }
}

fn today(state: &AppState) -> Date {
    state.now().to_zoned(obcan_core::time::office_zone()).date()
}

/// Reads one section for its page and fills the frame's notices.
async fn read_part(
    state: &AppState,
    citizen: &SignedInCitizen,
    part: Part,
    frame: &mut Frame,
    t: &MyDataTexts,
) -> Result<Option<SectionData>, WebError> {
    let Some(section) = part.section() else {
        return Ok(None);
    };
    let mut reading = registers::read(state, citizen, &[section]).await?;
    if let Reading::NotMatched { register_down } = reading {
        frame.warning = Some(not_matched(t, register_down).to_owned());
        return Ok(None);
    }
    let shown = reading.take(section).unwrap_or(Shown::Unavailable);
    frame.reload = Some(section.as_str());
    (frame.warning, frame.as_of) = describe(t, &shown);
    Ok(shown.into_parts().map(|(data, ..)| data))
}

fn not_matched(t: &MyDataTexts, register_down: bool) -> &'static str {
    if register_down {
        t.registers_down
    } else {
        t.not_matched
    }
}

/// Says how current the shown data is: a warning, or the time of fresh data.
fn describe(t: &MyDataTexts, shown: &Shown) -> (Option<String>, Option<String>) {
    match shown {
        Shown::Current { as_of, .. } => (None, Some(local_time(*as_of))),
        Shown::LastKnown { as_of, .. } => {
            (Some(format!("{} {}.", t.stale, local_time(*as_of))), None)
        }
        Shown::Unavailable => (Some(t.unavailable.to_owned()), None),
    }
}

// ---------------------------------------------------------------- overview

#[derive(Template)]
#[template(path = "my_data_overview.html")]
struct OverviewPage {
    chrome: Chrome,
    frame: Frame,
    attention: Vec<Attention>,
    cards: Vec<Card>,
}

#[derive(Debug)]
struct Attention {
    text: String,
    href: &'static str,
}

#[derive(Debug)]
struct Card {
    title: &'static str,
    href: &'static str,
    lines: Vec<String>,
    note: Option<String>,
}

pub(crate) async fn overview(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&state, &citizen.visitor, "/me", Section::MyData)?;
    let t = chrome.t;
    let mut frame = Frame::new(t, Part::Overview);
    frame.title = t.my_data.title;
    let mut reading = registers::read(&state, &citizen, &RegisterSection::ALL).await?;
    let mut attention = Vec::new();
    let mut cards = Vec::new();
    if let Reading::NotMatched { register_down } = reading {
        frame.warning = Some(not_matched(&t.my_data, register_down).to_owned());
    } else {
        let today = today(&state);
        let mut oldest: Option<Timestamp> = None;
        for section in RegisterSection::ALL {
            let shown = reading.take(section).unwrap_or(Shown::Unavailable);
            if let Shown::Current { as_of, .. } = shown {
                oldest = Some(oldest.map_or(as_of, |oldest| oldest.min(as_of)));
            }
            cards.push(card(t, &shown, section, today, &mut attention));
        }
        frame.as_of = oldest.map(local_time);
    }
    render(&OverviewPage {
        chrome,
        frame,
        attention,
        cards,
    })
}

fn card(
    t: &Texts,
    shown: &Shown,
    section: RegisterSection,
    today: Date,
    attention: &mut Vec<Attention>,
) -> Card {
    let m = &t.my_data;
    let part = Part::of(section);
    let (note, _) = describe(m, shown);
    let mut lines = Vec::new();
    let mut attend = |text: String| {
        attention.push(Attention {
            text,
            href: part.href(),
        });
    };
    match shown.data() {
        Some(SectionData::Personal(person)) => {
            lines.push(format!("{} {}", person.given_name, person.family_name));
            lines.push(person.address.to_string());
        }
        Some(SectionData::Documents(documents)) => {
            if documents.is_empty() {
                lines.push(m.no_documents.to_owned());
            }
            for document in documents {
                let status = validity(t, document.validity(today), document.valid_until);
                let line = format!(
                    "{} {}: {}",
                    kind(m, document.kind),
                    document.number,
                    status.text
                );
                if status.tone != "ok" {
                    attend(line.clone());
                }
                lines.push(line);
            }
        }
        Some(SectionData::Driver(None)) => lines.push(m.not_a_driver.to_owned()),
        Some(SectionData::Driver(Some(driver))) => {
            lines.push(format!(
                "{}: {} {}",
                m.points_state,
                driver.points.get(),
                m.points_of
            ));
            if let Some(licence) = &driver.licence {
                let status = validity(t, licence.validity(today), licence.valid_until);
                let line = format!("{}: {}", m.licence, status.text);
                if status.tone != "ok" {
                    attend(line.clone());
                }
                lines.push(line);
            }
            if driver.bans.iter().any(|ban| ban.in_force(today)) {
                attend(m.ban_in_force_notice.to_owned());
                lines.push(m.ban_in_force_notice.to_owned());
            }
        }
        Some(SectionData::Vehicles(vehicles)) => {
            if vehicles.is_empty() {
                lines.push(m.no_vehicles.to_owned());
            }
            for vehicle in vehicles {
                let status = inspection(t, vehicle, today);
                let line = format!(
                    "{} {} ({}): {} {}",
                    vehicle.make, vehicle.model, vehicle.plate, m.inspection, status.text
                );
                if status.tone != "ok" && status.tone != "none" {
                    attend(line.clone());
                }
                lines.push(line);
            }
        }
        Some(SectionData::TradeLicences(licences)) => {
            if licences.is_empty() {
                lines.push(m.no_trade.to_owned());
            }
            for licence in licences.iter().take(3) {
                lines.push(format!(
                    "{} ({})",
                    licence.subject,
                    trade_state(m, licence.state)
                ));
            }
        }
        Some(SectionData::DataUsage(entries)) => {
            let month_ago = today.saturating_sub(jiff::Span::new().days(30));
            let recent = entries
                .iter()
                .filter(|entry| local_date(entry.at) >= month_ago)
                .count();
            lines.push(format!(
                "{}: {} ({})",
                m.usage_count, recent, m.usage_recent
            ));
            if let Some(last) = entries.first() {
                lines.push(format!("{}, {}", local_time(last.at), last.authority));
            }
        }
        None => {}
    }
    Card {
        title: part.label(m),
        href: part.href(),
        lines,
        note,
    }
}

fn local_date(at: Timestamp) -> Date {
    at.to_zoned(obcan_core::time::office_zone()).date()
}

// ---------------------------------------------------------------- personal

#[derive(Template)]
#[template(path = "my_data_personal.html")]
struct PersonalPage {
    chrome: Chrome,
    frame: Frame,
    facts: Vec<(&'static str, String)>,
}

pub(crate) async fn personal(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
) -> Result<Response, WebError> {
    let (chrome, mut frame) = frame(&state, &citizen, Part::Personal)?;
    let data = read_part(
        &state,
        &citizen,
        Part::Personal,
        &mut frame,
        &chrome.t.my_data,
    )
    .await?;
    let facts = match data {
        Some(SectionData::Personal(person)) => personal_facts(chrome.t, &person),
        _ => Vec::new(),
    };
    render(&PersonalPage {
        chrome,
        frame,
        facts,
    })
}

fn personal_facts(t: &Texts, person: &PersonalData) -> Vec<(&'static str, String)> {
    let m = &t.my_data;
    let or_not_stated = |value: &Option<obcan_core::registers::RegisterText>| {
        value
            .as_ref()
            .map_or_else(|| m.not_stated.to_owned(), ToString::to_string)
    };
    vec![
        (m.given_name, person.given_name.to_string()),
        (m.family_name, person.family_name.to_string()),
        (m.birth_date, t.date_short(person.birth_date)),
        (m.birth_place, person.birth_place.to_string()),
        (m.citizenship, person.citizenship.to_string()),
        (m.address, person.address.to_string()),
        (m.delivery_address, or_not_stated(&person.delivery_address)),
        (
            m.marital_status,
            marital(m, person.marital_status).to_owned(),
        ),
        (m.data_box, or_not_stated(&person.data_box)),
        (m.register_email, or_not_stated(&person.email)),
        (m.register_phone, or_not_stated(&person.phone)),
    ]
}

fn marital(m: &MyDataTexts, status: MaritalStatus) -> &'static str {
    match status {
        MaritalStatus::Single => m.marital_single,
        MaritalStatus::Married => m.marital_married,
        MaritalStatus::Divorced => m.marital_divorced,
        MaritalStatus::Widowed => m.marital_widowed,
        MaritalStatus::RegisteredPartnership => m.marital_partnership,
    }
}

fn frame(
    state: &AppState,
    citizen: &SignedInCitizen,
    part: Part,
) -> Result<(Chrome, Frame), WebError> {
    let chrome = Chrome::new(state, &citizen.visitor, part.href(), Section::MyData)?;
    let frame = Frame::new(chrome.t, part);
    Ok((chrome, frame))
}

// ---------------------------------------------------------------- documents

#[derive(Template)]
#[template(path = "my_data_documents.html")]
struct DocumentsPage {
    chrome: Chrome,
    frame: Frame,
    documents: Option<Vec<DocumentView>>,
}

#[derive(Debug)]
struct DocumentView {
    kind: &'static str,
    number: String,
    issued_on: String,
    valid_until: String,
    issued_by: String,
    status: Status,
}

pub(crate) async fn documents(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
) -> Result<Response, WebError> {
    let (chrome, mut frame) = frame(&state, &citizen, Part::Documents)?;
    let data = read_part(
        &state,
        &citizen,
        Part::Documents,
        &mut frame,
        &chrome.t.my_data,
    )
    .await?;
    let today = today(&state);
    let documents = match data {
        Some(SectionData::Documents(documents)) => Some(
            documents
                .iter()
                .map(|document| document_view(chrome.t, document, today))
                .collect(),
        ),
        _ => None,
    };
    render(&DocumentsPage {
        chrome,
        frame,
        documents,
    })
}

fn document_view(t: &Texts, document: &IdentityDocument, today: Date) -> DocumentView {
    DocumentView {
        kind: kind(&t.my_data, document.kind),
        number: document.number.to_string(),
        issued_on: t.date_short(document.issued_on),
        valid_until: t.date_short(document.valid_until),
        issued_by: document.issued_by.to_string(),
        status: validity(t, document.validity(today), document.valid_until),
    }
}

fn kind(m: &MyDataTexts, kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::IdCard => m.id_card,
        DocumentKind::Passport => m.passport,
    }
}

// ---------------------------------------------------------------- driver

#[derive(Template)]
#[template(path = "my_data_driver.html")]
struct DriverPage {
    chrome: Chrome,
    frame: Frame,
    /// None when the register gave nothing to show.
    driver: Option<DriverView>,
    registered: bool,
    notice: Option<(&'static str, &'static str)>,
    extracts: Vec<ExtractView>,
}

#[derive(Debug)]
struct ExtractView {
    issued_at: String,
    content_sha256: String,
    href: String,
}

/// What the driver page says after an extract was asked for.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DriverQuery {
    extract: Option<ExtractOutcome>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ExtractOutcome {
    Ready,
    Unavailable,
}

#[derive(Debug)]
struct DriverView {
    licence: Option<LicenceView>,
    groups: Vec<GroupView>,
    competence: Option<CompetenceView>,
    points: u8,
    points_changed: String,
    points_lost: bool,
    offences: Vec<OffenceView>,
    bans: Vec<BanView>,
    ban_in_force: bool,
    losses: Vec<(String, String)>,
}

#[derive(Debug)]
struct LicenceView {
    number: String,
    issued_on: String,
    valid_until: String,
    issued_by: String,
    status: Status,
}

#[derive(Debug)]
struct GroupView {
    code: &'static str,
    since: String,
    until: String,
}

#[derive(Debug)]
struct CompetenceView {
    number: String,
    groups: String,
    valid_until: String,
    status: Status,
}

#[derive(Debug)]
struct OffenceView {
    committed_on: String,
    description: String,
    points: u8,
    decided_by: String,
}

#[derive(Debug)]
struct BanView {
    from: String,
    until: String,
    reason: String,
    imposed_by: String,
    in_force: bool,
}

pub(crate) async fn driver(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    ValidQuery(query): ValidQuery<DriverQuery>,
) -> Result<Response, WebError> {
    let (chrome, mut frame) = frame(&state, &citizen, Part::Driver)?;
    let data = read_part(
        &state,
        &citizen,
        Part::Driver,
        &mut frame,
        &chrome.t.my_data,
    )
    .await?;
    let today = today(&state);
    let (driver, registered) = match data {
        Some(SectionData::Driver(Some(record))) => {
            (Some(driver_view(chrome.t, &record, today)), true)
        }
        Some(SectionData::Driver(None)) => (None, false),
        _ => (None, true),
    };
    let m = &chrome.t.my_data;
    let notice = query.extract.map(|outcome| match outcome {
        ExtractOutcome::Ready => (m.extract_ready, "success"),
        ExtractOutcome::Unavailable => (m.extract_unavailable, "error"),
    });
    let extracts = state
        .store
        .register_data()
        .extracts(&citizen.id)
        .await?
        .into_iter()
        .map(|extract| ExtractView {
            issued_at: local_time(extract.issued_at),
            content_sha256: extract.content_sha256,
            href: format!("/me/extracts/{}", extract.id),
        })
        .collect();
    render(&DriverPage {
        chrome,
        frame,
        driver,
        registered,
        notice,
        extracts,
    })
}

fn driver_view(t: &Texts, record: &DriverRecord, today: Date) -> DriverView {
    let m = &t.my_data;
    DriverView {
        licence: record.licence.as_ref().map(|licence| LicenceView {
            number: licence.number.to_string(),
            issued_on: t.date_short(licence.issued_on),
            valid_until: t.date_short(licence.valid_until),
            issued_by: licence.issued_by.to_string(),
            status: validity(t, licence.validity(today), licence.valid_until),
        }),
        groups: record
            .groups
            .iter()
            .map(|group| GroupView {
                code: group.group.code(),
                since: t.date_short(group.since),
                until: group
                    .until
                    .map_or_else(|| m.no_end.to_owned(), |until| t.date_short(until)),
            })
            .collect(),
        competence: record
            .professional_competence
            .as_ref()
            .map(|competence| CompetenceView {
                number: competence.number.to_string(),
                groups: competence
                    .groups
                    .iter()
                    .map(|group| group.code())
                    .collect::<Vec<_>>()
                    .join(", "),
                valid_until: t.date_short(competence.valid_until),
                status: validity(
                    t,
                    Validity::on(today, competence.valid_until),
                    competence.valid_until,
                ),
            }),
        points: record.points.get(),
        points_changed: record
            .points_changed_on
            .map_or_else(|| m.points_never.to_owned(), |on| t.date_short(on)),
        points_lost: record.points.get() >= obcan_core::registers::MAX_POINTS,
        offences: record
            .offences
            .iter()
            .map(|offence| OffenceView {
                committed_on: t.date_short(offence.committed_on),
                description: offence.description.to_string(),
                points: offence.points.get(),
                decided_by: offence.decided_by.to_string(),
            })
            .collect(),
        bans: record
            .bans
            .iter()
            .map(|ban| BanView {
                from: t.date_short(ban.from),
                until: ban
                    .until
                    .map_or_else(|| m.no_end.to_owned(), |until| t.date_short(until)),
                reason: ban.reason.to_string(),
                imposed_by: ban.imposed_by.to_string(),
                in_force: ban.in_force(today),
            })
            .collect(),
        ban_in_force: record.bans.iter().any(|ban| ban.in_force(today)),
        losses: record
            .losses
            .iter()
            .map(|loss| (t.date_short(loss.on), loss.reason.to_string()))
            .collect(),
    }
}

// ---------------------------------------------------------------- vehicles

#[derive(Template)]
#[template(path = "my_data_vehicles.html")]
struct VehiclesPage {
    chrome: Chrome,
    frame: Frame,
    vehicles: Option<Vec<VehicleView>>,
}

#[derive(Debug)]
struct VehicleView {
    name: String,
    plate: String,
    vin: String,
    category: String,
    first_registered: String,
    relation: &'static str,
    inspection: Status,
}

pub(crate) async fn vehicles(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
) -> Result<Response, WebError> {
    let (chrome, mut frame) = frame(&state, &citizen, Part::Vehicles)?;
    let data = read_part(
        &state,
        &citizen,
        Part::Vehicles,
        &mut frame,
        &chrome.t.my_data,
    )
    .await?;
    let today = today(&state);
    let t = chrome.t;
    let vehicles = match data {
        Some(SectionData::Vehicles(vehicles)) => Some(
            vehicles
                .iter()
                .map(|vehicle| VehicleView {
                    name: format!("{} {}", vehicle.make, vehicle.model),
                    plate: vehicle.plate.to_string(),
                    vin: vehicle.vin.to_string(),
                    category: vehicle.category.to_string(),
                    first_registered: t.date_short(vehicle.first_registered_on),
                    relation: relation(&t.my_data, vehicle.relation),
                    inspection: inspection(t, vehicle, today),
                })
                .collect(),
        ),
        _ => None,
    };
    render(&VehiclesPage {
        chrome,
        frame,
        vehicles,
    })
}

fn inspection(t: &Texts, vehicle: &Vehicle, today: Date) -> Status {
    let m = &t.my_data;
    match (vehicle.inspection(today), vehicle.inspection_valid_until) {
        (Some(Validity::Valid { .. }), Some(until)) => Status {
            text: format!("{} {}", m.inspection_valid, t.date_short(until)),
            tone: "ok",
        },
        (Some(Validity::ExpiresSoon { days_left: 0 }), _) => Status {
            text: m.inspection_due_today.to_owned(),
            tone: "warning",
        },
        (Some(Validity::ExpiresSoon { days_left }), _) => Status {
            text: format!("{} {}", m.inspection_due_in, t.days(days_left)),
            tone: "warning",
        },
        (Some(Validity::Expired { .. }), Some(until)) => Status {
            text: format!("{} {}", m.inspection_overdue, t.date_short(until)),
            tone: "error",
        },
        _ => Status {
            text: m.inspection_none.to_owned(),
            tone: "none",
        },
    }
}

fn relation(m: &MyDataTexts, relation: VehicleRelation) -> &'static str {
    match relation {
        VehicleRelation::Owner => m.owner,
        VehicleRelation::Operator => m.operator,
        VehicleRelation::OwnerAndOperator => m.owner_and_operator,
    }
}

// ---------------------------------------------------------------- trade

#[derive(Template)]
#[template(path = "my_data_trade.html")]
struct TradePage {
    chrome: Chrome,
    frame: Frame,
    licences: Option<Vec<TradeView>>,
}

#[derive(Debug)]
struct TradeView {
    ico: String,
    subject: String,
    kind: &'static str,
    since: String,
    state: Status,
    office: String,
}

pub(crate) async fn trade_licences(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
) -> Result<Response, WebError> {
    let (chrome, mut frame) = frame(&state, &citizen, Part::Trade)?;
    let data = read_part(&state, &citizen, Part::Trade, &mut frame, &chrome.t.my_data).await?;
    let t = chrome.t;
    let licences = match data {
        Some(SectionData::TradeLicences(licences)) => Some(
            licences
                .iter()
                .map(|licence| trade_view(t, licence))
                .collect(),
        ),
        _ => None,
    };
    render(&TradePage {
        chrome,
        frame,
        licences,
    })
}

fn trade_view(t: &Texts, licence: &TradeLicence) -> TradeView {
    let m = &t.my_data;
    let mut state = trade_state(m, licence.state).to_owned();
    if let Some(until) = licence.until {
        state = format!(
            "{state} ({} {})",
            m.until.to_lowercase(),
            t.date_short(until)
        );
    }
    TradeView {
        ico: licence.ico.to_string(),
        subject: licence.subject.to_string(),
        kind: match licence.kind {
            TradeKind::Free => m.trade_free,
            TradeKind::Vocational => m.trade_vocational,
            TradeKind::Bound => m.trade_bound,
            TradeKind::Licensed => m.trade_licensed,
        },
        since: t.date_short(licence.since),
        state: Status {
            text: state,
            tone: match licence.state {
                TradeState::Active => "ok",
                TradeState::Suspended => "warning",
                TradeState::Ended => "none",
            },
        },
        office: licence.trade_office.to_string(),
    }
}

fn trade_state(m: &MyDataTexts, state: TradeState) -> &'static str {
    match state {
        TradeState::Active => m.trade_active,
        TradeState::Suspended => m.trade_suspended,
        TradeState::Ended => m.trade_ended,
    }
}

// ---------------------------------------------------------------- data usage

/// The filter as typed: kept as text, so a wrong date is shown back as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct UsageQuery {
    from: String,
    to: String,
    authority: String,
    page: Option<usize>,
}

#[derive(Template)]
#[template(path = "my_data_usage.html")]
struct UsagePage {
    chrome: Chrome,
    frame: Frame,
    query: UsageQuery,
    errors: Vec<FieldError>,
    entries: Option<Vec<UsageView>>,
    total: usize,
    page: usize,
    pages: usize,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Debug)]
pub(crate) struct FieldError {
    pub field: &'static str,
    pub message: &'static str,
}

#[derive(Debug)]
struct UsageView {
    at: String,
    authority: String,
    agenda: String,
    purpose: String,
    register: String,
}

/// A valid filter of the usage log.
#[derive(Debug, Default)]
pub(crate) struct UsageFilter {
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub authority: Option<String>,
}

impl UsageFilter {
    /// Checks the filter as typed; each wrong field has its message.
    pub(crate) fn parse(
        m: &MyDataTexts,
        from: &str,
        to: &str,
        authority: &str,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut date = |field: &'static str, raw: &str| -> Option<Date> {
            let raw = raw.trim();
            if raw.is_empty() {
                return None;
            }
            parse_date(raw).or_else(|| {
                errors.push(FieldError {
                    field,
                    message: m.usage_bad_date,
                });
                None
            })
        };
        let from = date("from", from);
        let to = date("to", to);
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            errors.push(FieldError {
                field: "from",
                message: m.usage_bad_range,
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let authority = authority.trim();
        Ok(Self {
            from,
            to,
            authority: (!authority.is_empty()).then(|| authority.to_lowercase()),
        })
    }

    pub(crate) fn admits(&self, entry: &DataUsage) -> bool {
        let day = local_date(entry.at);
        self.from.is_none_or(|from| from <= day)
            && self.to.is_none_or(|to| day <= to)
            && self
                .authority
                .as_ref()
                .is_none_or(|needle| entry.authority.as_str().to_lowercase().contains(needle))
    }
}

/// A day as people here write it, "22. 11. 2026" or "22.11.2026", or as
/// ISO 8601, "2026-11-22".
fn parse_date(raw: &str) -> Option<Date> {
    if let Ok(date) = raw.parse::<Date>() {
        return Some(date);
    }
    let parts: Vec<&str> = raw.split('.').map(str::trim).collect();
    let [day, month, year] = parts.as_slice() else {
        return None;
    };
    Date::new(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?).ok()
}

pub(crate) async fn data_usage(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    ValidQuery(query): ValidQuery<UsageQuery>,
) -> Result<Response, WebError> {
    let (chrome, mut frame) = frame(&state, &citizen, Part::Usage)?;
    let m = &chrome.t.my_data;
    let filter = UsageFilter::parse(m, &query.from, &query.to, &query.authority);
    let data = read_part(&state, &citizen, Part::Usage, &mut frame, &chrome.t.my_data).await?;
    let (errors, filter) = match filter {
        Ok(filter) => (Vec::new(), filter),
        Err(errors) => (errors, UsageFilter::default()),
    };
    let mut page = UsagePage {
        chrome,
        frame,
        errors,
        entries: None,
        total: 0,
        page: 1,
        pages: 1,
        previous: None,
        next: None,
        query,
    };
    if let Some(SectionData::DataUsage(entries)) = data {
        let matching: Vec<&DataUsage> = entries
            .iter()
            .filter(|entry| filter.admits(entry))
            .collect();
        page.total = matching.len();
        page.pages = matching.len().div_ceil(USAGE_PAGE).max(1);
        page.page = page.query.page.unwrap_or(1).clamp(1, page.pages);
        page.entries = Some(
            matching
                .iter()
                .skip((page.page - 1) * USAGE_PAGE)
                .take(USAGE_PAGE)
                .map(|entry| UsageView {
                    at: local_time(entry.at),
                    authority: entry.authority.to_string(),
                    agenda: format!("{} ({})", entry.agenda, entry.agenda_code),
                    purpose: entry.purpose.to_string(),
                    register: entry.register.to_string(),
                })
                .collect(),
        );
        let link = |number: usize| {
            let query = serde_urlencoded::to_string([
                ("from", page.query.from.as_str()),
                ("to", page.query.to.as_str()),
                ("authority", page.query.authority.as_str()),
                ("page", &number.to_string()),
            ])
            .unwrap_or_default();
            format!("/me/data-usage?{query}")
        };
        page.previous = (page.page > 1).then(|| link(page.page - 1));
        page.next = (page.page < page.pages).then(|| link(page.page + 1));
    }
    render(&page)
}

// ---------------------------------------------------------------- extract

/// Issues the driver's points extract from the register's current data and
/// keeps it for download.
pub(crate) async fn request_extract(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
) -> Result<Response, WebError> {
    let unavailable = || Redirect::to("/me/driver?extract=unavailable#points").into_response();
    let mut reading = registers::read(
        &state,
        &citizen,
        &[RegisterSection::Personal, RegisterSection::Driver],
    )
    .await?;
    // An extract states the register's data at its time of issue: never
    // issue one from the last known answer.
    let (
        Some(Shown::Current {
            data: SectionData::Personal(person),
            ..
        }),
        Some(Shown::Current {
            data: SectionData::Driver(record),
            ..
        }),
    ) = (
        reading.take(RegisterSection::Personal),
        reading.take(RegisterSection::Driver),
    )
    else {
        return Ok(unavailable());
    };
    let Some(record) = record else {
        return Ok(Redirect::to("/me/driver").into_response());
    };
    let name = obcan_core::citizen::PersonName::new(
        person.given_name.as_str(),
        person.family_name.as_str(),
    )
    .map_err(|error| WebError::Internal(format!("register name: {error}")))?;
    let issued_at = state.now();
    let language = citizen.visitor.language;
    let branding = &state.settings.branding;
    let portal_name = match (language, &branding.name_en) {
        (obcan_core::language::Language::English, Some(name)) => name.clone(),
        _ => branding.name.clone(),
    };
    let birth_date = person.birth_date;
    // Subsetting fonts and compressing take milliseconds of CPU: off the
    // async workers.
    let rendered = tokio::task::spawn_blocking(move || {
        obcan_formats::driver_extract::points_extract(&PointsExtract {
            language,
            issued_at,
            portal_name: &portal_name,
            person: ExtractPerson {
                name: &name,
                birth_date,
            },
            record: &record,
        })
    })
    .await
    .map_err(|error| WebError::Internal(format!("extract task: {error}")))?
    .map_err(|error| WebError::Internal(format!("extract: {error}")))?;
    let file_sha256 = crate::session::sha256_hex(&rendered.pdf);
    let extract = Extract {
        summary: ExtractSummary {
            id: uuid::Uuid::new_v4(),
            kind: POINTS_EXTRACT.to_owned(),
            issued_at,
            content_sha256: rendered.content_sha256,
            file_sha256,
        },
        pdf: rendered.pdf,
    };
    let event = AuditEvent::new(
        issued_at,
        Actor::Citizen(citizen.id),
        Action::RegisterExtractIssued,
    )
    .about_citizen(citizen.id)
    .with("kind", POINTS_EXTRACT)
    .with("content_sha256", extract.summary.content_sha256.clone())
    .from_ip(citizen.visitor.client.ip.clone());
    state
        .store
        .register_data()
        .save_extract(&citizen.id, &extract, &event)
        .await?;
    Ok(Redirect::to("/me/driver?extract=ready#extracts").into_response())
}

/// What the extracts table calls the driver's points extract.
const POINTS_EXTRACT: &str = "driver_points";

/// Downloads one of the citizen's own extracts; anyone else's is not found.
pub(crate) async fn download_extract(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = uuid::Uuid::parse_str(&id).map_err(|_| WebError::NotFound)?;
    let extract = state
        .store
        .register_data()
        .extract(&citizen.id, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let event = AuditEvent::new(
        state.now(),
        Actor::Citizen(citizen.id),
        Action::RegisterRead,
    )
    .about_citizen(citizen.id)
    .with("sections", "extract")
    .with("extract", id.to_string())
    .from_ip(citizen.visitor.client.ip.clone());
    state.store.audit().append(&event).await?;
    let day = local_date(extract.summary.issued_at);
    let disposition = format!("attachment; filename=\"vypis-bodove-hodnoceni-{day}.pdf\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        extract.pdf,
    )
        .into_response())
}

// ---------------------------------------------------------------- reload

#[derive(Debug, Deserialize)]
pub(crate) struct ReloadForm {
    section: String,
}

/// Asks the register again for a section, then shows it.
pub(crate) async fn reload(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    ValidForm(form): ValidForm<ReloadForm>,
) -> Result<Response, WebError> {
    let section = RegisterSection::parse(&form.section)
        .ok_or_else(|| WebError::BadRequest(format!("unknown section {:?}", form.section)))?;
    registers::refresh(&state, &citizen.id, section).await?;
    Ok(Redirect::to(Part::of(section).href()).into_response())
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::parse_date;

    #[test]
    fn dates_are_read_as_people_here_write_them() {
        for written in [
            "22. 11. 2026",
            "22.11.2026",
            " 22 . 11 . 2026",
            "2026-11-22",
        ] {
            assert_eq!(
                parse_date(written.trim()),
                Some(date(2026, 11, 22)),
                "{written}"
            );
        }
        for wrong in [
            "31.2.2026",
            "22.11.",
            "22/11/2026",
            "yesterday",
            "2026-13-01",
            "",
        ] {
            assert_eq!(parse_date(wrong), None, "{wrong}");
        }
    }
}

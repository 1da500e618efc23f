//! The citizen's own account: the means that log in to it (link another,
//! unlink one but never the last), where they are logged in (and logging out
//! everywhere else), and the history of logins and account changes.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::citizen::CitizenId;
use obcan_core::identity::Assertion;
use obcan_store::{Fact, LinkOutcome, UnlinkOutcome};
use serde::Deserialize;

use super::{Chrome, Section, ValidForm, ValidQuery, local_time, render};
use crate::authz::SignedInCitizen;
use crate::error::WebError;
use crate::i18n::Texts;
use crate::session::Visitor;
use crate::state::AppState;

/// How many history entries the page shows.
const HISTORY: u32 = 20;

/// What the page says after an action, by the `done` it was sent back with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Done {
    Linked,
    Already,
    Taken,
    Unlinked,
    Last,
    Ended,
}

impl Done {
    fn as_str(self) -> &'static str {
        match self {
            Self::Linked => "linked",
            Self::Already => "already",
            Self::Taken => "taken",
            Self::Unlinked => "unlinked",
            Self::Last => "last",
            Self::Ended => "ended",
        }
    }

    fn notice(self, t: &'static Texts) -> Notice {
        let (text, color) = match self {
            Self::Linked => (t.account_done_linked, "success"),
            Self::Already => (t.account_done_already, "primary"),
            Self::Taken => (t.account_done_taken, "error"),
            Self::Unlinked => (t.account_done_unlinked, "success"),
            Self::Last => (t.account_done_last, "error"),
            Self::Ended => (t.account_done_ended, "success"),
        };
        Notice { text, color }
    }

    fn redirect(self) -> Response {
        Redirect::to(&format!("/account?done={}", self.as_str())).into_response()
    }
}

#[derive(Debug)]
struct Notice {
    text: &'static str,
    color: &'static str,
}

#[derive(Debug)]
struct MeansView {
    label: String,
    provider: String,
    subject: String,
    linked_at: String,
    last_login: String,
}

#[derive(Debug)]
struct FactView {
    label: &'static str,
    value: String,
    source: String,
    stated_at: String,
}

#[derive(Debug)]
struct LinkView {
    label: String,
    href: String,
}

#[derive(Debug)]
struct SessionView {
    browser: String,
    address: String,
    means: String,
    started: String,
    last_seen: String,
    current: bool,
}

#[derive(Debug)]
struct HistoryView {
    what: &'static str,
    means: String,
    when: String,
    address: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    notice: Option<Notice>,
    facts: Vec<FactView>,
    means: Vec<MeansView>,
    can_unlink: bool,
    linkable: Vec<LinkView>,
    sessions: Vec<SessionView>,
    history: Vec<HistoryView>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PageQuery {
    done: Option<Done>,
}

pub(crate) async fn page(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    ValidQuery(query): ValidQuery<PageQuery>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&state, &citizen.visitor, "/account", Section::Account)?;
    let t = chrome.t;
    let label = |provider: &str| means_label(&state, &citizen.visitor, provider);
    let facts = state
        .store
        .citizens()
        .profile(&citizen.id)
        .await?
        .into_iter()
        .map(|fact| FactView {
            label: match fact.fact {
                Fact::Name => t.fact_name,
                Fact::BirthDate => t.fact_birth_date,
                Fact::Address => t.fact_address,
                Fact::Email => t.fact_email,
            },
            value: match fact.fact {
                Fact::BirthDate => local_date(&fact.value),
                _ => fact.value,
            },
            source: label(&fact.source),
            stated_at: local_time(fact.stated_at),
        })
        .collect();
    let linked = state.store.citizens().means(&citizen.id).await?;
    let linkable = state
        .settings
        .logins
        .iter()
        .filter(|login| !linked.iter().any(|means| means.provider == login.id()))
        .map(|login| LinkView {
            label: login.label(citizen.visitor.language).to_owned(),
            href: format!("{}?link=1&next=%2Faccount", login.start_path()),
        })
        .collect();
    let means = linked
        .iter()
        .map(|means| MeansView {
            label: label(&means.provider),
            provider: means.provider.clone(),
            subject: means.subject.clone(),
            linked_at: local_time(means.linked_at),
            last_login: local_time(means.last_login_at),
        })
        .collect();
    let current = citizen
        .visitor
        .session
        .as_ref()
        .map(|session| session.token.id_hash())
        .unwrap_or_default();
    let sessions = state
        .store
        .sessions()
        .of_citizen(&citizen.id, state.now())
        .await?
        .into_iter()
        .map(|session| SessionView {
            browser: browser(session.user_agent.as_deref(), t),
            address: session
                .ip
                .unwrap_or_else(|| t.account_unknown_address.to_owned()),
            means: session.provider.as_deref().map(label).unwrap_or_default(),
            started: local_time(session.created_at),
            last_seen: local_time(session.last_seen_at),
            current: session.id_hash == current,
        })
        .collect();
    let subject = format!("citizen:{}", citizen.id);
    let actions = [
        Action::Login,
        Action::Logout,
        Action::MeansLinked,
        Action::MeansUnlinked,
        Action::SessionsEnded,
        Action::ContactVerified,
        Action::ContactRemoved,
    ];
    let names: Vec<&str> = actions.iter().map(|action| action.as_str()).collect();
    let history = state
        .store
        .audit()
        .about(&subject, &names, HISTORY)
        .await?
        .into_iter()
        .map(|entry| HistoryView {
            what: match entry.action.as_str() {
                "login" => t.account_event_login,
                "logout" => t.account_event_logout,
                "means_linked" => t.account_event_means_linked,
                "means_unlinked" => t.account_event_means_unlinked,
                "contact_verified" => t.contacts.event_verified,
                "contact_removed" => t.contacts.event_removed,
                _ => t.account_event_sessions_ended,
            },
            means: match (entry.detail.get("provider"), entry.detail.get("kind")) {
                (Some(provider), _) => label(provider),
                (None, Some(kind)) if kind == "phone" => t.contacts.phone_title.to_owned(),
                (None, Some(_)) => t.contacts.email_title.to_owned(),
                (None, None) => String::new(),
            },
            when: local_time(entry.at),
            address: entry
                .ip
                .unwrap_or_else(|| t.account_unknown_address.to_owned()),
        })
        .collect();
    render(&AccountPage {
        notice: query.done.map(|done| done.notice(t)),
        can_unlink: linked.len() > 1,
        facts,
        chrome,
        means,
        linkable,
        sessions,
        history,
    })
}

#[derive(Debug, Deserialize)]
pub(crate) struct Unlink {
    provider: String,
    subject: String,
}

pub(crate) async fn unlink(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    ValidForm(form): ValidForm<Unlink>,
) -> Result<Response, WebError> {
    let outcome = state
        .store
        .citizens()
        .unlink(&citizen.id, &form.provider, &form.subject)
        .await?;
    match outcome {
        UnlinkOutcome::Unlinked => {
            audit(
                &state,
                &citizen.visitor,
                citizen.id,
                Action::MeansUnlinked,
                &form.provider,
            )
            .await?;
            Ok(Done::Unlinked.redirect())
        }
        UnlinkOutcome::LastMeans => Ok(Done::Last.redirect()),
        UnlinkOutcome::NotLinked => Err(WebError::BadRequest(format!(
            "{}: not a means of this account",
            form.provider
        ))),
    }
}

pub(crate) async fn end_other_sessions(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
) -> Result<Response, WebError> {
    let keep = citizen
        .visitor
        .session
        .as_ref()
        .map(|session| session.token.id_hash())
        .unwrap_or_default();
    let ended = state
        .store
        .sessions()
        .delete_others(&citizen.id, &keep)
        .await?;
    let event = AuditEvent::new(
        state.now(),
        Actor::Citizen(citizen.id),
        Action::SessionsEnded,
    )
    .about_citizen(citizen.id)
    .with("count", ended.to_string())
    .from_ip(citizen.visitor.client.ip.clone());
    state.store.audit().append(&event).await?;
    Ok(Done::Ended.redirect())
}

/// Ends a login started from this page: the means joins the account.
pub(crate) async fn link_means(
    state: &AppState,
    visitor: &Visitor,
    citizen: CitizenId,
    assertion: &Assertion,
) -> Result<Response, WebError> {
    let outcome = state
        .store
        .citizens()
        .link(&citizen, assertion, state.now())
        .await?;
    Ok(match outcome {
        LinkOutcome::Linked => {
            audit(
                state,
                visitor,
                citizen,
                Action::MeansLinked,
                assertion.provider.as_str(),
            )
            .await?;
            Done::Linked.redirect()
        }
        LinkOutcome::AlreadyLinked => Done::Already.redirect(),
        LinkOutcome::LinkedToAnotherAccount => {
            tracing::warn!(%citizen, provider = assertion.provider.as_str(), "means of another account offered for linking");
            Done::Taken.redirect()
        }
    })
}

async fn audit(
    state: &AppState,
    visitor: &Visitor,
    citizen: CitizenId,
    action: Action,
    provider: &str,
) -> Result<(), WebError> {
    let event = AuditEvent::new(state.now(), Actor::Citizen(citizen), action)
        .about_citizen(citizen)
        .with("provider", provider)
        .from_ip(visitor.client.ip.clone());
    state.store.audit().append(&event).await?;
    Ok(())
}

/// A provider's name as the login page shows it.
fn means_label(state: &AppState, visitor: &Visitor, provider: &str) -> String {
    if provider == "demo" {
        return crate::i18n::texts(visitor.language)
            .login_demo_means
            .to_owned();
    }
    state
        .settings
        .logins
        .iter()
        .find(|login| login.id() == provider)
        .map_or_else(
            || provider.to_owned(),
            |login| login.label(visitor.language).to_owned(),
        )
}

/// An ISO date (`1984-03-07`) as people here write it (`7. 3. 1984`).
fn local_date(iso: &str) -> String {
    iso.parse::<jiff::civil::Date>().map_or_else(
        |_| iso.to_owned(),
        |date| date.strftime("%-d. %-m. %Y").to_string(),
    )
}

/// "Firefox, Linux" from a User-Agent, enough to recognise one's own device.
fn browser(user_agent: Option<&str>, t: &Texts) -> String {
    let Some(agent) = user_agent else {
        return t.account_unknown_browser.to_owned();
    };
    let name = [
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find(|(token, _)| agent.contains(token))
    .map(|(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(token, _)| agent.contains(token))
    .map(|(_, system)| system);
    match (name, system) {
        (Some(name), Some(system)) => format!("{name}, {system}"),
        (Some(name), None) => name.to_owned(),
        _ => t.account_unknown_browser.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_are_named_by_their_user_agent() {
        let t = crate::i18n::texts(obcan_core::language::Language::Czech);
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36 Edg/130.0";
        assert_eq!(browser(Some(firefox), t), "Firefox, Linux");
        assert_eq!(browser(Some(edge), t), "Edge, Windows");
        assert_eq!(browser(Some("curl/8"), t), t.account_unknown_browser);
        assert_eq!(browser(None, t), t.account_unknown_browser);
    }

    #[test]
    fn times_are_shown_in_prague() {
        let summer =
            jiff::Timestamp::from_second(1_751_371_200).unwrap_or(jiff::Timestamp::UNIX_EPOCH); // 2025-07-01 12:00 UTC
        assert_eq!(local_time(summer), "1. 7. 2025 14:00");
    }
}

// ------------------------------------------------------------ deletion

#[derive(Template)]
#[template(path = "account_delete.html")]
struct DeletePage {
    chrome: Chrome,
    csrf: String,
    error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "account_deleted.html")]
struct DeletedPage {
    chrome: Chrome,
}

pub(crate) async fn delete_page(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
) -> Result<Response, WebError> {
    show_delete(&state, &citizen, None)
}

fn show_delete(
    state: &AppState,
    citizen: &SignedInCitizen,
    error: Option<&'static str>,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(state, &citizen.visitor, "/account/delete", Section::Account)?;
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    super::render_with_status(
        status,
        &DeletePage {
            csrf: chrome.csrf.clone().unwrap_or_default(),
            error,
            chrome,
        },
    )
}

#[derive(Debug, Deserialize)]
pub(crate) struct DeleteForm {
    #[serde(default)]
    confirm: Option<String>,
}

/// Deletes the account and everything kept about the person; its data key
/// goes with it (see `Citizens::delete_account`). Ends the session.
pub(crate) async fn delete(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
    ValidForm(form): ValidForm<DeleteForm>,
) -> Result<Response, WebError> {
    if form.confirm.as_deref() != Some("yes") {
        let t = crate::i18n::texts(citizen.visitor.language);
        return show_delete(&state, &citizen, Some(t.deletion.confirm_error));
    }
    let event = AuditEvent::new(
        state.now(),
        Actor::Citizen(citizen.id),
        Action::AccountDeleted,
    )
    .about_citizen(citizen.id)
    .from_ip(citizen.visitor.client.ip.clone());
    state
        .store
        .citizens()
        .delete_account(&citizen.id, &event)
        .await?;
    let (cookie, _) = crate::session::log_out(&state, &citizen.visitor).await?;
    let anonymous = Visitor {
        session: None,
        ..citizen.visitor.clone()
    };
    let chrome = Chrome::new(&state, &anonymous, "/account/delete", Section::Other)?;
    Ok(crate::session::with_cookie(
        render(&DeletedPage { chrome })?,
        Some(cookie),
    ))
}

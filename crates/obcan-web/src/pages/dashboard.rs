//! The citizen's overview after login: the inbox of what the office did
//! on their submissions, and the portal's capabilities.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::forms::title_of;
use super::tiles::{self, Tile};
use super::{Chrome, Section, local_time, render};
use crate::authz::SignedInCitizen;
use crate::error::WebError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    name: String,
    loa: &'static str,
    inbox: Vec<News>,
    tiles: Vec<Tile>,
}

/// A line of the inbox: what the office did on a submission, and said.
#[derive(Debug)]
struct News {
    href: String,
    what: &'static str,
    about: String,
    at: String,
    message: Option<String>,
}

/// How many of the latest office updates the inbox shows.
const INBOX_SIZE: u32 = 5;

pub(crate) async fn page(
    State(state): State<AppState>,
    citizen: SignedInCitizen,
) -> Result<Response, WebError> {
    // The session outlived its account only if the account was deleted meanwhile.
    let account = state
        .store
        .citizens()
        .get(&citizen.id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let chrome = Chrome::new(&state, &citizen.visitor, "/dashboard", Section::Dashboard)?;
    let t = chrome.t;
    let language = citizen.visitor.language;
    let inbox = state
        .store
        .submissions()
        .inbox(&citizen.id, INBOX_SIZE)
        .await?
        .into_iter()
        .map(|news| News {
            href: format!("/submissions/{}", news.submission),
            what: t.submissions.event(news.kind),
            about: format!(
                "{} {}",
                title_of(&state, news.form.as_str(), language),
                news.reference
            ),
            at: local_time(news.at),
            message: news.message,
        })
        .collect();
    let tiles = tiles::all(t);
    let loa = t.loa(citizen.loa);
    render(&DashboardPage {
        chrome,
        name: account.name.to_string(),
        loa,
        inbox,
        tiles,
    })
}

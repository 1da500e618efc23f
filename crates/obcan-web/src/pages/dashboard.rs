//! The citizen's overview after login.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::tiles::{self, Tile};
use super::{Chrome, Section, render};
use crate::authz::SignedInCitizen;
use crate::error::WebError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    name: String,
    loa: &'static str,
    tiles: Vec<Tile>,
}

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
    let tiles = tiles::all(chrome.t);
    let loa = chrome.t.loa(citizen.loa);
    render(&DashboardPage {
        chrome,
        name: account.name.to_string(),
        loa,
        tiles,
    })
}

//! The public home page.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::tiles::{self, Tile};
use super::{Chrome, Section, render};
use crate::error::WebError;
use crate::session::Visitor;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    tiles: Vec<Tile>,
}

pub(crate) async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&state, &visitor, "/", Section::Home)?;
    let tiles = tiles::all(chrome.t);
    render(&HomePage { chrome, tiles })
}

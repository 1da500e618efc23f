//! The accessibility statement required by zákon 99/2019 Sb.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::{Chrome, Section, render};
use crate::error::WebError;
use crate::session::Visitor;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "accessibility.html")]
struct AccessibilityPage {
    chrome: Chrome,
}

pub(crate) async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&state, &visitor, "/accessibility", Section::Other)?;
    render(&AccessibilityPage { chrome })
}

//! Turns every error status into a page in the visitor's language: those our
//! handlers return, and those made elsewhere (the body limit, the method
//! router, the panic catcher). Machine endpoints keep their plain answers.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{ALLOW, CONTENT_TYPE, RETRY_AFTER, SET_COOKIE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use obcan_core::language::Language;

use crate::error::ErrorPage;
use crate::i18n::Texts;
use crate::pages::{Chrome, Section, render_with_status};
use crate::session::{SeenVisitor, Visitor, language_of};
use crate::state::AppState;

const MACHINE_PATHS: [&str; 4] = ["/healthz", "/readyz", "/metrics", "/api/"];

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    chrome: Chrome,
    title: &'static str,
    text: &'static str,
    detail: String,
    status: u16,
    request_id: Option<String>,
    login_link: bool,
}

pub(crate) async fn render(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let language = language_of(request.headers());
    let path = request.uri().path().to_owned();
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .map(ToOwned::to_owned);
    let seen = SeenVisitor::default();
    let mut request = request;
    request.extensions_mut().insert(seen.clone());
    let response = next.run(request).await;

    let status = response.status();
    let own_page = response.extensions().get::<ErrorPage>().cloned();
    let is_html = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"text/html"));
    if !(status.is_client_error() || status.is_server_error())
        || is_html
        || MACHINE_PATHS.iter().any(|prefix| path.starts_with(prefix))
    {
        return response;
    }
    let page = own_page.unwrap_or_else(|| ErrorPage::for_status(status));
    let mut rendered = error_page(&state, language, seen.get(), &path, &page, request_id);
    // Keep what the original answer had to say beyond its body.
    for name in [ALLOW, SET_COOKIE] {
        for value in response.headers().get_all(&name) {
            rendered.headers_mut().append(name.clone(), value.clone());
        }
    }
    if page == ErrorPage::Unavailable {
        rendered
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from_static("30"));
    }
    rendered
}

fn error_page(
    state: &AppState,
    language: Language,
    visitor: Option<&Visitor>,
    path: &str,
    page: &ErrorPage,
    request_id: Option<String>,
) -> Response {
    // The frame as the visitor's pages show it, if the request got as far as
    // reading the session; otherwise as for anyone.
    let chrome = visitor
        .and_then(|visitor| Chrome::new(state, visitor, path, Section::Other).ok())
        .unwrap_or_else(|| Chrome::anonymous(state, language, path, Section::Other));
    let (title, text) = texts_for(chrome.t, page);
    let detail = match page {
        ErrorPage::BadRequest(detail) => detail.clone(),
        _ => String::new(),
    };
    let login_link = matches!(page, ErrorPage::LoginFailed | ErrorPage::LoginUnavailable);
    let template = ErrorTemplate {
        chrome,
        title,
        text,
        detail,
        status: page.status().as_u16(),
        request_id,
        login_link,
    };
    render_with_status(page.status(), &template).unwrap_or_else(|error| {
        tracing::error!(%error, "cannot render the error page");
        (page.status(), text).into_response()
    })
}

fn texts_for(t: &'static Texts, page: &ErrorPage) -> (&'static str, &'static str) {
    match page {
        ErrorPage::BadRequest(_) => (t.error_400_title, t.error_400_text),
        ErrorPage::Forbidden => (t.error_403_title, t.error_403_text),
        ErrorPage::Csrf => (t.error_csrf_title, t.error_csrf_text),
        ErrorPage::NotFound => (t.error_404_title, t.error_404_text),
        ErrorPage::MethodNotAllowed => (t.error_405_title, t.error_405_text),
        ErrorPage::PayloadTooLarge => (t.error_413_title, t.error_413_text),
        ErrorPage::Internal => (t.error_500_title, t.error_500_text),
        ErrorPage::DamagedDocument => (t.documents.damaged_title, t.documents.damaged_text),
        ErrorPage::Unavailable => (t.error_503_title, t.error_503_text),
        ErrorPage::LoginFailed => (t.error_login_title, t.error_login_text),
        ErrorPage::LoginUnavailable => (t.error_login_title, t.error_login_unavailable_text),
    }
}

//! The administrator's page of the records-management clients: who may use
//! `/api/v1/records`, for which agendas, and where their webhooks go.
//! Creating a client shows its token and webhook secret once; revoking it
//! ends its access and its webhooks. Both are audited.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::integration::{BearerToken, ClientId, WebhookSecret, WebhookUrl};
use obcan_core::staff::{AgendaKey, Label};
use obcan_store::{IntegrationClient, NewClient};

use crate::authz::{SignedInStaff, need};
use crate::client_ip::ClientIp;
use crate::error::WebError;
use crate::i18n::IntegrationTexts;
use crate::pages::{Chrome, Section, ValidForm, local_time, render, render_with_status};
use crate::state::AppState;

type Admin = SignedInStaff<need::ManageOrganisation>;

const PATH: &str = "/office/organisation/integrations";

#[derive(Debug)]
struct ClientRow {
    name: String,
    agendas: String,
    webhook: Option<String>,
    created: String,
    revoked: Option<String>,
    revoke: String,
}

/// An agenda a client may serve, with whether the form had it chosen.
#[derive(Debug)]
struct AgendaChoice {
    key: String,
    label: String,
    chosen: bool,
}

#[derive(Template)]
#[template(path = "office_integrations.html")]
struct IntegrationsPage {
    chrome: Chrome,
    csrf: String,
    clients: Vec<ClientRow>,
    agendas: Vec<AgendaChoice>,
    errors: Vec<&'static str>,
    name: String,
    webhook_url: String,
}

#[derive(Template)]
#[template(path = "office_integration_created.html")]
struct CreatedPage {
    chrome: Chrome,
    name: String,
    token: String,
    secret: String,
}

/// What the form held, when it comes back with an error.
#[derive(Debug, Default)]
struct Typed {
    name: String,
    agendas: Vec<String>,
    webhook_url: String,
}

async fn page_with(
    state: &AppState,
    admin: &Admin,
    errors: Vec<&'static str>,
    typed: Typed,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(state, &admin.visitor, PATH, Section::Office)?;
    let clients = state
        .store
        .integration()
        .clients()
        .await?
        .into_iter()
        .map(|client| ClientRow {
            name: client.name.to_string(),
            agendas: client
                .agendas
                .iter()
                .map(AgendaKey::as_str)
                .collect::<Vec<_>>()
                .join(", "),
            webhook: client.webhook_url.as_ref().map(ToString::to_string),
            created: local_time(client.created_at),
            revoked: client.revoked_at.map(local_time),
            revoke: format!("{PATH}/{}/revoke", client.id),
        })
        .collect();
    let agendas = keyed_agendas(state)
        .await?
        .into_iter()
        .map(|(key, label)| AgendaChoice {
            chosen: typed.agendas.contains(&key),
            key,
            label,
        })
        .collect();
    let page = IntegrationsPage {
        csrf: chrome.csrf.clone().unwrap_or_default(),
        clients,
        agendas,
        errors,
        name: typed.name,
        webhook_url: typed.webhook_url,
        chrome,
    };
    if page.errors.is_empty() {
        render(&page)
    } else {
        render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}

/// The agendas that have a key (only those receive submissions), as
/// `(key, "department: agenda")`.
async fn keyed_agendas(state: &AppState) -> Result<Vec<(String, String)>, WebError> {
    Ok(state
        .store
        .organisation()
        .departments()
        .await?
        .into_iter()
        .flat_map(|department| {
            let name = department.name.to_string();
            department.agendas.into_iter().filter_map(move |agenda| {
                let key = agenda.key?;
                Some((key.to_string(), format!("{name}: {} ({key})", agenda.name)))
            })
        })
        .collect())
}

pub(crate) async fn page(
    State(state): State<AppState>,
    admin: Admin,
) -> Result<Response, WebError> {
    page_with(&state, &admin, Vec::new(), Typed::default()).await
}

/// A client as the form describes it, checked.
struct Checked {
    name: Label,
    agendas: Vec<AgendaKey>,
    webhook_url: Option<WebhookUrl>,
}

/// The new client as the form gives it, or what is wrong with it.
fn read_form(
    t: &'static IntegrationTexts,
    typed: &Typed,
    known: &[(String, String)],
) -> Result<Checked, Vec<&'static str>> {
    let mut errors = Vec::new();
    let name = Label::parse(&typed.name)
        .map_err(|_| errors.push(t.invalid_name))
        .ok();
    let agendas: Vec<AgendaKey> = typed
        .agendas
        .iter()
        .filter(|key| known.iter().any(|(known, _)| known == *key))
        .filter_map(|key| AgendaKey::parse(key))
        .collect();
    if agendas.is_empty() {
        errors.push(t.no_agenda_chosen);
    }
    let url = typed.webhook_url.trim();
    let webhook = if url.is_empty() {
        None
    } else {
        WebhookUrl::parse(url)
            .map_err(|_| errors.push(t.invalid_webhook))
            .ok()
    };
    match name {
        Some(name) if errors.is_empty() => Ok(Checked {
            name,
            agendas,
            webhook_url: webhook,
        }),
        _ => Err(errors),
    }
}

pub(crate) async fn create(
    State(state): State<AppState>,
    admin: Admin,
    ip: ClientIp,
    ValidForm(fields): ValidForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = &crate::i18n::texts(admin.visitor.language).integrations;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    };
    let typed = Typed {
        name: field("name"),
        agendas: fields
            .iter()
            .filter(|(key, _)| key == "agenda")
            .map(|(_, value)| value.clone())
            .collect(),
        webhook_url: field("webhook_url"),
    };
    let known = keyed_agendas(&state).await?;
    let Checked {
        name,
        agendas,
        webhook_url,
    } = match read_form(t, &typed, &known) {
        Ok(client) => client,
        Err(errors) => return page_with(&state, &admin, errors, typed).await,
    };
    let id = ClientId::random();
    let token = BearerToken::generate().map_err(|e| WebError::Internal(e.to_string()))?;
    let secret = WebhookSecret::generate().map_err(|e| WebError::Internal(e.to_string()))?;
    let now = state.now();
    let by = Actor::Staff(admin.grants.id.uuid());
    let event = AuditEvent::new(now, by, Action::IntegrationClientCreated)
        .about_integration_client(id)
        .with("name", name.as_str())
        .with(
            "agendas",
            agendas
                .iter()
                .map(AgendaKey::as_str)
                .collect::<Vec<_>>()
                .join(","),
        )
        .with(
            "webhook_url",
            webhook_url.as_ref().map_or("", WebhookUrl::as_str),
        )
        .from_ip(ip.text());
    let client = NewClient {
        id,
        name: &name,
        agendas: &agendas,
        webhook_url: webhook_url.as_ref(),
        token: &token,
        secret: &secret,
    };
    state
        .store
        .integration()
        .create(&client, &by, now, &event)
        .await?;
    let chrome = Chrome::new(&state, &admin.visitor, PATH, Section::Office)?;
    render(&CreatedPage {
        chrome,
        name: name.to_string(),
        token: token.as_str().to_owned(),
        secret: secret.to_text(),
    })
}

pub(crate) async fn revoke(
    State(state): State<AppState>,
    admin: Admin,
    ip: ClientIp,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = ClientId::parse(&id).ok_or(WebError::NotFound)?;
    let integration = state.store.integration();
    let client: IntegrationClient = integration.client(id).await?.ok_or(WebError::NotFound)?;
    let now = state.now();
    let event = AuditEvent::new(
        now,
        Actor::Staff(admin.grants.id.uuid()),
        Action::IntegrationClientRevoked,
    )
    .about_integration_client(id)
    .with("name", client.name.as_str())
    .from_ip(ip.text());
    // Revoking twice leaves it revoked: the page shows it so either way.
    integration.revoke(id, now, &event).await?;
    Ok(Redirect::to(PATH).into_response())
}

//! The auditor's read-only view of the audit log: newest first, a page at a
//! time, filtered by who acted and what happened.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use obcan_core::audit::Action;
use serde::Deserialize;

use crate::authz::{SignedInStaff, need};
use crate::error::WebError;
use crate::pages::{Chrome, Section, ValidQuery, render};
use crate::state::AppState;

const PAGE: u32 = 50;

#[derive(Debug, Deserialize)]
pub(crate) struct Filter {
    actor: Option<String>,
    action: Option<String>,
    before: Option<i64>,
}

#[derive(Debug)]
struct Entry {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    subject: String,
    detail: String,
    ip: String,
}

#[derive(Template)]
#[template(path = "office_audit.html")]
struct AuditPage {
    chrome: Chrome,
    actor: String,
    /// Every action, and whether it is the one filtered by.
    actions: Vec<(&'static str, bool)>,
    entries: Vec<Entry>,
    older: Option<String>,
}

pub(crate) async fn page(
    State(state): State<AppState>,
    auditor: SignedInStaff<need::ReadAudit>,
    ValidQuery(filter): ValidQuery<Filter>,
) -> Result<Response, WebError> {
    let non_empty = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
    };
    let actor = non_empty(&filter.actor);
    let action = non_empty(&filter.action);
    let entries = state
        .store
        .audit()
        .page(actor.as_deref(), action.as_deref(), filter.before, PAGE)
        .await?;
    let zone = obcan_core::time::office_zone();
    let older = (entries.len() == PAGE as usize)
        .then(|| entries.last().map(|entry| entry.seq))
        .flatten()
        .map(|before| {
            let mut query = vec![("before", before.to_string())];
            query.extend(actor.clone().map(|actor| ("actor", actor)));
            query.extend(action.clone().map(|action| ("action", action)));
            format!(
                "/office/audit?{}",
                serde_urlencoded::to_string(query).unwrap_or_default()
            )
        });
    let entries = entries
        .into_iter()
        .map(|entry| Entry {
            seq: entry.seq,
            at: entry
                .at
                .to_zoned(zone.clone())
                .strftime("%Y-%m-%d %H:%M:%S")
                .to_string(),
            actor: entry.actor,
            action: entry.action,
            subject: entry.subject.unwrap_or_default(),
            detail: entry
                .detail
                .iter()
                .map(|(key, value)| format!("{key}: {value}"))
                .collect::<Vec<_>>()
                .join(", "),
            ip: entry.ip.unwrap_or_default(),
        })
        .collect();
    render(&AuditPage {
        chrome: Chrome::new(&state, &auditor.visitor, "/office/audit", Section::Office)?,
        actor: actor.unwrap_or_default(),
        actions: Action::ALL
            .iter()
            .map(|known| (known.as_str(), action.as_deref() == Some(known.as_str())))
            .collect(),
        entries,
        older,
    })
}

//! Who is asking: the visitor's language and login session.
//!
//! The session token lives only in an HttpOnly cookie; the database keeps its
//! SHA-256. A new token is issued at every login, so a token planted before
//! login is worthless after it.

use std::net::IpAddr;

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::{COOKIE, HeaderValue, SET_COOKIE, USER_AGENT};
use axum::http::request::Parts;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::citizen::CitizenId;
use obcan_core::identity::{Assertion, Loa};
use obcan_core::language::Language;
use obcan_core::policy::Principal;
use obcan_core::session::{SessionPolicy, SessionTimes};
use obcan_core::staff::{StaffGrants, StaffId};
use obcan_store::{Client, EndedSession, NewSession, NewStaffSession};
use sha2::{Digest, Sha256};

use crate::client_ip::client_ip;
use crate::error::WebError;
use crate::state::AppState;

pub(crate) const LANGUAGE_COOKIE: &str = "obcan_lang";

/// A session token as the browser holds it: 32 random bytes, base64url.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct SessionToken(String);

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken([redacted])")
    }
}

impl SessionToken {
    fn generate() -> Result<Self, WebError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| WebError::Internal(format!("no randomness: {e}")))?;
        Ok(Self(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// What the database stores instead of the token.
    pub(crate) fn id_hash(&self) -> String {
        sha256_hex(&self.0)
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// The visitor's live session, if they have one: anonymous, a citizen's, or
/// a staff member's (with their current grants), never both.
#[derive(Debug, Clone)]
pub(crate) struct ActiveSession {
    pub token: SessionToken,
    pub citizen: Option<(CitizenId, Loa)>,
    pub staff: Option<StaffGrants>,
}

/// Whoever sent the request.
#[derive(Debug, Clone)]
pub(crate) struct Visitor {
    pub language: Language,
    pub session: Option<ActiveSession>,
    pub client: ClientInfo,
}

/// Where the error-page layer learns who the visitor was, once a handler
/// has read the session: so that an error page keeps the visitor's frame
/// (logged in, with the logout button) instead of offering to log in.
#[derive(Debug, Clone, Default)]
pub(crate) struct SeenVisitor(std::sync::Arc<std::sync::OnceLock<Visitor>>);

impl SeenVisitor {
    pub(crate) fn get(&self) -> Option<&Visitor> {
        self.0.get()
    }
}

/// Where a request came from, as the citizen's list of sessions and the
/// audit log record it.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl ClientInfo {
    fn of(parts: &Parts, trusted_proxies: &[IpAddr]) -> Self {
        Self {
            ip: client_ip(parts, trusted_proxies).map(|ip| ip.to_string()),
            user_agent: parts
                .headers
                .get(USER_AGENT)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned),
        }
    }

    pub(crate) fn as_store(&self) -> Client<'_> {
        Client {
            ip: self.ip.as_deref(),
            user_agent: self.user_agent.as_deref(),
        }
    }
}

impl Visitor {
    pub(crate) fn principal(&self) -> Principal {
        match &self.session {
            Some(ActiveSession {
                staff: Some(grants),
                ..
            }) => Principal::Staff(grants.clone()),
            Some(ActiveSession {
                citizen: Some((id, loa)),
                ..
            }) => Principal::Citizen { id: *id, loa: *loa },
            _ => Principal::Anonymous,
        }
    }
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        if let Some(visitor) = parts.extensions.get::<Self>() {
            return Ok(visitor.clone());
        }
        let language = language_of(&parts.headers);
        let session = match session_token(&parts.headers, state.settings.secure_cookies) {
            Some(token) => load(state, token).await?,
            None => None,
        };
        let client = ClientInfo::of(parts, &state.settings.trusted_proxies);
        let visitor = Self {
            language,
            session,
            client,
        };
        parts.extensions.insert(visitor.clone());
        if let Some(seen) = parts.extensions.get::<SeenVisitor>() {
            // Set once per request: the first reading is the reading.
            let _ = seen.0.set(visitor.clone());
        }
        Ok(visitor)
    }
}

async fn load(state: &AppState, token: SessionToken) -> Result<Option<ActiveSession>, WebError> {
    let id_hash = token.id_hash();
    let now = state.now();
    let Some(record) = state.store.sessions().find(&id_hash, now).await? else {
        return Ok(None);
    };
    let policy = state.settings.session;
    if policy.is_expired(record.times, now) {
        return Ok(None);
    }
    if SessionPolicy::needs_touch(record.times, now) {
        let times = SessionTimes {
            last_seen_at: now,
            ..record.times
        };
        state
            .store
            .sessions()
            .touch(&id_hash, now, policy.expires_at(times))
            .await?;
    }
    // Grants are read afresh on every request, so a revoked role or a
    // disabled account takes effect at once.
    let staff = match record.staff {
        Some(id) => match state.store.staff().active_grants(id).await? {
            Some(grants) => Some(grants),
            None => return Ok(None),
        },
        None => None,
    };
    Ok(Some(ActiveSession {
        token,
        citizen: record.citizen,
        staff,
    }))
}

/// The session a form needs for its CSRF token: the visitor's own, or a new
/// anonymous one whose cookie the response must set.
pub(crate) async fn ensure(
    state: &AppState,
    visitor: &Visitor,
) -> Result<(SessionToken, Option<HeaderValue>), WebError> {
    if let Some(session) = &visitor.session {
        return Ok((session.token.clone(), None));
    }
    let token = SessionToken::generate()?;
    let now = state.now();
    let session = NewSession {
        id_hash: &token.id_hash(),
        citizen: None,
        created_at: now,
        expires_at: fresh_expiry(state, now),
        client: visitor.client.as_store(),
        provider_logout: None,
    };
    state.store.sessions().insert(&session).await?;
    let cookie = session_cookie(state, &token)?;
    Ok((token, Some(cookie)))
}

/// Logs the visitor in: the account behind the assertion, a fresh session in
/// place of any old one, and the cookie that carries it. `provider_logout`
/// is what logging out at the provider will need, where it supports that.
pub(crate) async fn log_in(
    state: &AppState,
    visitor: &Visitor,
    assertion: &Assertion,
    provider_logout: Option<&str>,
) -> Result<HeaderValue, WebError> {
    let now = state.now();
    let citizen = state.store.citizens().log_in(assertion, now).await?;
    let token = SessionToken::generate()?;
    let session = NewSession {
        id_hash: &token.id_hash(),
        citizen: Some((citizen.id, assertion.loa, assertion.provider.as_str())),
        created_at: now,
        expires_at: fresh_expiry(state, now),
        client: visitor.client.as_store(),
        provider_logout,
    };
    let old = visitor
        .session
        .as_ref()
        .map(|session| session.token.id_hash());
    state
        .store
        .sessions()
        .replace(old.as_deref(), &session)
        .await?;
    tracing::info!(citizen = %citizen.id, provider = assertion.provider.as_str(), loa = %assertion.loa, "login");
    let event = AuditEvent::new(now, Actor::Citizen(citizen.id), Action::Login)
        .about_citizen(citizen.id)
        .with("provider", assertion.provider.as_str())
        .with("loa", assertion.loa.as_str())
        .with(
            "user_agent",
            visitor.client.user_agent.clone().unwrap_or_default(),
        )
        .from_ip(visitor.client.ip.clone());
    state.store.audit().append(&event).await?;
    session_cookie(state, &token)
}

/// Records a login that did not succeed, with its reason.
pub(crate) async fn record_failed_login(
    state: &AppState,
    visitor: &Visitor,
    provider: &str,
    reason: &str,
) -> Result<(), WebError> {
    let event = AuditEvent::new(state.now(), Actor::Anonymous, Action::LoginFailed)
        .with("provider", provider)
        .with("reason", reason)
        .from_ip(visitor.client.ip.clone());
    state.store.audit().append(&event).await?;
    Ok(())
}

/// Logs a staff member in: a fresh staff session in place of the visitor's
/// (anonymous or citizen) one, and the cookie that carries it.
pub(crate) async fn log_in_staff(
    state: &AppState,
    visitor: &Visitor,
    staff: StaffId,
    provider: &str,
) -> Result<HeaderValue, WebError> {
    let now = state.now();
    let token = SessionToken::generate()?;
    let session = NewStaffSession {
        id_hash: &token.id_hash(),
        staff,
        provider,
        created_at: now,
        expires_at: fresh_expiry(state, now),
    };
    let old = visitor
        .session
        .as_ref()
        .map(|session| session.token.id_hash());
    state
        .store
        .sessions()
        .replace_with_staff(old.as_deref(), &session)
        .await?;
    tracing::info!(%staff, provider, "staff login");
    session_cookie(state, &token)
}

/// When a session created now ends, unless it is used meanwhile.
fn fresh_expiry(state: &AppState, now: jiff::Timestamp) -> jiff::Timestamp {
    let times = SessionTimes {
        created_at: now,
        last_seen_at: now,
    };
    state.settings.session.expires_at(times)
}

/// 256 random bits, base64url: for one-time values the browser carries.
pub(crate) fn random_token() -> Result<String, WebError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| WebError::Internal(format!("no randomness: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Lowercase hex SHA-256: what the database keeps instead of a secret token.
pub(crate) fn sha256_hex(value: impl AsRef<[u8]>) -> String {
    Sha256::digest(value.as_ref())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Ends the visitor's session: the cookie that clears it, and what logging
/// out at its identity provider needs, if anything.
pub(crate) async fn log_out(
    state: &AppState,
    visitor: &Visitor,
) -> Result<(HeaderValue, Option<EndedSession>), WebError> {
    let mut ended = None;
    if let Some(session) = &visitor.session {
        ended = state
            .store
            .sessions()
            .delete(&session.token.id_hash())
            .await?;
        if let Some((citizen, _)) = session.citizen {
            let event = AuditEvent::new(state.now(), Actor::Citizen(citizen), Action::Logout)
                .about_citizen(citizen)
                .from_ip(visitor.client.ip.clone());
            state.store.audit().append(&event).await?;
        }
    }
    let name = cookie_name(state.settings.secure_cookies);
    let secure = if state.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = header_value(&format!(
        "{name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}"
    ))?;
    Ok((cookie, ended))
}

fn session_cookie(state: &AppState, token: &SessionToken) -> Result<HeaderValue, WebError> {
    let name = cookie_name(state.settings.secure_cookies);
    let secure = if state.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    // No Max-Age: the browser forgets it on close; the server enforces the timeouts.
    header_value(&format!(
        "{name}={}; Path=/; HttpOnly; SameSite=Lax{secure}",
        token.as_str()
    ))
}

pub(crate) fn language_cookie(language: Language, secure: bool) -> Result<HeaderValue, WebError> {
    let secure = if secure { "; Secure" } else { "" };
    header_value(&format!(
        "{LANGUAGE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}",
        language.tag()
    ))
}

fn header_value(raw: &str) -> Result<HeaderValue, WebError> {
    HeaderValue::from_str(raw).map_err(|e| WebError::Internal(format!("bad cookie header: {e}")))
}

/// `__Host-` binds the cookie to this exact origin over HTTPS; plain HTTP
/// (the local demo) cannot use the prefix.
const fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-obcan_session"
    } else {
        "obcan_session"
    }
}

fn cookies(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
}

pub(crate) fn session_token(headers: &HeaderMap, secure: bool) -> Option<SessionToken> {
    let name = cookie_name(secure);
    cookies(headers)
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
        .filter(|value| {
            value.len() == 43
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(|value| SessionToken(value.to_owned()))
}

pub(crate) fn language_of(headers: &HeaderMap) -> Language {
    cookies(headers)
        .find(|(key, _)| *key == LANGUAGE_COOKIE)
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or_default()
}

/// Lets a `Set-Cookie` be added to any response.
pub(crate) fn with_cookie(
    mut response: axum::response::Response,
    cookie: Option<HeaderValue>,
) -> axum::response::Response {
    if let Some(cookie) = cookie {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

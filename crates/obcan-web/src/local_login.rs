//! Local logins, shared by staff (`/office/login`) and by citizens registered
//! at the counter (`/login/local`): a password, then a TOTP code.
//!
//! Whatever goes wrong before the second factor (unknown name, wrong
//! password, locked or disabled account, too many failures from the address)
//! gets the same answer, and takes as long, so that nobody learns which
//! accounts exist or are locked; the audit log records the real reason.
//! Failures count towards the account's lock and the address's throttle.

use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::citizen::CitizenId;
use obcan_core::credential::{LOCKOUT, NewPassword, PasswordHash, TotpSecret, verify_nothing};
use obcan_core::staff::{LoginName, StaffId};
use obcan_store::{Credential, LOCAL_PROVIDER, PendingSecondFactor};

use crate::client_ip::ClientIp;
use crate::error::WebError;
use crate::session::Visitor;
use crate::state::AppState;

/// How long someone may take between their password and their code.
const SECOND_FACTOR_LIFETIME: jiff::SignedDuration = jiff::SignedDuration::from_mins(10);

/// Whose local account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Account {
    Staff(StaffId),
    Citizen(CitizenId),
}

impl Account {
    fn key(self) -> String {
        match self {
            Self::Staff(id) => format!("staff:{id}"),
            Self::Citizen(id) => format!("citizen:{id}"),
        }
    }

    fn parse(key: &str) -> Option<Self> {
        match key.split_once(':')? {
            ("staff", id) => StaffId::parse(id).ok().map(Self::Staff),
            ("citizen", id) => CitizenId::parse(id).ok().map(Self::Citizen),
            _ => None,
        }
    }

    fn kind(self) -> Kind {
        match self {
            Self::Staff(_) => Kind::Staff,
            Self::Citizen(_) => Kind::Citizen,
        }
    }

    /// The event, about this account.
    pub(crate) fn about(self, event: AuditEvent) -> AuditEvent {
        match self {
            Self::Staff(id) => event.about_staff(id),
            Self::Citizen(id) => event.about_citizen(id),
        }
    }

    pub(crate) fn actor(self) -> Actor {
        match self {
            Self::Staff(id) => Actor::Staff(id.uuid()),
            Self::Citizen(id) => Actor::Citizen(id),
        }
    }
}

/// Which kind of local login a form is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Staff,
    Citizen,
}

impl Kind {
    fn failed(self) -> Action {
        match self {
            Self::Staff => Action::StaffLoginFailed,
            Self::Citizen => Action::LoginFailed,
        }
    }

    fn locked(self) -> Action {
        match self {
            Self::Staff => Action::StaffLocked,
            Self::Citizen => Action::CitizenLocked,
        }
    }

    pub(crate) fn succeeded(self) -> Action {
        match self {
            Self::Staff => Action::StaffLogin,
            Self::Citizen => Action::Login,
        }
    }
}

/// A local account with its credential.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub account: Account,
    pub login: LoginName,
    pub credential: Credential,
    /// A staff member not disabled; a citizen's account activated.
    pub usable: bool,
}

async fn find(state: &AppState, kind: Kind, login: &LoginName) -> Result<Option<Found>, WebError> {
    let account = match kind {
        Kind::Staff => state
            .store
            .staff()
            .by_login(login)
            .await?
            .map(|member| Account::Staff(member.id)),
        Kind::Citizen => state
            .store
            .local_accounts()
            .by_login(login)
            .await?
            .map(|local| Account::Citizen(local.citizen)),
    };
    match account {
        Some(account) => find_account(state, account).await,
        None => Ok(None),
    }
}

pub(crate) async fn find_account(
    state: &AppState,
    account: Account,
) -> Result<Option<Found>, WebError> {
    match account {
        Account::Staff(id) => match state.store.staff().get(id).await? {
            Some(member) => {
                with_credential(
                    state,
                    account,
                    member.login,
                    &member.credential_id,
                    !member.disabled,
                )
                .await
            }
            None => Ok(None),
        },
        Account::Citizen(id) => match state.store.local_accounts().get(id).await? {
            Some(local) => {
                with_credential(
                    state,
                    account,
                    local.login,
                    &local.credential_id,
                    local.activated,
                )
                .await
            }
            None => Ok(None),
        },
    }
}

async fn with_credential(
    state: &AppState,
    account: Account,
    login: LoginName,
    credential_id: &str,
    usable: bool,
) -> Result<Option<Found>, WebError> {
    let credential = state
        .store
        .credentials()
        .get(credential_id)
        .await?
        .ok_or_else(|| WebError::Internal(format!("{} has no credential", account.key())))?;
    Ok(Some(Found {
        account,
        login,
        credential,
        usable,
    }))
}

/// Runs password hashing or verification off the async runtime: it takes
/// tens of milliseconds of CPU on purpose.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, WebError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| WebError::Internal(format!("password hashing: {e}")))
}

/// The first step: the login name and password. `Some` when they are right
/// and the account may go on to its second factor.
pub(crate) async fn check_password(
    state: &AppState,
    kind: Kind,
    ip: &ClientIp,
    login: &str,
    password: &str,
) -> Result<Option<Found>, WebError> {
    let now = state.now();
    let password = password.to_owned();
    let throttle = state.store.login_throttle();
    let refuse = |reason: &'static str, found: Option<Found>| async move {
        record_failure(state, kind, ip, found.as_ref(), reason, login).await
    };
    let address_failures = throttle
        .failures(&ip.key(), now, LOCKOUT.address_window)
        .await?;
    let found = match LoginName::parse(login) {
        Ok(name) => find(state, kind, &name).await?,
        Err(_) => None,
    };
    let checkable = found
        .as_ref()
        .filter(|found| !found.credential.is_locked(now))
        .and_then(|found| found.credential.password_hash.clone());
    let Some(hash) = checkable.filter(|_| address_failures < LOCKOUT.failures_per_address) else {
        // Every refusal costs one verification, like a real one.
        blocking(move || verify_nothing(&password)).await?;
        let reason = match &found {
            _ if address_failures >= LOCKOUT.failures_per_address => "address throttled",
            None => "unknown login",
            Some(found) if found.credential.is_locked(now) => "account locked",
            Some(_) => "no password set",
        };
        // A locked account's lock is not extended by the attempts it refuses.
        let counted = found.filter(|found| !found.credential.is_locked(now));
        refuse(reason, counted).await?;
        return Ok(None);
    };
    let matches = blocking(move || hash.verify(&password)).await?;
    let Some(found) = found else {
        return Ok(None);
    };
    if !matches {
        refuse("wrong password", Some(found)).await?;
        return Ok(None);
    }
    if !found.usable {
        let reason = match kind {
            Kind::Staff => "staff disabled",
            Kind::Citizen => "account not activated",
        };
        audit_failure(state, kind, ip, Some(&found), reason, login).await?;
        return Ok(None);
    }
    Ok(Some(found))
}

/// Counts a failure against the account (locking it after too many) and the
/// address, and records it, and the lock if there is one, in the audit log.
async fn record_failure(
    state: &AppState,
    kind: Kind,
    ip: &ClientIp,
    found: Option<&Found>,
    reason: &str,
    login: &str,
) -> Result<(), WebError> {
    let now = state.now();
    state
        .store
        .login_throttle()
        .record_failure(&ip.key(), now, LOCKOUT.address_window)
        .await?;
    audit_failure(state, kind, ip, found, reason, login).await?;
    let Some(found) = found else {
        return Ok(());
    };
    let locked = state
        .store
        .credentials()
        .record_failure(&found.credential.id, now, &LOCKOUT)
        .await?;
    if let Some(until) = locked {
        let event = found
            .account
            .about(AuditEvent::new(now, Actor::System, kind.locked()))
            .with("until", until.to_string())
            .from_ip(ip.text());
        state.store.audit().append(&event).await?;
    }
    Ok(())
}

async fn audit_failure(
    state: &AppState,
    kind: Kind,
    ip: &ClientIp,
    found: Option<&Found>,
    reason: &str,
    login: &str,
) -> Result<(), WebError> {
    let mut event = AuditEvent::new(state.now(), Actor::Anonymous, kind.failed())
        .with("provider", LOCAL_PROVIDER)
        .with("reason", reason)
        .from_ip(ip.text());
    match found {
        Some(found) => event = found.account.about(event),
        // The typed name only when it matches no account: a known name is in the subject.
        None => event = event.with("login", login.chars().take(64).collect::<String>()),
    }
    state.store.audit().append(&event).await?;
    Ok(())
}

/// Remembers, in the visitor's session, that the password was right and
/// what comes next: the code, or setting up a password and a second factor.
pub(crate) async fn begin_second_factor(
    state: &AppState,
    visitor: &Visitor,
    found: &Found,
    next_path: &str,
) -> Result<Stage, WebError> {
    let session = visitor
        .session
        .as_ref()
        .ok_or_else(|| WebError::BadRequest(String::new()))?;
    let stage = if found.credential.needs_setup() {
        Stage::Setup
    } else {
        Stage::Code
    };
    let expires_at = state
        .now()
        .checked_add(SECOND_FACTOR_LIFETIME)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let pending = PendingSecondFactor {
        account: found.account.key(),
        stage: stage.as_str().to_owned(),
        next_path: next_path.to_owned(),
    };
    state
        .store
        .pending_logins()
        .put(&session.token.id_hash(), &pending, expires_at)
        .await?;
    Ok(stage)
}

/// The second step of a local login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    Code,
    Setup,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::Setup => "setup",
        }
    }
}

/// A login waiting for its second step in this session.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub found: Found,
    pub stage: Stage,
    pub next_path: String,
}

/// The visitor's login in progress, of this kind, if there is one that is
/// still valid and whose account may still log in.
pub(crate) async fn pending(
    state: &AppState,
    visitor: &Visitor,
    kind: Kind,
) -> Result<Option<Pending>, WebError> {
    let Some(session) = &visitor.session else {
        return Ok(None);
    };
    let Some(pending) = state
        .store
        .pending_logins()
        .get(&session.token.id_hash(), state.now())
        .await?
    else {
        return Ok(None);
    };
    let Some(account) = Account::parse(&pending.account).filter(|a| a.kind() == kind) else {
        return Ok(None);
    };
    let stage = match pending.stage.as_str() {
        "code" => Stage::Code,
        "setup" => Stage::Setup,
        other => return Err(WebError::Internal(format!("unknown login stage {other:?}"))),
    };
    let found = find_account(state, account)
        .await?
        .filter(|found| found.usable && !found.credential.is_locked(state.now()));
    Ok(found.map(|found| Pending {
        found,
        stage,
        next_path: pending.next_path,
    }))
}

/// The second step: the TOTP code. True when it is right and unused; a
/// wrong or replayed code counts as a failed login.
pub(crate) async fn check_code(
    state: &AppState,
    ip: &ClientIp,
    found: &Found,
    code: &str,
) -> Result<bool, WebError> {
    let kind = found.account.kind();
    let step = found
        .credential
        .totp_secret
        .as_ref()
        .and_then(|secret| secret.verify(code, state.now()));
    let reason = match step {
        None => "wrong code",
        Some(step) => {
            if state
                .store
                .credentials()
                .use_totp_step(&found.credential.id, step)
                .await?
            {
                state
                    .store
                    .credentials()
                    .record_success(&found.credential.id)
                    .await?;
                return Ok(true);
            }
            "replayed code"
        }
    };
    record_failure(state, kind, ip, Some(found), reason, found.login.as_str()).await?;
    Ok(false)
}

/// The second factor being enrolled: the one kept from an earlier showing
/// of the form, so that a reload does not invalidate what was scanned, or a
/// new one.
pub(crate) async fn enrolment_secret(
    state: &AppState,
    credential: &Credential,
) -> Result<TotpSecret, WebError> {
    if let Some(secret) = &credential.totp_pending_secret {
        return Ok(secret.clone());
    }
    let secret = TotpSecret::generate().map_err(|e| WebError::Internal(e.to_string()))?;
    state
        .store
        .credentials()
        .set_pending_totp(&credential.id, &secret, state.now())
        .await?;
    Ok(secret)
}

/// What was wrong with a new password and its first code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetupProblem {
    Password(obcan_core::credential::WeakPassword),
    Code,
}

/// Checks a new password and the first code of the second factor being
/// enrolled; on success, the password's hash and the step the code matched.
pub(crate) async fn check_setup(
    state: &AppState,
    found: &Found,
    secret: &TotpSecret,
    password: &str,
    confirmation: &str,
    code: &str,
) -> Result<Result<(PasswordHash, i64), SetupProblem>, WebError> {
    let password = match NewPassword::parse(password, confirmation, &found.login) {
        Ok(password) => password,
        Err(weak) => return Ok(Err(SetupProblem::Password(weak))),
    };
    let Some(step) = secret.verify(code, state.now()) else {
        return Ok(Err(SetupProblem::Code));
    };
    let hash = blocking(move || password.hash())
        .await?
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(Ok((hash, step)))
}

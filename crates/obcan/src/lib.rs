//! The `obcan` binary's library: configuration and wiring. The command line
//! is in `main.rs`; tests start the same [`Application`] in-process.

pub mod audit_stamps;
pub mod config;
pub mod telemetry;
pub mod webhooks;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use jiff::SignedDuration;
use obcan_connect::identity::demo;
use obcan_connect::identity::nia_oidc::{DecryptionKey, NiaProfile};
use obcan_connect::identity::oidc::{OidcProfile, OidcProvider, OidcSettings};
use obcan_connect::identity::saml::{KeyPair, SamlProvider, SamlSettings, SpType};
use obcan_connect::mail::{MailSecurity, MailSettings, Mailer};
use obcan_connect::messaging::{EmailChannel, SmsChannel};
use obcan_connect::outbox::DemoOutbox;
use obcan_connect::registers::RegisterConnector;
use obcan_connect::registers::demo::DemoRegisters;
use obcan_connect::registers::http::{HttpRegisters, HttpSettings};
use obcan_connect::sms::{SmsGateway, SmsSettings};
use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::credential::InitialPassword;
use obcan_core::documents::Quota;
use obcan_core::forms::Catalog;
use obcan_core::identity::{Loa, ProviderId};
use obcan_core::registers::{Ico, MatchRule};
use obcan_core::session::SessionPolicy;
use obcan_core::staff::{Label, LoginName, Role, StaffId};
use obcan_store::blobs::{BlobStore, S3Settings};
use obcan_store::{Backend, MasterKey, NewStaff, PoolSettings, Store};
use obcan_web::branding::{Branding, Color, Contact, Logo};
use obcan_web::documents::DocumentSettings;
use obcan_web::{
    AppState, ContactSettings, IdentityLogin, Means, RegisterSettings, SessionKey, WebSettings,
};
use tokio::net::TcpListener;

use crate::config::{
    BlobBackend, Config, ConnectorKind, MailSecurityConfig, Mode, OidcProviderConfig,
    SamlProviderConfig,
};

/// How often expired sessions are swept from the database.
const SESSION_PURGE_INTERVAL: Duration = Duration::from_secs(300);

/// Opens the store described by the configuration: the database, the
/// master key and the blob store.
pub fn open_store(config: &Config) -> anyhow::Result<Store> {
    let settings = PoolSettings {
        max_connections: config.database.max_connections,
        acquire_timeout: Duration::from_secs(config.database.acquire_timeout_seconds),
    };
    let store = Store::open(config.database.url.expose(), settings)
        .with_context(|| format!("cannot open the database {:?}", config.database.url))?;
    Ok(store
        .with_master_key(master_key(config)?)
        .with_blobs(blob_store(config)?))
}

/// Migrates the database if so configured, and checks the master key.
pub async fn prepare_store(store: &Store, config: &Config) -> anyhow::Result<()> {
    if config.database.migrate_on_start {
        store
            .migrate()
            .await
            .context("cannot migrate the database")?;
    }
    store
        .vault()
        .unlock()
        .await
        .context("cannot use the master key")?;
    Ok(())
}

/// The master key from the configuration; the demo makes its own once.
pub fn master_key(config: &Config) -> anyhow::Result<MasterKey> {
    let secrets = &config.secrets;
    if !secrets.master_key.expose().is_empty() {
        return MasterKey::from_base64(secrets.master_key.expose())
            .context("secrets.master_key (OBCAN_SECRETS_MASTER_KEY)");
    }
    if !secrets.master_key_file.as_os_str().is_empty() {
        return read_master_key(&secrets.master_key_file);
    }
    let demo_file = config.storage.path.join("master.key");
    if demo_file.exists() {
        return read_master_key(&demo_file);
    }
    let key = MasterKey::generate()?;
    write_key_file(&demo_file, &key)?;
    tracing::warn!(
        file = %demo_file.display(),
        "created a master key for the demo; production reads it from secrets.master_key_file"
    );
    Ok(key)
}

pub fn read_master_key(file: &std::path::Path) -> anyhow::Result<MasterKey> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the master key file {}", file.display()))?;
    MasterKey::from_base64(&text).with_context(|| format!("the master key file {}", file.display()))
}

/// Re-wraps every data key under `new`, with an audit entry.
pub async fn rotate_master_key(
    store: &Store,
    new: &MasterKey,
    now: jiff::Timestamp,
) -> anyhow::Result<u64> {
    let rotated = store.vault().rotate(new).await?;
    let event = AuditEvent::new(now, Actor::System, Action::MasterKeyRotated)
        .with("master_key", new.id())
        .with("data_keys", rotated.to_string());
    store.audit().append(&event).await?;
    Ok(rotated)
}

/// Checks every stored object once; each damaged one is logged as an error
/// and audited.
pub async fn verify_storage(
    store: &Store,
    now: jiff::Timestamp,
) -> anyhow::Result<obcan_store::CheckReport> {
    const BATCH: u32 = 500;
    let total = store.documents().count().await?;
    let mut report = obcan_store::CheckReport::default();
    while report.checked < total {
        let batch = store.documents().check(BATCH, now).await?;
        if batch.checked == 0 {
            break;
        }
        report.checked += batch.checked;
        report.damaged.extend(batch.damaged);
    }
    obcan_web::documents::report_damage(store, &report.damaged, now).await?;
    Ok(report)
}

/// Writes a new key file, readable by its owner only; never overwrites one.
pub fn write_key_file(file: &std::path::Path, key: &MasterKey) -> anyhow::Result<()> {
    use std::io::Write as _;
    if let Some(folder) = file
        .parent()
        .filter(|folder| !folder.as_os_str().is_empty())
    {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut out = options
        .open(file)
        .with_context(|| format!("cannot create the key file {}", file.display()))?;
    out.write_all(key.to_base64().as_bytes())?;
    out.write_all(b"\n")?;
    out.sync_all()?;
    Ok(())
}

fn blob_store(config: &Config) -> anyhow::Result<BlobStore> {
    let storage = &config.storage;
    match storage.backend {
        BlobBackend::Local => BlobStore::local(storage.path.join("blobs"))
            .with_context(|| format!("cannot use the folder {}", storage.path.display())),
        BlobBackend::S3 => BlobStore::s3(&S3Settings {
            endpoint: storage.s3_endpoint.clone(),
            bucket: storage.s3_bucket.clone(),
            region: storage.s3_region.clone(),
            access_key_id: storage.s3_access_key_id.clone(),
            secret_access_key: storage.s3_secret_access_key.expose().to_owned(),
        })
        .context("cannot configure the S3 object store"),
    }
}

/// Creates an administrator with a fresh initial password, which it returns:
/// the bootstrap of a new installation (`obcan staff create-admin`).
pub async fn create_admin(
    store: &Store,
    login: &str,
    name: Option<&str>,
    now: jiff::Timestamp,
) -> anyhow::Result<InitialPassword> {
    let login = LoginName::parse(login).context("--login")?;
    let name = Label::parse(name.unwrap_or(login.as_str())).context("--name")?;
    let password = InitialPassword::generate()?;
    let hash = password.hash()?;
    let id = StaffId::random();
    let event = AuditEvent::new(now, Actor::System, Action::StaffCreated)
        .about_staff(id)
        .with("login", login.as_str())
        .with("roles", Role::Administrator.as_str());
    let new = NewStaff {
        id,
        login: &login,
        display_name: &name,
        initial_password: Some(&hash),
        roles: &[Role::Administrator],
    };
    store
        .staff()
        .create(&new, now, &event)
        .await?
        .map_err(|_| anyhow::anyhow!("a staff member with the login {login} exists already"))?;
    Ok(password)
}

/// What the web layer needs, from the configuration.
pub fn web_settings(config: &Config) -> anyhow::Result<WebSettings> {
    let b = &config.branding;
    let logo = if b.logo.is_empty() {
        None
    } else {
        let bytes = std::fs::read(&b.logo)
            .with_context(|| format!("branding.logo: cannot read {}", b.logo))?;
        Some(Logo::from_bytes(bytes).with_context(|| format!("branding.logo: {}", b.logo))?)
    };
    let primary_color = if b.primary_color.is_empty() {
        None
    } else {
        Some(Color::parse(&b.primary_color).context("branding.primary_color")?)
    };
    let non_empty = |value: &str| (!value.is_empty()).then(|| value.to_owned());
    Ok(WebSettings {
        branding: Branding {
            name: b.name.clone(),
            name_en: non_empty(&b.name_en),
            logo,
            primary_color,
            ico: Ico::parse(&b.ico).context("branding.ico")?,
            contact: Contact {
                address: b.address.clone(),
                email: non_empty(&b.contact_email),
                phone: non_empty(&b.contact_phone),
            },
        },
        secure_cookies: config.http.secure_cookies,
        hsts: config.mode == Mode::Production,
        session: SessionPolicy {
            idle_timeout: SignedDuration::from_mins(i64::from(config.session.idle_timeout_minutes)),
            absolute_timeout: SignedDuration::from_hours(i64::from(
                config.session.absolute_timeout_hours,
            )),
        },
        body_limit: config.http.body_limit_bytes,
        demo_identity: config.identity.demo,
        logins: identity_logins(config)?,
        public_url: config.public_url(),
        session_key: SessionKey::new(config.secrets.session_key.expose().as_bytes().to_vec()),
        office_logins: config
            .staff
            .oidc
            .iter()
            .map(|provider| {
                oidc_login(provider).with_context(|| format!("staff.oidc {:?}", provider.id))
            })
            .collect::<anyhow::Result<_>>()?,
        trusted_proxies: config.http.trusted_proxies.clone(),
        registers: register_settings(config)?,
        contacts: contact_settings(config)?,
        documents: DocumentSettings {
            quota: Quota::new(config.storage.quota_mib.saturating_mul(1 << 20)),
            check_batch: config.storage.check_batch,
            check_every: (config.storage.check_every_minutes > 0)
                .then(|| Duration::from_secs(config.storage.check_every_minutes * 60)),
        },
        forms: Arc::new(load_forms(config)?),
    })
}

/// The built-in forms and the office's own from `forms.path`, every one
/// checked: a bad definition stops the start, naming its file and field.
pub fn load_forms(config: &Config) -> anyhow::Result<Catalog> {
    let folder = &config.forms.path;
    let mut files = Vec::new();
    if !folder.as_os_str().is_empty() {
        let entries = std::fs::read_dir(folder)
            .with_context(|| format!("forms.path: cannot read {}", folder.display()))?;
        for entry in entries {
            let path = entry
                .with_context(|| format!("forms.path: cannot read {}", folder.display()))?
                .path();
            if path
                .extension()
                .is_some_and(|extension| extension == "toml")
            {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read the form {}", path.display()))?;
                files.push((path.display().to_string(), text));
            }
        }
        // The same order on every node, whatever the file system's.
        files.sort();
    }
    Ok(Catalog::load(
        files
            .iter()
            .map(|(name, text)| (name.clone(), text.as_str())),
    )?)
}

/// Where verification codes go: the SMTP server and the SMS gateway, or in
/// the demo without them, the demo outbox. Production without a gateway
/// verifies no telephone numbers.
fn contact_settings(config: &Config) -> anyhow::Result<ContactSettings> {
    let outbox = || DemoOutbox::new(config.storage.path.join("outbox"));
    let mail = &config.mail;
    let email = if mail.host.is_empty() {
        EmailChannel::DemoOutbox(outbox())
    } else {
        let credentials = (!mail.username.is_empty())
            .then(|| (mail.username.clone(), mail.password.expose().to_owned()));
        EmailChannel::Smtp(Box::new(
            Mailer::new(MailSettings {
                host: mail.host.clone(),
                port: mail.port,
                security: match mail.security {
                    MailSecurityConfig::None => MailSecurity::None,
                    MailSecurityConfig::Starttls => MailSecurity::StartTls,
                    MailSecurityConfig::Tls => MailSecurity::Tls,
                },
                credentials,
                from: mail.from.clone(),
                hello_name: host_name(&config.http.public_url),
                timeout: Duration::from_secs(mail.timeout_seconds),
            })
            .context("mail")?,
        ))
    };
    let sms = if !config.sms.url.is_empty() {
        Some(SmsChannel::Gateway(
            SmsGateway::new(SmsSettings {
                url: config.sms.url.parse().context("sms.url")?,
                token: Some(config.sms.token.expose().to_owned()).filter(|token| !token.is_empty()),
                timeout: Duration::from_millis(config.sms.timeout_ms),
            })
            .context("sms")?,
        ))
    } else if config.mode == Mode::Demo {
        Some(SmsChannel::DemoOutbox(outbox()))
    } else {
        None
    };
    Ok(ContactSettings {
        email: Arc::new(email),
        sms: sms.map(Arc::new),
    })
}

/// The host name in the portal's public address, which it greets the mail
/// server with; none for an address given by IP or no address at all.
fn host_name(public_url: &str) -> Option<String> {
    let rest = public_url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = host.split(':').next()?;
    let is_name = !host.is_empty()
        && host.parse::<std::net::IpAddr>().is_err()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    is_name.then(|| host.to_ascii_lowercase())
}

/// The register connector and how its data is matched, kept and guarded.
fn register_settings(config: &Config) -> anyhow::Result<RegisterSettings> {
    let registers = &config.registers;
    let connector = match registers.connector {
        ConnectorKind::Demo => {
            #[expect(
                clippy::disallowed_methods,
                reason = "the demo data set's dates are relative to the day the portal starts"
            )]
            let today = jiff::Timestamp::now()
                .to_zoned(obcan_core::time::office_zone())
                .date();
            RegisterConnector::Demo(DemoRegisters::new(registers.demo_seed, today))
        }
        ConnectorKind::Http => RegisterConnector::Http(
            HttpRegisters::new(HttpSettings {
                base_url: registers.url.parse().context("registers.url")?,
                token: Some(registers.token.expose().to_owned()).filter(|token| !token.is_empty()),
                timeout: Duration::from_millis(registers.timeout_ms),
                retries: registers.retries,
                failure_threshold: registers.failure_threshold,
                cool_down: Duration::from_secs(registers.cool_down_seconds),
                max_answer_bytes: registers.max_answer_bytes,
            })
            .context("registers")?,
        ),
    };
    let mut match_rules: BTreeMap<String, MatchRule> = config
        .identity
        .saml
        .iter()
        .map(|provider| (provider.id.clone(), provider.register_match))
        .collect();
    for provider in config
        .identity
        .oidc
        .iter()
        .map(OidcProviderConfig::resolved)
    {
        let rule = provider
            .register_match
            .unwrap_or(MatchRule::NameAndBirthDate);
        match_rules.insert(provider.id, rule);
    }
    if config.identity.demo {
        match_rules.insert(demo::PROVIDER.to_owned(), MatchRule::Identifier);
    }
    Ok(RegisterSettings {
        connector: Arc::new(connector),
        cache_for: SignedDuration::from_mins(i64::from(registers.cache_minutes)),
        min_loa: registers.min_loa,
        match_rules,
    })
}

/// The outside identity providers, in the login page's order: SAML (NIA) first.
fn identity_logins(config: &Config) -> anyhow::Result<Vec<IdentityLogin>> {
    let label_en = |label: &str| (!label.is_empty()).then(|| label.to_owned());
    let saml = config.identity.saml.iter().map(|provider| {
        let settings = saml_settings(config, provider)
            .with_context(|| format!("identity.saml {:?}", provider.id))?;
        Ok(IdentityLogin {
            means: Means::Saml(Arc::new(
                SamlProvider::new(settings)
                    .with_context(|| format!("identity.saml {:?}", provider.id))?,
            )),
            label: provider.label.clone(),
            label_en: label_en(&provider.label_en),
        })
    });
    let oidc = config.identity.oidc.iter().map(|provider| {
        oidc_login(provider).with_context(|| format!("identity.oidc {:?}", provider.id))
    });
    saml.chain(oidc).collect()
}

/// An OpenID provider on a login page, from its configuration.
fn oidc_login(provider: &OidcProviderConfig) -> anyhow::Result<IdentityLogin> {
    let provider = provider.resolved();
    Ok(IdentityLogin {
        means: Means::Oidc(Arc::new(OidcProvider::new(oidc_settings(&provider)?)?)),
        label: provider.label.clone(),
        label_en: (!provider.label_en.is_empty()).then(|| provider.label_en.clone()),
    })
}

/// Settings of a provider whose preset is resolved.
fn oidc_settings(provider: &OidcProviderConfig) -> anyhow::Result<OidcSettings> {
    let profile = if provider.preset.is_nia() {
        OidcProfile::Nia(NiaProfile {
            discovery_url: provider.discovery_url.clone(),
            decryption_key: DecryptionKey::from_pem(&read(&provider.decryption_key)?)?,
            min_loa: provider.min_loa.unwrap_or_else(config::default_nia_loa),
            sector: provider.sector.into(),
        })
    } else {
        OidcProfile::Standard
    };
    Ok(OidcSettings {
        id: ProviderId::parse(&provider.id)?,
        issuer: provider.issuer.clone(),
        client_id: provider.client_id.clone(),
        client_secret: provider.client_secret.expose().to_owned(),
        scopes: provider.scopes.clone(),
        default_loa: provider.default_loa.unwrap_or(Loa::Low),
        acr_loa: provider.acr_loa.clone(),
        timeout: Duration::from_secs(provider.timeout_seconds),
        profile,
    })
}

fn read(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

impl From<config::SpType> for SpType {
    fn from(sp_type: config::SpType) -> Self {
        match sp_type {
            config::SpType::Public => Self::Public,
            config::SpType::Private => Self::Private,
        }
    }
}

fn saml_settings(config: &Config, provider: &SamlProviderConfig) -> anyhow::Result<SamlSettings> {
    let signing = KeyPair {
        private_key_pem: read(&provider.signing_key)?,
        certificate_pem: read(&provider.signing_certificate)?,
    };
    let encryption = if provider.encryption_key.as_os_str().is_empty() {
        signing.clone()
    } else {
        KeyPair {
            private_key_pem: read(&provider.encryption_key)?,
            certificate_pem: read(&provider.encryption_certificate)?,
        }
    };
    let base = format!("{}/login/saml/{}", config.public_url(), provider.id);
    Ok(SamlSettings {
        id: ProviderId::parse(&provider.id)?,
        idp_metadata_url: provider.idp_metadata_url().to_owned(),
        entity_id: format!("{base}/metadata"),
        acs_url: format!("{base}/acs"),
        slo_url: format!("{base}/slo"),
        signing,
        encryption,
        min_loa: provider.min_loa,
        sp_type: provider.sp_type.into(),
        timeout: Duration::from_secs(provider.timeout_seconds),
    })
}

/// A portal ready to serve: store open and migrated, port bound.
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    state: AppState,
    /// The time-stamping authority and how often to stamp the audit log.
    stamps: Option<(Arc<obcan_connect::timestamp::TimestampAuthority>, Duration)>,
    /// The webhook sender and how often it looks for webhooks to send.
    webhooks: Option<(Arc<webhooks::Delivery>, Duration)>,
}

impl Application {
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        let store = open_store(config)?;
        prepare_store(&store, config).await?;
        if store.backend() == Backend::Sqlite {
            std::fs::create_dir_all(&config.storage.path).with_context(|| {
                format!(
                    "cannot create the storage folder {}",
                    config.storage.path.display()
                )
            })?;
        }
        let state = AppState::new(store, web_settings(config)?);
        let every = Duration::from_secs(config.audit.stamp_every_minutes.saturating_mul(60));
        let stamps = audit_stamps::authority(config)?
            .filter(|_| !every.is_zero())
            .map(|authority| (Arc::new(authority), every));
        let webhooks = (config.webhooks.deliver_every_seconds > 0)
            .then(|| webhooks::Delivery::new(&config.webhooks))
            .transpose()?
            .map(|delivery| {
                let every = Duration::from_secs(config.webhooks.deliver_every_seconds);
                (Arc::new(delivery), every)
            });
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        Ok(Self {
            listener,
            state,
            stamps,
            webhooks,
        })
    }

    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Serves until `shutdown` resolves, then lets requests in flight finish.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let stopped = move || {
            let mut stop_rx = stop_rx.clone();
            async move {
                let _ = stop_rx.wait_for(|stop| *stop).await;
            }
        };
        let purge = tokio::spawn(obcan_web::purge_expired_sessions(
            self.state.clone(),
            SESSION_PURGE_INTERVAL,
            stopped(),
        ));
        let integrity = tokio::spawn(obcan_web::documents::check_integrity(
            self.state.clone(),
            stopped(),
        ));
        let stamps = self.stamps.map(|(authority, every)| {
            tokio::spawn(audit_stamps::stamp_periodically(
                self.state.clone(),
                authority,
                every,
                stopped(),
            ))
        });
        let webhooks = self.webhooks.map(|(delivery, every)| {
            tokio::spawn(webhooks::deliver_periodically(
                self.state.clone(),
                delivery,
                every,
                stopped(),
            ))
        });
        let store = self.state.store.clone();
        let app = obcan_web::router(self.state).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown)
            .await
            .context("server error")?;
        let _ = stop_tx.send(true);
        let _ = purge.await;
        let _ = integrity.await;
        if let Some(stamps) = stamps {
            let _ = stamps.await;
        }
        if let Some(webhooks) = webhooks {
            let _ = webhooks.await;
        }
        store.close().await;
        Ok(())
    }
}

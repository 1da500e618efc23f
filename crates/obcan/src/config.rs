//! The portal's configuration: typed, from defaults, then a TOML file, then
//! `OBCAN_*` environment variables (`OBCAN_DATABASE_URL` sets `database.url`:
//! the first `_` after the prefix separates the section from the key).

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use obcan_core::identity::{Loa, ProviderId};
use obcan_core::registers::{Ico, MatchRule};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The demo town's IČO: well-formed, so the demo can export its records;
/// production refuses it.
pub const DEMO_ICO: &str = "00012343";
/// Publicly known, so only fit for the demo; production refuses it.
pub const DEMO_SESSION_KEY: &str = "obcan-demo-session-key-not-secret-change-it-in-production";
const MIN_SECRET_LENGTH: usize = 32;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `demo` runs anything; `production` refuses unsafe settings.
    pub mode: Mode,
    pub listen: SocketAddr,
    pub database: DatabaseConfig,
    pub storage: StorageConfig,
    pub http: HttpConfig,
    pub session: SessionConfig,
    pub identity: IdentityConfig,
    pub staff: StaffConfig,
    pub registers: RegistersConfig,
    pub mail: MailConfig,
    pub sms: SmsConfig,
    pub audit: AuditConfig,
    pub webhooks: WebhooksConfig,
    pub secrets: SecretsConfig,
    pub branding: BrandingConfig,
    pub forms: FormsConfig,
    pub log: LogConfig,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Demo,
    Production,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    pub url: DatabaseUrl,
    pub max_connections: u32,
    pub acquire_timeout_seconds: u64,
    /// Apply pending migrations at start. Multi-node installations set this
    /// to false and run `obcan migrate` once per release instead.
    pub migrate_on_start: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// Folder for files kept on the local disk: documents (with
    /// `backend = "local"`), the demo outbox, the demo master key.
    pub path: PathBuf,
    /// Where documents are kept: `local` (under `path`) or `s3` (an
    /// S3-compatible object store, for several nodes).
    pub backend: BlobBackend,
    /// E.g. `https://s3.example.cz`.
    pub s3_endpoint: String,
    pub s3_bucket: String,
    pub s3_region: String,
    pub s3_access_key_id: String,
    pub s3_secret_access_key: Secret,
    /// Each citizen's storage, in MiB.
    pub quota_mib: u64,
    /// The integrity check re-reads this many objects...
    pub check_batch: u32,
    /// ...every this many minutes; 0 turns the background check off
    /// (`obcan storage verify` still runs it on demand).
    pub check_every_minutes: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BlobBackend {
    Local,
    S3,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// The portal's address as browsers see it, e.g. `https://portal.vzorov.cz`.
    /// Empty: `http://` and the listen address, fit for a local demo only.
    pub public_url: String,
    /// Mark cookies Secure (HTTPS only). Required in production.
    pub secure_cookies: bool,
    /// Largest request body accepted, in bytes.
    pub body_limit_bytes: usize,
    /// Addresses of the reverse proxies in front of the portal. A request
    /// from one of them is taken to come from the address it names in
    /// `X-Forwarded-For`: login throttling and the audit log need the client's.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionConfig {
    pub idle_timeout_minutes: u32,
    pub absolute_timeout_hours: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IdentityConfig {
    /// Offer the demo identity provider. Refused in production.
    pub demo: bool,
    /// SAML identity providers (NIA). The login page offers them first, in
    /// this order, then the OpenID providers.
    pub saml: Vec<SamlProviderConfig>,
    /// OpenID Connect providers, in the order the login page offers them.
    pub oidc: Vec<OidcProviderConfig>,
}

/// The office's staff: how they log in besides their local accounts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StaffConfig {
    /// The office's own OpenID providers (e.g. its Active Directory's), on the
    /// staff login page. An administrator links each staff member's account
    /// there by its identifier (`sub`). Redirect URI:
    /// `<http.public_url>/office/login/oidc/<id>/callback`.
    pub oidc: Vec<OidcProviderConfig>,
}

/// One SAML identity provider, normally NIA. The portal's own addresses for
/// it follow from `http.public_url`: metadata (the entity id NIA calls the
/// service's unique URL) at `/login/saml/<id>/metadata`, assertions at
/// `/login/saml/<id>/acs`, logout at `/login/saml/<id>/slo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamlProviderConfig {
    /// Short name in URLs and the database, e.g. `nia`.
    pub id: String,
    #[serde(default)]
    pub preset: SamlPreset,
    /// The button's label, e.g. "Identita občana".
    pub label: String,
    #[serde(default)]
    pub label_en: String,
    /// Where the identity provider publishes its metadata; the preset's when empty.
    #[serde(default)]
    pub idp_metadata_url: String,
    /// PEM files of the key and certificate that sign the portal's requests.
    pub signing_key: PathBuf,
    pub signing_certificate: PathBuf,
    /// PEM files of the key and certificate assertions are encrypted to;
    /// the signing pair when empty.
    #[serde(default)]
    pub encryption_key: PathBuf,
    #[serde(default)]
    pub encryption_certificate: PathBuf,
    /// The lowest level of assurance accepted.
    #[serde(default = "default_nia_loa")]
    pub min_loa: Loa,
    /// `public` for public bodies, `private` otherwise (eIDAS SPType).
    #[serde(default)]
    pub sp_type: SpType,
    /// How a login here finds the person in the registers; NIA's
    /// PersonIdentifier (`identifier`) unless set.
    #[serde(default = "identifier_match")]
    pub register_match: MatchRule,
    #[serde(default = "default_provider_timeout")]
    pub timeout_seconds: u64,
}

fn identifier_match() -> MatchRule {
    MatchRule::Identifier
}

/// The lowest level of assurance NIA logins must reach unless configured.
pub(crate) fn default_nia_loa() -> Loa {
    Loa::Substantial
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SamlPreset {
    /// NIA's production environment.
    #[default]
    Nia,
    /// NIA's test environment, for trying a registration out.
    NiaTest,
    /// Any other SAML 2.0 identity provider; `idp_metadata_url` is required.
    Generic,
}

/// The eIDAS service provider type, which NIA asks for over SAML and OpenID
/// Connect alike: `public` for public bodies, `private` otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpType {
    #[default]
    Public,
    Private,
}

impl SamlProviderConfig {
    /// The identity provider's metadata address, the preset's when not set.
    pub fn idp_metadata_url(&self) -> &str {
        match (self.idp_metadata_url.as_str(), self.preset) {
            ("", SamlPreset::Nia) => {
                "https://nia.identitaobcana.cz/fpsts/FederationMetadata/2007-06/FederationMetadata.xml"
            }
            ("", SamlPreset::NiaTest) => {
                "https://tnia.identitaobcana.cz/fpsts/FederationMetadata/2007-06/FederationMetadata.xml"
            }
            (url, _) => url,
        }
    }
}

/// One OpenID Connect provider. A preset fills in what that provider always has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcProviderConfig {
    /// Short name in URLs and the database: lowercase letters, digits and `-`.
    pub id: String,
    #[serde(default)]
    pub preset: OidcPreset,
    /// The button's label, e.g. "mojeID".
    pub label: String,
    #[serde(default)]
    pub label_en: String,
    #[serde(default)]
    pub issuer: String,
    pub client_id: String,
    /// Required, except by NIA, which identifies the portal by its client id
    /// (its registered URL) and redirect URI.
    #[serde(default)]
    pub client_secret: Secret,
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Level of assurance when the ID token's `acr` says nothing known.
    #[serde(default)]
    pub default_loa: Option<Loa>,
    /// `acr` values and the level of assurance each means.
    #[serde(default)]
    pub acr_loa: BTreeMap<String, Loa>,
    /// NIA only: where its discovery document is; the preset's when empty.
    #[serde(default)]
    pub discovery_url: String,
    /// NIA only: PEM file of the RSA key whose certificate is registered
    /// with NIA, which encrypts ID tokens to it.
    #[serde(default)]
    pub decryption_key: PathBuf,
    /// NIA only: the lowest level of assurance asked for and accepted;
    /// substantial when not set.
    #[serde(default)]
    pub min_loa: Option<Loa>,
    /// NIA only: `public` for public bodies, `private` otherwise.
    #[serde(default)]
    pub sector: SpType,
    /// How a login here finds the person in the registers: `identifier`
    /// (the default for NIA), `name_and_birth_date` (the default for the
    /// others: the provider must vouch for both) or `never`.
    #[serde(default)]
    pub register_match: Option<MatchRule>,
    #[serde(default = "default_provider_timeout")]
    pub timeout_seconds: u64,
}

fn default_provider_timeout() -> u64 {
    10
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OidcPreset {
    #[default]
    Generic,
    /// mojeID (CZ.NIC).
    Mojeid,
    /// Bank iD (bankovní identita); the sandbox issuer goes in `issuer`.
    Bankid,
    /// NIA's OpenID Connect profile, production environment.
    Nia,
    /// NIA's OpenID Connect profile, test environment.
    #[serde(rename = "nia-test")]
    NiaTest,
}

impl OidcPreset {
    /// NIA's profile, in either environment.
    pub fn is_nia(self) -> bool {
        matches!(self, Self::Nia | Self::NiaTest)
    }
}

impl OidcProviderConfig {
    /// The settings with the preset's defaults filled in where left empty.
    pub fn resolved(&self) -> Self {
        let mut resolved = self.clone();
        let (issuer, scopes, loa, acr): (&str, &[&str], Loa, &[(&str, Loa)]) = match self.preset {
            OidcPreset::Generic => ("", &["openid", "profile"], Loa::Low, &[]),
            // An account verified against NIA reaches more, but the standard
            // claims do not say so: assume the least.
            OidcPreset::Mojeid => (
                "https://mojeid.cz/oidc/",
                &["openid", "profile", "email"],
                Loa::Low,
                &[],
            ),
            OidcPreset::Bankid => (
                "https://oidc.bankid.cz/",
                &["openid", "profile.name", "profile.birthdate"],
                Loa::Substantial,
                &[("loa3", Loa::Substantial), ("loa2", Loa::Low)],
            ),
            // The same issuer in both environments; the level comes from the
            // ID token and `min_loa`.
            OidcPreset::Nia | OidcPreset::NiaTest => (
                "urn:microsoft:cgg2010:fpsts",
                &["openid"],
                Loa::Substantial,
                &[],
            ),
        };
        let discovery_url = match self.preset {
            OidcPreset::Nia => "https://nia.identitaobcana.cz/fpsts/oidc/openid-configuration",
            OidcPreset::NiaTest => "https://tnia.identitaobcana.cz/fpsts/oidc/openid-configuration",
            _ => "",
        };
        if resolved.issuer.is_empty() {
            resolved.issuer = issuer.to_owned();
        }
        if resolved.discovery_url.is_empty() {
            resolved.discovery_url = discovery_url.to_owned();
        }
        if self.preset.is_nia() {
            resolved.min_loa.get_or_insert(default_nia_loa());
        }
        resolved
            .register_match
            .get_or_insert(if self.preset.is_nia() {
                MatchRule::Identifier
            } else {
                MatchRule::NameAndBirthDate
            });
        if resolved.scopes.is_empty() {
            resolved.scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        }
        resolved.default_loa.get_or_insert(loa);
        for (value, loa) in acr {
            resolved.acr_loa.entry((*value).to_owned()).or_insert(*loa);
        }
        resolved
    }
}

/// Where citizens' data from the public registers comes from, and how it is
/// kept and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RegistersConfig {
    /// `demo`: a synthetic data set of the demo town (refused in production);
    /// `http`: the office's gateway, speaking docs/api/registers.openapi.yaml.
    pub connector: ConnectorKind,
    /// The gateway's base URL (`http` only).
    pub url: String,
    /// Bearer token for the gateway (`http` only); empty for none.
    pub token: Secret,
    /// For one call to the gateway, connecting included.
    pub timeout_ms: u64,
    /// Further attempts after a timeout, a refused connection or a 5xx.
    pub retries: u32,
    /// Failures in a row after which the gateway is not called for `cool_down_seconds`.
    pub failure_threshold: u32,
    pub cool_down_seconds: u64,
    /// Largest answer accepted from the gateway.
    pub max_answer_bytes: usize,
    /// How long a register's answer is reused before it is asked again.
    pub cache_minutes: u32,
    /// The level of assurance the register pages and API need.
    pub min_loa: Loa,
    /// The demo data set's seed; the same seed gives the same people.
    pub demo_seed: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConnectorKind {
    Demo,
    Http,
}

/// How e-mail to citizens (verification codes) leaves the portal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    /// The SMTP server. Empty: messages are only filed in the demo outbox,
    /// `<storage.path>/outbox/`, which production refuses.
    pub host: String,
    pub port: u16,
    /// `starttls` (usually port 587), `tls` (usually port 465), or `none`:
    /// only for a relay on the same host or a trusted network.
    pub security: MailSecurityConfig,
    /// Login at the server; empty when it wants none. Both or neither.
    pub username: String,
    pub password: Secret,
    /// The sender, e.g. "Město Vzorov <portal@vzorov.cz>". Required with `host`.
    pub from: String,
    /// For one step of the exchange with the server; the whole may take twice that.
    pub timeout_seconds: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailSecurityConfig {
    None,
    Starttls,
    Tls,
}

/// How text messages to citizens (verification codes) leave the portal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmsConfig {
    /// Where the office's SMS gateway takes messages, by the contract of
    /// docs/api/sms-gateway.openapi.yaml. Empty: in the demo, messages are
    /// filed in the demo outbox; in production, telephone numbers are not
    /// verified and the portal says so.
    pub url: String,
    /// Bearer token for the gateway; empty for none.
    pub token: Secret,
    /// For one message, connecting included.
    pub timeout_ms: u64,
}

/// Time stamps of the audit log (RFC 3161). The hash chain shows an entry
/// changed, removed or inserted; only a time stamp of its newest entry, kept
/// by an authority outside the office, shows that its last entries were
/// removed or that it was rewritten whole.
/// Webhooks to the office's records management, from the outbox. Every
/// node sends; a lease on each webhook keeps two nodes from sending it at
/// once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhooksConfig {
    /// How often this node looks for webhooks to send; 0 turns sending off
    /// on this node.
    pub deliver_every_seconds: u64,
    /// For one attempt, connecting included.
    pub timeout_seconds: u64,
    /// The wait after the first failed attempt; it doubles after each
    /// further failure...
    pub first_retry_seconds: u64,
    /// ...up to this.
    pub longest_retry_seconds: u64,
    /// Attempts before a webhook is given up (its last error is kept).
    pub max_attempts: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditConfig {
    /// The time-stamping authority's address, e.g. `https://tsa.example.cz/tsa`.
    /// Empty: the log is not time-stamped (production warns at start).
    pub tsa_url: String,
    /// The CA certificate(s), PEM, that the authority's certificate must
    /// chain to. Required with `tsa_url`; without it, `obcan audit verify`
    /// still checks stored stamps' tokens when this is set.
    pub tsa_ca_file: PathBuf,
    /// HTTP basic login at the authority; empty when it wants none. Both or neither.
    pub tsa_username: String,
    pub tsa_password: Secret,
    /// The newest entry is stamped this often when the log has grown since
    /// the last stamp; 0 turns the background stamping off (`obcan audit
    /// stamp` still stamps on demand, e.g. from cron).
    pub stamp_every_minutes: u64,
    /// For one stamp, connecting included.
    pub tsa_timeout_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecretsConfig {
    /// Key for CSRF tokens; at least 32 characters of randomness in production.
    pub session_key: Secret,
    /// The master key that wraps citizens' data keys: 32 random bytes in
    /// base64, e.g. from `obcan keys generate`. Prefer `master_key_file`.
    pub master_key: Secret,
    /// A file holding the master key (base64), readable only by the portal.
    /// With neither set, the demo keeps one in `<storage.path>/master.key`;
    /// production refuses to start.
    pub master_key_file: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BrandingConfig {
    pub name: String,
    /// The name in English; empty when it is the same.
    pub name_en: String,
    /// Path to the coat of arms or logo (SVG, PNG or JPEG); empty for the built-in one.
    pub logo: String,
    /// Header colour as `#rrggbb`; empty for the design system's blue.
    pub primary_color: String,
    pub address: Vec<String>,
    /// The office's IČO: names it as the originator of its records in the archival packages.
    #[serde(deserialize_with = "ico_digits")]
    pub ico: String,
    pub contact_email: String,
    pub contact_phone: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FormsConfig {
    /// A folder of the office's own form definitions (`*.toml`), read at start beside the
    /// built-in ones, which a definition with the same id replaces; empty for the built-in only.
    pub path: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    pub format: LogFormat,
    /// A tracing filter, e.g. `info` or `info,obcan_web=debug`; `RUST_LOG` overrides it.
    pub level: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Human,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            mode: Mode::Demo,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database: DatabaseConfig {
                url: DatabaseUrl("sqlite://data/obcan.db?mode=rwc".into()),
                max_connections: 10,
                acquire_timeout_seconds: 3,
                migrate_on_start: true,
            },
            storage: StorageConfig {
                path: PathBuf::from("data/files"),
                backend: BlobBackend::Local,
                s3_endpoint: String::new(),
                s3_bucket: String::new(),
                s3_region: "us-east-1".into(),
                s3_access_key_id: String::new(),
                s3_secret_access_key: Secret(String::new()),
                quota_mib: 1024,
                check_batch: 100,
                check_every_minutes: 10,
            },
            http: HttpConfig {
                public_url: String::new(),
                secure_cookies: false,
                body_limit_bytes: 2 * 1024 * 1024,
                trusted_proxies: Vec::new(),
            },
            session: SessionConfig {
                idle_timeout_minutes: 30,
                absolute_timeout_hours: 12,
            },
            identity: IdentityConfig {
                demo: true,
                saml: Vec::new(),
                oidc: Vec::new(),
            },
            staff: StaffConfig { oidc: Vec::new() },
            registers: RegistersConfig {
                connector: ConnectorKind::Demo,
                url: String::new(),
                token: Secret(String::new()),
                timeout_ms: 2000,
                retries: 1,
                failure_threshold: 5,
                cool_down_seconds: 30,
                max_answer_bytes: 4 * 1024 * 1024,
                cache_minutes: 15,
                min_loa: Loa::Substantial,
                demo_seed: 2026,
            },
            mail: MailConfig {
                host: String::new(),
                port: 587,
                security: MailSecurityConfig::Starttls,
                username: String::new(),
                password: Secret(String::new()),
                from: String::new(),
                timeout_seconds: 10,
            },
            sms: SmsConfig {
                url: String::new(),
                token: Secret(String::new()),
                timeout_ms: 5000,
            },
            audit: AuditConfig {
                tsa_url: String::new(),
                tsa_ca_file: PathBuf::new(),
                tsa_username: String::new(),
                tsa_password: Secret(String::new()),
                stamp_every_minutes: 60,
                tsa_timeout_ms: 10_000,
            },
            webhooks: WebhooksConfig {
                deliver_every_seconds: 5,
                timeout_seconds: 10,
                first_retry_seconds: 30,
                longest_retry_seconds: 3600,
                max_attempts: 12,
            },
            secrets: SecretsConfig {
                session_key: Secret(DEMO_SESSION_KEY.into()),
                master_key: Secret(String::new()),
                master_key_file: PathBuf::new(),
            },
            branding: BrandingConfig {
                name: "Město Vzorov".into(),
                name_en: "Town of Vzorov".into(),
                logo: String::new(),
                primary_color: String::new(),
                address: vec!["Náměstí Míru 1".into(), "123 45 Vzorov".into()],
                ico: DEMO_ICO.into(),
                contact_email: "podatelna@vzorov.example".into(),
                contact_phone: "+420 123 456 789".into(),
            },
            forms: FormsConfig {
                path: PathBuf::new(),
            },
            log: LogConfig {
                format: LogFormat::Human,
                level: "info".into(),
            },
        }
    }
}

macro_rules! section_defaults {
    ($($section:ident => $field:ident),* $(,)?) => {$(
        impl Default for $section {
            fn default() -> Self {
                Config::default().$field
            }
        }
    )*};
}

section_defaults! {
    DatabaseConfig => database,
    StorageConfig => storage,
    HttpConfig => http,
    SessionConfig => session,
    IdentityConfig => identity,
    StaffConfig => staff,
    RegistersConfig => registers,
    MailConfig => mail,
    SmsConfig => sms,
    AuditConfig => audit,
    WebhooksConfig => webhooks,
    SecretsConfig => secrets,
    BrandingConfig => branding,
    FormsConfig => forms,
    LogConfig => log,
}

/// A secret value: shown as `[redacted]` in `Debug`, so never in logs.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// `sqlite://…` or `postgres://…`; its password never shows in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", obcan_store::dialect::redact_url(&self.0))
    }
}

impl Serialize for DatabaseUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for DatabaseUrl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        obcan_store::Backend::from_url(&raw).map_err(serde::de::Error::custom)?;
        Ok(Self(raw))
    }
}

/// The environment reads `00064581` as a number, which loses the leading
/// zeros; an IČO always has eight digits, so they are put back.
fn ico_digits<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Number(u64),
    }
    Ok(match Raw::deserialize(deserializer)? {
        Raw::Text(text) => text,
        Raw::Number(number) => format!("{number:08}"),
    })
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {0} does not exist")]
    MissingFile(PathBuf),
    /// Names the key and where its value came from (file or environment).
    #[error("invalid configuration: {0}")]
    Parse(Box<figment::Error>),
    #[error("invalid configuration: {key}: {message}")]
    Invalid { key: &'static str, message: String },
    #[error(
        "mode = \"production\" refuses to start:\n{}",
        .0.iter().map(|problem| format!("  - {problem}")).collect::<Vec<_>>().join("\n")
    )]
    UnsafeForProduction(Vec<String>),
}

impl Config {
    /// Defaults, then the file (if any), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Self::default()));
        if let Some(file) = file {
            if !file.is_file() {
                return Err(ConfigError::MissingFile(file.to_owned()));
            }
            figment = figment.merge(Toml::file_exact(file));
        }
        figment = figment.merge(Env::prefixed("OBCAN_").ignore(&["CONFIG"]).map(|key| {
            key.as_str()
                .to_ascii_lowercase()
                .replacen('_', ".", 1)
                .into()
        }));
        let config: Self = figment
            .extract()
            .map_err(|error| ConfigError::Parse(Box::new(error)))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key, message: String| Err(ConfigError::Invalid { key, message });
        if self.database.max_connections == 0 {
            return invalid("database.max_connections", "must be at least 1".into());
        }
        if self.session.idle_timeout_minutes == 0 || self.session.absolute_timeout_hours == 0 {
            return invalid("session", "timeouts must be at least 1".into());
        }
        if u64::from(self.session.idle_timeout_minutes)
            > u64::from(self.session.absolute_timeout_hours) * 60
        {
            return invalid(
                "session.idle_timeout_minutes",
                "must not exceed session.absolute_timeout_hours".into(),
            );
        }
        if self.http.body_limit_bytes < 1024 {
            return invalid("http.body_limit_bytes", "must be at least 1024".into());
        }
        if self.branding.name.trim().is_empty() {
            return invalid("branding.name", "must not be empty".into());
        }
        if !self.branding.primary_color.is_empty()
            && let Err(error) = obcan_web::branding::Color::parse(&self.branding.primary_color)
        {
            return invalid("branding.primary_color", error.to_string());
        }
        if Ico::parse(&self.branding.ico).is_err() {
            return invalid(
                "branding.ico",
                format!(
                    "{:?} is not an IČO: eight digits with a valid check digit",
                    self.branding.ico
                ),
            );
        }
        self.validate_storage()?;
        self.validate_identity()?;
        self.validate_registers()?;
        self.validate_messaging()?;
        self.validate_audit()?;
        let webhooks = &self.webhooks;
        if webhooks.timeout_seconds == 0 || webhooks.max_attempts == 0 {
            return invalid(
                "webhooks",
                "timeout_seconds and max_attempts must be at least 1".into(),
            );
        }
        if webhooks.first_retry_seconds == 0
            || webhooks.first_retry_seconds > webhooks.longest_retry_seconds
        {
            return invalid(
                "webhooks.first_retry_seconds",
                "must be at least 1 and not more than longest_retry_seconds".into(),
            );
        }
        if self
            .log
            .level
            .parse::<tracing_subscriber::EnvFilter>()
            .is_err()
        {
            return invalid(
                "log.level",
                format!("{:?} is not a valid filter", self.log.level),
            );
        }
        if self.mode == Mode::Production {
            let problems = self.production_problems();
            if !problems.is_empty() {
                return Err(ConfigError::UnsafeForProduction(problems));
            }
        }
        Ok(())
    }

    fn validate_storage(&self) -> Result<(), ConfigError> {
        let invalid = |key, message: String| Err(ConfigError::Invalid { key, message });
        let storage = &self.storage;
        if storage.backend == BlobBackend::S3 {
            for (key, value) in [
                ("storage.s3_endpoint", &storage.s3_endpoint),
                ("storage.s3_bucket", &storage.s3_bucket),
                ("storage.s3_access_key_id", &storage.s3_access_key_id),
            ] {
                if value.trim().is_empty() {
                    return invalid(key, "must be set when storage.backend = \"s3\"".into());
                }
            }
        }
        if storage.quota_mib == 0 {
            return invalid("storage.quota_mib", "must be at least 1".into());
        }
        if !self.secrets.master_key.expose().is_empty()
            && !self.secrets.master_key_file.as_os_str().is_empty()
        {
            return invalid(
                "secrets.master_key",
                "set either secrets.master_key or secrets.master_key_file, not both".into(),
            );
        }
        Ok(())
    }

    fn validate_registers(&self) -> Result<(), ConfigError> {
        let invalid = |key, message: String| Err(ConfigError::Invalid { key, message });
        let registers = &self.registers;
        if registers.connector == ConnectorKind::Http
            && !(registers.url.starts_with("https://") || registers.url.starts_with("http://"))
        {
            return invalid(
                "registers.url",
                "the http connector needs the gateway's http:// or https:// address".into(),
            );
        }
        if registers.timeout_ms == 0 || registers.failure_threshold == 0 {
            return invalid(
                "registers",
                "timeout_ms and failure_threshold must be at least 1".into(),
            );
        }
        if registers.retries > 5 {
            return invalid("registers.retries", "at most 5".into());
        }
        if registers.max_answer_bytes < 1024 {
            return invalid("registers.max_answer_bytes", "must be at least 1024".into());
        }
        Ok(())
    }

    fn validate_messaging(&self) -> Result<(), ConfigError> {
        let invalid = |key, message: String| Err(ConfigError::Invalid { key, message });
        let mail = &self.mail;
        if !mail.host.is_empty() {
            if mail
                .host
                .contains(|c: char| c.is_whitespace() || c == '/' || c == ':')
            {
                return invalid(
                    "mail.host",
                    format!("{:?}: the server's name or address only", mail.host),
                );
            }
            if mail.port == 0 {
                return invalid("mail.port", "must be between 1 and 65535".into());
            }
            if let Err(error) = obcan_connect::mail::parse_sender(&mail.from) {
                return invalid("mail.from", error.to_string());
            }
        }
        if mail.username.is_empty() != mail.password.expose().is_empty() {
            return invalid(
                "mail.username",
                "set mail.username and mail.password together, or neither".into(),
            );
        }
        if mail.timeout_seconds == 0 {
            return invalid("mail.timeout_seconds", "must be at least 1".into());
        }
        let sms = &self.sms;
        if !(sms.url.is_empty()
            || sms.url.starts_with("https://")
            || sms.url.starts_with("http://"))
        {
            return invalid(
                "sms.url",
                "the gateway's http:// or https:// address, or empty for none".into(),
            );
        }
        if sms.timeout_ms == 0 {
            return invalid("sms.timeout_ms", "must be at least 1".into());
        }
        Ok(())
    }

    fn validate_audit(&self) -> Result<(), ConfigError> {
        let invalid = |key, message: String| Err(ConfigError::Invalid { key, message });
        let audit = &self.audit;
        if !audit.tsa_url.is_empty() {
            if !(audit.tsa_url.starts_with("https://") || audit.tsa_url.starts_with("http://")) {
                return invalid(
                    "audit.tsa_url",
                    "the time-stamping authority's http:// or https:// address, or empty for none"
                        .into(),
                );
            }
            if audit.tsa_ca_file.as_os_str().is_empty() {
                return invalid(
                    "audit.tsa_ca_file",
                    "must name the PEM file of the time-stamping authority's CA certificate when \
                     audit.tsa_url is set: tokens are verified before they are kept"
                        .into(),
                );
            }
        }
        if audit.tsa_username.is_empty() != audit.tsa_password.expose().is_empty() {
            return invalid(
                "audit.tsa_username",
                "set audit.tsa_username and audit.tsa_password together, or neither".into(),
            );
        }
        if audit.tsa_timeout_ms == 0 {
            return invalid("audit.tsa_timeout_ms", "must be at least 1".into());
        }
        Ok(())
    }

    fn validate_identity(&self) -> Result<(), ConfigError> {
        let invalid = |key, message: String| Err(ConfigError::Invalid { key, message });
        let url = &self.http.public_url;
        if !(url.is_empty() || url.starts_with("https://") || url.starts_with("http://")) {
            return invalid(
                "http.public_url",
                "must start with https:// or http://".into(),
            );
        }
        let mut ids = std::collections::BTreeSet::new();
        for provider in &self.identity.saml {
            if ProviderId::parse(&provider.id).is_err() || provider.id == "demo" {
                return invalid(
                    "identity.saml.id",
                    format!(
                        "{:?}: lowercase letters, digits and -, and not \"demo\"",
                        provider.id
                    ),
                );
            }
            if !ids.insert(provider.id.clone()) {
                return invalid(
                    "identity.saml.id",
                    format!("{:?} is configured twice", provider.id),
                );
            }
            if provider.idp_metadata_url().is_empty() || provider.label.trim().is_empty() {
                return invalid(
                    "identity.saml",
                    format!(
                        "provider {:?} needs a label and, without a preset, idp_metadata_url",
                        provider.id
                    ),
                );
            }
        }
        let mut office_ids = std::collections::BTreeSet::new();
        for provider in self.staff.oidc.iter().map(OidcProviderConfig::resolved) {
            if ProviderId::parse(&provider.id).is_err() || !office_ids.insert(provider.id.clone()) {
                return invalid(
                    "staff.oidc.id",
                    format!(
                        "{:?}: lowercase letters, digits and -, each provider once",
                        provider.id
                    ),
                );
            }
            if provider.issuer.is_empty()
                || provider.label.trim().is_empty()
                || provider.client_id.is_empty()
            {
                return invalid(
                    "staff.oidc",
                    format!(
                        "provider {:?} needs issuer, label and client_id",
                        provider.id
                    ),
                );
            }
        }
        for provider in self.identity.oidc.iter().map(OidcProviderConfig::resolved) {
            if ProviderId::parse(&provider.id).is_err() || provider.id == "demo" {
                return invalid(
                    "identity.oidc.id",
                    format!(
                        "{:?}: lowercase letters, digits and -, and not \"demo\"",
                        provider.id
                    ),
                );
            }
            if !ids.insert(provider.id.clone()) {
                return invalid(
                    "identity.oidc.id",
                    format!("{:?} is configured twice", provider.id),
                );
            }
            if provider.issuer.is_empty()
                || provider.label.trim().is_empty()
                || provider.client_id.is_empty()
            {
                return invalid(
                    "identity.oidc",
                    format!(
                        "provider {:?} needs issuer, label and client_id",
                        provider.id
                    ),
                );
            }
            if provider.preset.is_nia() {
                if provider.decryption_key.as_os_str().is_empty() {
                    return invalid(
                        "identity.oidc.decryption_key",
                        format!(
                            "provider {:?}: NIA encrypts its ID tokens; name the PEM file of the \
                             key whose certificate is registered with NIA",
                            provider.id
                        ),
                    );
                }
            } else if provider.client_secret.expose().is_empty() {
                return invalid(
                    "identity.oidc.client_secret",
                    format!("provider {:?} needs client_secret", provider.id),
                );
            } else if !provider.discovery_url.is_empty()
                || !provider.decryption_key.as_os_str().is_empty()
                || provider.min_loa.is_some()
            {
                return invalid(
                    "identity.oidc",
                    format!(
                        "provider {:?}: discovery_url, decryption_key and min_loa are settings \
                         of the nia and nia-test presets",
                        provider.id
                    ),
                );
            }
        }
        Ok(())
    }

    fn production_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.branding.ico == DEMO_ICO {
            problems.push(
                "the office's records would leave for the archive under the demo town's IČO: set \
                 branding.ico (OBCAN_BRANDING_ICO)"
                    .to_owned(),
            );
        }
        if self.identity.demo {
            problems.push(
                "the demo identity provider lets anyone log in as anyone: set identity.demo = false \
                 (OBCAN_IDENTITY_DEMO=false)"
                    .to_owned(),
            );
        }
        if self.registers.connector == ConnectorKind::Demo {
            problems.push(
                "citizens would see the demo town's synthetic register data: set \
                 registers.connector = \"http\" and registers.url (OBCAN_REGISTERS_CONNECTOR, \
                 OBCAN_REGISTERS_URL)"
                    .to_owned(),
            );
        } else if !self.registers.url.starts_with("https://") {
            problems.push(
                "citizens' register data would travel over plain HTTP: give registers.url an \
                 https:// address (OBCAN_REGISTERS_URL)"
                    .to_owned(),
            );
        }
        if self.mail.host.is_empty() {
            problems.push(
                "e-mail would only be filed in the demo outbox, so citizens could not verify their \
                 addresses: set mail.host and mail.from (OBCAN_MAIL_HOST, OBCAN_MAIL_FROM)"
                    .to_owned(),
            );
        } else if self.mail.security == MailSecurityConfig::None
            && !self.mail.password.expose().is_empty()
        {
            problems.push(
                "mail.password would travel unencrypted: set mail.security = \"starttls\" or \"tls\""
                    .to_owned(),
            );
        }
        if self.sms.url.starts_with("http://") {
            problems.push(
                "the SMS gateway's token and citizens' numbers would travel over plain HTTP: set \
                 sms.url to an https:// address"
                    .to_owned(),
            );
        }
        if self.audit.tsa_url.starts_with("http://") {
            problems.push(
                "the audit log's time stamps, and audit.tsa_password, would travel over plain \
                 HTTP: give audit.tsa_url an https:// address (OBCAN_AUDIT_TSA_URL)"
                    .to_owned(),
            );
        }
        if !self.http.secure_cookies {
            problems.push(
                "session cookies would travel over plain HTTP: serve over HTTPS and set \
                 http.secure_cookies = true (OBCAN_HTTP_SECURE_COOKIES=true)"
                    .to_owned(),
            );
        }
        if !self.http.public_url.starts_with("https://") {
            problems.push(
                "identity providers must send people back over HTTPS: set http.public_url to the \
                 portal's https:// address (OBCAN_HTTP_PUBLIC_URL)"
                    .to_owned(),
            );
        }
        for provider in &self.identity.saml {
            if !provider.idp_metadata_url().starts_with("https://") {
                problems.push(format!(
                    "identity.saml provider {:?} has idp_metadata_url without https://",
                    provider.id
                ));
            }
        }
        for provider in self
            .identity
            .oidc
            .iter()
            .chain(&self.staff.oidc)
            .map(OidcProviderConfig::resolved)
        {
            // NIA's issuer is a URN; its discovery document is what is fetched.
            let (setting, url) = if provider.preset.is_nia() {
                ("discovery_url", &provider.discovery_url)
            } else {
                ("issuer", &provider.issuer)
            };
            if !url.starts_with("https://") {
                problems.push(format!(
                    "OpenID provider {:?} has {setting} without https://",
                    provider.id
                ));
            }
        }
        if self.secrets.master_key.expose().is_empty()
            && self.secrets.master_key_file.as_os_str().is_empty()
        {
            problems.push(
                "personal data needs a master key kept apart from the database: create one with \
                 `obcan keys generate --out <file>` and set secrets.master_key_file \
                 (OBCAN_SECRETS_MASTER_KEY_FILE)"
                    .to_owned(),
            );
        }
        if self.storage.backend == BlobBackend::S3
            && self.storage.s3_endpoint.starts_with("http://")
        {
            problems.push(
                "documents would travel to the object store over plain HTTP: give \
                 storage.s3_endpoint an https:// address"
                    .to_owned(),
            );
        }
        let key = self.secrets.session_key.expose();
        if key == DEMO_SESSION_KEY || key.len() < MIN_SECRET_LENGTH {
            problems.push(format!(
                "secrets.session_key is the public default or shorter than {MIN_SECRET_LENGTH} \
                 characters: set OBCAN_SECRETS_SESSION_KEY to a random value, e.g. the output of \
                 `openssl rand -base64 48`"
            ));
        }
        problems
    }

    /// What a valid configuration should still change: worth a warning at
    /// start, not a refusal.
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.mode == Mode::Production && self.audit.tsa_url.is_empty() {
            warnings.push(
                "the audit log is not time-stamped, so removing its last entries or rewriting it \
                 whole would go unnoticed: set audit.tsa_url and audit.tsa_ca_file to a \
                 time-stamping authority (OBCAN_AUDIT_TSA_URL, OBCAN_AUDIT_TSA_CA_FILE)"
                    .to_owned(),
            );
        }
        warnings
    }

    /// Where identity providers send people back to.
    pub fn public_url(&self) -> String {
        if self.http.public_url.is_empty() {
            format!("http://{}", self.listen)
        } else {
            self.http.public_url.trim_end_matches('/').to_owned()
        }
    }

    /// The sample configuration file: every setting at its default.
    pub fn sample() -> Result<String, toml::ser::Error> {
        let body = toml::to_string(&Self::default())?;
        Ok(format!(
            "# Obcan configuration: every setting with its default value.\n\
             # Generated by `obcan config print-default`; a test fails when this file is stale.\n\
             # Any setting can also come from the environment: OBCAN_<SECTION>_<KEY>,\n\
             # e.g. OBCAN_DATABASE_URL=postgres://obcan@db/obcan or OBCAN_LISTEN=0.0.0.0:8080.\n\n\
             {body}"
        ))
    }
}

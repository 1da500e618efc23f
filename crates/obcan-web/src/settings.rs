//! What the web layer needs to know from the configuration.

use std::collections::BTreeMap;
use std::sync::Arc;

use obcan_connect::identity::oidc::OidcProvider;
use obcan_connect::identity::saml::SamlProvider;
use obcan_connect::messaging::{EmailChannel, SmsChannel};
use obcan_connect::registers::RegisterConnector;
use obcan_core::identity::Loa;
use obcan_core::language::Language;
use obcan_core::registers::MatchRule;
use obcan_core::session::SessionPolicy;

use crate::branding::Branding;

#[derive(Debug, Clone)]
pub struct WebSettings {
    pub branding: Branding,
    /// Cookies only over HTTPS (`Secure`, and the `__Host-` prefix).
    pub secure_cookies: bool,
    /// Send `Strict-Transport-Security`.
    pub hsts: bool,
    pub session: SessionPolicy,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Offer the demo identity provider (never in production).
    pub demo_identity: bool,
    /// Means of login at outside identity providers, in the order the login
    /// page offers them.
    pub logins: Vec<IdentityLogin>,
    /// The portal's address as browsers see it, e.g. `https://portal.vzorov.cz`;
    /// identity providers send people back to it.
    pub public_url: String,
    /// Key for deriving CSRF tokens from session tokens. At least 32 bytes.
    pub session_key: SessionKey,
    /// The office's own OpenID providers, for staff login.
    pub office_logins: Vec<IdentityLogin>,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub registers: RegisterSettings,
    pub contacts: ContactSettings,
    pub documents: crate::documents::DocumentSettings,
    /// The forms citizens file submissions with.
    pub forms: Arc<obcan_core::forms::Catalog>,
}

/// How verification codes reach citizens' e-mail and telephones.
#[derive(Debug, Clone)]
pub struct ContactSettings {
    pub email: Arc<EmailChannel>,
    /// None: telephone numbers are not verified (no gateway in production).
    pub sms: Option<Arc<SmsChannel>>,
}

/// Where citizens' register data comes from and how it is kept.
#[derive(Debug, Clone)]
pub struct RegisterSettings {
    pub connector: Arc<RegisterConnector>,
    /// How long an answer is reused before the register is asked again.
    pub cache_for: jiff::SignedDuration,
    /// The level of assurance register data needs.
    pub min_loa: Loa,
    /// How logins at each identity provider (by id) are matched to register
    /// persons; a provider not listed is never matched.
    pub match_rules: BTreeMap<String, MatchRule>,
}

/// Secret key material; its `Debug` never shows it.
#[derive(Clone)]
pub struct SessionKey(Vec<u8>);

impl SessionKey {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKey([redacted])")
    }
}

/// An outside identity provider as the login page offers it.
#[derive(Debug, Clone)]
pub struct IdentityLogin {
    pub means: Means,
    pub label: String,
    pub label_en: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Means {
    Oidc(Arc<OidcProvider>),
    Saml(Arc<SamlProvider>),
}

impl IdentityLogin {
    pub fn id(&self) -> &str {
        match &self.means {
            Means::Oidc(provider) => provider.id().as_str(),
            Means::Saml(provider) => provider.id().as_str(),
        }
    }

    pub(crate) fn label(&self, language: Language) -> &str {
        match (language, &self.label_en) {
            (Language::English, Some(label)) => label,
            _ => &self.label,
        }
    }

    /// Where the login page's button for this provider leads.
    pub(crate) fn start_path(&self) -> String {
        let protocol = match self.means {
            Means::Oidc(_) => "oidc",
            Means::Saml(_) => "saml",
        };
        format!("/login/{protocol}/{}", self.id())
    }
}

impl WebSettings {
    pub(crate) fn oidc(&self, id: &str) -> Option<&Arc<OidcProvider>> {
        self.logins.iter().find_map(|login| match &login.means {
            Means::Oidc(provider) if provider.id().as_str() == id => Some(provider),
            _ => None,
        })
    }

    pub(crate) fn office_oidc(&self, id: &str) -> Option<&Arc<OidcProvider>> {
        self.office_logins
            .iter()
            .find_map(|login| match &login.means {
                Means::Oidc(provider) if provider.id().as_str() == id => Some(provider),
                _ => None,
            })
    }

    pub(crate) fn saml(&self, id: &str) -> Option<&Arc<SamlProvider>> {
        self.logins.iter().find_map(|login| match &login.means {
            Means::Saml(provider) if provider.id().as_str() == id => Some(provider),
            _ => None,
        })
    }
}

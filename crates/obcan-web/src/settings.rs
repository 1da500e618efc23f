//! What the web layer needs to know from the configuration.

use std::sync::Arc;

use obcan_connect::identity::oidc::OidcProvider;
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
    /// OpenID providers, in the order the login page offers them.
    pub oidc: Vec<OidcLogin>,
    /// The portal's address as browsers see it, e.g. `https://portal.vzorov.cz`;
    /// identity providers send people back to it.
    pub public_url: String,
    /// Key for deriving CSRF tokens from session tokens. At least 32 bytes.
    pub session_key: SessionKey,
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

/// An OpenID provider as the login page offers it.
#[derive(Debug, Clone)]
pub struct OidcLogin {
    pub provider: Arc<OidcProvider>,
    pub label: String,
    pub label_en: Option<String>,
}

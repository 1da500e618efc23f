//! What the web layer needs to know from the configuration.

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

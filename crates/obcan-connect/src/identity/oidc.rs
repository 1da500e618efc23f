//! OpenID Connect relying party: the authorization code flow with PKCE,
//! `state` and `nonce`, discovery, ID token validation (signature by the
//! provider's JWKS, issuer, audience, expiry, nonce) and userinfo.
//!
//! The provider's metadata and keys are cached; when a token is signed by a
//! key the cache does not know, they are fetched again once, so a provider
//! may rotate its keys at any time.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use jiff::civil::Date;
use obcan_core::citizen::PersonName;
use obcan_core::identity::{Assertion, Loa, ProviderId, Subject};
use openidconnect::core::{
    CoreAuthPrompt, CoreAuthenticationFlow, CoreClient, CoreIdTokenClaims, CoreProviderMetadata,
    CoreUserInfoClaims,
};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl,
    Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    RequestTokenError, Scope, TokenResponse, reqwest,
};
use tokio::sync::RwLock;

/// How long discovered metadata and keys are trusted before they are fetched again.
const METADATA_TTL: Duration = Duration::from_secs(3600);

/// One configured OpenID provider.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    pub id: ProviderId,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub scopes: Vec<String>,
    /// The level of assurance when the ID token's `acr` is absent or unknown.
    pub default_loa: Loa,
    /// `acr` values the provider uses, and what they mean.
    pub acr_loa: BTreeMap<String, Loa>,
    /// Longest wait for any answer of the provider.
    pub timeout: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("invalid provider settings: {0}")]
    Settings(String),
    #[error("the provider cannot be reached: {0}")]
    Unreachable(String),
    #[error("the provider refused the authorization code: {0}")]
    Token(String),
    #[error("the ID token is invalid: {0}")]
    IdToken(String),
    #[error("the provider did not state the person's {0}")]
    Missing(&'static str),
}

/// What must be kept, server-side, between sending the person to the
/// provider and their return.
#[derive(Debug, Clone)]
pub struct LoginStart {
    pub authorization_url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

#[derive(Debug)]
pub struct OidcProvider {
    settings: OidcSettings,
    http: reqwest::Client,
    metadata: RwLock<Option<(Instant, CoreProviderMetadata)>>,
}

impl OidcProvider {
    pub fn new(settings: OidcSettings) -> Result<Self, OidcError> {
        IssuerUrl::new(settings.issuer.clone())
            .map_err(|e| OidcError::Settings(format!("issuer: {e}")))?;
        let http = reqwest::Client::builder()
            // Following redirects from the token endpoint would leak the code.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(settings.timeout)
            .build()
            .map_err(|e| OidcError::Settings(e.to_string()))?;
        Ok(Self {
            settings,
            http,
            metadata: RwLock::new(None),
        })
    }

    pub fn id(&self) -> &ProviderId {
        &self.settings.id
    }

    async fn metadata(&self, refresh: bool) -> Result<CoreProviderMetadata, OidcError> {
        if !refresh
            && let Some((fetched, metadata)) = self.metadata.read().await.as_ref()
            && fetched.elapsed() < METADATA_TTL
        {
            return Ok(metadata.clone());
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| OidcError::Settings(format!("issuer: {e}")))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| OidcError::Unreachable(error_chain(&e)))?;
        *self.metadata.write().await = Some((Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    fn client(
        &self,
        metadata: CoreProviderMetadata,
        redirect_uri: &str,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        OidcError,
    > {
        let redirect = RedirectUrl::new(redirect_uri.to_owned())
            .map_err(|e| OidcError::Settings(format!("redirect URI: {e}")))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(self.settings.client_secret.clone())),
        )
        .set_redirect_uri(redirect))
    }

    /// Where to send the person, and the secrets to check their return against.
    pub async fn start(&self, redirect_uri: &str) -> Result<LoginStart, OidcError> {
        let client = self.client(self.metadata(false).await?, redirect_uri)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge)
            // Authenticate the person every time: logging out of the portal
            // must not leave the next person at a shared computer one click
            // away from the previous one's account.
            .add_prompt(CoreAuthPrompt::Login);
        for scope in self
            .settings
            .scopes
            .iter()
            .filter(|scope| *scope != "openid")
        {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        Ok(LoginStart {
            authorization_url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges the code and validates what comes back.
    pub async fn finish(
        &self,
        redirect_uri: &str,
        code: &str,
        nonce: &str,
        pkce_verifier: &str,
    ) -> Result<Assertion, OidcError> {
        let client = self.client(self.metadata(false).await?, redirect_uri)?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| OidcError::Settings(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()))
            .request_async(&self.http)
            .await
            .map_err(|error| match error {
                // No answer (down, slow): not the person's fault; another try may work.
                RequestTokenError::Request(inner) => OidcError::Unreachable(error_chain(&inner)),
                refused => OidcError::Token(error_chain(&refused)),
            })?;
        let id_token = tokens.id_token().ok_or(OidcError::Missing("ID token"))?;
        let nonce = Nonce::new(nonce.to_owned());

        let claims = match id_token.claims(&client.id_token_verifier(), &nonce) {
            Ok(claims) => claims.clone(),
            Err(ClaimsVerificationError::SignatureVerification(_)) => {
                // Perhaps a new key: fetch the keys again, once.
                let refreshed = self.client(self.metadata(true).await?, redirect_uri)?;
                id_token
                    .claims(&refreshed.id_token_verifier(), &nonce)
                    .map_err(|e| OidcError::IdToken(e.to_string()))?
                    .clone()
            }
            Err(error) => return Err(OidcError::IdToken(error.to_string())),
        };
        let userinfo = match client.user_info(tokens.access_token().clone(), Some(claims.subject().clone())) {
            Ok(request) if needs_userinfo(&claims) => Some(
                request
                    .request_async::<openidconnect::EmptyAdditionalClaims, _, openidconnect::core::CoreGenderClaim>(&self.http)
                    .await
                    .map_err(|e| OidcError::Unreachable(format!("userinfo: {}", error_chain(&e))))?,
            ),
            _ => None,
        };
        self.assertion(&claims, userinfo.as_ref())
    }

    fn assertion(
        &self,
        claims: &CoreIdTokenClaims,
        userinfo: Option<&CoreUserInfoClaims>,
    ) -> Result<Assertion, OidcError> {
        let given = claims
            .given_name()
            .or_else(|| userinfo.and_then(|info| info.given_name()))
            .and_then(|name| name.get(None))
            .ok_or(OidcError::Missing("given name"))?;
        let family = claims
            .family_name()
            .or_else(|| userinfo.and_then(|info| info.family_name()))
            .and_then(|name| name.get(None))
            .ok_or(OidcError::Missing("family name"))?;
        let birth_date = claims
            .birthdate()
            .or_else(|| userinfo.and_then(|info| info.birthdate()))
            .and_then(|date| date.as_str().parse::<Date>().ok());
        let loa = claims
            .auth_context_ref()
            .and_then(|acr| self.settings.acr_loa.get(acr.as_str()))
            .copied()
            .unwrap_or(self.settings.default_loa);
        Ok(Assertion {
            provider: self.settings.id.clone(),
            subject: Subject::parse(claims.subject().as_str())
                .map_err(|e| OidcError::IdToken(e.to_string()))?,
            name: PersonName::new(given.as_str(), family.as_str())
                .map_err(|e| OidcError::IdToken(format!("name: {e}")))?,
            birth_date,
            address: None,
            email: None,
            loa,
        })
    }
}

/// Userinfo is asked only for what the ID token left out.
fn needs_userinfo(claims: &CoreIdTokenClaims) -> bool {
    claims.given_name().is_none() || claims.family_name().is_none() || claims.birthdate().is_none()
}

/// An error with its causes, for the log: the outermost message alone often
/// says only "request failed".
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

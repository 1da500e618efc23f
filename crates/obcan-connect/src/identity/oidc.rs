//! OpenID Connect relying party: the authorization code flow with `state` and
//! `nonce`, discovery, ID token validation (signature by the provider's JWKS,
//! issuer, audience, expiry, nonce), userinfo and RP-initiated logout.
//!
//! Two profiles share the flow. The standard one (PKCE, `prompt=login`,
//! `client_secret_basic`) serves mojeID, Bank iD and any certified provider;
//! NIA's differs in discovery, request, client authentication and an
//! encrypted ID token (see [`super::nia_oidc`]).
//!
//! The provider's metadata and keys are cached; when a token is signed by a
//! key the cache does not know, they are fetched again once, so a provider
//! may rotate its keys at any time.

use std::collections::BTreeMap;
use std::str::FromStr as _;
use std::time::{Duration, Instant};

use jiff::civil::Date;
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use obcan_core::citizen::{EmailAddress, PersonName, PostalAddress};
use obcan_core::identity::{Assertion, Loa, ProviderId, Subject};
use openidconnect::core::{
    CoreAuthPrompt, CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreIdToken,
    CoreIdTokenClaims, CoreRevocableToken, CoreUserInfoClaims,
};
use openidconnect::{
    AccessToken, AuthType, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret,
    CsrfToken, EmptyAdditionalClaims, EndpointMaybeSet, EndpointNotSet, EndpointSet,
    ExtraTokenFields, IssuerUrl, JsonWebKeySet, LogoutRequest, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout,
    RedirectUrl, RequestTokenError, Scope, StandardTokenResponse, reqwest,
};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;

use crate::error_chain;

use super::nia_oidc::NiaProfile;

/// How long discovered metadata and keys are trusted before they are fetched again.
const METADATA_TTL: Duration = Duration::from_secs(3600);

/// One configured OpenID provider.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    pub id: ProviderId,
    pub issuer: String,
    pub client_id: String,
    /// Empty when the provider issues none (NIA identifies the portal by its
    /// client id and registered redirect URI).
    pub client_secret: String,
    /// Scopes to ask for; a profile may add its own.
    pub scopes: Vec<String>,
    /// The level of assurance when the ID token's `acr` is absent or unknown.
    pub default_loa: Loa,
    /// `acr` values the provider uses, and what they mean.
    pub acr_loa: BTreeMap<String, Loa>,
    /// Longest wait for any answer of the provider.
    pub timeout: Duration,
    pub profile: OidcProfile,
}

/// How the provider departs from the standard, if it does.
#[derive(Debug, Clone)]
pub enum OidcProfile {
    Standard,
    Nia(NiaProfile),
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

/// Why an ID token was not accepted: a signature the cached keys do not
/// verify earns one more try with the keys fetched again; the rest is final.
#[derive(Debug)]
pub(crate) enum Refusal {
    Signature(String),
    Final(OidcError),
}

impl From<OidcError> for Refusal {
    fn from(error: OidcError) -> Self {
        Self::Final(error)
    }
}

/// What must be kept, server-side, between sending the person to the
/// provider and their return.
#[derive(Debug, Clone)]
pub struct LoginStart {
    pub authorization_url: String,
    pub state: String,
    pub nonce: String,
    /// Empty when the profile sends no PKCE challenge (NIA).
    pub pkce_verifier: String,
}

/// A finished login: who the person is, and the ID token exactly as the
/// provider issued it, to end the provider's session at logout.
#[derive(Debug, Clone)]
pub struct LoggedIn {
    pub assertion: Assertion,
    pub id_token: String,
}

type Metadata = ProviderMetadataWithLogout;

/// The token endpoint's answer, its ID token kept as issued: openidconnect's
/// own type would parse it at once, and cannot hold NIA's encrypted one.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RawIdToken {
    id_token: Option<String>,
}

impl ExtraTokenFields for RawIdToken {}

type Tokens = StandardTokenResponse<RawIdToken, BasicTokenType>;

type TokenClient = oauth2::Client<
    BasicErrorResponse,
    Tokens,
    BasicTokenIntrospectionResponse,
    CoreRevocableToken,
    BasicRevocationErrorResponse,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

#[derive(Debug)]
pub struct OidcProvider {
    settings: OidcSettings,
    http: reqwest::Client,
    metadata: RwLock<Option<(Instant, Metadata)>>,
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

    async fn metadata(&self, refresh: bool) -> Result<Metadata, OidcError> {
        if !refresh
            && let Some((fetched, metadata)) = self.metadata.read().await.as_ref()
            && fetched.elapsed() < METADATA_TTL
        {
            return Ok(metadata.clone());
        }
        let metadata = match &self.settings.profile {
            OidcProfile::Standard => {
                let issuer = IssuerUrl::new(self.settings.issuer.clone())
                    .map_err(|e| OidcError::Settings(format!("issuer: {e}")))?;
                Metadata::discover_async(issuer, &self.http)
                    .await
                    .map_err(|e| OidcError::Unreachable(error_chain(&e)))?
            }
            OidcProfile::Nia(nia) => self.discover_at(&nia.discovery_url).await?,
        };
        *self.metadata.write().await = Some((Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    /// Discovery from a document outside `.well-known`, checked as the
    /// standard discovery checks it: the issuer must be the configured one.
    async fn discover_at(&self, url: &str) -> Result<Metadata, OidcError> {
        let unreachable = |e: &dyn std::error::Error| {
            OidcError::Unreachable(format!("{url}: {}", error_chain(e)))
        };
        let document = self
            .http
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| unreachable(&e))?
            .bytes()
            .await
            .map_err(|e| unreachable(&e))?;
        let metadata: Metadata = serde_json::from_slice(&document).map_err(|e| unreachable(&e))?;
        if metadata.issuer().as_str() != self.settings.issuer {
            return Err(OidcError::Unreachable(format!(
                "{url} names the issuer {:?}, not the configured {:?}",
                metadata.issuer().as_str(),
                self.settings.issuer
            )));
        }
        let keys = JsonWebKeySet::fetch_async(metadata.jwks_uri(), &self.http)
            .await
            .map_err(|e| unreachable(&e))?;
        Ok(metadata.set_jwks(keys))
    }

    fn client_secret(&self) -> Option<ClientSecret> {
        (!self.settings.client_secret.is_empty())
            .then(|| ClientSecret::new(self.settings.client_secret.clone()))
    }

    fn client(
        &self,
        metadata: Metadata,
        redirect_uri: &str,
    ) -> Result<
        CoreClient<
            EndpointSet,
            EndpointNotSet,
            EndpointNotSet,
            EndpointNotSet,
            EndpointMaybeSet,
            EndpointMaybeSet,
        >,
        OidcError,
    > {
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            self.client_secret(),
        )
        .set_redirect_uri(redirect_url(redirect_uri)?))
    }

    /// The token endpoint's client, authenticating as the profile says.
    fn token_client(
        &self,
        metadata: &Metadata,
        redirect_uri: &str,
    ) -> Result<TokenClient, OidcError> {
        let token_url = metadata.token_endpoint().cloned().ok_or_else(|| {
            OidcError::Unreachable("the provider names no token endpoint".to_owned())
        })?;
        let client = oauth2::Client::new(ClientId::new(self.settings.client_id.clone()))
            .set_token_uri(token_url)
            .set_redirect_uri(redirect_url(redirect_uri)?)
            .set_auth_type(match self.settings.profile {
                OidcProfile::Standard => AuthType::BasicAuth,
                OidcProfile::Nia(_) => AuthType::RequestBody,
            });
        Ok(match self.client_secret() {
            Some(secret) => client.set_client_secret(secret),
            None => client,
        })
    }

    /// Where to send the person, and the secrets to check their return against.
    pub async fn start(&self, redirect_uri: &str) -> Result<LoginStart, OidcError> {
        let client = self.client(self.metadata(false).await?, redirect_uri)?;
        let mut request = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        let mut pkce_verifier = String::new();
        let mut scopes: Vec<&str> = Vec::new();
        match &self.settings.profile {
            OidcProfile::Standard => {
                let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
                pkce_verifier = verifier.secret().clone();
                request = request
                    .set_pkce_challenge(challenge)
                    // Authenticate the person every time: logging out of the
                    // portal must not leave the next person at a shared
                    // computer one click away from the previous one's account.
                    .add_prompt(CoreAuthPrompt::Login);
            }
            OidcProfile::Nia(nia) => {
                scopes.extend(nia.scopes());
                request = request.add_extra_param("claims", NiaProfile::claims_request());
            }
        }
        scopes.extend(self.settings.scopes.iter().map(String::as_str));
        for scope in scopes.into_iter().filter(|scope| *scope != "openid") {
            request = request.add_scope(Scope::new(scope.to_owned()));
        }
        let (url, state, nonce) = request.url();
        Ok(LoginStart {
            authorization_url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier,
        })
    }

    /// Exchanges the code and validates what comes back.
    pub async fn finish(
        &self,
        redirect_uri: &str,
        code: &str,
        nonce: &str,
        pkce_verifier: &str,
    ) -> Result<LoggedIn, OidcError> {
        let metadata = self.metadata(false).await?;
        let token_client = self.token_client(&metadata, redirect_uri)?;
        let mut exchange = token_client.exchange_code(AuthorizationCode::new(code.to_owned()));
        if let OidcProfile::Standard = self.settings.profile {
            exchange = exchange.set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()));
        }
        let tokens = exchange
            .request_async(&self.http)
            .await
            .map_err(|error| match error {
                // No answer (down, slow): not the person's fault; another try may work.
                RequestTokenError::Request(inner) => OidcError::Unreachable(error_chain(&inner)),
                refused => OidcError::Token(error_chain(&refused)),
            })?;
        let id_token = tokens
            .extra_fields()
            .id_token
            .clone()
            .ok_or(OidcError::Missing("ID token"))?;
        let assertion = match &self.settings.profile {
            OidcProfile::Standard => {
                let parsed = CoreIdToken::from_str(&id_token)
                    .map_err(|e| OidcError::IdToken(format!("not a signed JWT: {e}")))?;
                let nonce = Nonce::new(nonce.to_owned());
                let claims = self
                    .verified(&metadata, |metadata| {
                        let client = self.client(metadata.clone(), redirect_uri)?;
                        match parsed.claims(&client.id_token_verifier(), &nonce) {
                            Ok(claims) => Ok(claims.clone()),
                            Err(error @ ClaimsVerificationError::SignatureVerification(_)) => {
                                Err(Refusal::Signature(error.to_string()))
                            }
                            Err(error) => Err(OidcError::IdToken(error.to_string()).into()),
                        }
                    })
                    .await?;
                let userinfo = if needs_userinfo(&claims) {
                    self.userinfo(metadata, redirect_uri, tokens.access_token(), &claims)
                        .await?
                } else {
                    None
                };
                self.assertion(&claims, userinfo.as_ref())?
            }
            OidcProfile::Nia(nia) => {
                let signed = nia.decrypt(&id_token)?;
                let claims = self
                    .verified(&metadata, |metadata| {
                        NiaProfile::verify(&signed, metadata, &self.settings.client_id, nonce)
                    })
                    .await?;
                nia.assertion(&self.settings.id, claims)?
            }
        };
        Ok(LoggedIn {
            assertion,
            id_token,
        })
    }

    /// Checks the ID token with the cached keys and, when its signature does
    /// not verify, once more with the keys fetched again: perhaps a new key.
    async fn verified<T>(
        &self,
        metadata: &Metadata,
        check: impl Fn(&Metadata) -> Result<T, Refusal>,
    ) -> Result<T, OidcError> {
        let refused = |refusal| match refusal {
            Refusal::Signature(reason) => OidcError::IdToken(reason),
            Refusal::Final(error) => error,
        };
        match check(metadata) {
            Err(Refusal::Signature(_)) => check(&self.metadata(true).await?).map_err(refused),
            other => other.map_err(refused),
        }
    }

    /// The provider's userinfo, when it has an endpoint.
    async fn userinfo(
        &self,
        metadata: Metadata,
        redirect_uri: &str,
        access_token: &AccessToken,
        claims: &CoreIdTokenClaims,
    ) -> Result<Option<CoreUserInfoClaims>, OidcError> {
        let client = self.client(metadata, redirect_uri)?;
        let Ok(request) = client.user_info(access_token.clone(), Some(claims.subject().clone()))
        else {
            return Ok(None);
        };
        request
            .request_async::<EmptyAdditionalClaims, _, CoreGenderClaim>(&self.http)
            .await
            .map(Some)
            .map_err(|e| OidcError::Unreachable(format!("userinfo: {}", error_chain(&e))))
    }

    /// Where to send the person so that their session at the provider ends
    /// too (RP-initiated logout), or `None` when the provider offers no end
    /// session endpoint. `id_token_hint` is the ID token of their login.
    pub async fn logout_url(
        &self,
        id_token_hint: &str,
        post_logout_redirect_uri: &str,
        state: &str,
    ) -> Result<Option<String>, OidcError> {
        let metadata = self.metadata(false).await?;
        let Some(endpoint) = metadata.additional_metadata().end_session_endpoint.clone() else {
            return Ok(None);
        };
        let redirect = PostLogoutRedirectUrl::new(post_logout_redirect_uri.to_owned())
            .map_err(|e| OidcError::Settings(format!("post-logout redirect URI: {e}")))?;
        let mut request = LogoutRequest::from(endpoint)
            .set_client_id(ClientId::new(self.settings.client_id.clone()))
            .set_post_logout_redirect_uri(redirect)
            .set_state(CsrfToken::new(state.to_owned()));
        // NIA refuses a hint it cannot read, and its ID tokens are encrypted
        // to the portal: there the client id alone names the login's service.
        if let OidcProfile::Standard = self.settings.profile {
            let hint = CoreIdToken::from_str(id_token_hint)
                .map_err(|e| OidcError::IdToken(format!("id_token_hint: {e}")))?;
            request = request.set_id_token_hint(&hint);
        }
        Ok(Some(request.http_get_url().to_string()))
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
        // Only an address the provider says it verified.
        let email = claims
            .email()
            .filter(|_| claims.email_verified() != Some(false))
            .or_else(|| {
                userinfo
                    .filter(|info| info.email_verified() != Some(false))
                    .and_then(|info| info.email())
            })
            .and_then(|email| EmailAddress::parse(email.as_str()).ok());
        let address = claims
            .address()
            .or_else(|| userinfo.and_then(|info| info.address()))
            .and_then(|address| {
                if let Some(formatted) = &address.formatted {
                    return Some(formatted.as_str().to_owned());
                }
                let street = address.street_address.as_ref()?;
                let town = [
                    address.postal_code.as_ref().map(|code| code.as_str()),
                    address.locality.as_ref().map(|town| town.as_str()),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
                Some(format!("{}, {town}", street.as_str()))
            })
            .and_then(|line| PostalAddress::parse(&line).ok());
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
            address,
            email,
            loa,
        })
    }
}

fn redirect_url(redirect_uri: &str) -> Result<RedirectUrl, OidcError> {
    RedirectUrl::new(redirect_uri.to_owned())
        .map_err(|e| OidcError::Settings(format!("redirect URI: {e}")))
}

/// Userinfo is asked only for what the ID token left out.
fn needs_userinfo(claims: &CoreIdTokenClaims) -> bool {
    claims.given_name().is_none() || claims.family_name().is_none() || claims.birthdate().is_none()
}

//! SAML 2.0 service provider for NIA, in its eIDAS profile.
//!
//! The portal sends a signed `AuthnRequest` (HTTP-POST binding) that names the
//! lowest acceptable level of assurance and the attributes it wants; NIA
//! answers with a signed `Response` whose assertion is encrypted to the
//! portal's certificate. Before anything in the answer is believed, the XML
//! is reduced to what the identity provider's key actually signed (so that
//! content wrapped around a signed element is dropped), then the assertion is
//! decrypted and its issuer, audience, recipient, `InResponseTo` and validity
//! window are checked.
//!
//! XML signatures and encryption are done by libxmlsec1 through `samael`,
//! whose calls block: every one of them runs on the blocking pool.

use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jiff::civil::Date;
use obcan_core::citizen::{EmailAddress, PersonName, PostalAddress};
use obcan_core::identity::{Assertion, Loa, ProviderId, Subject};
use openssl::pkey::{PKey, Private};
use openssl::rsa::Padding;
use openssl::symm::{self, Cipher, Crypter, Mode};
use openssl::x509::X509;
use samael::crypto::{
    AllowedSignatureAlgorithm, CertificateDer, Crypto, CryptoProvider, ReduceMode,
};
use samael::key_info::{KeyInfo, X509Data};
use samael::metadata::{
    EncryptionMethod, Endpoint, EntityDescriptor, HTTP_POST_BINDING, IndexedEndpoint,
    KeyDescriptor, SpSsoDescriptor,
};
use samael::schema::{
    AuthnContextClassRef, AuthnContextComparison, EncryptedAssertion, Issuer, LogoutResponse,
    RequestedAuthnContext, Response,
};
use samael::service_provider::{ServiceProvider, ServiceProviderBuilder};
use samael::signature::{DigestAlgorithm, Signature};
use samael::traits::ToXml;
use tokio::sync::RwLock;

use crate::error_chain;

/// How long the identity provider's metadata is trusted before it is fetched again.
const METADATA_TTL: Duration = Duration::from_secs(3600);

const PERSON_IDENTIFIER: &str = "http://eidas.europa.eu/attributes/naturalperson/PersonIdentifier";
const GIVEN_NAME: &str = "http://eidas.europa.eu/attributes/naturalperson/CurrentGivenName";
const FAMILY_NAME: &str = "http://eidas.europa.eu/attributes/naturalperson/CurrentFamilyName";
const DATE_OF_BIRTH: &str = "http://eidas.europa.eu/attributes/naturalperson/DateOfBirth";
const CURRENT_ADDRESS: &str = "http://eidas.europa.eu/attributes/naturalperson/CurrentAddress";
const EMAIL: &str = "http://www.stork.gov.eu/1.0/eMail";

/// Signature algorithms accepted from the identity provider: no SHA-1.
const ALLOWED_SIGNATURES: [AllowedSignatureAlgorithm; 3] = [
    AllowedSignatureAlgorithm::RsaSha256,
    AllowedSignatureAlgorithm::RsaSha384,
    AllowedSignatureAlgorithm::RsaSha512,
];

/// The attributes the portal asks NIA for, and whether it cannot do without them.
const REQUESTED_ATTRIBUTES: [(&str, bool); 6] = [
    (PERSON_IDENTIFIER, true),
    (GIVEN_NAME, true),
    (FAMILY_NAME, true),
    (DATE_OF_BIRTH, true),
    (CURRENT_ADDRESS, false),
    (EMAIL, false),
];

/// eIDAS service provider type: NIA tells public bodies from private ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpType {
    Public,
    Private,
}

impl SpType {
    const fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Private => "private",
        }
    }
}

/// A key and its certificate, as PEM.
#[derive(Clone)]
pub struct KeyPair {
    pub private_key_pem: Vec<u8>,
    pub certificate_pem: Vec<u8>,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyPair([private key redacted])")
    }
}

/// One configured SAML identity provider (NIA's test or production environment).
#[derive(Debug, Clone)]
pub struct SamlSettings {
    pub id: ProviderId,
    /// Where the identity provider publishes its metadata.
    pub idp_metadata_url: String,
    /// The portal's entity id, which NIA calls the service's unique URL; by
    /// convention the address of the portal's metadata.
    pub entity_id: String,
    pub acs_url: String,
    pub slo_url: String,
    /// Signs the requests.
    pub signing: KeyPair,
    /// Decrypts the assertions; may be the signing pair.
    pub encryption: KeyPair,
    /// The lowest level of assurance the portal accepts from this provider.
    pub min_loa: Loa,
    pub sp_type: SpType,
    /// Longest wait for the identity provider's metadata.
    pub timeout: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum SamlError {
    #[error("invalid SAML settings: {0}")]
    Settings(String),
    #[error("the identity provider's metadata cannot be obtained: {0}")]
    Unreachable(String),
    #[error("the SAML response is not acceptable: {0}")]
    Response(String),
    #[error("the identity provider did not state the person's {0}")]
    Missing(&'static str),
}

/// A successful login: the person, and the identity provider's session for
/// single logout.
#[derive(Debug, Clone)]
pub struct SamlLogin {
    pub assertion: Assertion,
    pub session: Option<IdpSession>,
}

/// The identity provider's reference to a person's session, which a
/// `LogoutRequest` must name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IdpSession {
    pub name_id: String,
    pub name_id_format: Option<String>,
    pub session_index: Option<String>,
}

/// A request ready to be posted to the identity provider.
#[derive(Debug, Clone)]
pub struct PostRequest {
    /// The identity provider's endpoint the browser posts the form to.
    pub destination: String,
    /// The request's `ID`, which the answer must carry as `InResponseTo`.
    pub request_id: String,
    /// Base64 of the signed XML: the form's `SAMLRequest` field.
    pub saml_request: String,
}

#[derive(Debug)]
struct Keys {
    signing_der: Vec<u8>,
    signing_cert: CertificateDer,
    encryption_key: PKey<Private>,
    encryption_cert: CertificateDer,
}

#[derive(Debug)]
pub struct SamlProvider {
    settings: SamlSettings,
    keys: Keys,
    http: reqwest::Client,
    idp_metadata: RwLock<Option<(Instant, EntityDescriptor)>>,
}

fn certificate_der(pem: &[u8], what: &str) -> Result<CertificateDer, SamlError> {
    X509::from_pem(pem)
        .and_then(|cert| cert.to_der())
        .map(CertificateDer::from)
        .map_err(|e| SamlError::Settings(format!("{what} certificate: {e}")))
}

fn private_key(pem: &[u8], what: &str) -> Result<PKey<Private>, SamlError> {
    PKey::private_key_from_pem(pem).map_err(|e| SamlError::Settings(format!("{what} key: {e}")))
}

/// Runs one of libxmlsec1's blocking calls off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, SamlError> + Send + 'static,
) -> Result<T, SamlError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| SamlError::Response(format!("XML security task failed: {e}")))?
}

impl SamlProvider {
    pub fn new(settings: SamlSettings) -> Result<Self, SamlError> {
        let signing_key = private_key(&settings.signing.private_key_pem, "signing")?;
        let keys = Keys {
            signing_der: signing_key
                .private_key_to_der()
                .map_err(|e| SamlError::Settings(format!("signing key: {e}")))?,
            signing_cert: certificate_der(&settings.signing.certificate_pem, "signing")?,
            encryption_key: private_key(&settings.encryption.private_key_pem, "encryption")?,
            encryption_cert: certificate_der(&settings.encryption.certificate_pem, "encryption")?,
        };
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::limited(3))
            .timeout(settings.timeout)
            .build()
            .map_err(|e| SamlError::Settings(e.to_string()))?;
        Ok(Self {
            settings,
            keys,
            http,
            idp_metadata: RwLock::new(None),
        })
    }

    pub fn id(&self) -> &ProviderId {
        &self.settings.id
    }

    pub fn min_loa(&self) -> Loa {
        self.settings.min_loa
    }

    /// The portal's metadata for this provider: what NIA registers.
    pub fn metadata_xml(&self) -> Result<String, SamlError> {
        let key_descriptor =
            |key_use: &str, cert: &CertificateDer, methods: &[&str]| KeyDescriptor {
                key_use: Some(key_use.to_owned()),
                key_info: KeyInfo {
                    id: None,
                    x509_data: Some(X509Data {
                        certificates: vec![STANDARD.encode(cert.der_data())],
                    }),
                },
                encryption_methods: (!methods.is_empty()).then(|| {
                    methods
                        .iter()
                        .map(|algorithm| EncryptionMethod {
                            algorithm: (*algorithm).to_owned(),
                        })
                        .collect()
                }),
            };
        let descriptor = SpSsoDescriptor {
            protocol_support_enumeration: Some("urn:oasis:names:tc:SAML:2.0:protocol".to_owned()),
            key_descriptors: Some(vec![
                key_descriptor("signing", &self.keys.signing_cert, &[]),
                key_descriptor(
                    "encryption",
                    &self.keys.encryption_cert,
                    &[
                        "http://www.w3.org/2009/xmlenc11#aes256-gcm",
                        "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
                        "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
                    ],
                ),
            ]),
            single_logout_services: Some(vec![Endpoint {
                binding: HTTP_POST_BINDING.to_owned(),
                location: self.settings.slo_url.clone(),
                response_location: None,
            }]),
            authn_requests_signed: Some(true),
            want_assertions_signed: Some(true),
            assertion_consumer_services: vec![IndexedEndpoint {
                binding: HTTP_POST_BINDING.to_owned(),
                location: self.settings.acs_url.clone(),
                index: 0,
                is_default: Some(true),
                ..IndexedEndpoint::default()
            }],
            ..SpSsoDescriptor::default()
        };
        EntityDescriptor {
            entity_id: Some(self.settings.entity_id.clone()),
            sp_sso_descriptors: Some(vec![descriptor]),
            ..EntityDescriptor::default()
        }
        .to_string()
        .map_err(|e| SamlError::Settings(format!("metadata: {e}")))
    }

    async fn idp_metadata(&self) -> Result<EntityDescriptor, SamlError> {
        if let Some((fetched, metadata)) = self.idp_metadata.read().await.as_ref()
            && fetched.elapsed() < METADATA_TTL
        {
            return Ok(metadata.clone());
        }
        let unreachable = |e: reqwest::Error| SamlError::Unreachable(e.to_string());
        let xml = self
            .http
            .get(&self.settings.idp_metadata_url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(unreachable)?
            .text()
            .await
            .map_err(unreachable)?;
        let metadata: EntityDescriptor = xml
            .parse()
            .map_err(|e| SamlError::Unreachable(format!("unreadable metadata: {e}")))?;
        *self.idp_metadata.write().await = Some((Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    fn service_provider(
        &self,
        idp_metadata: EntityDescriptor,
    ) -> Result<ServiceProvider, SamlError> {
        ServiceProviderBuilder::default()
            .entity_id(self.settings.entity_id.clone())
            .key(self.keys.encryption_key.clone())
            .certificate(self.keys.encryption_cert.clone())
            .acs_url(self.settings.acs_url.clone())
            .slo_url(self.settings.slo_url.clone())
            .idp_metadata(idp_metadata)
            .build()
            .map_err(|e| SamlError::Settings(e.to_string()))
    }

    /// The keys the identity provider signs with; a provider without one is
    /// not trusted at all.
    fn signing_certificates(
        &self,
        idp_metadata: &EntityDescriptor,
    ) -> Result<Vec<CertificateDer>, SamlError> {
        self.service_provider(idp_metadata.clone())?
            .idp_signing_certs()
            .map_err(|e| SamlError::Unreachable(format!("IdP metadata: {e}")))?
            .ok_or_else(|| SamlError::Unreachable("IdP metadata without a signing key".to_owned()))
    }

    /// A signed `AuthnRequest` for the HTTP-POST binding.
    pub async fn start(&self) -> Result<PostRequest, SamlError> {
        let idp_metadata = self.idp_metadata().await?;
        let sp = self.service_provider(idp_metadata)?;
        let destination = sp
            .sso_binding_location(HTTP_POST_BINDING)
            .ok_or_else(|| SamlError::Unreachable("no HTTP-POST sign-on endpoint".to_owned()))?;
        let mut request = sp
            .make_authentication_request(&destination)
            .map_err(|e| SamlError::Settings(e.to_string()))?;
        request.id = request_id()?;
        request.force_authn = Some(true);
        request.issuer = Some(Issuer {
            value: Some(self.settings.entity_id.clone()),
            ..Issuer::default()
        });
        request.requested_authn_context = Some(RequestedAuthnContext {
            authn_context_class_refs: Some(vec![AuthnContextClassRef {
                value: Some(loa_uri(self.settings.min_loa).to_owned()),
            }]),
            authn_context_decl_refs: None,
            comparison: Some(AuthnContextComparison::Minimum),
        });
        request.signature = Some(sha256_signature_template(
            &request.id,
            &self.keys.signing_cert,
        ));
        let unsigned = request
            .to_string()
            .map_err(|e| SamlError::Settings(format!("AuthnRequest: {e}")))?;
        let unsigned = with_eidas_extensions(&unsigned, self.settings.sp_type)?;
        let key = self.keys.signing_der.clone();
        let signed = blocking(move || {
            Crypto::sign_xml(unsigned, &key)
                .map_err(|e| SamlError::Settings(format!("signing: {e}")))
        })
        .await?;
        Ok(PostRequest {
            destination,
            request_id: request.id,
            saml_request: STANDARD.encode(signed),
        })
    }

    /// Checks the identity provider's answer to the request `request_id` and
    /// reads the person from it.
    pub async fn finish(
        &self,
        saml_response: &str,
        request_id: &str,
    ) -> Result<SamlLogin, SamlError> {
        let idp_metadata = self.idp_metadata().await?;
        let signing_certs = self.signing_certificates(&idp_metadata)?;
        // The signature is checked here, explicitly; `samael` then validates
        // what was signed and nothing else, so it is given no keys to check again.
        let mut unsigned_metadata = idp_metadata;
        for descriptor in unsigned_metadata.idp_sso_descriptors.iter_mut().flatten() {
            descriptor.key_descriptors.clear();
        }
        let validator = self.service_provider(unsigned_metadata)?;
        let encoded = saml_response.to_owned();
        let request_id = request_id.to_owned();
        let decryption_key = self.keys.encryption_key.clone();
        let assertion = blocking(move || {
            let xml = decode_xml(&encoded)?;
            let signed = Crypto::reduce_xml_to_signed_with_allowed_algorithms(
                &xml,
                &signing_certs,
                ReduceMode::ValidateAndMarkNoAncestors,
                Some(&ALLOWED_SIGNATURES),
            )
            .map_err(|e| SamlError::Response(format!("signature: {e}")))?;
            let signed = with_ds_declarations(&signed);
            let mut response: Response = signed
                .parse()
                .map_err(|e| SamlError::Response(format!("not a signed SAML Response: {e}")))?;
            // What was signed must be the document itself, not something
            // wrapped inside an unsigned envelope.
            if root_id(&xml).as_deref() != Some(response.id.as_str()) {
                return Err(SamlError::Response(
                    "the signed response is wrapped in an unsigned one".to_owned(),
                ));
            }
            let encrypted = match (
                response.assertion.take(),
                response.encrypted_assertion.take(),
            ) {
                (None, Some(encrypted)) => encrypted,
                _ => {
                    return Err(SamlError::Response(
                        "the response must carry exactly one encrypted assertion".to_owned(),
                    ));
                }
            };
            let plaintext = decrypt(&encrypted, &decryption_key)?;
            response.assertion = Some(
                plaintext
                    .parse()
                    .map_err(|e| SamlError::Response(format!("decrypted assertion: {e}")))?,
            );
            let decrypted = response
                .to_string()
                .map_err(|e| SamlError::Response(format!("decrypted response: {e}")))?;
            validator
                .parse_xml_response(&decrypted, Some(&[request_id.as_str()]))
                .map_err(|e| SamlError::Response(error_chain(&e)))
        })
        .await?;
        let session = assertion
            .subject
            .as_ref()
            .and_then(|subject| subject.name_id.as_ref())
            .map(|name_id| IdpSession {
                name_id: name_id.value.clone(),
                name_id_format: name_id.format.clone(),
                session_index: assertion
                    .authn_statements
                    .iter()
                    .flatten()
                    .find_map(|statement| statement.session_index.clone()),
            });
        Ok(SamlLogin {
            assertion: self.person(&assertion)?,
            session,
        })
    }

    /// A signed `LogoutRequest` ending the person's session at the identity
    /// provider, or `None` when it offers no single logout.
    pub async fn logout(
        &self,
        session: &IdpSession,
        now: jiff::Timestamp,
    ) -> Result<Option<PostRequest>, SamlError> {
        let sp = self.service_provider(self.idp_metadata().await?)?;
        let Some(destination) = sp.slo_binding_location(HTTP_POST_BINDING) else {
            return Ok(None);
        };
        let id = request_id()?;
        let signature = sha256_signature_template(&id, &self.keys.signing_cert)
            .to_string()
            .map_err(|e| SamlError::Settings(format!("signature template: {e}")))?;
        let format = session
            .name_id_format
            .as_deref()
            .map(|format| format!(r#" Format="{}""#, escape(format)))
            .unwrap_or_default();
        let session_index = session
            .session_index
            .as_deref()
            .map(|index| {
                format!(
                    "<saml2p:SessionIndex>{}</saml2p:SessionIndex>",
                    escape(index)
                )
            })
            .unwrap_or_default();
        // Written out rather than with samael's type, which puts SessionIndex
        // before NameID, against the schema.
        let unsigned = format!(
            r#"<saml2p:LogoutRequest xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="{id}" Version="2.0" IssueInstant="{instant}" Destination="{destination}"><saml2:Issuer>{issuer}</saml2:Issuer>{signature}<saml2:NameID{format}>{name_id}</saml2:NameID>{session_index}</saml2p:LogoutRequest>"#,
            instant = now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            destination = escape(&destination),
            issuer = escape(&self.settings.entity_id),
            name_id = escape(&session.name_id),
        );
        let key = self.keys.signing_der.clone();
        let signed = blocking(move || {
            Crypto::sign_xml(unsigned, &key)
                .map_err(|e| SamlError::Settings(format!("signing: {e}")))
        })
        .await?;
        Ok(Some(PostRequest {
            destination,
            request_id: id,
            saml_request: STANDARD.encode(signed),
        }))
    }

    /// Checks the identity provider's signed `LogoutResponse` to the request `request_id`.
    pub async fn finish_logout(
        &self,
        saml_response: &str,
        request_id: &str,
    ) -> Result<(), SamlError> {
        let idp_metadata = self.idp_metadata().await?;
        let issuer = idp_metadata.entity_id.clone();
        let signing_certs = self.signing_certificates(&idp_metadata)?;
        let encoded = saml_response.to_owned();
        let response = blocking(move || {
            let xml = decode_xml(&encoded)?;
            let signed = Crypto::reduce_xml_to_signed_with_allowed_algorithms(
                &xml,
                &signing_certs,
                ReduceMode::ValidateAndMarkNoAncestors,
                Some(&ALLOWED_SIGNATURES),
            )
            .map_err(|e| SamlError::Response(format!("signature: {e}")))?;
            if root_id(&xml) != root_id(&signed) {
                return Err(SamlError::Response(
                    "the signed response is wrapped in an unsigned one".to_owned(),
                ));
            }
            signed
                .parse::<LogoutResponse>()
                .map_err(|e| SamlError::Response(format!("not a LogoutResponse: {e}")))
        })
        .await?;
        let refuse = |what: &str| Err(SamlError::Response(format!("LogoutResponse: {what}")));
        if response.in_response_to.as_deref() != Some(request_id) {
            return refuse("answers another request");
        }
        if response.destination.as_deref() != Some(self.settings.slo_url.as_str()) {
            return refuse("meant for another destination");
        }
        if response
            .issuer
            .as_ref()
            .and_then(|issuer| issuer.value.as_ref())
            != issuer.as_ref()
        {
            return refuse("from another issuer");
        }
        let status = response
            .status
            .as_ref()
            .and_then(|status| status.status_code.value.as_deref());
        if status != Some("urn:oasis:names:tc:SAML:2.0:status:Success") {
            return refuse(&format!("status {}", status.unwrap_or("missing")));
        }
        Ok(())
    }

    fn person(&self, assertion: &samael::schema::Assertion) -> Result<Assertion, SamlError> {
        let attribute = |name: &str| {
            assertion
                .attribute_statements
                .iter()
                .flatten()
                .flat_map(|statement| &statement.attributes)
                .filter(|attribute| attribute.name.as_deref() == Some(name))
                .flat_map(|attribute| &attribute.values)
                .find_map(|value| value.value.as_deref())
                .map(str::trim)
                .filter(|value| !value.is_empty())
        };
        let loa = assertion
            .authn_statements
            .iter()
            .flatten()
            .filter_map(|statement| statement.authn_context.as_ref())
            .filter_map(|context| context.value.as_ref())
            .find_map(|class| class.value.as_deref())
            .ok_or(SamlError::Missing("level of assurance"))
            .and_then(|uri| {
                loa_from_uri(uri)
                    .ok_or_else(|| SamlError::Response(format!("unknown level of assurance {uri}")))
            })?;
        if loa < self.settings.min_loa {
            return Err(SamlError::Response(format!(
                "level of assurance {loa} is below the required {}",
                self.settings.min_loa
            )));
        }
        let subject = attribute(PERSON_IDENTIFIER)
            .ok_or(SamlError::Missing("PersonIdentifier"))
            .and_then(|raw| Subject::parse(raw).map_err(|e| SamlError::Response(e.to_string())))?;
        let name = PersonName::new(
            attribute(GIVEN_NAME).ok_or(SamlError::Missing("given name"))?,
            attribute(FAMILY_NAME).ok_or(SamlError::Missing("family name"))?,
        )
        .map_err(|e| SamlError::Response(e.to_string()))?;
        let birth_date = attribute(DATE_OF_BIRTH)
            .map(|raw| {
                raw.parse::<Date>()
                    .map_err(|e| SamlError::Response(format!("date of birth {raw:?}: {e}")))
            })
            .transpose()?;
        Ok(Assertion {
            provider: self.settings.id.clone(),
            subject,
            name,
            birth_date,
            address: attribute(CURRENT_ADDRESS).and_then(eidas_address),
            email: attribute(EMAIL).and_then(|raw| EmailAddress::parse(raw).ok()),
            loa,
        })
    }
}

/// `samael` reads an encrypted key's `KeyInfo` only when that element itself
/// declares the XML-DSig namespace, which libxml2's serialization and many
/// identity providers (NIA's among them) leave to an ancestor or to a default
/// namespace. Declaring it again changes no meaning. Applied to XML whose
/// signature has already been verified.
fn with_ds_declarations(xml: &str) -> String {
    const DECLARATION: &str = r#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#""#;
    let mut out = String::with_capacity(xml.len() + 256);
    let mut rest = xml;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let tag_end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..tag_end];
        let name_end = tag
            .find(|c: char| c.is_whitespace() || c == '/')
            .unwrap_or(tag.len());
        let name = &tag[1..name_end];
        let is_key_info = name == "KeyInfo" || name.ends_with(":KeyInfo");
        if is_key_info && !tag.contains("xmlns:ds=") {
            out.push_str(&tag[..name_end]);
            out.push_str(DECLARATION);
            rest = &rest[name_end..];
        } else {
            out.push_str(tag);
            rest = &rest[tag_end..];
        }
    }
    out.push_str(rest);
    out
}

/// Decrypts an assertion: the content key unwrapped with the portal's
/// private key (RSA-OAEP; never PKCS#1 v1.5, which leaks through padding
/// errors), then the content with AES in CBC or GCM mode. `samael` knows
/// only the 128-bit ciphers, and NIA uses 256.
fn decrypt(encrypted: &EncryptedAssertion, key: &PKey<Private>) -> Result<String, SamlError> {
    let invalid = |what: &str| SamlError::Response(format!("encrypted assertion: {what}"));
    let base64 = |value: &str| {
        let compact: String = value.split_whitespace().collect();
        STANDARD
            .decode(compact)
            .map_err(|_| invalid("ciphertext is not base64"))
    };
    let (wrapped_key, key_method) = encrypted
        .encrypted_key_info()
        .ok_or_else(|| invalid("no encrypted key"))?;
    if key_method != "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p" {
        return Err(invalid(&format!(
            "key transport {key_method} is not accepted"
        )));
    }
    let rsa = key
        .rsa()
        .map_err(|_| invalid("the portal's key is not RSA"))?;
    let mut content_key = vec![0u8; usize::try_from(rsa.size()).unwrap_or_default()];
    let length = rsa
        .private_decrypt(
            &base64(&wrapped_key.value)?,
            &mut content_key,
            Padding::PKCS1_OAEP,
        )
        .map_err(|_| invalid("the content key cannot be unwrapped"))?;
    content_key.truncate(length);

    let (ciphertext, method) = encrypted
        .encrypted_value_info()
        .ok_or_else(|| invalid("no encrypted data"))?;
    let data = base64(&ciphertext.value)?;
    let (cipher, authenticated) = match method.as_str() {
        "http://www.w3.org/2001/04/xmlenc#aes128-cbc" => (Cipher::aes_128_cbc(), false),
        "http://www.w3.org/2001/04/xmlenc#aes192-cbc" => (Cipher::aes_192_cbc(), false),
        "http://www.w3.org/2001/04/xmlenc#aes256-cbc" => (Cipher::aes_256_cbc(), false),
        "http://www.w3.org/2009/xmlenc11#aes128-gcm" => (Cipher::aes_128_gcm(), true),
        "http://www.w3.org/2009/xmlenc11#aes192-gcm" => (Cipher::aes_192_gcm(), true),
        "http://www.w3.org/2009/xmlenc11#aes256-gcm" => (Cipher::aes_256_gcm(), true),
        other => return Err(invalid(&format!("cipher {other} is not supported"))),
    };
    if content_key.len() != cipher.key_len() {
        return Err(invalid("the content key does not fit the cipher"));
    }
    let plaintext = if authenticated {
        // IV (12 bytes), ciphertext, tag (16 bytes).
        const IV: usize = 12;
        const TAG: usize = 16;
        if data.len() < IV + TAG {
            return Err(invalid("ciphertext too short"));
        }
        let (iv, rest) = data.split_at(IV);
        let (body, tag) = rest.split_at(rest.len() - TAG);
        symm::decrypt_aead(cipher, &content_key, Some(iv), &[], body, tag)
            .map_err(|_| invalid("authentication failed"))?
    } else {
        // IV, then blocks padded as XML Encryption says (ISO 10126: the last
        // byte counts the padding, the others are arbitrary), which OpenSSL's
        // PKCS#7 check would reject.
        const BLOCK: usize = 16;
        if data.len() < 2 * BLOCK || data.len() % BLOCK != 0 {
            return Err(invalid("ciphertext is not whole blocks"));
        }
        let (iv, body) = data.split_at(BLOCK);
        let mut crypter = Crypter::new(cipher, Mode::Decrypt, &content_key, Some(iv))
            .map_err(|_| invalid("cipher setup"))?;
        crypter.pad(false);
        let mut padded = vec![0u8; body.len() + BLOCK];
        let mut length = crypter
            .update(body, &mut padded)
            .map_err(|_| invalid("decryption failed"))?;
        length += crypter
            .finalize(&mut padded[length..])
            .map_err(|_| invalid("decryption failed"))?;
        padded.truncate(length);
        let padding = usize::from(padded.last().copied().unwrap_or(0));
        if padding == 0 || padding > BLOCK || padding > padded.len() {
            return Err(invalid("bad padding"));
        }
        padded.truncate(padded.len() - padding);
        padded
    };
    String::from_utf8(plaintext).map_err(|_| invalid("the assertion is not UTF-8"))
}

/// The `ID` attribute of the document's root element.
fn root_id(xml: &str) -> Option<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event().ok()? {
            quick_xml::events::Event::Start(root) | quick_xml::events::Event::Empty(root) => {
                let id = root.try_get_attribute("ID").ok()??;
                return id
                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .map(|value| value.into_owned());
            }
            quick_xml::events::Event::Eof => return None,
            _ => {}
        }
    }
}

/// An eIDAS `CurrentAddress` on one line. NIA sends it as base64 of XML
/// elements (street, house number, post code, town…); anything that does not
/// decode as such is taken as the address in plain text.
pub(crate) fn eidas_address(raw: &str) -> Option<PostalAddress> {
    let Some(xml) = STANDARD
        .decode(raw.split_whitespace().collect::<String>())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
    else {
        return PostalAddress::parse(raw).ok();
    };
    let wrapped = format!("<address>{xml}</address>");
    let mut reader = quick_xml::Reader::from_str(&wrapped);
    let mut parts = std::collections::HashMap::new();
    let mut current = None;
    loop {
        match reader.read_event().ok()? {
            quick_xml::events::Event::Start(element) => {
                current = Some(String::from_utf8_lossy(element.local_name().as_ref()).into_owned());
            }
            quick_xml::events::Event::Text(text) => {
                if let (Some(name), Ok(value)) = (&current, text.decode()) {
                    parts.insert(name.clone(), value.trim().to_owned());
                }
            }
            quick_xml::events::Event::End(_) => current = None,
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    let part = |name: &str| {
        parts
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    };
    if let Some(full) = part("FullCvaddress") {
        return PostalAddress::parse(full).ok();
    }
    let street = [part("Thoroughfare"), part("LocatorDesignator")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let town = [part("PostCode"), part("PostName").or(part("CvaddressArea"))]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let line = [street, town]
        .into_iter()
        .filter(|piece| !piece.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    PostalAddress::parse(&line).ok()
}

/// An enveloped-signature template over the element with `id`, digested
/// with SHA-256 (`samael`'s template says SHA-1).
fn sha256_signature_template(id: &str, certificate: &CertificateDer) -> Signature {
    let mut signature = Signature::template(id, certificate);
    for reference in &mut signature.signed_info.reference {
        reference.digest_method.algorithm = DigestAlgorithm::Sha256;
    }
    signature
}

/// The XML of a base64-encoded message posted by the identity provider.
fn decode_xml(encoded: &str) -> Result<String, SamlError> {
    let xml = STANDARD
        .decode(encoded.trim())
        .map_err(|e| SamlError::Response(format!("not base64: {e}")))?;
    String::from_utf8(xml).map_err(|_| SamlError::Response("not UTF-8".to_owned()))
}

fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(text)
}

/// A fresh request id: an NCName with 128 bits of randomness.
fn request_id() -> Result<String, SamlError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| SamlError::Settings(format!("no randomness: {e}")))?;
    Ok(format!(
        "_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

pub const fn loa_uri(loa: Loa) -> &'static str {
    match loa {
        Loa::Low => "http://eidas.europa.eu/LoA/low",
        Loa::Substantial => "http://eidas.europa.eu/LoA/substantial",
        Loa::High => "http://eidas.europa.eu/LoA/high",
    }
}

pub(crate) fn loa_from_uri(uri: &str) -> Option<Loa> {
    [Loa::Low, Loa::Substantial, Loa::High]
        .into_iter()
        .find(|loa| loa_uri(*loa) == uri.trim())
}

/// Adds the eIDAS `Extensions` (service provider type and requested
/// attributes), which `samael` cannot express, right after the signature
/// template, where the schema wants them. Done before signing, so the
/// signature covers them.
fn with_eidas_extensions(request: &str, sp_type: SpType) -> Result<String, SamlError> {
    const AFTER: &str = "</ds:Signature>";
    let at = request
        .find(AFTER)
        .map(|start| start + AFTER.len())
        .ok_or_else(|| {
            SamlError::Settings("AuthnRequest without a signature template".to_owned())
        })?;
    let attributes: String = REQUESTED_ATTRIBUTES
        .iter()
        .map(|(name, required)| {
            format!(
                r#"<eidas:RequestedAttribute Name="{name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri" isRequired="{required}"/>"#
            )
        })
        .collect();
    let extensions = format!(
        r#"<saml2p:Extensions xmlns:eidas="http://eidas.europa.eu/saml-extensions"><eidas:SPType>{}</eidas:SPType><eidas:RequestedAttributes>{attributes}</eidas:RequestedAttributes></saml2p:Extensions>"#,
        sp_type.as_str()
    );
    Ok(format!("{}{extensions}{}", &request[..at], &request[at..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eidas_addresses_become_one_line() {
        let ns = r#"xmlns:eidas="http://eidas.europa.eu/attributes/naturalperson""#;
        let xml = format!(
            "<eidas:LocatorDesignator {ns}>12</eidas:LocatorDesignator><eidas:Thoroughfare {ns}>Náměstí Míru</eidas:Thoroughfare><eidas:PostName {ns}>Vzorov</eidas:PostName><eidas:PostCode {ns}>55101</eidas:PostCode>"
        );
        let address = eidas_address(&STANDARD.encode(xml)).map(|a| a.as_str().to_owned());
        assert_eq!(address.as_deref(), Some("Náměstí Míru 12, 55101 Vzorov"));
        let plain = eidas_address("Lipová 12, 123 45 Vzorov").map(|a| a.as_str().to_owned());
        assert_eq!(plain.as_deref(), Some("Lipová 12, 123 45 Vzorov"));
    }

    #[test]
    fn levels_of_assurance_map_to_eidas_uris_and_back() {
        for loa in [Loa::Low, Loa::Substantial, Loa::High] {
            assert_eq!(loa_from_uri(loa_uri(loa)), Some(loa));
        }
        assert_eq!(loa_from_uri("http://eidas.europa.eu/LoA/medium"), None);
    }

    #[test]
    fn key_info_elements_get_the_dsig_declaration_once() {
        let xml = r#"<a><ds:KeyInfo><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"/><ds:KeyInfo xmlns:ds="x"></ds:KeyInfo></ds:KeyInfo><KeyInfoX/></a>"#;
        assert_eq!(
            with_ds_declarations(xml),
            r#"<a><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns="http://www.w3.org/2000/09/xmldsig#"/><ds:KeyInfo xmlns:ds="x"></ds:KeyInfo></ds:KeyInfo><KeyInfoX/></a>"#
        );
    }

    #[test]
    fn eidas_extensions_follow_the_signature() {
        let request = r#"<saml2p:AuthnRequest><saml2:Issuer>x</saml2:Issuer><ds:Signature>s</ds:Signature><saml2p:RequestedAuthnContext/></saml2p:AuthnRequest>"#;
        let extended = with_eidas_extensions(request, SpType::Public).unwrap_or_default();
        let signature = extended.find("</ds:Signature>").unwrap_or(usize::MAX);
        let extensions = extended.find("<saml2p:Extensions").unwrap_or(0);
        let context = extended.find("<saml2p:RequestedAuthnContext").unwrap_or(0);
        assert!(signature < extensions && extensions < context, "{extended}");
        assert!(extended.contains("<eidas:SPType>public</eidas:SPType>"));
        assert!(extended.contains(PERSON_IDENTIFIER));
    }
}

//! RFC 3161 time stamps: a time-stamping authority (TSA) signs a SHA-256
//! digest — the audit log's chain head — together with the time, and the
//! token it answers proves later, offline, that the digest existed then.
//!
//! [`TimestampAuthority::stamp`] asks over HTTP (`application/timestamp-query`)
//! and verifies the token before returning it; [`verify_token`] verifies a
//! stored token again without the network. Verifying means: the TSTInfo's
//! imprint is the digest; the CMS signature is valid; the signer certificate
//! is the one the signed `signingCertificate` attribute names, carries the
//! critical timeStamping extended key usage alone, and chains to a trusted
//! certificate as of the stamp's time (so a stored token outlives the TSA
//! certificate's expiry; revocation is not checked).
//!
//! OpenSSL checks the signature and the chain. The little DER of the request,
//! the answer's status and the TSTInfo is read and written in `der` by hand:
//! the RustCrypto crate for it (x509-tsp, one release) would bring cms,
//! cmpv2, x509-cert and another der for three structures read and one
//! written. Credentials are never logged nor put in an error.

mod der;

use std::fmt;
use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use openssl::error::ErrorStack;
use openssl::hash::{MessageDigest, hash};
use openssl::pkcs7::{Pkcs7, Pkcs7Flags};
use openssl::stack::Stack;
use openssl::x509::store::{X509Store, X509StoreBuilder};
use openssl::x509::verify::{X509VerifyFlags, X509VerifyParam};
use openssl::x509::{X509, X509PurposeId, X509Ref, X509StoreContext};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE};

use self::der::{DerError, Item, Reader};
use crate::error_chain;

const QUERY_TYPE: &str = "application/timestamp-query";
const REPLY_TYPE: &str = "application/timestamp-reply";

/// The largest answer read. A token with a long certificate chain is a few
/// kilobytes.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;

// Object identifiers, as the contents of their DER encoding.
const OID_SHA1: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1a];
const OID_SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
const OID_SHA384: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
const OID_SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
/// 1.2.840.113549.1.7.2
const OID_SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
/// 1.2.840.113549.1.9.16.1.4
const OID_TST_INFO: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x04,
];
/// 1.2.840.113549.1.9.16.2.12 (RFC 2634, its hash SHA-1)
const OID_SIGNING_CERTIFICATE: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x0c,
];
/// 1.2.840.113549.1.9.16.2.47 (RFC 5035, its hash SHA-256 unless named)
const OID_SIGNING_CERTIFICATE_V2: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x2f,
];
/// 2.5.29.37
const OID_EXTENDED_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x25];
/// 1.3.6.1.5.5.7.3.8
const OID_TIME_STAMPING: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08];

/// How to reach a time-stamping authority and whom to believe.
#[derive(Clone)]
pub struct TimestampSettings {
    /// Where queries are posted, e.g. `https://tsa.example.cz/tsa`.
    pub url: url::Url,
    /// For one stamp, connection included.
    pub timeout: Duration,
    /// HTTP basic login and password, if the TSA wants them.
    pub credentials: Option<(String, String)>,
    /// The certificate(s), PEM, that the TSA's certificate must chain to.
    pub trusted_ca_pem: String,
}

impl fmt::Debug for TimestampSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimestampSettings")
            .field("url", &self.url.as_str())
            .field("timeout", &self.timeout)
            .field(
                "credentials",
                &self
                    .credentials
                    .as_ref()
                    .map(|(user, _)| (user, "[redacted]")),
            )
            .finish_non_exhaustive()
    }
}

/// Why a stamp could not be had, or a token does not prove what it should.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    #[error("the time-stamp settings are unusable: {0}")]
    Settings(String),
    #[error("could not reach the time-stamping authority: {0}")]
    Unreachable(String),
    #[error("the time-stamping authority did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the time-stamping authority answered HTTP {0}")]
    HttpStatus(u16),
    #[error("the time-stamping authority answered {0:?}, not {REPLY_TYPE}")]
    ContentType(String),
    #[error("the time-stamping authority's answer exceeds {0} bytes")]
    TooLarge(usize),
    #[error("malformed time-stamp answer or token: {0}")]
    Malformed(String),
    #[error(
        "the time-stamping authority refused the request: status {status} ({}){}{}",
        status_name(*status),
        if fail_info.is_empty() { String::new() } else { format!(", failure {}", fail_info.join(", ")) },
        text.as_ref().map(|text| format!(": {text:?}")).unwrap_or_default()
    )]
    Rejected {
        /// PKIStatus: 2 rejection, 3 waiting, 4 and 5 revocation.
        status: u64,
        /// The names of the PKIFailureInfo bits set, e.g. `badAlg`.
        fail_info: Vec<String>,
        /// The authority's own words, trimmed.
        text: Option<String>,
    },
    #[error("the time stamp is over another digest")]
    DigestMismatch,
    #[error("the time stamp answers another request (nonce mismatch)")]
    NonceMismatch,
    #[error("the time stamp's signature is invalid: {0}")]
    BadSignature(String),
    #[error("the time stamp's signer is not trusted: {0}")]
    UntrustedSigner(String),
}

impl TimestampError {
    /// Worth trying again later: the authority may answer then.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Unreachable(_) | Self::Timeout(_) => true,
            Self::HttpStatus(status) => *status >= 500 || *status == 429,
            // 3: waiting; failInfo systemFailure, timeNotAvailable.
            Self::Rejected {
                status, fail_info, ..
            } => {
                *status == 3
                    || fail_info
                        .iter()
                        .any(|name| name == "systemFailure" || name == "timeNotAvailable")
            }
            _ => false,
        }
    }
}

fn status_name(status: u64) -> &'static str {
    match status {
        0 => "granted",
        1 => "grantedWithMods",
        2 => "rejection",
        3 => "waiting",
        4 => "revocationWarning",
        5 => "revocationNotification",
        _ => "unknown",
    }
}

impl From<DerError> for TimestampError {
    fn from(error: DerError) -> Self {
        Self::Malformed(error.to_string())
    }
}

/// The certificates a TSA's certificate must chain to.
#[derive(Clone)]
pub struct TrustAnchors {
    certificates: Vec<X509>,
}

impl fmt::Debug for TrustAnchors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let subjects: Vec<String> = self
            .certificates
            .iter()
            .map(|certificate| {
                certificate
                    .subject_name()
                    .entries()
                    .filter_map(|entry| entry.data().to_string().ok())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .collect();
        f.debug_struct("TrustAnchors")
            .field("subjects", &subjects)
            .finish()
    }
}

impl TrustAnchors {
    /// One or more certificates, PEM. Each is trusted as it stands, so an
    /// intermediate CA can be named without its root.
    pub fn from_pem(pem: &[u8]) -> Result<Self, TimestampError> {
        let certificates = X509::stack_from_pem(pem).map_err(|e| {
            TimestampError::Settings(format!("the trusted CA certificates: {}", reasons(&e)))
        })?;
        if certificates.is_empty() {
            return Err(TimestampError::Settings(
                "no trusted CA certificate given".to_owned(),
            ));
        }
        Ok(Self { certificates })
    }

    /// A store that checks a chain as of `at`, for time-stamp signing.
    fn store(&self, at: Timestamp) -> Result<X509Store, ErrorStack> {
        let mut param = X509VerifyParam::new()?;
        param.set_purpose(X509PurposeId::TIMESTAMP_SIGN)?;
        param.set_flags(X509VerifyFlags::PARTIAL_CHAIN)?;
        param.set_time(at.as_second());
        let mut builder = X509StoreBuilder::new()?;
        for certificate in &self.certificates {
            builder.add_cert(certificate.clone())?;
        }
        builder.set_param(&param)?;
        Ok(builder.build())
    }
}

/// A time stamp as the authority issued it, verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeStampToken {
    /// The token (a CMS ContentInfo), DER, as received: what to store.
    pub der: Vec<u8>,
    /// When the authority says it saw the digest.
    pub gen_time: Timestamp,
    /// The authority's serial number of the token, lowercase hex.
    pub serial: String,
}

/// What a verified token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedStamp {
    pub gen_time: Timestamp,
    /// Lowercase hex.
    pub serial: String,
}

/// An RFC 3161 time-stamping authority over HTTP.
pub struct TimestampAuthority {
    url: url::Url,
    timeout: Duration,
    credentials: Option<(String, String)>,
    trusted: TrustAnchors,
    client: reqwest::Client,
}

impl fmt::Debug for TimestampAuthority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimestampAuthority")
            .field("url", &self.url.as_str())
            .field("timeout", &self.timeout)
            .field("trusted", &self.trusted)
            .finish_non_exhaustive()
    }
}

impl TimestampAuthority {
    pub fn new(settings: TimestampSettings) -> Result<Self, TimestampError> {
        if !matches!(settings.url.scheme(), "http" | "https") {
            return Err(TimestampError::Settings(
                "the time-stamping authority's URL must be an http:// or https:// address"
                    .to_owned(),
            ));
        }
        let trusted = TrustAnchors::from_pem(settings.trusted_ca_pem.as_bytes())?;
        let client = reqwest::Client::builder()
            // Following a redirect could carry the credentials elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(settings.timeout)
            .build()
            .map_err(|e| TimestampError::Settings(error_chain(&e)))?;
        Ok(Self {
            url: settings.url,
            timeout: settings.timeout,
            credentials: settings.credentials,
            trusted,
            client,
        })
    }

    /// The certificates this authority's tokens are verified against.
    pub fn trust_anchors(&self) -> &TrustAnchors {
        &self.trusted
    }

    /// Has `digest` (SHA-256) time-stamped and returns the verified token.
    pub async fn stamp(&self, digest: &[u8; 32]) -> Result<TimeStampToken, TimestampError> {
        let mut nonce = [0u8; 8];
        getrandom::fill(&mut nonce)
            .map_err(|e| TimestampError::Settings(format!("no randomness for the nonce: {e}")))?;
        let query = request(digest, &nonce);
        let answer = tokio::time::timeout(self.timeout, self.exchange(query))
            .await
            .unwrap_or(Err(TimestampError::Timeout(self.timeout)))?;
        let token = granted_token(&answer)?;
        let stamp = verify(token, digest, &self.trusted, Some(&nonce))?;
        Ok(TimeStampToken {
            der: token.to_vec(),
            gen_time: stamp.gen_time,
            serial: stamp.serial,
        })
    }

    /// Posts the query; the body of a 200 `application/timestamp-reply`.
    async fn exchange(&self, query: Vec<u8>) -> Result<Vec<u8>, TimestampError> {
        let mut request = self
            .client
            .post(self.url.clone())
            .header(CONTENT_TYPE, QUERY_TYPE)
            .header(ACCEPT, REPLY_TYPE)
            .body(query);
        if let Some((user, password)) = &self.credentials {
            request = request.basic_auth(user, Some(password));
        }
        let mut response = request.send().await.map_err(transport_error)?;
        let status = response.status();
        if status != StatusCode::OK {
            return Err(TimestampError::HttpStatus(status.as_u16()));
        }
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .unwrap_or_default();
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        if !essence.eq_ignore_ascii_case(REPLY_TYPE) {
            return Err(TimestampError::ContentType(content_type));
        }
        if response
            .content_length()
            .is_some_and(|length| length > MAX_ANSWER_BYTES as u64)
        {
            return Err(TimestampError::TooLarge(MAX_ANSWER_BYTES));
        }
        let mut body = Vec::new();
        // The announced length may be absent or false: count what comes.
        while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
            if body.len().saturating_add(chunk.len()) > MAX_ANSWER_BYTES {
                return Err(TimestampError::TooLarge(MAX_ANSWER_BYTES));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

fn transport_error(error: reqwest::Error) -> TimestampError {
    let error = error.without_url();
    if error.is_timeout() {
        // reqwest's own limit is the connection's; the caller's covers all.
        TimestampError::Unreachable("connection timed out".to_owned())
    } else {
        TimestampError::Unreachable(error_chain(&error))
    }
}

/// A TimeStampReq: version 1, the SHA-256 imprint, the nonce, and the
/// signer's certificate asked for (certReq TRUE) so the token stands alone.
fn request(digest: &[u8; 32], nonce: &[u8]) -> Vec<u8> {
    der::encode(
        der::SEQUENCE,
        &[
            &der::encode_unsigned(&[1]),
            &message_imprint(digest),
            &der::encode_unsigned(nonce),
            &der::encode(der::BOOLEAN, &[&[0xff]]),
        ],
    )
}

fn message_imprint(digest: &[u8; 32]) -> Vec<u8> {
    der::encode(
        der::SEQUENCE,
        &[
            &der::encode(
                der::SEQUENCE,
                &[
                    &der::encode(der::OBJECT_IDENTIFIER, &[OID_SHA256]),
                    &der::encode(der::NULL, &[]),
                ],
            ),
            &der::encode(der::OCTET_STRING, &[digest]),
        ],
    )
}

/// The token of a TimeStampResp whose status grants it.
fn granted_token(answer: &[u8]) -> Result<&[u8], TimestampError> {
    let response = der::single(answer, der::SEQUENCE, "TimeStampResp")?;
    let mut fields = response.inner();
    let status_info = fields.take(der::SEQUENCE, "PKIStatusInfo")?;
    let mut info = status_info.inner();
    let status = der::small_unsigned(&info.take(der::INTEGER, "PKIStatus")?, "PKIStatus")?;
    let text = info
        .optional(der::SEQUENCE, "PKIFreeText")?
        .map(|free_text| free_text_of(&free_text))
        .transpose()?
        .flatten();
    let fail_info = info
        .optional(der::BIT_STRING, "PKIFailureInfo")?
        .map(|bits| failure_names(&bits))
        .transpose()?
        .unwrap_or_default();
    info.finish("PKIStatusInfo")?;
    if status > 1 {
        return Err(TimestampError::Rejected {
            status,
            fail_info,
            text,
        });
    }
    let token = fields.take(der::SEQUENCE, "TimeStampToken")?;
    fields.finish("TimeStampResp")?;
    Ok(token.whole)
}

/// The first UTF8String of a PKIFreeText, printable and short.
fn free_text_of(free_text: &Item<'_>) -> Result<Option<String>, DerError> {
    let mut strings = free_text.inner();
    if strings.is_empty() {
        return Ok(None);
    }
    let first = strings.take(der::UTF8_STRING, "PKIFreeText")?;
    let text: String = String::from_utf8_lossy(first.value)
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    Ok(Some(text))
}

/// The names of the bits set in a PKIFailureInfo (RFC 3161 §2.4.2).
fn failure_names(bits: &Item<'_>) -> Result<Vec<String>, DerError> {
    const NAMES: [(usize, &str); 8] = [
        (0, "badAlg"),
        (2, "badRequest"),
        (5, "badDataFormat"),
        (14, "timeNotAvailable"),
        (15, "unacceptedPolicy"),
        (16, "unacceptedExtension"),
        (17, "addInfoNotAvailable"),
        (25, "systemFailure"),
    ];
    let Some((&unused, bytes)) = bits.value.split_first() else {
        return Err(DerError::new("PKIFailureInfo: empty bit string"));
    };
    if unused > 7 || (bytes.is_empty() && unused != 0) {
        return Err(DerError::new("PKIFailureInfo: bad bit string"));
    }
    let set = |bit: usize| {
        bytes
            .get(bit / 8)
            .is_some_and(|byte| byte & (0x80 >> (bit % 8)) != 0)
    };
    Ok((0..bytes.len() * 8)
        .filter(|&bit| set(bit))
        .map(|bit| {
            NAMES
                .iter()
                .find(|(known, _)| *known == bit)
                .map_or_else(|| format!("bit {bit}"), |(_, name)| (*name).to_owned())
        })
        .collect())
}

/// Verifies a stored token (a CMS ContentInfo, DER) over `digest` against
/// `trusted`, offline. The nonce is not checked: it only binds an answer to
/// its request.
pub fn verify_token(
    token_der: &[u8],
    digest: &[u8; 32],
    trusted: &TrustAnchors,
) -> Result<VerifiedStamp, TimestampError> {
    verify(token_der, digest, trusted, None)
}

/// The checks of [`verify_token`], and the nonce's when one is expected.
fn verify(
    token_der: &[u8],
    digest: &[u8; 32],
    trusted: &TrustAnchors,
    nonce: Option<&[u8]>,
) -> Result<VerifiedStamp, TimestampError> {
    let token = SignedToken::parse(token_der)?;

    // The signature over the TSTInfo, by the certificate the SignerInfo
    // names; no certificates but the token's own.
    let pkcs7 = Pkcs7::from_der(token_der)
        .map_err(|e| TimestampError::Malformed(format!("the token: {}", reasons(&e))))?;
    let no_extra = Stack::new().map_err(|e| TimestampError::BadSignature(reasons(&e)))?;
    let signers = pkcs7
        .signers(&no_extra, Pkcs7Flags::empty())
        .map_err(|e| TimestampError::BadSignature(format!("no signer: {}", reasons(&e))))?;
    let signer = match signers.iter().collect::<Vec<_>>().as_slice() {
        [signer] => (*signer).to_owned(),
        _ => {
            return Err(TimestampError::BadSignature(
                "not exactly one signer".to_owned(),
            ));
        }
    };
    // The signature only (NOVERIFY): the chain is checked below, as of genTime.
    let store = trusted
        .store(Timestamp::UNIX_EPOCH)
        .map_err(|e| TimestampError::BadSignature(reasons(&e)))?;
    let mut signed_content = Vec::new();
    pkcs7
        .verify(
            &no_extra,
            &store,
            None,
            Some(&mut signed_content),
            Pkcs7Flags::NOVERIFY | Pkcs7Flags::BINARY,
        )
        .map_err(|e| TimestampError::BadSignature(reasons(&e)))?;
    if signed_content != token.tst_info {
        return Err(TimestampError::Malformed(
            "the signed content is not the token's TSTInfo".to_owned(),
        ));
    }
    let tst_info = TstInfo::parse(token.tst_info)?;

    check_signing_certificate(&token.signing_certificate, &signer)?;
    check_time_stamping_usage(&signer)?;
    check_chain(&signer, &pkcs7, trusted, tst_info.gen_time)?;

    if tst_info.sha256 != digest {
        return Err(TimestampError::DigestMismatch);
    }
    if let Some(nonce) = nonce
        && tst_info.nonce != Some(der::strip_zeros(nonce))
    {
        return Err(TimestampError::NonceMismatch);
    }
    Ok(VerifiedStamp {
        gen_time: tst_info.gen_time,
        serial: tst_info.serial,
    })
}

/// The parts of a token's SignedData that OpenSSL does not check for us.
struct SignedToken<'a> {
    /// The encapsulated content: a DER TSTInfo.
    tst_info: &'a [u8],
    signing_certificate: SigningCertificate<'a>,
}

/// The certificate the signed attributes bind the signature to.
enum SigningCertificate<'a> {
    /// ESSCertID: the certificate's SHA-1.
    V1 { hash: &'a [u8] },
    /// ESSCertIDv2: the certificate's hash by the named algorithm.
    V2 { algorithm: &'a [u8], hash: &'a [u8] },
}

impl<'a> SignedToken<'a> {
    /// ContentInfo { signedData, SignedData { version, digestAlgorithms,
    /// encapContentInfo { id-ct-TSTInfo, TSTInfo }, certificates,
    /// crls, signerInfos { exactly one } } } (RFC 5652 §5, RFC 3161 §2.4.2).
    fn parse(token_der: &'a [u8]) -> Result<Self, TimestampError> {
        let content_info = der::single(token_der, der::SEQUENCE, "ContentInfo")?;
        let mut fields = content_info.inner();
        let content_type = fields.take(der::OBJECT_IDENTIFIER, "contentType")?;
        if content_type.value != OID_SIGNED_DATA {
            return Err(TimestampError::Malformed(
                "the token is not CMS SignedData".to_owned(),
            ));
        }
        let content = fields.take(der::context(0), "content")?;
        fields.finish("ContentInfo")?;
        let signed_data = der::single(content.value, der::SEQUENCE, "SignedData")?;
        let mut fields = signed_data.inner();
        fields.take(der::INTEGER, "SignedData version")?;
        fields.take(der::SET, "digestAlgorithms")?;
        let encapsulated = fields.take(der::SEQUENCE, "encapContentInfo")?;
        fields.optional(der::context(0), "certificates")?;
        fields.optional(der::context(1), "crls")?;
        let signer_infos = fields.take(der::SET, "signerInfos")?;
        fields.finish("SignedData")?;

        let mut encapsulated = encapsulated.inner();
        let econtent_type = encapsulated.take(der::OBJECT_IDENTIFIER, "eContentType")?;
        if econtent_type.value != OID_TST_INFO {
            return Err(TimestampError::Malformed(
                "the token's content is not a TSTInfo".to_owned(),
            ));
        }
        let econtent = encapsulated.take(der::context(0), "eContent")?;
        encapsulated.finish("encapContentInfo")?;
        let tst_info = der::single(econtent.value, der::OCTET_STRING, "eContent")?.value;

        let signer_info = der::single(signer_infos.value, der::SEQUENCE, "SignerInfo")?;
        let mut fields = signer_info.inner();
        fields.take(der::INTEGER, "SignerInfo version")?;
        fields.any("sid")?;
        fields.take(der::SEQUENCE, "digestAlgorithm")?;
        let attributes = fields.take(der::context(0), "signedAttrs")?;
        let signing_certificate = signing_certificate(attributes.inner())?;
        Ok(Self {
            tst_info,
            signing_certificate,
        })
    }
}

/// The first certificate ID of the signed `signingCertificateV2` or
/// `signingCertificate` attribute, which a time stamp must carry.
fn signing_certificate(
    mut attributes: Reader<'_>,
) -> Result<SigningCertificate<'_>, TimestampError> {
    while !attributes.is_empty() {
        let attribute = attributes.take(der::SEQUENCE, "Attribute")?;
        let mut fields = attribute.inner();
        let kind = fields.take(der::OBJECT_IDENTIFIER, "attrType")?.value;
        let is_v2 = kind == OID_SIGNING_CERTIFICATE_V2;
        if !is_v2 && kind != OID_SIGNING_CERTIFICATE {
            continue;
        }
        let values = fields.take(der::SET, "attrValues")?;
        let value = der::single(values.value, der::SEQUENCE, "SigningCertificate")?;
        let certs = value.inner().take(der::SEQUENCE, "certs")?;
        let first = certs.inner().take(der::SEQUENCE, "ESSCertID")?;
        let mut id = first.inner();
        return Ok(if is_v2 {
            let algorithm = match id.optional(der::SEQUENCE, "hashAlgorithm")? {
                Some(identifier) => {
                    identifier
                        .inner()
                        .take(der::OBJECT_IDENTIFIER, "algorithm")?
                        .value
                }
                None => OID_SHA256,
            };
            let hash = id.take(der::OCTET_STRING, "certHash")?.value;
            SigningCertificate::V2 { algorithm, hash }
        } else {
            SigningCertificate::V1 {
                hash: id.take(der::OCTET_STRING, "certHash")?.value,
            }
        });
    }
    Err(TimestampError::Malformed(
        "the signature names no signing certificate".to_owned(),
    ))
}

/// The signer is the certificate the signed attributes name.
fn check_signing_certificate(
    named: &SigningCertificate<'_>,
    signer: &X509Ref,
) -> Result<(), TimestampError> {
    let (algorithm, expected) = match *named {
        SigningCertificate::V1 { hash } => (OID_SHA1, hash),
        SigningCertificate::V2 { algorithm, hash } => (algorithm, hash),
    };
    let digest = match algorithm {
        OID_SHA1 => MessageDigest::sha1(),
        OID_SHA256 => MessageDigest::sha256(),
        OID_SHA384 => MessageDigest::sha384(),
        OID_SHA512 => MessageDigest::sha512(),
        _ => {
            return Err(TimestampError::UntrustedSigner(
                "the signing certificate is named by an unknown hash".to_owned(),
            ));
        }
    };
    let certificate = signer
        .to_der()
        .map_err(|e| TimestampError::UntrustedSigner(reasons(&e)))?;
    let actual =
        hash(digest, &certificate).map_err(|e| TimestampError::UntrustedSigner(reasons(&e)))?;
    if actual.as_ref() == expected {
        Ok(())
    } else {
        Err(TimestampError::UntrustedSigner(
            "the signer is not the certificate the signature names".to_owned(),
        ))
    }
}

/// RFC 3161 §2.3: the TSA's certificate has one extended key usage,
/// timeStamping, marked critical. OpenSSL's purpose check says the same;
/// this says it whatever OpenSSL's version, and says it plainly.
fn check_time_stamping_usage(signer: &X509Ref) -> Result<(), TimestampError> {
    let refuse = |why: &str| TimestampError::UntrustedSigner(why.to_owned());
    let certificate = signer.to_der().map_err(|e| refuse(&reasons(&e)))?;
    let usage = extended_key_usage(&certificate)
        .map_err(|e| refuse(&format!("its certificate: {e}")))?
        .ok_or_else(|| refuse("its certificate has no extended key usage"))?;
    if !usage.critical {
        return Err(refuse("its extended key usage is not critical"));
    }
    if usage.purposes != [OID_TIME_STAMPING] {
        return Err(refuse("its extended key usage is not timeStamping alone"));
    }
    Ok(())
}

struct ExtendedKeyUsage<'a> {
    critical: bool,
    purposes: Vec<&'a [u8]>,
}

/// The extended key usage extension of a certificate, DER (RFC 5280 §4.1).
fn extended_key_usage(certificate: &[u8]) -> Result<Option<ExtendedKeyUsage<'_>>, DerError> {
    let certificate = der::single(certificate, der::SEQUENCE, "Certificate")?;
    let tbs = certificate.inner().take(der::SEQUENCE, "tbsCertificate")?;
    let mut fields = tbs.inner();
    // Version, serial, signature, issuer, validity, subject, key and the
    // unique identifiers come before the extensions, [3].
    while !fields.is_empty() {
        let field = fields.any("tbsCertificate")?;
        if field.tag != der::context(3) {
            continue;
        }
        let extensions = der::single(field.value, der::SEQUENCE, "extensions")?;
        let mut extensions = extensions.inner();
        while !extensions.is_empty() {
            let extension = extensions.take(der::SEQUENCE, "Extension")?;
            let mut parts = extension.inner();
            let id = parts.take(der::OBJECT_IDENTIFIER, "extnID")?;
            if id.value != OID_EXTENDED_KEY_USAGE {
                continue;
            }
            let critical = match parts.optional(der::BOOLEAN, "critical")? {
                Some(flag) => der::boolean(&flag, "critical")?,
                None => false,
            };
            let value = parts.take(der::OCTET_STRING, "extnValue")?;
            let list = der::single(value.value, der::SEQUENCE, "ExtKeyUsageSyntax")?;
            let mut list = list.inner();
            let mut purposes = Vec::new();
            while !list.is_empty() {
                purposes.push(list.take(der::OBJECT_IDENTIFIER, "KeyPurposeId")?.value);
            }
            return Ok(Some(ExtendedKeyUsage { critical, purposes }));
        }
    }
    Ok(None)
}

/// The signer chains to a trusted certificate, for time-stamp signing, as of
/// the stamp's time; the token's own certificates may fill the gaps.
fn check_chain(
    signer: &X509Ref,
    pkcs7: &Pkcs7,
    trusted: &TrustAnchors,
    at: Timestamp,
) -> Result<(), TimestampError> {
    let refuse = |e: ErrorStack| TimestampError::UntrustedSigner(reasons(&e));
    let store = trusted.store(at).map_err(refuse)?;
    let empty = Stack::new().map_err(refuse)?;
    let untrusted = pkcs7
        .signed()
        .and_then(|signed| signed.certificates())
        .unwrap_or(&empty);
    let mut context = X509StoreContext::new().map_err(refuse)?;
    let outcome = context
        .init(&store, signer, untrusted, |context| {
            let valid = context.verify_cert()?;
            Ok(if valid { None } else { Some(context.error()) })
        })
        .map_err(refuse)?;
    match outcome {
        None => Ok(()),
        Some(error) => Err(TimestampError::UntrustedSigner(
            error.error_string().to_owned(),
        )),
    }
}

/// What a TSTInfo says (RFC 3161 §2.4.2).
struct TstInfo<'a> {
    sha256: &'a [u8],
    serial: String,
    gen_time: Timestamp,
    nonce: Option<&'a [u8]>,
}

impl<'a> TstInfo<'a> {
    fn parse(bytes: &'a [u8]) -> Result<Self, TimestampError> {
        let tst_info = der::single(bytes, der::SEQUENCE, "TSTInfo")?;
        let mut fields = tst_info.inner();
        let version = der::small_unsigned(&fields.take(der::INTEGER, "version")?, "version")?;
        if version != 1 {
            return Err(TimestampError::Malformed(format!(
                "TSTInfo version {version}"
            )));
        }
        fields.take(der::OBJECT_IDENTIFIER, "policy")?;
        let imprint = fields.take(der::SEQUENCE, "messageImprint")?;
        let serial = der::unsigned(&fields.take(der::INTEGER, "serialNumber")?, "serialNumber")?;
        let gen_time = generalized_time(fields.take(der::GENERALIZED_TIME, "genTime")?.value)?;
        fields.optional(der::SEQUENCE, "accuracy")?;
        fields.optional(der::BOOLEAN, "ordering")?;
        let nonce = fields
            .optional(der::INTEGER, "nonce")?
            .map(|nonce| der::unsigned(&nonce, "nonce"))
            .transpose()?;
        // Then perhaps the TSA's name [0] and extensions [1]: not needed.

        let mut imprint = imprint.inner();
        let algorithm = imprint.take(der::SEQUENCE, "hashAlgorithm")?;
        let hashed = imprint.take(der::OCTET_STRING, "hashedMessage")?;
        imprint.finish("messageImprint")?;
        let algorithm = algorithm
            .inner()
            .take(der::OBJECT_IDENTIFIER, "algorithm")?;
        // Over any other hash the token does not cover our digest.
        let sha256 = if algorithm.value == OID_SHA256 {
            hashed.value
        } else {
            &[]
        };
        Ok(Self {
            sha256,
            serial: serial_text(serial),
            gen_time,
            nonce,
        })
    }
}

fn serial_text(magnitude: &[u8]) -> String {
    if magnitude.is_empty() {
        return "0".to_owned();
    }
    magnitude.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// `YYYYMMDDHHMMSS[.f…]Z`, as DER writes a GeneralizedTime.
fn generalized_time(text: &[u8]) -> Result<Timestamp, TimestampError> {
    let bad = || TimestampError::Malformed("genTime is not a DER GeneralizedTime".to_owned());
    let text = std::str::from_utf8(text).map_err(|_| bad())?;
    let body = text.strip_suffix('Z').ok_or_else(bad)?;
    let (whole, fraction) = match body.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (body, None),
    };
    if whole.len() != 14 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let number =
        |range: std::ops::Range<usize>| whole.get(range).and_then(|s| s.parse::<i16>().ok());
    let nanoseconds = match fraction {
        None => 0,
        Some(digits)
            if !digits.is_empty()
                && digits.len() <= 9
                && digits.bytes().all(|b| b.is_ascii_digit()) =>
        {
            let padded = format!("{digits:0<9}");
            padded.parse::<i32>().map_err(|_| bad())?
        }
        Some(_) => return Err(bad()),
    };
    let parts = (
        number(0..4),
        number(4..6),
        number(6..8),
        number(8..10),
        number(10..12),
        number(12..14),
    );
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = parts else {
        return Err(bad());
    };
    let narrow = |n: i16| i8::try_from(n).map_err(|_| bad());
    let civil = DateTime::new(
        year,
        narrow(month)?,
        narrow(day)?,
        narrow(hour)?,
        narrow(minute)?,
        narrow(second)?,
        nanoseconds,
    )
    .map_err(|_| bad())?;
    TimeZone::UTC.to_timestamp(civil).map_err(|_| bad())
}

/// OpenSSL's reasons, without its file names and line numbers.
fn reasons(error: &ErrorStack) -> String {
    let mut reasons: Vec<&str> = error.errors().iter().filter_map(|e| e.reason()).collect();
    reasons.dedup();
    if reasons.is_empty() {
        "OpenSSL failed without saying why".to_owned()
    } else {
        reasons.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: [u8; 32] = [0x42; 32];

    #[test]
    fn the_request_is_der_as_rfc_3161_has_it() {
        let nonce = [0x8b, 1, 2, 3, 4, 5, 6, 7];
        let mut expected = vec![0x30, 0x44, 0x02, 0x01, 0x01];
        expected.extend([0x30, 0x31, 0x30, 0x0d, 0x06, 0x09]);
        expected.extend(OID_SHA256);
        expected.extend([0x05, 0x00, 0x04, 0x20]);
        expected.extend(DIGEST);
        expected.extend([0x02, 0x09, 0x00]);
        expected.extend(nonce);
        expected.extend([0x01, 0x01, 0xff]);
        assert_eq!(request(&DIGEST, &nonce), expected);
    }

    #[test]
    fn a_refusal_names_its_status_and_failure() {
        // What `openssl ts -reply` answers a query whose hash it does not take.
        let mut answer = vec![
            0x30, 0x37, 0x30, 0x35, 0x02, 0x01, 0x02, 0x30, 0x2c, 0x0c, 0x2a,
        ];
        answer.extend(b"Message digest algorithm is not supported.");
        answer.extend([0x03, 0x02, 0x07, 0x80]);
        let error = granted_token(&answer).unwrap_err();
        assert_eq!(
            error,
            TimestampError::Rejected {
                status: 2,
                fail_info: vec!["badAlg".to_owned()],
                text: Some("Message digest algorithm is not supported.".to_owned()),
            }
        );
        assert_eq!(
            error.to_string(),
            "the time-stamping authority refused the request: status 2 (rejection), \
             failure badAlg: \"Message digest algorithm is not supported.\""
        );
        assert!(!error.is_transient());
    }

    #[test]
    fn failure_bits_beyond_the_first_byte() {
        // systemFailure (25) and an unnamed bit 9.
        let bits = der::encode(der::BIT_STRING, &[&[6, 0x00, 0x40, 0x00, 0x40]]);
        let item = der::single(&bits, der::BIT_STRING, "bits").unwrap();
        assert_eq!(failure_names(&item).unwrap(), ["bit 9", "systemFailure"]);
    }

    #[test]
    fn a_granted_answer_without_a_token_is_malformed() {
        let answer = [0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00];
        assert!(matches!(
            granted_token(&answer),
            Err(TimestampError::Malformed(_))
        ));
        assert!(matches!(
            granted_token(b"<html>"),
            Err(TimestampError::Malformed(_))
        ));
    }

    #[test]
    fn generalized_times() {
        let at = |text: &str| generalized_time(text.as_bytes());
        assert_eq!(
            at("20261122101314Z").unwrap(),
            "2026-11-22T10:13:14Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(
            at("20261122101314.25Z").unwrap(),
            "2026-11-22T10:13:14.25Z".parse::<Timestamp>().unwrap()
        );
        for bad in [
            "20261122101314",
            "202611221013Z",
            "20261322101314Z",
            "20261122101314.Z",
            "20261122101314.1234567890Z",
            "2026112210131+Z",
            "20261122101314+0100",
        ] {
            assert!(at(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn serials_are_hex() {
        assert_eq!(serial_text(&[]), "0");
        assert_eq!(serial_text(&[0x01]), "01");
        assert_eq!(serial_text(&[0xbc, 0x8b, 0x0e]), "bc8b0e");
    }

    #[test]
    fn the_password_never_shows() {
        let settings = TimestampSettings {
            url: "https://tsa.vzorov.cz/tsa".parse().unwrap(),
            timeout: Duration::from_secs(10),
            credentials: Some(("portal".into(), "tsa-password-secret".into())),
            trusted_ca_pem: String::new(),
        };
        let shown = format!("{settings:?}");
        assert!(shown.contains("portal"), "{shown}");
        assert!(!shown.contains("tsa-password-secret"), "{shown}");
        // And no PEM: the settings are refused without a certificate.
        assert!(matches!(
            TimestampAuthority::new(settings),
            Err(TimestampError::Settings(_))
        ));
    }

    #[test]
    fn only_http_addresses() {
        let settings = TimestampSettings {
            url: "ftp://tsa.vzorov.cz/tsa".parse().unwrap(),
            timeout: Duration::from_secs(10),
            credentials: None,
            trusted_ca_pem: String::new(),
        };
        assert!(matches!(
            TimestampAuthority::new(settings),
            Err(TimestampError::Settings(message)) if message.contains("http")
        ));
    }
}

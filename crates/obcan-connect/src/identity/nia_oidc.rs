//! NIA's OpenID Connect profile: what sets it apart from the standard flow in
//! [`super::oidc`], which runs it.
//!
//! - Discovery lives at `…/fpsts/oidc/openid-configuration`, not under
//!   `.well-known`, and the issuer is the URN `urn:microsoft:cgg2010:fpsts`.
//! - The portal authenticates with `client_secret_post` and sends no PKCE;
//!   the level of assurance, the sector and forced authentication are scopes.
//! - Attributes are released only when asked for in the `claims` request
//!   parameter, under their eIDAS names (`CurrentGivenName`, …).
//! - The ID token is a JWE (RSA-OAEP, A256CBC-HS512) encrypted to the
//!   certificate the portal registered; inside is the signed JWT.
//! - That JWT carries no `sub`: the person is the eIDAS `PersonIdentifier`,
//!   the pseudonym NIA gives each person for this service. Without `sub`,
//!   openidconnect's ID token type cannot hold it, so the signature (with
//!   openidconnect's keys) and the claims are checked here.
//! - Userinfo answers `{}`; everything comes from the ID token.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::civil::Date;
use obcan_core::citizen::{EmailAddress, PersonName};
use obcan_core::identity::{Assertion, Loa, ProviderId, Subject};
use openidconnect::core::{CoreJsonWebKeyUse, CoreJwsSigningAlgorithm};
use openidconnect::{JsonWebKey as _, JwsSigningAlgorithm as _, ProviderMetadataWithLogout};
use openssl::pkey::{PKey, Private};
use openssl::rsa::Padding;
use openssl::sign::Signer;
use openssl::symm::{self, Cipher};
use serde::Deserialize;

use super::oidc::{OidcError, Refusal};
use super::saml::{SpType, eidas_address, loa_from_uri};

/// The attributes the portal asks for: the same as over SAML, by their bare
/// eIDAS and STORK names.
const REQUESTED_CLAIMS: [&str; 6] = [
    "PersonIdentifier",
    "CurrentGivenName",
    "CurrentFamilyName",
    "DateOfBirth",
    "CurrentAddress",
    "eMail",
];

/// Sizes fixed by A256CBC-HS512 (RFC 7518 §5.2.5), in bytes.
const CEK_LEN: usize = 64;
const IV_LEN: usize = 16;
const TAG_LEN: usize = 32;

/// The portal's RSA key that NIA encrypts ID tokens to.
#[derive(Clone)]
pub struct DecryptionKey(PKey<Private>);

impl DecryptionKey {
    pub fn from_pem(pem: &[u8]) -> Result<Self, OidcError> {
        let key = PKey::private_key_from_pem(pem)
            .map_err(|e| OidcError::Settings(format!("decryption key: {e}")))?;
        key.rsa()
            .map_err(|_| OidcError::Settings("decryption key: not an RSA key".to_owned()))?;
        Ok(Self(key))
    }
}

impl std::fmt::Debug for DecryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DecryptionKey([redacted])")
    }
}

/// NIA's own settings.
#[derive(Debug, Clone)]
pub struct NiaProfile {
    /// The discovery document's address (`…/fpsts/oidc/openid-configuration`).
    pub discovery_url: String,
    pub decryption_key: DecryptionKey,
    /// The lowest level of assurance asked for and accepted.
    pub min_loa: Loa,
    pub sector: SpType,
}

/// What the portal reads from NIA's ID token.
#[derive(Debug, Deserialize)]
pub(crate) struct NiaClaims {
    iss: String,
    #[serde(default, deserialize_with = "string_or_list")]
    aud: Vec<String>,
    exp: i64,
    nonce: Option<String>,
    acr: Option<String>,
    #[serde(rename = "PersonIdentifier")]
    person_identifier: Option<String>,
    #[serde(rename = "CurrentGivenName")]
    given_name: Option<String>,
    #[serde(rename = "CurrentFamilyName")]
    family_name: Option<String>,
    #[serde(rename = "DateOfBirth")]
    date_of_birth: Option<String>,
    #[serde(rename = "CurrentAddress")]
    current_address: Option<String>,
    #[serde(rename = "eMail")]
    email: Option<String>,
}

fn string_or_list<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(one) => vec![one],
        OneOrMany::Many(many) => many,
    })
}

#[derive(Debug, Deserialize)]
struct JweHeader {
    alg: String,
    enc: String,
    zip: Option<serde_json::Value>,
    crit: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct JwsHeader {
    alg: CoreJwsSigningAlgorithm,
    kid: Option<String>,
    crit: Option<serde_json::Value>,
}

fn invalid(what: impl std::fmt::Display) -> OidcError {
    OidcError::IdToken(what.to_string())
}

fn base64url(part: &str, what: &str) -> Result<Vec<u8>, OidcError> {
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| invalid(format_args!("{what} is not base64url")))
}

impl NiaProfile {
    /// The scopes NIA reads its options from, after `openid`.
    pub(crate) fn scopes(&self) -> [&'static str; 3] {
        let loa = match self.min_loa {
            Loa::Low => "loalow",
            Loa::Substantial => "loasubstantial",
            Loa::High => "loahigh",
        };
        let sector = match self.sector {
            SpType::Public => "publicsector",
            SpType::Private => "privatesector",
        };
        // Authenticate the person every time, as `prompt=login` does elsewhere.
        [loa, sector, "forceauthn"]
    }

    /// The `claims` request parameter: the attributes wanted in the ID token.
    pub(crate) fn claims_request() -> String {
        let wanted: serde_json::Map<String, serde_json::Value> = REQUESTED_CLAIMS
            .iter()
            .map(|name| ((*name).to_owned(), serde_json::Value::Null))
            .collect();
        serde_json::json!({ "id_token": wanted }).to_string()
    }

    /// Decrypts the ID token (JWE compact serialization) into the signed JWT inside.
    pub(crate) fn decrypt(&self, jwe: &str) -> Result<String, OidcError> {
        let parts: Vec<&str> = jwe.split('.').collect();
        let [header_b64, encrypted_key, iv, ciphertext, tag] = parts.as_slice() else {
            return Err(invalid(format_args!(
                "the ID token must be encrypted: {} parts instead of a JWE's 5",
                parts.len()
            )));
        };
        let header: JweHeader = serde_json::from_slice(&base64url(header_b64, "JWE header")?)
            .map_err(|e| invalid(format_args!("JWE header: {e}")))?;
        if header.alg != "RSA-OAEP" || header.enc != "A256CBC-HS512" {
            return Err(invalid(format_args!(
                "JWE algorithms {}/{} are not accepted, only RSA-OAEP/A256CBC-HS512",
                header.alg, header.enc
            )));
        }
        if header.zip.is_some() || header.crit.is_some() {
            return Err(invalid("JWE with compression or critical extensions"));
        }
        let encrypted_key = base64url(encrypted_key, "JWE encrypted key")?;
        let iv = base64url(iv, "JWE initialization vector")?;
        let ciphertext = base64url(ciphertext, "JWE ciphertext")?;
        let tag = base64url(tag, "JWE authentication tag")?;

        // A failed unwrap must not be told apart by timing (RFC 7516 §11.5):
        // go on with a random key, which fails the tag check, and report the
        // unwrap failure at the end.
        let unwrapped = self.unwrap_key(&encrypted_key);
        let content_key = match &unwrapped {
            Ok(key) => key.clone(),
            Err(_) => {
                let mut random = vec![0u8; CEK_LEN];
                openssl::rand::rand_bytes(&mut random)
                    .map_err(|e| OidcError::Settings(format!("no randomness: {e}")))?;
                random
            }
        };
        let plaintext =
            decrypt_a256cbc_hs512(&content_key, header_b64.as_bytes(), &iv, &ciphertext, &tag);
        unwrapped?;
        String::from_utf8(plaintext?).map_err(|_| invalid("the decrypted ID token is not UTF-8"))
    }

    fn unwrap_key(&self, encrypted_key: &[u8]) -> Result<Vec<u8>, OidcError> {
        let wrong_key = || {
            invalid(
                "the content key cannot be unwrapped: encrypted to another key than the \
                 portal's decryption_key?",
            )
        };
        let rsa = self.decryption_key.0.rsa().map_err(|_| wrong_key())?;
        let mut key = vec![0u8; usize::try_from(rsa.size()).unwrap_or_default()];
        let length = rsa
            .private_decrypt(encrypted_key, &mut key, Padding::PKCS1_OAEP)
            .map_err(|_| wrong_key())?;
        key.truncate(length);
        if key.len() != CEK_LEN {
            return Err(wrong_key());
        }
        Ok(key)
    }

    /// Checks the signed JWT inside the JWE against the provider's keys and
    /// the login it must belong to. A signature the cached keys do not
    /// verify is a [`Refusal::Signature`], so that the keys are fetched again.
    pub(crate) fn verify(
        jws: &str,
        metadata: &ProviderMetadataWithLogout,
        client_id: &str,
        nonce: &str,
    ) -> Result<NiaClaims, Refusal> {
        let parts: Vec<&str> = jws.split('.').collect();
        let [header_b64, payload_b64, signature] = parts.as_slice() else {
            return Err(invalid("the decrypted ID token is not a signed JWT").into());
        };
        let header: JwsHeader = serde_json::from_slice(&base64url(header_b64, "JWS header")?)
            .map_err(|e| invalid(format_args!("JWS header: {e}")))?;
        if header.crit.is_some() {
            return Err(invalid("JWS with critical extensions").into());
        }
        if header.alg.uses_shared_secret()
            || header.alg == CoreJwsSigningAlgorithm::None
            || !metadata
                .id_token_signing_alg_values_supported()
                .contains(&header.alg)
        {
            return Err(invalid(format_args!(
                "signature algorithm {:?} is not accepted",
                header.alg
            ))
            .into());
        }
        let signature = base64url(signature, "JWS signature")?;
        let signing_input = format!("{header_b64}.{payload_b64}");
        let verified = metadata
            .jwks()
            .keys()
            .iter()
            .filter(|key| match (&header.kid, key.key_id()) {
                (Some(wanted), Some(id)) => wanted == id.as_str(),
                _ => true,
            })
            .filter(|key| {
                key.key_use()
                    .is_none_or(|key_use| *key_use == CoreJsonWebKeyUse::Signature)
            })
            .any(|key| {
                key.verify_signature(&header.alg, signing_input.as_bytes(), &signature)
                    .is_ok()
            });
        if !verified {
            return Err(Refusal::Signature(
                "no key of the provider verifies the ID token's signature".to_owned(),
            ));
        }

        let claims: NiaClaims = serde_json::from_slice(&base64url(payload_b64, "JWS payload")?)
            .map_err(|e| invalid(format_args!("ID token claims: {e}")))?;
        if claims.iss != metadata.issuer().as_str() {
            return Err(
                invalid(format_args!("issuer {:?} is not the provider", claims.iss)).into(),
            );
        }
        if claims.aud.is_empty() || claims.aud.iter().any(|audience| audience != client_id) {
            return Err(
                invalid(format_args!("audience {:?} is not the portal", claims.aud)).into(),
            );
        }
        #[expect(
            clippy::disallowed_methods,
            reason = "expiry is the provider's clock against the real one, as openidconnect checks it"
        )]
        let now = jiff::Timestamp::now().as_second();
        if claims.exp <= now {
            return Err(invalid("the ID token has expired").into());
        }
        if claims.nonce.as_deref() != Some(nonce) {
            return Err(invalid("the nonce does not match the login").into());
        }
        Ok(claims)
    }

    /// The person, from the verified claims.
    pub(crate) fn assertion(
        &self,
        provider: &ProviderId,
        claims: NiaClaims,
    ) -> Result<Assertion, OidcError> {
        let loa = match claims.acr.as_deref() {
            // NIA authenticates at least at the level the scope asked for.
            None => self.min_loa,
            Some(acr) => loa_from_acr(acr)
                .ok_or_else(|| invalid(format_args!("unknown level of assurance {acr:?}")))?,
        };
        if loa < self.min_loa {
            return Err(invalid(format_args!(
                "level of assurance {loa} is below the required {}",
                self.min_loa
            )));
        }
        let present = |value: Option<String>| value.filter(|value| !value.trim().is_empty());
        // No identifier means the person declined to release their data.
        let subject = present(claims.person_identifier)
            .ok_or(OidcError::Missing("PersonIdentifier"))
            .and_then(|raw| Subject::parse(&raw).map_err(invalid))?;
        let name = PersonName::new(
            &present(claims.given_name).ok_or(OidcError::Missing("given name"))?,
            &present(claims.family_name).ok_or(OidcError::Missing("family name"))?,
        )
        .map_err(|e| invalid(format_args!("name: {e}")))?;
        let birth_date = present(claims.date_of_birth)
            .map(|raw| {
                // A date, possibly followed by a time of day.
                raw.get(..10)
                    .and_then(|date| date.parse::<Date>().ok())
                    .ok_or_else(|| invalid(format_args!("date of birth {raw:?}")))
            })
            .transpose()?;
        Ok(Assertion {
            provider: provider.clone(),
            subject,
            name,
            birth_date,
            address: present(claims.current_address).and_then(|raw| eidas_address(&raw)),
            email: present(claims.email).and_then(|raw| EmailAddress::parse(&raw).ok()),
            loa,
        })
    }
}

/// NIA states the level as an eIDAS URI or, in short, as the scope's word.
fn loa_from_acr(acr: &str) -> Option<Loa> {
    loa_from_uri(acr).or(match acr.trim() {
        "low" | "loalow" => Some(Loa::Low),
        "substantial" | "loasubstantial" => Some(Loa::Substantial),
        "high" | "loahigh" => Some(Loa::High),
        _ => None,
    })
}

/// Authenticated decryption with AES_256_CBC_HMAC_SHA_512 (RFC 7518 §5.2):
/// the first half of the key authenticates, the second decrypts.
fn decrypt_a256cbc_hs512(
    key: &[u8],
    aad: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Vec<u8>, OidcError> {
    if key.len() != CEK_LEN || iv.len() != IV_LEN || tag.len() != TAG_LEN {
        return Err(invalid(
            "JWE key, initialization vector or tag of the wrong size",
        ));
    }
    let (mac_key, enc_key) = key.split_at(CEK_LEN / 2);
    let aad_bits = u64::try_from(aad.len())
        .ok()
        .and_then(|bytes| bytes.checked_mul(8))
        .ok_or_else(|| invalid("JWE header too long"))?;
    let mac = PKey::hmac(mac_key)
        .and_then(|mac_key| {
            let mut signer = Signer::new(openssl::hash::MessageDigest::sha512(), &mac_key)?;
            signer.update(aad)?;
            signer.update(iv)?;
            signer.update(ciphertext)?;
            signer.update(&aad_bits.to_be_bytes())?;
            signer.sign_to_vec()
        })
        .map_err(|e| invalid(format_args!("JWE authentication: {e}")))?;
    let expected = mac
        .get(..TAG_LEN)
        .ok_or_else(|| invalid("JWE authentication"))?;
    if !openssl::memcmp::eq(expected, tag) {
        return Err(invalid("the JWE authentication tag does not match"));
    }
    symm::decrypt(Cipher::aes_256_cbc(), enc_key, Some(iv), ciphertext)
        .map_err(|_| invalid("the JWE ciphertext does not decrypt"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(text: &str) -> Vec<u8> {
        let digits: Vec<u8> = text
            .bytes()
            .filter(u8::is_ascii_hexdigit)
            .map(|b| match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                _ => b - b'A' + 10,
            })
            .collect();
        digits
            .chunks(2)
            .map(|pair| pair[0] << 4 | pair[1])
            .collect()
    }

    /// RFC 7518 Appendix B.3: the test case for AES_256_CBC_HMAC_SHA_512.
    #[test]
    fn content_decryption_matches_rfc_7518_b3() {
        let key = hex(
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\
             202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f",
        );
        let iv = hex("1af38c2dc2b96ffdd86694092341bc04");
        let aad = b"The second principle of Auguste Kerckhoffs";
        let ciphertext = hex(
            "4affaaadb78c31c5da4b1b590d10ffbd3dd8d5d302423526912da037ecbcc7bd\
             822c301dd67c373bccb584ad3e9279c2e6d12a1374b77f077553df829410446b\
             36ebd97066296ae6427ea75c2e0846a11a09ccf5370dc80bfecbad28c73f09b3\
             a3b75e662a2594410ae496b2e2e6609e31e6e02cc837f053d21f37ff4f51950b\
             be2638d09dd7a4930930806d0703b1f6",
        );
        let tag = hex("4dd3b4c088a7f45c216839645b2012bf2e6269a8c56a816dbc1b267761955bc5");
        let plaintext = decrypt_a256cbc_hs512(&key, aad, &iv, &ciphertext, &tag).unwrap();
        assert_eq!(
            plaintext,
            b"A cipher system must not be required to be secret, and it must be able \
              to fall into the hands of the enemy without inconvenience"
        );

        let mut forged = tag.clone();
        forged[31] ^= 1;
        assert!(decrypt_a256cbc_hs512(&key, aad, &iv, &ciphertext, &forged).is_err());
        assert!(decrypt_a256cbc_hs512(&key, b"other", &iv, &ciphertext, &tag).is_err());
        assert!(decrypt_a256cbc_hs512(&key, aad, &iv, &ciphertext, &tag[..16]).is_err());
        assert!(decrypt_a256cbc_hs512(&key[..32], aad, &iv, &ciphertext, &tag).is_err());
    }

    // The vectors were encrypted to `testdata/portal.key`'s certificate by
    // the `jose` npm package, the test provider's library: an implementation
    // independent of this one.
    const PLAINTEXT: &str = "header.payload.signature of the inner JWT";
    const VALID: &str = include_str!("testdata/a256cbc-hs512.jwe");

    fn profile(key_pem: &[u8]) -> NiaProfile {
        NiaProfile {
            discovery_url: "https://nia.test/fpsts/oidc/openid-configuration".to_owned(),
            decryption_key: DecryptionKey::from_pem(key_pem).unwrap(),
            min_loa: Loa::Substantial,
            sector: SpType::Public,
        }
    }

    fn portal() -> NiaProfile {
        profile(include_bytes!("testdata/portal.key"))
    }

    fn refusal(jwe: &str) -> String {
        match portal().decrypt(jwe) {
            Ok(plaintext) => panic!("accepted: {plaintext}"),
            Err(error) => error.to_string(),
        }
    }

    /// The JWE with one of its five parts replaced.
    fn with_part(index: usize, part: &str) -> String {
        let mut parts: Vec<&str> = VALID.trim().split('.').collect();
        parts[index] = part;
        parts.join(".")
    }

    #[test]
    fn a_jwe_to_the_portals_key_decrypts() {
        assert_eq!(portal().decrypt(VALID.trim()).unwrap(), PLAINTEXT);
    }

    #[test]
    fn a_jwe_to_another_key_is_refused() {
        let other = openssl::rsa::Rsa::generate(2048).unwrap();
        let other = profile(&other.private_key_to_pem().unwrap());
        let error = other.decrypt(VALID.trim()).unwrap_err().to_string();
        assert!(error.contains("cannot be unwrapped"), "{error}");
    }

    #[test]
    fn a_forged_tag_or_ciphertext_is_refused() {
        let parts: Vec<&str> = VALID.trim().split('.').collect();
        for index in [3, 4] {
            let mut bytes = URL_SAFE_NO_PAD.decode(parts[index]).unwrap();
            bytes[0] ^= 1;
            let forged = with_part(index, &URL_SAFE_NO_PAD.encode(bytes));
            assert!(
                refusal(&forged).contains("tag does not match"),
                "part {index}"
            );
        }
        // The header is the additional authenticated data.
        let header = URL_SAFE_NO_PAD
            .encode(br#"{"alg":"RSA-OAEP","enc":"A256CBC-HS512","cty":"JWT","x":1}"#);
        assert!(refusal(&with_part(0, &header)).contains("tag does not match"));
    }

    #[test]
    fn other_algorithms_are_refused() {
        let gcm = include_str!("testdata/a128gcm.jwe");
        assert!(refusal(gcm.trim()).contains("RSA-OAEP/A128GCM are not accepted"));
        for header in [
            r#"{"alg":"RSA1_5","enc":"A256CBC-HS512"}"#,
            r#"{"alg":"RSA-OAEP-256","enc":"A256CBC-HS512"}"#,
            r#"{"alg":"dir","enc":"A256CBC-HS512"}"#,
            r#"{"alg":"RSA-OAEP","enc":"A128CBC-HS256"}"#,
        ] {
            let jwe = with_part(0, &URL_SAFE_NO_PAD.encode(header));
            assert!(refusal(&jwe).contains("are not accepted"), "{header}");
        }
        let zipped = with_part(
            0,
            &URL_SAFE_NO_PAD.encode(r#"{"alg":"RSA-OAEP","enc":"A256CBC-HS512","zip":"DEF"}"#),
        );
        assert!(refusal(&zipped).contains("compression"));
    }

    #[test]
    fn malformed_serializations_are_refused_without_panic() {
        let parts: Vec<&str> = VALID.trim().split('.').collect();
        let signed = "eyJhbGciOiJSUzI1NiJ9.e30.c2ln";
        assert!(refusal(signed).contains("3 parts"));
        assert!(refusal("").contains("1 parts"));
        assert!(refusal(&format!("{}.x", VALID.trim())).contains("6 parts"));
        assert!(refusal(&with_part(0, "not base64!")).contains("JWE header is not base64url"));
        assert!(refusal(&with_part(0, &URL_SAFE_NO_PAD.encode("[]"))).contains("JWE header"));
        assert!(refusal(&with_part(1, "")).contains("cannot be unwrapped"));
        for (index, short) in [(2, "AAAA"), (4, "AAAA"), (2, ""), (4, "")] {
            let error = refusal(&with_part(index, short));
            assert!(error.contains("wrong size"), "part {index}: {error}");
        }
        let truncated = with_part(3, &parts[3][..parts[3].len() - 8]);
        assert!(refusal(&truncated).contains("tag does not match"));
    }

    #[test]
    fn scopes_and_claims_request_follow_the_settings() {
        let mut nia = portal();
        assert_eq!(
            nia.scopes(),
            ["loasubstantial", "publicsector", "forceauthn"]
        );
        nia.min_loa = Loa::High;
        nia.sector = SpType::Private;
        assert_eq!(nia.scopes(), ["loahigh", "privatesector", "forceauthn"]);
        let claims: serde_json::Value =
            serde_json::from_str(&NiaProfile::claims_request()).unwrap();
        for name in REQUESTED_CLAIMS {
            assert!(claims["id_token"][name].is_null(), "{name}");
            assert!(claims["id_token"].get(name).is_some(), "{name}");
        }
    }

    #[test]
    fn the_person_needs_an_identifier_a_name_and_the_minimum_level() {
        let claims = |extra: serde_json::Value| {
            let mut claims = serde_json::json!({
                "iss": "urn:microsoft:cgg2010:fpsts", "aud": "obcan", "exp": 0,
                "PersonIdentifier": "CZ/CZ/1234", "CurrentGivenName": "Jana",
                "CurrentFamilyName": "Dvořáková", "DateOfBirth": "1984-03-07T00:00:00",
            });
            claims
                .as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            serde_json::from_value::<NiaClaims>(claims).unwrap()
        };
        let nia = portal();
        let id = ProviderId::parse("nia").unwrap();
        let person = nia.assertion(&id, claims(serde_json::json!({}))).unwrap();
        assert_eq!(person.subject.as_str(), "CZ/CZ/1234");
        assert_eq!(person.loa, Loa::Substantial, "the level asked for");
        assert_eq!(
            person.birth_date.map(|date| date.to_string()).as_deref(),
            Some("1984-03-07")
        );
        let high = claims(serde_json::json!({ "acr": "http://eidas.europa.eu/LoA/high" }));
        assert_eq!(nia.assertion(&id, high).unwrap().loa, Loa::High);

        for (extra, reason) in [
            (
                serde_json::json!({ "acr": "http://eidas.europa.eu/LoA/low" }),
                "below",
            ),
            (serde_json::json!({ "acr": "loa9" }), "unknown level"),
            (
                serde_json::json!({ "PersonIdentifier": " " }),
                "PersonIdentifier",
            ),
            (
                serde_json::json!({ "CurrentFamilyName": null }),
                "family name",
            ),
            (
                serde_json::json!({ "DateOfBirth": "7. 3. 1984" }),
                "date of birth",
            ),
        ] {
            let error = nia.assertion(&id, claims(extra)).unwrap_err().to_string();
            assert!(error.contains(reason), "{reason}: {error}");
        }
    }

    #[test]
    fn acr_values_map_to_levels_of_assurance() {
        for (acr, loa) in [
            ("http://eidas.europa.eu/LoA/low", Loa::Low),
            ("http://eidas.europa.eu/LoA/substantial", Loa::Substantial),
            ("http://eidas.europa.eu/LoA/high", Loa::High),
            ("low", Loa::Low),
            ("loasubstantial", Loa::Substantial),
            ("high", Loa::High),
        ] {
            assert_eq!(loa_from_acr(acr), Some(loa), "{acr}");
        }
        assert_eq!(loa_from_acr("http://eidas.europa.eu/LoA/medium"), None);
        assert_eq!(loa_from_acr("loa3"), None);
    }
}

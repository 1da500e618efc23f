//! The RFC 3161 client against a real time-stamping authority: `openssl ts`
//! behind the small HTTP server of tests/tsa-server/, started here on
//! loopback for each test, which also answers in every way an authority can
//! go wrong. Its tokens are then verified again offline, whole and tampered.

#![expect(clippy::unwrap_used, reason = "a failing test panics")]
#![expect(clippy::panic, reason = "a failing test panics")]

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use jiff::Timestamp;
use obcan_connect::testing::RefusingPort;
use obcan_connect::timestamp::{
    MAX_ANSWER_BYTES, TimeStampToken, TimestampAuthority, TimestampError, TimestampSettings,
    TrustAnchors, verify_token,
};

const DIGEST: [u8; 32] = [
    0x1f, 0x8a, 0x3c, 0x52, 0x9e, 0x07, 0xd4, 0x61, 0xb8, 0x2a, 0x93, 0x4e, 0x75, 0x0c, 0xe1, 0x36,
    0xa9, 0x58, 0x17, 0xfb, 0x40, 0xc6, 0x2d, 0x9a, 0x83, 0x5e, 0x0b, 0xf2, 0x64, 0x19, 0xcd, 0x77,
];
const TSA_LOGIN: &str = "portal";
const TSA_PASSWORD: &str = "tsa-test-password";

/// The test authority, with what these tests ask of it.
struct TestTsa {
    server: obcan_connect::testing::TestTsa,
    ca_pem: String,
}

impl TestTsa {
    fn start() -> Self {
        Self::start_with(&[])
    }

    fn start_with(arguments: &[&str]) -> Self {
        let server = obcan_connect::testing::TestTsa::start(arguments).unwrap();
        let ca_pem = server.ca_pem().unwrap();
        Self { server, ca_pem }
    }

    fn settings(&self, mode: &str) -> TimestampSettings {
        TimestampSettings {
            url: self.server.url(mode).parse().unwrap(),
            timeout: Duration::from_secs(10),
            credentials: None,
            trusted_ca_pem: self.ca_pem.clone(),
        }
    }

    fn authority(&self, mode: &str) -> TimestampAuthority {
        TimestampAuthority::new(self.settings(mode)).unwrap()
    }

    fn trusted(&self) -> TrustAnchors {
        TrustAnchors::from_pem(self.ca_pem.as_bytes()).unwrap()
    }

    /// The CA the server's second TSA chains to, which the tests never trust.
    fn other_ca(&self) -> TrustAnchors {
        let pem = std::fs::read(self.server.other_ca_file()).unwrap();
        TrustAnchors::from_pem(&pem).unwrap()
    }

    async fn good_token(&self) -> TimeStampToken {
        self.authority("").stamp(&DIGEST).await.unwrap()
    }
}

fn now() -> Timestamp {
    Timestamp::try_from(SystemTime::now()).unwrap()
}

/// Where `needle` first occurs in `haystack`.
fn position(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
        .unwrap_or_else(|| panic!("{needle:02x?} is not in the token"))
}

fn flipped(token: &[u8], at: usize) -> Vec<u8> {
    let mut tampered = token.to_vec();
    tampered[at] ^= 0x01;
    tampered
}

// ---------------------------------------------------------------------------
// A good stamp

#[tokio::test]
async fn a_stamp_is_verified_and_verifies_again_offline() {
    let tsa = TestTsa::start();
    let token = tsa.good_token().await;

    let age = now().duration_since(token.gen_time).unsigned_abs();
    assert!(age < Duration::from_secs(60), "genTime {}", token.gen_time);
    assert!(!token.serial.is_empty());
    assert!(
        token.serial.bytes().all(|b| b.is_ascii_hexdigit()),
        "{}",
        token.serial
    );
    // The token as stored: a CMS ContentInfo, DER.
    assert_eq!(token.der[0], 0x30);

    let stamp = verify_token(&token.der, &DIGEST, &tsa.trusted()).unwrap();
    assert_eq!(stamp.gen_time, token.gen_time);
    assert_eq!(stamp.serial, token.serial);

    // openssl itself agrees it is a token over the digest.
    let path = tsa.server.folder.path().join("stored.der");
    std::fs::write(&path, &token.der).unwrap();
    let checked = Command::new("openssl")
        .args(["ts", "-verify", "-token_in", "-in"])
        .arg(&path)
        .arg("-digest")
        .arg(
            DIGEST
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>(),
        )
        .arg("-CAfile")
        .arg(tsa.server.folder.path().join("ca.crt"))
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&checked.stdout).contains("Verification: OK"),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
}

#[tokio::test]
async fn a_signer_named_by_its_sha1_is_accepted_too() {
    // RFC 3161's own signingCertificate attribute, before RFC 5816's v2.
    let tsa = TestTsa::start();
    let token = tsa.authority("/ess-sha1").stamp(&DIGEST).await.unwrap();
    verify_token(&token.der, &DIGEST, &tsa.trusted()).unwrap();
}

#[tokio::test]
async fn another_digest_or_another_authority_does_not_verify() {
    let tsa = TestTsa::start();
    let token = tsa.good_token().await;

    let mut other = DIGEST;
    other[31] ^= 0x80;
    assert_eq!(
        verify_token(&token.der, &other, &tsa.trusted()),
        Err(TimestampError::DigestMismatch)
    );
    assert!(matches!(
        verify_token(&token.der, &DIGEST, &tsa.other_ca()),
        Err(TimestampError::UntrustedSigner(_))
    ));
}

#[tokio::test]
async fn stamps_asked_at_once_each_get_their_own() {
    let tsa = TestTsa::start();
    let authority = Arc::new(tsa.authority(""));
    let tasks: Vec<_> = (0..6u8)
        .map(|n| {
            let authority = Arc::clone(&authority);
            tokio::spawn(async move {
                let mut digest = DIGEST;
                digest[0] = n;
                (digest, authority.stamp(&digest).await.unwrap())
            })
        })
        .collect();
    let mut serials = Vec::new();
    for task in tasks {
        let (digest, token) = task.await.unwrap();
        verify_token(&token.der, &digest, &tsa.trusted()).unwrap();
        serials.push(token.serial);
    }
    serials.sort();
    serials.dedup();
    assert_eq!(serials.len(), 6);
}

// ---------------------------------------------------------------------------
// Tampered tokens

#[tokio::test]
async fn a_tampered_token_does_not_verify() {
    let tsa = TestTsa::start();
    let token = tsa.good_token().await.der;
    let trusted = tsa.trusted();

    // Inside the TSTInfo: the imprint, and the last digit of genTime.
    let imprint = position(&token, &DIGEST);
    let gen_time = position(&token, &[0x18, 0x0f, b'2', b'0']) + 2 + 13;
    // The signature is the token's last item.
    let signature = token.len() - 1;
    for at in [imprint, imprint + 31, gen_time, signature] {
        let result = verify_token(&flipped(&token, at), &DIGEST, &trusted);
        assert!(
            matches!(result, Err(TimestampError::BadSignature(_))),
            "byte {at}: {result:?}"
        );
    }

    // The same imprint, stamped over the flipped digest, still fails.
    let mut flipped_digest = DIGEST;
    flipped_digest[0] ^= 0x01;
    assert!(matches!(
        verify_token(&flipped(&token, imprint), &flipped_digest, &trusted),
        Err(TimestampError::BadSignature(_))
    ));

    for broken in [
        &token[..token.len() - 1],
        &token[1..],
        &[][..],
        b"not a token",
    ] {
        assert!(matches!(
            verify_token(broken, &DIGEST, &trusted),
            Err(TimestampError::Malformed(_))
        ));
    }
    let mut trailing = token.clone();
    trailing.push(0);
    assert!(matches!(
        verify_token(&trailing, &DIGEST, &trusted),
        Err(TimestampError::Malformed(_))
    ));
}

// ---------------------------------------------------------------------------
// An authority that goes wrong

async fn stamp_at(tsa: &TestTsa, mode: &str) -> TimestampError {
    match tsa.authority(mode).stamp(&DIGEST).await {
        Ok(token) => panic!("{mode}: stamped {token:?}"),
        Err(error) => error,
    }
}

#[tokio::test]
async fn each_way_of_going_wrong_has_its_error() {
    let tsa = TestTsa::start();

    assert!(matches!(
        stamp_at(&tsa, "/garbage").await,
        TimestampError::Malformed(_)
    ));
    assert_eq!(
        stamp_at(&tsa, "/error").await,
        TimestampError::HttpStatus(500)
    );
    assert_eq!(
        stamp_at(&tsa, "/no-such-mode").await,
        TimestampError::HttpStatus(404)
    );
    assert_eq!(
        stamp_at(&tsa, "/html").await,
        TimestampError::ContentType("text/html".to_owned())
    );
    assert_eq!(
        stamp_at(&tsa, "/huge").await,
        TimestampError::TooLarge(MAX_ANSWER_BYTES)
    );
    assert_eq!(
        stamp_at(&tsa, "/other-digest").await,
        TimestampError::DigestMismatch
    );
    assert_eq!(
        stamp_at(&tsa, "/other-nonce").await,
        TimestampError::NonceMismatch
    );
}

#[tokio::test]
async fn a_refusal_carries_its_status_and_failure() {
    let tsa = TestTsa::start();
    let error = stamp_at(&tsa, "/rejection").await;
    let TimestampError::Rejected {
        status, fail_info, ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(*status, 2);
    assert_eq!(fail_info, &["badAlg"]);
    assert!(error.to_string().contains("rejection"), "{error}");
    assert!(!error.is_transient());
}

#[tokio::test]
async fn a_signer_the_portal_does_not_trust_is_refused() {
    let tsa = TestTsa::start();

    // A TSA of another CA.
    let error = stamp_at(&tsa, "/untrusted").await;
    assert!(
        matches!(error, TimestampError::UntrustedSigner(_)),
        "{error:?}"
    );

    // A certificate of the trusted CA, but not one for time-stamping.
    let error = stamp_at(&tsa, "/wrong-usage").await;
    assert!(
        matches!(&error, TimestampError::UntrustedSigner(why) if why.contains("not critical")),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_slow_authority_is_given_up_on_in_time() {
    let tsa = TestTsa::start();
    let timeout = Duration::from_millis(500);
    let authority = TimestampAuthority::new(TimestampSettings {
        timeout,
        ..tsa.settings("/slow")
    })
    .unwrap();
    let started = Instant::now();
    let error = authority.stamp(&DIGEST).await.unwrap_err();
    let took = started.elapsed();
    assert_eq!(error, TimestampError::Timeout(timeout));
    assert!(error.is_transient());
    assert!(took < timeout + Duration::from_secs(1), "took {took:?}");
}

#[tokio::test]
async fn an_authority_not_listening_is_unreachable() {
    let closed = RefusingPort::bind().unwrap();
    let tsa = TestTsa::start();
    let authority = TimestampAuthority::new(TimestampSettings {
        url: format!("http://{}/tsa", closed.address).parse().unwrap(),
        ..tsa.settings("")
    })
    .unwrap();
    let error = authority.stamp(&DIGEST).await.unwrap_err();
    assert!(matches!(error, TimestampError::Unreachable(_)), "{error:?}");
    assert!(error.is_transient());
}

#[tokio::test]
async fn the_login_is_sent_and_never_shown() {
    let login = format!("{TSA_LOGIN}:{TSA_PASSWORD}");
    let tsa = TestTsa::start_with(&["--login", &login]);

    assert_eq!(stamp_at(&tsa, "").await, TimestampError::HttpStatus(401));

    let with = |password: &str| {
        TimestampAuthority::new(TimestampSettings {
            credentials: Some((TSA_LOGIN.to_owned(), password.to_owned())),
            ..tsa.settings("")
        })
        .unwrap()
    };
    let wrong = with("not-the-password").stamp(&DIGEST).await.unwrap_err();
    assert_eq!(wrong, TimestampError::HttpStatus(401));

    let authority = with(TSA_PASSWORD);
    let token = authority.stamp(&DIGEST).await.unwrap();
    verify_token(&token.der, &DIGEST, &tsa.trusted()).unwrap();

    let shown = format!("{authority:?} {:?} {wrong} {wrong:?}", tsa.settings(""));
    assert!(!shown.contains(TSA_PASSWORD), "{shown}");
}

#[test]
fn trust_anchors_must_be_certificates() {
    assert!(matches!(
        TrustAnchors::from_pem(b""),
        Err(TimestampError::Settings(_))
    ));
    assert!(matches!(
        TrustAnchors::from_pem(
            b"-----BEGIN CERTIFICATE-----\nbm9wZQ==\n-----END CERTIFICATE-----\n"
        ),
        Err(TimestampError::Settings(_))
    ));
}

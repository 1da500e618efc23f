//! Contact details: an e-mail address verified with the code a real SMTP
//! server received (aiosmtpd, in tests/smtp-server, started here on
//! loopback), a telephone number with the code an SMS gateway received (a
//! small one here, speaking docs/api/sms-gateway.openapi.yaml, which can
//! also fail or hang), and in the demo the code its outbox holds.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use base64::Engine as _;
use obcan::config::{Config, MailSecurityConfig, Mode, Secret};
use obcan_connect::testing::RefusingPort;
use obcan_core::contact::ContactKind;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::support::{JANA, PETR, TestApp, TestResponse};

const SMTP_LOGIN: &str = "portal";
const SMTP_PASSWORD: &str = "smtp-test-password";
const SMS_TOKEN: &str = "sms-test-token";

/// The SMTP server: each accepted message is a file in `folder`.
struct TestSmtp {
    port: u16,
    folder: tempfile::TempDir,
    _process: Child,
}

impl TestSmtp {
    async fn start() -> Self {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/smtp-server");
        let python = format!("{dir}/.venv/bin/python");
        assert!(
            std::path::Path::new(&python).exists(),
            "run tests/smtp-server/setup first (scripts/test does)"
        );
        let folder = tempfile::tempdir().unwrap();
        let mut process = Command::new(&python)
            .arg("server.py")
            .arg(folder.path())
            .arg("--login")
            .arg(format!("{SMTP_LOGIN}:{SMTP_PASSWORD}"))
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(process.stdout.take().unwrap()).lines();
        let port = tokio::time::timeout(Duration::from_secs(20), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(port) = line.strip_prefix("ready ") {
                    return port.parse::<u16>().ok();
                }
            }
            None
        })
        .await
        .expect("the SMTP server starts within 20 s")
        .expect("the SMTP server says its port");
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self {
            port,
            folder,
            _process: process,
        }
    }

    /// The messages received so far, oldest first, as sent on the wire.
    fn messages(&self) -> Vec<String> {
        let mut files: Vec<(u32, String)> = std::fs::read_dir(self.folder.path())
            .unwrap()
            .filter_map(|entry| {
                let path = entry.unwrap().path();
                let number = path.file_stem()?.to_str()?.parse().ok()?;
                (path.extension()? == "eml")
                    .then(|| (number, std::fs::read_to_string(&path).unwrap()))
            })
            .collect();
        files.sort();
        files.into_iter().map(|(_, message)| message).collect()
    }
}

/// A message's header and its plain-text body, decoded.
fn parse_mail(raw: &str) -> (String, String) {
    let (head, body) = raw.split_once("\r\n\r\n").expect("header and body");
    let encoding = head
        .lines()
        .find_map(|line| line.strip_prefix("Content-Transfer-Encoding: "))
        .unwrap_or("7bit")
        .trim();
    let text = match encoding {
        "base64" => String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(body.replace("\r\n", ""))
                .unwrap(),
        )
        .unwrap(),
        "quoted-printable" => quoted_printable(body),
        _ => body.to_owned(),
    };
    (head.to_owned(), text)
}

fn quoted_printable(body: &str) -> String {
    let joined = body.replace("=\r\n", "");
    let mut bytes = Vec::new();
    let mut rest = joined.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        if first == b'=' && tail.len() >= 2 {
            let hex = std::str::from_utf8(&tail[..2]).unwrap();
            bytes.push(u8::from_str_radix(hex, 16).unwrap());
            rest = &tail[2..];
        } else {
            bytes.push(first);
            rest = tail;
        }
    }
    String::from_utf8(bytes).unwrap()
}

/// The first run of exactly six digits in a message: its code.
fn code_in(text: &str) -> String {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(5))
        .find(|&at| {
            let digits =
                |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
            digits(at..at + 6)
                && (at == 0 || !bytes[at - 1].is_ascii_digit())
                && bytes.get(at + 6).is_none_or(|b| !b.is_ascii_digit())
        })
        .map(|at| text[at..at + 6].to_owned())
        .unwrap_or_else(|| panic!("no code in {text:?}"))
}

/// How the test gateway answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GatewayMode {
    Accept,
    Fail,
    Hang,
}

#[derive(Debug, Clone)]
struct ReceivedSms {
    authorization: Option<String>,
    body: serde_json::Value,
}

/// An SMS gateway by the contract, on loopback, recording what it is sent.
#[derive(Clone)]
struct TestGateway {
    url: String,
    received: Arc<Mutex<Vec<ReceivedSms>>>,
    mode: Arc<Mutex<GatewayMode>>,
}

impl TestGateway {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let gateway = Self {
            url: format!("http://{}/v1/messages", listener.local_addr().unwrap()),
            received: Arc::default(),
            mode: Arc::new(Mutex::new(GatewayMode::Accept)),
        };
        let shared = gateway.clone();
        let router = axum::Router::new().route(
            "/v1/messages",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let shared = shared.clone();
                async move {
                    shared.received.lock().unwrap().push(ReceivedSms {
                        authorization: headers
                            .get("authorization")
                            .map(|value| value.to_str().unwrap().to_owned()),
                        body: serde_json::from_str(&body).unwrap(),
                    });
                    let mode = *shared.mode.lock().unwrap();
                    match mode {
                        GatewayMode::Accept => StatusCode::ACCEPTED,
                        GatewayMode::Fail => StatusCode::INTERNAL_SERVER_ERROR,
                        GatewayMode::Hang => {
                            tokio::time::sleep(Duration::from_secs(30)).await;
                            StatusCode::ACCEPTED
                        }
                    }
                }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, router).await });
        gateway
    }

    fn set(&self, mode: GatewayMode) {
        *self.mode.lock().unwrap() = mode;
    }

    fn received(&self) -> Vec<ReceivedSms> {
        self.received.lock().unwrap().clone()
    }
}

/// A portal that sends through `smtp` and `gateway`, with Jana logged in.
async fn portal(smtp_port: u16, gateway: &TestGateway) -> TestApp {
    let mut app = TestApp::with_config(|config| configure(config, smtp_port, gateway)).await;
    app.log_in_as(JANA).await;
    app
}

fn configure(config: &mut Config, smtp_port: u16, gateway: &TestGateway) {
    config.mail.host = "127.0.0.1".into();
    config.mail.port = smtp_port;
    config.mail.security = MailSecurityConfig::None;
    config.mail.username = SMTP_LOGIN.into();
    config.mail.password = Secret::new(SMTP_PASSWORD);
    config.mail.from = "Město Vzorov <portal@vzorov.example>".into();
    config.mail.timeout_seconds = 2;
    config.sms.url = gateway.url.clone();
    config.sms.token = Secret::new(SMS_TOKEN);
    config.sms.timeout_ms = 500;
}

async fn start(app: &mut TestApp, kind: &str, value: &str) -> TestResponse {
    app.post_form(
        "/me/contacts",
        &format!("/me/contacts/{kind}"),
        &[(kind, value)],
    )
    .await
}

async fn verify(app: &mut TestApp, kind: &str, code: &str) -> TestResponse {
    app.post_form(
        "/me/contacts",
        "/me/contacts/verify",
        &[("kind", kind), ("code", code)],
    )
    .await
}

async fn resend(app: &mut TestApp, kind: &str) -> TestResponse {
    app.post_form("/me/contacts", "/me/contacts/resend", &[("kind", kind)])
        .await
}

fn assert_sent(response: &TestResponse, kind: &str) {
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    assert_eq!(
        response.location(),
        format!("/me/contacts?done=sent-{kind}#{kind}-code")
    );
}

/// A different six-digit code than `code`.
fn other_than(code: &str) -> String {
    code.chars()
        .map(|c| char::from(b'0' + (c as u8 - b'0' + 1) % 10))
        .collect()
}

#[tokio::test]
async fn an_email_address_is_verified_with_the_code_the_mail_server_received() {
    let smtp = TestSmtp::start().await;
    let gateway = TestGateway::start().await;
    let mut app = portal(smtp.port, &gateway).await;
    let page = app.get("/me/contacts").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Ověřený e-mail zatím nemáte."),
        "{}",
        page.body
    );

    assert_sent(
        &start(&mut app, "email", " jana@example.cz ").await,
        "email",
    );
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    let (head, text) = parse_mail(&messages[0]);
    assert!(head.contains("To: jana@example.cz"), "{head}");
    assert!(head.contains("portal@vzorov.example"), "{head}");
    assert!(text.contains("Kód platí 15 minut"), "{text}");
    assert!(text.contains("valid for 15 minutes"), "{text}");
    let code = code_in(&text);

    let page = app.get("/me/contacts?done=sent-email").await;
    assert!(
        page.body.contains("Ověřovací kód je na cestě"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<strong>jana@example.cz</strong>"));
    assert_eq!(
        page.element_text("email-demo-code"),
        None,
        "a real message: no demo code"
    );

    let response = verify(&mut app, "email", &code).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    assert_eq!(response.location(), "/me/contacts?done=verified-email");
    let page = app.get(response.location()).await;
    assert!(page.body.contains("E-mail je ověřen."));
    assert_eq!(
        page.element_text("email-verified").as_deref(),
        Some("jana@example.cz")
    );
    assert!(
        !page.body.contains("Ověřovací kód jsme poslali"),
        "no verification under way"
    );

    let actions = app.audit_actions().await;
    let tail: Vec<&str> = actions
        .iter()
        .rev()
        .take(2)
        .rev()
        .map(String::as_str)
        .collect();
    assert_eq!(tail, ["contact_verification_sent", "contact_verified"]);
    let account = app.get("/account").await;
    assert!(
        account.body.contains("href=\"/me/contacts\""),
        "linked from the account"
    );
    assert!(
        account.body.contains("Ověřen kontaktní údaj"),
        "in the history"
    );
}

#[tokio::test]
async fn a_phone_number_is_verified_with_the_code_the_gateway_received() {
    let smtp = TestSmtp::start().await;
    let gateway = TestGateway::start().await;
    let mut app = portal(smtp.port, &gateway).await;
    assert_sent(&start(&mut app, "phone", "603 123 456").await, "phone");
    let received = gateway.received();
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].authorization.as_deref(),
        Some(format!("Bearer {SMS_TOKEN}").as_str())
    );
    assert_eq!(received[0].body["to"], "+420603123456");
    let text = received[0].body["text"].as_str().unwrap();
    assert!(text.contains("Město Vzorov"), "{text}");
    assert_eq!(
        received[0].body.as_object().unwrap().len(),
        2,
        "only to and text: {}",
        received[0].body
    );
    let code = code_in(text);

    let response = verify(&mut app, "phone", &code).await;
    assert_eq!(response.location(), "/me/contacts?done=verified-phone");
    let page = app.get("/me/contacts").await;
    assert_eq!(
        page.element_text("phone-verified").as_deref(),
        Some("+420 603 123 456")
    );
    assert!(
        smtp.messages().is_empty(),
        "no e-mail for a telephone number"
    );

    let response = app
        .post_form("/me/contacts", "/me/contacts/remove", &[("kind", "phone")])
        .await;
    assert_eq!(response.location(), "/me/contacts?done=removed-phone");
    let page = app.get(response.location()).await;
    assert!(page.body.contains("Telefonní číslo bylo odebráno."));
    assert_eq!(page.element_text("phone-verified"), None);
    assert_eq!(
        app.audit_actions().await.last().map(String::as_str),
        Some("contact_removed")
    );
    assert!(
        app.get("/account")
            .await
            .body
            .contains("Odebrán kontaktní údaj")
    );
}

#[tokio::test]
async fn wrong_codes_use_up_the_attempts_and_then_even_the_right_one_is_refused() {
    let smtp = TestSmtp::start().await;
    let gateway = TestGateway::start().await;
    let mut app = portal(smtp.port, &gateway).await;
    start(&mut app, "email", "jana@example.cz").await;
    let code = code_in(&parse_mail(&smtp.messages()[0]).1);
    let wrong = other_than(&code);

    let response = verify(&mut app, "email", "12ab56").await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response.body.contains("Ověřovací kód má šest číslic."),
        "{}",
        response.body
    );
    assert!(
        response.body.contains("value=\"12ab56\""),
        "what was typed is kept"
    );
    assert!(
        response.body.contains("href=\"#email-code\""),
        "the summary links the field"
    );
    assert!(
        response
            .body
            .contains("aria-describedby=\"email-code-hint email-code-error\"")
    );

    for left in (1..=4).rev() {
        let response = verify(&mut app, "email", &wrong).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            response
                .body
                .contains(&format!("Kód nesouhlasí. Zbývající pokusy: {left}.")),
            "{}",
            response.body
        );
    }
    let response = verify(&mut app, "email", &wrong).await;
    assert!(
        response.body.contains("pokusy jsou vyčerpány"),
        "{}",
        response.body
    );
    let response = verify(&mut app, "email", &code).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response.body.contains("pokusy jsou vyčerpány"),
        "{}",
        response.body
    );
    assert_eq!(
        app.get("/me/contacts").await.element_text("email-verified"),
        None
    );

    let failed = app
        .audit_actions()
        .await
        .iter()
        .filter(|action| *action == "contact_verification_failed")
        .count();
    assert_eq!(failed, 5, "the malformed code used no attempt");

    // A new code brings the attempts back.
    app.advance(60);
    assert_sent(&resend(&mut app, "email").await, "email");
    let code = code_in(&parse_mail(&smtp.messages()[1]).1);
    let response = verify(&mut app, "email", &code).await;
    assert_eq!(response.location(), "/me/contacts?done=verified-email");
}

#[tokio::test]
async fn an_expired_code_is_refused_and_a_new_one_works() {
    let smtp = TestSmtp::start().await;
    let gateway = TestGateway::start().await;
    let mut app = portal(smtp.port, &gateway).await;
    start(&mut app, "email", "jana@example.cz").await;
    let code = code_in(&parse_mail(&smtp.messages()[0]).1);
    app.advance(15 * 60);
    let response = verify(&mut app, "email", &code).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response.body.contains("Platnost kódu vypršela."),
        "{}",
        response.body
    );
    assert_eq!(
        response.body.matches("Platnost kódu vypršela.").count(),
        3,
        "summary, field and note"
    );

    assert_sent(&resend(&mut app, "email").await, "email");
    let messages = smtp.messages();
    assert_eq!(messages.len(), 2);
    let (head, text) = parse_mail(&messages[1]);
    assert!(
        head.contains("To: jana@example.cz"),
        "to the address under verification"
    );
    let response = verify(&mut app, "email", &code).await;
    assert!(
        response.body.contains("Kód nesouhlasí"),
        "the old code is gone"
    );
    let response = verify(&mut app, "email", &code_in(&text)).await;
    assert_eq!(response.location(), "/me/contacts?done=verified-email");
}

#[tokio::test]
async fn a_new_code_is_sent_at_most_once_a_minute() {
    let smtp = TestSmtp::start().await;
    let gateway = TestGateway::start().await;
    let mut app = portal(smtp.port, &gateway).await;
    assert_sent(&start(&mut app, "phone", "+420 603 123 456").await, "phone");

    let response = resend(&mut app, "phone").await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .body
            .contains("Nový kód můžete nechat poslat nejdříve za 60 s."),
        "{}",
        response.body
    );
    app.advance(30);
    let response = start(&mut app, "phone", "777 123 456").await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response.body.contains("nejdříve za 30 s."),
        "{}",
        response.body
    );
    assert!(
        response.body.contains("value=\"777 123 456\""),
        "what was typed is kept"
    );
    assert_eq!(gateway.received().len(), 1, "nothing sent meanwhile");

    // Another kind has its own minute.
    assert_sent(&start(&mut app, "email", "jana@example.cz").await, "email");

    app.advance(30);
    assert_sent(&start(&mut app, "phone", "777 123 456").await, "phone");
    let received = gateway.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[1].body["to"], "+420777123456");
    let first = code_in(received[0].body["text"].as_str().unwrap());
    let second = code_in(received[1].body["text"].as_str().unwrap());
    if first != second {
        let response = verify(&mut app, "phone", &first).await;
        assert!(
            response.body.contains("Kód nesouhlasí"),
            "the replaced code is void"
        );
    }
    let response = verify(&mut app, "phone", &second).await;
    assert_eq!(response.location(), "/me/contacts?done=verified-phone");
    assert_eq!(
        app.get("/me/contacts")
            .await
            .element_text("phone-verified")
            .as_deref(),
        Some("+420 777 123 456")
    );
}

#[tokio::test]
async fn invalid_input_is_explained_at_its_field_with_what_was_typed() {
    let smtp = TestSmtp::start().await;
    let gateway = TestGateway::start().await;
    let mut app = portal(smtp.port, &gateway).await;
    let response = start(&mut app, "email", "jana(at)example\"><b>").await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = &response.body;
    assert!(
        body.contains("Zadejte e-mailovou adresu ve tvaru"),
        "{body}"
    );
    assert!(
        body.contains("href=\"#email\""),
        "the summary links the field"
    );
    assert!(body.contains("id=\"email-error\""));
    assert!(body.contains("aria-describedby=\"email-hint email-error\""));
    assert!(body.contains("aria-invalid=\"true\""));
    assert!(
        body.contains("value=\"jana(at)example&#34;&#62;&#60;b&#62;\""),
        "{body}"
    );

    let response = start(&mut app, "phone", "12345").await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response.body.contains("Zadejte telefonní číslo"),
        "{}",
        response.body
    );
    assert!(response.body.contains("value=\"12345\""));
    assert!(response.body.contains("href=\"#phone\""));

    let response = resend(&mut app, "email").await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response.body.contains("Ověření nebylo zahájeno"),
        "{}",
        response.body
    );

    let response = app
        .post_form(
            "/me/contacts",
            "/me/contacts/verify",
            &[("kind", "fax"), ("code", "123456")],
        )
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);

    assert!(smtp.messages().is_empty() && gateway.received().is_empty());
    let jana = app.citizen().await;
    assert_eq!(
        app.state.store.contacts().book(jana).await.unwrap(),
        Default::default()
    );

    // English, too.
    app.get("/lang/en?next=%2Fme%2Fcontacts").await;
    let response = start(&mut app, "phone", "call me").await;
    assert!(
        response.body.contains("Enter a telephone number"),
        "{}",
        response.body
    );
}

#[tokio::test]
async fn a_failing_gateway_or_mail_server_is_explained_and_writes_nothing() {
    let smtp = TestSmtp::start().await;
    let gateway = TestGateway::start().await;
    let mut app = portal(smtp.port, &gateway).await;
    let jana = app.citizen().await;
    for mode in [GatewayMode::Fail, GatewayMode::Hang] {
        gateway.set(mode);
        let response = start(&mut app, "phone", "603 123 456").await;
        assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE, "{mode:?}");
        assert!(
            response.body.contains("Zprávu se teď nepodařilo odeslat"),
            "{mode:?}: {}",
            response.body
        );
        assert!(response.body.contains("value=\"603 123 456\""), "{mode:?}");
    }
    assert_eq!(gateway.received().len(), 2);
    assert!(
        app.state
            .store
            .contacts()
            .book(jana)
            .await
            .unwrap()
            .pending_phone
            .is_none()
    );

    // The mail server: a password it refuses, then nothing listening at all.
    let refused = {
        let mut app = TestApp::with_config(|config| {
            configure(config, smtp.port, &gateway);
            config.mail.password = Secret::new("wrong password");
        })
        .await;
        app.log_in_as(JANA).await;
        start(&mut app, "email", "jana@example.cz").await
    };
    let closed = {
        let closed = RefusingPort::bind().unwrap();
        let mut app =
            TestApp::with_config(|config| configure(config, closed.address.port(), &gateway)).await;
        app.log_in_as(JANA).await;
        let response = start(&mut app, "email", "jana@example.cz").await;
        let jana = app.citizen().await;
        assert!(
            app.state
                .store
                .contacts()
                .book(jana)
                .await
                .unwrap()
                .pending_email
                .is_none()
        );
        assert!(
            !app.audit_actions()
                .await
                .contains(&"contact_verification_sent".to_owned())
        );
        response
    };
    for response in [refused, closed] {
        assert_eq!(
            response.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{}",
            response.body
        );
        assert!(response.body.contains("Zprávu se teď nepodařilo odeslat"));
        assert!(response.body.contains("value=\"jana@example.cz\""));
    }
    assert!(smtp.messages().is_empty());
    assert!(
        !app.audit_actions()
            .await
            .contains(&"contact_verification_sent".to_owned())
    );
}

#[tokio::test]
async fn one_citizen_cannot_verify_anothers_value() {
    let smtp = TestSmtp::start().await;
    let gateway = TestGateway::start().await;
    let mut app = portal(smtp.port, &gateway).await;
    let jana = app.citizen().await;
    start(&mut app, "email", "jana@example.cz").await;
    let code = code_in(&parse_mail(&smtp.messages()[0]).1);

    app.cookies.clear();
    app.log_in_as(PETR).await;
    let petr = app.citizen().await;
    assert_ne!(jana, petr);
    let page = app.get("/me/contacts").await;
    assert!(
        !page.body.contains("jana@example.cz"),
        "Petr sees nothing of Jana's"
    );
    let response = verify(&mut app, "email", &code).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response.body.contains("Ověření nebylo zahájeno"),
        "{}",
        response.body
    );
    let response = resend(&mut app, "email").await;
    assert!(response.body.contains("Ověření nebylo zahájeno"));
    let response = app
        .post_form("/me/contacts", "/me/contacts/remove", &[("kind", "email")])
        .await;
    assert_eq!(
        response.location(),
        "/me/contacts",
        "nothing of Petr's to remove"
    );

    let contacts = app.state.store.contacts();
    assert_eq!(contacts.book(petr).await.unwrap(), Default::default());
    let janas = contacts.book(jana).await.unwrap();
    assert_eq!(janas.pending_email.unwrap().attempts_left, 5, "untouched");
    assert_eq!(smtp.messages().len(), 1);
}

#[tokio::test]
async fn state_changes_without_the_csrf_token_are_refused() {
    let smtp = TestSmtp::start().await;
    let gateway = TestGateway::start().await;
    let mut app = portal(smtp.port, &gateway).await;
    for (path, fields) in [
        ("/me/contacts/email", vec![("email", "jana@example.cz")]),
        ("/me/contacts/phone", vec![("phone", "603123456")]),
        (
            "/me/contacts/verify",
            vec![("kind", "email"), ("code", "123456")],
        ),
        ("/me/contacts/resend", vec![("kind", "email")]),
        ("/me/contacts/remove", vec![("kind", "email")]),
    ] {
        assert_eq!(
            app.post_raw(path, &fields).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        let mut forged = vec![("_csrf", "forged")];
        forged.extend(fields);
        assert_eq!(
            app.post_raw(path, &forged).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    assert!(smtp.messages().is_empty() && gateway.received().is_empty());
}

#[tokio::test]
async fn the_demo_shows_the_code_its_outbox_holds() {
    let mut app = TestApp::new().await;
    app.log_in_as(JANA).await;
    for (kind, value) in [("email", "jana@example.cz"), ("phone", "603 123 456")] {
        assert_sent(&start(&mut app, kind, value).await, kind);
        let page = app.get("/me/contacts").await;
        assert!(
            page.body
                .contains("Ukázka: žádná skutečná zpráva nebyla odeslána.")
        );
        let code = page.element_text(&format!("{kind}-demo-code")).unwrap();
        let response = verify(&mut app, kind, &code).await;
        assert_eq!(
            response.location(),
            format!("/me/contacts?done=verified-{kind}")
        );
    }
    let outbox = app.files.path().join("outbox");
    let filed = std::fs::read_dir(&outbox).unwrap().count();
    assert_eq!(filed, 2, "one file per message in {}", outbox.display());
}

#[tokio::test]
async fn without_a_gateway_production_offers_no_phone_verification() {
    let smtp = TestSmtp::start().await;
    let gateway = TestGateway::start().await;
    let mut app = TestApp::with_config(|config| {
        configure(config, smtp.port, &gateway);
        config.mode = Mode::Production;
        config.sms.url = String::new();
    })
    .await;
    app.log_in_as(JANA).await;
    let page = app.get("/me/contacts").await;
    assert!(
        page.body
            .contains("Ověření telefonního čísla tento portál nenabízí"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("action=\"/me/contacts/phone\""));
    assert!(page.body.contains("action=\"/me/contacts/email\""));
    let response = start(&mut app, "phone", "603 123 456").await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response.body.contains("href=\"#phone-heading\""),
        "{}",
        response.body
    );
    assert!(gateway.received().is_empty());
    let jana = app.citizen().await;
    assert!(
        app.state
            .store
            .contacts()
            .book(jana)
            .await
            .unwrap()
            .pending(ContactKind::Phone)
            .is_none()
    );
}

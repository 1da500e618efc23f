//! The office's records management through `/api/v1/records`, over the
//! whole router with a real token: it lists what is not yet registered,
//! reads a submission and its document (audited as the client), gives it
//! its číslo jednací once and moves it under the office's workflow rules,
//! once per idempotency key; every refusal is a problem document. Then the
//! webhooks: a real receiver on loopback that fails the first delivery and
//! takes the retry, both signed and carrying the same event id.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{HeaderMap, Method, StatusCode};
use obcan_core::forms::{Answers, BUILT_IN, FormDefinition, Value};
use obcan_core::integration::{BearerToken, ClientId, EventType};
use obcan_core::submissions::SubmissionState;
use obcan_store::{Filed, Filing, Receipt};
use serde_json::Value as Json;

use crate::submissions::{agenda, official_of};
use crate::support::{TestApp, TestResponse};

const AGENDA: &str = "informace-106";
const REQUEST: &str = "Prosím o rozpočet města na rok 2026.";

fn information_form() -> FormDefinition {
    BUILT_IN
        .iter()
        .map(|(_, text)| FormDefinition::parse(text).unwrap())
        .find(|form| form.agenda.as_str() == AGENDA)
        .unwrap()
}

/// Jana's information request, with a document from her storage.
async fn file_request(app: &TestApp) -> Receipt {
    let store = &app.state.store;
    let now = app.state.now();
    let citizen = obcan_store::testing::citizen(store, "records-api-jana", now)
        .await
        .unwrap();
    let document = obcan_store::testing::document(store, &citizen, "plna-moc.pdf", PDF, now)
        .await
        .unwrap();
    let form = information_form();
    let mut content = Answers::default();
    content.set("jmeno", Value::One("Jana Dvořáková".into()));
    content.set("zadost", Value::One(REQUEST.into()));
    let draft = store
        .drafts()
        .begin(&citizen, &form.id, form.version, &content, now)
        .await
        .unwrap();
    let filing = Filing {
        citizen: &citizen,
        draft,
        form: &form,
        content: &content,
        attachments: &[document],
    };
    match store
        .submissions()
        .submit(&filing, now, None)
        .await
        .unwrap()
    {
        Filed::New(receipt) => receipt,
        other => panic!("not filed: {other:?}"),
    }
}

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// A request to the API with the token, and JSON `body` if given.
async fn call(
    app: &mut TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> TestResponse {
    let mut request = app.builder(method, path);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    if body.is_some() {
        request = request.header("content-type", "application/json");
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let body = body.map_or_else(Body::empty, |body| Body::from(body.to_owned()));
    app.request(request.body(body).unwrap()).await
}

fn json(response: &TestResponse) -> Json {
    serde_json::from_str(&response.body)
        .unwrap_or_else(|e| panic!("{e}: {} {}", response.status, response.body))
}

/// The response is the problem document of `kind` with this status.
fn assert_problem(response: &TestResponse, status: StatusCode, kind: &str) {
    assert_eq!(response.status, status, "{}", response.body);
    assert_eq!(
        response.header("content-type"),
        Some("application/problem+json"),
        "{}",
        response.body
    );
    let problem = json(response);
    assert_eq!(problem["type"], format!("/api/v1/problems/{kind}"));
    assert_eq!(problem["status"], status.as_u16());
}

async fn client(app: &TestApp, agendas: &[&str], webhook: Option<&str>) -> (ClientId, String) {
    let (id, token, _) = obcan_store::testing::integration_client(
        &app.state.store,
        "Spisová služba",
        agendas,
        webhook,
        app.state.now(),
    )
    .await
    .unwrap();
    (id, token.as_str().to_owned())
}

#[tokio::test]
async fn the_records_system_reads_registers_and_works_a_submission() {
    let mut app = TestApp::new().await;
    let (records, token) = client(&app, &[AGENDA], None).await;
    let receipt = file_request(&app).await;
    let id = receipt.id.to_string();
    let token = Some(token.as_str());

    // The registration queue.
    let queue = call(
        &mut app,
        Method::GET,
        "/api/v1/records/unregistered",
        token,
        &[],
        None,
    )
    .await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    let queue = json(&queue);
    assert_eq!(queue["submissions"][0]["id"], id.as_str());
    assert_eq!(
        queue["submissions"][0]["reference"],
        receipt.reference.as_str()
    );
    assert_eq!(queue["submissions"][0]["state"], "received");
    assert_eq!(queue["next_cursor"], Json::Null);
    let paged = call(
        &mut app,
        Method::GET,
        "/api/v1/records/unregistered?limit=1",
        token,
        &[],
        None,
    )
    .await;
    let cursor = json(&paged)["next_cursor"].as_str().unwrap().to_owned();
    let rest = call(
        &mut app,
        Method::GET,
        &format!("/api/v1/records/unregistered?limit=1&cursor={cursor}"),
        token,
        &[],
        None,
    )
    .await;
    assert_eq!(json(&rest)["submissions"], serde_json::json!([]));
    for bad in ["?limit=0", "?limit=many", "?cursor=not-ours"] {
        let response = call(
            &mut app,
            Method::GET,
            &format!("/api/v1/records/unregistered{bad}"),
            token,
            &[],
            None,
        )
        .await;
        assert_problem(&response, StatusCode::BAD_REQUEST, "bad-request");
    }

    // The submission, its answers, documents and timeline; the read audited.
    let href = format!("/api/v1/records/submissions/{id}");
    let read = call(&mut app, Method::GET, &href, token, &[], None).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    let submission = json(&read);
    assert_eq!(
        submission["content_sha256"],
        receipt.content_sha256.as_str()
    );
    assert_eq!(submission["form"], "zadost-o-informace");
    assert_eq!(submission["deadline"], receipt.deadline_on.to_string());
    assert_eq!(submission["answers"]["zadost"], REQUEST);
    assert_eq!(submission["registration"], Json::Null);
    assert_eq!(submission["timeline"][0]["kind"], "received");
    let document = &submission["documents"][0];
    assert_eq!(document["name"], "plna-moc.pdf");
    assert_eq!(document["size"], PDF.len());
    assert_eq!(document["media_type"], "application/pdf");
    let sha: String = {
        use sha2::Digest as _;
        sha2::Sha256::digest(PDF)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    assert_eq!(document["sha256"], sha.as_str());
    let download = call(
        &mut app,
        Method::GET,
        document["href"].as_str().unwrap(),
        token,
        &[],
        None,
    )
    .await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.bytes, PDF);
    let unknown = format!("{href}/documents/00000000-0000-4000-8000-000000000000");
    let missing = call(&mut app, Method::GET, &unknown, token, &[], None).await;
    assert_problem(&missing, StatusCode::NOT_FOUND, "not-found");
    let reads = app
        .state
        .store
        .audit()
        .page(Some(&format!("integration:{records}")), None, None, 100)
        .await
        .unwrap();
    let actions: Vec<_> = reads
        .iter()
        .rev()
        .map(|entry| entry.action.as_str())
        .collect();
    assert_eq!(actions, ["submission_read", "record_document_read"]);

    // The číslo jednací: bad bodies are explained, one number only.
    let registration = format!("{href}/registration");
    let not_json = call(
        &mut app,
        Method::PUT,
        &registration,
        token,
        &[("content-type", "text/plain")],
        None,
    )
    .await;
    assert_problem(
        &not_json,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
    );
    let broken = call(
        &mut app,
        Method::PUT,
        &registration,
        token,
        &[],
        Some("{\"number\": "),
    )
    .await;
    assert_problem(&broken, StatusCode::BAD_REQUEST, "bad-json");
    assert!(
        json(&broken)["detail"].as_str().unwrap().contains("EOF"),
        "{}",
        broken.body
    );
    let missing = call(
        &mut app,
        Method::PUT,
        &registration,
        token,
        &[],
        Some("{\"cislo\": \"1\"}"),
    )
    .await;
    assert_problem(&missing, StatusCode::BAD_REQUEST, "bad-json");
    let empty = call(
        &mut app,
        Method::PUT,
        &registration,
        token,
        &[],
        Some("{\"number\": \"  \"}"),
    )
    .await;
    assert_problem(&empty, StatusCode::UNPROCESSABLE_ENTITY, "invalid-number");
    let number = r#"{"number": "MUVZ/1234/2026"}"#;
    let first = call(
        &mut app,
        Method::PUT,
        &registration,
        token,
        &[],
        Some(number),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(json(&first)["number"], "MUVZ/1234/2026");
    let again = call(
        &mut app,
        Method::PUT,
        &registration,
        token,
        &[],
        Some(number),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(json(&again), json(&first));
    let other = call(
        &mut app,
        Method::PUT,
        &registration,
        token,
        &[],
        Some(r#"{"number": "MUVZ/9/2026"}"#),
    )
    .await;
    assert_problem(&other, StatusCode::CONFLICT, "already-registered");
    let registered = app.audit_actions().await;
    assert_eq!(
        registered
            .iter()
            .filter(|a| *a == "submission_registered")
            .count(),
        1
    );
    let queue = call(
        &mut app,
        Method::GET,
        "/api/v1/records/unregistered",
        token,
        &[],
        None,
    )
    .await;
    assert_eq!(json(&queue)["submissions"], serde_json::json!([]));
    let read = json(&call(&mut app, Method::GET, &href, token, &[], None).await);
    assert_eq!(read["registration"]["number"], "MUVZ/1234/2026");

    // State changes: the workflow's rules, once per key.
    let changes = format!("{href}/state-changes");
    let take_up = r#"{"state": "in_progress"}"#;
    let keyless = call(&mut app, Method::POST, &changes, token, &[], Some(take_up)).await;
    assert_problem(
        &keyless,
        StatusCode::BAD_REQUEST,
        "idempotency-key-required",
    );
    let unknown = call(
        &mut app,
        Method::POST,
        &changes,
        token,
        &[("idempotency-key", "k0")],
        Some(r#"{"state": "archived"}"#),
    )
    .await;
    assert_problem(&unknown, StatusCode::BAD_REQUEST, "bad-json");
    assert!(
        json(&unknown)["detail"]
            .as_str()
            .unwrap()
            .contains("unknown variant `archived`")
    );
    let silent = call(
        &mut app,
        Method::POST,
        &changes,
        token,
        &[("idempotency-key", "k0")],
        Some(r#"{"state": "waiting"}"#),
    )
    .await;
    assert_problem(
        &silent,
        StatusCode::UNPROCESSABLE_ENTITY,
        "message-required",
    );
    let taken = call(
        &mut app,
        Method::POST,
        &changes,
        token,
        &[("idempotency-key", "k1")],
        Some(take_up),
    )
    .await;
    assert_eq!(taken.status, StatusCode::OK, "{}", taken.body);
    assert_eq!(json(&taken)["state"], "in_progress");
    assert_eq!(taken.header("idempotent-replayed"), None);
    let retried = call(
        &mut app,
        Method::POST,
        &changes,
        token,
        &[("idempotency-key", "k1")],
        Some(take_up),
    )
    .await;
    assert_eq!(retried.status, StatusCode::OK);
    assert_eq!(json(&retried), json(&taken));
    assert_eq!(retried.header("idempotent-replayed"), Some("true"));
    let reused = call(
        &mut app,
        Method::POST,
        &changes,
        token,
        &[("idempotency-key", "k1")],
        Some(r#"{"state": "rejected"}"#),
    )
    .await;
    assert_problem(
        &reused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency-key-reused",
    );
    let twice = call(
        &mut app,
        Method::POST,
        &changes,
        token,
        &[("idempotency-key", "k2")],
        Some(take_up),
    )
    .await;
    assert_problem(&twice, StatusCode::CONFLICT, "transition-not-allowed");
    let resolved = call(
        &mut app,
        Method::POST,
        &changes,
        token,
        &[("idempotency-key", "k3")],
        Some(r#"{"state": "resolved", "message": "Rozpočet je na úřední desce."}"#),
    )
    .await;
    assert_eq!(json(&resolved)["state"], "resolved");
    let late = call(
        &mut app,
        Method::POST,
        &changes,
        token,
        &[("idempotency-key", "k4")],
        Some(r#"{"state": "rejected"}"#),
    )
    .await;
    assert_problem(&late, StatusCode::CONFLICT, "transition-not-allowed");

    let worked = app
        .state
        .store
        .submissions()
        .for_office(receipt.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(worked.receipt.state, SubmissionState::Resolved);
    let kinds: Vec<_> = worked.timeline.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["received", "taken_up", "resolved"],
        "one entry per change"
    );
    let worked_actions = app.audit_actions().await;
    assert_eq!(
        worked_actions
            .iter()
            .filter(|a| *a == "submission_worked")
            .count(),
        2
    );
    // The citizen is told, as by an official.
    let citizen =
        obcan_store::testing::citizen(&app.state.store, "records-api-jana", app.state.now())
            .await
            .unwrap();
    let inbox = app
        .state
        .store
        .submissions()
        .inbox(&citizen, 10)
        .await
        .unwrap();
    assert_eq!(
        inbox[0].message.as_deref(),
        Some("Rozpočet je na úřední desce.")
    );

    // The official sees the číslo jednací, and whose the steps were.
    let information = agenda(&app, "Informace", AGENDA).await;
    official_of(&mut app, "urednik", information).await;
    let office = app
        .get(&format!("/office/agendas/{information}/submissions/{id}"))
        .await;
    assert_eq!(office.status, StatusCode::OK, "{}", office.body);
    assert_eq!(
        office.element_text("registration-number").as_deref(),
        Some("MUVZ/1234/2026")
    );
    assert_eq!(
        office
            .body
            .matches("spisová služba: Spisová služba")
            .count(),
        2,
        "taken up and resolved by the records system"
    );
}

#[tokio::test]
async fn a_missing_wrong_or_revoked_token_gets_nowhere() {
    let mut app = TestApp::new().await;
    let (records, token) = client(&app, &[AGENDA], None).await;
    let receipt = file_request(&app).await;
    let href = format!("/api/v1/records/submissions/{}", receipt.id);

    let none = call(&mut app, Method::GET, &href, None, &[], None).await;
    assert_problem(&none, StatusCode::UNAUTHORIZED, "token-required");
    assert!(
        none.header("www-authenticate")
            .unwrap()
            .starts_with("Bearer")
    );
    let basic = call(
        &mut app,
        Method::GET,
        &href,
        None,
        &[("authorization", "Basic YTpi")],
        None,
    )
    .await;
    assert_problem(&basic, StatusCode::UNAUTHORIZED, "token-required");
    let stranger = BearerToken::generate().unwrap();
    let wrong = call(
        &mut app,
        Method::GET,
        &href,
        Some(stranger.as_str()),
        &[],
        None,
    )
    .await;
    assert_problem(&wrong, StatusCode::UNAUTHORIZED, "invalid-token");
    let malformed = call(&mut app, Method::GET, &href, Some("x"), &[], None).await;
    assert_problem(&malformed, StatusCode::UNAUTHORIZED, "invalid-token");
    // A citizen's or official's session is no token.
    app.log_in_as(crate::support::JANA).await;
    let session = call(&mut app, Method::GET, &href, None, &[], None).await;
    assert_problem(&session, StatusCode::UNAUTHORIZED, "token-required");

    let ok = call(&mut app, Method::GET, &href, Some(&token), &[], None).await;
    assert_eq!(ok.status, StatusCode::OK);
    let event = obcan_core::audit::AuditEvent::new(
        app.state.now(),
        obcan_core::audit::Actor::System,
        obcan_core::audit::Action::IntegrationClientRevoked,
    );
    app.state
        .store
        .integration()
        .revoke(records, app.state.now(), &event)
        .await
        .unwrap();
    let revoked = call(&mut app, Method::GET, &href, Some(&token), &[], None).await;
    assert_problem(&revoked, StatusCode::UNAUTHORIZED, "token-revoked");
    let pushed = call(
        &mut app,
        Method::POST,
        &format!("{href}/state-changes"),
        Some(&token),
        &[("idempotency-key", "k")],
        Some(r#"{"state": "in_progress"}"#),
    )
    .await;
    assert_problem(&pushed, StatusCode::UNAUTHORIZED, "token-revoked");
}

#[tokio::test]
async fn every_records_route_is_described_in_the_openapi_document() {
    let mut app = TestApp::new().await;
    let document = app.get("/api/v1/records.openapi.yaml").await;
    assert_eq!(document.status, StatusCode::OK);
    let paths = &document.body
        [document.body.find("\npaths:").unwrap()..document.body.find("\nwebhooks:").unwrap()];
    let mut described = 0;
    for route in obcan_web::routes()
        .into_iter()
        .filter(|route| route.access == obcan_web::Access::RecordsClient)
    {
        let path = route.path.strip_prefix("/api/v1").unwrap();
        let start = paths
            .find(&format!("\n  {path}:\n"))
            .unwrap_or_else(|| panic!("{path} is not described"));
        let section = &paths[start + 1..];
        let end = section[1..]
            .find("\n  /")
            .map_or(section.len(), |end| end + 1);
        let method = route.method.as_str().to_ascii_lowercase();
        assert!(
            section[..end].contains(&format!("\n    {method}:\n")),
            "{} {path} is not described",
            route.method
        );
        described += 1;
    }
    assert_eq!(described, 5);
}

/// What the receiver was sent, each request's headers and body.
type Seen = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A webhook receiver on loopback that answers 500 to the first request
/// and 204 to the others; its address.
async fn receiver(seen: Seen) -> std::net::SocketAddr {
    let handler = move |headers: HeaderMap, body: String| {
        let seen = seen.clone();
        async move {
            let mut seen = seen.lock().unwrap();
            seen.push((headers, body));
            if seen.len() == 1 {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                StatusCode::NO_CONTENT
            }
        }
    };
    let router = axum::Router::new().route("/hooks", axum::routing::post(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    address
}

#[tokio::test]
async fn a_webhook_that_failed_is_delivered_on_retry_signed_with_the_same_event_id() {
    let app = TestApp::new().await;
    let seen: Seen = Arc::default();
    let address = receiver(seen.clone()).await;
    let url = format!("http://{address}/hooks");
    let (records, _, secret) = obcan_store::testing::integration_client(
        &app.state.store,
        "Spisová služba",
        &[AGENDA],
        Some(&url),
        app.state.now(),
    )
    .await
    .unwrap();
    let receipt = file_request(&app).await;
    let config = obcan::config::Config::default();
    let delivery = obcan::webhooks::Delivery::new(&config.webhooks).unwrap();

    let first = delivery.round(&app.state).await.unwrap();
    assert_eq!((first.delivered, first.failed), (0, 1));
    let rows = app
        .state
        .store
        .webhook_outbox()
        .of_client(records)
        .await
        .unwrap();
    assert_eq!(
        rows[0].last_error.as_deref(),
        Some("the receiver answered HTTP 500")
    );
    // Not again before the first wait (30 s by default) has passed.
    app.advance(29);
    let early = delivery.round(&app.state).await.unwrap();
    assert_eq!((early.delivered, early.failed), (0, 0));
    app.advance(1);
    let retry = delivery.round(&app.state).await.unwrap();
    assert_eq!((retry.delivered, retry.failed), (1, 0));

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    let event_ids: Vec<_> = seen
        .iter()
        .map(|(headers, _)| headers["obcan-event-id"].to_str().unwrap().to_owned())
        .collect();
    assert_eq!(event_ids[0], event_ids[1], "the same event on the retry");
    for (headers, body) in &seen {
        assert_eq!(headers["content-type"], "application/json");
        let signature = headers["obcan-signature"].to_str().unwrap();
        let t = secret
            .verify(signature, body.as_bytes())
            .expect("a valid signature");
        assert!((t - app.state.now().as_second()).abs() <= 30, "signed now");
        assert!(
            !body.contains("Jana") && !body.contains(REQUEST),
            "nothing personal"
        );
        let event: Json = serde_json::from_str(body).unwrap();
        assert_eq!(event["id"], event_ids[0].as_str());
        assert_eq!(event["type"], EventType::Filed.as_str());
        assert_eq!(event["submission"]["id"], receipt.id.to_string());
        assert_eq!(event["submission"]["reference"], receipt.reference.as_str());
        assert_eq!(event["submission"]["state"], "received");
    }
    assert_eq!(seen[0].1, seen[1].1, "the same body");
    assert_ne!(
        seen[0].0["obcan-signature"], seen[1].0["obcan-signature"],
        "signed at each attempt's time"
    );
    let rows = app
        .state
        .store
        .webhook_outbox()
        .of_client(records)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows.iter().filter(|row| row.delivered_at.is_some()).count(),
        1
    );
    assert_eq!(rows[0].attempts, 2);
    assert_eq!(rows[0].last_error, None);
    let after = delivery.round(&app.state).await.unwrap();
    assert_eq!((after.delivered, after.failed), (0, 0), "delivered once");
}

#[tokio::test]
async fn an_administrator_lets_a_records_system_in_once_and_revokes_it() {
    use obcan_core::audit::{Action, Actor, AuditEvent};
    use obcan_core::staff::{AgendaId, AgendaKey, DepartmentId, Label, Role};
    let mut app = TestApp::new().await;
    let now = app.state.now();
    let organisation = app.state.store.organisation();
    let department = DepartmentId::random();
    let event = |action| AuditEvent::new(now, Actor::System, action);
    organisation
        .create_department(
            department,
            &Label::parse("Kancelář").unwrap(),
            now,
            &event(Action::DepartmentCreated),
        )
        .await
        .unwrap()
        .unwrap();
    organisation
        .create_agenda(
            AgendaId::random(),
            department,
            &Label::parse("Informace").unwrap(),
            AgendaKey::parse(AGENDA).as_ref(),
            now,
            &event(Action::AgendaCreated),
        )
        .await
        .unwrap()
        .unwrap();
    app.logged_in_staff("spravce", &[Role::Administrator]).await;
    let page_path = "/office/organisation/integrations";
    let organisation_page = app.get("/office/organisation").await;
    assert!(
        organisation_page
            .body
            .contains(&format!("href=\"{page_path}\""))
    );
    let page = app.get(page_path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Integrace se spisovou službou"));
    assert!(page.body.contains(&format!("value=\"{AGENDA}\"")));

    // Mistakes are explained; what was typed stays.
    let wrong = app
        .post_form(
            page_path,
            page_path,
            &[
                ("name", "Spisovka"),
                ("webhook_url", "http://spisovka.example/h"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("Vyberte alespoň jednu agendu."));
    assert!(wrong.body.contains("musí začínat https://"));
    assert!(wrong.body.contains("value=\"Spisovka\""));
    assert!(wrong.body.contains("value=\"http://spisovka.example/h\""));

    let created = app
        .post_form(
            page_path,
            page_path,
            &[
                ("name", "Spisovka"),
                ("agenda", AGENDA),
                ("webhook_url", "https://spisovka.example/h"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let token = created.element_text("client-token").unwrap();
    let secret = created.element_text("client-secret").unwrap();
    assert_eq!(token.len(), 43);
    assert!(obcan_core::integration::WebhookSecret::parse(&secret).is_some());
    let listed = app.get(page_path).await;
    assert!(listed.body.contains("Spisovka"));
    assert!(!listed.body.contains(&token), "shown once only");
    assert!(!listed.body.contains(&secret), "shown once only");
    let queue = call(
        &mut app,
        Method::GET,
        "/api/v1/records/unregistered",
        Some(&token),
        &[],
        None,
    )
    .await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);

    // English is complete too.
    app.get("/lang/en?next=%2F").await;
    let english = app.get(page_path).await;
    assert!(english.body.contains("Records management integration"));
    assert!(english.body.contains("Revoke access"));

    let start = listed
        .body
        .find("action=\"/office/organisation/integrations/")
        .unwrap()
        + "action=\"".len();
    let revoke = listed.body[start..start + listed.body[start..].find('"').unwrap()].to_owned();
    let revoked = app.post_form(page_path, &revoke, &[]).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    assert_eq!(revoked.location(), page_path);
    let refused = call(
        &mut app,
        Method::GET,
        "/api/v1/records/unregistered",
        Some(&token),
        &[],
        None,
    )
    .await;
    assert_problem(&refused, StatusCode::UNAUTHORIZED, "token-revoked");
    let actions = app.audit_actions().await;
    assert!(actions.contains(&"integration_client_created".to_owned()));
    assert!(actions.contains(&"integration_client_revoked".to_owned()));
}

//! The `obcan` command line, run as a real process.

use std::process::{Command, Stdio};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const OBCAN: &str = env!("CARGO_BIN_EXE_obcan");

fn obcan(args: &[&str], folder: &std::path::Path) -> std::process::Output {
    Command::new(OBCAN)
        .args(args)
        .current_dir(folder)
        .env_remove("OBCAN_DATABASE_URL")
        .output()
        .unwrap()
}

#[test]
fn every_command_has_help() {
    let folder = tempfile::tempdir().unwrap();
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["migrate", "--help"],
        &["config", "--help"],
        &["config", "check", "--help"],
        &["config", "print-default", "--help"],
        &["staff", "--help"],
        &["staff", "create-admin", "--help"],
        &["audit", "verify", "--help"],
        &["audit", "stamp", "--help"],
    ] {
        let output = obcan(args, folder.path());
        assert!(output.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("Usage: obcan"),
            "{args:?}"
        );
    }
}

#[test]
fn config_check_exits_non_zero_naming_the_bad_key() {
    let folder = tempfile::tempdir().unwrap();
    let output = Command::new(OBCAN)
        .args(["config", "check"])
        .current_dir(folder.path())
        .env("OBCAN_SESSION_IDLE_TIMEOUT_MINUTES", "forever")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr
            .to_lowercase()
            .contains("session.idle_timeout_minutes"),
        "{stderr}"
    );

    let output = obcan(&["config", "check"], folder.path());
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("[redacted]"));
}

#[test]
fn the_offices_forms_load_beside_the_built_in_and_a_bad_one_is_named() {
    let folder = tempfile::tempdir().unwrap();
    let forms = folder.path().join("formulare");
    std::fs::create_dir(&forms).unwrap();
    let (_, dog) = obcan_core::forms::BUILT_IN[1];
    let own = dog
        .replace("id = \"prihlaseni-psa\"", "id = \"odhlaseni-psa\"")
        .replace("Přihlášení psa", "Odhlášení psa");
    std::fs::write(forms.join("odhlaseni-psa.toml"), &own).unwrap();
    std::fs::write(forms.join("README.txt"), "not a form").unwrap();
    let check = || {
        Command::new(OBCAN)
            .args(["config", "check"])
            .current_dir(folder.path())
            .env("OBCAN_FORMS_PATH", &forms)
            .output()
            .unwrap()
    };
    let output = check();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("with 6 forms"), "{stdout}");

    let broken = own.replace("pattern = \"[0-9]{15}\"", "pattern = \"[0-9]{15\"");
    std::fs::write(forms.join("odhlaseni-psa.toml"), broken).unwrap();
    let output = check();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("odhlaseni-psa.toml: steps[1].fields[0] (psi).fields[4] (cip).pattern"),
        "{stderr}"
    );
}

#[test]
fn production_mode_refuses_to_serve_with_demo_settings() {
    let folder = tempfile::tempdir().unwrap();
    let output = Command::new(OBCAN)
        .args(["serve"])
        .current_dir(folder.path())
        .env("OBCAN_MODE", "production")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("identity.demo = false"), "{stderr}");
}

#[test]
fn migrate_creates_the_embedded_database() {
    let folder = tempfile::tempdir().unwrap();
    let output = obcan(&["migrate"], folder.path());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(folder.path().join("data/obcan.db").is_file());
    assert!(
        obcan(&["migrate"], folder.path()).status.success(),
        "idempotent"
    );
}

#[test]
fn a_wrong_master_key_is_refused_at_start_and_rotation_moves_to_a_new_one() {
    let folder = tempfile::tempdir().unwrap();
    let run = |args: &[&str], key_file: Option<&str>| {
        let mut command = Command::new(OBCAN);
        command
            .args(args)
            .current_dir(folder.path())
            .env_remove("OBCAN_DATABASE_URL");
        if let Some(file) = key_file {
            command.env("OBCAN_SECRETS_MASTER_KEY_FILE", file);
        }
        command.output().unwrap()
    };
    let text = |output: &std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    };
    for file in ["first.key", "second.key"] {
        let made = run(&["keys", "generate", "--out", file], None);
        assert!(made.status.success(), "{}", text(&made));
    }
    let again = run(&["keys", "generate", "--out", "first.key"], None);
    assert!(!again.status.success(), "a key file is never overwritten");

    // Any command that opens the store checks the key, as `serve` does at start.
    let first = run(&["storage", "verify"], Some("first.key"));
    assert!(first.status.success(), "{}", text(&first));
    assert!(
        text(&first).contains("0 objects checked, 0 damaged"),
        "{}",
        text(&first)
    );
    let wrong = run(&["storage", "verify"], Some("second.key"));
    assert!(!wrong.status.success());
    assert!(
        text(&wrong).contains("is not the key this database's data keys are wrapped with"),
        "{}",
        text(&wrong)
    );

    let rotated = run(
        &["keys", "rotate", "--new-key-file", "second.key"],
        Some("first.key"),
    );
    assert!(rotated.status.success(), "{}", text(&rotated));
    assert!(
        run(&["storage", "verify"], Some("second.key"))
            .status
            .success()
    );
    let old = run(&["storage", "verify"], Some("first.key"));
    assert!(
        !old.status.success(),
        "the old key no longer opens the database"
    );
}

/// SIGTERM stops the server only after the request in flight is answered.
#[tokio::test]
async fn sigterm_lets_requests_in_flight_finish() {
    let folder = tempfile::tempdir().unwrap();
    let mut server = tokio::process::Command::new(OBCAN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .current_dir(folder.path())
        .env("OBCAN_LOG_FORMAT", "json")
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut logs = BufReader::new(server.stderr.take().unwrap()).lines();
    let address = loop {
        let line = tokio::time::timeout(Duration::from_secs(30), logs.next_line())
            .await
            .expect("the server starts")
            .unwrap()
            .expect("a log line");
        if let Some(start) = line.find("\"address\":\"") {
            let rest = &line[start + 11..];
            break rest[..rest.find('"').unwrap()].to_owned();
        }
    };

    // The login form: a session cookie and its CSRF token.
    let form = http(
        &address,
        &format!("GET /login/demo HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"),
    )
    .await;
    let cookie = between(&form, "set-cookie: ", ";");
    let token = between(&form, "name=\"_csrf\" value=\"", "\"");

    // Start logging in and stop halfway through the body: the handler is waiting for it.
    let mut connection = TcpStream::connect(&address).await.unwrap();
    let body = "subject=CZ%2FCZ%2Fdemo-0001";
    let head = format!(
        "POST /login/demo HTTP/1.1\r\nHost: {address}\r\nCookie: {cookie}\r\nX-CSRF-Token: {token}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    connection.write_all(head.as_bytes()).await.unwrap();
    connection.write_all(&body.as_bytes()[..5]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let pid = server.id().unwrap().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    tokio::time::sleep(Duration::from_millis(300)).await;

    connection.write_all(&body.as_bytes()[5..]).await.unwrap();
    let mut answer = String::new();
    connection.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 303"), "{answer}");
    assert!(answer.contains("location: /dashboard"), "{answer}");

    let status = tokio::time::timeout(Duration::from_secs(10), server.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status}");
}

async fn http(address: &str, request: &str) -> String {
    let mut connection = TcpStream::connect(address).await.unwrap();
    connection.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    connection.read_to_string(&mut answer).await.unwrap();
    answer
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap() + start.len();
    let to = from + text[from..].find(end).unwrap();
    &text[from..to]
}

/// A fresh installation gets its first administrator from the command line.
#[tokio::test]
async fn create_admin_prints_a_one_time_password_that_logs_in() {
    let folder = tempfile::tempdir().unwrap();
    let output = obcan(
        &[
            "staff",
            "create-admin",
            "--login",
            "Spravce",
            "--name",
            "Jana Správcová",
        ],
        folder.path(),
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let password = stdout.trim_end().rsplit(' ').next().unwrap().to_owned();
    assert_eq!(password.len(), 20, "{stdout}");
    assert!(stdout.contains("spravce"));

    let again = obcan(
        &["staff", "create-admin", "--login", "spravce"],
        folder.path(),
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    let invalid = obcan(&["staff", "create-admin", "--login", "a b"], folder.path());
    assert!(!invalid.status.success());
    assert!(String::from_utf8_lossy(&invalid.stderr).contains("--login"));

    let url = format!("sqlite://{}/data/obcan.db", folder.path().display());
    // The master key the demo made for itself at the first command.
    let key = std::fs::read_to_string(folder.path().join("data/files/master.key")).unwrap();
    let store = obcan_store::Store::open(&url, obcan_store::PoolSettings::default())
        .unwrap()
        .with_master_key(obcan_store::MasterKey::from_base64(&key).unwrap());
    let mut app = crate::support::TestApp::on_store(store, |_| {});
    app.first_staff_login("spravce", &password).await;
    assert!(app.get("/office").await.body.contains("Jana Správcová"));
}

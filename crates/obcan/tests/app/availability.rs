//! Liveness, readiness, and what visitors see while the database is down.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use obcan_store::{PoolSettings, Store};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

use crate::support::{JANA, TestApp, unreachable_store};

#[tokio::test]
async fn healthz_and_readyz_answer_when_all_is_well() {
    let mut app = TestApp::new().await;
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.body, "ready\n");
}

#[tokio::test]
async fn with_the_database_down_pages_answer_503_and_readyz_fails() {
    let mut app = TestApp::on_store(unreachable_store(), |_| {});
    assert_eq!(
        app.get("/healthz").await.status,
        StatusCode::OK,
        "the process is alive"
    );
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);

    // Pages that need no data still work.
    assert_eq!(app.get("/").await.status, StatusCode::OK);
    let login = app.get("/login/demo").await;
    assert_eq!(login.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(login.body.contains("Služba je dočasně nedostupná"));
    assert!(!login.body.contains("127.0.0.1:1"), "no internals");
    assert_eq!(login.header("retry-after"), Some("30"));
}

/// A TCP proxy in front of the database that can be cut and restored, as a
/// network partition or a database restart would.
struct Switchable {
    address: SocketAddr,
    open: Arc<AtomicBool>,
    connections: Arc<Mutex<Vec<AbortHandle>>>,
}

impl Switchable {
    async fn to(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let open = Arc::new(AtomicBool::new(true));
        let connections = Arc::new(Mutex::new(Vec::new()));
        let (accepting, tracked) = (open.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !accepting.load(Ordering::SeqCst) {
                    continue; // dropping the client closes it
                }
                let task = tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                });
                tracked.lock().unwrap().push(task.abort_handle());
            }
        });
        Self {
            address,
            open,
            connections,
        }
    }

    fn cut(&self) {
        self.open.store(false, Ordering::SeqCst);
        for connection in self.connections.lock().unwrap().drain(..) {
            connection.abort();
        }
    }

    fn restore(&self) {
        self.open.store(true, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn the_portal_recovers_without_restart_when_the_database_returns() {
    let base = std::env::var("TEST_DATABASE_URL").unwrap_or_default();
    if !base.starts_with("postgres") {
        eprintln!("skipped: needs TEST_DATABASE_URL=postgres://… (a database server to cut off)");
        return;
    }
    let db = obcan_store::testing::TestDatabase::create().await.unwrap();
    let (head, tail) = db.url.split_once("@").unwrap();
    let (host_port, database) = tail.split_once('/').unwrap();
    let proxy = Switchable::to(host_port.parse().unwrap()).await;
    let url = format!("{head}@{}/{database}", proxy.address);
    let settings = PoolSettings {
        max_connections: 2,
        acquire_timeout: std::time::Duration::from_millis(800),
    };
    let store = Store::open(&url, settings)
        .unwrap()
        .with_master_key(db.master_key.clone());
    let mut app = TestApp::on_store(store.clone(), |_| {});
    app.log_in_as(JANA).await;
    assert_eq!(app.get("/dashboard").await.status, StatusCode::OK);

    proxy.cut();
    assert_eq!(
        app.get("/dashboard").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        app.get("/readyz").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );

    proxy.restore();
    assert_eq!(app.get("/readyz").await.status, StatusCode::OK);
    assert_eq!(
        app.get("/dashboard").await.status,
        StatusCode::OK,
        "same session, no restart"
    );
}

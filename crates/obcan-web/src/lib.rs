//! Obcan's HTTP face: server-rendered pages, the middleware every request
//! passes through, and the embedded assets.

mod api;
mod assets;
mod authz;
pub mod branding;
mod client_ip;
pub mod documents;
mod error;
mod i18n;
mod local_login;
mod middleware;
mod ops;
mod pages;
mod registers;
mod routes;
mod session;
mod settings;
mod state;

use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use axum::middleware::from_fn_with_state;
use axum::routing::MethodRouter;
use axum::{Extension, Router};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate as _};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing::Level;

pub use error::WebError;
pub use routes::{Access, RouteInfo, StaffAccess, routes};
pub use settings::{
    ContactSettings, IdentityLogin, Means, RegisterSettings, SessionKey, WebSettings,
};
pub use state::{AppState, Clock};

use middleware::{csrf, error_pages, metrics, security_headers};

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let (without_csrf, own): (Vec<_>, Vec<_>) = routes::table()
        .into_iter()
        .partition(|(info, _)| !info.access.needs_csrf());
    // Each route carries its declared access, for the extractors to enforce,
    // and its body limit. An upload's limit is the citizen's free space,
    // which its handler checks before reading and counts while streaming.
    let form_limit = state.settings.body_limit;
    let add = |router: Router<AppState>, (info, handler): (RouteInfo, MethodRouter<AppState>)| {
        let handler = match info.body {
            routes::Body::Form => handler
                .layer::<_, std::convert::Infallible>(DefaultBodyLimit::max(form_limit))
                .layer::<_, std::convert::Infallible>(RequestBodyLimitLayer::new(form_limit)),
            routes::Body::Upload => {
                handler.layer::<_, std::convert::Infallible>(DefaultBodyLimit::disable())
            }
        };
        router.route(info.path, handler.layer(Extension(info.access)))
    };
    let own = own
        .into_iter()
        .fold(Router::new(), add)
        .route_layer(from_fn_with_state(state.clone(), csrf::verify));
    let routes = without_csrf
        .into_iter()
        .fold(own, add)
        // Reads the session, so that the 404 page keeps the visitor's frame.
        .fallback(|_: session::Visitor| async { WebError::NotFound });
    with_layers(routes, state)
}

/// Outermost layers first: every request gets an id and a log span, is
/// counted, compressed, given security headers, has errors rendered as pages,
/// panics caught; each route limits its body size. CSRF is checked by a
/// route layer (see `router`) on all but the routes `Access::needs_csrf` exempts.
fn with_layers(routes: Router<AppState>, state: AppState) -> Router {
    routes
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(|request: &Request<_>| {
                            let id = request
                                .headers()
                                .get("x-request-id")
                                .and_then(|value| value.to_str().ok())
                                .unwrap_or_default();
                            tracing::info_span!("request", id, method = %request.method(), path = request.uri().path())
                        })
                        .on_response(
                            tower_http::trace::DefaultOnResponse::new()
                                .level(Level::INFO)
                                .latency_unit(tower_http::LatencyUnit::Micros),
                        ),
                )
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(from_fn_with_state(state.clone(), metrics::track))
                .layer(CompressionLayer::new().compress_when(
                    DefaultPredicate::new().and(documents::NotStoredContent),
                ))
                .layer(from_fn_with_state(state.clone(), security_headers::add))
                .layer(from_fn_with_state(state.clone(), error_pages::render))
                .layer(CatchPanicLayer::custom(error::panic_response)),
        )
        .with_state(state)
}

/// Deletes expired sessions, login attempts and verifications now and then, until `shutdown` resolves.
pub async fn purge_expired_sessions(
    state: AppState,
    every: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let mut ticks = tokio::time::interval(every);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = ticks.tick() => {
                let now = state.now();
                if let Err(error) = state.store.sessions().delete_expired(now).await {
                    tracing::warn!(%error, "cannot delete expired sessions");
                }
                if let Err(error) = state.store.login_attempts().delete_expired(now).await {
                    tracing::warn!(%error, "cannot delete expired login attempts");
                }
                if let Err(error) = state.store.pending_logins().delete_expired(now).await {
                    tracing::warn!(%error, "cannot delete expired second-factor steps");
                }
                // Kept a day past expiry, so that the page can still say so.
                let day_ago = now.checked_sub(jiff::SignedDuration::from_hours(24)).unwrap_or(now);
                if let Err(error) = state.store.contacts().delete_expired(day_ago).await {
                    tracing::warn!(%error, "cannot delete expired contact verifications");
                }
                let window = obcan_core::credential::LOCKOUT.address_window;
                if let Err(error) = state.store.login_throttle().delete_expired(now, window).await {
                    tracing::warn!(%error, "cannot delete ended login throttle windows");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use http_body_util::BodyExt as _;
    use obcan_core::session::SessionPolicy;
    use tower::ServiceExt as _;

    use axum::routing::get;

    use obcan_connect::registers::RegisterConnector;
    use obcan_connect::registers::demo::DemoRegisters;

    use super::*;

    fn settings() -> WebSettings {
        WebSettings {
            branding: branding::Branding {
                name: "Obec Zkušební".into(),
                name_en: None,
                logo: None,
                primary_color: None,
                ico: obcan_core::registers::Ico::parse("00012343").unwrap(),
                contact: branding::Contact::default(),
            },
            secure_cookies: false,
            hsts: false,
            session: SessionPolicy {
                idle_timeout: jiff::SignedDuration::from_mins(30),
                absolute_timeout: jiff::SignedDuration::from_hours(12),
            },
            body_limit: 1 << 20,
            demo_identity: true,
            logins: Vec::new(),
            public_url: "http://127.0.0.1:8080".into(),
            session_key: SessionKey::new(vec![7; 32]),
            office_logins: Vec::new(),
            trusted_proxies: Vec::new(),
            registers: RegisterSettings {
                connector: std::sync::Arc::new(RegisterConnector::Demo(DemoRegisters::new(
                    1,
                    jiff::civil::date(2026, 1, 1),
                ))),
                cache_for: jiff::SignedDuration::from_mins(15),
                min_loa: obcan_core::identity::Loa::Substantial,
                match_rules: Default::default(),
            },
            contacts: ContactSettings {
                email: std::sync::Arc::new(obcan_connect::messaging::EmailChannel::DemoOutbox(
                    obcan_connect::outbox::DemoOutbox::new(
                        std::env::temp_dir().join("obcan-outbox"),
                    ),
                )),
                sms: None,
            },
            forms: std::sync::Arc::new(obcan_core::forms::Catalog::load([]).unwrap()),
            documents: documents::DocumentSettings {
                quota: obcan_core::documents::Quota::default(),
                check_batch: 10,
                check_every: None,
            },
        }
    }

    #[tokio::test]
    async fn a_panicking_handler_yields_the_500_page_without_internals() {
        let db = obcan_store::testing::TestDatabase::create().await.unwrap();
        let state = AppState::new(db.store.clone(), settings());
        let routes = Router::new().route(
            "/boom",
            get(|| async {
                let secret_detail: Option<&str> = None;
                secret_detail
                    .map(str::to_owned)
                    .unwrap_or_else(|| unreachable!("invariant XYZ broken"))
            }),
        );
        let app = with_layers(routes, state);
        let response = app
            .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let body = String::from_utf8_lossy(&body);
        assert!(body.contains("Něco se pokazilo"), "{body}");
        assert!(!body.contains("XYZ"), "no internals: {body}");
    }

    /// A route that needs LoA substantial, visited by a citizen logged in at `loa`.
    async fn visit_substantial_route_at(loa: obcan_core::identity::Loa) -> (StatusCode, String) {
        use obcan_core::citizen::PersonName;
        use obcan_core::identity::{Assertion, Loa, ProviderId, Subject};

        let db = obcan_store::testing::TestDatabase::create().await.unwrap();
        let state = AppState::new(db.store.clone(), settings());
        let now = state.now();
        let assertion = Assertion {
            provider: ProviderId::parse("demo").unwrap(),
            subject: Subject::parse("step-up").unwrap(),
            name: PersonName::new("Eva", "Zkušební").unwrap(),
            birth_date: None,
            address: None,
            email: None,
            loa,
        };
        let citizen = db.store.citizens().log_in(&assertion, now).await.unwrap();
        let token = "s".repeat(43);
        let session = obcan_store::NewSession {
            id_hash: &session::sha256_hex(&token),
            citizen: Some((citizen.id, loa, "demo")),
            created_at: now,
            expires_at: now
                .checked_add(jiff::SignedDuration::from_hours(1))
                .unwrap(),
            client: obcan_store::Client::default(),
            provider_logout: None,
        };
        db.store.sessions().insert(&session).await.unwrap();
        let routes = Router::new().route(
            "/records",
            get(|_: authz::SignedInCitizen| async { "records" })
                .layer(Extension(Access::Citizen(Loa::Substantial))),
        );
        let response = with_layers(routes, state)
            .oneshot(
                Request::get("/records?page=2")
                    .header("cookie", format!("obcan_session={token}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let location = response
            .headers()
            .get("location")
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (response.status(), location)
    }

    #[tokio::test]
    async fn a_login_below_the_routes_level_is_asked_to_step_up() {
        use obcan_core::identity::Loa;
        let (status, location) = visit_substantial_route_at(Loa::Low).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(
            location,
            "/login?next=%2Frecords%3Fpage%3D2&loa=substantial"
        );
        let (status, _) = visit_substantial_route_at(Loa::Substantial).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = visit_substantial_route_at(Loa::High).await;
        assert_eq!(status, StatusCode::OK);
    }
}

//! What every handler shares.

use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use obcan_store::Store;

use crate::branding::BrandingFiles;
use crate::metrics::Metrics;
use crate::settings::WebSettings;

#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

#[derive(Debug)]
pub struct Shared {
    pub store: Store,
    pub settings: WebSettings,
    pub(crate) metrics: Metrics,
    pub(crate) branding_files: BrandingFiles,
    clock: Clock,
}

/// Where the web layer's time comes from: the system's clock, or one that
/// tests set and move, so that lockouts and codes can be tested over time.
#[derive(Debug, Clone, Default)]
pub struct Clock(Option<Arc<AtomicI64>>);

impl Clock {
    /// A clock that stands at `start` until moved.
    pub fn manual(start: jiff::Timestamp) -> Self {
        Self(Some(Arc::new(AtomicI64::new(start.as_second()))))
    }

    /// Moves a manual clock on; the system clock cannot be moved.
    pub fn advance(&self, by: jiff::SignedDuration) {
        if let Some(seconds) = &self.0 {
            seconds.fetch_add(by.as_secs(), Ordering::SeqCst);
        }
    }

    fn now(&self) -> jiff::Timestamp {
        match &self.0 {
            Some(seconds) => jiff::Timestamp::from_second(seconds.load(Ordering::SeqCst))
                .unwrap_or(jiff::Timestamp::UNIX_EPOCH),
            #[expect(
                clippy::disallowed_methods,
                reason = "this is the clock everything else reads"
            )]
            None => jiff::Timestamp::now(),
        }
    }
}

impl AppState {
    pub fn new(store: Store, settings: WebSettings) -> Self {
        Self::with_clock(store, settings, Clock::default())
    }

    pub fn with_clock(store: Store, settings: WebSettings, clock: Clock) -> Self {
        let branding_files = BrandingFiles::new(&settings.branding);
        Self(Arc::new(Shared {
            store,
            settings,
            metrics: Metrics::new(),
            branding_files,
            clock,
        }))
    }

    /// The one clock of the web layer.
    pub fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

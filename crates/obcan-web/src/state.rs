//! What every handler shares.

use std::ops::Deref;
use std::sync::Arc;

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
}

impl AppState {
    pub fn new(store: Store, settings: WebSettings) -> Self {
        let branding_files = BrandingFiles::new(&settings.branding);
        Self(Arc::new(Shared {
            store,
            settings,
            metrics: Metrics::new(),
            branding_files,
        }))
    }

    /// The one clock of the web layer.
    pub(crate) fn now(&self) -> jiff::Timestamp {
        #[expect(
            clippy::disallowed_methods,
            reason = "this is the clock everything else reads"
        )]
        jiff::Timestamp::now()
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

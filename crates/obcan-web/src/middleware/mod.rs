//! Request processing shared by every route.

pub(crate) mod csrf;
pub(crate) mod error_pages;
pub(crate) mod metrics;
pub(crate) mod security_headers;

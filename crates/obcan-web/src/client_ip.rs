//! The client's address, for throttling failed logins and for the audit log.
//!
//! The peer of the TCP connection, unless that peer is one of the configured
//! reverse proxies: then the nearest address in `X-Forwarded-For` that is not
//! a proxy of ours. Anything further left in that header the client could
//! have written itself, so it is never believed.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::state::AppState;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientIp(pub Option<IpAddr>);

impl ClientIp {
    /// The address as text, or `unknown` when the server was not told it
    /// (in-process use): all such clients share one throttle.
    pub(crate) fn key(&self) -> String {
        self.0
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
    }

    pub(crate) fn text(&self) -> Option<String> {
        self.0.map(|ip| ip.to_string())
    }
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(Self(client_ip(parts, &state.settings.trusted_proxies)))
    }
}

/// The client's address, as the module's documentation says.
pub(crate) fn client_ip(parts: &Parts, proxies: &[IpAddr]) -> Option<IpAddr> {
    {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        let Some(peer) = peer.filter(|peer| proxies.contains(peer)) else {
            return peer;
        };
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
            .collect::<Vec<_>>();
        let client = forwarded
            .into_iter()
            .rev()
            .find(|hop| !proxies.contains(hop))
            .unwrap_or(peer);
        Some(client)
    }
}

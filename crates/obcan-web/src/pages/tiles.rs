//! The capability tiles shown on the home page and the dashboard.

use obcan_core::capability::Capability;

use crate::assets;
use crate::i18n::Texts;

#[derive(Debug)]
pub(crate) struct Tile {
    pub title: &'static str,
    pub description: &'static str,
    pub icon_url: String,
    /// `None` while the capability is not built: the tile says so.
    pub href: Option<&'static str>,
}

pub(crate) fn all(t: &Texts) -> Vec<Tile> {
    Capability::ALL
        .into_iter()
        .map(|capability| {
            let text = t.capabilities.of(capability);
            Tile {
                title: text.title,
                description: text.description,
                icon_url: assets::url(&format!("icon-{}.svg", icon(capability))),
                href: capability.path(),
            }
        })
        .collect()
}

const fn icon(capability: Capability) -> &'static str {
    match capability {
        Capability::MyData => "my-data",
        Capability::Submissions => "submissions",
        Capability::Documents => "documents",
        Capability::Payments => "payments",
        Capability::Notifications => "notifications",
        Capability::NoticeBoard => "notice-board",
        Capability::Visits => "visits",
        Capability::Participation => "participation",
    }
}

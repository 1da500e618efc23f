//! The portal's side of the public registers.

use obcan_core::citizen::CitizenId;
use obcan_core::registers::ContactDetails;

use crate::state::AppState;

/// Tells the register the contact details the citizen has now verified in
/// the portal, where the connector supports it. Never fails the citizen's
/// change: whatever goes wrong is logged here, not returned.
///
/// A placeholder that tells nobody yet: the register connection replaces it.
pub(crate) async fn tell_contacts(state: &AppState, citizen: CitizenId, details: &ContactDetails) {
    let _ = (state, citizen, details);
}

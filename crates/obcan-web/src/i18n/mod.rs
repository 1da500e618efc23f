//! The portal's texts in Czech and English. One struct holds every text, so a
//! missing translation is a compile error, not a blank on a page.

mod cs;
mod en;

use obcan_core::capability::Capability;
use obcan_core::language::Language;

pub(crate) fn texts(language: Language) -> &'static Texts {
    match language {
        Language::Czech => &cs::TEXTS,
        Language::English => &en::TEXTS,
    }
}

#[derive(Debug)]
pub(crate) struct Texts {
    pub skip_to_content: &'static str,
    pub main_navigation: &'static str,
    pub nav_home: &'static str,
    pub nav_dashboard: &'static str,
    pub nav_login: &'static str,
    pub logout: &'static str,
    pub language_switch: &'static str,
    pub demo_banner: &'static str,
    pub footer_contact: &'static str,
    pub footer_about: &'static str,
    pub footer_accessibility: &'static str,
    pub footer_powered_by: &'static str,

    pub home_title: &'static str,
    pub home_lead: &'static str,
    pub home_login: &'static str,
    pub home_to_dashboard: &'static str,

    pub login_title: &'static str,
    pub login_lead: &'static str,
    pub login_demo_means: &'static str,
    pub login_demo_means_description: &'static str,
    pub login_no_means: &'static str,
    pub login_step_up: &'static str,
    pub login_handover_title: &'static str,
    pub login_handover_lead: &'static str,
    pub login_handover_continue: &'static str,
    pub logout_handover_title: &'static str,
    pub logout_handover_lead: &'static str,
    pub logout_handover_continue: &'static str,
    pub nav_account: &'static str,
    pub account_title: &'static str,
    pub account_means: &'static str,
    pub account_means_lead: &'static str,
    pub account_linked_at: &'static str,
    pub account_last_login: &'static str,
    pub account_unlink: &'static str,
    pub account_last_means: &'static str,
    pub account_link_more: &'static str,
    pub account_link: &'static str,
    pub account_sessions: &'static str,
    pub account_this_session: &'static str,
    pub account_session_started: &'static str,
    pub account_session_seen: &'static str,
    pub account_end_others: &'static str,
    pub account_history: &'static str,
    pub account_history_empty: &'static str,
    pub account_event_login: &'static str,
    pub account_event_logout: &'static str,
    pub account_event_means_linked: &'static str,
    pub account_event_means_unlinked: &'static str,
    pub account_event_sessions_ended: &'static str,
    pub account_unknown_browser: &'static str,
    pub account_unknown_address: &'static str,
    pub account_done_linked: &'static str,
    pub account_done_already: &'static str,
    pub account_done_taken: &'static str,
    pub account_done_unlinked: &'static str,
    pub account_done_last: &'static str,
    pub account_done_ended: &'static str,
    pub account_profile: &'static str,
    pub account_profile_lead: &'static str,
    pub fact_name: &'static str,
    pub fact_birth_date: &'static str,
    pub fact_address: &'static str,
    pub fact_email: &'static str,
    pub account_fact_source: &'static str,

    pub demo_title: &'static str,
    pub demo_warning_title: &'static str,
    pub demo_warning: &'static str,
    pub demo_choose: &'static str,
    pub demo_born: &'static str,
    pub demo_log_in_as: &'static str,

    pub dashboard_title: &'static str,
    pub dashboard_greeting: &'static str,
    pub dashboard_lead: &'static str,
    pub dashboard_loa: &'static str,
    pub loa_low: &'static str,
    pub loa_substantial: &'static str,
    pub loa_high: &'static str,
    pub coming_soon: &'static str,

    pub accessibility_title: &'static str,
    pub accessibility_body: &'static [&'static str],
    pub accessibility_contact: &'static str,

    pub error_back_home: &'static str,
    pub error_code: &'static str,
    pub error_400_title: &'static str,
    pub error_400_text: &'static str,
    pub error_403_title: &'static str,
    pub error_403_text: &'static str,
    pub error_csrf_title: &'static str,
    pub error_csrf_text: &'static str,
    pub error_404_title: &'static str,
    pub error_404_text: &'static str,
    pub error_405_title: &'static str,
    pub error_405_text: &'static str,
    pub error_413_title: &'static str,
    pub error_413_text: &'static str,
    pub error_500_title: &'static str,
    pub error_500_text: &'static str,
    pub error_503_title: &'static str,
    pub error_503_text: &'static str,
    pub error_login_title: &'static str,
    pub error_login_text: &'static str,
    pub error_login_unavailable_text: &'static str,
    pub error_login_choose: &'static str,

    pub capabilities: CapabilityTexts,
    pub months: [&'static str; 12],
}

#[derive(Debug)]
pub(crate) struct CapabilityText {
    pub title: &'static str,
    pub description: &'static str,
}

#[derive(Debug)]
pub(crate) struct CapabilityTexts {
    pub my_data: CapabilityText,
    pub submissions: CapabilityText,
    pub documents: CapabilityText,
    pub payments: CapabilityText,
    pub notifications: CapabilityText,
    pub notice_board: CapabilityText,
    pub visits: CapabilityText,
    pub participation: CapabilityText,
}

impl CapabilityTexts {
    pub(crate) fn of(&self, capability: Capability) -> &CapabilityText {
        match capability {
            Capability::MyData => &self.my_data,
            Capability::Submissions => &self.submissions,
            Capability::Documents => &self.documents,
            Capability::Payments => &self.payments,
            Capability::Notifications => &self.notifications,
            Capability::NoticeBoard => &self.notice_board,
            Capability::Visits => &self.visits,
            Capability::Participation => &self.participation,
        }
    }
}

impl Texts {
    /// A date as people write it: "7. března 1984" / "7 March 1984".
    pub(crate) fn date(&self, date: jiff::civil::Date, language: Language) -> String {
        let month = usize::try_from(date.month() - 1)
            .ok()
            .and_then(|index| self.months.get(index))
            .copied()
            .unwrap_or_default();
        match language {
            Language::Czech => format!("{}. {} {}", date.day(), month, date.year()),
            Language::English => format!("{} {} {}", date.day(), month, date.year()),
        }
    }

    pub(crate) fn loa(&self, loa: obcan_core::identity::Loa) -> &'static str {
        match loa {
            obcan_core::identity::Loa::Low => self.loa_low,
            obcan_core::identity::Loa::Substantial => self.loa_substantial,
            obcan_core::identity::Loa::High => self.loa_high,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_naturally() {
        let date = jiff::civil::date(1984, 3, 7);
        assert_eq!(
            texts(Language::Czech).date(date, Language::Czech),
            "7. března 1984"
        );
        assert_eq!(
            texts(Language::English).date(date, Language::English),
            "7 March 1984"
        );
    }
}

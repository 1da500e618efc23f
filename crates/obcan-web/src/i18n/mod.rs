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
    pub local: LocalTexts,
    pub office: OfficeTexts,
    pub my_data: MyDataTexts,
    pub contacts: ContactTexts,
    pub documents: DocumentTexts,
    pub deletion: DeletionTexts,
    pub records: RecordTexts,
    pub forms: FormTexts,
    pub submissions: SubmissionTexts,
}

/// The form catalogue and each form's page.
#[derive(Debug)]
pub(crate) struct FormTexts {
    pub title: &'static str,
    pub lead: &'static str,
    pub search_label: &'static str,
    pub search: &'static str,
    pub no_results: &'static str,
    pub all: &'static str,
    /// The life situations, in the order of `LifeSituation::ALL`.
    pub situations: [&'static str; 9],
    pub back: &'static str,
    pub situation: &'static str,
    pub loa_needed: &'static str,
    pub deadline: &'static str,
    pub steps_title: &'static str,
    pub steps_lead: &'static str,
    pub required: &'static str,
    pub attachment: &'static str,
    pub repeated: &'static str,
    pub start: &'static str,
    pub start_lead: &'static str,
    /// "Krok {n} z {total}".
    pub step_of: &'static str,
    pub steps_nav: &'static str,
    pub review_title: &'static str,
    pub review_lead: &'static str,
    pub next: &'static str,
    pub previous: &'static str,
    pub save: &'static str,
    pub add_item: &'static str,
    pub remove_item: &'static str,
    pub errors_title: &'static str,
    pub review_errors: &'static str,
    pub form_changed: &'static str,
    /// "{}" is the checkbox's label.
    pub only_when_checked: &'static str,
    /// "{}" is the choices' labels.
    pub only_when_chosen: &'static str,
    pub optional: &'static str,
    pub date_hint: &'static str,
    pub money_hint: &'static str,
    pub birth_number_hint: &'static str,
    pub no_documents: &'static str,
    pub upload_documents: &'static str,
    pub documents_need_loa: &'static str,
    pub change: &'static str,
    pub submit: &'static str,
    pub submit_lead: &'static str,
    pub not_answered: &'static str,
    pub yes: &'static str,
    pub delete_draft: &'static str,
    pub problems: ProblemTexts,
}

/// What is wrong with an answer; "{}" is the bound, where there is one.
#[derive(Debug)]
pub(crate) struct ProblemTexts {
    pub required: &'static str,
    pub too_short: &'static str,
    pub too_long: &'static str,
    pub control_character: &'static str,
    pub pattern: &'static str,
    pub not_a_number: &'static str,
    pub not_an_amount: &'static str,
    pub below_min: &'static str,
    pub above_max: &'static str,
    pub not_a_date: &'static str,
    pub too_early: &'static str,
    pub too_late: &'static str,
    pub not_an_option: &'static str,
    pub too_few_choices: &'static str,
    pub too_many_choices: &'static str,
    pub not_an_email: &'static str,
    pub not_a_phone: &'static str,
    pub not_an_address: &'static str,
    pub not_a_birth_number: &'static str,
    pub not_an_ico: &'static str,
    pub not_an_iban: &'static str,
    pub not_a_location: &'static str,
    pub outside_the_country: &'static str,
    pub not_a_document: &'static str,
    pub file_too_large: &'static str,
    pub too_many_files: &'static str,
    pub too_few_items: &'static str,
    pub too_many_items: &'static str,
}

/// "Moje podání": drafts, submissions, receipts.
#[derive(Debug)]
pub(crate) struct SubmissionTexts {
    pub nav: &'static str,
    pub title: &'static str,
    pub lead: &'static str,
    pub drafts: &'static str,
    pub continue_draft: &'static str,
    pub saved_at: &'static str,
    pub filed: &'static str,
    pub none: &'static str,
    pub to_forms: &'static str,
    pub draft_saved: &'static str,
    pub draft_deleted: &'static str,
    pub office: &'static str,
    pub form: &'static str,
    pub reference: &'static str,
    pub submitted: &'static str,
    pub deadline: &'static str,
    pub sha256: &'static str,
    pub state_label: &'static str,
    /// In the order of `SubmissionState::ALL`.
    pub states: [&'static str; 6],
    pub back: &'static str,
    pub received_title: &'static str,
    pub received_lead: &'static str,
    pub receipt_title: &'static str,
    pub receipt_note: &'static str,
    pub download_receipt: &'static str,
    pub timeline: &'static str,
    /// In the order of `TimelineKind::ALL`.
    pub events: [&'static str; 8],
    pub content: &'static str,
    pub content_step_up: &'static str,
    pub withdraw_title: &'static str,
    pub withdraw_lead: &'static str,
    pub withdraw_confirm: &'static str,
    pub withdraw: &'static str,
    pub withdraw_unconfirmed: &'static str,
    pub withdraw_settled: &'static str,
    pub inbox: &'static str,
    pub withdrawn: &'static str,
    pub attachments: &'static str,
    pub no_attachments: &'static str,
    pub reply_title: &'static str,
    pub reply_lead: &'static str,
    pub reply_waiting: &'static str,
    pub reply_message: &'static str,
    pub reply_documents: &'static str,
    pub reply_documents_hint: &'static str,
    pub reply_documents_step_up: &'static str,
    pub reply_no_documents: &'static str,
    pub reply_send: &'static str,
    pub replied: &'static str,
    pub reply_empty: &'static str,
    pub reply_invalid: &'static str,
    pub reply_too_many: &'static str,
    pub reply_too_large: &'static str,
    pub reply_gone: &'static str,
    pub reply_settled: &'static str,
}

impl FormTexts {
    pub(crate) fn situation(&self, situation: obcan_core::forms::LifeSituation) -> &'static str {
        obcan_core::forms::LifeSituation::ALL
            .iter()
            .position(|s| *s == situation)
            .and_then(|index| self.situations.get(index))
            .copied()
            .unwrap_or_default()
    }
}

impl OfficeTexts {
    pub(crate) fn state(&self, state: obcan_core::submissions::SubmissionState) -> &'static str {
        obcan_core::submissions::SubmissionState::ALL
            .iter()
            .position(|s| *s == state)
            .and_then(|index| self.states.get(index))
            .copied()
            .unwrap_or_default()
    }

    pub(crate) fn step(&self, step: obcan_core::submissions::OfficeStep) -> &'static str {
        obcan_core::submissions::OfficeStep::ALL
            .iter()
            .position(|s| *s == step)
            .and_then(|index| self.steps.get(index))
            .copied()
            .unwrap_or_default()
    }
}

impl SubmissionTexts {
    pub(crate) fn state(&self, state: obcan_core::submissions::SubmissionState) -> &'static str {
        obcan_core::submissions::SubmissionState::ALL
            .iter()
            .position(|s| *s == state)
            .and_then(|index| self.states.get(index))
            .copied()
            .unwrap_or_default()
    }

    pub(crate) fn event(&self, kind: obcan_core::submissions::TimelineKind) -> &'static str {
        obcan_core::submissions::TimelineKind::ALL
            .iter()
            .position(|k| *k == kind)
            .and_then(|index| self.events.get(index))
            .copied()
            .unwrap_or_default()
    }
}

/// The office's records: files, legal holds, disposal.
#[derive(Debug)]
pub(crate) struct RecordTexts {
    pub title: &'static str,
    pub lead: &'static str,
    pub disposal_link: &'static str,
    pub state_label: &'static str,
    pub any_state: &'static str,
    pub show: &'static str,
    pub state_open: &'static str,
    pub state_closed: &'static str,
    pub state_archived: &'static str,
    pub state_destroyed: &'static str,
    pub reference: &'static str,
    pub file_title: &'static str,
    pub class: &'static str,
    pub regime: &'static str,
    pub opened: &'static str,
    pub closed: &'static str,
    pub disposal_from: &'static str,
    pub none: &'static str,
    pub new_file: &'static str,
    pub create: &'static str,
    pub invalid_title: &'static str,
    pub invalid_class: &'static str,
    pub on_hold: &'static str,
    pub documents: &'static str,
    pub no_documents: &'static str,
    pub name: &'static str,
    pub size: &'static str,
    pub filed: &'static str,
    pub add_document: &'static str,
    pub file_label: &'static str,
    pub add: &'static str,
    pub close_title: &'static str,
    pub close_lead: &'static str,
    pub close: &'static str,
    pub empty_close: &'static str,
    pub hold_title: &'static str,
    pub hold_lead: &'static str,
    pub hold_reason: &'static str,
    pub place_hold: &'static str,
    pub release_hold: &'static str,
    pub held_since: &'static str,
    pub invalid_reason: &'static str,
    pub archived_note: &'static str,
    pub destroyed_note: &'static str,
    pub not_open: &'static str,
    pub already_held: &'static str,
    pub not_held: &'static str,
    pub state_changed: &'static str,
    pub done_created: &'static str,
    pub done_filed: &'static str,
    pub done_closed: &'static str,
    pub done_held: &'static str,
    pub done_released: &'static str,
    pub disposal_title: &'static str,
    pub disposal_lead: &'static str,
    pub due_title: &'static str,
    pub none_due: &'static str,
    pub propose: &'static str,
    pub proposals_title: &'static str,
    pub no_proposals: &'static str,
    pub proposed: &'static str,
    pub files: &'static str,
    pub proposal_proposed: &'static str,
    pub proposal_approved: &'static str,
    pub proposal_rejected: &'static str,
    pub proposal_title: &'static str,
    pub outcome: &'static str,
    pub decision: &'static str,
    pub outcome_archive: &'static str,
    pub outcome_destroy: &'static str,
    pub outcome_held: &'static str,
    pub choose: &'static str,
    pub approve_lead: &'static str,
    pub approve: &'static str,
    pub reject: &'static str,
    pub decision_missing: &'static str,
    pub already_decided: &'static str,
    pub done_proposed: &'static str,
    pub nothing_due: &'static str,
    pub done_approved: &'static str,
    pub done_rejected: &'static str,
    pub back: &'static str,
    pub export_title: &'static str,
    pub export_lead_closed: &'static str,
    pub export_lead_archived: &'static str,
    pub export: &'static str,
    pub export_not_closed: &'static str,
    pub export_damaged: &'static str,
}

/// The pages of the citizen's data from the public registers.
#[derive(Debug)]
pub(crate) struct MyDataTexts {
    /// `strftime` format of a date in a table.
    pub date_format: &'static str,
    pub nav: &'static str,
    pub sections_label: &'static str,
    pub overview: &'static str,
    pub title: &'static str,
    pub lead: &'static str,
    pub as_of: &'static str,
    pub stale: &'static str,
    pub unavailable: &'static str,
    pub not_matched: &'static str,
    pub registers_down: &'static str,
    pub reload: &'static str,
    pub needs_attention: &'static str,
    pub nothing_needs_attention: &'static str,
    pub not_stated: &'static str,
    pub source: &'static str,
    pub personal: &'static str,
    pub personal_source: &'static str,
    pub given_name: &'static str,
    pub family_name: &'static str,
    pub birth_date: &'static str,
    pub birth_place: &'static str,
    pub citizenship: &'static str,
    pub address: &'static str,
    pub delivery_address: &'static str,
    pub marital_status: &'static str,
    pub data_box: &'static str,
    pub register_email: &'static str,
    pub register_phone: &'static str,
    pub marital_single: &'static str,
    pub marital_married: &'static str,
    pub marital_divorced: &'static str,
    pub marital_widowed: &'static str,
    pub marital_partnership: &'static str,
    pub documents: &'static str,
    pub documents_source: &'static str,
    pub id_card: &'static str,
    pub passport: &'static str,
    pub document_number: &'static str,
    pub issued_on: &'static str,
    pub valid_until: &'static str,
    pub issued_by: &'static str,
    pub valid: &'static str,
    pub expires_in: &'static str,
    pub expires_today: &'static str,
    pub expired: &'static str,
    pub no_documents: &'static str,
    pub renew_hint: &'static str,
    pub driver: &'static str,
    pub driver_source: &'static str,
    pub not_a_driver: &'static str,
    pub licence: &'static str,
    pub licence_number: &'static str,
    pub no_licence: &'static str,
    pub groups: &'static str,
    pub group: &'static str,
    pub since: &'static str,
    pub until: &'static str,
    pub no_end: &'static str,
    pub no_groups: &'static str,
    pub competence: &'static str,
    pub competence_number: &'static str,
    pub points: &'static str,
    pub points_state: &'static str,
    pub points_of: &'static str,
    pub points_changed: &'static str,
    pub points_never: &'static str,
    pub points_lost: &'static str,
    pub request_extract: &'static str,
    pub request_extract_lead: &'static str,
    pub extracts: &'static str,
    pub extract_issued: &'static str,
    pub extract_download: &'static str,
    pub extract_ready: &'static str,
    pub extract_unavailable: &'static str,
    pub offences: &'static str,
    pub offence_date: &'static str,
    pub offence: &'static str,
    pub offence_points: &'static str,
    pub decided_by: &'static str,
    pub bans: &'static str,
    pub ban_from: &'static str,
    pub ban_until: &'static str,
    pub ban_reason: &'static str,
    pub imposed_by: &'static str,
    pub ban_in_force: &'static str,
    pub ban_over: &'static str,
    pub ban_in_force_notice: &'static str,
    pub losses: &'static str,
    pub nothing_recorded: &'static str,
    pub vehicles: &'static str,
    pub vehicles_source: &'static str,
    pub no_vehicles: &'static str,
    pub plate: &'static str,
    pub vin: &'static str,
    pub category: &'static str,
    pub first_registered: &'static str,
    pub relation: &'static str,
    pub owner: &'static str,
    pub operator: &'static str,
    pub owner_and_operator: &'static str,
    pub inspection: &'static str,
    pub inspection_valid: &'static str,
    pub inspection_none: &'static str,
    pub inspection_due_in: &'static str,
    pub inspection_due_today: &'static str,
    pub inspection_overdue: &'static str,
    pub trade: &'static str,
    pub trade_source: &'static str,
    pub no_trade: &'static str,
    pub ico: &'static str,
    pub trade_subject: &'static str,
    pub trade_kind: &'static str,
    pub trade_free: &'static str,
    pub trade_vocational: &'static str,
    pub trade_bound: &'static str,
    pub trade_licensed: &'static str,
    pub trade_since: &'static str,
    pub trade_state: &'static str,
    pub trade_active: &'static str,
    pub trade_suspended: &'static str,
    pub trade_ended: &'static str,
    pub trade_office: &'static str,
    pub usage: &'static str,
    pub usage_lead: &'static str,
    pub usage_filter: &'static str,
    pub usage_from: &'static str,
    pub usage_to: &'static str,
    pub usage_authority: &'static str,
    pub usage_apply: &'static str,
    pub usage_clear: &'static str,
    pub usage_when: &'static str,
    pub usage_authority_col: &'static str,
    pub usage_agenda: &'static str,
    pub usage_purpose: &'static str,
    pub usage_register: &'static str,
    pub usage_empty: &'static str,
    pub usage_count: &'static str,
    pub usage_recent: &'static str,
    pub usage_bad_date: &'static str,
    pub usage_bad_range: &'static str,
    pub usage_error_title: &'static str,
    pub paging: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub page: &'static str,
    pub page_of: &'static str,
    pub day_one: &'static str,
    pub day_few: &'static str,
    pub day_many: &'static str,
}

/// The citizen's contact details and their verification.
#[derive(Debug)]
pub(crate) struct ContactTexts {
    pub title: &'static str,
    pub lead: &'static str,
    pub email_title: &'static str,
    pub phone_title: &'static str,
    pub no_email: &'static str,
    pub no_phone: &'static str,
    pub verified_value: &'static str,
    pub remove: &'static str,
    pub new_email: &'static str,
    pub new_phone: &'static str,
    pub email_hint: &'static str,
    pub phone_hint: &'static str,
    pub send_code: &'static str,
    pub code_sent: &'static str,
    pub code_valid_until: &'static str,
    pub code: &'static str,
    pub code_hint: &'static str,
    pub verify: &'static str,
    pub resend: &'static str,
    pub demo_title: &'static str,
    pub demo_text: &'static str,
    pub phone_unavailable: &'static str,
    pub errors_title: &'static str,
    pub invalid_email: &'static str,
    pub invalid_phone: &'static str,
    pub already_verified: &'static str,
    pub too_early: &'static str,
    pub send_failed: &'static str,
    pub code_malformed: &'static str,
    pub wrong_code: &'static str,
    pub no_attempts: &'static str,
    pub expired: &'static str,
    pub no_pending: &'static str,
    pub not_offered: &'static str,
    pub done_sent_email: &'static str,
    pub done_sent_phone: &'static str,
    pub done_verified_email: &'static str,
    pub done_verified_phone: &'static str,
    pub done_removed_email: &'static str,
    pub done_removed_phone: &'static str,
    pub account_lead: &'static str,
    pub account_link: &'static str,
    pub event_verified: &'static str,
    pub event_removed: &'static str,
}

/// Local logins (staff and citizens registered at the counter) and activation.
#[derive(Debug)]
pub(crate) struct LocalTexts {
    pub login_means: &'static str,
    pub login_means_description: &'static str,
    pub citizen_title: &'static str,
    pub citizen_lead: &'static str,
    pub activated: &'static str,
    pub activate_prompt: &'static str,
    pub login_name: &'static str,
    pub password: &'static str,
    pub submit_login: &'static str,
    pub refused: &'static str,
    pub code_title: &'static str,
    pub code_lead: &'static str,
    pub code: &'static str,
    pub code_hint: &'static str,
    pub code_refused: &'static str,
    pub submit_code: &'static str,
    pub setup_title: &'static str,
    pub setup_lead: &'static str,
    pub new_password: &'static str,
    pub new_password_hint: &'static str,
    pub confirm_password: &'static str,
    pub totp_heading: &'static str,
    pub totp_lead: &'static str,
    pub totp_secret: &'static str,
    pub totp_qr: &'static str,
    pub first_code: &'static str,
    pub submit_setup: &'static str,
    pub errors_title: &'static str,
    pub weak_mismatch: &'static str,
    pub weak_too_short: &'static str,
    pub weak_too_long: &'static str,
    pub weak_contains_login: &'static str,
    pub weak_repetitive: &'static str,
    pub setup_code_refused: &'static str,
    pub activate_title: &'static str,
    pub activate_lead: &'static str,
    pub activation_code: &'static str,
    pub activation_code_hint: &'static str,
    pub activation_refused: &'static str,
    pub submit_activation_code: &'static str,
    pub submit_activate: &'static str,
}

/// The back office.
#[derive(Debug)]
pub(crate) struct OfficeTexts {
    pub nav: &'static str,
    pub login_title: &'static str,
    pub login_lead: &'static str,
    pub login_oidc: &'static str,
    pub home_title: &'static str,
    pub home_lead: &'static str,
    pub signed_in_as: &'static str,
    pub roles: &'static str,
    pub no_roles: &'static str,
    pub role_administrator: &'static str,
    pub role_official: &'static str,
    pub role_auditor: &'static str,
    pub role_records_manager: &'static str,
    pub my_agendas: &'static str,
    pub no_agendas: &'static str,
    pub staff_title: &'static str,
    pub staff_new: &'static str,
    pub staff_login: &'static str,
    pub staff_name: &'static str,
    pub staff_status: &'static str,
    pub staff_active: &'static str,
    pub staff_disabled: &'static str,
    pub staff_roles_initial: &'static str,
    pub staff_create: &'static str,
    pub staff_created_title: &'static str,
    pub initial_password: &'static str,
    pub initial_password_note: &'static str,
    pub login_taken: &'static str,
    pub back_to_staff: &'static str,
    pub grant: &'static str,
    pub revoke: &'static str,
    pub scope: &'static str,
    pub scope_lead: &'static str,
    pub add: &'static str,
    pub remove: &'static str,
    pub disable: &'static str,
    pub enable: &'static str,
    pub reset_password: &'static str,
    pub reset_password_lead: &'static str,
    pub password_reset_title: &'static str,
    pub own_account: &'static str,
    pub oidc_links: &'static str,
    pub oidc_link_lead: &'static str,
    pub oidc_provider: &'static str,
    pub oidc_subject: &'static str,
    pub oidc_link: &'static str,
    pub oidc_subject_taken: &'static str,
    pub oidc_subject_invalid: &'static str,
    pub oidc_unlinked_title: &'static str,
    pub oidc_unlinked_text: &'static str,
    pub organisation_title: &'static str,
    pub department: &'static str,
    pub agendas: &'static str,
    pub agenda: &'static str,
    pub no_departments: &'static str,
    pub new_department: &'static str,
    pub new_agenda: &'static str,
    pub name: &'static str,
    pub create: &'static str,
    pub queue_title: &'static str,
    pub queue_no_key: &'static str,
    pub queue_empty: &'static str,
    pub col_reference: &'static str,
    pub col_form: &'static str,
    pub col_submitted: &'static str,
    pub col_deadline: &'static str,
    pub col_state: &'static str,
    pub col_assigned: &'static str,
    pub deadline_overdue: &'static str,
    pub deadline_soon: &'static str,
    pub by_citizen: &'static str,
    pub step_text_label: &'static str,
    pub step_text_hint: &'static str,
    pub step_text_required: &'static str,
    pub step_text_invalid: &'static str,
    pub step_not_now: &'static str,
    pub submission_content: &'static str,
    pub submission_timeline: &'static str,
    pub download: &'static str,
    pub submission_steps: &'static str,
    pub assigned_to: &'static str,
    pub nobody: &'static str,
    /// In the order of `OfficeStep::ALL`.
    pub steps: [&'static str; 5],
    /// In the order of `SubmissionState::ALL`, as the office says them.
    pub states: [&'static str; 6],
    pub agenda_key: &'static str,
    pub agenda_key_hint: &'static str,
    pub invalid_key: &'static str,
    pub agenda_taken: &'static str,
    pub name_taken: &'static str,
    pub audit_title: &'static str,
    pub audit_lead: &'static str,
    pub audit_actor: &'static str,
    pub audit_action: &'static str,
    pub audit_any_action: &'static str,
    pub audit_filter: &'static str,
    pub audit_when: &'static str,
    pub audit_subject: &'static str,
    pub audit_detail: &'static str,
    pub audit_address: &'static str,
    pub audit_empty: &'static str,
    pub audit_older: &'static str,
    pub register_title: &'static str,
    pub register_lead: &'static str,
    pub given_name: &'static str,
    pub family_name: &'static str,
    pub birth_date: &'static str,
    pub citizen_login: &'static str,
    pub citizen_login_hint: &'static str,
    pub document_type: &'static str,
    pub document_id_card: &'static str,
    pub document_passport: &'static str,
    pub document_residence_permit: &'static str,
    pub document_number: &'static str,
    pub document_number_hint: &'static str,
    pub identity_checked: &'static str,
    pub register_submit: &'static str,
    pub invalid_name: &'static str,
    pub invalid_birth_date: &'static str,
    pub invalid_login: &'static str,
    pub invalid_document: &'static str,
    pub unchecked_identity: &'static str,
    pub receipt_title: &'static str,
    pub receipt_lead: &'static str,
    pub receipt_code: &'static str,
    pub receipt_valid_until: &'static str,
    pub receipt_where: &'static str,
    pub receipt_once: &'static str,
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

    /// A date in a table: "7. 3. 1984" / "7 Mar 1984".
    pub(crate) fn date_short(&self, date: jiff::civil::Date) -> String {
        date.strftime(self.my_data.date_format).to_string()
    }

    pub(crate) fn role(&self, role: obcan_core::staff::Role) -> &'static str {
        match role {
            obcan_core::staff::Role::Administrator => self.office.role_administrator,
            obcan_core::staff::Role::Official => self.office.role_official,
            obcan_core::staff::Role::Auditor => self.office.role_auditor,
            obcan_core::staff::Role::RecordsManager => self.office.role_records_manager,
        }
    }

    pub(crate) fn weak_password(&self, weak: obcan_core::credential::WeakPassword) -> &'static str {
        use obcan_core::credential::WeakPassword;
        match weak {
            WeakPassword::Mismatch => self.local.weak_mismatch,
            WeakPassword::TooShort => self.local.weak_too_short,
            WeakPassword::TooLong => self.local.weak_too_long,
            WeakPassword::ContainsLogin => self.local.weak_contains_login,
            WeakPassword::Repetitive => self.local.weak_repetitive,
        }
    }

    pub(crate) fn document(&self, kind: obcan_core::registration::DocumentType) -> &'static str {
        use obcan_core::registration::DocumentType;
        match kind {
            DocumentType::IdCard => self.office.document_id_card,
            DocumentType::Passport => self.office.document_passport,
            DocumentType::ResidencePermit => self.office.document_residence_permit,
        }
    }

    /// "5 dní" / "5 days", with the Czech plural.
    pub(crate) fn days(&self, count: i32) -> String {
        let word = match count.unsigned_abs() {
            1 => self.my_data.day_one,
            2..=4 => self.my_data.day_few,
            _ => self.my_data.day_many,
        };
        format!("{count} {word}")
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

/// "Moje dokumenty": the citizen's document storage.
#[derive(Debug)]
pub(crate) struct DocumentTexts {
    pub nav: &'static str,
    pub title: &'static str,
    pub lead: &'static str,
    pub usage_title: &'static str,
    pub used: &'static str,
    pub of: &'static str,
    pub storage_full: &'static str,
    pub upload_title: &'static str,
    pub files_label: &'static str,
    pub files_hint: &'static str,
    pub folder_label: &'static str,
    pub folder_hint: &'static str,
    pub progress: &'static str,
    pub upload_button: &'static str,
    pub list_title: &'static str,
    pub folders_label: &'static str,
    pub all_documents: &'static str,
    pub empty: &'static str,
    pub col_name: &'static str,
    pub col_folder: &'static str,
    pub col_type: &'static str,
    pub col_size: &'static str,
    pub col_stored: &'static str,
    pub from_office: &'static str,
    pub uploaded_by_you: &'static str,
    pub origin: &'static str,
    pub no_folder: &'static str,
    pub kind_other: &'static str,
    pub damaged_badge: &'static str,
    pub damaged_title: &'static str,
    pub damaged_text: &'static str,
    pub back: &'static str,
    pub download: &'static str,
    pub preview_title: &'static str,
    pub read_only: &'static str,
    pub manage_title: &'static str,
    pub name_label: &'static str,
    pub rename_button: &'static str,
    pub move_button: &'static str,
    pub delete_text: &'static str,
    pub delete_button: &'static str,
    pub history_title: &'static str,
    pub history_empty: &'static str,
    pub history_when: &'static str,
    pub history_what: &'static str,
    pub history_who: &'static str,
    pub history_address: &'static str,
    pub event_uploaded: &'static str,
    pub event_downloaded: &'static str,
    pub event_previewed: &'static str,
    pub event_changed: &'static str,
    pub by_you: &'static str,
    pub by_office: &'static str,
    pub by_system: &'static str,
    pub done_uploaded: &'static str,
    pub done_uploaded_some: &'static str,
    pub done_deleted: &'static str,
    pub done_renamed: &'static str,
    pub done_moved: &'static str,
    pub refused_title: &'static str,
    pub refused_no_file: &'static str,
    pub refused_over_quota: &'static str,
    pub refused_interrupted: &'static str,
    pub refused_empty: &'static str,
    pub refused_unknown_type: &'static str,
    pub refused_mismatch_1: &'static str,
    pub refused_mismatch_2: &'static str,
    pub refused_mismatch_3: &'static str,
    pub refused_forbidden_extension: &'static str,
    pub refused_executable: &'static str,
    pub refused_script: &'static str,
    pub refused_pdf_active: &'static str,
    pub refused_macros: &'static str,
    pub refused_encrypted: &'static str,
    pub refused_legacy_office: &'static str,
    pub refused_disk_image: &'static str,
    pub refused_archive: &'static str,
    pub refused_nested_archive: &'static str,
    pub refused_archived_program: &'static str,
    pub refused_archive_bomb: &'static str,
    pub refused_polyglot: &'static str,
    pub refused_malformed: &'static str,
    pub name_empty: &'static str,
    pub name_too_long: &'static str,
    pub name_separator: &'static str,
    pub name_control: &'static str,
    pub name_dots: &'static str,
}

/// Deleting one's account.
#[derive(Debug)]
pub(crate) struct DeletionTexts {
    pub link: &'static str,
    pub title: &'static str,
    pub lead: &'static str,
    pub deleted_items: &'static str,
    pub confirm: &'static str,
    pub confirm_error: &'static str,
    pub button: &'static str,
    pub done_title: &'static str,
    pub done_text: &'static str,
}

//! The office's calendar: days and times are shown, and "today" is decided,
//! in Czech time.

use jiff::tz::TimeZone;

/// Europe/Prague, from the bundled time zone database.
pub fn office_zone() -> TimeZone {
    TimeZone::get("Europe/Prague").unwrap_or(TimeZone::UTC)
}

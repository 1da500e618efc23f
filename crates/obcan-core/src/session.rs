//! When a login session ends: after a period of inactivity, and in any case
//! after an absolute lifetime, whichever comes first.

use jiff::{SignedDuration, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle_timeout: SignedDuration,
    pub absolute_timeout: SignedDuration,
}

/// Last-seen times closer together than this are not written back, so that a
/// burst of page loads costs one database write, not one per request.
pub const TOUCH_GRANULARITY: SignedDuration = SignedDuration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionTimes {
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
}

impl SessionPolicy {
    pub fn is_expired(&self, times: SessionTimes, now: Timestamp) -> bool {
        now.duration_since(times.last_seen_at) >= self.idle_timeout
            || now.duration_since(times.created_at) >= self.absolute_timeout
    }

    /// The moment after which the session is invalid whatever happens.
    pub fn expires_at(&self, times: SessionTimes) -> Timestamp {
        let idle_end = times.last_seen_at.saturating_add(self.idle_timeout);
        let absolute_end = times.created_at.saturating_add(self.absolute_timeout);
        match (idle_end, absolute_end) {
            (Ok(idle), Ok(absolute)) => idle.min(absolute),
            (Ok(end), Err(_)) | (Err(_), Ok(end)) => end,
            (Err(_), Err(_)) => Timestamp::MAX,
        }
    }

    pub fn needs_touch(times: SessionTimes, now: Timestamp) -> bool {
        now.duration_since(times.last_seen_at) >= TOUCH_GRANULARITY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> SessionPolicy {
        SessionPolicy {
            idle_timeout: SignedDuration::from_mins(30),
            absolute_timeout: SignedDuration::from_hours(12),
        }
    }

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).unwrap()
    }

    #[test]
    fn idle_session_expires() {
        let times = SessionTimes {
            created_at: at(0),
            last_seen_at: at(0),
        };
        assert!(!policy().is_expired(times, at(29 * 60)));
        assert!(policy().is_expired(times, at(30 * 60)));
    }

    #[test]
    fn active_session_still_expires_at_absolute_limit() {
        let times = SessionTimes {
            created_at: at(0),
            last_seen_at: at(12 * 3600 - 10),
        };
        assert!(!policy().is_expired(times, at(12 * 3600 - 1)));
        assert!(policy().is_expired(times, at(12 * 3600)));
        assert_eq!(policy().expires_at(times), at(12 * 3600));
    }

    #[test]
    fn touch_is_coalesced() {
        let times = SessionTimes {
            created_at: at(0),
            last_seen_at: at(100),
        };
        assert!(!SessionPolicy::needs_touch(times, at(159)));
        assert!(SessionPolicy::needs_touch(times, at(160)));
    }
}

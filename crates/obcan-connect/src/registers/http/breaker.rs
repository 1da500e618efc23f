//! The circuit breaker in front of a register gateway: after a run of
//! failures the gateway is left alone for a cool-down, then one trial call
//! decides whether it is back.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

#[derive(Debug)]
pub(super) struct Breaker {
    failure_threshold: u32,
    cool_down: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Closed {
        failures_in_a_row: u32,
    },
    Open {
        until: Instant,
    },
    /// The cool-down has passed and one trial call is under way; the others
    /// still fail fast until it ends.
    Trial,
}

/// Leave to make one call; it reports back how the call went through
/// [`Pass::settle`]. A trial pass dropped unsettled (its call was cancelled)
/// lets the next call be the trial instead.
#[derive(Debug)]
pub(super) struct Pass<'a> {
    breaker: &'a Breaker,
    trial: bool,
    settled: bool,
}

/// Calls are not made now: the breaker is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Refused;

impl Breaker {
    pub(super) fn new(failure_threshold: u32, cool_down: Duration) -> Self {
        Self {
            failure_threshold: failure_threshold.max(1),
            cool_down,
            state: Mutex::new(State::Closed {
                failures_in_a_row: 0,
            }),
        }
    }

    // The state is replaced whole under the lock, so a panic elsewhere
    // cannot leave it half-changed: a poisoned lock is still sound.
    fn with_state<T>(&self, change: impl FnOnce(&mut State) -> T) -> T {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        change(&mut state)
    }

    pub(super) fn admit(&self, now: Instant) -> Result<Pass<'_>, Refused> {
        let trial = self.with_state(|state| match *state {
            State::Closed { .. } => Ok(false),
            State::Open { until } if now >= until => {
                *state = State::Trial;
                Ok(true)
            }
            State::Open { .. } | State::Trial => Err(Refused),
        })?;
        Ok(Pass {
            breaker: self,
            trial,
            settled: false,
        })
    }
}

impl Pass<'_> {
    pub(super) fn is_trial(&self) -> bool {
        self.trial
    }

    /// `gateway_failed`: the call ended in a timeout, a connection failure,
    /// a 5xx or a malformed answer; anything else shows the gateway works.
    pub(super) fn settle(mut self, gateway_failed: bool, now: Instant) {
        self.settled = true;
        let breaker = self.breaker;
        let trial = self.trial;
        breaker.with_state(|state| match (*state, gateway_failed) {
            (State::Trial, false) if trial => {
                *state = State::Closed {
                    failures_in_a_row: 0,
                };
                tracing::info!("register gateway answers again: calls resume");
            }
            (State::Trial, true) if trial => {
                *state = State::Open {
                    until: now + breaker.cool_down,
                };
                tracing::warn!(
                    cool_down_ms = breaker.cool_down.as_millis(),
                    "register gateway still failing after its cool-down: calls stay stopped"
                );
            }
            (State::Closed { .. }, false) => {
                *state = State::Closed {
                    failures_in_a_row: 0,
                };
            }
            (State::Closed { failures_in_a_row }, true) => {
                let failures_in_a_row = failures_in_a_row.saturating_add(1);
                *state = if failures_in_a_row >= breaker.failure_threshold {
                    tracing::warn!(
                        failures_in_a_row,
                        cool_down_ms = breaker.cool_down.as_millis(),
                        "register gateway failing: calls stopped for the cool-down"
                    );
                    State::Open {
                        until: now + breaker.cool_down,
                    }
                } else {
                    State::Closed { failures_in_a_row }
                };
            }
            // A call admitted before the breaker opened, ending after: the
            // open breaker and its trial decide, not this late answer.
            (State::Open { .. } | State::Trial, _) => {}
        });
    }
}

impl Drop for Pass<'_> {
    fn drop(&mut self) {
        if self.trial && !self.settled {
            let now = Instant::now();
            self.breaker.with_state(|state| {
                if *state == State::Trial {
                    *state = State::Open { until: now };
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COOL_DOWN: Duration = Duration::from_secs(30);

    fn fail(breaker: &Breaker, now: Instant) {
        breaker.admit(now).unwrap().settle(true, now);
    }

    #[test]
    fn opens_after_the_threshold_of_failures_in_a_row() {
        let breaker = Breaker::new(3, COOL_DOWN);
        let start = Instant::now();
        fail(&breaker, start);
        fail(&breaker, start);
        // A success in between starts the count again.
        breaker.admit(start).unwrap().settle(false, start);
        fail(&breaker, start);
        fail(&breaker, start);
        assert!(breaker.admit(start).is_ok());
        fail(&breaker, start);
        assert_eq!(breaker.admit(start).unwrap_err(), Refused);
        assert_eq!(breaker.admit(start + COOL_DOWN / 2).unwrap_err(), Refused);
    }

    #[test]
    fn lets_one_trial_through_after_the_cool_down() {
        let breaker = Breaker::new(1, COOL_DOWN);
        let start = Instant::now();
        fail(&breaker, start);
        let later = start + COOL_DOWN;
        let trial = breaker.admit(later).unwrap();
        assert!(trial.is_trial());
        assert_eq!(breaker.admit(later).unwrap_err(), Refused);
        trial.settle(false, later);
        let after = breaker.admit(later).unwrap();
        assert!(!after.is_trial());
    }

    #[test]
    fn a_failed_trial_opens_it_for_another_cool_down() {
        let breaker = Breaker::new(1, COOL_DOWN);
        let start = Instant::now();
        fail(&breaker, start);
        let later = start + COOL_DOWN;
        breaker.admit(later).unwrap().settle(true, later);
        assert_eq!(breaker.admit(later + COOL_DOWN / 2).unwrap_err(), Refused);
        assert!(breaker.admit(later + COOL_DOWN).unwrap().is_trial());
    }

    #[test]
    fn a_cancelled_trial_hands_the_trial_to_the_next_call() {
        let breaker = Breaker::new(1, COOL_DOWN);
        let start = Instant::now();
        fail(&breaker, start);
        let later = start + COOL_DOWN;
        drop(breaker.admit(later).unwrap());
        assert!(breaker.admit(later).unwrap().is_trial());
    }

    #[test]
    fn late_answers_do_not_close_an_open_breaker() {
        let breaker = Breaker::new(1, COOL_DOWN);
        let start = Instant::now();
        let early = breaker.admit(start).unwrap();
        fail(&breaker, start);
        early.settle(false, start);
        assert_eq!(breaker.admit(start).unwrap_err(), Refused);
    }
}

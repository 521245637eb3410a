//! Counting wrong attempts at one authenticator, and the temporary block they lead to.
//!
//! Rules implemented here (MitID's help pages): after the 3rd wrong code in a row the code viewer
//! or code reader is temporarily blocked "for a short period"; wrong passwords and app PINs also
//! lead to a temporary block. The real counts (other than 3 for codes) and block lengths are not
//! published, so both are a [`LockoutPolicy`] the broker configures per authenticator.
//!
//! Decisions where the sources are silent:
//! - A block ends by itself at `blocked_until`, after which counting starts again from zero.
//! - While blocked, the code is not checked at all, so an attempt is refused without counting
//!   and without extending the block ([`FailureOutcome::StillBlocked`] tells the caller so).
//!   Extending it would let anyone who knows a user ID keep that person locked out for ever.
//! - A success resets the count of failures in a row but lifts no block: the caller checks
//!   [`Lockout::is_blocked`] before it checks a code. Only time or [`Lockout::unblock`] (the
//!   control API) ends a block.
//! - An attempt is counted before it is checked ([`Lockout::reserve`], written before the
//!   check), so attempts in parallel cannot pass the limit; a right one then takes its count
//!   back ([`Lockout::succeed`]), lifting the block only if it set that block itself.

use serde::{Deserialize, Serialize};

use crate::clock::UnixTime;

/// How many wrong attempts in a row block an authenticator, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockoutPolicy {
    /// Wrong attempts in a row that block; at least 1 (0 counts as 1).
    pub max_failures: u32,
    /// How long a block lasts, in seconds.
    pub block_seconds: u64,
}

impl LockoutPolicy {
    /// MitID's code viewer and code reader: blocked after the 3rd wrong code in a row.
    pub const DEFAULT_MAX_FAILURES: u32 = 3;
    /// The real block is "a short period"; 15 minutes is this simulator's guess.
    pub const DEFAULT_BLOCK_SECONDS: u64 = 15 * 60;

    fn threshold(&self) -> u32 {
        self.max_failures.max(1)
    }
}

impl Default for LockoutPolicy {
    fn default() -> LockoutPolicy {
        LockoutPolicy {
            max_failures: LockoutPolicy::DEFAULT_MAX_FAILURES,
            block_seconds: LockoutPolicy::DEFAULT_BLOCK_SECONDS,
        }
    }
}

/// The wrong-attempt state of one authenticator: pure data, stored as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Lockout {
    /// Wrong attempts in a row since the last success or block.
    pub failures: u32,
    /// When a block ends (Unix seconds); blocked while `now` is before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked_until: Option<UnixTime>,
}

/// What a wrong attempt did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureOutcome {
    /// Counted; this many more wrong attempts in a row are allowed before a block.
    Counted { attempts_left: u32 },
    /// This attempt was the last allowed: blocked until then.
    NowBlocked { until: UnixTime },
    /// Already blocked: the attempt was neither checked nor counted, and the block is unchanged.
    StillBlocked { until: UnixTime },
}

impl Lockout {
    /// Whether the authenticator is blocked at `now`.
    pub fn is_blocked(&self, now: UnixTime) -> bool {
        self.block_end(now).is_some()
    }

    /// When the block in force at `now` ends; `None` when not blocked.
    pub fn block_end(&self, now: UnixTime) -> Option<UnixTime> {
        self.blocked_until.filter(|until| now < *until)
    }

    /// Seconds until the block ends, for "try again in ..."; 0 when not blocked.
    pub fn seconds_blocked(&self, now: UnixTime) -> u64 {
        self.block_end(now).map_or(0, |until| until.abs_diff(now))
    }

    /// Records a wrong attempt at `now`.
    pub fn record_failure(&mut self, now: UnixTime, policy: &LockoutPolicy) -> FailureOutcome {
        if let Some(until) = self.block_end(now) {
            return FailureOutcome::StillBlocked { until };
        }
        if self.blocked_until.take().is_some() {
            // The block has run out: counting starts again.
            self.failures = 0;
        }
        self.failures = self.failures.saturating_add(1);
        let threshold = policy.threshold();
        if self.failures >= threshold {
            let until = self.block(now, policy);
            FailureOutcome::NowBlocked { until }
        } else {
            FailureOutcome::Counted {
                attempts_left: threshold - self.failures,
            }
        }
    }

    /// Records a right attempt: the count of failures in a row starts again. A block in force
    /// stays (see the module documentation).
    pub fn record_success(&mut self) {
        self.failures = 0;
    }

    /// Counts an attempt at `now` before it is checked, as if it were wrong: what it will have
    /// been if it is. [`FailureOutcome::StillBlocked`]: do not check it.
    pub fn reserve(&mut self, now: UnixTime, policy: &LockoutPolicy) -> FailureOutcome {
        self.record_failure(now, policy)
    }

    /// The attempt reserved as `reserved` was right: the count starts again, and the block that
    /// attempt set (it was the last one allowed) is lifted; any other block stays.
    pub fn succeed(&mut self, reserved: FailureOutcome) {
        self.record_success();
        if let FailureOutcome::NowBlocked { until } = reserved {
            if self.blocked_until == Some(until) {
                self.blocked_until = None;
            }
        }
    }

    /// Blocks from `now` for the policy's duration (also the control API's "block"); returns
    /// when the block ends.
    pub fn block(&mut self, now: UnixTime, policy: &LockoutPolicy) -> UnixTime {
        let length = UnixTime::try_from(policy.block_seconds).unwrap_or(UnixTime::MAX);
        let until = now.saturating_add(length);
        self.failures = 0;
        self.blocked_until = Some(until);
        until
    }

    /// Gives back an attempt reserved as `reserved` that turned out to be neither right nor
    /// wrong (a spent code): the count is as before it, and the block it set is lifted.
    pub fn release(&mut self, reserved: FailureOutcome, policy: &LockoutPolicy) {
        match reserved {
            FailureOutcome::Counted { .. } => self.failures = self.failures.saturating_sub(1),
            FailureOutcome::NowBlocked { until } if self.blocked_until == Some(until) => {
                self.blocked_until = None;
                self.failures = policy.threshold() - 1;
            }
            FailureOutcome::NowBlocked { .. } | FailureOutcome::StillBlocked { .. } => {}
        }
    }

    /// Lifts any block and forgets the failures (the control API's "unblock").
    pub fn unblock(&mut self) {
        *self = Lockout::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: UnixTime = 1_700_000_000;

    fn policy() -> LockoutPolicy {
        LockoutPolicy {
            max_failures: 3,
            block_seconds: 300,
        }
    }

    #[test]
    fn default_policy_blocks_after_three_for_fifteen_minutes() {
        let policy = LockoutPolicy::default();
        assert_eq!(policy.max_failures, 3);
        assert_eq!(policy.block_seconds, 900);
    }

    #[test]
    fn a_released_attempt_leaves_the_count_and_block_as_before() {
        let mut lockout = Lockout::default();
        let first = lockout.reserve(T0, &policy());
        lockout.release(first, &policy());
        assert_eq!(lockout, Lockout::default());
        lockout.record_failure(T0, &policy());
        lockout.record_failure(T0, &policy());
        let before = lockout;
        // The last attempt allowed blocks when reserved, and unblocks when released.
        let last = lockout.reserve(T0, &policy());
        assert_eq!(last, FailureOutcome::NowBlocked { until: T0 + 300 });
        lockout.release(last, &policy());
        assert_eq!(lockout, before);
        assert!(!lockout.is_blocked(T0));
        // A block set by someone else stays.
        lockout.block(T0, &policy());
        let blocked = lockout;
        lockout.release(FailureOutcome::NowBlocked { until: T0 - 1 }, &policy());
        assert_eq!(lockout, blocked);
    }

    #[test]
    fn three_wrong_in_a_row_block() {
        let mut lockout = Lockout::default();
        assert_eq!(
            lockout.record_failure(T0, &policy()),
            FailureOutcome::Counted { attempts_left: 2 }
        );
        assert_eq!(
            lockout.record_failure(T0 + 1, &policy()),
            FailureOutcome::Counted { attempts_left: 1 }
        );
        assert!(!lockout.is_blocked(T0 + 1));
        assert_eq!(
            lockout.record_failure(T0 + 2, &policy()),
            FailureOutcome::NowBlocked { until: T0 + 302 }
        );
        assert!(lockout.is_blocked(T0 + 2));
        assert_eq!(lockout.seconds_blocked(T0 + 2), 300);
    }

    #[test]
    fn a_reserved_attempt_that_is_right_takes_its_count_and_its_block_back() {
        let mut lockout = Lockout::default();
        lockout.record_failure(T0, &policy());
        let reserved = lockout.reserve(T0, &policy());
        assert_eq!(reserved, FailureOutcome::Counted { attempts_left: 1 });
        lockout.succeed(reserved);
        assert_eq!(lockout, Lockout::default());

        // The last attempt allowed blocks while it is checked; right, it lifts that block.
        lockout.record_failure(T0, &policy());
        lockout.record_failure(T0, &policy());
        let last = lockout.reserve(T0, &policy());
        assert_eq!(last, FailureOutcome::NowBlocked { until: T0 + 300 });
        assert!(
            lockout.is_blocked(T0),
            "attempts in parallel are refused meanwhile"
        );
        assert_eq!(
            lockout.reserve(T0, &policy()),
            FailureOutcome::StillBlocked { until: T0 + 300 }
        );
        lockout.succeed(last);
        assert!(!lockout.is_blocked(T0));

        // A block someone else set (the control API) stays.
        let other = lockout.block(T0, &policy());
        lockout.succeed(FailureOutcome::NowBlocked { until: other - 1 });
        assert!(lockout.is_blocked(T0));
    }

    #[test]
    fn a_success_resets_the_count() {
        let mut lockout = Lockout::default();
        lockout.record_failure(T0, &policy());
        lockout.record_failure(T0, &policy());
        lockout.record_success();
        assert_eq!(lockout.failures, 0);
        assert_eq!(
            lockout.record_failure(T0, &policy()),
            FailureOutcome::Counted { attempts_left: 2 }
        );
        assert!(!lockout.is_blocked(T0));
    }

    #[test]
    fn the_block_ends_after_the_duration() {
        let mut lockout = Lockout::default();
        for _ in 0..3 {
            lockout.record_failure(T0, &policy());
        }
        assert!(lockout.is_blocked(T0 + 299));
        assert_eq!(lockout.seconds_blocked(T0 + 299), 1);
        assert!(!lockout.is_blocked(T0 + 300));
        assert_eq!(lockout.seconds_blocked(T0 + 300), 0);
    }

    #[test]
    fn counting_starts_again_after_a_block_ends() {
        let mut lockout = Lockout::default();
        for _ in 0..3 {
            lockout.record_failure(T0, &policy());
        }
        assert_eq!(
            lockout.record_failure(T0 + 300, &policy()),
            FailureOutcome::Counted { attempts_left: 2 }
        );
        assert_eq!(lockout.blocked_until, None);
        assert!(!lockout.is_blocked(T0 + 300));
    }

    #[test]
    fn failures_while_blocked_neither_count_nor_extend_the_block() {
        let mut lockout = Lockout::default();
        for _ in 0..3 {
            lockout.record_failure(T0, &policy());
        }
        let before = lockout;
        for now in [T0 + 1, T0 + 100, T0 + 299] {
            assert_eq!(
                lockout.record_failure(now, &policy()),
                FailureOutcome::StillBlocked { until: T0 + 300 }
            );
        }
        assert_eq!(lockout, before);
        assert!(!lockout.is_blocked(T0 + 300));
    }

    #[test]
    fn a_success_does_not_lift_a_block() {
        let mut lockout = Lockout::default();
        for _ in 0..3 {
            lockout.record_failure(T0, &policy());
        }
        lockout.record_success();
        assert!(lockout.is_blocked(T0 + 1));
    }

    #[test]
    fn unblock_lifts_the_block_and_forgets_failures() {
        let mut lockout = Lockout::default();
        for _ in 0..3 {
            lockout.record_failure(T0, &policy());
        }
        lockout.unblock();
        assert!(!lockout.is_blocked(T0 + 1));
        assert_eq!(lockout, Lockout::default());
    }

    #[test]
    fn block_by_hand_lasts_the_policy_duration() {
        let mut lockout = Lockout::default();
        lockout.block(T0, &policy());
        assert_eq!(lockout.block_end(T0), Some(T0 + 300));
    }

    #[test]
    fn a_policy_of_one_failure_blocks_at_once_and_zero_counts_as_one() {
        for max_failures in [0, 1] {
            let policy = LockoutPolicy {
                max_failures,
                block_seconds: 60,
            };
            let mut lockout = Lockout::default();
            assert_eq!(
                lockout.record_failure(T0, &policy),
                FailureOutcome::NowBlocked { until: T0 + 60 }
            );
        }
    }

    #[test]
    fn an_enormous_block_saturates_instead_of_overflowing() {
        let policy = LockoutPolicy {
            max_failures: 1,
            block_seconds: u64::MAX,
        };
        let mut lockout = Lockout::default();
        lockout.record_failure(T0, &policy);
        assert_eq!(lockout.blocked_until, Some(UnixTime::MAX));
    }

    #[test]
    fn serde_round_trips_and_omits_an_absent_block() {
        let fresh = Lockout::default();
        assert_eq!(serde_json::to_string(&fresh).unwrap(), r#"{"failures":0}"#);
        let mut lockout = Lockout::default();
        lockout.block(T0, &policy());
        let json = serde_json::to_string(&lockout).unwrap();
        assert_eq!(serde_json::from_str::<Lockout>(&json).unwrap(), lockout);
        let policy_json = serde_json::to_string(&policy()).unwrap();
        assert_eq!(
            serde_json::from_str::<LockoutPolicy>(&policy_json).unwrap(),
            policy()
        );
    }
}

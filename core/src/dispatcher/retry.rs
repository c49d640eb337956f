//! Retry policy: exponential backoff (backon computes the capped exponential) with full jitter,
//! `Retry-After` honoured, a bounded number of attempts.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use rand::Rng;

use crate::config::RetryConfig;

/// When to try again, and when to give up.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub initial: Duration,
    pub max: Duration,
}

/// The longest `Retry-After` honoured; longer answers are capped so a delivery is never parked
/// for days by one header.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

impl From<RetryConfig> for RetryPolicy {
    fn from(c: RetryConfig) -> Self {
        Self {
            max_attempts: c.max_attempts,
            initial: c.initial_backoff.0,
            max: c.max_backoff.0,
        }
    }
}

impl RetryPolicy {
    /// `true` when `attempts_made` (since the last replay) leaves no attempt.
    #[must_use]
    pub fn exhausted(&self, attempts_made: u32) -> bool {
        attempts_made >= self.max_attempts
    }

    /// The ceiling of the backoff after the `attempt`-th failed attempt (1-based):
    /// `min(max, initial * 2^(attempt-1))`.
    #[must_use]
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let mut steps = ExponentialBuilder::default()
            .with_min_delay(self.initial)
            .with_max_delay(self.max)
            .with_factor(2.0)
            .without_max_times()
            .build();
        let n = usize::try_from(attempt.max(1) - 1).unwrap_or(usize::MAX);
        let d = steps.nth(n).unwrap_or(self.max).min(self.max);
        // backon computes in floating point; whole microseconds are what the store keeps.
        Duration::from_micros(u64::try_from((d.as_nanos() + 500) / 1000).unwrap_or(u64::MAX))
    }

    /// The delay before the next attempt: uniform in `[0, ceiling]` (full jitter), but never
    /// sooner than the partner's `Retry-After`.
    #[must_use]
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let ceiling = self.ceiling(attempt);
        let jittered =
            Duration::from_micros(rand::rng().random_range(0..=u64::try_from(ceiling.as_micros()).unwrap_or(u64::MAX)));
        match retry_after {
            Some(after) => jittered.max(after.min(MAX_RETRY_AFTER)),
            None => jittered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            initial: Duration::from_millis(100),
            max: Duration::from_secs(1),
        }
    }

    #[test]
    fn ceiling_grows_exponentially_and_is_capped() {
        let p = policy();
        assert_eq!(p.ceiling(1), Duration::from_millis(100));
        assert_eq!(p.ceiling(2), Duration::from_millis(200));
        assert_eq!(p.ceiling(4), Duration::from_millis(800));
        assert_eq!(p.ceiling(9), Duration::from_secs(1));
    }

    #[test]
    fn delay_is_within_ceiling_and_honours_retry_after() {
        let p = policy();
        for attempt in 1..8 {
            assert!(p.delay(attempt, None) <= p.ceiling(attempt));
            assert!(p.delay(attempt, Some(Duration::from_secs(2))) >= Duration::from_secs(2));
        }
        assert!(p.exhausted(5) && !p.exhausted(4));
    }
}

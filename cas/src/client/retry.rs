//! When to try again: exponential back-off with jitter, bounded by a number
//! of attempts and a total deadline, and the server's `Retry-After`.

use std::time::{Duration, SystemTime};

/// How delays are randomised, so that many clients do not retry in step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Jitter {
    /// The exact exponential delay.
    None,
    /// Uniform in `[0, delay]` ("full jitter").
    #[default]
    Full,
    /// Uniform in `[delay / 2, delay]`.
    Equal,
}

/// Retries of retryable failures (408, 429, 502, 503, 504, transport errors).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included (1: never retry).
    pub max_attempts: u32,
    /// Delay before the first retry; doubled for each further one.
    pub base_delay: Duration,
    /// Upper bound of the exponential delay (not of `Retry-After`).
    pub max_delay: Duration,
    /// Total time for all attempts and waits of one message.
    pub deadline: Duration,
    /// Randomisation of the exponential delay.
    pub jitter: Jitter,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            deadline: Duration::from_secs(120),
            jitter: Jitter::Full,
        }
    }
}

impl RetryPolicy {
    /// No retries: one attempt.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The back-off before retry number `retry` (1-based), jitter applied.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        let exp = self.base_delay.saturating_mul(factor).min(self.max_delay);
        match self.jitter {
            Jitter::None => exp,
            Jitter::Full => exp.mul_f64(fastrand::f64()),
            Jitter::Equal => exp / 2 + (exp / 2).mul_f64(fastrand::f64()),
        }
    }
}

/// A `Retry-After` value (delay-seconds or HTTP-date) as a delay from `now`;
/// a date in the past means "now". `None` if unparsable.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse::<u64>().ok().map(Duration::from_secs);
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(30))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            deadline: Duration::from_secs(60),
            jitter: Jitter::None,
        };
        assert_eq!(p.backoff(1), Duration::from_millis(100));
        assert_eq!(p.backoff(3), Duration::from_millis(400));
        assert_eq!(p.backoff(10), Duration::from_secs(1));
        assert_eq!(p.backoff(u32::MAX), Duration::from_secs(1));
        let full = RetryPolicy {
            jitter: Jitter::Full,
            ..p.clone()
        };
        assert!(full.backoff(2) <= Duration::from_millis(200));
        let equal = RetryPolicy {
            jitter: Jitter::Equal,
            ..p
        };
        let d = equal.backoff(2);
        assert!(d >= Duration::from_millis(100) && d <= Duration::from_millis(200));
    }
}

//! Time as the client sees it: injectable so tests can run retries without
//! real sleeps (tokio's paused time, or a clock that only records delays).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

/// A future returned by [`Clock::sleep`].
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The source of time for deadlines, `Retry-After` dates and back-off sleeps.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Monotonic now, for the total deadline.
    fn now(&self) -> Instant;
    /// Wall-clock now, to turn a `Retry-After` HTTP-date into a delay.
    fn wall(&self) -> SystemTime;
    /// Waits `d` before the next attempt.
    fn sleep(&self, d: Duration) -> Sleep;
}

/// tokio's clock: real time, or paused time under `tokio::time::pause()`.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioClock;

impl Clock for TokioClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
    fn wall(&self) -> SystemTime {
        SystemTime::now()
    }
    fn sleep(&self, d: Duration) -> Sleep {
        Box::pin(tokio::time::sleep(d))
    }
}

/// A virtual clock for tests: `sleep` returns at once, records the delay and
/// moves this clock (monotonic and wall) forward by it, so deadlines and
/// `Retry-After` behave as if the time had passed.
#[derive(Clone, Debug)]
pub struct RecordingClock {
    inner: Arc<Mutex<Recorded>>,
}

#[derive(Debug)]
struct Recorded {
    start: Instant,
    wall_start: SystemTime,
    elapsed: Duration,
    delays: Vec<Duration>,
}

impl RecordingClock {
    /// A clock starting at the current time.
    pub fn new() -> Self {
        RecordingClock {
            inner: Arc::new(Mutex::new(Recorded {
                start: Instant::now(),
                wall_start: SystemTime::now(),
                elapsed: Duration::ZERO,
                delays: Vec::new(),
            })),
        }
    }

    /// Every delay requested so far, in order.
    pub fn delays(&self) -> Vec<Duration> {
        self.lock(|r| r.delays.clone())
    }

    fn lock<R>(&self, f: impl FnOnce(&mut Recorded) -> R) -> R {
        // A poisoned lock only means another test thread panicked; the data is plain.
        let mut g = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut g)
    }
}

impl Default for RecordingClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for RecordingClock {
    fn now(&self) -> Instant {
        self.lock(|r| r.start + r.elapsed)
    }
    fn wall(&self) -> SystemTime {
        self.lock(|r| r.wall_start + r.elapsed)
    }
    fn sleep(&self, d: Duration) -> Sleep {
        self.lock(|r| {
            r.delays.push(d);
            r.elapsed += d;
        });
        Box::pin(tokio::task::yield_now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn tokio_clock_follows_paused_time() {
        let c = TokioClock;
        let t0 = c.now();
        c.sleep(Duration::from_secs(3600)).await;
        assert!(c.now().duration_since(t0) >= Duration::from_secs(3600));
    }

    #[tokio::test]
    async fn recording_clock_moves_by_the_delays_it_records() {
        let c = RecordingClock::new();
        let (t0, w0) = (c.now(), c.wall());
        c.sleep(Duration::from_secs(7)).await;
        c.sleep(Duration::from_millis(250)).await;
        assert_eq!(
            c.delays(),
            [Duration::from_secs(7), Duration::from_millis(250)]
        );
        assert_eq!(c.now().duration_since(t0), Duration::from_millis(7250));
        assert_eq!(
            c.wall().duration_since(w0).ok(),
            Some(Duration::from_millis(7250))
        );
    }
}

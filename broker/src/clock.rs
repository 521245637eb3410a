//! The injected clock. Nothing else in the broker reads the wall clock (clippy's
//! `disallowed_methods` enforces it), so every expiry can be tested by moving a [`ManualClock`].

use std::sync::atomic::{AtomicI64, Ordering};

/// Seconds since the Unix epoch.
pub type UnixTime = i64;

pub trait Clock: Send + Sync {
    fn now(&self) -> UnixTime;
    fn is_controllable(&self) -> bool {
        false
    }
    /// Moves a controllable clock forward to `to` when it is behind (another replica moved the
    /// clock they share); the real clock ignores it.
    fn catch_up(&self, _to: UnixTime) {}
}

/// The real time.
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> UnixTime {
        wall_clock()
    }
}

#[allow(clippy::disallowed_methods)]
fn wall_clock() -> UnixTime {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A clock that stands still until told to move; starts at the real time unless given one.
pub struct ManualClock {
    now: AtomicI64,
}

impl ManualClock {
    pub fn new(start: UnixTime) -> ManualClock {
        ManualClock {
            now: AtomicI64::new(start),
        }
    }
    pub fn starting_now() -> ManualClock {
        ManualClock::new(wall_clock())
    }
    /// Moves the clock forward by `seconds`; returns the new time.
    pub fn advance(&self, seconds: i64) -> UnixTime {
        self.now.fetch_add(seconds, Ordering::SeqCst) + seconds
    }
}

impl Clock for ManualClock {
    fn now(&self) -> UnixTime {
        self.now.load(Ordering::SeqCst)
    }
    fn is_controllable(&self) -> bool {
        true
    }
    fn catch_up(&self, to: UnixTime) {
        self.now.fetch_max(to, Ordering::SeqCst);
    }
}

/// A monotonic stopwatch: how long something took (the request log's timings), in
/// microseconds. It never tells the time of day, so it cannot stand in for the [`Clock`]:
/// nothing may decide anything by it, and tests never assert its readings.
#[derive(Debug, Clone, Copy)]
pub struct Stopwatch(std::time::Instant);

impl Stopwatch {
    #[allow(clippy::disallowed_methods)] // a duration, never a time: see the type's comment
    pub fn start() -> Stopwatch {
        Stopwatch(std::time::Instant::now())
    }

    /// Microseconds since [`Stopwatch::start`].
    pub fn elapsed_us(&self) -> u64 {
        u64::try_from(self.0.elapsed().as_micros()).unwrap_or(u64::MAX)
    }
}

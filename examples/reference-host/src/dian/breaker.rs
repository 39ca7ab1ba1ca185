//! A circuit breaker: after `failures` calls in a row fail, no request is sent for `open`;
//! then one probe is let through, and its outcome closes the breaker or opens it again.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The breaker's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    /// Requests pass.
    #[default]
    Closed,
    /// One probe is out; the rest wait for its outcome.
    HalfOpen,
    /// No request passes.
    Open,
}

impl BreakerState {
    /// 0 closed, 1 half-open, 2 open (the metric's value).
    pub fn level(self) -> f64 {
        match self {
            BreakerState::Closed => 0.0,
            BreakerState::HalfOpen => 1.0,
            BreakerState::Open => 2.0,
        }
    }
}

#[derive(Debug)]
enum Inner {
    Closed { failures: u32 },
    Open { until: Instant },
    HalfOpen,
}

/// The breaker.
#[derive(Debug)]
pub struct Breaker {
    threshold: u32,
    open_for: Duration,
    inner: Mutex<Inner>,
}

impl Breaker {
    /// A closed breaker that opens after `threshold` failures in a row, for `open_for`.
    pub fn new(threshold: u32, open_for: Duration) -> Breaker {
        Breaker {
            threshold: threshold.max(1),
            open_for,
            inner: Mutex::new(Inner::Closed { failures: 0 }),
        }
    }

    /// Lets a call through, or answers how long until one may try.
    pub fn allow(&self) -> Result<(), Duration> {
        let mut inner = self.lock();
        match *inner {
            Inner::Closed { .. } => Ok(()),
            Inner::Open { until } => {
                let now = Instant::now();
                if now >= until {
                    *inner = Inner::HalfOpen;
                    Ok(())
                } else {
                    Err(until - now)
                }
            }
            // A probe is out: the others wait for it (about one request's time).
            Inner::HalfOpen => Err(Duration::from_secs(1)),
        }
    }

    /// A call succeeded: the breaker closes.
    pub fn success(&self) {
        *self.lock() = Inner::Closed { failures: 0 };
    }

    /// A call failed: a probe's failure, or the `threshold`th in a row, opens the breaker.
    pub fn failure(&self) {
        let mut inner = self.lock();
        let failures = match *inner {
            Inner::Closed { failures } => failures + 1,
            Inner::HalfOpen | Inner::Open { .. } => self.threshold,
        };
        *inner = if failures >= self.threshold {
            Inner::Open {
                until: Instant::now() + self.open_for,
            }
        } else {
            Inner::Closed { failures }
        };
    }

    /// A call ended without a word on the service (it never got its turn): a probe's slot
    /// goes to the next call.
    pub fn release(&self) {
        let mut inner = self.lock();
        if matches!(*inner, Inner::HalfOpen) {
            *inner = Inner::Open {
                until: Instant::now(),
            };
        }
    }

    /// The state now.
    pub fn state(&self) -> BreakerState {
        match *self.lock() {
            Inner::Closed { .. } => BreakerState::Closed,
            Inner::HalfOpen => BreakerState::HalfOpen,
            Inner::Open { until } if Instant::now() < until => BreakerState::Open,
            // Open past its time: the next call is the probe.
            Inner::Open { .. } => BreakerState::HalfOpen,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_opens_after_the_threshold_probes_once_and_closes_on_success() {
        let b = Breaker::new(3, Duration::from_millis(50));
        b.failure();
        b.failure();
        assert!(b.allow().is_ok());
        b.success();
        b.failure();
        b.failure();
        assert_eq!(
            b.state(),
            BreakerState::Closed,
            "the success reset the count"
        );
        b.failure();
        assert_eq!(b.state(), BreakerState::Open);
        assert!(b.allow().is_err());
        std::thread::sleep(Duration::from_millis(60));
        assert!(b.allow().is_ok(), "the probe");
        assert!(b.allow().is_err(), "one probe at a time");
        b.failure();
        assert_eq!(
            b.state(),
            BreakerState::Open,
            "a failed probe opens it again"
        );
        std::thread::sleep(Duration::from_millis(60));
        assert!(b.allow().is_ok());
        b.success();
        assert_eq!(b.state(), BreakerState::Closed);
        assert!(b.allow().is_ok());
    }
}

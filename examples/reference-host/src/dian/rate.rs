//! The service's rate limit (1,000 requests an hour), shared by every call of the process:
//! a call over the limit waits its turn, first come first served, rather than fail; only a
//! wait longer than the caller allows fails.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use super::AuthorityError;

/// At most `limit` requests in any `window`.
#[derive(Debug)]
pub struct RateLimit {
    limit: u32,
    window: Duration,
    sent: Mutex<VecDeque<Instant>>,
}

impl RateLimit {
    /// `per_hour` requests an hour.
    pub fn per_hour(per_hour: u32) -> RateLimit {
        RateLimit::new(per_hour, Duration::from_secs(3600))
    }

    /// `limit` requests in any `window`.
    pub fn new(limit: u32, window: Duration) -> RateLimit {
        RateLimit {
            limit: limit.max(1),
            window,
            sent: Mutex::new(VecDeque::new()),
        }
    }

    /// Waits for a request slot (in arrival order), for at most `max_wait`; answers how
    /// long it waited.
    pub async fn acquire(&self, max_wait: Duration) -> Result<Duration, AuthorityError> {
        let started = Instant::now();
        // The lock is fair: callers take slots in the order they asked.
        let mut sent = self.sent.lock().await;
        loop {
            let now = Instant::now();
            while sent
                .front()
                .is_some_and(|t| now.duration_since(*t) >= self.window)
            {
                sent.pop_front();
            }
            if sent.len() < self.limit as usize {
                sent.push_back(now);
                return Ok(now - started);
            }
            let free_at = sent.front().map_or(now, |t| *t + self.window);
            if free_at - started > max_wait {
                return Err(AuthorityError::RateLimited {
                    per_hour: self.per_hour_equivalent(),
                    waited_seconds: max_wait.as_secs(),
                });
            }
            tokio::time::sleep_until(free_at).await;
        }
    }

    fn per_hour_equivalent(&self) -> u32 {
        let per_second = f64::from(self.limit) / self.window.as_secs_f64().max(1e-9);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        {
            (per_second * 3600.0).round() as u32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn over_the_limit_a_call_waits_its_turn_and_fails_only_past_its_wait() {
        let limit = RateLimit::new(2, Duration::from_secs(10));
        assert_eq!(limit.acquire(Duration::ZERO).await, Ok(Duration::ZERO));
        tokio::time::advance(Duration::from_secs(5)).await;
        assert_eq!(limit.acquire(Duration::ZERO).await, Ok(Duration::ZERO));
        let waited = limit.acquire(Duration::from_secs(30)).await.unwrap();
        assert_eq!(
            waited,
            Duration::from_secs(5),
            "queued until the first slot freed"
        );
        let refused = limit.acquire(Duration::from_secs(1)).await;
        assert!(matches!(refused, Err(AuthorityError::RateLimited { .. })));
    }
}

//! The service's rate limit (1,000 requests an hour), shared by every call of the process and,
//! on a shared state, by every process of the deployment: a call over the limit waits its
//! turn (first come first served within a process) rather than fail; only a wait longer than
//! the caller allows fails.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use super::AuthorityError;
use crate::capability::State;

/// The limit: `limit` requests a `window`.
#[derive(Debug)]
pub struct RateLimit {
    limit: u32,
    window: Duration,
    /// This process's requests in the window (when no state shares the limit).
    sent: Mutex<VecDeque<Instant>>,
    /// The state every process takes its slots from, and the limit's name there.
    shared: Option<(Arc<dyn State>, String)>,
}

impl RateLimit {
    /// `per_hour` requests an hour, for this process.
    pub fn per_hour(per_hour: u32) -> RateLimit {
        RateLimit::new(per_hour, Duration::from_secs(3600))
    }

    /// `limit` requests a `window`, for this process.
    pub fn new(limit: u32, window: Duration) -> RateLimit {
        RateLimit {
            limit: limit.max(1),
            window,
            sent: Mutex::new(VecDeque::new()),
            shared: None,
        }
    }

    /// The same limit shared through `state` under `name` by every process using it.
    #[must_use]
    pub fn shared(mut self, state: Arc<dyn State>, name: &str) -> RateLimit {
        self.shared = Some((state, name.to_string()));
        self
    }

    /// Waits for a slot (at most `max_wait`) and takes it; answers how long it waited.
    pub async fn acquire(&self, max_wait: Duration) -> Result<Duration, AuthorityError> {
        let started = Instant::now();
        // The lock is fair: callers take slots in the order they asked.
        let mut sent = self.sent.lock().await;
        if let Some((state, name)) = &self.shared {
            loop {
                match state.take_slot(name, self.limit, self.window).await {
                    Ok(None) => return Ok(started.elapsed()),
                    Ok(Some(free_in)) => {
                        if started.elapsed() + free_in > max_wait {
                            return Err(self.refused(max_wait));
                        }
                        tokio::time::sleep(free_in).await;
                    }
                    Err(e) => {
                        // The shared count is out of reach: this process keeps its own.
                        tracing::warn!(error = %e, "shared rate limit unavailable; counting locally");
                        break;
                    }
                }
            }
        }
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
                return Err(self.refused(max_wait));
            }
            tokio::time::sleep_until(free_at).await;
        }
    }

    fn refused(&self, max_wait: Duration) -> AuthorityError {
        AuthorityError::RateLimited {
            per_hour: self.per_hour_equivalent(),
            waited_seconds: max_wait.as_secs(),
        }
    }

    /// The limit as requests an hour, for messages.
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

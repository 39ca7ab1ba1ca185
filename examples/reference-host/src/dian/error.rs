//! Why the authority could not answer.

/// Why DIAN's service gave no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorityError {
    /// Every attempt failed (timeouts, refused connections, 5xx, 429).
    #[error("DIAN's service did not answer {what} after {attempts} attempts: {last}")]
    Unavailable {
        /// The call.
        what: String,
        /// How many attempts were made.
        attempts: u32,
        /// The last attempt's failure.
        last: String,
    },
    /// The breaker is open after repeated failures: no request is sent for a while.
    #[error(
        "DIAN's service failed repeatedly; requests resume in {seconds} s (circuit breaker open)"
    )]
    BreakerOpen {
        /// Seconds until a probe is let through.
        seconds: u64,
    },
    /// No request slot within the wait allowed.
    #[error("DIAN's limit of {per_hour} requests an hour leaves no slot within {waited_seconds} s")]
    RateLimited {
        /// The limit.
        per_hour: u32,
        /// How long the call was willing to wait.
        waited_seconds: u64,
    },
    /// The token endpoint refused the client's credentials.
    #[error("DIAN refused the client's credentials: {0}")]
    Credentials(String),
    /// The service refused the request itself (a 4xx other than 401 and 429).
    #[error("DIAN answered {status} to {what}: {body}")]
    Refused {
        /// The call.
        what: String,
        /// The HTTP status.
        status: u16,
        /// The start of the answer's body.
        body: String,
    },
    /// The answer could not be read.
    #[error("DIAN's answer to {what} is not understood: {message}")]
    Malformed {
        /// The call.
        what: String,
        /// What is wrong with it.
        message: String,
    },
}

impl AuthorityError {
    /// The stable code: `DIAN_UNAVAILABLE`, `DIAN_BREAKER_OPEN`, `DIAN_RATE_LIMITED`,
    /// `DIAN_CREDENTIALS`, `DIAN_REFUSED` or `DIAN_MALFORMED`.
    pub fn code(&self) -> &'static str {
        match self {
            AuthorityError::Unavailable { .. } => "DIAN_UNAVAILABLE",
            AuthorityError::BreakerOpen { .. } => "DIAN_BREAKER_OPEN",
            AuthorityError::RateLimited { .. } => "DIAN_RATE_LIMITED",
            AuthorityError::Credentials(_) => "DIAN_CREDENTIALS",
            AuthorityError::Refused { .. } => "DIAN_REFUSED",
            AuthorityError::Malformed { .. } => "DIAN_MALFORMED",
        }
    }

    /// True when the service itself is failing (it counts against the breaker, and a
    /// cached answer may stand in).
    pub fn is_outage(&self) -> bool {
        matches!(
            self,
            AuthorityError::Unavailable { .. }
                | AuthorityError::BreakerOpen { .. }
                | AuthorityError::RateLimited { .. }
        )
    }
}

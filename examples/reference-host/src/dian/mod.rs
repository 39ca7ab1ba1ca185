//! DIAN's classification and compliance service, behind the [`Authority`] trait: answered
//! offline from the library by default ([`OfflineAuthority`]), or over HTTP with the seed's
//! behaviours ([`HttpAuthority`]: OAuth 2.0 client credentials, 1,000 requests an hour that
//! queue, a 30 s timeout, three attempts with jittered backoff, a circuit breaker, and
//! answers cached for 7 days and used when the service is down). [`check`] puts a
//! registration to the authority; an invoice it cannot check goes to review with the reason.

mod answer;
mod breaker;
mod cache;
mod check;
mod client;
mod configured;
mod error;
mod offline;
mod rate;
mod token;

pub use answer::{Answer, Classification, Compliance, ComplianceRequest, Source};
pub use breaker::{Breaker, BreakerState};
pub use cache::AnswerCache;
pub use check::{DianCheck, Verdict, check};
pub use client::{HttpAuthority, HttpSettings};
pub use configured::configured;
pub use error::AuthorityError;
pub use offline::OfflineAuthority;
pub use rate::RateLimit;
pub use token::TokenSource;

use async_trait::async_trait;

/// What the authority's health looks like to the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct AuthorityStats {
    /// The circuit breaker (closed for the offline authority).
    pub breaker: BreakerState,
    /// Answers taken from the cache without a request.
    pub cache_hits: u64,
    /// Cached answers used because the service was down.
    pub fallbacks: u64,
    /// Requests sent (each attempt).
    pub requests: u64,
    /// Requests that failed (each attempt).
    pub failures: u64,
}

/// DIAN's service as the host uses it: the seed's three calls.
#[async_trait]
pub trait Authority: Send + Sync + std::fmt::Debug {
    /// `GET /classification/validate/{code}`: is the subpartida valid.
    async fn validate_classification(
        &self,
        code: &str,
    ) -> Result<Answer<Classification>, AuthorityError>;

    /// `GET /products/lookup?code=`: the product DIAN knows under `code`, when it knows one.
    async fn lookup_product(
        &self,
        code: &str,
    ) -> Result<Answer<Option<serde_json::Value>>, AuthorityError>;

    /// `POST /compliance/validate`: does the invoice comply.
    async fn validate_compliance(
        &self,
        request: &ComplianceRequest,
    ) -> Result<Answer<Compliance>, AuthorityError>;

    /// `offline` or `http`.
    fn mode(&self) -> &'static str;

    /// The breaker and the counters, for the metrics.
    fn stats(&self) -> AuthorityStats {
        AuthorityStats::default()
    }
}

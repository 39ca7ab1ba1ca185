//! DIAN's service over HTTP with the seed's behaviours: a cached OAuth token, the shared
//! rate limit, a timeout a request, three attempts with jittered exponential backoff, a
//! circuit breaker, and answers cached for 7 days (a classification is answered from the
//! cache while fresh; a compliance answer is used only when the service is down).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;

use super::{
    Answer, AnswerCache, Authority, AuthorityError, AuthorityStats, Breaker, Classification,
    Compliance, ComplianceRequest, RateLimit, Source, TokenSource,
};

/// How to reach the service, and how patient to be with it.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpSettings {
    /// The API's base (`https://api.dian.gov.co/v1`).
    pub base_url: String,
    /// `GET`, with `{code}` for the subpartida.
    pub classification_path: String,
    /// `GET`, with `?code=`.
    pub lookup_path: String,
    /// `POST`, with the invoice as JSON.
    pub compliance_path: String,
    /// The OAuth token endpoint.
    pub token_url: String,
    /// The client's id.
    pub client_id: String,
    /// The client's secret.
    pub client_secret: String,
    /// The scope asked for, when the service wants one.
    pub scope: Option<String>,
    /// Requests a `rate_window`, all calls of the process together.
    pub requests_per_hour: u32,
    /// The rate limit's window (an hour; shorter only to try it out).
    pub rate_window: Duration,
    /// The longest a call waits for a request slot before it gives up.
    pub max_wait: Duration,
    /// One request's timeout.
    pub timeout: Duration,
    /// Attempts a call.
    pub attempts: u32,
    /// The first retry's delay (doubled each retry, jittered).
    pub backoff: Duration,
    /// Calls failed in a row that open the breaker.
    pub breaker_failures: u32,
    /// How long the breaker stays open.
    pub breaker_open: Duration,
    /// How long before its expiry a token is renewed.
    pub renew_before: Duration,
}

/// The longest a 429's `Retry-After` is honoured before the next attempt.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// The HTTP authority.
#[derive(Debug)]
pub struct HttpAuthority {
    settings: HttpSettings,
    agent: ureq::Agent,
    token: Arc<TokenSource>,
    breaker: Breaker,
    rate: RateLimit,
    cache: AnswerCache,
    cache_hits: AtomicU64,
    fallbacks: AtomicU64,
    requests: AtomicU64,
    failures: AtomicU64,
}

/// What one request came back with.
enum Reply {
    /// A 2xx with its JSON (null for a 404 of a lookup).
    Answer(serde_json::Value),
    /// The token was refused: fetch another and try again.
    Unauthorized,
    /// Worth another attempt (after this long, when the service said).
    Retry(String, Option<Duration>),
}

impl HttpAuthority {
    /// The authority with `settings`, caching in `cache`, its rate limit this process's.
    pub fn new(settings: HttpSettings, cache: AnswerCache) -> HttpAuthority {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(settings.timeout))
            .http_status_as_error(false)
            .build()
            .into();
        let token = Arc::new(TokenSource::new(
            settings.token_url.clone(),
            settings.client_id.clone(),
            settings.client_secret.clone(),
            settings.scope.clone(),
            settings.renew_before,
        ));
        HttpAuthority {
            breaker: Breaker::new(settings.breaker_failures, settings.breaker_open),
            rate: RateLimit::new(settings.requests_per_hour, settings.rate_window),
            agent,
            token,
            cache,
            settings,
            cache_hits: AtomicU64::new(0),
            fallbacks: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            failures: AtomicU64::new(0),
        }
    }

    /// The same, its rate limit shared through `state` by every process using it.
    #[must_use]
    pub fn sharing_limit(mut self, state: Arc<dyn crate::capability::State>) -> HttpAuthority {
        self.rate = RateLimit::new(self.settings.requests_per_hour, self.settings.rate_window)
            .shared(state, "dian");
        self
    }

    /// One call: through the breaker and the rate limit, retried with backoff. The breaker
    /// hears of the call's end whatever it is: a service that answered is up, one that did
    /// not (or answered nonsense) is failing, and a call that never got its turn says nothing.
    async fn call(
        &self,
        what: &str,
        path: String,
        body: Option<serde_json::Value>,
    ) -> Result<serde_json::Value, AuthorityError> {
        self.breaker
            .allow()
            .map_err(|wait| AuthorityError::BreakerOpen {
                seconds: wait.as_secs().max(1),
            })?;
        let result = self.attempts(what, path, body).await;
        match &result {
            Err(AuthorityError::Unavailable { .. } | AuthorityError::Malformed { .. }) => {
                self.breaker.failure();
            }
            Err(AuthorityError::RateLimited { .. } | AuthorityError::BreakerOpen { .. }) => {
                self.breaker.release();
            }
            Ok(_) | Err(_) => self.breaker.success(),
        }
        result
    }

    /// The attempts of one call.
    async fn attempts(
        &self,
        what: &str,
        path: String,
        body: Option<serde_json::Value>,
    ) -> Result<serde_json::Value, AuthorityError> {
        let attempts = self.settings.attempts.max(1);
        let mut last = String::new();
        let mut refreshed = false;
        let mut attempt = 1;
        while attempt <= attempts {
            self.rate.acquire(self.settings.max_wait).await?;
            self.requests.fetch_add(1, Ordering::Relaxed);
            match self.send(path.clone(), body.clone()).await {
                Ok(Reply::Answer(value)) => return Ok(value),
                Ok(Reply::Unauthorized) if !refreshed => {
                    // An expired or revoked token: a fresh one, at once, once.
                    self.token.invalidate();
                    refreshed = true;
                    last = "the token was refused (401)".into();
                    continue;
                }
                Ok(Reply::Unauthorized) => {
                    return Err(AuthorityError::Credentials(
                        "a fresh token was refused too (401)".into(),
                    ));
                }
                Ok(Reply::Retry(why, after)) => {
                    self.failures.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(call = what, attempt, error = %why, "DIAN request failed");
                    last = why;
                    if attempt < attempts {
                        let delay = after.unwrap_or_else(|| self.backoff(attempt));
                        tokio::time::sleep(delay).await;
                    }
                }
                Err(e) => {
                    if matches!(e, AuthorityError::Malformed { .. }) {
                        self.failures.fetch_add(1, Ordering::Relaxed);
                    }
                    return Err(e);
                }
            }
            attempt += 1;
        }
        Err(AuthorityError::Unavailable {
            what: what.to_string(),
            attempts,
            last,
        })
    }

    /// The delay before retry `attempt`: the backoff doubled each time, between half of it
    /// and all of it.
    fn backoff(&self, attempt: u32) -> Duration {
        let full = self.settings.backoff * 2u32.saturating_pow(attempt - 1);
        let mut byte = [0u8; 1];
        let _ = getrandom::fill(&mut byte);
        full / 2 + full / 2 * u32::from(byte[0]) / 255
    }

    /// One request, on the blocking pool.
    async fn send(
        &self,
        path: String,
        body: Option<serde_json::Value>,
    ) -> Result<Reply, AuthorityError> {
        let agent = self.agent.clone();
        let token = Arc::clone(&self.token);
        let url = format!("{}{path}", self.settings.base_url.trim_end_matches('/'));
        tokio::task::spawn_blocking(move || request(&agent, &token, &url, body.as_ref()))
            .await
            .map_err(|e| AuthorityError::Unavailable {
                what: path,
                attempts: 1,
                last: e.to_string(),
            })?
    }

    /// `value` parsed as `T`, or the malformed-answer error naming `what`.
    fn parse<T: serde::de::DeserializeOwned>(
        what: &str,
        value: serde_json::Value,
    ) -> Result<T, AuthorityError> {
        serde_json::from_value(value).map_err(|e| AuthorityError::Malformed {
            what: what.to_string(),
            message: e.to_string(),
        })
    }

    async fn cached(&self, key: &str) -> Option<(serde_json::Value, String)> {
        match self.cache.get(key).await {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!(key, error = %e, "DIAN cache unreadable");
                None
            }
        }
    }

    async fn keep(&self, key: &str, value: &serde_json::Value) {
        if let Err(e) = self.cache.put(key, value).await {
            tracing::warn!(key, error = %e, "DIAN cache not written");
        }
    }
}

fn request(
    agent: &ureq::Agent,
    token: &TokenSource,
    url: &str,
    body: Option<&serde_json::Value>,
) -> Result<Reply, AuthorityError> {
    let bearer = match token.get(agent) {
        Ok(t) => t,
        Err(AuthorityError::Unavailable { last, .. }) => {
            return Ok(Reply::Retry(format!("token: {last}"), None));
        }
        Err(e) => return Err(e),
    };
    let authorization = format!("Bearer {bearer}");
    let sent = match body {
        Some(body) => agent
            .post(url)
            .header("Authorization", &authorization)
            .header("Accept", "application/json")
            .send_json(body),
        None => agent
            .get(url)
            .header("Authorization", &authorization)
            .header("Accept", "application/json")
            .call(),
    };
    let mut response = match sent {
        Ok(r) => r,
        Err(e) => return Ok(Reply::Retry(e.to_string(), None)),
    };
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|s| Duration::from_secs(s).min(MAX_RETRY_AFTER));
    let text = match response
        .body_mut()
        .with_config()
        .limit(1024 * 1024)
        .read_to_string()
    {
        Ok(text) => text,
        Err(e) => return Ok(Reply::Retry(e.to_string(), None)),
    };
    match status {
        200..=299 => {
            serde_json::from_str(&text)
                .map(Reply::Answer)
                .map_err(|e| AuthorityError::Malformed {
                    what: url.to_string(),
                    message: e.to_string(),
                })
        }
        401 => Ok(Reply::Unauthorized),
        404 if body.is_none() && url.contains('?') => Ok(Reply::Answer(serde_json::Value::Null)),
        429 => Ok(Reply::Retry("429 Too Many Requests".into(), retry_after)),
        500..=599 => Ok(Reply::Retry(format!("{status}: {}", excerpt(&text)), None)),
        _ => Err(AuthorityError::Refused {
            what: url.to_string(),
            status,
            body: excerpt(&text),
        }),
    }
}

/// The start of an answer's body, for a message.
pub(super) fn excerpt(text: &str) -> String {
    text.chars().take(200).collect()
}

/// `text` escaped for a URL's path or query.
fn escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[async_trait]
impl Authority for HttpAuthority {
    async fn validate_classification(
        &self,
        code: &str,
    ) -> Result<Answer<Classification>, AuthorityError> {
        let key = format!("dian:{code}");
        let what = format!("classification {code}");
        if let Some((value, at)) = self.cached(&key).await {
            self.cache_hits.fetch_add(1, Ordering::Relaxed);
            return Ok(Answer {
                value: Self::parse(&what, value)?,
                source: Source::Cache,
                answered_at: at,
            });
        }
        let path = self
            .settings
            .classification_path
            .replace("{code}", &escape(code));
        let value = self.call(&what, path, None).await?;
        let answer: Classification = Self::parse(&what, value.clone())?;
        self.keep(&key, &value).await;
        Ok(Answer {
            value: answer,
            source: Source::Live,
            answered_at: crate::ids::now_rfc3339(),
        })
    }

    async fn lookup_product(
        &self,
        code: &str,
    ) -> Result<Answer<Option<serde_json::Value>>, AuthorityError> {
        let key = format!("dian:product:{code}");
        if let Some((value, at)) = self.cached(&key).await {
            self.cache_hits.fetch_add(1, Ordering::Relaxed);
            return Ok(Answer {
                value: (!value.is_null()).then_some(value),
                source: Source::Cache,
                answered_at: at,
            });
        }
        let path = format!("{}?code={}", self.settings.lookup_path, escape(code));
        let value = self.call(&format!("product {code}"), path, None).await?;
        self.keep(&key, &value).await;
        Ok(Answer {
            value: (!value.is_null()).then_some(value),
            source: Source::Live,
            answered_at: crate::ids::now_rfc3339(),
        })
    }

    async fn validate_compliance(
        &self,
        request: &ComplianceRequest,
    ) -> Result<Answer<Compliance>, AuthorityError> {
        let key = format!("dian:compliance:{}", request.key);
        let what = format!("compliance of {}", request.key);
        let path = self.settings.compliance_path.clone();
        match self.call(&what, path, Some(request.body.clone())).await {
            Ok(value) => {
                let answer: Compliance = Self::parse(&what, value.clone())?;
                self.keep(&key, &value).await;
                Ok(Answer {
                    value: answer,
                    source: Source::Live,
                    answered_at: crate::ids::now_rfc3339(),
                })
            }
            Err(e) if e.is_outage() => match self.cached(&key).await {
                Some((value, at)) => {
                    self.fallbacks.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(call = %what, error = %e, "DIAN down: its answer of {at} stands in");
                    Ok(Answer {
                        value: Self::parse(&what, value)?,
                        source: Source::Fallback,
                        answered_at: at,
                    })
                }
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    fn mode(&self) -> &'static str {
        "http"
    }

    fn stats(&self) -> AuthorityStats {
        AuthorityStats {
            breaker: self.breaker.state(),
            cache_hits: self.cache_hits.load(Ordering::Relaxed),
            fallbacks: self.fallbacks.load(Ordering::Relaxed),
            requests: self.requests.load(Ordering::Relaxed),
            failures: self.failures.load(Ordering::Relaxed),
        }
    }
}

//! The authority the configuration's `[dian]` section chooses; the HTTP client's rate limit
//! is shared through the host's state by every process of the deployment.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::{AnswerCache, Authority, HttpAuthority, HttpSettings, OfflineAuthority};
use crate::capability::State;
use crate::config::{Config, ConfigError};
use crate::engine::Engine;
use crate::host::StartError;

/// The authority of `config`: offline over `engine`, or the HTTP client with its cache.
pub fn configured(
    config: &Config,
    engine: &Arc<OnceLock<Arc<Engine>>>,
    state: &Arc<dyn State>,
) -> Result<Arc<dyn Authority>, StartError> {
    let dian = &config.dian;
    match dian.mode.as_str() {
        "offline" => Ok(Arc::new(OfflineAuthority::new(Arc::clone(engine)))),
        "http" => {
            let secret = match (&dian.client_secret, &dian.client_secret_file) {
                (Some(secret), _) => secret.0.clone(),
                (None, Some(path)) => std::fs::read_to_string(path)
                    .map_err(|e| StartError::Io(format!("{}: {e}", path.display())))?
                    .trim()
                    .to_string(),
                (None, None) => String::new(),
            };
            if dian.client_id.is_empty() || secret.is_empty() {
                return Err(invalid(
                    "dian.client_id",
                    "the http mode needs client_id and client_secret (or client_secret_file)",
                ));
            }
            if dian.requests_per_hour == 0 || dian.attempts == 0 {
                return Err(invalid(
                    "dian.requests_per_hour",
                    "requests_per_hour and attempts must be at least 1",
                ));
            }
            let settings = HttpSettings {
                base_url: dian.base_url.clone(),
                classification_path: dian.classification_path.clone(),
                lookup_path: dian.lookup_path.clone(),
                compliance_path: dian.compliance_path.clone(),
                token_url: dian.token_url.clone(),
                client_id: dian.client_id.clone(),
                client_secret: secret,
                scope: dian.scope.clone(),
                requests_per_hour: dian.requests_per_hour,
                rate_window: Duration::from_secs(3600),
                max_wait: Duration::from_secs(dian.max_wait_seconds),
                timeout: Duration::from_secs(dian.timeout_seconds.max(1)),
                attempts: dian.attempts,
                backoff: Duration::from_millis(dian.backoff_milliseconds),
                breaker_failures: dian.breaker_failures.max(1),
                breaker_open: Duration::from_secs(dian.breaker_open_seconds),
                renew_before: Duration::from_secs(dian.renew_before_seconds),
            };
            let path = dian
                .cache_file
                .clone()
                .unwrap_or_else(|| config.data_dir.join("dian-cache.sqlite"));
            let cache = AnswerCache::open(&path, Duration::from_secs(dian.cache_days * 86_400))?;
            Ok(Arc::new(
                HttpAuthority::new(settings, cache).sharing_limit(Arc::clone(state)),
            ))
        }
        other => Err(invalid(
            "dian.mode",
            &format!("{other:?} is not offline or http"),
        )),
    }
}

fn invalid(origin: &str, message: &str) -> StartError {
    StartError::Config(ConfigError::Invalid {
        origin: origin.into(),
        message: message.into(),
    })
}

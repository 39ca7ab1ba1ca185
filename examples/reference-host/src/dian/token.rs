//! OAuth 2.0 client credentials: the access token is fetched once, kept, and fetched again a
//! while before it expires (or at once when the service says it is no longer valid).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine as _;

use super::AuthorityError;

#[derive(Debug, Clone)]
struct Token {
    value: String,
    renew_at: Instant,
}

/// Where tokens come from, and the one in use.
#[derive(Debug)]
pub struct TokenSource {
    url: String,
    client_id: String,
    client_secret: String,
    scope: Option<String>,
    renew_before: Duration,
    current: Mutex<Option<Token>>,
}

#[derive(Debug, serde::Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

impl TokenSource {
    /// Tokens from `url` for `client_id` and `client_secret` (HTTP Basic, as RFC 6749 asks),
    /// renewed `renew_before` their expiry.
    pub fn new(
        url: String,
        client_id: String,
        client_secret: String,
        scope: Option<String>,
        renew_before: Duration,
    ) -> TokenSource {
        TokenSource {
            url,
            client_id,
            client_secret,
            scope,
            renew_before,
            current: Mutex::new(None),
        }
    }

    /// The token in use, fetched first when there is none or it is about to expire
    /// (blocking: call it on the blocking pool).
    pub fn get(&self, agent: &ureq::Agent) -> Result<String, AuthorityError> {
        let mut current = self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(token) = current.as_ref()
            && Instant::now() < token.renew_at
        {
            return Ok(token.value.clone());
        }
        let token = self.fetch(agent)?;
        let value = token.value.clone();
        *current = Some(token);
        Ok(value)
    }

    /// Forgets the token (the service refused it).
    pub fn invalidate(&self) {
        *self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    fn fetch(&self, agent: &ureq::Agent) -> Result<Token, AuthorityError> {
        let basic = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", self.client_id, self.client_secret));
        let mut form = vec![("grant_type", "client_credentials")];
        if let Some(scope) = &self.scope {
            form.push(("scope", scope.as_str()));
        }
        let unavailable = |last: String| AuthorityError::Unavailable {
            what: "the token".into(),
            attempts: 1,
            last,
        };
        let mut response = agent
            .post(&self.url)
            .header("Authorization", &format!("Basic {basic}"))
            .config()
            .http_status_as_error(false)
            .build()
            .send_form(form)
            .map_err(|e| unavailable(e.to_string()))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(64 * 1024)
            .read_to_string()
            .map_err(|e| unavailable(e.to_string()))?;
        match status {
            200 => {}
            400 | 401 | 403 => {
                return Err(AuthorityError::Credentials(format!(
                    "{status}: {}",
                    super::client::excerpt(&body)
                )));
            }
            _ => return Err(unavailable(format!("token endpoint answered {status}"))),
        }
        let answer: TokenAnswer =
            serde_json::from_str(&body).map_err(|e| AuthorityError::Malformed {
                what: "the token".into(),
                message: e.to_string(),
            })?;
        let lifetime = Duration::from_secs(answer.expires_in.unwrap_or(3600));
        let renew_in = lifetime.saturating_sub(self.renew_before.min(lifetime / 2));
        Ok(Token {
            value: answer.access_token,
            renew_at: Instant::now() + renew_in,
        })
    }
}

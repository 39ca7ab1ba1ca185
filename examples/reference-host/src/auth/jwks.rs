//! RS256 tokens checked against the keys of a JSON Web Key Set (RFC 7517) fetched over HTTP(S),
//! as Cognito publishes them: fetched on first use, again when a token names a key not in the
//! set (keys rotate; at most once every 10 s), and every hour (keys are withdrawn).

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use rsa::{BigUint, Pkcs1v15Sign, RsaPublicKey};
use sha2::{Digest as _, Sha256};

use super::jwt::{Claims, TokenError, check_claims, decode_json, split};

/// How soon an unknown key may make the set be fetched again.
const REFETCH_AFTER: Duration = Duration::from_secs(10);
/// How old a fetched set may get.
const MAX_AGE: Duration = Duration::from_secs(3600);

/// A key set and the claims tokens must carry.
#[derive(Debug)]
pub struct Jwks {
    url: String,
    keys: RwLock<HashMap<String, RsaPublicKey>>,
    fetched: Mutex<Option<Instant>>,
    issuer: Option<String>,
    audience: Option<String>,
    roles_claim: String,
}

impl Jwks {
    /// The key set at `url`; tokens must carry `issuer` and `audience` when they are set.
    pub fn new(
        url: String,
        issuer: Option<String>,
        audience: Option<String>,
        roles_claim: String,
    ) -> Jwks {
        Jwks {
            url,
            keys: RwLock::new(HashMap::new()),
            fetched: Mutex::new(None),
            issuer,
            audience,
            roles_claim,
        }
    }

    /// Fetches the set now; answers how many RSA signing keys it holds.
    pub async fn refresh(&self) -> Result<usize, String> {
        let url = self.url.clone();
        let body = tokio::task::spawn_blocking(move || -> Result<String, String> {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .timeout_global(Some(Duration::from_secs(10)))
                .build()
                .into();
            agent
                .get(&url)
                .call()
                .map_err(|e| format!("{url}: {e}"))?
                .body_mut()
                .with_config()
                .limit(1024 * 1024)
                .read_to_string()
                .map_err(|e| format!("{url}: {e}"))
        })
        .await
        .map_err(|e| e.to_string())??;
        let keys = parse(&body)?;
        let count = keys.len();
        if let Ok(mut held) = self.keys.write() {
            *held = keys;
        }
        if let Ok(mut fetched) = self.fetched.lock() {
            *fetched = Some(Instant::now());
        }
        tracing::info!(url = %self.url, keys = count, "key set fetched");
        Ok(count)
    }

    fn key(&self, kid: &str) -> Option<RsaPublicKey> {
        self.keys.read().ok()?.get(kid).cloned()
    }

    fn fetched_within(&self, age: Duration) -> bool {
        self.fetched
            .lock()
            .ok()
            .and_then(|f| *f)
            .is_some_and(|at| at.elapsed() < age)
    }

    /// Verifies `token` at `now` (Unix seconds).
    pub async fn verify(&self, token: &str, now: i64) -> Result<Claims, TokenError> {
        let (header, payload, signature) = split(token)?;
        let header = decode_json(header)?;
        let alg = header
            .get("alg")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        if alg != "RS256" {
            return Err(TokenError::Algorithm(alg.to_string()));
        }
        let kid = header
            .get("kid")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        let stale = !self.fetched_within(MAX_AGE)
            || (self.key(&kid).is_none() && !self.fetched_within(REFETCH_AFTER));
        if stale && let Err(e) = self.refresh().await {
            tracing::warn!(error = %e, "the key set could not be fetched");
        }
        let key = self.key(&kid).ok_or(TokenError::UnknownKey)?;
        let signature = B64
            .decode(signature)
            .map_err(|e| TokenError::Malformed(e.to_string()))?;
        let digest = Sha256::digest(
            format!("{}.{payload}", token.split('.').next().unwrap_or_default()).as_bytes(),
        );
        key.verify(Pkcs1v15Sign::new::<Sha256>(), &digest, &signature)
            .map_err(|_| TokenError::Signature)?;
        let claims = decode_json(payload)?;
        check_claims(
            &claims,
            now,
            self.issuer.as_deref(),
            self.audience.as_deref(),
            &self.roles_claim,
        )
    }
}

/// The RSA signing keys of a JWKS document, by `kid`.
fn parse(text: &str) -> Result<HashMap<String, RsaPublicKey>, String> {
    let set: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("the key set: {e}"))?;
    let list = set
        .get("keys")
        .and_then(|k| k.as_array())
        .ok_or("the key set has no `keys`")?;
    let mut keys = HashMap::new();
    for key in list {
        let field = |name: &str| key.get(name).and_then(|v| v.as_str());
        if field("kty") != Some("RSA")
            || field("use").is_some_and(|u| u != "sig")
            || field("alg").is_some_and(|a| a != "RS256")
        {
            continue;
        }
        let (Some(kid), Some(n), Some(e)) = (field("kid"), field("n"), field("e")) else {
            continue;
        };
        let number = |b64: &str| B64.decode(b64).map(|bytes| BigUint::from_bytes_be(&bytes));
        let (Ok(n), Ok(e)) = (number(n), number(e)) else {
            continue;
        };
        if let Ok(public) = RsaPublicKey::new(n, e) {
            keys.insert(kid.to_string(), public);
        }
    }
    Ok(keys)
}

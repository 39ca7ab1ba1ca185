//! JSON Web Tokens (RFC 7519) signed with HS256: the host's own tokens.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac as _};
use sha2::Sha256;

use super::Role;

/// Why a token is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// No `Authorization: Bearer` header.
    #[error("no bearer token")]
    Missing,
    /// Not three base64url parts of JSON.
    #[error("the token is malformed: {0}")]
    Malformed(String),
    /// The algorithm is not the one configured.
    #[error("the token's algorithm {0:?} is not accepted")]
    Algorithm(String),
    /// The signature does not verify.
    #[error("the token's signature does not verify")]
    Signature,
    /// Expired, or not yet valid.
    #[error("the token has expired")]
    Expired,
    /// Issued by someone else, or for someone else.
    #[error("the token's {0} is not accepted")]
    Claim(&'static str),
    /// Signed with a key the key set does not hold.
    #[error("the token's key is not in the key set")]
    UnknownKey,
}

/// What a verified token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// Who.
    pub subject: String,
    /// The highest role among the token's roles.
    pub role: Option<Role>,
}

/// How tokens are verified.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// HS256 with a shared secret.
    Hs256 {
        /// The secret.
        secret: Vec<u8>,
        /// The `iss` required, when set.
        issuer: Option<String>,
        /// The `aud` required, when set.
        audience: Option<String>,
        /// The claim holding the roles.
        roles_claim: String,
    },
    /// RS256 with the keys of a JWKS.
    Jwks(std::sync::Arc<super::jwks::Jwks>),
}

impl KeySource {
    /// Verifies `token` at `now` (Unix seconds).
    pub async fn verify(&self, token: &str, now: i64) -> Result<Claims, TokenError> {
        let (secret, issuer, audience, roles_claim) = match self {
            KeySource::Jwks(jwks) => return jwks.verify(token, now).await,
            KeySource::Hs256 {
                secret,
                issuer,
                audience,
                roles_claim,
            } => (secret, issuer, audience, roles_claim),
        };
        let (header, payload, signature) = split(token)?;
        let header: serde_json::Value = decode_json(header)?;
        let alg = header
            .get("alg")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        if alg != "HS256" {
            return Err(TokenError::Algorithm(alg.to_string()));
        }
        let signature = B64
            .decode(signature)
            .map_err(|e| TokenError::Malformed(e.to_string()))?;
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| TokenError::Signature)?;
        mac.update(format!("{}.{}", token_prefix(token, 0), token_prefix(token, 1)).as_bytes());
        mac.verify_slice(&signature)
            .map_err(|_| TokenError::Signature)?;
        let claims: serde_json::Value = decode_json(payload)?;
        check_claims(
            &claims,
            now,
            issuer.as_deref(),
            audience.as_deref(),
            roles_claim,
        )
    }
}

fn token_prefix(token: &str, part: usize) -> &str {
    token.split('.').nth(part).unwrap_or_default()
}

/// The three parts of a compact token.
pub(crate) fn split(token: &str) -> Result<(&str, &str, &str), TokenError> {
    let mut parts = token.split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(header), Some(payload), Some(signature), None) => Ok((header, payload, signature)),
        _ => Err(TokenError::Malformed("not three parts".into())),
    }
}

pub(crate) fn decode_json(part: &str) -> Result<serde_json::Value, TokenError> {
    let bytes = B64
        .decode(part)
        .map_err(|e| TokenError::Malformed(e.to_string()))?;
    serde_json::from_slice(&bytes).map_err(|e| TokenError::Malformed(e.to_string()))
}

/// Checks expiry, issuer, audience, and reads the subject and roles.
pub(crate) fn check_claims(
    claims: &serde_json::Value,
    now: i64,
    issuer: Option<&str>,
    audience: Option<&str>,
    roles_claim: &str,
) -> Result<Claims, TokenError> {
    // A minute of leeway for clocks that differ.
    let exp = claims
        .get("exp")
        .and_then(serde_json::Value::as_i64)
        .ok_or(TokenError::Claim("exp"))?;
    if now > exp + 60 {
        return Err(TokenError::Expired);
    }
    if claims
        .get("nbf")
        .and_then(serde_json::Value::as_i64)
        .is_some_and(|nbf| now + 60 < nbf)
    {
        return Err(TokenError::Expired);
    }
    if let Some(issuer) = issuer
        && claims.get("iss").and_then(|v| v.as_str()) != Some(issuer)
    {
        return Err(TokenError::Claim("iss"));
    }
    if let Some(audience) = audience {
        let aud = claims.get("aud").or_else(|| claims.get("client_id"));
        let matches = match aud {
            Some(serde_json::Value::String(a)) => a == audience,
            Some(serde_json::Value::Array(list)) => {
                list.iter().any(|a| a.as_str() == Some(audience))
            }
            _ => false,
        };
        if !matches {
            return Err(TokenError::Claim("aud"));
        }
    }
    let role = match claims.get(roles_claim) {
        Some(serde_json::Value::String(r)) => Role::parse(r),
        Some(serde_json::Value::Array(list)) => list
            .iter()
            .filter_map(|r| r.as_str())
            .filter_map(Role::parse)
            .max(),
        _ => None,
    };
    Ok(Claims {
        subject: claims
            .get("sub")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string(),
        role,
    })
}

/// A token for `subject` with `role`, valid `seconds` from `now`, signed with `secret`.
pub fn issue_hs256(
    secret: &[u8],
    subject: &str,
    role: Role,
    now: i64,
    seconds: i64,
    issuer: Option<&str>,
) -> String {
    let header = B64.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let mut claims = serde_json::json!({
        "sub": subject,
        "roles": [role.name()],
        "iat": now,
        "exp": now + seconds,
    });
    if let Some(issuer) = issuer {
        claims["iss"] = issuer.into();
    }
    let payload = B64.encode(claims.to_string());
    let signing_input = format!("{header}.{payload}");
    let signature = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mut mac) => {
            mac.update(signing_input.as_bytes());
            B64.encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    };
    format!("{signing_input}.{signature}")
}

/// The secret in `path`, created (32 random bytes, hex, mode 0600) when there is none.
pub fn load_or_create_secret(path: &Path) -> std::io::Result<Vec<u8>> {
    match std::fs::read_to_string(path) {
        Ok(text) if !text.trim().is_empty() => return Ok(text.trim().as_bytes().to_vec()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    let secret = crate::ids::hex(&bytes);
    let temporary = path.with_extension("tmp");
    {
        use std::io::Write as _;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temporary)?;
        file.write_all(secret.as_bytes())?;
        file.sync_all()?;
    }
    // Another process may have created it meanwhile: the first one stays.
    match std::fs::hard_link(&temporary, path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    let _ = std::fs::remove_file(&temporary);
    Ok(std::fs::read_to_string(path)?.trim().as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> KeySource {
        KeySource::Hs256 {
            secret: b"s3cret".to_vec(),
            issuer: None,
            audience: None,
            roles_claim: "roles".into(),
        }
    }

    #[tokio::test]
    async fn an_issued_token_verifies_with_its_role() {
        let token = issue_hs256(b"s3cret", "ana", Role::Operator, 1_000, 3_600, None);
        let claims = source().verify(&token, 1_100).await.unwrap();
        assert_eq!(claims.subject, "ana");
        assert_eq!(claims.role, Some(Role::Operator));
    }

    #[tokio::test]
    async fn a_token_is_refused_expired_tampered_or_with_another_algorithm() {
        let token = issue_hs256(b"s3cret", "ana", Role::Viewer, 1_000, 60, None);
        assert_eq!(
            source().verify(&token, 2_000).await,
            Err(TokenError::Expired)
        );
        let other = issue_hs256(b"other", "ana", Role::Admin, 1_000, 60, None);
        assert_eq!(
            source().verify(&other, 1_000).await,
            Err(TokenError::Signature)
        );
        let none = format!(
            "{}.{}.",
            B64.encode(br#"{"alg":"none"}"#),
            token_prefix(&token, 1)
        );
        assert_eq!(
            source().verify(&none, 1_000).await,
            Err(TokenError::Algorithm("none".into()))
        );
        assert!(matches!(
            source().verify("x.y", 1_000).await,
            Err(TokenError::Malformed(_))
        ));
    }
}

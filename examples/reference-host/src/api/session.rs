//! The console's session: `GET /auth/me` (who the token says the caller is) and
//! `POST /auth/dev-token` (the development sign-in: a token for a chosen role, offered only
//! with `[auth] dev_sign_in`, the host's own HS256 secret and a loopback listener, and refused
//! to a request a proxy forwarded).

use std::sync::Arc;

use axum::extract::{Extension, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::json;
use crate::auth::{Permission, Role};
use crate::capability::Actor;
use crate::host::Host;
use crate::problem::Problem;

/// How long a development token lasts.
const DEV_TOKEN_HOURS: i64 = 8;

/// The development sign-in's request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevTokenRequest {
    /// `admin`, `operator`, `viewer` or `external` (viewer by default).
    #[serde(default)]
    role: Option<String>,
    /// Who signs in (the token's subject is `dev:<name>`).
    #[serde(default)]
    name: Option<String>,
}

/// True when the development sign-in is offered.
pub fn dev_sign_in_offered(host: &Host) -> bool {
    let loopback = host
        .config
        .listen
        .parse::<std::net::SocketAddr>()
        .is_ok_and(|a| a.ip().is_loopback())
        || host.config.listen.starts_with("localhost:");
    host.config.auth.dev_sign_in && host.secret.is_some() && loopback
}

/// `POST /auth/dev-token`.
pub async fn dev_token(
    State(host): State<Arc<Host>>,
    request: Request,
) -> Result<Response, Problem> {
    // A proxy in front of a loopback listener must not hand the sign-in to the world.
    let forwarded = ["forwarded", "x-forwarded-for", "x-real-ip"]
        .iter()
        .any(|h| request.headers().contains_key(*h));
    let secret = host
        .secret
        .as_ref()
        .filter(|_| dev_sign_in_offered(&host) && !forwarded);
    let Some(secret) = secret else {
        return Err(Problem::not_found(
            "the development sign-in (it needs the hs256 mode, [auth] dev_sign_in and a loopback listener)",
        ));
    };
    let body: DevTokenRequest = super::body::json(request).await?;
    let role_name = body.role.unwrap_or_else(|| "viewer".into());
    let role = Role::parse(&role_name).ok_or_else(|| {
        Problem::parameter(format!(
            "role {role_name:?} is not admin, operator, viewer or external"
        ))
    })?;
    let name = body.name.unwrap_or_else(|| role.name().to_string());
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(Problem::parameter("name: 1 to 64 characters"));
    }
    let subject = format!("dev:{name}");
    let token = crate::auth::issue_hs256(
        secret,
        &subject,
        role,
        chrono::Utc::now().timestamp(),
        DEV_TOKEN_HOURS * 3600,
        host.config.auth.issuer.as_deref(),
    );
    tracing::info!(%subject, role = role.name(), "development sign-in");
    Ok(json(
        StatusCode::OK,
        json!({
            "token": token,
            "subject": subject,
            "role": role.name(),
            "expires_in": DEV_TOKEN_HOURS * 3600,
        }),
    ))
}

/// `GET /auth/me`: the caller, its role and what the role may do.
pub async fn me(
    State(host): State<Arc<Host>>,
    Extension(actor): Extension<Actor>,
) -> Result<Response, Problem> {
    let role = actor.role.as_deref().and_then(Role::parse);
    let may = |p: Permission| role.is_some_and(|r| r.allows(p));
    Ok(json(
        StatusCode::OK,
        json!({
            "subject": actor.who,
            "role": role.map(Role::name),
            "may": {
                "read": may(Permission::Read),
                "write": may(Permission::Write),
                "admin": may(Permission::Admin),
            },
            "dev_sign_in": dev_sign_in_offered(&host),
        }),
    ))
}

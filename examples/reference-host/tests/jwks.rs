//! Production tokens: RS256 checked against a JWKS that the test serves on 127.0.0.1, as
//! Cognito serves its own (roles in `cognito:groups`, the issuer and client checked), keys
//! rotated.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use common::{TestHost, config, request, scratch};
use rsa::pkcs8::DecodePrivateKey as _;
use rsa::traits::PublicKeyParts as _;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use sha2::{Digest as _, Sha256};

const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TEST";

fn key(name: &str) -> RsaPrivateKey {
    let pem = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap();
    RsaPrivateKey::from_pkcs8_pem(&pem).unwrap()
}

fn jwk(kid: &str, key: &RsaPrivateKey) -> serde_json::Value {
    let public = key.to_public_key();
    serde_json::json!({
        "kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
        "n": B64.encode(public.n().to_bytes_be()),
        "e": B64.encode(public.e().to_bytes_be()),
    })
}

fn sign(kid: &str, key: &RsaPrivateKey, claims: &serde_json::Value) -> String {
    let header =
        B64.encode(serde_json::json!({"alg": "RS256", "kid": kid, "typ": "JWT"}).to_string());
    let input = format!("{header}.{}", B64.encode(claims.to_string()));
    let signature = key
        .sign(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(input.as_bytes()),
        )
        .unwrap();
    format!("{input}.{}", B64.encode(signature))
}

fn claims(groups: &[&str], issuer: &str) -> serde_json::Value {
    let now = chrono::Utc::now().timestamp();
    serde_json::json!({
        "sub": "5f1c-user", "iss": issuer, "client_id": "bmc-console", "token_use": "access",
        "cognito:groups": groups, "iat": now, "exp": now + 600,
    })
}

/// Serves `set` at `/.well-known/jwks.json`; answers the base address.
fn serve(set: Arc<Mutex<serde_json::Value>>) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let app = axum::Router::new().route(
                "/.well-known/jwks.json",
                axum::routing::get(move || {
                    let set = set.lock().unwrap().clone();
                    async move { axum::Json(set) }
                }),
            );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{}", rx.recv().unwrap())
}

#[test]
fn rs256_tokens_are_checked_against_the_key_set_and_its_rotation() {
    let (first, second) = (key("jwks-test-key.pem"), key("jwks-test-key-2.pem"));
    let set = Arc::new(Mutex::new(serde_json::json!({"keys": [jwk("k1", &first)]})));
    let jwks = serve(Arc::clone(&set));
    let data = scratch("jwks");
    let mut settings = config(&data);
    settings.auth.mode = "jwks".into();
    settings.auth.jwks_url = Some(format!("{jwks}/.well-known/jwks.json"));
    settings.auth.issuer = Some(ISSUER.into());
    settings.auth.audience = Some("bmc-console".into());
    settings.auth.roles_claim = "cognito:groups".into();
    let host = TestHost::start(settings);
    let call = |method: &str, path: &str, token: &str| {
        request(
            &host.base,
            method,
            path,
            Some(token),
            Some("application/json"),
            b"{}",
        )
        .0
    };

    let viewer = sign("k1", &first, &claims(&["BMC-Viewer"], ISSUER));
    let operator = sign(
        "k1",
        &first,
        &claims(&["BMC-Operator", "BMC-Viewer"], ISSUER),
    );
    let admin = sign("k1", &first, &claims(&["BMC-Admin"], ISSUER));
    assert_eq!(call("GET", "/invoices", &viewer), 200);
    assert_eq!(call("POST", "/certificates/generate", &viewer), 403);
    assert_eq!(
        call("POST", "/certificates/generate", &operator),
        400,
        "past the role check, refused for its body"
    );
    assert_eq!(call("GET", "/admin/queues", &operator), 403);
    assert_eq!(call("GET", "/admin/queues", &admin), 200);

    // Another issuer, another client, a key not in the set, an HS256 token, a changed payload.
    assert_eq!(
        call(
            "GET",
            "/invoices",
            &sign("k1", &first, &claims(&["BMC-Admin"], "https://elsewhere"))
        ),
        401
    );
    let mut other_client = claims(&["BMC-Admin"], ISSUER);
    other_client["client_id"] = "someone-else".into();
    assert_eq!(
        call("GET", "/invoices", &sign("k1", &first, &other_client)),
        401
    );
    assert_eq!(
        call(
            "GET",
            "/invoices",
            &sign("k2", &second, &claims(&["BMC-Admin"], ISSUER))
        ),
        401
    );
    let hs = bmc_host::auth::issue_hs256(
        b"guess",
        "x",
        bmc_host::auth::Role::Admin,
        chrono::Utc::now().timestamp(),
        600,
        Some(ISSUER),
    );
    assert_eq!(call("GET", "/invoices", &hs), 401);
    let mut parts: Vec<String> = viewer.split('.').map(str::to_string).collect();
    parts[1] = B64.encode(claims(&["BMC-Admin"], ISSUER).to_string());
    assert_eq!(call("GET", "/admin/queues", &parts.join(".")), 401);

    // The keys rotate: a token of the new key is accepted once the set is fetched again
    // (at most every 10 s on an unknown key).
    *set.lock().unwrap() = serde_json::json!({"keys": [jwk("k1", &first), jwk("k2", &second)]});
    let rotated = sign("k2", &second, &claims(&["BMC-Viewer"], ISSUER));
    common::wait_until(std::time::Duration::from_secs(30), || {
        call("GET", "/invoices", &rotated) == 200
    });
}

//! A fake of DIAN's service on 127.0.0.1: the OAuth 2.0 token endpoint and the seed's three
//! calls, able to answer slowly, with 429 or 500, refuse tokens it issued, or refuse the
//! client's credentials; it records every request it is sent.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use serde_json::{Value, json};

/// The client the fake knows.
pub const CLIENT_ID: &str = "bmc-registro";
/// Its secret.
pub const CLIENT_SECRET: &str = "s3cret";

/// How the fake answers an API request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// At once, correctly.
    Ok,
    /// After this long.
    Slow(Duration),
    /// 429 with `Retry-After: 1`.
    TooMany,
    /// 500.
    Failing,
}

/// One API request the fake was sent.
#[derive(Debug, Clone)]
pub struct Seen {
    /// When it arrived.
    pub at: Instant,
    /// Its path.
    pub path: String,
    /// What it answered.
    pub status: u16,
}

#[derive(Debug)]
struct Inner {
    mode: Mutex<Mode>,
    /// Modes for the next requests, before `mode`.
    next: Mutex<VecDeque<Mode>>,
    token_lifetime: AtomicU64,
    tokens_issued: AtomicU64,
    /// Tokens numbered below this are refused (401).
    valid_from: AtomicU64,
    seen: Mutex<Vec<Seen>>,
}

/// The running fake.
pub struct FakeDian {
    /// `http://127.0.0.1:port`.
    pub base: String,
    inner: Arc<Inner>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakeDian {
    /// Starts the fake, answering `Ok` with tokens good for an hour.
    pub fn start() -> FakeDian {
        let inner = Arc::new(Inner {
            mode: Mutex::new(Mode::Ok),
            next: Mutex::new(VecDeque::new()),
            token_lifetime: AtomicU64::new(3600),
            tokens_issued: AtomicU64::new(0),
            valid_from: AtomicU64::new(0),
            seen: Mutex::new(Vec::new()),
        });
        let app = axum::Router::new()
            .route("/oauth2/token", post(token))
            .route("/v1/classification/validate/{code}", get(classification))
            .route("/v1/products/lookup", get(lookup))
            .route("/v1/compliance/validate", post(compliance))
            .with_state(Arc::clone(&inner));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (address_tx, address_rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                address_tx.send(listener.local_addr().unwrap()).unwrap();
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await
                    .unwrap();
            });
            // Slow answers still sleeping are dropped with the runtime.
            runtime.shutdown_background();
        });
        let address = address_rx.recv().unwrap();
        FakeDian {
            base: format!("http://{address}"),
            inner,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// The API's base URL.
    pub fn api(&self) -> String {
        format!("{}/v1", self.base)
    }

    /// The token endpoint.
    pub fn token_url(&self) -> String {
        format!("{}/oauth2/token", self.base)
    }

    /// Answers every request this way from now on.
    pub fn set_mode(&self, mode: Mode) {
        *self.inner.mode.lock().unwrap() = mode;
        self.inner.next.lock().unwrap().clear();
    }

    /// Answers the next requests these ways, then as the mode says.
    pub fn then(&self, modes: &[Mode]) {
        self.inner
            .next
            .lock()
            .unwrap()
            .extend(modes.iter().copied());
    }

    /// Tokens issued from now on are good for `seconds`.
    pub fn set_token_lifetime(&self, seconds: u64) {
        self.inner.token_lifetime.store(seconds, Ordering::SeqCst);
    }

    /// Refuses every token issued so far (as an expired one is).
    pub fn expire_tokens(&self) {
        let issued = self.inner.tokens_issued.load(Ordering::SeqCst);
        self.inner.valid_from.store(issued + 1, Ordering::SeqCst);
    }

    /// Tokens issued so far.
    pub fn tokens_issued(&self) -> u64 {
        self.inner.tokens_issued.load(Ordering::SeqCst)
    }

    /// The API requests seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.inner.seen.lock().unwrap().clone()
    }
}

impl Drop for FakeDian {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn token(State(inner): State<Arc<Inner>>, headers: HeaderMap, body: String) -> Response {
    let expected =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if authorization != format!("Basic {expected}")
        || !body.contains("grant_type=client_credentials")
    {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    let number = inner.tokens_issued.fetch_add(1, Ordering::SeqCst) + 1;
    Json(json!({
        "access_token": format!("t{number}"),
        "token_type": "Bearer",
        "expires_in": inner.token_lifetime.load(Ordering::SeqCst),
    }))
    .into_response()
}

/// The checks every API request goes through: its token, then the mode. `None` lets it be
/// answered.
async fn gate(inner: &Inner, headers: &HeaderMap, path: String) -> Option<Response> {
    let token_number = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer t"))
        .and_then(|n| n.parse::<u64>().ok());
    let mode = inner
        .next
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or(*inner.mode.lock().unwrap());
    let answer = match token_number {
        Some(n) if n >= inner.valid_from.load(Ordering::SeqCst) => match mode {
            Mode::Ok => None,
            Mode::Slow(delay) => {
                tokio::time::sleep(delay).await;
                None
            }
            Mode::TooMany => Some(
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [("retry-after", "1")],
                    "slow down",
                )
                    .into_response(),
            ),
            Mode::Failing => {
                Some((StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response())
            }
        },
        _ => Some((StatusCode::UNAUTHORIZED, "invalid_token").into_response()),
    };
    inner.seen.lock().unwrap().push(Seen {
        at: Instant::now(),
        path,
        status: answer.as_ref().map_or(200, |r| r.status().as_u16()),
    });
    answer
}

/// A subpartida is valid when it has ten digits and does not start with 99.
async fn classification(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    if let Some(refused) = gate(&inner, &headers, format!("/classification/validate/{code}")).await
    {
        return refused;
    }
    let valid =
        code.len() == 10 && code.bytes().all(|b| b.is_ascii_digit()) && !code.starts_with("99");
    Json(json!({"code": code, "valid": valid, "description": valid.then_some("Subpartida")}))
        .into_response()
}

async fn lookup(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let code = query.get("code").cloned().unwrap_or_default();
    if let Some(refused) = gate(&inner, &headers, format!("/products/lookup?code={code}")).await {
        return refused;
    }
    if code == "7702001000001" {
        Json(json!({"code": code, "name": "Café verde en almendra"})).into_response()
    } else {
        (StatusCode::NOT_FOUND, "no such product").into_response()
    }
}

/// An invoice complies unless its CUFE is `incumple`.
async fn compliance(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refused) = gate(&inner, &headers, "/compliance/validate".into()).await {
        return refused;
    }
    if body["cufe"] == "incumple" {
        Json(json!({"compliant": false, "reasons": ["RUT_SUSPENDIDO"]})).into_response()
    } else {
        Json(json!({"compliant": true, "reasons": []})).into_response()
    }
}

//! bmc-host: the reference host. It runs the platform's services on bmc-core: uploads,
//! OCR, registration, commissions, certificates and mail, through durable queues and an
//! event outbox, behind JWT roles, with Prometheus metrics and an OpenAPI description.
//!
//! Every capability is a trait ([`capability`]); the embedded defaults ([`embedded`]) keep
//! everything on one machine under the data folder.

pub mod analytics;
pub mod api;
pub mod audit;
pub mod auth;
#[cfg(feature = "aws")]
pub mod aws;
pub mod capability;
pub mod config;
pub mod dian;
pub mod embedded;
pub mod engine;
pub mod exchange;
pub mod host;
pub mod ids;
pub mod intake;
pub mod metrics;
mod mime;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod problem;
pub mod retention;
pub mod routes;
pub mod work;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

pub use config::Config;
pub use host::{Capabilities, Host, StartError};

/// Serves the API on `listener` and runs the workers until `shutdown` resolves; then stops
/// taking requests and messages, finishes the work in flight (up to the configured grace),
/// delivers the outbox, and returns.
pub async fn run(
    host: Arc<Host>,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    open_engine(&host);
    let workers = work::start(&host);
    let daily = analytics::start_daily(&host);
    let exchange = exchange::start(&host);
    #[cfg(feature = "aws")]
    let catalog = aws::catalog_watch::start_configured(&host)
        .await
        .map_err(std::io::Error::other)?;
    let app = api::router(Arc::clone(&host));
    let stopping = Arc::clone(&host);
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down: finishing the work in flight");
            let _ = stopping.stopping.send(true);
        })
        .await?;
    let _ = host.stopping.send(true);
    let grace = Duration::from_secs(host.config.shutdown_grace_seconds);
    let all = async {
        for worker in workers {
            let _ = worker.await;
        }
    };
    if tokio::time::timeout(grace, all).await.is_err() {
        tracing::warn!(
            "work still in flight after the grace period; its messages will be received again"
        );
    }
    for task in [daily, exchange].into_iter().flatten() {
        task.abort();
    }
    #[cfg(feature = "aws")]
    if let Some(catalog) = catalog {
        catalog.abort();
    }
    tracing::info!("stopped");
    Ok(())
}

/// Opens the catalog (building its index on first use) and rules in the background; the
/// host answers `/health` meanwhile and `/ready` once they are open.
fn open_engine(host: &Arc<Host>) {
    let host = Arc::clone(host);
    tokio::spawn(async move {
        let config = host.config.clone();
        let started = std::time::Instant::now();
        match tokio::task::spawn_blocking(move || engine::Engine::open(&config)).await {
            Ok(Ok(engine)) => {
                tracing::info!(
                    products = engine.pipeline.catalog().get().len(),
                    seconds = started.elapsed().as_secs_f64(),
                    "catalog and rules open; ready"
                );
                let _ = host.engine.set(Arc::new(engine));
            }
            Ok(Err(e)) => {
                tracing::error!(code = e.code(), error = %e, "the catalog or rules could not be opened");
                let _ = host.engine_error.set(format!("{}: {e}", e.code()));
            }
            Err(e) => {
                let _ = host.engine_error.set(format!("HOST_INTERNAL: {e}"));
            }
        }
    });
}

//! A host following a published catalog (`[aws] catalog_source = "s3://bucket/prefix"`): it
//! polls the pointer, downloads a new release beside the index in use (checked byte for byte
//! and opened), swaps it in while requests run, and keeps the release before it for a
//! rollback. A release that fails to download or open is never swapped in; the host keeps the
//! index it has and tries again at the next poll.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::S3Location;
use super::catalog::{CatalogStore, Pointer};
use crate::capability::CapabilityError;
use crate::host::Host;

/// Starts following `[aws] catalog_source`, when it is set.
pub async fn start_configured(
    host: &Arc<Host>,
) -> Result<Option<tokio::task::JoinHandle<()>>, CapabilityError> {
    let Some(source) = host.config.aws.catalog_source.as_deref() else {
        return Ok(None);
    };
    let location = S3Location::parse(source)?;
    let sdk = super::sdk_config(&host.config.aws).await;
    let client = super::S3Storage::client(&sdk, super::s3_path_style(&sdk, &host.config.aws));
    Ok(Some(start(host, CatalogStore::new(client, location))))
}

/// Starts following the releases of `store`.
pub fn start(host: &Arc<Host>, store: CatalogStore) -> tokio::task::JoinHandle<()> {
    let host = Arc::clone(host);
    tokio::spawn(async move {
        let root = host.config.data_dir.join("catalogs");
        let every = Duration::from_secs(host.config.aws.catalog_poll_seconds.max(1));
        let mut in_use: Option<String> = None;
        let mut stopping = host.stopping.subscribe();
        loop {
            match follow(&host, &store, &root, &in_use).await {
                Ok(Some(release)) => in_use = Some(release),
                Ok(None) => {}
                Err(e) => {
                    host.metrics
                        .add("bmc_catalog_sync_failures_total", String::new(), 1.0);
                    tracing::warn!(error = %e, "catalog release not taken; the index in use stays");
                }
            }
            tokio::select! {
                () = tokio::time::sleep(every) => {}
                _ = stopping.changed() => return,
            }
        }
    })
}

/// Takes the pointer's release when it is not the one in use: answers it once swapped in.
async fn follow(
    host: &Arc<Host>,
    store: &CatalogStore,
    root: &Path,
    in_use: &Option<String>,
) -> Result<Option<String>, CapabilityError> {
    let Some((pointer, _)) = store.pointer().await? else {
        return Ok(None);
    };
    if in_use.as_deref() == Some(pointer.release.as_str()) {
        return Ok(None);
    }
    // The engine opens the local index first; a release is swapped into it once it is open.
    let Some(engine) = host.engine.get().cloned() else {
        return Ok(None);
    };
    tokio::fs::create_dir_all(root)
        .await
        .map_err(|e| CapabilityError::transient("catalog", format!("{}: {e}", root.display())))?;
    let dir = store.download(&pointer.release, root, &mut |_| {}).await?;
    let opened = dir.clone();
    let catalog = tokio::task::spawn_blocking(move || bmc_core::catalog::Catalog::open(&opened))
        .await
        .map_err(|e| CapabilityError::transient("catalog", e))?
        .map_err(|e| CapabilityError::permanent("catalog", format!("{}: {e}", dir.display())))?;
    let products = catalog.len();
    engine.pipeline.catalog().replace(catalog);
    host.metrics
        .add("bmc_catalog_swaps_total", String::new(), 1.0);
    tracing::info!(release = %pointer.release, products, folder = %dir.display(), "catalog release swapped in");
    let entry = crate::capability::NewAudit::new(
        &crate::capability::Actor::system("catalog"),
        "catalog.swapped",
        &pointer.release,
        serde_json::json!({"products": products, "previous": in_use}),
    );
    if let Err(e) = host.caps.state.audit(entry).await {
        tracing::warn!(error = %e, "catalog swap not audited");
    }
    prune(root, &pointer).await;
    Ok(Some(pointer.release))
}

/// Removes downloaded releases other than the pointer's and the one before it.
async fn prune(root: &Path, pointer: &Pointer) {
    let Ok(mut entries) = tokio::fs::read_dir(root).await else {
        return;
    };
    while let Ok(Some(entry)) = entries.next_entry().await {
        let name = entry.file_name().to_string_lossy().into_owned();
        let release = name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit());
        let kept = name == pointer.release || pointer.previous.as_deref() == Some(name.as_str());
        if release && !kept {
            let _ = tokio::fs::remove_dir_all(entry.path()).await;
        }
    }
}

//! Catalog indexes across machines, through S3: `bmc-host catalog publish INDEX
//! s3://bucket/prefix` uploads an index's files content-addressed (`objects/<sha256>`), then
//! its release (the list of files with their sizes and checksums, `releases/<sha256>.json`),
//! then moves the small pointer `CURRENT.json` to it with a conditional write; hosts poll the
//! pointer, download a new release beside the index in use, check every byte against the
//! release and open the index before swapping it in. Rolling back is moving the pointer to the
//! previous release.

use std::path::{Path, PathBuf};

use aws_sdk_s3::operation::get_object::GetObjectOutput;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt as _;

use super::{S3Location, sdk_error};
use crate::capability::CapabilityError;

/// Files larger than this go up in parts.
const PART_BYTES: u64 = 64 << 20;

/// The pointer's name under the prefix.
pub const POINTER: &str = "CURRENT.json";

/// One file of a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseFile {
    /// Its path in the index folder (`codes.fst`, `search/...`).
    pub name: String,
    /// Its size.
    pub bytes: u64,
    /// Its SHA-256; the object is `objects/<sha256>`.
    pub sha256: String,
}

/// A published index: every file of its folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    /// Always `bmc-catalog-release`.
    pub format: String,
    /// Products in the index.
    pub products: u64,
    /// When it was published (RFC 3339).
    pub published_at: String,
    /// The files.
    pub files: Vec<ReleaseFile>,
}

/// The pointer to the release in use, and the one before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pointer {
    /// The release's id: the SHA-256 of its JSON (`releases/<id>.json`).
    pub release: String,
    /// Its products.
    pub products: u64,
    /// The release in use before, for a rollback.
    pub previous: Option<String>,
    /// When the pointer moved (RFC 3339).
    pub moved_at: String,
}

/// What a publish or download is doing, for progress output.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// A file was uploaded (or was there already) or downloaded: its name, bytes, and how
    /// many of how many files are done.
    File {
        /// The file.
        name: String,
        /// Its size.
        bytes: u64,
        /// Whether it was already there.
        skipped: bool,
        /// Files done.
        done: usize,
        /// Files in all.
        total: usize,
    },
}

fn fail(message: impl std::fmt::Display) -> CapabilityError {
    CapabilityError::permanent("catalog", message)
}

/// `error` with the S3 key it happened at.
fn within(key: &str, mut error: CapabilityError) -> CapabilityError {
    error.message = format!("{key}: {}", error.message);
    error
}

fn io(path: &Path, e: std::io::Error) -> CapabilityError {
    CapabilityError::transient("catalog", format!("{}: {e}", path.display()))
}

/// Every file under `dir` (relative names with `/`), sorted.
fn files_of(dir: &Path) -> Result<Vec<String>, CapabilityError> {
    let mut names = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).map_err(|e| io(&folder, e))? {
            let entry = entry.map_err(|e| io(&folder, e))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| io(&path, e))?;
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file() {
                let name = path
                    .strip_prefix(dir)
                    .map_err(fail)?
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                names.push(name);
            }
        }
    }
    names.sort();
    Ok(names)
}

/// The size and SHA-256 of the file at `path`.
fn checksum(path: &Path) -> Result<(u64, String), CapabilityError> {
    let mut file = std::fs::File::open(path).map_err(|e| io(path, e))?;
    let mut hasher = Sha256::new();
    let bytes = std::io::copy(&mut file, &mut hasher).map_err(|e| io(path, e))?;
    Ok((bytes, crate::ids::hex(&hasher.finalize())))
}

/// An object's whole body.
async fn read_all(object: GetObjectOutput) -> Result<Vec<u8>, CapabilityError> {
    Ok(object
        .body
        .collect()
        .await
        .map_err(|e| CapabilityError::transient("catalog", e))?
        .into_bytes()
        .to_vec())
}

/// A release name must stay inside the folder it is written to.
fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && name
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// Releases and the pointer at one location.
#[derive(Debug, Clone)]
pub struct CatalogStore {
    client: aws_sdk_s3::Client,
    location: S3Location,
}

impl CatalogStore {
    /// The store at `location`.
    pub fn new(client: aws_sdk_s3::Client, location: S3Location) -> CatalogStore {
        CatalogStore { client, location }
    }

    /// Publishes the index in `index`: checks it opens and matches its manifest, uploads its
    /// files that are not there yet, then its release, then moves the pointer (refused when
    /// another publish moved it meanwhile). Answers the new pointer.
    pub async fn publish(
        &self,
        index: &Path,
        progress: &mut (dyn FnMut(Step) + Send),
    ) -> Result<Pointer, CapabilityError> {
        let dir = index.to_owned();
        let (products, files) = tokio::task::spawn_blocking(move || {
            let catalog = bmc_core::catalog::Catalog::open(&dir)
                .map_err(|e| fail(format!("{}: {e}", dir.display())))?;
            catalog
                .verify()
                .map_err(|e| fail(format!("{}: {e}", dir.display())))?;
            let mut files = Vec::new();
            for name in files_of(&dir)? {
                let (bytes, sha256) = checksum(&dir.join(&name))?;
                files.push(ReleaseFile {
                    name,
                    bytes,
                    sha256,
                });
            }
            Ok::<_, CapabilityError>((catalog.len(), files))
        })
        .await
        .map_err(fail)??;
        let total = files.len();
        for (i, file) in files.iter().enumerate() {
            let key = self.location.key(&format!("objects/{}", file.sha256));
            let there = self.exists(&key).await?;
            if !there {
                self.upload(&index.join(&file.name), &key, file.bytes)
                    .await?;
            }
            progress(Step::File {
                name: file.name.clone(),
                bytes: file.bytes,
                skipped: there,
                done: i + 1,
                total,
            });
        }
        let release = Release {
            format: "bmc-catalog-release".into(),
            products,
            published_at: crate::ids::now_rfc3339(),
            files,
        };
        let json = serde_json::to_vec_pretty(&release).map_err(fail)?;
        let id = crate::ids::sha256_hex(&json);
        self.client
            .put_object()
            .bucket(&self.location.bucket)
            .key(self.location.key(&format!("releases/{id}.json")))
            .content_type("application/json")
            .body(ByteStream::from(json))
            .send()
            .await
            .map_err(|e| sdk_error("catalog", e))?;
        let current = self.pointer().await?;
        let pointer = Pointer {
            release: id,
            products,
            previous: current.as_ref().map(|(p, _)| p.release.clone()),
            moved_at: crate::ids::now_rfc3339(),
        };
        self.move_pointer(&pointer, current.map(|(_, etag)| etag))
            .await?;
        Ok(pointer)
    }

    /// Moves the pointer back to the release before the current one.
    pub async fn rollback(&self) -> Result<Pointer, CapabilityError> {
        let (current, etag) = self
            .pointer()
            .await?
            .ok_or_else(|| fail("nothing is published there"))?;
        let previous = current
            .previous
            .clone()
            .ok_or_else(|| fail(format!("release {} has no previous one", current.release)))?;
        let release = self.release(&previous).await?;
        let pointer = Pointer {
            release: previous,
            products: release.products,
            previous: Some(current.release),
            moved_at: crate::ids::now_rfc3339(),
        };
        self.move_pointer(&pointer, Some(etag)).await?;
        Ok(pointer)
    }

    /// The pointer and its ETag, `None` when nothing was published.
    pub async fn pointer(&self) -> Result<Option<(Pointer, String)>, CapabilityError> {
        let Some(object) = self.get(&self.location.key(POINTER)).await? else {
            return Ok(None);
        };
        let etag = object.e_tag().unwrap_or_default().to_string();
        let bytes = read_all(object).await?;
        let pointer = serde_json::from_slice(&bytes)
            .map_err(|e| fail(format!("{POINTER} is not a catalog pointer: {e}")))?;
        Ok(Some((pointer, etag)))
    }

    /// The release `id`, checked against its id.
    pub async fn release(&self, id: &str) -> Result<Release, CapabilityError> {
        let key = self.location.key(&format!("releases/{id}.json"));
        let bytes = read_all(self.get_existing(&key).await?).await?;
        if crate::ids::sha256_hex(&bytes) != id {
            return Err(fail(format!("{key} does not match its id")));
        }
        let release: Release = serde_json::from_slice(&bytes)
            .map_err(|e| fail(format!("{key} is not a catalog release: {e}")))?;
        if let Some(bad) = release.files.iter().find(|f| !safe_name(&f.name)) {
            return Err(fail(format!("{key}: a file named {:?}", bad.name)));
        }
        Ok(release)
    }

    /// Downloads release `id` into `<root>/<id>` (unless a complete copy is there), checking
    /// every file's size and SHA-256 and opening the index; a download that fails leaves
    /// nothing under that name. Answers the folder.
    pub async fn download(
        &self,
        id: &str,
        root: &Path,
        progress: &mut (dyn FnMut(Step) + Send),
    ) -> Result<PathBuf, CapabilityError> {
        let target = root.join(id);
        if target.join("manifest.json").exists() {
            return Ok(target);
        }
        let release = self.release(id).await?;
        let partial = root.join(format!(".{id}.partial"));
        let _ = tokio::fs::remove_dir_all(&partial).await;
        let fetched = self.fetch_files(&release, &partial, progress).await;
        let opened = match fetched {
            Ok(()) => {
                let dir = partial.clone();
                let products = release.products;
                tokio::task::spawn_blocking(move || {
                    let catalog = bmc_core::catalog::Catalog::open(&dir)
                        .map_err(|e| fail(format!("release {}: {e}", dir.display())))?;
                    if catalog.len() != products {
                        return Err(fail(format!(
                            "{}: {} products, the release says {products}",
                            dir.display(),
                            catalog.len()
                        )));
                    }
                    Ok(())
                })
                .await
                .map_err(fail)?
            }
            Err(e) => Err(e),
        };
        if let Err(e) = opened {
            let _ = tokio::fs::remove_dir_all(&partial).await;
            return Err(e);
        }
        tokio::fs::rename(&partial, &target)
            .await
            .map_err(|e| io(&target, e))?;
        Ok(target)
    }

    async fn fetch_files(
        &self,
        release: &Release,
        dir: &Path,
        progress: &mut (dyn FnMut(Step) + Send),
    ) -> Result<(), CapabilityError> {
        let total = release.files.len();
        for (i, file) in release.files.iter().enumerate() {
            let path = dir.join(&file.name);
            if let Some(parent) = path.parent() {
                tokio::fs::create_dir_all(parent)
                    .await
                    .map_err(|e| io(parent, e))?;
            }
            let key = self.location.key(&format!("objects/{}", file.sha256));
            let mut object = self.get_existing(&key).await?;
            let mut out = tokio::fs::File::create(&path)
                .await
                .map_err(|e| io(&path, e))?;
            let mut hasher = Sha256::new();
            let mut bytes = 0u64;
            while let Some(chunk) = object
                .body
                .try_next()
                .await
                .map_err(|e| CapabilityError::transient("catalog", format!("{key}: {e}")))?
            {
                hasher.update(&chunk);
                bytes += chunk.len() as u64;
                out.write_all(&chunk).await.map_err(|e| io(&path, e))?;
            }
            out.sync_all().await.map_err(|e| io(&path, e))?;
            let sha256 = crate::ids::hex(&hasher.finalize());
            if bytes != file.bytes || sha256 != file.sha256 {
                return Err(fail(format!(
                    "{key} ({}): {bytes} bytes with SHA-256 {sha256}, the release says {} \
                     bytes with {}",
                    file.name, file.bytes, file.sha256
                )));
            }
            progress(Step::File {
                name: file.name.clone(),
                bytes,
                skipped: false,
                done: i + 1,
                total,
            });
        }
        Ok(())
    }

    /// The object at `key`, `None` when there is none.
    async fn get(&self, key: &str) -> Result<Option<GetObjectOutput>, CapabilityError> {
        match self
            .client
            .get_object()
            .bucket(&self.location.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(object) => Ok(Some(object)),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => Ok(None),
            Err(e) => Err(within(key, sdk_error("catalog", e))),
        }
    }

    /// The object at `key`, which must be there.
    async fn get_existing(&self, key: &str) -> Result<GetObjectOutput, CapabilityError> {
        self.get(key)
            .await?
            .ok_or_else(|| fail(format!("{key}: not in the bucket (a partial upload?)")))
    }

    async fn exists(&self, key: &str) -> Result<bool, CapabilityError> {
        match self
            .client
            .head_object()
            .bucket(&self.location.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(false),
            Err(e) => Err(sdk_error("catalog", e)),
        }
    }

    /// Uploads the file at `path` to `key`: in one request, or in parts when it is large.
    async fn upload(&self, path: &Path, key: &str, bytes: u64) -> Result<(), CapabilityError> {
        if bytes <= PART_BYTES {
            let body = ByteStream::from_path(path).await.map_err(|e| {
                CapabilityError::transient("catalog", format!("{}: {e}", path.display()))
            })?;
            self.client
                .put_object()
                .bucket(&self.location.bucket)
                .key(key)
                .body(body)
                .send()
                .await
                .map_err(|e| sdk_error("catalog", e))?;
            return Ok(());
        }
        let started = self
            .client
            .create_multipart_upload()
            .bucket(&self.location.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| sdk_error("catalog", e))?;
        let upload_id = started
            .upload_id()
            .ok_or_else(|| fail("S3 gave no upload id"))?
            .to_string();
        let uploaded = self.upload_parts(path, key, &upload_id, bytes).await;
        match uploaded {
            Ok(parts) => {
                self.client
                    .complete_multipart_upload()
                    .bucket(&self.location.bucket)
                    .key(key)
                    .upload_id(&upload_id)
                    .multipart_upload(
                        CompletedMultipartUpload::builder()
                            .set_parts(Some(parts))
                            .build(),
                    )
                    .send()
                    .await
                    .map_err(|e| sdk_error("catalog", e))?;
                Ok(())
            }
            Err(e) => {
                let _ = self
                    .client
                    .abort_multipart_upload()
                    .bucket(&self.location.bucket)
                    .key(key)
                    .upload_id(&upload_id)
                    .send()
                    .await;
                Err(e)
            }
        }
    }

    async fn upload_parts(
        &self,
        path: &Path,
        key: &str,
        upload_id: &str,
        bytes: u64,
    ) -> Result<Vec<CompletedPart>, CapabilityError> {
        let mut parts = Vec::new();
        let mut offset = 0;
        let mut number = 1;
        while offset < bytes {
            let length = PART_BYTES.min(bytes - offset);
            let body = ByteStream::read_from()
                .path(path)
                .offset(offset)
                .length(aws_sdk_s3::primitives::Length::Exact(length))
                .build()
                .await
                .map_err(|e| {
                    CapabilityError::transient("catalog", format!("{}: {e}", path.display()))
                })?;
            let part = self
                .client
                .upload_part()
                .bucket(&self.location.bucket)
                .key(key)
                .upload_id(upload_id)
                .part_number(number)
                .body(body)
                .send()
                .await
                .map_err(|e| sdk_error("catalog", e))?;
            parts.push(
                CompletedPart::builder()
                    .part_number(number)
                    .set_e_tag(part.e_tag().map(str::to_string))
                    .build(),
            );
            offset += length;
            number += 1;
        }
        Ok(parts)
    }

    /// Writes the pointer if it is still at `etag` (none there when `None`).
    async fn move_pointer(
        &self,
        pointer: &Pointer,
        etag: Option<String>,
    ) -> Result<(), CapabilityError> {
        let json = serde_json::to_vec_pretty(pointer).map_err(fail)?;
        let mut request = self
            .client
            .put_object()
            .bucket(&self.location.bucket)
            .key(self.location.key(POINTER))
            .content_type("application/json")
            .body(ByteStream::from(json));
        request = match etag {
            Some(etag) => request.if_match(etag),
            None => request.if_none_match("*"),
        };
        request.send().await.map_err(|e| {
            let code = aws_sdk_s3::error::ProvideErrorMetadata::code(&e).unwrap_or_default();
            if code == "PreconditionFailed" || code == "ConditionalRequestConflict" {
                fail("the pointer moved meanwhile (another publish or rollback): try again")
            } else {
                sdk_error("catalog", e)
            }
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_read_from_s3_urls() {
        let at = S3Location::parse("s3://bmc-catalog/prod/index/").unwrap();
        assert_eq!(
            (at.bucket.as_str(), at.prefix.as_str()),
            ("bmc-catalog", "prod/index/")
        );
        assert_eq!(S3Location::parse("s3://b").unwrap().prefix, "");
        assert!(S3Location::parse("https://b/x").is_err());
        assert!(S3Location::parse("s3:///x").is_err());
    }

    #[test]
    fn release_names_stay_inside_their_folder() {
        assert!(safe_name("search/abc.idx"));
        for bad in ["", "/etc/passwd", "../x", "search/../../x", "a//b", "./a"] {
            assert!(!safe_name(bad), "{bad}");
        }
    }
}

//! The analytics export to S3 (`[analytics] s3 = "s3://bucket/prefix"`): each day's file goes
//! to `<prefix>fact_commissions/date_key=YYYYMMDD/fact_commissions-YYYYMMDD.csv.gz`, the
//! layout Redshift's `COPY` (or Spectrum, partitioned by `date_key`) reads.

use std::path::Path;

use aws_sdk_s3::primitives::ByteStream;

use super::S3Location;
use super::sdk_error;
use crate::analytics::Export;
use crate::capability::CapabilityError;
use crate::config::Config;

/// Uploads `export` (written under `dir`) to the configured location; answers its
/// `s3://` address, `None` when no location is configured.
pub async fn upload(
    config: &Config,
    dir: &Path,
    export: &Export,
) -> Result<Option<String>, CapabilityError> {
    let Some(url) = config.analytics.s3.as_deref() else {
        return Ok(None);
    };
    let location = S3Location::parse(url)?;
    let relative = export
        .path
        .strip_prefix(dir)
        .map_err(|e| CapabilityError::permanent("storage", e))?
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    let key = format!("{}{relative}", location.prefix);
    let sdk = super::sdk_config(&config.aws).await;
    let client = super::S3Storage::client(&sdk, super::s3_path_style(&sdk, &config.aws));
    let body = ByteStream::from_path(&export.path).await.map_err(|e| {
        CapabilityError::transient("storage", format!("{}: {e}", export.path.display()))
    })?;
    let mut request = client
        .put_object()
        .bucket(&location.bucket)
        .key(&key)
        .content_type("application/gzip")
        .body(body);
    if let Some(kms) = &config.aws.kms_key_id {
        request = request
            .server_side_encryption(aws_sdk_s3::types::ServerSideEncryption::AwsKms)
            .ssekms_key_id(kms);
    }
    request.send().await.map_err(|e| sdk_error("storage", e))?;
    Ok(Some(format!("s3://{}/{key}", location.bucket)))
}

//! The AWS backends (feature `aws`): documents on S3 ([`S3Storage`]), queues on SQS
//! ([`SqsQueue`]), events to EventBridge ([`EventBridgeBus`]), text from Textract
//! ([`Textract`]) and mail through SES ([`SesMailer`]).
//!
//! Credentials and region come from the SDK's default chain (environment, profile, instance or
//! task role); `AWS_ENDPOINT_URL` and the per-service variables (`AWS_ENDPOINT_URL_S3`, ...)
//! point a service elsewhere, such as a local stand-in, and S3 is then addressed path-style.

pub mod analytics;
pub mod catalog;
pub mod catalog_watch;
mod error;
mod eventbridge;
pub mod exchange;
mod location;
mod s3;
mod ses;
mod sqs;
mod textract;

pub use error::sdk_error;
pub use eventbridge::EventBridgeBus;
pub use exchange::{ExchangeEvents, S3ExchangeFiles};
pub use location::S3Location;
pub use s3::S3Storage;
pub use ses::SesMailer;
pub use sqs::SqsQueue;
pub use textract::{Textract, blocks_to_json};

use crate::config::AwsSettings;

/// The SDK's configuration from its default chain, with the region of `settings` when one
/// is given.
pub async fn sdk_config(settings: &AwsSettings) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(region) = &settings.region {
        loader = loader.region(aws_config::Region::new(region.clone()));
    }
    loader.load().await
}

/// Whether S3 is reached through an endpoint of its own (a local stand-in, a VPC endpoint or
/// another S3-compatible store): then buckets are addressed by path, not by host name.
pub fn s3_path_style(sdk: &aws_config::SdkConfig, settings: &AwsSettings) -> bool {
    settings.s3_path_style.unwrap_or_else(|| {
        sdk.endpoint_url().is_some() || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some()
    })
}

//! An SDK failure as a capability's error.

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};

use crate::capability::CapabilityError;

/// `error` of `capability`: transient when the service could not be reached, timed out,
/// throttled or failed on its side (5xx), permanent when it refused the request as it was.
pub fn sdk_error<E>(capability: &'static str, error: SdkError<E, HttpResponse>) -> CapabilityError
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
{
    let message = describe(&error);
    match &error {
        SdkError::ServiceError(service) => {
            let code = service.err().code().unwrap_or_default();
            let server_side = service.raw().status().is_server_error() || throttled(code);
            if server_side {
                CapabilityError::transient(capability, message)
            } else {
                CapabilityError::permanent(capability, message)
            }
        }
        SdkError::ConstructionFailure(_) => CapabilityError::permanent(capability, message),
        _ => CapabilityError::transient(capability, message),
    }
}

fn throttled(code: &str) -> bool {
    matches!(
        code,
        "Throttling"
            | "ThrottlingException"
            | "ThrottledException"
            | "RequestThrottled"
            | "SlowDown"
            | "TooManyRequestsException"
            | "ProvisionedThroughputExceededException"
            | "RequestLimitExceeded"
            | "ServiceUnavailable"
            | "InternalError"
            | "InternalFailure"
    )
}

/// The error's code and message, or the chain of its sources.
fn describe<E>(error: &SdkError<E, HttpResponse>) -> String
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
{
    if let SdkError::ServiceError(service) = error {
        let err = service.err();
        return format!(
            "{}: {}",
            err.code().unwrap_or("error"),
            err.message().unwrap_or("no message")
        );
    }
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

//! The default authority: DIAN's questions answered from the library, offline. A subpartida
//! is checked against HS 2022 as the library parses it, a product is looked up in the
//! catalog, and compliance is the library's own compliance rules' verdict.

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use bmc_core::dian::TariffCode;

use super::{
    Answer, Authority, AuthorityError, Classification, Compliance, ComplianceRequest, Source,
};
use crate::engine::Engine;

/// The offline authority, over the host's engine once it is open.
#[derive(Debug, Clone)]
pub struct OfflineAuthority {
    engine: Arc<OnceLock<Arc<Engine>>>,
}

impl OfflineAuthority {
    /// The authority over `engine` (set when the catalog has opened).
    pub fn new(engine: Arc<OnceLock<Arc<Engine>>>) -> OfflineAuthority {
        OfflineAuthority { engine }
    }
}

fn offline<T>(value: T) -> Answer<T> {
    Answer {
        value,
        source: Source::Offline,
        answered_at: crate::ids::now_rfc3339(),
    }
}

#[async_trait]
impl Authority for OfflineAuthority {
    async fn validate_classification(
        &self,
        code: &str,
    ) -> Result<Answer<Classification>, AuthorityError> {
        let answer = match TariffCode::parse(code) {
            Ok(tariff) => Classification {
                code: code.to_string(),
                valid: true,
                description: tariff
                    .describe()
                    .map(|d| d.subheading.description.to_string()),
            },
            Err(e) => Classification {
                code: code.to_string(),
                valid: false,
                description: Some(e.to_string()),
            },
        };
        Ok(offline(answer))
    }

    async fn lookup_product(
        &self,
        code: &str,
    ) -> Result<Answer<Option<serde_json::Value>>, AuthorityError> {
        let engine = self
            .engine
            .get()
            .cloned()
            .ok_or_else(|| AuthorityError::Unavailable {
                what: format!("product {code}"),
                attempts: 1,
                last: "the catalog is still opening".into(),
            })?;
        let code = code.to_string();
        let what = format!("product {code}");
        let found = tokio::task::spawn_blocking(move || engine.pipeline.catalog().get().get(&code))
            .await
            .map_err(|e| AuthorityError::Unavailable {
                what: what.clone(),
                attempts: 1,
                last: e.to_string(),
            })?
            .map_err(|e| AuthorityError::Malformed {
                what,
                message: e.to_string(),
            })?;
        Ok(offline(
            found.and_then(|product| serde_json::to_value(product).ok()),
        ))
    }

    async fn validate_compliance(
        &self,
        request: &ComplianceRequest,
    ) -> Result<Answer<Compliance>, AuthorityError> {
        Ok(offline(Compliance {
            compliant: request.library_errors.is_empty(),
            reasons: request.library_errors.clone(),
        }))
    }

    fn mode(&self) -> &'static str {
        "offline"
    }
}

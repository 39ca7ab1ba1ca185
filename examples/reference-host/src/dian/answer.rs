//! What the authority answers, and where each answer came from.

use bmc_core::pipeline::Registration;

/// Where an answer came from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The library, offline.
    Offline,
    /// DIAN's service, now.
    Live,
    /// DIAN's service, earlier (a cached answer still fresh).
    Cache,
    /// DIAN's service, earlier, used because the service is down now.
    Fallback,
}

impl Source {
    /// `offline`, `live`, `cache` or `fallback`.
    pub fn name(self) -> &'static str {
        match self {
            Source::Offline => "offline",
            Source::Live => "live",
            Source::Cache => "cache",
            Source::Fallback => "fallback",
        }
    }
}

/// An answer with where and when it was given.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Answer<T> {
    /// The answer.
    pub value: T,
    /// Where it came from.
    pub source: Source,
    /// When it was given (RFC 3339).
    pub answered_at: String,
}

/// A subpartida's validity.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Classification {
    /// The code asked about.
    pub code: String,
    /// True when it is a valid subpartida.
    pub valid: bool,
    /// What it classifies, when known.
    #[serde(default)]
    pub description: Option<String>,
}

/// An invoice's compliance.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Compliance {
    /// True when it complies.
    pub compliant: bool,
    /// Why not, when it does not.
    #[serde(default)]
    pub reasons: Vec<String>,
}

/// What is sent to check an invoice's compliance: the invoice's identity, parties, totals
/// and lines (money as decimal strings), and, for the offline authority, the library's own
/// error findings.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplianceRequest {
    /// The JSON body sent.
    pub body: serde_json::Value,
    /// The cache key: the CUFE, or the registration's verification code without one.
    pub key: String,
    /// The codes of the library's error findings.
    pub library_errors: Vec<String>,
}

impl ComplianceRequest {
    /// The request for `registration`.
    pub fn of(registration: &Registration) -> ComplianceRequest {
        let invoice = &registration.invoice;
        let lines: Vec<serde_json::Value> = invoice
            .lines
            .iter()
            .map(|line| {
                serde_json::json!({
                    "id": line.id,
                    "description": line.description,
                    "tariff_code": registration.tariff_code(&line.id).map(|c| c.as_str().to_string()),
                    "quantity": line.quantity.to_string(),
                    "base": line.base.to_string(),
                })
            })
            .collect();
        let body = serde_json::json!({
            "cufe": invoice.cufe,
            "number": invoice.number,
            "issue_date": invoice.issue_date.to_string(),
            "type_code": invoice.type_code,
            "currency": invoice.currency,
            "seller": {"id": invoice.seller.id, "id_type": invoice.seller.id_type,
                       "check_digit": invoice.seller.check_digit},
            "buyer": {"id": invoice.buyer.id, "id_type": invoice.buyer.id_type,
                      "check_digit": invoice.buyer.check_digit},
            "payable": invoice.totals.payable.to_string(),
            "lines": lines,
        });
        let library_errors = registration
            .findings
            .iter()
            .filter(|f| f.severity == bmc_core::compliance::Severity::Error)
            .map(|f| f.code.clone())
            .collect();
        ComplianceRequest {
            body,
            key: invoice
                .cufe
                .clone()
                .unwrap_or_else(|| registration.verification_code.clone()),
            library_errors,
        }
    }
}

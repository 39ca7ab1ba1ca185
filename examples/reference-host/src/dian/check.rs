//! A registration put to the authority: each line's subpartida, then the invoice's
//! compliance. The verdict says whether DIAN confirmed it, refused it, or could not be asked,
//! and where its answers came from.

use std::collections::BTreeSet;

use bmc_core::pipeline::Registration;

use super::{Authority, ComplianceRequest, Source};

/// What DIAN said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every subpartida is valid and the invoice complies.
    Confirmed,
    /// A subpartida is not valid or the invoice does not comply.
    Refused,
    /// It could not be asked (down, rate limited, credentials): a person reviews it.
    Unverified,
}

impl Verdict {
    /// `confirmed`, `refused` or `unverified`.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Confirmed => "confirmed",
            Verdict::Refused => "refused",
            Verdict::Unverified => "unverified",
        }
    }
}

/// The check of one registration, as it is kept in the registration (`dian`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DianCheck {
    /// What DIAN said.
    pub verdict: Verdict,
    /// `offline` or `http`.
    pub mode: &'static str,
    /// The least current source among the answers (`fallback` when a cached answer stood in
    /// for a service that was down).
    pub source: Option<Source>,
    /// When the oldest answer was given.
    pub answered_at: Option<String>,
    /// The subpartidas asked about.
    pub codes: Vec<String>,
    /// Why it was refused or could not be asked (`DIAN_...: ...`).
    pub reasons: Vec<String>,
}

impl DianCheck {
    /// The reason an invoice goes to review, when it does.
    pub fn review_reason(&self) -> Option<String> {
        match self.verdict {
            Verdict::Confirmed => None,
            Verdict::Refused | Verdict::Unverified => Some(self.reasons.join("; ")),
        }
    }
}

/// Puts `registration` to `authority`.
pub async fn check(authority: &dyn Authority, registration: &Registration) -> DianCheck {
    let codes: BTreeSet<String> = registration
        .invoice
        .lines
        .iter()
        .filter_map(|line| registration.tariff_code(&line.id))
        .map(|code| code.as_str().to_string())
        .collect();
    let mut result = DianCheck {
        verdict: Verdict::Confirmed,
        mode: authority.mode(),
        source: None,
        answered_at: None,
        codes: codes.iter().cloned().collect(),
        reasons: Vec::new(),
    };
    let note = |source: Source, at: &str, result: &mut DianCheck| {
        result.source = Some(result.source.map_or(source, |s| s.max(source)));
        if result.answered_at.as_deref().is_none_or(|a| at < a) {
            result.answered_at = Some(at.to_string());
        }
    };
    for code in &codes {
        match authority.validate_classification(code).await {
            Ok(answer) => {
                note(answer.source, &answer.answered_at, &mut result);
                if !answer.value.valid {
                    result.verdict = Verdict::Refused;
                    result.reasons.push(format!(
                        "DIAN_CLASSIFICATION_INVALID: {code}{}",
                        answer
                            .value
                            .description
                            .map(|d| format!(" ({d})"))
                            .unwrap_or_default()
                    ));
                }
            }
            Err(e) => {
                result.verdict = Verdict::Unverified;
                result.reasons.push(format!("{}: {e}", e.code()));
                return result;
            }
        }
    }
    match authority
        .validate_compliance(&ComplianceRequest::of(registration))
        .await
    {
        Ok(answer) => {
            note(answer.source, &answer.answered_at, &mut result);
            if !answer.value.compliant {
                result.verdict = Verdict::Refused;
                let reasons = if answer.value.reasons.is_empty() {
                    "no reason given".to_string()
                } else {
                    answer.value.reasons.join(", ")
                };
                result
                    .reasons
                    .push(format!("DIAN_NOT_COMPLIANT: {reasons}"));
            }
        }
        Err(e) => {
            result.verdict = Verdict::Unverified;
            result.reasons.push(format!("{}: {e}", e.code()));
        }
    }
    result
}

//! What registering an invoice produces.

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::matching::LineMatch;
use crate::commission::Commission;
use crate::compliance::Finding;
use crate::dian::TariffCode;
use crate::invoice::Invoice;

/// A registered (or refused) invoice: everything the platform decided about it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Registration {
    /// `RF-YYYYMMDD-XXXXXXXXXX`: the registration date and the start of the verification
    /// code.
    pub registration_id: String,
    /// SHA-256 (hex) of the registration's canonical JSON without these two fields: anyone
    /// holding the registration can recompute it, and the certificate's QR code carries it.
    pub verification_code: String,
    /// The day of registration.
    pub registration_date: NaiveDate,
    /// True when no finding is an error and the commission found an eligible line.
    pub registrable: bool,
    /// The invoice as read.
    pub invoice: Invoice,
    /// Each line's product in the catalog.
    pub lines: Vec<LineMatch>,
    /// The compliance findings, most severe first.
    pub findings: Vec<Finding>,
    /// The exchange's commission with its trace, when the invoice passed validation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commission: Option<Commission>,
}

/// The content the verification code covers.
#[derive(serde::Serialize)]
struct Canonical<'a> {
    registration_date: NaiveDate,
    registrable: bool,
    invoice: &'a Invoice,
    lines: &'a [LineMatch],
    findings: &'a [Finding],
    commission: &'a Option<Commission>,
}

impl Registration {
    pub(crate) fn new(
        registration_date: NaiveDate,
        invoice: Invoice,
        lines: Vec<LineMatch>,
        findings: Vec<Finding>,
        commission: Option<Commission>,
    ) -> Registration {
        let registrable = crate::compliance::is_registrable(&findings)
            && commission.as_ref().is_some_and(|c| c.eligible);
        let mut registration = Registration {
            registration_id: String::new(),
            verification_code: String::new(),
            registration_date,
            registrable,
            invoice,
            lines,
            findings,
            commission,
        };
        registration.verification_code = registration.compute_verification_code();
        registration.registration_id = format!(
            "RF-{}-{}",
            registration_date.format("%Y%m%d"),
            registration.verification_code[..10].to_ascii_uppercase()
        );
        registration
    }

    /// The subpartida of line `line_id` as the registration decided it: the one its
    /// commission used, else its matched product's classification, else the subpartida the
    /// line carries (scheme `020`, when it is a valid one). `None` when none is known.
    pub fn tariff_code(&self, line_id: &str) -> Option<TariffCode> {
        let charged = self
            .commission
            .as_ref()
            .and_then(|c| c.lines.iter().find(|l| l.id.as_deref() == Some(line_id)))
            .and_then(|l| l.tariff_code);
        charged
            .or_else(|| {
                self.lines
                    .iter()
                    .find(|m| m.line_id == line_id)
                    .and_then(|m| m.product.as_ref())
                    .map(|p| p.dian_classification)
            })
            .or_else(|| {
                self.invoice
                    .lines
                    .iter()
                    .find(|l| l.id == line_id)
                    .and_then(|l| l.item_code.as_ref())
                    .filter(|c| c.scheme == "020")
                    .and_then(|c| TariffCode::parse(&c.code).ok())
            })
    }

    /// Recomputes the verification code from the content; equal to
    /// [`Registration::verification_code`] unless the registration was altered.
    pub fn compute_verification_code(&self) -> String {
        let canonical = Canonical {
            registration_date: self.registration_date,
            registrable: self.registrable,
            invoice: &self.invoice,
            lines: &self.lines,
            findings: &self.findings,
            commission: &self.commission,
        };
        let json = serde_json::to_vec(&canonical).unwrap_or_default();
        crate::hex::lower(&Sha256::digest(&json))
    }

    /// The registration as JSON (amounts as decimal strings).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

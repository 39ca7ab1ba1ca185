//! Fields read by OCR that are not to be trusted.

use super::{Findings, Severity};
use crate::invoice::Invoice;

pub(super) fn check(invoice: &Invoice, out: &mut Findings) {
    for path in invoice.source.doubtful_fields() {
        let c = &invoice.source.confidence[path];
        out.push(
            "OCR_LOW_CONFIDENCE",
            Severity::Warning,
            path,
            format!(
                "El campo {path} se leyó con confianza {:.0} (umbral {:.0}){}: revíselo.",
                c.confidence,
                invoice.source.threshold.unwrap_or(0.0),
                failed(&c.checks, " y no pasó")
            ),
            format!(
                "Field {path} was read with confidence {:.0} (threshold {:.0}){}: review it.",
                c.confidence,
                invoice.source.threshold.unwrap_or(0.0),
                failed(&c.checks, " and failed")
            ),
        );
    }
}

fn failed(checks: &[String], words: &str) -> String {
    let failed: Vec<&str> = checks.iter().filter_map(|c| c.strip_prefix('!')).collect();
    if failed.is_empty() {
        String::new()
    } else {
        format!("{words} {}", failed.join(", "))
    }
}

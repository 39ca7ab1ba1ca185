//! The QR code DIAN requires on every printed invoice: the document's key fields and its
//! CUFE, as text (annex 1.9, `sts:QRCode`). Read back from a scan (its error correction
//! makes it exact), it gives the CUFE and confirms the fields OCR read.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{DocumentKind, Invoice};
use crate::dian::Environment;

/// The QR text of an invoice: one `Name: value` per line, then the DIAN lookup address.
pub fn qr_text(invoice: &Invoice) -> String {
    let cufe = invoice.cufe.as_deref().unwrap_or("");
    let host = match invoice.environment {
        Some(Environment::Test) => "catalogo-vpfe-hab.dian.gov.co",
        _ => "catalogo-vpfe.dian.gov.co",
    };
    let code_name = if invoice.kind == DocumentKind::Invoice {
        "CUFE"
    } else {
        "CUDE"
    };
    let mut other: Decimal = invoice
        .tax_amount("04")
        .saturating_add(invoice.tax_amount("03"));
    other.rescale(2);
    [
        format!("NumFac: {}", invoice.number),
        format!("FecFac: {}", invoice.issue_date),
        format!("HorFac: {}", invoice.issue_time.as_deref().unwrap_or("")),
        format!("NitFac: {}", invoice.seller.id),
        format!("DocAdq: {}", invoice.buyer.id),
        format!("ValFac: {}", invoice.totals.line_extension),
        format!("ValIva: {}", invoice.tax_amount("01")),
        format!("ValOtroIm: {other}"),
        format!("ValTolFac: {}", invoice.totals.payable),
        format!("{code_name}: {cufe}"),
        format!("QRCode: https://{host}/document/searchqr?documentkey={cufe}"),
    ]
    .join("\n")
}

/// The `Name: value` fields of a QR text (either the line form above or the one-line form
/// some issuers print, fields separated by spaces).
pub fn parse_qr(text: &str) -> BTreeMap<String, String> {
    const NAMES: [&str; 12] = [
        "NumFac",
        "FecFac",
        "HorFac",
        "NitFac",
        "DocAdq",
        "ValFac",
        "ValIva",
        "ValOtroIm",
        "ValTolFac",
        "CUFE",
        "CUDE",
        "QRCode",
    ];
    let mut fields = BTreeMap::new();
    let mut positions: Vec<(usize, &str)> = NAMES
        .iter()
        .filter_map(|name| text.find(&format!("{name}:")).map(|p| (p, *name)))
        .collect();
    positions.sort();
    for (k, (start, name)) in positions.iter().enumerate() {
        let value_start = start + name.len() + 1;
        let end = positions.get(k + 1).map_or(text.len(), |(p, _)| *p);
        if value_start <= end {
            fields.insert(name.to_string(), text[value_start..end].trim().to_string());
        }
    }
    fields
}

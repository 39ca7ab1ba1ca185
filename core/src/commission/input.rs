//! What a commission is computed from.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::CommissionError;
use crate::catalog::CatalogError;
use crate::dian::TariffCode;

/// The part of an invoice the commission needs: its issue date and its lines.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommissionInvoice {
    /// The issue date, which picks the rule set version in force.
    pub issue_date: NaiveDate,
    /// The lines.
    pub lines: Vec<CommissionLine>,
}

/// One invoice line: its base (amount before taxes) and how to find its product group.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommissionLine {
    /// The line's id in the invoice, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The line's subpartida arancelaria (scheme 020), when the invoice gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tariff_code: Option<TariffCode>,
    /// The seller's product code, classified through the catalog when there is no subpartida.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_code: Option<String>,
    /// The line's amount before taxes, in COP.
    #[serde(with = "rust_decimal::serde::str")]
    pub base: Decimal,
}

impl CommissionLine {
    /// Builds a line from text fields as bindings receive them, naming the line in errors.
    ///
    /// `line` is the 1-based position; `tariff_code` is parsed as a subpartida.
    pub fn from_parts(
        line: usize,
        id: Option<String>,
        tariff_code: Option<&str>,
        product_code: Option<String>,
        base: Decimal,
    ) -> Result<CommissionLine, CommissionError> {
        let tariff_code = tariff_code
            .map(TariffCode::parse)
            .transpose()
            .map_err(|e| CommissionError::InvalidLine {
                line,
                field: "tariff_code",
                message: format!("{e} [{}]", e.code()),
            })?;
        Ok(CommissionLine {
            id,
            tariff_code,
            product_code,
            base,
        })
    }
}

/// Gives the subpartida of a product code: the catalog implements it.
pub trait ProductClassifier: Sync {
    /// The classification of `product_code`, `None` when the code is unknown; an entry that
    /// cannot be read is an error, never an unknown code.
    fn tariff_code(&self, product_code: &str) -> Result<Option<TariffCode>, CatalogError>;
}

impl ProductClassifier for crate::catalog::Catalog {
    /// The catalog's `dian_classification` of the product (an unknown code makes the line
    /// not eligible, with the reason).
    fn tariff_code(&self, product_code: &str) -> Result<Option<TariffCode>, CatalogError> {
        Ok(self.get(product_code)?.map(|p| p.dian_classification))
    }
}

/// No catalog: every product code is unknown.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoCatalog;

impl ProductClassifier for NoCatalog {
    fn tariff_code(&self, _: &str) -> Result<Option<TariffCode>, CatalogError> {
        Ok(None)
    }
}

/// How to compute.
#[derive(Clone, Copy, Default)]
pub struct Options<'a> {
    /// Use the version in force on this date instead of the invoice's issue date.
    pub as_of: Option<NaiveDate>,
    /// Record every step in [`Commission::trace`](super::Commission::trace).
    pub trace: bool,
    /// Where product codes are classified (none by default).
    pub classifier: Option<&'a dyn ProductClassifier>,
}

impl std::fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("as_of", &self.as_of)
            .field("trace", &self.trace)
            .field("classifier", &self.classifier.is_some())
            .finish()
    }
}

impl CommissionInvoice {
    /// The lines of `invoice` as the commission takes them, in pesos: base (converted with
    /// the document's own exchange rate when its currency is not COP, to the cent, half up),
    /// subpartida when the line gives a valid scheme-020 code, and the product code (seller's
    /// code, GTIN or own code) otherwise. A foreign-currency invoice without a usable rate is
    /// [`CommissionError::Currency`]: no fee is computed on amounts that are not pesos.
    pub fn in_pesos(
        invoice: &crate::invoice::Invoice,
    ) -> Result<CommissionInvoice, CommissionError> {
        let rate = invoice
            .pesos_per_unit()
            .map_err(|message| CommissionError::Currency {
                currency: invoice.currency.clone(),
                message,
            })?;
        let lines = invoice
            .lines
            .iter()
            .enumerate()
            .map(|(i, line)| {
                let base = match rate {
                    None => line.base,
                    Some(rate) => line
                        .base
                        .checked_mul(rate)
                        .map(|b| crate::money::round(b, 2, crate::money::Rounding::HalfUp))
                        .ok_or_else(|| CommissionError::OutOfRange {
                            what: format!("line {}'s base in pesos", i + 1),
                        })?,
                };
                Ok(CommissionLine {
                    id: Some(line.id.clone()),
                    tariff_code: line
                        .item_code
                        .as_ref()
                        .filter(|c| c.scheme == "020")
                        .and_then(|c| TariffCode::parse(&c.code).ok()),
                    product_code: line.product_code().map(str::to_string),
                    base,
                })
            })
            .collect::<Result<_, CommissionError>>()?;
        Ok(CommissionInvoice {
            issue_date: invoice.issue_date,
            lines,
        })
    }
}

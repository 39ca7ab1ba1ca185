//! Corrections a person makes to the fields of an invoice read from a page.
//!
//! A reviewer looks at the page beside the fields the reader doubted, and either confirms a
//! value (gives it as read) or writes what the page says. [`Invoice::correct`] applies a list
//! of such corrections by field path (the paths of [`Source::confidence`]): each value is
//! parsed as the field's type, the amounts that follow from it (a line's tax, the tax
//! subtotals, the tax-exclusive and tax-inclusive totals) are worked out again, and the field
//! is marked as read by a person (confidence 100, check [`OPERATOR`]), so that it is no longer
//! doubtful. Whether the corrected invoice adds up is then for compliance to say, as for any
//! invoice.
//!
//! [`Source::confidence`]: crate::invoice::Source::confidence

use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;

use super::{FieldConfidence, Invoice, InvoiceError, TaxSubtotal};
use crate::money::{Rounding, round};

/// The check a field carries once a person gave its value.
pub const OPERATOR: &str = "operator";

/// The most corrections one call applies.
pub const MAX_CORRECTIONS: usize = 500;

/// The longest value a correction may give, in characters.
const MAX_VALUE: usize = 450;

/// One field as a person read it on the page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    /// The field's path: `number`, `issue_date`, `seller.id`, `lines[0].base`,
    /// `totals.payable`, `tax_totals.01`, ... (the keys of the source's confidence).
    pub path: String,
    /// The value as text: dates `YYYY-MM-DD`, times `HH:MM:SS` (an offset may follow),
    /// amounts with a full stop for decimals and no thousands separators (`1250000.50`).
    pub value: String,
}

/// A correction as applied: the field's value before and after, for the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Corrected {
    /// The field's path.
    pub path: String,
    /// The value the reader gave it (empty when it had none).
    pub before: String,
    /// The value it has now.
    pub after: String,
}

impl Corrected {
    /// Whether the person confirmed the value as read rather than changing it.
    pub fn confirmed(&self) -> bool {
        self.before == self.after
    }
}

impl Invoice {
    /// The value of the field at `path` as text (as [`Correction::value`] writes it), or
    /// `None` when the invoice has no such field.
    pub fn field_text(&self, path: &str) -> Option<String> {
        let field = Field::parse(path).ok()?;
        field.get(self)
    }

    /// The corrections a person made to this invoice: each field marked [`OPERATOR`] with its
    /// value now, so that a later round of corrections keeps the earlier ones.
    pub fn corrections(&self) -> Vec<Correction> {
        self.source
            .confidence
            .iter()
            .filter(|(_, c)| c.checks.iter().any(|check| check == OPERATOR))
            .filter_map(|(path, _)| {
                Some(Correction {
                    path: path.clone(),
                    value: self.field_text(path)?,
                })
            })
            .collect()
    }

    /// Applies `corrections`, all or none: on an error the invoice is unchanged. Returns each
    /// field's value before and after. A path given twice takes its last value.
    ///
    /// ```
    /// use bmc_core::invoice::Correction;
    /// use bmc_core::invoice::ocr::{self, OcrOptions};
    ///
    /// let tsv = std::fs::read_to_string(concat!(
    ///     env!("CARGO_MANIFEST_DIR"),
    ///     "/../data/invoices/ocr/FEV-0002.tesseract.tsv"
    /// ))?;
    /// let mut invoice = ocr::from_tesseract_tsv(&tsv, &OcrOptions::default())?;
    /// // Without the technical key a CUFE read from a page cannot be verified: doubtful.
    /// assert!(invoice.source.doubtful_fields().contains(&"cufe"));
    /// // The reviewer types the CUFE printed on the page.
    /// let printed = "1f4dbc650626837da04d5b132fcd994f1af051ae6b05dd62ebd169bb15776aac\
    ///                92342a330ec2b2a2b8356c0f51d130ce";
    /// let done = invoice.correct(&[Correction { path: "cufe".into(), value: printed.into() }])?;
    /// assert!(!done[0].confirmed());
    /// assert_eq!(invoice.cufe.as_deref(), Some(printed));
    /// assert!(!invoice.source.doubtful_fields().contains(&"cufe"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn correct(&mut self, corrections: &[Correction]) -> Result<Vec<Corrected>, InvoiceError> {
        if corrections.len() > MAX_CORRECTIONS {
            return Err(invalid(
                "corrections",
                "",
                format!(
                    "{} corrections; at most {MAX_CORRECTIONS}",
                    corrections.len()
                ),
            ));
        }
        if self.source.kind.is_exact() {
            return Err(invalid(
                "source",
                "",
                "an invoice read from XML is exact: it has no field to correct".to_string(),
            ));
        }
        let mut invoice = self.clone();
        let mut done: Vec<Corrected> = Vec::with_capacity(corrections.len());
        for correction in corrections {
            let field = Field::parse(&correction.path)?;
            let value = correction.value.trim();
            if value.chars().count() > MAX_VALUE {
                return Err(invalid(
                    &correction.path,
                    value,
                    format!("longer than {MAX_VALUE} characters"),
                ));
            }
            let before = field.get(&invoice).ok_or_else(|| {
                invalid(
                    &correction.path,
                    value,
                    "the invoice has no such field".to_string(),
                )
            })?;
            field.set(&mut invoice, value)?;
            let after = field.get(&invoice).unwrap_or_default();
            confirm(&mut invoice, &correction.path);
            done.retain(|c| c.path != correction.path);
            done.push(Corrected {
                path: correction.path.clone(),
                before,
                after,
            });
        }
        rederive(&mut invoice);
        *self = invoice;
        Ok(done)
    }
}

/// Marks a field as read by a person.
fn confirm(invoice: &mut Invoice, path: &str) {
    let engine = invoice
        .source
        .confidence
        .get(path)
        .map_or(100.0, |c| c.engine);
    invoice.source.confidence.insert(
        path.to_string(),
        FieldConfidence {
            engine,
            confidence: 100.0,
            checks: vec![OPERATOR.to_string()],
        },
    );
}

/// The amounts that follow from the fields: each line's IVA from its base and rate, the tax
/// subtotals by rate, and the tax-exclusive and tax-inclusive totals.
fn rederive(invoice: &mut Invoice) {
    for line in &mut invoice.lines {
        for tax in &mut line.taxes {
            if let Some(percent) = tax.percent {
                tax.taxable = line.base;
                tax.amount = round(
                    line.base * percent / Decimal::ONE_HUNDRED,
                    2,
                    Rounding::HalfUp,
                );
            }
        }
    }
    invoice.regroup_taxes();
    let taxes: Decimal = invoice.tax_totals.iter().map(|t| t.amount).sum();
    invoice.totals.tax_inclusive = invoice.totals.line_extension + taxes;
}

fn invalid(path: &str, value: &str, reason: String) -> InvoiceError {
    InvoiceError::InvalidCorrection {
        path: path.to_string(),
        value: value.chars().take(80).collect(),
        reason,
    }
}

/// A party's field.
#[derive(Debug, Clone, Copy)]
enum PartyField {
    Id,
    CheckDigit,
    Name,
}

/// A line's field.
#[derive(Debug, Clone, Copy)]
enum LineField {
    Id,
    Description,
    Quantity,
    UnitPrice,
    Base,
    ItemCode,
    TaxPercent,
}

/// A correctable field, parsed from its path.
#[derive(Debug, Clone)]
enum Field {
    Number,
    IssueDate,
    IssueTime,
    DueDate,
    Cufe,
    BillingReference,
    Party { seller: bool, field: PartyField },
    Line { index: usize, field: LineField },
    LineExtension,
    Payable,
    TaxTotal(String),
}

impl Field {
    fn parse(path: &str) -> Result<Field, InvoiceError> {
        let unknown = || {
            invalid(
                path,
                "",
                "not a field that can be corrected (number, issue_date, issue_time, due_date, \
                 cufe, billing_reference, seller.id|check_digit|name, buyer.…, \
                 lines[i].id|description|quantity|unit_price|base|item_code|tax_percent, \
                 totals.line_extension, totals.payable, tax_totals.<code>)"
                    .to_string(),
            )
        };
        Ok(match path {
            "number" => Field::Number,
            "issue_date" => Field::IssueDate,
            "issue_time" => Field::IssueTime,
            "due_date" => Field::DueDate,
            "cufe" => Field::Cufe,
            "billing_reference" => Field::BillingReference,
            "totals.line_extension" => Field::LineExtension,
            "totals.payable" => Field::Payable,
            _ => {
                if let Some(code) = path.strip_prefix("tax_totals.") {
                    if code.is_empty()
                        || code.len() > 4
                        || !code.bytes().all(|b| b.is_ascii_alphanumeric())
                    {
                        return Err(unknown());
                    }
                    return Ok(Field::TaxTotal(code.to_string()));
                }
                for (role, seller) in [("seller.", true), ("buyer.", false)] {
                    if let Some(rest) = path.strip_prefix(role) {
                        let field = match rest {
                            "id" => PartyField::Id,
                            "check_digit" => PartyField::CheckDigit,
                            "name" => PartyField::Name,
                            _ => return Err(unknown()),
                        };
                        return Ok(Field::Party { seller, field });
                    }
                }
                let (index, rest) = path
                    .strip_prefix("lines[")
                    .and_then(|rest| rest.split_once("]."))
                    .ok_or_else(unknown)?;
                if index.is_empty() || index.len() > 6 || !index.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err(unknown());
                }
                let index: usize = index.parse().map_err(|_| unknown())?;
                let field = match rest {
                    "id" => LineField::Id,
                    "description" => LineField::Description,
                    "quantity" => LineField::Quantity,
                    "unit_price" => LineField::UnitPrice,
                    "base" => LineField::Base,
                    "item_code" => LineField::ItemCode,
                    "tax_percent" => LineField::TaxPercent,
                    _ => return Err(unknown()),
                };
                Field::Line { index, field }
            }
        })
    }

    /// The field's value as text; `None` when the invoice has no such field (a line past
    /// the last, a tax the invoice does not total).
    fn get(&self, invoice: &Invoice) -> Option<String> {
        Some(match self {
            Field::Number => invoice.number.clone(),
            Field::IssueDate => invoice.issue_date.to_string(),
            Field::IssueTime => invoice.issue_time.clone().unwrap_or_default(),
            Field::DueDate => invoice.due_date.map(|d| d.to_string()).unwrap_or_default(),
            Field::Cufe => invoice.cufe.clone().unwrap_or_default(),
            Field::BillingReference => invoice.billing_reference.clone().unwrap_or_default(),
            Field::LineExtension => invoice.totals.line_extension.to_string(),
            Field::Payable => invoice.totals.payable.to_string(),
            Field::TaxTotal(code) => invoice
                .tax_totals
                .iter()
                .find(|t| &t.tax == code)?
                .amount
                .to_string(),
            Field::Party { seller, field } => {
                let party = if *seller {
                    &invoice.seller
                } else {
                    &invoice.buyer
                };
                match field {
                    PartyField::Id => party.id.clone(),
                    PartyField::CheckDigit => party.check_digit.clone().unwrap_or_default(),
                    PartyField::Name => party.name.clone(),
                }
            }
            Field::Line { index, field } => {
                let line = invoice.lines.get(*index)?;
                match field {
                    LineField::Id => line.id.clone(),
                    LineField::Description => line.description.clone(),
                    LineField::Quantity => line.quantity.to_string(),
                    LineField::UnitPrice => line.unit_price.to_string(),
                    LineField::Base => line.base.to_string(),
                    LineField::ItemCode => line
                        .item_code
                        .as_ref()
                        .map(|c| c.code.clone())
                        .unwrap_or_default(),
                    LineField::TaxPercent => line
                        .taxes
                        .iter()
                        .find(|t| t.tax == "01")
                        .and_then(|t| t.percent)
                        .map_or_else(|| "0".to_string(), |p| p.to_string()),
                }
            }
        })
    }

    /// Sets the field from `value`, parsed as its type.
    fn set(&self, invoice: &mut Invoice, value: &str) -> Result<(), InvoiceError> {
        let path = self.path();
        let bad = |reason: &str| invalid(&path, value, reason.to_string());
        let text = |value: &str| -> Result<String, InvoiceError> {
            if value.is_empty() {
                Err(bad("empty"))
            } else {
                Ok(value.to_string())
            }
        };
        let date = |value: &str| {
            NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| bad("not a date YYYY-MM-DD"))
        };
        let amount = |value: &str| -> Result<Decimal, InvoiceError> {
            let parsed: Decimal = value
                .parse()
                .map_err(|_| bad("not an amount (digits, a full stop for decimals)"))?;
            if parsed.is_sign_negative() {
                return Err(bad("negative"));
            }
            Ok(parsed)
        };
        match self {
            Field::Number => {
                if value.is_empty() || value.len() > 40 || value.contains(char::is_whitespace) {
                    return Err(bad(
                        "an invoice number is 1 to 40 characters without spaces",
                    ));
                }
                invoice.number = value.to_string();
                if invoice.kind == super::DocumentKind::Invoice {
                    let prefix: String = value
                        .chars()
                        .take_while(char::is_ascii_alphabetic)
                        .collect();
                    invoice.prefix = (!prefix.is_empty()).then_some(prefix);
                }
            }
            Field::IssueDate => invoice.issue_date = date(value)?,
            Field::DueDate => {
                invoice.due_date = if value.is_empty() {
                    None
                } else {
                    Some(date(value)?)
                }
            }
            Field::IssueTime => {
                let clock = value.get(..8).unwrap_or(value);
                NaiveTime::parse_from_str(clock, "%H:%M:%S").map_err(|_| {
                    bad("not a time HH:MM:SS (an offset such as -05:00 may follow)")
                })?;
                invoice.issue_time = Some(value.to_string());
            }
            Field::Cufe => {
                if value.len() != 96 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(bad("a CUFE is 96 hexadecimal digits"));
                }
                invoice.cufe = Some(value.to_ascii_lowercase());
            }
            Field::BillingReference => invoice.billing_reference = Some(text(value)?),
            Field::LineExtension => invoice.totals.line_extension = amount(value)?,
            Field::Payable => invoice.totals.payable = amount(value)?,
            Field::TaxTotal(code) => {
                let parsed = amount(value)?;
                let total = invoice
                    .tax_totals
                    .iter_mut()
                    .find(|t| &t.tax == code)
                    .ok_or_else(|| bad("the invoice totals no such tax"))?;
                total.amount = parsed;
            }
            Field::Party { seller, field } => {
                let party = if *seller {
                    &mut invoice.seller
                } else {
                    &mut invoice.buyer
                };
                match field {
                    PartyField::Id => {
                        if !(3..=15).contains(&value.len())
                            || !value.bytes().all(|b| b.is_ascii_digit())
                        {
                            return Err(bad("an id number is 3 to 15 digits, without check digit"));
                        }
                        party.id = value.to_string();
                    }
                    PartyField::CheckDigit => {
                        if value.len() != 1 || !value.bytes().all(|b| b.is_ascii_digit()) {
                            return Err(bad("a check digit is one digit"));
                        }
                        party.check_digit = Some(value.to_string());
                    }
                    PartyField::Name => party.name = text(value)?,
                }
            }
            Field::Line { index, field } => {
                let line = invoice
                    .lines
                    .get_mut(*index)
                    .ok_or_else(|| bad("the invoice has no such line"))?;
                match field {
                    LineField::Id => line.id = text(value)?,
                    LineField::Description => line.description = text(value)?,
                    LineField::Quantity => line.quantity = amount(value)?,
                    LineField::UnitPrice => line.unit_price = amount(value)?,
                    LineField::Base => line.base = amount(value)?,
                    LineField::ItemCode => {
                        if value.is_empty()
                            || value.len() > 20
                            || !value
                                .bytes()
                                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                        {
                            return Err(bad(
                                "a product code is 1 to 20 letters, digits or hyphens",
                            ));
                        }
                        let code = super::ocr::item_code(value);
                        line.seller_code = (code.scheme != "020").then(|| code.code.clone());
                        line.item_code = Some(code);
                    }
                    LineField::TaxPercent => {
                        let mut percent = amount(value)?;
                        if percent > Decimal::ONE_HUNDRED {
                            return Err(bad("a rate is 0 to 100"));
                        }
                        line.taxes.retain(|t| t.tax != "01");
                        if !percent.is_zero() {
                            percent.rescale(2);
                            // The amounts are worked out once every correction is in.
                            line.taxes.push(TaxSubtotal {
                                tax: "01".into(),
                                taxable: line.base,
                                amount: Decimal::ZERO,
                                percent: Some(percent),
                            });
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The field's path, as written in the confidence map.
    fn path(&self) -> String {
        match self {
            Field::Number => "number".into(),
            Field::IssueDate => "issue_date".into(),
            Field::IssueTime => "issue_time".into(),
            Field::DueDate => "due_date".into(),
            Field::Cufe => "cufe".into(),
            Field::BillingReference => "billing_reference".into(),
            Field::LineExtension => "totals.line_extension".into(),
            Field::Payable => "totals.payable".into(),
            Field::TaxTotal(code) => format!("tax_totals.{code}"),
            Field::Party { seller, field } => format!(
                "{}.{}",
                if *seller { "seller" } else { "buyer" },
                match field {
                    PartyField::Id => "id",
                    PartyField::CheckDigit => "check_digit",
                    PartyField::Name => "name",
                }
            ),
            Field::Line { index, field } => format!(
                "lines[{index}].{}",
                match field {
                    LineField::Id => "id",
                    LineField::Description => "description",
                    LineField::Quantity => "quantity",
                    LineField::UnitPrice => "unit_price",
                    LineField::Base => "base",
                    LineField::ItemCode => "item_code",
                    LineField::TaxPercent => "tax_percent",
                }
            ),
        }
    }
}

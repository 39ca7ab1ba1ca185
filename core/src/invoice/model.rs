//! The invoice as the platform sees it, whatever it was read from.
//!
//! Field names follow the DIAN annex's meaning, not UBL's element names; each field's doc
//! says where it sits in UBL. Amounts are [`Decimal`] with the scale they were written with
//! (`1250000.00` stays two places), so an invoice read from XML serialises back to the same
//! digits.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::dian::Environment;

/// Which UBL document this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// `Invoice`: factura electrónica de venta (also exportación and contingencia, by
    /// [`Invoice::type_code`]).
    Invoice,
    /// `CreditNote`: nota crédito.
    CreditNote,
    /// `DebitNote`: nota débito.
    DebitNote,
}

impl DocumentKind {
    /// The UBL root element's name.
    pub fn root_name(self) -> &'static str {
        match self {
            DocumentKind::Invoice => "Invoice",
            DocumentKind::CreditNote => "CreditNote",
            DocumentKind::DebitNote => "DebitNote",
        }
    }

    /// The element name of a line in this document.
    pub fn line_name(self) -> &'static str {
        match self {
            DocumentKind::Invoice => "InvoiceLine",
            DocumentKind::CreditNote => "CreditNoteLine",
            DocumentKind::DebitNote => "DebitNoteLine",
        }
    }

    /// The element name of a line's quantity in this document.
    pub fn quantity_name(self) -> &'static str {
        match self {
            DocumentKind::Invoice => "InvoicedQuantity",
            DocumentKind::CreditNote => "CreditedQuantity",
            DocumentKind::DebitNote => "DebitedQuantity",
        }
    }

    /// The element name of the document's type code.
    pub fn type_code_name(self) -> &'static str {
        match self {
            DocumentKind::Invoice => "InvoiceTypeCode",
            DocumentKind::CreditNote => "CreditNoteTypeCode",
            DocumentKind::DebitNote => "DebitNoteTypeCode",
        }
    }
}

/// `cbc:InvoiceTypeCode` values of the annex.
pub mod type_code {
    /// 01: factura electrónica de venta.
    pub const SALE: &str = "01";
    /// 02: factura electrónica de venta – exportación.
    pub const EXPORT: &str = "02";
    /// 03: instrumento electrónico de transmisión – tipo 03 (contingencia facturador).
    pub const CONTINGENCY_ISSUER: &str = "03";
    /// 04: factura electrónica de venta – tipo 04 (contingencia DIAN).
    pub const CONTINGENCY_DIAN: &str = "04";
    /// 20: documento equivalente electrónico del tiquete de máquina registradora (POS).
    pub const POS: &str = "20";
    /// 91: nota crédito.
    pub const CREDIT_NOTE: &str = "91";
    /// 92: nota débito.
    pub const DEBIT_NOTE: &str = "92";

    /// The Spanish name of a type code, when it is one of the annex's.
    pub fn name(code: &str) -> Option<&'static str> {
        Some(match code {
            SALE => "Factura electrónica de venta",
            EXPORT => "Factura electrónica de venta - exportación",
            CONTINGENCY_ISSUER => "Factura de contingencia facturador",
            CONTINGENCY_DIAN => "Factura de contingencia DIAN",
            POS => "Documento equivalente POS",
            CREDIT_NOTE => "Nota crédito",
            DEBIT_NOTE => "Nota débito",
            _ => return None,
        })
    }
}

/// A seller or buyer: `cac:Party/cac:PartyTaxScheme`.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// The id document type (`cbc:CompanyID/@schemeName`): `31` NIT, `13` cédula, ...
    pub id_type: String,
    /// The id number without check digit (`cbc:CompanyID`).
    pub id: String,
    /// The NIT check digit as written (`cbc:CompanyID/@schemeID`), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_digit: Option<String>,
    /// `cbc:RegistrationName`.
    pub name: String,
}

/// A product code on a line: `cac:StandardItemIdentification/cbc:ID` and its `@schemeID`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemCode {
    /// The scheme: `020` subpartida, `001` UNSPSC, `010` GTIN, `999` own code.
    pub scheme: String,
    /// The code as written.
    pub code: String,
}

/// One tax on a line or in the document totals: `cac:TaxSubtotal`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxSubtotal {
    /// The tax code (`cac:TaxScheme/cbc:ID`): `01` IVA, `04` INC, `03` ICA, ...
    pub tax: String,
    /// `cbc:TaxableAmount`.
    #[serde(with = "rust_decimal::serde::str")]
    pub taxable: Decimal,
    /// `cbc:TaxAmount`.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// `cac:TaxCategory/cbc:Percent`, when the tax is a percentage.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::str_option"
    )]
    pub percent: Option<Decimal>,
}

/// The total of one tax for the document: `cac:TaxTotal`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxTotal {
    /// The tax code of its subtotals (`01` IVA, `04` INC, `03` ICA).
    pub tax: String,
    /// `cbc:TaxAmount`.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// The subtotals, one per rate.
    pub subtotals: Vec<TaxSubtotal>,
}

/// One line: `cac:InvoiceLine` (or `CreditNoteLine`, `DebitNoteLine`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvoiceLine {
    /// `cbc:ID`.
    pub id: String,
    /// `cac:Item/cbc:Description`.
    pub description: String,
    /// `cbc:InvoicedQuantity`.
    #[serde(with = "rust_decimal::serde::str")]
    pub quantity: Decimal,
    /// `cbc:InvoicedQuantity/@unitCode` (UN/ECE rec. 20: `KGM`, `NIU`, `94`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// `cac:Price/cbc:PriceAmount`.
    #[serde(with = "rust_decimal::serde::str")]
    pub unit_price: Decimal,
    /// `cbc:LineExtensionAmount`: the line's amount before taxes.
    #[serde(with = "rust_decimal::serde::str")]
    pub base: Decimal,
    /// The line's taxes (`cac:TaxTotal/cac:TaxSubtotal`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taxes: Vec<TaxSubtotal>,
    /// The standard item code with its scheme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_code: Option<ItemCode>,
    /// `cac:Item/cac:SellersItemIdentification/cbc:ID`: the seller's own product code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller_code: Option<String>,
}

/// `cac:PaymentExchangeRate`: the rate that converts the document's amounts to pesos.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeRate {
    /// `cbc:SourceCurrencyCode`: the document's currency (`USD`).
    pub source_currency: String,
    /// `cbc:TargetCurrencyCode`: `COP`.
    pub target_currency: String,
    /// `cbc:CalculationRate`: pesos per unit of the source currency (the TRM).
    #[serde(with = "rust_decimal::serde::str")]
    pub rate: Decimal,
    /// `cbc:Date`: the day of the rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
}

/// `cac:LegalMonetaryTotal`.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonetaryTotals {
    /// `cbc:LineExtensionAmount`: the sum of the line bases.
    #[serde(with = "rust_decimal::serde::str")]
    pub line_extension: Decimal,
    /// `cbc:TaxExclusiveAmount`: the base the taxes were computed on.
    #[serde(with = "rust_decimal::serde::str")]
    pub tax_exclusive: Decimal,
    /// `cbc:TaxInclusiveAmount`: the subtotal plus taxes.
    #[serde(with = "rust_decimal::serde::str")]
    pub tax_inclusive: Decimal,
    /// `cbc:AllowanceTotalAmount`, when present.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::str_option"
    )]
    pub allowance_total: Option<Decimal>,
    /// `cbc:ChargeTotalAmount`, when present.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::str_option"
    )]
    pub charge_total: Option<Decimal>,
    /// `cbc:PrepaidAmount`, when present.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::str_option"
    )]
    pub prepaid: Option<Decimal>,
    /// `cbc:PayableAmount`.
    #[serde(with = "rust_decimal::serde::str")]
    pub payable: Decimal,
}

/// What the invoice was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A UBL 2.1 document (`Invoice`, `CreditNote`, `DebitNote`).
    Ubl,
    /// A UBL document taken out of a DIAN `AttachedDocument`.
    AttachedDocument,
    /// The text layer of a PDF (no OCR).
    PdfText,
    /// Tesseract output (TSV or hOCR).
    Tesseract,
    /// Amazon Textract text blocks (`DetectDocumentText`, `AnalyzeDocument`).
    Textract,
    /// Amazon Textract `AnalyzeExpense`.
    TextractExpense,
}

impl SourceKind {
    /// True for sources read exactly (XML), false for text extracted from a page.
    pub fn is_exact(self) -> bool {
        matches!(self, SourceKind::Ubl | SourceKind::AttachedDocument)
    }
}

/// How sure the reader is of one field of an OCR-read invoice.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldConfidence {
    /// The engine's own confidence for the words the value came from (the lowest of them),
    /// on the engine's scale (Tesseract and Textract: 0 to 100).
    pub engine: f32,
    /// The confidence after cross-checks (0 to 100): raised when an independent check
    /// confirms the value, set to 0 when one contradicts it.
    pub confidence: f32,
    /// The cross-checks the value took part in, each `name` or `!name` when it failed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<String>,
}

/// Where the invoice came from and, for OCR sources, the confidence of each field.
///
/// As JSON it also lists its [`doubtful_fields`](Source::doubtful_fields) (`doubtful`, left
/// out when there are none), so that callers in every language read the same list; reading
/// JSON ignores that list and recomputes it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(from = "SourceJson", into = "SourceJson")]
pub struct Source {
    /// The kind of source.
    pub kind: SourceKind,
    /// Confidence per field path (`number`, `seller.id`, `lines[2].base`, ...); empty for XML
    /// sources, which are exact.
    pub confidence: BTreeMap<String, FieldConfidence>,
    /// The threshold, on the engine's scale, below which a field is not to be trusted.
    pub threshold: Option<f32>,
}

/// The check a field fails when the reader did not find it on the page.
pub const NOT_FOUND: &str = "!found";

impl Source {
    /// An exact source (XML): no per-field confidence.
    pub fn exact(kind: SourceKind) -> Source {
        Source {
            kind,
            confidence: BTreeMap::new(),
            threshold: None,
        }
    }

    /// Whether the reader looked for the field on the page and did not find it (its value
    /// is then a placeholder, and the field is doubtful).
    pub fn was_not_found(&self, path: &str) -> bool {
        self.confidence
            .get(path)
            .is_some_and(|c| c.checks.iter().any(|check| check == NOT_FOUND))
    }

    /// The fields whose confidence is below the threshold, or which failed a cross-check.
    pub fn doubtful_fields(&self) -> Vec<&str> {
        let threshold = self.threshold.unwrap_or(0.0);
        self.confidence
            .iter()
            .filter(|(_, c)| {
                c.confidence < threshold || c.checks.iter().any(|check| check.starts_with('!'))
            })
            .map(|(path, _)| path.as_str())
            .collect()
    }
}

/// [`Source`] as JSON: its fields, and its doubtful fields on the way out.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceJson {
    kind: SourceKind,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    confidence: BTreeMap<String, FieldConfidence>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    threshold: Option<f32>,
    /// Written from [`Source::doubtful_fields`]; ignored when read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    doubtful: Vec<String>,
}

impl From<SourceJson> for Source {
    fn from(json: SourceJson) -> Source {
        Source {
            kind: json.kind,
            confidence: json.confidence,
            threshold: json.threshold,
        }
    }
}

impl From<Source> for SourceJson {
    fn from(source: Source) -> SourceJson {
        let doubtful = source
            .doubtful_fields()
            .into_iter()
            .map(str::to_owned)
            .collect();
        SourceJson {
            kind: source.kind,
            confidence: source.confidence,
            threshold: source.threshold,
            doubtful,
        }
    }
}

/// An invoice, credit note or debit note.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Invoice {
    /// Invoice, credit note or debit note.
    pub kind: DocumentKind,
    /// `cbc:InvoiceTypeCode` (see [`type_code`]); `CreditNoteTypeCode`, `DebitNoteTypeCode`
    /// for notes.
    pub type_code: String,
    /// `cbc:CustomizationID`: the operation type (`10` estándar, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_type: Option<String>,
    /// `cbc:ProfileExecutionID`: production or test.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<Environment>,
    /// `cbc:ID`: the number with its prefix, such as `SETP990000002`.
    pub number: String,
    /// The numbering range's prefix (`sts:Prefix`), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// `cbc:IssueDate`.
    pub issue_date: NaiveDate,
    /// `cbc:IssueTime`, as written (`HH:MM:SS-05:00`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_time: Option<String>,
    /// `cbc:DueDate`, or `cac:PaymentMeans/cbc:PaymentDueDate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<NaiveDate>,
    /// `cbc:UUID`: the CUFE (invoices) or CUDE (notes), as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cufe: Option<String>,
    /// `cbc:DocumentCurrencyCode`.
    pub currency: String,
    /// `cac:PaymentExchangeRate`: how the document's currency converts to pesos, when it is
    /// not COP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_rate: Option<ExchangeRate>,
    /// `cac:AccountingSupplierParty`.
    pub seller: Party,
    /// `cac:AccountingCustomerParty`.
    pub buyer: Party,
    /// The lines, in document order.
    pub lines: Vec<InvoiceLine>,
    /// `cac:TaxTotal`, one per tax.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tax_totals: Vec<TaxTotal>,
    /// `cac:LegalMonetaryTotal`.
    pub totals: MonetaryTotals,
    /// For notes: the invoice they correct (`cac:BillingReference/.../cbc:ID`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_reference: Option<String>,
    /// What the invoice was read from.
    pub source: Source,
}

impl Invoice {
    /// Reads an invoice from its JSON form (as [`Invoice::to_json`] writes it: amounts as
    /// decimal strings).
    pub fn from_json(json: &str) -> Result<Invoice, super::InvoiceError> {
        super::check_size("json", json.len(), super::MAX_DOCUMENT_BYTES)?;
        serde_json::from_str(json).map_err(|e| super::InvoiceError::InvalidJson {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })
    }

    /// The invoice as JSON: amounts as decimal strings with their scale, dates ISO 8601.
    pub fn to_json(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The pesos one unit of the document's currency is worth: `None` for COP; the
    /// document's own exchange rate when it converts its currency to COP at a positive rate;
    /// otherwise what is missing or wrong.
    pub fn pesos_per_unit(&self) -> Result<Option<Decimal>, String> {
        if self.currency.eq_ignore_ascii_case("COP") {
            return Ok(None);
        }
        let rate = self
            .exchange_rate
            .as_ref()
            .ok_or("the document gives no exchange rate (cac:PaymentExchangeRate)")?;
        if !rate.source_currency.eq_ignore_ascii_case(&self.currency)
            || !rate.target_currency.eq_ignore_ascii_case("COP")
        {
            return Err(format!(
                "the exchange rate converts {} to {}, not {} to COP",
                rate.source_currency, rate.target_currency, self.currency
            ));
        }
        if rate.rate <= Decimal::ZERO {
            return Err(format!("the exchange rate {} is not positive", rate.rate));
        }
        Ok(Some(rate.rate))
    }

    /// The total of tax `code` (`"01"` IVA, `"04"` INC, `"03"` ICA), zero when absent.
    pub fn tax_amount(&self, code: &str) -> Decimal {
        // Saturating: a sum beyond the 28-digit range is reported by validation
        // (AMOUNT_OUT_OF_RANGE); here it must only not panic.
        self.tax_totals
            .iter()
            .filter(|t| t.tax == code)
            .fold(Decimal::ZERO, |acc, t| acc.saturating_add(t.amount))
    }

    /// The fields a CUFE (or CUDE) is computed from, with the given key.
    pub fn cufe_fields(&self, key: &str) -> crate::dian::CufeFields {
        crate::dian::CufeFields {
            number: self.number.clone(),
            issue_date: self.issue_date,
            issue_time: self.issue_time.clone().unwrap_or_default(),
            subtotal: self.totals.line_extension,
            iva: self.tax_amount("01"),
            inc: self.tax_amount("04"),
            ica: self.tax_amount("03"),
            total: self.totals.payable,
            seller_nit: self.seller.id.clone(),
            buyer_id: self.buyer.id.clone(),
            key: key.to_string(),
            environment: self.environment.unwrap_or(Environment::Production),
        }
    }
}

/// The subtotals of tax `code` over `lines`, one per rate, taxable and tax amounts summed
/// (what a document's `cac:TaxTotal` holds for that tax).
pub fn subtotals_by_rate(lines: &[InvoiceLine], code: &str) -> Vec<TaxSubtotal> {
    let mut subtotals: Vec<TaxSubtotal> = Vec::new();
    for tax in lines
        .iter()
        .flat_map(|l| &l.taxes)
        .filter(|t| t.tax == code)
    {
        match subtotals.iter_mut().find(|s| s.percent == tax.percent) {
            Some(s) => {
                s.taxable += tax.taxable;
                s.amount += tax.amount;
            }
            None => subtotals.push(tax.clone()),
        }
    }
    subtotals
}

impl Invoice {
    /// Rebuilds the tax subtotals and the tax-exclusive total from the lines (the printed
    /// tax totals stay as printed).
    pub(crate) fn regroup_taxes(&mut self) {
        for total in &mut self.tax_totals {
            total.subtotals = subtotals_by_rate(&self.lines, &total.tax);
        }
        self.totals.tax_exclusive = self
            .tax_totals
            .iter()
            .flat_map(|t| &t.subtotals)
            .map(|s| s.taxable)
            .sum();
    }
}

impl InvoiceLine {
    /// The code to look the product up by in the catalog: the seller's code, else a GTIN
    /// or own code from the standard item identification.
    pub fn product_code(&self) -> Option<&str> {
        self.seller_code.as_deref().or_else(|| {
            self.item_code
                .as_ref()
                .filter(|c| c.scheme == "010" || c.scheme == "999")
                .map(|c| c.code.as_str())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(engine: f32, confidence: f32, checks: &[&str]) -> FieldConfidence {
        FieldConfidence {
            engine,
            confidence,
            checks: checks.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    #[test]
    fn json_lists_the_doubtful_fields_and_reading_recomputes_them() {
        let source = Source {
            kind: SourceKind::Tesseract,
            confidence: BTreeMap::from([
                ("number".to_owned(), read(96.0, 96.0, &[])),
                (
                    "seller.id".to_owned(),
                    read(95.0, 0.0, &["!nit_check_digit"]),
                ),
                ("totals.payable".to_owned(), read(41.0, 41.0, &["totals"])),
            ]),
            threshold: Some(60.0),
        };
        assert_eq!(source.doubtful_fields(), ["seller.id", "totals.payable"]);
        let json = serde_json::to_value(&source).unwrap();
        assert_eq!(
            json["doubtful"],
            serde_json::json!(["seller.id", "totals.payable"])
        );

        // A stale list in the input is ignored.
        let mut edited = json.clone();
        edited["doubtful"] = serde_json::json!(["number"]);
        let back: Source = serde_json::from_value(edited).unwrap();
        assert_eq!(back, source);
        assert_eq!(serde_json::to_value(&back).unwrap(), json);

        // An exact source writes no list; unknown fields are still refused.
        let exact = serde_json::to_value(Source::exact(SourceKind::Ubl)).unwrap();
        assert_eq!(exact, serde_json::json!({ "kind": "ubl" }));
        let unknown =
            serde_json::from_value::<Source>(serde_json::json!({ "kind": "ubl", "x": 1 }));
        assert!(unknown.is_err());
    }
}

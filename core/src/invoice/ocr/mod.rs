//! Invoices from OCR output and PDF text layers: Tesseract TSV or hOCR, Amazon Textract
//! JSON (`DetectDocumentText`, `AnalyzeDocument`, `AnalyzeExpense`), `pdftotext -tsv`.
//!
//! Every field gets a confidence: the engine's own for the words it came from, then raised
//! by the cross-checks it passes (NIT check digit, quantity × price = line total, lines sum
//! to the subtotal, subtotal + taxes = total, product code check digits, the CUFE when the
//! technical key is known) and set to 0 by the ones it fails. A field below the engine's
//! threshold, or failing a check, is listed by
//! [`Source::doubtful_fields`](crate::invoice::Source::doubtful_fields) and becomes an
//! `OCR_LOW_CONFIDENCE` finding.
//!
//! ```
//! use bmc_core::invoice::ocr::{self, OcrFormat, OcrOptions};
//!
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/invoices/ocr/");
//! let tsv = std::fs::read_to_string(format!("{dir}FEV-0002.tesseract.tsv"))?;
//! let qr = std::fs::read_to_string(format!("{dir}FEV-0002.qr.txt"))?;
//!
//! let invoice = ocr::from_ocr(&tsv, OcrFormat::TesseractTsv, Some(&qr), &OcrOptions::default())?;
//! assert_eq!(invoice.number, "SETP990000002");
//! assert_eq!(invoice.lines.len(), 7);
//! // The CUFE comes from the QR code, exactly; the fields it repeats are confirmed.
//! assert_eq!(invoice.source.confidence["cufe"].checks, ["qr_code"]);
//! assert!(invoice.source.confidence["totals.payable"].checks.contains(&"qr_code".to_string()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod checks;
mod extract;
mod labels;
pub mod numbers;
#[cfg(feature = "samples")]
pub mod score;
mod tesseract;
mod text;
mod textract;

use std::collections::BTreeMap;

use rust_decimal::Decimal;

pub use checks::confirm_with_qr;
pub(crate) use extract::item_code;
pub use tesseract::{read_hocr, read_tsv};
pub use text::{Engine, TextDocument, TextLine, TextPage, Word};
pub use textract::{Expense, ExpenseField, read_expense};

use super::{
    DocumentKind, FieldConfidence, Invoice, InvoiceError, InvoiceLine, MonetaryTotals, NOT_FOUND,
    Source, SourceKind, TaxSubtotal, TaxTotal,
};
use crate::money::{Rounding, round};
use extract::Read;

/// Gives the catalog's name of a product code (`None` when the code is unknown).
pub type ProductNames<'a> = dyn Fn(&str) -> Option<String> + Sync + 'a;

/// Whether a word is in some product's name in the catalog.
pub type KnownWords<'a> = dyn Fn(&str) -> bool + Sync + 'a;

/// Settings of OCR reading.
#[derive(Default)]
pub struct OcrOptions<'a> {
    /// The confidence below which a field is doubtful, on the engine's scale; `None` takes
    /// the engine's default ([`Engine::default_threshold`]).
    pub threshold: Option<f32>,
    /// The numbering range's technical key: when set, the CUFE read is recomputed from the
    /// fields read, which confirms (or refutes) all of them at once.
    pub technical_key: Option<String>,
    /// The catalog's name of a product code, `None` for an unknown code. A known code is
    /// confirmed; a description that matches the name is confirmed, one a few OCR errors
    /// away from it is corrected to it, and any other is doubtful.
    pub product_name: Option<&'a ProductNames<'a>>,
    /// Whether a word is in some product's name. A description the product's name did not
    /// confirm (no code, or one the catalog does not know) is doubtful when one of its
    /// words is in no product's name: OCR made it (`250 gy` for `250 g`, `20L` for `20 L`).
    pub known_word: Option<&'a KnownWords<'a>>,
}

impl std::fmt::Debug for OcrOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OcrOptions")
            .field("threshold", &self.threshold)
            .field(
                "technical_key",
                &self.technical_key.as_ref().map(|_| "<set>"),
            )
            .field("product_name", &self.product_name.is_some())
            .field("known_word", &self.known_word.is_some())
            .finish()
    }
}

/// The OCR output formats, by the names the bindings and the CLI use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OcrFormat {
    /// `tesseract-tsv`: Tesseract's TSV.
    TesseractTsv,
    /// `pdftotext-tsv`: poppler's `pdftotext -tsv` (a PDF's text layer).
    PdftotextTsv,
    /// `hocr`: Tesseract's hOCR.
    Hocr,
    /// `textract`: an Amazon Textract JSON response.
    Textract,
}

impl OcrFormat {
    /// Parses a format name.
    pub fn parse(name: &str) -> Result<OcrFormat, InvoiceError> {
        Ok(match name {
            "tesseract-tsv" | "tsv" => OcrFormat::TesseractTsv,
            "pdftotext-tsv" => OcrFormat::PdftotextTsv,
            "hocr" => OcrFormat::Hocr,
            "textract" => OcrFormat::Textract,
            other => {
                return Err(InvoiceError::UnknownOcrFormat {
                    name: other.to_string(),
                });
            }
        })
    }
}

/// Reads an invoice from OCR output of the given format, then takes the page's QR code text
/// into account when there is one (see [`confirm_with_qr`]).
pub fn from_ocr(
    text: &str,
    format: OcrFormat,
    qr: Option<&str>,
    options: &OcrOptions<'_>,
) -> Result<Invoice, InvoiceError> {
    let mut invoice = match format {
        OcrFormat::TesseractTsv | OcrFormat::PdftotextTsv => from_tesseract_tsv(text, options)?,
        OcrFormat::Hocr => from_hocr(text, options)?,
        OcrFormat::Textract => from_textract(text, options)?,
    };
    if let Some(qr) = qr {
        confirm_with_qr(&mut invoice, qr);
    }
    Ok(invoice)
}

/// Reads an invoice from Tesseract TSV (or `pdftotext -tsv` output).
pub fn from_tesseract_tsv(tsv: &str, options: &OcrOptions<'_>) -> Result<Invoice, InvoiceError> {
    crate::invoice::check_size("tesseract-tsv", tsv.len(), crate::invoice::MAX_OCR_BYTES)?;
    from_text(&read_tsv(tsv)?, options)
}

/// Reads an invoice from Tesseract hOCR.
pub fn from_hocr(hocr: &str, options: &OcrOptions<'_>) -> Result<Invoice, InvoiceError> {
    crate::invoice::check_size("hocr", hocr.len(), crate::invoice::MAX_OCR_BYTES)?;
    from_text(&read_hocr(hocr)?, options)
}

/// Reads an invoice from a Textract response: `DetectDocumentText` or `AnalyzeDocument`
/// (`Blocks`), or `AnalyzeExpense` (`ExpenseDocuments`).
pub fn from_textract(json: &str, options: &OcrOptions<'_>) -> Result<Invoice, InvoiceError> {
    crate::invoice::check_size("textract", json.len(), crate::invoice::MAX_OCR_BYTES)?;
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| InvoiceError::OcrInput {
            format: "textract",
            location: format!("line {}, column {}", e.line(), e.column()),
            message: e.to_string(),
        })?;
    if value.get("ExpenseDocuments").is_some() {
        let expense = read_expense(&value)?;
        return from_expense(&expense, options);
    }
    let blocks = value
        .get("Blocks")
        .and_then(serde_json::Value::as_array)
        .ok_or_else(|| InvoiceError::OcrInput {
            format: "textract",
            location: "Blocks".into(),
            message:
                "is missing: not a DetectDocumentText, AnalyzeDocument or AnalyzeExpense response"
                    .into(),
        })?;
    from_text(&textract::read_blocks(blocks, "Blocks")?, options)
}

/// Reads an invoice from an `AnalyzeExpense` result: from its text blocks with the Spanish
/// labels when it has them, the expense fields confirming or filling in; from the expense
/// fields alone otherwise.
pub fn from_expense(expense: &Expense, options: &OcrOptions<'_>) -> Result<Invoice, InvoiceError> {
    let mut invoice = match &expense.text {
        Some(text) => from_text(text, options)?,
        None => expense_only(expense, options)?,
    };
    invoice.source.kind = SourceKind::TextractExpense;
    checks::confirm_with_expense(&mut invoice, expense);
    Ok(invoice)
}

fn expense_only(expense: &Expense, options: &OcrOptions<'_>) -> Result<Invoice, InvoiceError> {
    // Rebuild text lines from the fields, labelled as a Colombian page would be, so one
    // extractor serves both.
    let mut lines: Vec<TextLine> = Vec::new();
    let mut push = |texts: &[(&str, f32)]| {
        let words = texts
            .iter()
            .flat_map(|(t, c)| {
                t.split_whitespace().map(move |w| Word {
                    text: w.to_string(),
                    left: 0.0,
                    top: 0.0,
                    width: 0.0,
                    height: 0.0,
                    confidence: *c,
                })
            })
            .collect();
        lines.push(TextLine { page: 1, words });
    };
    let summary = |kind: &str| expense.summary.iter().find(|f| f.kind == kind);
    if let Some(f) = summary("VENDOR_NAME") {
        push(&[(&f.value, f.confidence)]);
    }
    if let Some(f) = summary("VENDOR_VAT_NUMBER").or(summary("TAX_PAYER_ID")) {
        push(&[("NIT:", 100.0), (&f.value, f.confidence)]);
    }
    if let Some(f) = summary("INVOICE_RECEIPT_ID") {
        push(&[
            ("FACTURA ELECTRÓNICA DE VENTA No.", 100.0),
            (&f.value, f.confidence),
        ]);
    }
    if let Some(f) = summary("INVOICE_RECEIPT_DATE") {
        push(&[("Fecha de emisión:", 100.0), (&f.value, f.confidence)]);
    }
    if let Some(f) = summary("DUE_DATE") {
        push(&[("Fecha de vencimiento:", 100.0), (&f.value, f.confidence)]);
    }
    if let Some(f) = summary("RECEIVER_NAME") {
        push(&[("Cliente:", 100.0), (&f.value, f.confidence)]);
    }
    if let Some(f) = summary("RECEIVER_VAT_NUMBER") {
        push(&[("NIT:", 100.0), (&f.value, f.confidence)]);
    }
    push(&[("# Código Descripción Cant. Vr. unitario IVA Total", 100.0)]);
    for (i, item) in expense.line_items.iter().enumerate() {
        let field = |kind: &str| item.iter().find(|f| f.kind == kind);
        let id = (i + 1).to_string();
        let mut row: Vec<(&str, f32)> = vec![(&id, 100.0)];
        if let Some(f) = field("PRODUCT_CODE") {
            row.push((&f.value, f.confidence));
        }
        if let Some(f) = field("ITEM") {
            row.push((&f.value, f.confidence));
        }
        let quantity = field("QUANTITY").map_or(("1", 0.0), |f| (f.value.as_str(), f.confidence));
        row.push(quantity);
        if let Some(f) = field("UNIT_PRICE") {
            row.push((&f.value, f.confidence));
        }
        if let Some(f) = field("PRICE") {
            row.push((&f.value, f.confidence));
        }
        push(&row);
    }
    if let Some(f) = summary("SUBTOTAL") {
        push(&[("Subtotal:", 100.0), (&f.value, f.confidence)]);
    }
    if let Some(f) = summary("TAX") {
        push(&[("IVA:", 100.0), (&f.value, f.confidence)]);
    }
    if let Some(f) = summary("TOTAL").or(summary("AMOUNT_DUE")) {
        push(&[("Total a pagar:", 100.0), (&f.value, f.confidence)]);
    }
    let document = TextDocument {
        engine: Engine::Textract,
        pages: Vec::new(),
    };
    build(&document, &lines, options)
}

/// Reads an invoice from any text source.
pub fn from_text(
    document: &TextDocument,
    options: &OcrOptions<'_>,
) -> Result<Invoice, InvoiceError> {
    build(document, &document.lines(), options)
}

fn build(
    document: &TextDocument,
    lines: &[TextLine],
    options: &OcrOptions<'_>,
) -> Result<Invoice, InvoiceError> {
    let found = extract::extract(lines)?;
    let mut confidence: BTreeMap<String, FieldConfidence> = BTreeMap::new();
    let mut note = |path: String, r_conf: f32| {
        confidence.insert(
            path,
            FieldConfidence {
                engine: r_conf,
                confidence: r_conf,
                checks: Vec::new(),
            },
        );
    };
    let (kind, type_code) = found
        .kind
        .clone()
        .unwrap_or((DocumentKind::Invoice, super::type_code::SALE.to_string()));
    let mut missing: Vec<&str> = Vec::new();
    let number = found.number.clone().unwrap_or_else(|| {
        missing.push("number");
        Read {
            value: String::new(),
            confidence: 0.0,
        }
    });
    note("number".into(), number.confidence);
    // Without an issue date on the page the invoice is still read; the date is a
    // placeholder that fails the `found` check, never a date to trust.
    let issue = found.issue_date.clone().unwrap_or_else(|| {
        missing.push("issue_date");
        Read {
            value: chrono::NaiveDate::default(),
            confidence: 0.0,
        }
    });
    note("issue_date".into(), issue.confidence);
    if let Some(t) = &found.issue_time {
        note("issue_time".into(), t.confidence);
    }
    if let Some(d) = &found.due_date {
        note("due_date".into(), d.confidence);
    }
    if let Some(r) = &found.billing_reference {
        note("billing_reference".into(), r.confidence);
    }
    for (role, id, name) in [
        ("seller", &found.seller, &found.seller_name),
        ("buyer", &found.buyer, &found.buyer_name),
    ] {
        match id {
            Some((number, dv, _)) => {
                note(format!("{role}.id"), number.confidence);
                if let Some(dv) = dv {
                    note(format!("{role}.check_digit"), dv.confidence);
                }
            }
            None => note(format!("{role}.id"), 0.0),
        }
        note(
            format!("{role}.name"),
            name.as_ref().map_or(0.0, |n| n.confidence),
        );
    }
    let mut not_printed: Vec<String> = Vec::new();
    let codes_printed = found.rows.iter().any(|r| r.code.is_some());
    let mut codes_lost: Vec<String> = Vec::new();
    let mut invoice_lines = Vec::with_capacity(found.rows.len());
    for (i, row) in found.rows.iter().enumerate() {
        note(format!("lines[{i}].id"), row.id.confidence);
        note(
            format!("lines[{i}].description"),
            row.description.confidence,
        );
        note(format!("lines[{i}].quantity"), row.quantity.confidence);
        note(format!("lines[{i}].unit_price"), row.unit_price.confidence);
        note(format!("lines[{i}].base"), row.base.confidence);
        match &row.code {
            Some(code) => note(format!("lines[{i}].item_code"), code.confidence),
            // Other rows print their code: this one's was there and is lost.
            None if codes_printed => {
                note(format!("lines[{i}].item_code"), 0.0);
                codes_lost.push(format!("lines[{i}].item_code"));
            }
            None => {}
        }
        match &row.tax_percent {
            Some(p) => note(format!("lines[{i}].tax_percent"), p.confidence),
            None if !found.rates_printed => {
                note(format!("lines[{i}].tax_percent"), 0.0);
                not_printed.push(format!("lines[{i}].tax_percent"));
            }
            None => {}
        }
        let taxes = match &row.tax_percent {
            Some(p) if !p.value.is_zero() => {
                let mut percent = p.value;
                percent.rescale(2);
                vec![TaxSubtotal {
                    tax: "01".into(),
                    taxable: row.base.value,
                    amount: round(
                        row.base.value * p.value / Decimal::ONE_HUNDRED,
                        2,
                        Rounding::HalfUp,
                    ),
                    percent: Some(percent),
                }]
            }
            _ => Vec::new(),
        };
        let item_code = row.code.as_ref().map(|c| extract::item_code(&c.value));
        invoice_lines.push(InvoiceLine {
            id: row.id.value.clone(),
            description: row.description.value.clone(),
            quantity: row.quantity.value,
            unit: None,
            unit_price: row.unit_price.value,
            base: row.base.value,
            taxes,
            // A printed code that is not a subpartida is the seller's product code.
            seller_code: item_code
                .as_ref()
                .filter(|c| c.scheme != "020")
                .map(|c| c.code.clone()),
            item_code,
        });
    }
    let lines_sum: Decimal = invoice_lines.iter().map(|l| l.base).sum();
    let subtotal = found.subtotal.clone().unwrap_or(Read {
        value: lines_sum,
        confidence: 0.0,
    });
    note("totals.line_extension".into(), subtotal.confidence);
    let mut tax_totals = Vec::new();
    for (code, amount) in &found.taxes {
        note(format!("tax_totals.{code}"), amount.confidence);
        tax_totals.push(TaxTotal {
            tax: code.clone(),
            amount: amount.value,
            subtotals: super::subtotals_by_rate(&invoice_lines, code),
        });
    }
    let taxes: Decimal = tax_totals.iter().map(|t| t.amount).sum();
    let total = found.total.clone().unwrap_or(Read {
        value: subtotal.value + taxes,
        confidence: 0.0,
    });
    note("totals.payable".into(), total.confidence);
    if let Some(c) = &found.cufe {
        note("cufe".into(), c.confidence);
    }
    let tax_exclusive: Decimal = tax_totals
        .iter()
        .flat_map(|t| &t.subtotals)
        .map(|s| s.taxable)
        .sum();
    let engine = document.engine;
    if !found.unreadable_rows.is_empty() {
        confidence.insert(
            "lines".into(),
            FieldConfidence {
                engine: 0.0,
                confidence: 0.0,
                checks: vec!["!rows_read".into()],
            },
        );
    }
    for path in missing.into_iter().map(str::to_string).chain(codes_lost) {
        if let Some(c) = confidence.get_mut(&path) {
            c.checks.push(NOT_FOUND.into());
        }
    }
    for path in not_printed {
        if let Some(c) = confidence.get_mut(&path) {
            c.checks.push(checks::NOT_PRINTED.into());
        }
    }
    let mut invoice = Invoice {
        kind,
        type_code,
        operation_type: None,
        environment: None,
        prefix: (kind == DocumentKind::Invoice)
            .then(|| {
                number
                    .value
                    .chars()
                    .take_while(char::is_ascii_alphabetic)
                    .collect::<String>()
            })
            .filter(|p| !p.is_empty()),
        number: number.value,
        issue_date: issue.value,
        issue_time: found.issue_time.as_ref().map(|t| t.value.clone()),
        due_date: found.due_date.as_ref().map(|d| d.value),
        cufe: found.cufe.as_ref().map(|c| c.value.clone()),
        currency: "COP".into(),
        seller: extract::party(&found.seller, &found.seller_name),
        buyer: extract::party(&found.buyer, &found.buyer_name),
        lines: invoice_lines,
        tax_totals,
        totals: MonetaryTotals {
            line_extension: subtotal.value,
            tax_exclusive,
            tax_inclusive: subtotal.value + taxes,
            allowance_total: None,
            charge_total: None,
            prepaid: None,
            payable: total.value,
        },
        billing_reference: found.billing_reference.as_ref().map(|r| r.value.clone()),
        exchange_rate: None,
        source: Source {
            kind: match engine {
                Engine::Tesseract => SourceKind::Tesseract,
                Engine::Textract => SourceKind::Textract,
                Engine::PdfText => SourceKind::PdfText,
            },
            confidence,
            threshold: Some(options.threshold.unwrap_or(engine.default_threshold())),
        },
    };
    checks::cross_check(&mut invoice, options);
    Ok(invoice)
}

//! Amazon Textract responses: `DetectDocumentText` / `AnalyzeDocument` (`Blocks` of
//! `PAGE`, `LINE` and `WORD`) and `AnalyzeExpense` (`ExpenseDocuments` with
//! `SummaryFields`, `LineItemGroups` and their own `Blocks`).
//!
//! Geometry is relative to the page (0 to 1); words are placed on a page 1000 units wide
//! and as many high, which keeps their proportions within a page.

use serde_json::Value;

use super::text::{Engine, TextDocument, TextPage, Word};
use crate::invoice::InvoiceError;

fn error(location: String, message: &str) -> InvoiceError {
    InvoiceError::OcrInput {
        format: "textract",
        location,
        message: message.to_string(),
    }
}

/// The `WORD` blocks of a `Blocks` array, by page.
pub(crate) fn read_blocks(blocks: &[Value], at: &str) -> Result<TextDocument, InvoiceError> {
    let mut pages: Vec<TextPage> = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let here = format!("{at}[{i}]");
        let kind = block
            .get("BlockType")
            .and_then(Value::as_str)
            .ok_or_else(|| error(here.clone(), "has no BlockType"))?;
        if kind != "WORD" {
            continue;
        }
        let text = block
            .get("Text")
            .and_then(Value::as_str)
            .ok_or_else(|| error(here.clone(), "a WORD block has no Text"))?;
        let confidence = block
            .get("Confidence")
            .and_then(Value::as_f64)
            .ok_or_else(|| error(here.clone(), "a WORD block has no Confidence"))?;
        let page_number = block
            .get("Page")
            .and_then(Value::as_u64)
            .unwrap_or(1)
            .max(1) as u32;
        let (left, top, width, height) = bounding_box(block, &here)?;
        let page = match pages.iter_mut().position(|p| p.number == page_number) {
            Some(p) => &mut pages[p],
            None => {
                pages.push(TextPage {
                    number: page_number,
                    width: 1000.0,
                    height: 1000.0,
                    words: Vec::new(),
                });
                let last = pages.len() - 1;
                &mut pages[last]
            }
        };
        page.words.push(Word {
            text: text.to_string(),
            left: left * 1000.0,
            top: top * 1000.0,
            width: width * 1000.0,
            height: height * 1000.0,
            confidence: (confidence as f32).clamp(0.0, 100.0),
        });
    }
    pages.sort_by_key(|p| p.number);
    Ok(TextDocument {
        engine: Engine::Textract,
        pages,
    })
}

fn bounding_box(block: &Value, at: &str) -> Result<(f32, f32, f32, f32), InvoiceError> {
    let b = block
        .get("Geometry")
        .and_then(|g| g.get("BoundingBox"))
        .ok_or_else(|| error(format!("{at}.Geometry"), "has no BoundingBox"))?;
    let get = |name: &str| -> Result<f32, InvoiceError> {
        b.get(name)
            .and_then(Value::as_f64)
            .map(|v| v as f32)
            .filter(|v| v.is_finite())
            .ok_or_else(|| {
                error(
                    format!("{at}.Geometry.BoundingBox.{name}"),
                    "is not a number",
                )
            })
    };
    Ok((get("Left")?, get("Top")?, get("Width")?, get("Height")?))
}

/// A field of an `AnalyzeExpense` response: its type, value text and confidence.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpenseField {
    /// `Type.Text`: `INVOICE_RECEIPT_ID`, `TOTAL`, `ITEM`, `QUANTITY`, ...
    pub kind: String,
    /// `LabelDetection.Text`, when Textract found a label.
    pub label: Option<String>,
    /// `ValueDetection.Text`.
    pub value: String,
    /// `ValueDetection.Confidence`.
    pub confidence: f32,
}

/// What an `AnalyzeExpense` response holds for one document.
#[derive(Debug, Clone, PartialEq)]
pub struct Expense {
    /// `SummaryFields`.
    pub summary: Vec<ExpenseField>,
    /// `LineItemGroups[].LineItems[].LineItemExpenseFields`, one list per line item.
    pub line_items: Vec<Vec<ExpenseField>>,
    /// The document's own `Blocks`, as text, when the response has them.
    pub text: Option<TextDocument>,
}

/// Reads the first document of an `AnalyzeExpense` response.
pub fn read_expense(json: &Value) -> Result<Expense, InvoiceError> {
    let document = json
        .get("ExpenseDocuments")
        .and_then(Value::as_array)
        .and_then(|d| d.first())
        .ok_or_else(|| error("ExpenseDocuments".into(), "is missing or empty"))?;
    let fields = |list: Option<&Value>, at: &str| -> Result<Vec<ExpenseField>, InvoiceError> {
        let Some(list) = list else {
            return Ok(Vec::new());
        };
        let list = list
            .as_array()
            .ok_or_else(|| error(at.to_string(), "is not an array"))?;
        list.iter()
            .enumerate()
            .map(|(i, f)| expense_field(f, &format!("{at}[{i}]")))
            .collect()
    };
    let summary = fields(
        document.get("SummaryFields"),
        "ExpenseDocuments[0].SummaryFields",
    )?;
    let mut line_items = Vec::new();
    if let Some(groups) = document.get("LineItemGroups").and_then(Value::as_array) {
        for (g, group) in groups.iter().enumerate() {
            for (l, item) in group
                .get("LineItems")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                line_items.push(fields(
                    item.get("LineItemExpenseFields"),
                    &format!("ExpenseDocuments[0].LineItemGroups[{g}].LineItems[{l}].LineItemExpenseFields"),
                )?);
            }
        }
    }
    let text = match document.get("Blocks").and_then(Value::as_array) {
        Some(blocks) => Some(read_blocks(blocks, "ExpenseDocuments[0].Blocks")?),
        None => None,
    };
    Ok(Expense {
        summary,
        line_items,
        text,
    })
}

fn expense_field(field: &Value, at: &str) -> Result<ExpenseField, InvoiceError> {
    let kind = field
        .get("Type")
        .and_then(|t| t.get("Text"))
        .and_then(Value::as_str)
        .ok_or_else(|| error(format!("{at}.Type"), "has no Text"))?;
    let value = field.get("ValueDetection");
    Ok(ExpenseField {
        kind: kind.to_string(),
        label: field
            .get("LabelDetection")
            .and_then(|l| l.get("Text"))
            .and_then(Value::as_str)
            .map(str::to_string),
        value: value
            .and_then(|v| v.get("Text"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        confidence: value
            .and_then(|v| v.get("Confidence"))
            .and_then(Value::as_f64)
            .unwrap_or(0.0) as f32,
    })
}

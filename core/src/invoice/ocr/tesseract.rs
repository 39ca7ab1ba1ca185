//! Tesseract output: TSV (`tesseract img out tsv`) and hOCR. `pdftotext -tsv` writes the
//! same TSV columns for a PDF's text layer, and is read here too.

use super::text::{Engine, TextDocument, TextPage, Word};
use crate::invoice::InvoiceError;

const COLUMNS: [&str; 12] = [
    "level",
    "page_num",
    "block_num",
    "par_num",
    "line_num",
    "word_num",
    "left",
    "top",
    "width",
    "height",
    "conf",
    "text",
];

fn tsv_error(line: usize, message: String) -> InvoiceError {
    InvoiceError::OcrInput {
        format: "tesseract-tsv",
        location: format!("line {line}"),
        message,
    }
}

/// Reads TSV from Tesseract or `pdftotext -tsv` (recognised by its `###PAGE###` markers).
pub fn read_tsv(text: &str) -> Result<TextDocument, InvoiceError> {
    let mut rows = text.lines().enumerate();
    let (_, header) = rows
        .next()
        .ok_or_else(|| tsv_error(1, "the input is empty".into()))?;
    let names: Vec<&str> = header.split('\t').map(str::trim).collect();
    let mut index = [0usize; 12];
    for (slot, column) in index.iter_mut().zip(COLUMNS) {
        *slot = names
            .iter()
            .position(|n| *n == column)
            .ok_or_else(|| tsv_error(1, format!("the header has no {column:?} column")))?;
    }
    let engine = if text.contains("###PAGE###") {
        Engine::PdfText
    } else {
        Engine::Tesseract
    };
    let mut pages: Vec<TextPage> = Vec::new();
    for (i, row) in rows {
        let line = i + 1;
        if row.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = row.split('\t').collect();
        if fields.len() < names.len() - 1 {
            return Err(tsv_error(
                line,
                format!("{} columns; the header has {}", fields.len(), names.len()),
            ));
        }
        let get = |column: usize| fields.get(index[column]).copied().unwrap_or("");
        let number = |column: usize| -> Result<f32, InvoiceError> {
            let raw = get(column).trim();
            raw.parse::<f32>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    tsv_error(
                        line,
                        format!("{} is {raw:?}, not a number", COLUMNS[column]),
                    )
                })
        };
        let level = number(0)? as u32;
        let page_number = number(1)?.max(1.0) as u32;
        if pages.last().is_none_or(|p| p.number != page_number) {
            if pages.len() >= 10_000 {
                return Err(tsv_error(line, "more than 10000 pages".into()));
            }
            pages.push(TextPage {
                number: page_number,
                ..TextPage::default()
            });
        }
        let Some(page) = pages.last_mut() else {
            continue;
        };
        let (left, top, width, height) = (number(6)?, number(7)?, number(8)?, number(9)?);
        if level == 1 {
            page.width = left + width;
            page.height = top + height;
            continue;
        }
        let word = get(11).trim();
        let confidence = number(10)?;
        if level != 5 || word.is_empty() || confidence < 0.0 {
            continue;
        }
        page.words.push(Word {
            text: word.to_string(),
            left,
            top,
            width,
            height,
            confidence: confidence.min(100.0),
        });
    }
    Ok(TextDocument { engine, pages })
}

/// Reads Tesseract's hOCR (XHTML): `ocr_page` bounding boxes and `ocrx_word` words with
/// their `x_wconf`.
pub fn read_hocr(text: &str) -> Result<TextDocument, InvoiceError> {
    let hocr_error = |message: String| InvoiceError::OcrInput {
        format: "hocr",
        location: "document".into(),
        message,
    };
    // hOCR names the XHTML DTD by public id only; with no internal subset it declares
    // nothing, so it is dropped before the hardened parser (which refuses any DOCTYPE).
    let body = match text.find("<!DOCTYPE") {
        Some(start) => {
            let end = text[start..]
                .find('>')
                .map(|e| start + e + 1)
                .ok_or_else(|| hocr_error("the DOCTYPE is not closed".into()))?;
            if text[start..end].contains('[') {
                return Err(hocr_error("a DOCTYPE with declarations is refused".into()));
            }
            format!("{}{}", &text[..start], &text[end..])
        }
        None => text.to_string(),
    };
    let document =
        crate::invoice::xml::parse(body.as_bytes(), &crate::invoice::xml::Limits::default())?;
    let mut pages = Vec::new();
    collect(&document.root, &mut pages);
    Ok(TextDocument {
        engine: Engine::Tesseract,
        pages,
    })
}

fn collect(element: &crate::invoice::xml::Element, pages: &mut Vec<TextPage>) {
    let class = element.attr("class").unwrap_or_default();
    let title = element.attr("title").unwrap_or_default();
    if class == "ocr_page" {
        let (_, _, right, bottom) = bbox(title).unwrap_or_default();
        pages.push(TextPage {
            number: pages.len() as u32 + 1,
            width: right,
            height: bottom,
            words: Vec::new(),
        });
    } else if class == "ocrx_word" {
        let text = all_text(element);
        if let (Some((x0, y0, x1, y1)), Some(page)) = (bbox(title), pages.last_mut())
            && !text.trim().is_empty()
        {
            page.words.push(Word {
                text: text.trim().to_string(),
                left: x0,
                top: y0,
                width: x1 - x0,
                height: y1 - y0,
                confidence: property(title, "x_wconf").unwrap_or(0.0).clamp(0.0, 100.0),
            });
        }
        return;
    }
    for child in &element.children {
        collect(child, pages);
    }
}

fn all_text(element: &crate::invoice::xml::Element) -> String {
    let mut text = element.text.clone();
    for child in &element.children {
        text.push_str(&all_text(child));
    }
    text
}

/// `bbox x0 y0 x1 y1` from an hOCR title.
fn bbox(title: &str) -> Option<(f32, f32, f32, f32)> {
    let part = title
        .split(';')
        .map(str::trim)
        .find(|p| p.starts_with("bbox "))?;
    let v: Vec<f32> = part[5..]
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    (v.len() == 4).then(|| (v[0], v[1], v[2], v[3]))
}

fn property(title: &str, name: &str) -> Option<f32> {
    title
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix(name))
        .and_then(|v| v.trim().parse().ok())
}

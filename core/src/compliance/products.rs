//! Item codes by scheme, catalog presence and active flag, and registration eligibility.

use super::{Context, Findings, Severity};
use crate::dian::{ProductCode, TariffCode};
use crate::invoice::Invoice;

pub(super) fn check(invoice: &Invoice, context: &Context<'_>, out: &mut Findings) {
    let mut eligible_lines = 0usize;
    let mut classified_lines = 0usize;
    for (i, line) in invoice.lines.iter().enumerate() {
        let mut tariff: Option<TariffCode> = None;
        match &line.item_code {
            Some(code) => match ProductCode::parse(&code.scheme, &code.code) {
                Ok(ProductCode::Tariff(t)) => tariff = Some(t),
                Ok(_) => {}
                Err(e) => out.push(
                    if e.code() == "PRODUCT_CODE_UNKNOWN_SCHEME" {
                        "PRODUCT_CODE_SCHEME_UNKNOWN"
                    } else {
                        "PRODUCT_CODE_INVALID"
                    },
                    Severity::Error,
                    format!("lines[{i}].item_code"),
                    format!(
                        "El código {:?} (esquema {}) de la línea {} no es válido: {e} [{}].",
                        code.code,
                        code.scheme,
                        line.id,
                        e.code()
                    ),
                    format!(
                        "Line {}'s code {:?} (scheme {}) is not valid: {e} [{}].",
                        line.id,
                        code.code,
                        code.scheme,
                        e.code()
                    ),
                ),
            },
            None if line.seller_code.is_none() => out.push(
                "PRODUCT_CODE_MISSING",
                Severity::Warning,
                format!("lines[{i}].item_code"),
                format!("La línea {} no identifica el producto.", line.id),
                format!("Line {} does not identify its product.", line.id),
            ),
            None => {}
        }
        if let (Some(catalog), Some(code)) = (context.catalog, line.product_code()) {
            match catalog.product_status(code) {
                Err(e) => out.push(
                    "CATALOG_LOOKUP_FAILED",
                    Severity::Error,
                    format!("lines[{i}]"),
                    format!(
                        "El catálogo no pudo responder por el producto {code:?} de la línea {}: {e} [{}].",
                        line.id,
                        e.code()
                    ),
                    format!(
                        "The catalog could not answer for line {}'s product {code:?}: {e} [{}].",
                        line.id,
                        e.code()
                    ),
                ),
                Ok(None) => out.push(
                    "PRODUCT_NOT_IN_CATALOG",
                    Severity::Warning,
                    format!("lines[{i}]"),
                    format!(
                        "El producto {code:?} de la línea {} no está en el catálogo.",
                        line.id
                    ),
                    format!("Line {}'s product {code:?} is not in the catalog.", line.id),
                ),
                Ok(Some(status)) => {
                    if !status.is_active {
                        out.push(
                            "PRODUCT_INACTIVE",
                            Severity::Warning,
                            format!("lines[{i}]"),
                            format!(
                                "El producto {code:?} de la línea {} está inactivo en el catálogo.",
                                line.id
                            ),
                            format!(
                                "Line {}'s product {code:?} is inactive in the catalog.",
                                line.id
                            ),
                        );
                    }
                    match tariff {
                        Some(t) if t != status.tariff_code => out.push(
                            "PRODUCT_CLASSIFICATION_MISMATCH",
                            Severity::Warning,
                            format!("lines[{i}].item_code"),
                            format!(
                                "La línea {} declara la subpartida {} y el catálogo clasifica {code:?} en {}.",
                                line.id, t, status.tariff_code
                            ),
                            format!(
                                "Line {} declares subpartida {} and the catalog classifies {code:?} as {}.",
                                line.id, t, status.tariff_code
                            ),
                        ),
                        Some(_) => {}
                        None => tariff = Some(status.tariff_code),
                    }
                }
            }
        }
        let Some(tariff) = tariff else { continue };
        classified_lines += 1;
        let chapter = tariff.chapter_number();
        if context.eligible_chapters.contains(&chapter) {
            eligible_lines += 1;
        } else {
            out.push(
                "CHAPTER_NOT_ELIGIBLE",
                Severity::Warning,
                format!("lines[{i}]"),
                format!(
                    "La línea {} es del capítulo {:02} ({}), que no es agropecuario: no suma a la base de la comisión.",
                    line.id,
                    chapter,
                    tariff
                ),
                format!(
                    "Line {} is of chapter {:02} ({}), which is not agricultural: it adds nothing to the commission base.",
                    line.id,
                    chapter,
                    tariff
                ),
            );
        }
    }
    let unclassified = invoice.lines.len() - classified_lines;
    if unclassified > 0 {
        out.push(
            "PRODUCT_UNCLASSIFIED",
            Severity::Warning,
            "lines",
            format!("{unclassified} línea(s) sin subpartida arancelaria conocida (ni en la factura ni en el catálogo)."),
            format!("{unclassified} line(s) without a known subpartida (neither in the invoice nor in the catalog)."),
        );
    }
    if !invoice.lines.is_empty() && eligible_lines == 0 {
        out.push(
            "NO_ELIGIBLE_PRODUCTS",
            Severity::Error,
            "lines",
            "Ninguna línea es de un producto agropecuario elegible: la factura no se puede registrar.",
            "No line is an eligible agricultural product: the invoice cannot be registered.",
        );
    }
}

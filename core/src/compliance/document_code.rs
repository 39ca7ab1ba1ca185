//! The CUFE (invoices) or CUDE (notes): present, well formed, and right when the key is known.

use super::{Context, Findings, Severity};
use crate::dian::{Cufe, CufeError, Environment, cufe};
use crate::invoice::{DocumentKind, Invoice};

pub(super) fn check(invoice: &Invoice, context: &Context<'_>, out: &mut Findings) {
    environment(invoice, context, out);
    let name = if invoice.kind == DocumentKind::Invoice {
        "CUFE"
    } else {
        "CUDE"
    };
    let Some(written) = invoice.cufe.as_deref() else {
        let severity = if invoice.source.kind.is_exact() {
            Severity::Error
        } else {
            Severity::Warning
        };
        out.push(
            "CUFE_MISSING",
            severity,
            "cufe",
            format!("El documento no tiene {name}."),
            format!("The document has no {name}."),
        );
        return;
    };
    if Cufe::parse(written).is_err() {
        out.push(
            "CUFE_MALFORMED",
            Severity::Error,
            "cufe",
            format!("El {name} no son 96 dígitos hexadecimales."),
            format!("The {name} is not 96 hex digits."),
        );
        return;
    }
    let seller = invoice.seller.id.as_str();
    let prefix = invoice.prefix.as_deref();
    let keys = context.numbering_keys;
    let key = match invoice.kind {
        DocumentKind::Invoice => context
            .technical_key
            .as_deref()
            .or_else(|| keys.and_then(|k| k.technical_key(seller, &invoice.number, prefix))),
        _ => context
            .software_pin
            .as_deref()
            .or_else(|| keys.and_then(|k| k.software_pin(seller, &invoice.number, prefix))),
    };
    let Some(key) = key else {
        let (what_es, what_en) = match invoice.kind {
            DocumentKind::Invoice => ("la clave técnica", "the technical key"),
            _ => ("el PIN del software", "the software PIN"),
        };
        let range = crate::dian::numbering::number_prefix(&invoice.number);
        let range = prefix.unwrap_or(range);
        out.push(
            "CUFE_UNVERIFIABLE",
            Severity::Warning,
            "cufe",
            format!(
                "No se puede recalcular el {name}: no se conoce {what_es} del rango {range:?} del vendedor {seller}; requiere revisión."
            ),
            format!(
                "The {name} cannot be recomputed: {what_en} of seller {seller}'s range {range:?} is not known; needs review."
            ),
        );
        return;
    };
    // A document read from a page may not say its environment: either one may match.
    let environments = match invoice.environment {
        Some(env) => vec![env],
        None => vec![Environment::Production, Environment::Test],
    };
    let result = environments
        .iter()
        .map(|env| {
            let mut fields = invoice.cufe_fields(key);
            fields.environment = *env;
            cufe::verify(&fields, written)
        })
        .reduce(|a, b| if a.is_ok() { a } else { b })
        .unwrap_or(Err(CufeError::Malformed {
            value: String::new(),
        }));
    match result {
        Ok(_) => {}
        Err(CufeError::Mismatch { expected, .. }) => out.push(
            "CUFE_MISMATCH",
            Severity::Error,
            "cufe",
            format!("El {name} no corresponde a los datos de la factura; con la clave configurada es {expected}."),
            format!("The {name} does not match the invoice's data; with the configured key it is {expected}."),
        ),
        Err(e) => out.push(
            "CUFE_UNVERIFIABLE",
            Severity::Warning,
            "cufe",
            format!("No se puede recalcular el {name}: {e}."),
            format!("The {name} cannot be recomputed: {e}."),
        ),
    }
}

/// A test-environment (habilitación) document has no fiscal validity on a production
/// platform.
fn environment(invoice: &Invoice, context: &Context<'_>, out: &mut Findings) {
    if invoice.environment == Some(Environment::Test)
        && context.environment == Environment::Production
    {
        out.push(
            "DOCUMENT_TEST_ENVIRONMENT",
            Severity::Error,
            "environment",
            "El documento es del ambiente de pruebas (habilitación) de la DIAN: no tiene validez fiscal.",
            "The document is from DIAN's test environment (habilitación): it has no fiscal validity.",
        );
    }
}

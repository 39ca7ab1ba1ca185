//! The parties' ids and the document type.

use super::{Context, Findings, Severity};
use crate::dian::{IdType, is_final_consumer, nit};
use crate::invoice::{DocumentKind, Invoice, Party, type_code};

pub(super) fn check(invoice: &Invoice, _context: &Context<'_>, out: &mut Findings) {
    party(&invoice.seller, "seller", "vendedor", out);
    party(&invoice.buyer, "buyer", "comprador", out);
    if invoice.seller.id_type != "31" {
        out.push(
            "SELLER_NOT_NIT",
            Severity::Error,
            "seller.id_type",
            format!(
                "El vendedor debe identificarse con NIT (tipo 31), no con tipo {:?}.",
                invoice.seller.id_type
            ),
            format!(
                "The seller must be identified by NIT (type 31), not by type {:?}.",
                invoice.seller.id_type
            ),
        );
    }
    if is_final_consumer(&invoice.buyer.id) {
        out.push(
            "BUYER_NOT_IDENTIFIED",
            Severity::Error,
            "buyer.id",
            "El comprador es el consumidor final (222222222222): una factura sin comprador identificado no se puede registrar.",
            "The buyer is the final consumer (222222222222): an invoice without an identified buyer cannot be registered.",
        );
    }
    document_type(invoice, out);
    match invoice.pesos_per_unit() {
        Ok(None) => {}
        Ok(Some(rate)) => out.push(
            "CURRENCY_NOT_COP",
            Severity::Warning,
            "currency",
            format!(
                "La moneda es {}; la comisión se liquida en pesos con la tasa de cambio del documento ({rate}).",
                invoice.currency
            ),
            format!(
                "The currency is {}; the commission is computed in pesos at the document's exchange rate ({rate}).",
                invoice.currency
            ),
        ),
        Err(e) => out.push(
            "EXCHANGE_RATE_MISSING",
            Severity::Error,
            "exchange_rate",
            format!(
                "La moneda es {} y la tasa de cambio a pesos falta o no sirve ({e}): no se liquida comisión; requiere revisión.",
                invoice.currency
            ),
            format!(
                "The currency is {} and the exchange rate to pesos is missing or unusable ({e}): no commission is computed; needs review.",
                invoice.currency
            ),
        ),
    }
}

fn party(party: &Party, role: &str, rol: &str, out: &mut Findings) {
    let id_type = match IdType::parse(&party.id_type) {
        Ok(t) => t,
        Err(_) => {
            out.push(
                "ID_TYPE_UNKNOWN",
                Severity::Error,
                format!("{role}.id_type"),
                format!(
                    "El tipo de documento del {rol} ({:?}) no está en la lista de la DIAN.",
                    party.id_type
                ),
                format!(
                    "The {role}'s id type ({:?}) is not in DIAN's list.",
                    party.id_type
                ),
            );
            return;
        }
    };
    let digits_only = !id_type.is_numeric() || party.id.bytes().all(|b| b.is_ascii_digit());
    if party.id.is_empty() || !party.id.bytes().all(|b| b.is_ascii_alphanumeric()) || !digits_only {
        out.push(
            "ID_INVALID",
            Severity::Error,
            format!("{role}.id"),
            format!(
                "El número de identificación del {rol} ({:?}) no es válido{}.",
                party.id,
                if digits_only {
                    ""
                } else {
                    ": este tipo de documento lleva solo dígitos"
                }
            ),
            format!(
                "The {role}'s id number ({:?}) is not valid{}.",
                party.id,
                if digits_only {
                    ""
                } else {
                    ": this id type has digits only"
                }
            ),
        );
        return;
    }
    if !id_type.has_check_digit() {
        return;
    }
    let expected = match nit::check_digit(&party.id) {
        Ok(dv) => dv,
        Err(e) => {
            out.push(
                "ID_INVALID",
                Severity::Error,
                format!("{role}.id"),
                format!("El NIT del {rol} ({}) no es válido: {e}.", party.id),
                format!("The {role}'s NIT ({}) is not valid: {e}.", party.id),
            );
            return;
        }
    };
    match party.check_digit.as_deref() {
        None => out.push(
            "NIT_CHECK_DIGIT_MISSING",
            Severity::Warning,
            format!("{role}.check_digit"),
            format!("Falta el dígito de verificación del NIT del {rol} (debe ser {expected})."),
            format!("The {role}'s NIT check digit is missing (it should be {expected})."),
        ),
        Some(dv) if dv != expected.to_string() => out.push(
            "NIT_CHECK_DIGIT",
            Severity::Error,
            format!("{role}.check_digit"),
            format!(
                "El dígito de verificación del NIT {} del {rol} es {dv}; debe ser {expected}.",
                party.id
            ),
            format!(
                "The check digit of the {role}'s NIT {} is {dv}; it should be {expected}.",
                party.id
            ),
        ),
        Some(_) => {}
    }
}

fn document_type(invoice: &Invoice, out: &mut Findings) {
    let code = invoice.type_code.as_str();
    if code == type_code::POS {
        out.push(
            "POS_DOCUMENT",
            Severity::Error,
            "type_code",
            "Es un documento equivalente POS, no una factura electrónica de venta: no se puede registrar.",
            "This is a POS equivalent document, not an electronic sales invoice: it cannot be registered.",
        );
        return;
    }
    if type_code::name(code).is_none() {
        out.push(
            "DOCUMENT_TYPE_UNKNOWN",
            Severity::Error,
            "type_code",
            format!("El tipo de documento {code:?} no está en el anexo técnico."),
            format!("Document type {code:?} is not in the technical annex."),
        );
    }
    if invoice.kind != DocumentKind::Invoice {
        out.push(
            "NOTE_DOCUMENT",
            Severity::Info,
            "kind",
            format!(
                "Es una nota ({}) sobre la factura {}: ajusta un registro, no es un registro nuevo.",
                type_code::name(code).unwrap_or(code),
                invoice.billing_reference.as_deref().unwrap_or("?")
            ),
            format!(
                "This is a note ({}) on invoice {}: it adjusts a registration, it is not a new one.",
                type_code::name(code).unwrap_or(code),
                invoice.billing_reference.as_deref().unwrap_or("?")
            ),
        );
    }
}

//! Totals and tax arithmetic, to the cent.

use rust_decimal::Decimal;

use super::{Findings, Severity};
use crate::invoice::Invoice;
use crate::money::{Rounding, format_cop, round};

fn cents(value: Decimal) -> Decimal {
    round(value, 2, Rounding::HalfUp)
}

fn mismatch(
    out: &mut Findings,
    code: &str,
    path: String,
    what_es: &str,
    what_en: &str,
    written: Decimal,
    computed: Decimal,
) {
    out.push(
        code,
        Severity::Error,
        path,
        format!(
            "{what_es}: dice {} y el cálculo da {}.",
            format_cop(written),
            format_cop(computed)
        ),
        format!(
            "{what_en}: it says {} and the computation gives {}.",
            format_cop(written),
            format_cop(computed)
        ),
    );
}

/// Decimal arithmetic that reports leaving rust_decimal's range (28 digits) instead of
/// panicking: amounts come from documents, and a document can hold any number.
fn product(a: Decimal, b: Decimal) -> Option<Decimal> {
    a.checked_mul(b)
}

fn sum(values: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
    values
        .into_iter()
        .try_fold(Decimal::ZERO, |acc, v| acc.checked_add(v))
}

/// `taxable × percent / 100`, checked.
fn tax_at(taxable: Decimal, percent: Decimal) -> Option<Decimal> {
    product(taxable, percent)?.checked_div(Decimal::ONE_HUNDRED)
}

fn out_of_range(out: &mut Findings, path: String, what_es: &str, what_en: &str) {
    out.push(
        "AMOUNT_OUT_OF_RANGE",
        Severity::Error,
        path,
        format!("{what_es}: el cálculo sale del rango de 28 dígitos."),
        format!("{what_en}: the computation leaves the 28-digit range."),
    );
}

/// Every amount the document states, with its path: none may be negative (a return is a
/// credit note, never a negative line).
fn stated_amounts(invoice: &Invoice) -> Vec<(String, Decimal)> {
    let mut amounts = Vec::new();
    for (i, line) in invoice.lines.iter().enumerate() {
        amounts.push((format!("lines[{i}].quantity"), line.quantity));
        amounts.push((format!("lines[{i}].unit_price"), line.unit_price));
        amounts.push((format!("lines[{i}].base"), line.base));
        for (t, tax) in line.taxes.iter().enumerate() {
            amounts.push((format!("lines[{i}].taxes[{t}].taxable"), tax.taxable));
            amounts.push((format!("lines[{i}].taxes[{t}].amount"), tax.amount));
            if let Some(p) = tax.percent {
                amounts.push((format!("lines[{i}].taxes[{t}].percent"), p));
            }
        }
    }
    for (t, total) in invoice.tax_totals.iter().enumerate() {
        amounts.push((format!("tax_totals[{t}].amount"), total.amount));
        for (s, sub) in total.subtotals.iter().enumerate() {
            amounts.push((
                format!("tax_totals[{t}].subtotals[{s}].taxable"),
                sub.taxable,
            ));
            amounts.push((format!("tax_totals[{t}].subtotals[{s}].amount"), sub.amount));
        }
    }
    let totals = &invoice.totals;
    amounts.push(("totals.line_extension".into(), totals.line_extension));
    amounts.push(("totals.tax_exclusive".into(), totals.tax_exclusive));
    amounts.push(("totals.tax_inclusive".into(), totals.tax_inclusive));
    for (name, value) in [
        ("totals.allowance_total", totals.allowance_total),
        ("totals.charge_total", totals.charge_total),
        ("totals.prepaid", totals.prepaid),
    ] {
        if let Some(v) = value {
            amounts.push((name.into(), v));
        }
    }
    amounts.push(("totals.payable".into(), totals.payable));
    amounts
}

pub(super) fn check(invoice: &Invoice, out: &mut Findings) {
    if invoice.lines.is_empty() {
        out.push(
            "NO_LINES",
            Severity::Error,
            "lines",
            "La factura no tiene líneas.",
            "The invoice has no lines.",
        );
    }
    for (path, value) in stated_amounts(invoice) {
        if value.is_sign_negative() && !value.is_zero() {
            out.push(
                "AMOUNT_NEGATIVE",
                Severity::Error,
                path.clone(),
                format!(
                    "{path} es negativo ({value}); una devolución se hace con una nota crédito."
                ),
                format!("{path} is negative ({value}); a return is made with a credit note."),
            );
        }
    }
    for (i, line) in invoice.lines.iter().enumerate() {
        let path = format!("lines[{i}].base");
        match product(line.quantity, line.unit_price).map(cents) {
            None => out_of_range(
                out,
                path,
                &format!("Cantidad × precio de la línea {}", line.id),
                &format!("Line {}'s quantity × price", line.id),
            ),
            Some(computed) if cents(line.base) != computed => mismatch(
                out,
                "LINE_AMOUNT_MISMATCH",
                path,
                &format!("El valor de la línea {} no es cantidad × precio", line.id),
                &format!("Line {}'s amount is not quantity × price", line.id),
                line.base,
                computed,
            ),
            Some(_) => {}
        }
        for (t, tax) in line.taxes.iter().enumerate() {
            if let Some(percent) = tax.percent {
                let path = format!("lines[{i}].taxes[{t}].amount");
                match tax_at(tax.taxable, percent).map(cents) {
                    None => out_of_range(
                        out,
                        path,
                        &format!("El impuesto {} de la línea {}", tax.tax, line.id),
                        &format!("Tax {} of line {}", tax.tax, line.id),
                    ),
                    Some(computed) if cents(tax.amount) != computed => mismatch(
                        out,
                        "TAX_MISMATCH",
                        path,
                        &format!(
                            "El impuesto {} de la línea {} al {percent} %",
                            tax.tax, line.id
                        ),
                        &format!("Tax {} of line {} at {percent} %", tax.tax, line.id),
                        tax.amount,
                        computed,
                    ),
                    Some(_) => {}
                }
            }
        }
    }
    let totals = &invoice.totals;
    match sum(invoice.lines.iter().map(|l| l.base)) {
        None => out_of_range(
            out,
            "totals.line_extension".into(),
            "La suma de las líneas",
            "The sum of the lines",
        ),
        Some(lines) if cents(totals.line_extension) != cents(lines) => mismatch(
            out,
            "TOTALS_MISMATCH",
            "totals.line_extension".into(),
            "El subtotal no es la suma de las líneas",
            "The subtotal is not the sum of the lines",
            totals.line_extension,
            lines,
        ),
        Some(_) => {}
    }
    taxes(invoice, out);
    let inclusive = sum(invoice.tax_totals.iter().map(|t| t.amount))
        .and_then(|taxes| totals.line_extension.checked_add(taxes));
    match inclusive {
        None => out_of_range(
            out,
            "totals.tax_inclusive".into(),
            "Subtotal + impuestos",
            "Subtotal + taxes",
        ),
        Some(inclusive) if cents(totals.tax_inclusive) != cents(inclusive) => mismatch(
            out,
            "TOTALS_MISMATCH",
            "totals.tax_inclusive".into(),
            "El total con impuestos no es subtotal + impuestos",
            "The total with taxes is not subtotal + taxes",
            totals.tax_inclusive,
            inclusive,
        ),
        Some(_) => {}
    }
    let payable = totals
        .tax_inclusive
        .checked_sub(totals.allowance_total.unwrap_or_default())
        .and_then(|v| v.checked_add(totals.charge_total.unwrap_or_default()))
        .and_then(|v| v.checked_sub(totals.prepaid.unwrap_or_default()));
    match payable {
        None => out_of_range(
            out,
            "totals.payable".into(),
            "Total − descuentos + cargos − anticipos",
            "Total − allowances + charges − prepaid",
        ),
        Some(payable) if cents(totals.payable) != cents(payable) => mismatch(
            out,
            "TOTALS_MISMATCH",
            "totals.payable".into(),
            "El total a pagar no es total con impuestos − descuentos + cargos − anticipos",
            "The amount payable is not total with taxes − allowances + charges − prepaid",
            totals.payable,
            payable,
        ),
        Some(_) => {}
    }
}

/// Each tax total against its subtotals, each subtotal against its rate, and the document's
/// taxes against the lines' taxes.
fn taxes(invoice: &Invoice, out: &mut Findings) {
    for (t, total) in invoice.tax_totals.iter().enumerate() {
        let subtotals = sum(total.subtotals.iter().map(|s| s.amount));
        if subtotals.is_none() {
            out_of_range(
                out,
                format!("tax_totals[{t}].amount"),
                &format!("La suma de los subtotales del impuesto {}", total.tax),
                &format!("The sum of tax {}'s subtotals", total.tax),
            );
        }
        if let Some(sum) = subtotals
            && !total.subtotals.is_empty()
            && cents(sum) != cents(total.amount)
        {
            mismatch(
                out,
                "TAX_MISMATCH",
                format!("tax_totals[{t}].amount"),
                &format!(
                    "El total del impuesto {} no es la suma de sus subtotales",
                    total.tax
                ),
                &format!(
                    "The total of tax {} is not the sum of its subtotals",
                    total.tax
                ),
                total.amount,
                sum,
            );
        }
        for (s, sub) in total.subtotals.iter().enumerate() {
            if let Some(percent) = sub.percent {
                let Some(computed) = tax_at(sub.taxable, percent).map(cents) else {
                    out_of_range(
                        out,
                        format!("tax_totals[{t}].subtotals[{s}].amount"),
                        &format!("El impuesto {} al {percent} %", sub.tax),
                        &format!("Tax {} at {percent} %", sub.tax),
                    );
                    continue;
                };
                if cents(sub.amount) != computed {
                    mismatch(
                        out,
                        "TAX_MISMATCH",
                        format!("tax_totals[{t}].subtotals[{s}].amount"),
                        &format!("El impuesto {} al {percent} %", sub.tax),
                        &format!("Tax {} at {percent} %", sub.tax),
                        sub.amount,
                        computed,
                    );
                }
                if sub.tax == "01" && ![0, 5, 19].iter().any(|r| Decimal::from(*r) == percent) {
                    out.push(
                        "TAX_RATE_UNKNOWN",
                        Severity::Warning,
                        format!("tax_totals[{t}].subtotals[{s}].percent"),
                        format!("La tarifa de IVA {percent} % no es 0, 5 ni 19 %."),
                        format!("The IVA rate {percent} % is not 0, 5 or 19 %."),
                    );
                }
            }
        }
        let Some(from_lines) = sum(invoice
            .lines
            .iter()
            .flat_map(|l| &l.taxes)
            .filter(|x| x.tax == total.tax)
            .map(|x| x.amount))
        else {
            out_of_range(
                out,
                format!("tax_totals[{t}].amount"),
                &format!("La suma del impuesto {} en las líneas", total.tax),
                &format!("The sum of tax {} over the lines", total.tax),
            );
            continue;
        };
        let lines_have_tax = invoice
            .lines
            .iter()
            .flat_map(|l| &l.taxes)
            .any(|x| x.tax == total.tax);
        if lines_have_tax && cents(from_lines) != cents(total.amount) {
            mismatch(
                out,
                "TAX_MISMATCH",
                format!("tax_totals[{t}].amount"),
                &format!(
                    "El total del impuesto {} no es la suma de las líneas",
                    total.tax
                ),
                &format!(
                    "The total of tax {} is not the sum over the lines",
                    total.tax
                ),
                total.amount,
                from_lines,
            );
        }
    }
}

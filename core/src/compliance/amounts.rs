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
    for (i, line) in invoice.lines.iter().enumerate() {
        let computed = cents(line.quantity * line.unit_price);
        if cents(line.base) != computed {
            mismatch(
                out,
                "LINE_AMOUNT_MISMATCH",
                format!("lines[{i}].base"),
                &format!("El valor de la línea {} no es cantidad × precio", line.id),
                &format!("Line {}'s amount is not quantity × price", line.id),
                line.base,
                computed,
            );
        }
        for (t, tax) in line.taxes.iter().enumerate() {
            if let Some(percent) = tax.percent {
                let computed = cents(tax.taxable * percent / Decimal::ONE_HUNDRED);
                if cents(tax.amount) != computed {
                    mismatch(
                        out,
                        "TAX_MISMATCH",
                        format!("lines[{i}].taxes[{t}].amount"),
                        &format!(
                            "El impuesto {} de la línea {} al {percent} %",
                            tax.tax, line.id
                        ),
                        &format!("Tax {} of line {} at {percent} %", tax.tax, line.id),
                        tax.amount,
                        computed,
                    );
                }
            }
        }
    }
    let totals = &invoice.totals;
    let lines: Decimal = invoice.lines.iter().map(|l| l.base).sum();
    if cents(totals.line_extension) != cents(lines) {
        mismatch(
            out,
            "TOTALS_MISMATCH",
            "totals.line_extension".into(),
            "El subtotal no es la suma de las líneas",
            "The subtotal is not the sum of the lines",
            totals.line_extension,
            lines,
        );
    }
    taxes(invoice, out);
    let taxes: Decimal = invoice.tax_totals.iter().map(|t| t.amount).sum();
    let inclusive = totals.line_extension + taxes;
    if cents(totals.tax_inclusive) != cents(inclusive) {
        mismatch(
            out,
            "TOTALS_MISMATCH",
            "totals.tax_inclusive".into(),
            "El total con impuestos no es subtotal + impuestos",
            "The total with taxes is not subtotal + taxes",
            totals.tax_inclusive,
            inclusive,
        );
    }
    let payable = totals.tax_inclusive - totals.allowance_total.unwrap_or_default()
        + totals.charge_total.unwrap_or_default()
        - totals.prepaid.unwrap_or_default();
    if cents(totals.payable) != cents(payable) {
        mismatch(
            out,
            "TOTALS_MISMATCH",
            "totals.payable".into(),
            "El total a pagar no es total con impuestos − descuentos + cargos − anticipos",
            "The amount payable is not total with taxes − allowances + charges − prepaid",
            totals.payable,
            payable,
        );
    }
}

/// Each tax total against its subtotals, each subtotal against its rate, and the document's
/// taxes against the lines' taxes.
fn taxes(invoice: &Invoice, out: &mut Findings) {
    for (t, total) in invoice.tax_totals.iter().enumerate() {
        let sum: Decimal = total.subtotals.iter().map(|s| s.amount).sum();
        if !total.subtotals.is_empty() && cents(sum) != cents(total.amount) {
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
                let computed = cents(sub.taxable * percent / Decimal::ONE_HUNDRED);
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
        let from_lines: Decimal = invoice
            .lines
            .iter()
            .flat_map(|l| &l.taxes)
            .filter(|x| x.tax == total.tax)
            .map(|x| x.amount)
            .sum();
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

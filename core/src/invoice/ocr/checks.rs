//! Cross-checks that raise or lower the confidence of fields read from a page.

use rust_decimal::Decimal;

use super::numbers::{DecimalMark, parse_date, parse_number};
use super::textract::Expense;
use crate::dian::{Environment, ProductCode, cufe, nit};
use crate::invoice::{FieldConfidence, Invoice};
use crate::money::{Rounding, round};

/// A passed check closes most of the distance to 100; a failed one drops to 0.
fn apply(invoice: &mut Invoice, paths: &[String], name: &str, passed: bool) {
    for path in paths {
        let Some(c) = invoice.source.confidence.get_mut(path) else {
            continue;
        };
        mark(c, name, passed);
    }
}

fn mark(c: &mut FieldConfidence, name: &str, passed: bool) {
    if passed {
        c.confidence = c.confidence.max(c.engine + (100.0 - c.engine) * 0.75);
        c.checks.push(name.to_string());
    } else {
        c.confidence = 0.0;
        c.checks.push(format!("!{name}"));
    }
}

fn cents(value: Decimal) -> Decimal {
    round(value, 2, Rounding::HalfUp)
}

pub(super) fn cross_check(invoice: &mut Invoice, options: &super::OcrOptions<'_>) {
    for role in ["seller", "buyer"] {
        let party = if role == "seller" {
            &invoice.seller
        } else {
            &invoice.buyer
        };
        let ends_well = name_ends_well(&party.name);
        // Only a NIT has a check digit.
        let nit_passed = (party.id_type == "31").then(|| match &party.check_digit {
            Some(dv) => {
                nit::check_digit(&party.id).is_ok_and(|expected| expected.to_string() == *dv)
            }
            None => false,
        });
        if !ends_well {
            apply(invoice, &[format!("{role}.name")], "name_ending", false);
        }
        if let Some(passed) = nit_passed {
            let paths = [format!("{role}.id"), format!("{role}.check_digit")];
            apply(invoice, &paths, "nit_check_digit", passed);
        }
    }
    let lines = invoice.lines.clone();
    for (i, line) in lines.iter().enumerate() {
        // Lines are numbered 1, 2, 3 ... on every page this reader knows.
        let in_sequence = line.id == (i + 1).to_string();
        apply(
            invoice,
            &[format!("lines[{i}].id")],
            "line_sequence",
            in_sequence,
        );
        let passed = cents(line.quantity * line.unit_price) == cents(line.base);
        let paths = [
            format!("lines[{i}].quantity"),
            format!("lines[{i}].unit_price"),
            format!("lines[{i}].base"),
        ];
        apply(invoice, &paths, "line_arithmetic", passed);
        if let Some(code) = &line.item_code {
            let valid = match code.scheme.as_str() {
                "020" | "010" => ProductCode::parse(&code.scheme, &code.code).is_ok(),
                _ => false,
            };
            let name = options.product_name.and_then(|lookup| lookup(&code.code));
            let code_path = format!("lines[{i}].item_code");
            match (&name, options.product_name.is_some()) {
                (Some(_), _) => apply(invoice, &[code_path], "catalog", true),
                (None, true) if !valid => apply(invoice, &[code_path], "catalog", false),
                _ if valid => apply(invoice, &[code_path], "code_check_digit", true),
                _ => {}
            }
            if let Some(name) = name {
                check_description(invoice, i, &name);
                continue;
            }
        }
        // A code the catalog does not know was misread, and a code lost is not there: the
        // description could not be checked against the product's name, and is no surer
        // than the code.
        let unchecked = match &line.item_code {
            Some(_) => true,
            None => code_lost(invoice, i),
        };
        if unchecked && options.product_name.is_some() {
            apply(
                invoice,
                &[format!("lines[{i}].description")],
                "catalog_name",
                false,
            );
        }
    }
    if let Some(known) = options.known_word {
        for i in 0..invoice.lines.len() {
            check_description_words(invoice, i, known);
        }
    }
    let lines_sum: Decimal = lines.iter().map(|l| l.base).sum();
    let mut paths: Vec<String> = vec!["totals.line_extension".into()];
    paths.extend((0..lines.len()).map(|i| format!("lines[{i}].base")));
    apply(
        invoice,
        &paths,
        "lines_sum",
        !lines.is_empty() && cents(lines_sum) == cents(invoice.totals.line_extension),
    );
    repair_rates(invoice);
    let lines = invoice.lines.clone();
    let totals = invoice.tax_totals.clone();
    for total in &totals {
        let from_lines: Decimal = lines
            .iter()
            .flat_map(|l| &l.taxes)
            .filter(|t| t.tax == total.tax)
            .map(|t| t.amount)
            .sum();
        let mut paths = vec![format!("tax_totals.{}", total.tax)];
        paths.extend(
            lines
                .iter()
                .enumerate()
                .map(|(i, _)| format!("lines[{i}].tax_percent")),
        );
        apply(
            invoice,
            &paths,
            "taxes_sum",
            cents(from_lines) == cents(total.amount),
        );
    }
    if totals.is_empty() {
        // No tax printed: every rate read must then be zero.
        let paths: Vec<String> = (0..lines.len())
            .map(|i| format!("lines[{i}].tax_percent"))
            .collect();
        apply(
            invoice,
            &paths,
            "taxes_sum",
            lines.iter().all(|l| l.taxes.is_empty()),
        );
    }
    let taxes: Decimal = totals.iter().map(|t| t.amount).sum();
    let mut paths = vec!["totals.payable".to_string()];
    paths.extend(totals.iter().map(|t| format!("tax_totals.{}", t.tax)));
    apply(
        invoice,
        &paths,
        "total_sum",
        cents(invoice.totals.line_extension + taxes) == cents(invoice.totals.payable),
    );
    if let Some(due) = invoice.due_date {
        let passed = due >= invoice.issue_date;
        apply(
            invoice,
            &["due_date".into(), "issue_date".into()],
            "date_order",
            passed,
        );
    }
    if let Some(code) = invoice.cufe.clone() {
        let shaped = code.len() == 96 && code.bytes().all(|b| b.is_ascii_hexdigit());
        if !shaped {
            apply(invoice, &["cufe".into()], "cufe_shape", false);
        } else if options.technical_key.is_none()
            && invoice.source.kind != crate::invoice::SourceKind::PdfText
        {
            // 96 hex digits have no check digit: one misread character goes unnoticed, so a
            // CUFE read from a page is never trusted unless it can be recomputed.
            let threshold = invoice.source.threshold.unwrap_or(0.0);
            if let Some(c) = invoice.source.confidence.get_mut("cufe") {
                c.confidence = c.confidence.min(threshold * 0.99);
                c.checks.push("cufe_unverified".into());
            }
        }
        if shaped && let Some(key) = &options.technical_key {
            // The printed page does not say which environment the code was made in.
            let environment = [Environment::Production, Environment::Test]
                .into_iter()
                .find(|env| {
                    let mut fields = invoice.cufe_fields(key);
                    fields.environment = *env;
                    cufe::verify(&fields, &code).is_ok()
                });
            let verified = environment.is_some();
            if environment.is_some() {
                invoice.environment = environment;
            }
            let mut paths: Vec<String> = [
                "cufe",
                "number",
                "issue_date",
                "issue_time",
                "seller.id",
                "buyer.id",
                "totals.line_extension",
                "totals.payable",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            paths.extend(totals.iter().map(|t| format!("tax_totals.{}", t.tax)));
            apply(invoice, &paths, "cufe_verified", verified);
        }
    }
}

/// A description its product's name did not confirm is doubtful when one of its words is
/// in no product's name, or it has typographic quotes (check `catalog_words` failing).
/// Numbers are not looked up.
fn check_description_words(invoice: &mut Invoice, i: usize, known: &super::KnownWords<'_>) {
    let path = format!("lines[{i}].description");
    let confirmed = invoice.source.confidence.get(&path).is_some_and(|c| {
        c.checks
            .iter()
            .any(|check| check == "catalog_name" || check == "catalog_name_corrected")
    });
    if confirmed {
        return;
    }
    let description = &invoice.lines[i].description;
    // Typographic quotes are what OCR makes of straight ones as often as not.
    let unknown = description.contains(['“', '”', '‘', '’'])
        || description
            .split_whitespace()
            .filter(|w| {
                !w.chars()
                    .all(|c| c.is_ascii_digit() || c.is_ascii_punctuation())
            })
            .any(|w| !known(w));
    if unknown {
        apply(invoice, &[path], "catalog_words", false);
    }
}

/// Whether a party's name ends as names do: not with a comma, a colon or a semicolon (a
/// misread full stop), nor with a dotted abbreviation that lost its last dot (`S.A.S`).
fn name_ends_well(name: &str) -> bool {
    let Some(last) = name.split_whitespace().last() else {
        return true;
    };
    let dotted_but_open = last.contains('.') && !last.ends_with('.');
    !(last.ends_with([',', ';', ':']) || dotted_but_open)
}

/// Whether line `i`'s code, printed on the other lines, was not found on it.
fn code_lost(invoice: &Invoice, i: usize) -> bool {
    invoice
        .source
        .confidence
        .get(&format!("lines[{i}].item_code"))
        .is_some_and(|c| {
            c.checks
                .iter()
                .any(|check| check == crate::invoice::NOT_FOUND)
        })
}

/// The line's description against the catalog's name of its product: equal confirms it;
/// within a few OCR errors (a fifth of the length) it is corrected to the name; farther it
/// fails (the seller may describe the product otherwise, or the code was misread).
fn check_description(invoice: &mut Invoice, i: usize, name: &str) {
    let path = format!("lines[{i}].description");
    let read = invoice.lines[i].description.clone();
    let distance = edit_distance(&read, name);
    let limit = name.chars().count() / 5;
    if read == name {
        apply(invoice, &[path], "catalog_name", true);
    } else if distance <= limit {
        invoice.lines[i].description = name.to_string();
        if let Some(c) = invoice.source.confidence.get_mut(&path) {
            c.confidence = c.confidence.max(invoice.source.threshold.unwrap_or(0.0));
            c.checks.push("catalog_name_corrected".into());
        }
    } else {
        apply(invoice, &[path], "catalog_name", false);
    }
}

/// IVA rates in force in Colombia.
const IVA_RATES: [i64; 3] = [0, 5, 19];

/// The check a line's IVA rate fails when the table prints no rates.
pub(super) const NOT_PRINTED: &str = "!printed";

/// The most lines whose rates are searched for (3^10 choices).
const MAX_RATES_SEARCHED: usize = 10;

/// A rate that is not an IVA rate (`55%` for `5%`) is a misreading, and a table without a
/// rate column prints none. When such lines are few, and exactly one choice of real rates
/// for them makes the lines' IVA add up to the printed IVA total, that choice is taken
/// (check `iva_rate_repaired`, or `iva_rate_inferred` for rates not printed, as sure as the
/// printed total). Otherwise the rates stay in doubt (`iva_rate` or `printed` failing).
fn repair_rates(invoice: &mut Invoice) {
    let is_rate =
        |p: Option<Decimal>| p.is_none_or(|p| IVA_RATES.iter().any(|r| Decimal::from(*r) == p));
    let unprinted: Vec<bool> = (0..invoice.lines.len())
        .map(|i| {
            invoice
                .source
                .confidence
                .get(&format!("lines[{i}].tax_percent"))
                .is_some_and(|c| c.checks.iter().any(|check| check == NOT_PRINTED))
        })
        .collect();
    let not_printed = |i: usize| unprinted[i];
    let bad: Vec<usize> = invoice
        .lines
        .iter()
        .enumerate()
        .filter(|(i, l)| {
            not_printed(*i)
                || !is_rate(
                    l.taxes
                        .iter()
                        .find(|t| t.tax == "01")
                        .and_then(|t| t.percent),
                )
        })
        .map(|(i, _)| i)
        .collect();
    if bad.is_empty() {
        return;
    }
    let printed = invoice.tax_totals.iter().find(|t| t.tax == "01");
    let printed_confidence = invoice
        .source
        .confidence
        .get("tax_totals.01")
        .map_or(0.0, |c| c.confidence);
    let tax_of = |base: Decimal, rate: i64| {
        round(
            base * Decimal::from(rate) / Decimal::ONE_HUNDRED,
            2,
            Rounding::HalfUp,
        )
    };
    let fixed: Decimal = invoice
        .lines
        .iter()
        .enumerate()
        .filter(|(i, _)| !bad.contains(i))
        .flat_map(|(_, l)| &l.taxes)
        .filter(|t| t.tax == "01")
        .map(|t| t.amount)
        .sum();
    let solutions = match printed {
        // No IVA printed: every rate not printed is zero.
        None if bad.iter().all(|&i| not_printed(i))
            && cents(invoice.totals.line_extension) == cents(invoice.totals.payable) =>
        {
            vec![vec![0; bad.len()]]
        }
        Some(total) if bad.len() <= MAX_RATES_SEARCHED => {
            let bases: Vec<Decimal> = bad.iter().map(|&i| invoice.lines[i].base).collect();
            rate_choices(&bases, cents(total.amount) - cents(fixed), &tax_of)
        }
        _ => Vec::new(),
    };
    if solutions.len() == 1 {
        for (&i, &rate) in bad.iter().zip(&solutions[0]) {
            let was_printed = !not_printed(i);
            let line = &mut invoice.lines[i];
            line.taxes.retain(|t| t.tax != "01");
            if rate != 0 {
                let mut percent = Decimal::from(rate);
                percent.rescale(2);
                line.taxes.push(crate::invoice::TaxSubtotal {
                    tax: "01".into(),
                    taxable: line.base,
                    amount: tax_of(line.base, rate),
                    percent: Some(percent),
                });
            }
            if let Some(c) = invoice
                .source
                .confidence
                .get_mut(&format!("lines[{i}].tax_percent"))
            {
                if was_printed {
                    c.confidence = c.engine.max(50.0);
                    c.checks.push("iva_rate_repaired".into());
                } else {
                    c.checks.retain(|check| check != NOT_PRINTED);
                    c.confidence = if printed.is_some() {
                        printed_confidence
                    } else {
                        c.engine.max(50.0)
                    };
                    c.checks.push("iva_rate_inferred".into());
                }
            }
        }
        invoice.regroup_taxes();
    } else {
        let paths: Vec<String> = bad
            .iter()
            .filter(|&&i| !not_printed(i))
            .map(|i| format!("lines[{i}].tax_percent"))
            .collect();
        apply(invoice, &paths, "iva_rate", false);
    }
}

/// Every choice of IVA rates for lines of `bases` whose taxes add up to `target` (a sum
/// rounded to cents), at most two (more than one is already no answer).
fn rate_choices(
    bases: &[Decimal],
    target: Decimal,
    tax_of: &dyn Fn(Decimal, i64) -> Decimal,
) -> Vec<Vec<i64>> {
    // Taxes in cents as integers: the search adds, it never multiplies.
    let to_cents = |d: Decimal| {
        let mut c = cents(d) * Decimal::ONE_HUNDRED;
        c.rescale(0);
        c.mantissa()
    };
    let taxes: Vec<[i128; 3]> = bases
        .iter()
        .map(|&b| IVA_RATES.map(|r| to_cents(tax_of(b, r))))
        .collect();
    let target = to_cents(target);
    let mut found = Vec::new();
    let combos = 3usize.pow(bases.len() as u32);
    for combo in 0..combos {
        let mut sum = 0i128;
        let mut k = combo;
        for tax in &taxes {
            sum += tax[k % 3];
            k /= 3;
        }
        if sum == target {
            let mut k = combo;
            found.push(
                (0..bases.len())
                    .map(|_| {
                        let rate = IVA_RATES[k % 3];
                        k /= 3;
                        rate
                    })
                    .collect(),
            );
            if found.len() > 1 {
                break;
            }
        }
    }
    found
}

/// Compares the fields read from the text with what `AnalyzeExpense` found: agreement
/// confirms a field, and a field only the expense analysis found is taken from it.
pub(super) fn confirm_with_expense(invoice: &mut Invoice, expense: &Expense) {
    let summary = |kind: &str| expense.summary.iter().find(|f| f.kind == kind);
    let mark_of = |text: &str| super::numbers::detect_mark(std::iter::once(text));
    let amount = |text: &str| {
        parse_number(text, mark_of(text)).or_else(|| parse_number(text, DecimalMark::Point))
    };
    let pairs: [(&str, &str); 4] = [
        ("INVOICE_RECEIPT_ID", "number"),
        ("INVOICE_RECEIPT_DATE", "issue_date"),
        ("SUBTOTAL", "totals.line_extension"),
        ("TOTAL", "totals.payable"),
    ];
    for (kind, path) in pairs {
        let Some(field) = summary(kind) else { continue };
        let agrees = match path {
            "number" => field.value.trim() == invoice.number,
            "issue_date" => parse_date(&field.value) == Some(invoice.issue_date),
            "totals.line_extension" => amount(&field.value) == Some(invoice.totals.line_extension),
            _ => amount(&field.value) == Some(invoice.totals.payable),
        };
        if agrees && let Some(c) = invoice.source.confidence.get_mut(path) {
            mark(c, "expense_agrees", true);
        }
    }
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// Takes what DIAN's QR code on the page says (decoded exactly, thanks to its error
/// correction): the CUFE from it, and every field it repeats confirmed or, when OCR read it
/// otherwise, corrected to it (check `qr_code`, or `qr_code_corrected`).
pub fn confirm_with_qr(invoice: &mut Invoice, qr: &str) {
    let fields = crate::invoice::qr::parse_qr(qr);
    let exact = |checks: &str| FieldConfidence {
        engine: 100.0,
        confidence: 100.0,
        checks: vec![checks.to_string()],
    };
    if let Some(url) = fields.get("QRCode") {
        // DIAN's lookup address tells the environment: `-hab` is habilitación (test).
        invoice.environment = Some(if url.contains("catalogo-vpfe-hab") {
            Environment::Test
        } else {
            Environment::Production
        });
    }
    if let Some(code) = fields.get("CUFE").or(fields.get("CUDE"))
        && code.len() == 96
        && code.bytes().all(|b| b.is_ascii_hexdigit())
    {
        invoice.cufe = Some(code.to_ascii_lowercase());
        invoice
            .source
            .confidence
            .insert("cufe".into(), exact("qr_code"));
    }
    let settle =
        |invoice: &mut Invoice, path: &str, agrees: bool, correct: &dyn Fn(&mut Invoice)| {
            if agrees {
                if let Some(c) = invoice.source.confidence.get_mut(path) {
                    mark(c, "qr_code", true);
                }
            } else {
                correct(invoice);
                invoice
                    .source
                    .confidence
                    .insert(path.into(), exact("qr_code_corrected"));
            }
        };
    let amount = |name: &str| {
        fields
            .get(name)
            .and_then(|v| crate::invoice::ubl::parse_plain_decimal(v))
    };
    if let Some(number) = fields.get("NumFac").filter(|n| !n.is_empty()) {
        let agrees = invoice.number == *number;
        settle(invoice, "number", agrees, &|i| i.number = number.clone());
    }
    if let Some(date) = fields
        .get("FecFac")
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    {
        let agrees = invoice.issue_date == date;
        settle(invoice, "issue_date", agrees, &|i| i.issue_date = date);
    }
    if let Some(time) = fields.get("HorFac").filter(|t| !t.is_empty()) {
        let agrees = invoice.issue_time.as_deref() == Some(time.as_str());
        settle(invoice, "issue_time", agrees, &|i| {
            i.issue_time = Some(time.clone())
        });
    }
    if let Some(nit) = fields.get("NitFac").filter(|n| !n.is_empty()) {
        let agrees = invoice.seller.id == *nit;
        settle(invoice, "seller.id", agrees, &|i| i.seller.id = nit.clone());
    }
    if let Some(id) = fields.get("DocAdq").filter(|n| !n.is_empty()) {
        let agrees = invoice.buyer.id == *id;
        settle(invoice, "buyer.id", agrees, &|i| i.buyer.id = id.clone());
    }
    if let Some(value) = amount("ValFac") {
        let agrees = cents(invoice.totals.line_extension) == cents(value);
        settle(invoice, "totals.line_extension", agrees, &|i| {
            i.totals.line_extension = value
        });
    }
    if let Some(value) = amount("ValTolFac") {
        let agrees = cents(invoice.totals.payable) == cents(value);
        settle(invoice, "totals.payable", agrees, &|i| {
            i.totals.payable = value
        });
    }
    if let Some(value) = amount("ValIva")
        && let Some(total) = invoice.tax_totals.iter().position(|t| t.tax == "01")
    {
        let agrees = cents(invoice.tax_totals[total].amount) == cents(value);
        settle(invoice, "tax_totals.01", agrees, &|i| {
            i.tax_totals[total].amount = value
        });
    }
}

#[cfg(test)]
mod tests {
    use super::name_ends_well;

    #[test]
    fn a_name_ending_in_a_misread_full_stop_is_doubtful() {
        for name in [
            "Compañía Nacional de Chocolates S.A.S.",
            "Cooperativa SAS",
            "Ana Gómez",
            "",
        ] {
            assert!(name_ends_well(name), "{name}");
        }
        for name in [
            "Alimentos S.A.S,",
            "Alimentos S.A.S",
            "Frutas del Valle Ltda;",
        ] {
            assert!(!name_ends_well(name), "{name}");
        }
    }
}

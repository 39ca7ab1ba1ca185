//! Field-by-field comparison of an invoice read from a page with its truth: the measure of
//! OCR accuracy, and of whether every wrong field was caught (doubtful or failing a check).

use crate::invoice::Invoice;

/// One field compared.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldOutcome {
    /// The field path, as in the source's confidence map.
    pub path: String,
    /// The true value.
    pub expected: String,
    /// The value read (empty when missing).
    pub found: String,
    /// Whether they are equal (numbers compared by value, not by written scale).
    pub correct: bool,
    /// Whether the reader marked the field as doubtful (below threshold or failing a check).
    pub flagged: bool,
}

/// The fields a printed page carries, compared one by one.
pub fn compare(truth: &Invoice, read: &Invoice) -> Vec<FieldOutcome> {
    let doubtful = read.source.doubtful_fields();
    let whole_table_doubtful =
        doubtful.contains(&"lines") || doubtful.contains(&"totals.line_extension");
    let mut out = Vec::new();
    let push = |out: &mut Vec<FieldOutcome>,
                path: String,
                read_path: &str,
                expected: String,
                found: Option<String>| {
        let flagged = found.is_none()
            || doubtful.contains(&read_path)
            || (read_path.starts_with("lines") && whole_table_doubtful);
        let found = found.unwrap_or_default();
        out.push(FieldOutcome {
            correct: expected == found,
            path,
            expected,
            found,
            flagged,
        });
    };
    let field =
        |out: &mut Vec<FieldOutcome>, path: String, expected: String, found: Option<String>| {
            let read_path = path.clone();
            push(out, path, &read_path, expected, found);
        };
    let n = |d: rust_decimal::Decimal| d.normalize().to_string();
    field(
        &mut out,
        "number".into(),
        truth.number.clone(),
        Some(read.number.clone()),
    );
    field(
        &mut out,
        "issue_date".into(),
        truth.issue_date.to_string(),
        Some(read.issue_date.to_string()),
    );
    if let Some(t) = &truth.issue_time {
        field(
            &mut out,
            "issue_time".into(),
            t.clone(),
            read.issue_time.clone(),
        );
    }
    if let Some(d) = truth.due_date {
        field(
            &mut out,
            "due_date".into(),
            d.to_string(),
            read.due_date.map(|d| d.to_string()),
        );
    }
    if let Some(r) = &truth.billing_reference {
        field(
            &mut out,
            "billing_reference".into(),
            r.clone(),
            read.billing_reference.clone(),
        );
    }
    for (role, t, r) in [
        ("seller", &truth.seller, &read.seller),
        ("buyer", &truth.buyer, &read.buyer),
    ] {
        field(
            &mut out,
            format!("{role}.id"),
            t.id.clone(),
            Some(r.id.clone()),
        );
        if let Some(dv) = &t.check_digit {
            field(
                &mut out,
                format!("{role}.check_digit"),
                dv.clone(),
                r.check_digit.clone(),
            );
        }
        field(
            &mut out,
            format!("{role}.name"),
            t.name.clone(),
            Some(r.name.clone()),
        );
    }
    // Lines are matched by their number, so one line missed does not shift the rest.
    let mut matched = vec![false; read.lines.len()];
    for (i, t) in truth.lines.iter().enumerate() {
        let j = read
            .lines
            .iter()
            .enumerate()
            .position(|(j, r)| !matched[j] && r.id == t.id);
        if let Some(j) = j {
            matched[j] = true;
        }
        let r = j.map(|j| &read.lines[j]);
        let at = |name: &str| format!("lines[{i}].{name}");
        let read_at = |name: &str| j.map_or_else(|| at(name), |j| format!("lines[{j}].{name}"));
        let line_field =
            |out: &mut Vec<FieldOutcome>, name: &str, expected: String, found: Option<String>| {
                push(out, at(name), &read_at(name), expected, found);
            };
        line_field(&mut out, "id", t.id.clone(), r.map(|r| r.id.clone()));
        let printed = crate::invoice::page::printed_code(t);
        if !printed.is_empty() {
            line_field(
                &mut out,
                "item_code",
                printed.to_string(),
                r.map(|r| crate::invoice::page::printed_code(r).to_string()),
            );
        }
        line_field(
            &mut out,
            "description",
            t.description.clone(),
            r.map(|r| r.description.clone()),
        );
        line_field(
            &mut out,
            "quantity",
            n(t.quantity),
            r.map(|r| n(r.quantity)),
        );
        line_field(
            &mut out,
            "unit_price",
            n(t.unit_price),
            r.map(|r| n(r.unit_price)),
        );
        line_field(&mut out, "base", n(t.base), r.map(|r| n(r.base)));
        let rate = |l: &crate::invoice::InvoiceLine| {
            l.taxes
                .iter()
                .find(|x| x.tax == "01")
                .and_then(|x| x.percent)
                .map_or("0".to_string(), n)
        };
        line_field(&mut out, "tax_percent", rate(t), r.map(rate));
    }
    for (j, _) in matched.iter().enumerate().filter(|(_, m)| !**m) {
        let prefix = format!("lines[{j}].");
        let flagged = whole_table_doubtful || doubtful.iter().any(|p| p.starts_with(&prefix));
        out.push(FieldOutcome {
            path: format!("lines[{j}]"),
            expected: String::new(),
            found: "a line that is not on the page".into(),
            correct: false,
            flagged,
        });
    }
    field(
        &mut out,
        "totals.line_extension".into(),
        n(truth.totals.line_extension),
        Some(n(read.totals.line_extension)),
    );
    for t in &truth.tax_totals {
        field(
            &mut out,
            format!("tax_totals.{}", t.tax),
            n(t.amount),
            read.tax_totals
                .iter()
                .find(|r| r.tax == t.tax)
                .map(|r| n(r.amount)),
        );
    }
    field(
        &mut out,
        "totals.payable".into(),
        n(truth.totals.payable),
        Some(n(read.totals.payable)),
    );
    if let Some(c) = &truth.cufe {
        field(&mut out, "cufe".into(), c.clone(), read.cufe.clone());
    }
    out
}

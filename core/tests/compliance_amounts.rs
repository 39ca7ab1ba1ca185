//! Amounts that are negative or whose arithmetic leaves rust_decimal's 28-digit range give
//! findings in validation and typed errors in the commission, never a panic; and the
//! pipeline agrees with validation on them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use bmc_core::commission::{self, CommissionInvoice, Options};
use bmc_core::compliance::{self, Context};
use bmc_core::invoice::Invoice;
use bmc_core::rules::RuleBook;
use rust_decimal::Decimal;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn sample() -> Invoice {
    Invoice::from_json(
        &std::fs::read_to_string(root().join("data/invoices/FEV-0005.json")).unwrap(),
    )
    .unwrap()
}

fn codes(invoice: &Invoice) -> Vec<(String, String)> {
    let context = Context::new("2026-09-10".parse().unwrap());
    compliance::validate(invoice, &context)
        .into_iter()
        .map(|f| (f.code, f.path))
        .collect()
}

#[test]
fn amounts_beyond_28_digits_are_findings_not_panics() {
    let huge: Decimal = "79228162514264337593543950335".parse().unwrap();
    let mut invoice = sample();
    invoice.lines[0].quantity = huge;
    invoice.lines[0].unit_price = huge;
    for line in &mut invoice.lines {
        line.base = huge;
    }
    invoice.totals.tax_inclusive = huge;
    invoice.totals.charge_total = Some(huge);
    for tax in &mut invoice.tax_totals {
        tax.amount = huge;
    }
    // Two totals of the same tax: their sum (in the CUFE's fields too) leaves the range.
    invoice.tax_totals.push(invoice.tax_totals[0].clone());
    let mut context = Context::new("2026-09-10".parse().unwrap());
    context.technical_key = Some(bmc_core::invoice::generate::TEST_TECHNICAL_KEY.into());
    let with_key = compliance::validate(&invoice, &context);
    assert!(
        with_key.iter().any(|f| f.code == "CUFE_MISMATCH"),
        "{with_key:?}"
    );
    let found = codes(&invoice);
    for path in [
        "lines[0].base",
        "totals.line_extension",
        "totals.tax_inclusive",
        "totals.payable",
    ] {
        assert!(
            found
                .iter()
                .any(|(c, p)| c == "AMOUNT_OUT_OF_RANGE" && p == path),
            "{path}: {found:?}"
        );
    }
    let findings = compliance::validate(&invoice, &Context::new("2026-09-10".parse().unwrap()));
    assert!(!compliance::is_registrable(&findings));
}

#[test]
fn commission_bases_beyond_28_digits_are_typed_errors() {
    let huge = "79228162514264337593543950335";
    let invoice: CommissionInvoice = serde_json::from_str(&format!(
        r#"{{"issue_date":"2026-02-01","lines":[
            {{"tariff_code":"0803901200","base":"{huge}"}},
            {{"tariff_code":"0803901200","base":"{huge}"}}]}}"#
    ))
    .unwrap();
    let book = RuleBook::embedded().unwrap();
    let err = commission::calculate(&book, &invoice, &Options::default()).unwrap_err();
    assert_eq!(err.code(), "COMMISSION_OUT_OF_RANGE", "{err}");
    assert!(err.to_string().contains("group"), "{err}");
    // One base alone at the top of the range: the fee's product overflows or fits, but
    // never panics.
    let one: CommissionInvoice = serde_json::from_str(&format!(
        r#"{{"issue_date":"2026-02-01","lines":[{{"tariff_code":"0803901200","base":"{huge}"}}]}}"#
    ))
    .unwrap();
    let _ = commission::calculate(&book, &one, &Options::default());
}

#[test]
fn negative_quantities_and_amounts_are_findings() {
    let mut invoice = sample();
    invoice.lines[0].quantity = -invoice.lines[0].quantity;
    invoice.lines[0].base = -invoice.lines[0].base;
    let found = codes(&invoice);
    for path in ["lines[0].quantity", "lines[0].base"] {
        assert!(
            found
                .iter()
                .any(|(c, p)| c == "AMOUNT_NEGATIVE" && p == path),
            "{path}: {found:?}"
        );
    }
    let findings = compliance::validate(&invoice, &Context::new("2026-09-10".parse().unwrap()));
    assert!(!compliance::is_registrable(&findings));
}

/// The sample in dollars: the same figures, with or without an exchange rate.
fn in_dollars(rate: Option<&str>) -> Invoice {
    let mut invoice = sample();
    invoice.currency = "USD".into();
    invoice.exchange_rate = rate.map(|r| bmc_core::invoice::ExchangeRate {
        source_currency: "USD".into(),
        target_currency: "COP".into(),
        rate: r.parse().unwrap(),
        date: Some("2026-09-01".parse().unwrap()),
    });
    invoice
}

#[test]
fn a_foreign_currency_invoice_is_charged_on_its_peso_value() {
    let book = RuleBook::embedded().unwrap();
    let pesos = commission::calculate(
        &book,
        &CommissionInvoice::in_pesos(&sample()).unwrap(),
        &Options::default(),
    )
    .unwrap();
    let dollars = CommissionInvoice::in_pesos(&in_dollars(Some("4000.00"))).unwrap();
    for (line, original) in dollars.lines.iter().zip(&sample().lines) {
        assert_eq!(
            line.base,
            bmc_core::money::round(
                original.base * Decimal::from(4000),
                2,
                bmc_core::money::Rounding::HalfUp
            )
        );
    }
    let charged = commission::calculate(&book, &dollars, &Options::default()).unwrap();
    assert!(charged.fee >= pesos.fee, "{} < {}", charged.fee, pesos.fee);
    let found = codes(&in_dollars(Some("4000.00")));
    assert!(
        found.iter().any(|(c, _)| c == "CURRENCY_NOT_COP"),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|(c, _)| c == "EXCHANGE_RATE_MISSING"),
        "{found:?}"
    );
}

#[test]
fn a_foreign_currency_invoice_without_a_rate_gets_no_fee() {
    let found = codes(&in_dollars(None));
    assert!(
        found
            .iter()
            .any(|(c, p)| c == "EXCHANGE_RATE_MISSING" && p == "exchange_rate"),
        "{found:?}"
    );
    let err = CommissionInvoice::in_pesos(&in_dollars(None)).unwrap_err();
    assert_eq!(err.code(), "COMMISSION_CURRENCY_UNCONVERTIBLE", "{err}");
    let mut wrong = in_dollars(Some("4000"));
    if let Some(rate) = &mut wrong.exchange_rate {
        rate.source_currency = "EUR".into();
    }
    assert!(
        codes(&wrong)
            .iter()
            .any(|(c, _)| c == "EXCHANGE_RATE_MISSING")
    );
    assert!(
        codes(&in_dollars(Some("0")))
            .iter()
            .any(|(c, _)| c == "EXCHANGE_RATE_MISSING")
    );
}

#[test]
fn the_exchange_rate_reads_and_writes_in_ubl() {
    let invoice = in_dollars(Some("3987.65"));
    let xml = bmc_core::invoice::ubl::write_xml(&invoice, &Default::default());
    assert!(xml.contains("<cac:PaymentExchangeRate>"), "{xml}");
    let back = bmc_core::invoice::read_xml(xml.as_bytes()).unwrap();
    assert_eq!(back.exchange_rate, invoice.exchange_rate);
    assert_eq!(back.currency, "USD");
}

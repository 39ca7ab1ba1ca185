//! Validate a seller's NIT and an invoice line's product code, compute the invoice's CUFE, and
//! the exchange's commission on it with the rule set in force.
//!
//! Run with `cargo run -p bmc-core --example identifiers`.

use bmc_core::commission::{self, CommissionInvoice, CommissionLine, Options};
use bmc_core::dian::{Nit, ProductCode, TariffCode, cufe};
use bmc_core::rules::RuleBook;
use rust_decimal::Decimal;

fn main() -> Result<(), bmc_core::Error> {
    let seller = Nit::parse("800.197.268-4")?;
    println!(
        "seller NIT {seller} (base {}, DV {})",
        seller.base(),
        seller.check_digit()
    );

    let coffee = ProductCode::parse("020", "0901119000")?;
    if let ProductCode::Tariff(code) = &coffee
        && let Some(d) = code.describe()
    {
        println!("line product {coffee}: {}", d.subheading.description);
    }

    match Nit::parse("800.197.268-5") {
        Ok(_) => unreachable!("the check digit is wrong"),
        Err(e) => println!("rejected: {} ({})", e, e.code()),
    }

    let fields = cufe::CufeFields {
        number: "SETP990000002".into(),
        issue_date: chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default(),
        issue_time: "08:05:00-05:00".into(),
        subtotal: Decimal::new(125_000_000, 2),
        iva: Decimal::new(23_750_000, 2),
        inc: Decimal::ZERO,
        ica: Decimal::ZERO,
        total: Decimal::new(148_750_000, 2),
        seller_nit: seller.base().into(),
        buyer_id: "900373115".into(),
        key: "fc8eac422eba16e22ffd8c6f94b3f40a6e38162c".into(),
        environment: cufe::Environment::Test,
    };
    println!("CUFE {}", cufe::compute(&fields)?);

    let book = RuleBook::embedded()?;
    let invoice = CommissionInvoice {
        issue_date: fields.issue_date,
        lines: vec![CommissionLine {
            id: Some("1".into()),
            tariff_code: Some(TariffCode::parse("0901119000")?),
            product_code: None,
            base: fields.subtotal,
        }],
    };
    let c = commission::calculate(&book, &invoice, &Options::default())?;
    println!(
        "commission {} {}: fee {} iva {} total {} (limit: {})",
        c.rule_set.id,
        c.rule_set.version,
        c.fee,
        c.iva,
        c.total,
        c.limit.name()
    );
    Ok(())
}

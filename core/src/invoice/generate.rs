//! A deterministic generator of realistic DIAN invoices, for samples, tests and the OCR
//! corpus: sellers and buyers with valid NITs, lines drawn from catalog products, IVA by
//! product group, totals to the cent and a CUFE computed with a test technical key.
//!
//! Each generated [`Invoice`] is its own truth: written as UBL by
//! [`ubl::write_xml`](super::ubl::write_xml) and read back, it must come out identical.

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;

use super::{
    DocumentKind, Invoice, InvoiceLine, ItemCode, MonetaryTotals, Party, Source, SourceKind,
    TaxSubtotal, TaxTotal, subtotals_by_rate, type_code,
};
use crate::catalog::Product;
use crate::dian::{Environment, cufe, nit};
use crate::money::{Rounding, round};
use crate::rng::Rng;

/// DIAN's published technical key of the test numbering range (habilitación), used for
/// the samples' CUFEs.
pub const TEST_TECHNICAL_KEY: &str = "fc8eac422eba16e22ffd8c6f94b3f40a6e38162c";

/// The software PIN the samples' CUDEs (credit and debit notes) are computed with.
pub const TEST_SOFTWARE_PIN: &str = "12345";

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Seed: the same seed and products give the same invoices.
    pub seed: u64,
    /// The first issue date; later invoices are spread over `days` days after it.
    pub first_date: NaiveDate,
    /// How many days the issue dates spread over.
    pub days: u32,
    /// Lines per invoice: at least `min_lines`, at most `max_lines`.
    pub min_lines: usize,
    /// See `min_lines`.
    pub max_lines: usize,
    /// The technical key the CUFEs are computed with.
    pub technical_key: String,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            seed: 7,
            first_date: NaiveDate::from_ymd_opt(2026, 9, 1).unwrap_or_default(),
            days: 80,
            min_lines: 1,
            max_lines: 8,
            technical_key: TEST_TECHNICAL_KEY.to_string(),
        }
    }
}

/// Sellers: agricultural producers and traders (NIT base, name).
const SELLERS: &[(&str, &str)] = &[
    ("900373076", "Agropecuaria El Porvenir S.A.S."),
    ("890903938", "Cooperativa de Caficultores de Antioquia"),
    ("800123987", "Frigorífico Guadalupe S.A.S."),
    ("901245781", "Hortifruticola del Oriente Ltda."),
    ("830054321", "Lácteos La Pradera S.A."),
    ("900987654", "Arrocera del Llano S.A.S."),
    ("811045632", "Palmeras de Urabá S.A."),
    ("860512334", "Avícola San Isidro Ltda."),
];

/// Buyers: (id type, id, name). Type 31 gets a check digit.
const BUYERS: &[(&str, &str, &str)] = &[
    ("31", "860002464", "Almacenes Éxito Distribución S.A."),
    ("31", "890900608", "Compañía Nacional de Chocolates S.A.S."),
    (
        "31",
        "800197268",
        "Comercializadora Andina de Alimentos S.A.S.",
    ),
    ("31", "900156264", "Alimentos Cárnicos del Valle S.A.S."),
    (
        "31",
        "830025448",
        "Distribuidora Mayorista Corabastos Ltda.",
    ),
    ("13", "1020304050", "María Fernanda Rojas Quintero"),
    ("13", "79845123", "Jorge Eliécer Pardo Gómez"),
];

/// Generates `count` invoices from `products`, numbered `SETP990000001` onwards.
///
/// Every tenth document is a credit note on the one before it. Lines take only active
/// products, with quantities, prices and IVA rates that suit the product's chapter.
pub fn invoices(products: &[Product], count: usize, options: &Options) -> Vec<Invoice> {
    let active: Vec<&Product> = products.iter().filter(|p| p.is_active).collect();
    let mut rng = Rng(options.seed ^ 0x1A_F0C5);
    let mut out: Vec<Invoice> = Vec::with_capacity(count);
    for i in 0..count {
        let number = 990_000_001 + i as u64;
        let credit_of = (i % 10 == 9)
            .then(|| out.last())
            .flatten()
            .filter(|prev| prev.kind == DocumentKind::Invoice)
            .cloned();
        let invoice = match credit_of {
            Some(original) => credit_note(&original, i, &mut rng),
            None => invoice(&active, number, i, options, &mut rng),
        };
        out.push(invoice);
    }
    out
}

fn invoice(
    products: &[&Product],
    number: u64,
    index: usize,
    options: &Options,
    rng: &mut Rng,
) -> Invoice {
    let (seller_nit, seller_name) = SELLERS[rng.below(SELLERS.len())];
    let (buyer_type, buyer_id, buyer_name) = BUYERS[rng.below(BUYERS.len())];
    let day = (index as u64 * u64::from(options.days)) / 40 % u64::from(options.days.max(1));
    let issue_date = options.first_date + Duration::days(day as i64);
    let issue_time = format!(
        "{:02}:{:02}:{:02}-05:00",
        7 + rng.below(11),
        rng.below(60),
        rng.below(60)
    );
    let span = options.max_lines.saturating_sub(options.min_lines) + 1;
    let line_count = options.min_lines.max(1) + rng.below(span);
    let lines: Vec<InvoiceLine> = (0..line_count)
        .map(|l| line(products, l + 1, rng))
        .collect();
    let mut invoice = Invoice {
        kind: DocumentKind::Invoice,
        type_code: type_code::SALE.to_string(),
        operation_type: Some("10".to_string()),
        environment: Some(Environment::Test),
        number: format!("SETP{number}"),
        prefix: Some("SETP".to_string()),
        issue_date,
        issue_time: Some(issue_time),
        due_date: Some(issue_date + Duration::days(30)),
        cufe: None,
        currency: "COP".to_string(),
        seller: party("31", seller_nit, seller_name),
        buyer: party(buyer_type, buyer_id, buyer_name),
        lines,
        tax_totals: Vec::new(),
        totals: MonetaryTotals::default(),
        billing_reference: None,
        exchange_rate: None,
        source: Source::exact(SourceKind::Ubl),
    };
    complete(&mut invoice, &options.technical_key);
    invoice
}

/// A credit note returning the first line of `original`.
fn credit_note(original: &Invoice, index: usize, rng: &mut Rng) -> Invoice {
    let mut note = original.clone();
    note.kind = DocumentKind::CreditNote;
    note.type_code = type_code::CREDIT_NOTE.to_string();
    note.operation_type = Some("20".to_string());
    note.number = format!("NC{}", 1000 + index);
    note.prefix = None;
    note.due_date = None;
    note.issue_date = original.issue_date + Duration::days(1 + rng.below(5) as i64);
    note.billing_reference = Some(original.number.clone());
    note.lines.truncate(1);
    complete(&mut note, TEST_SOFTWARE_PIN);
    note
}

fn party(id_type: &str, id: &str, name: &str) -> Party {
    Party {
        id_type: id_type.to_string(),
        id: id.to_string(),
        check_digit: (id_type == "31")
            .then(|| nit::check_digit(id).ok())
            .flatten()
            .map(|dv| dv.to_string()),
        name: name.to_string(),
    }
}

fn line(products: &[&Product], position: usize, rng: &mut Rng) -> InvoiceLine {
    let product = products[rng.below(products.len())];
    let chapter = product.dian_classification.chapter_number();
    let quantity = match rng.below(3) {
        0 => Decimal::new(1 + rng.below(50) as i64, 0),
        1 => Decimal::new(100 + rng.below(20_000) as i64, 2),
        _ => Decimal::new(1 + rng.below(2_000) as i64, 0),
    };
    let unit_price = Decimal::new((20 + rng.below(25_000)) as i64 * 10, 0);
    let base = round(quantity * unit_price, 2, Rounding::HalfUp);
    // Fresh produce and animals are excluded from IVA; processed foods pay 5 % or 19 %.
    let percent = match chapter {
        1..=14 => None,
        15..=24 => Some(if rng.below(2) == 0 { 5 } else { 19 }),
        _ => Some(19),
    };
    let taxes = percent
        .map(|p| {
            let percent = Decimal::new(p, 0);
            let mut percent_written = percent;
            percent_written.rescale(2);
            vec![TaxSubtotal {
                tax: "01".to_string(),
                taxable: base,
                amount: round(base * percent / Decimal::ONE_HUNDRED, 2, Rounding::HalfUp),
                percent: Some(percent_written),
            }]
        })
        .unwrap_or_default();
    let code = &product.product_code;
    let item_code = match rng.below(3) {
        0 => ItemCode {
            scheme: "020".to_string(),
            code: product.dian_classification.as_str().to_string(),
        },
        1 if code.len() == 13 && code.bytes().all(|b| b.is_ascii_digit()) => ItemCode {
            scheme: "010".to_string(),
            code: code.clone(),
        },
        _ => ItemCode {
            scheme: "999".to_string(),
            code: code.clone(),
        },
    };
    InvoiceLine {
        id: position.to_string(),
        description: product.product_name.clone(),
        quantity,
        unit: Some(unit_code(&product.unit_type).to_string()),
        unit_price,
        base,
        taxes,
        item_code: Some(item_code),
        seller_code: Some(code.clone()),
    }
}

/// UN/ECE recommendation 20 code of a catalog unit.
pub fn unit_code(unit: &str) -> &'static str {
    match unit {
        "kg" => "KGM",
        "g" => "GRM",
        "t" | "ton" => "TNE",
        "l" | "lt" => "LTR",
        "ml" => "MLT",
        "bulto" => "BG",
        "caja" => "CT",
        "paca" => "PK",
        "docena" => "DZN",
        _ => "NIU",
    }
}

/// Fills the tax totals, monetary totals and CUFE (or CUDE) from the lines.
pub fn complete(invoice: &mut Invoice, key: &str) {
    let mut codes: Vec<&str> = Vec::new();
    for tax in invoice.lines.iter().flat_map(|l| &l.taxes) {
        if !codes.contains(&tax.tax.as_str()) {
            codes.push(&tax.tax);
        }
    }
    let totals: Vec<TaxTotal> = codes
        .iter()
        .map(|code| {
            let subtotals = subtotals_by_rate(&invoice.lines, code);
            TaxTotal {
                tax: code.to_string(),
                amount: Decimal::new(0, 2) + subtotals.iter().map(|s| s.amount).sum::<Decimal>(),
                subtotals,
            }
        })
        .collect();
    let line_extension: Decimal =
        Decimal::new(0, 2) + invoice.lines.iter().map(|l| l.base).sum::<Decimal>();
    let tax_exclusive: Decimal = Decimal::new(0, 2)
        + totals
            .iter()
            .flat_map(|t| &t.subtotals)
            .map(|s| s.taxable)
            .sum::<Decimal>();
    let taxes: Decimal = totals.iter().map(|t| t.amount).sum();
    let tax_inclusive = line_extension + taxes;
    invoice.tax_totals = totals;
    invoice.totals = MonetaryTotals {
        line_extension,
        tax_exclusive,
        tax_inclusive,
        allowance_total: None,
        charge_total: None,
        prepaid: None,
        payable: tax_inclusive,
    };
    invoice.cufe = cufe::compute(&invoice.cufe_fields(key))
        .ok()
        .map(|c| c.as_str().to_string());
}

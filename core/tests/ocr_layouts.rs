//! The reader finds fields, not a layout: invoices printed by issuers it was not built
//! beside (other labels, the number beside the seller, two-column headers, other table
//! columns, codes inside descriptions, no rates, no CUFE) are read, and a page missing a
//! field is still read with that field flagged.
//!
//! Pages are written here as the text a PDF's text layer gives: each character one cell of a
//! fixed grid, so a test reads like the page it stands for.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use bmc_core::compliance::{self, Context};
use bmc_core::invoice::ocr::{self, Engine, OcrOptions, TextDocument, TextPage, Word};
use bmc_core::invoice::{Invoice, InvoiceError, NOT_FOUND};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// The pages' words, each character 6 units wide and each line 14 high; a form feed
/// (`\x0c`) starts a new page.
fn page(text: &str) -> TextDocument {
    let pages = text
        .split('\x0c')
        .enumerate()
        .map(|(i, text)| TextPage {
            number: i as u32 + 1,
            width: 612.0,
            height: 792.0,
            words: words(text),
        })
        .collect();
    TextDocument {
        engine: Engine::PdfText,
        pages,
    }
}

fn words(text: &str) -> Vec<Word> {
    let mut words = Vec::new();
    for (row, line) in text.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        let mut col = 0;
        while col < chars.len() {
            if chars[col] == ' ' {
                col += 1;
                continue;
            }
            let start = col;
            while col < chars.len() && chars[col] != ' ' {
                col += 1;
            }
            words.push(Word {
                text: chars[start..col].iter().collect(),
                left: start as f32 * 6.0,
                top: row as f32 * 14.0,
                width: (col - start) as f32 * 6.0,
                height: 10.0,
                confidence: 100.0,
            });
        }
    }
    words
}

fn read(text: &str) -> Result<Invoice, InvoiceError> {
    ocr::from_text(&page(text), &OcrOptions::default())
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// A cooperative's paper invoice: the number on the seller's line, the date in words, the
/// buyer under `Señores:` with `NIT/CC:`, quantity and unit first, each code in parentheses
/// in its description, no rates, no CUFE.
const COOPERATIVE: &str = "\
COOPERATIVA AGROPECUARIA DEL SUR
NIT 900.373.076-4                                   No. CAS-12345
Fecha: 11 de diciembre de 2026
Señores: Almacenes Éxito S.A.
NIT/CC: 890.900.608-9

Cant.   Unidad  Descripción                                    Valor unitario     Valor total
10      KG      Café pergamino seco (7702086744320)               $ 12.000,00    $ 120.000,00
4       BULTO   Panela redonda caja x 24 und                      $ 50.000,00    $ 200.000,00
                (7709574427765)

                                                   Subtotal:                     $ 320.000,00
                                                   IVA:                           $ 38.000,00
                                                   Total a pagar:                $ 358.000,00
";

#[test]
fn a_cooperatives_paper_invoice() {
    let invoice = read(COOPERATIVE).unwrap();
    assert_eq!(invoice.number, "CAS12345");
    assert_eq!(invoice.prefix.as_deref(), Some("CAS"));
    assert_eq!(
        invoice.issue_date,
        NaiveDate::from_ymd_opt(2026, 12, 11).unwrap()
    );
    assert_eq!(invoice.seller.name, "COOPERATIVA AGROPECUARIA DEL SUR");
    assert_eq!(invoice.seller.id, "900373076");
    assert_eq!(invoice.seller.check_digit.as_deref(), Some("4"));
    assert_eq!(invoice.buyer.name, "Almacenes Éxito S.A.");
    assert_eq!(invoice.buyer.id, "890900608");
    assert_eq!(invoice.buyer.id_type, "31");
    assert_eq!(invoice.lines.len(), 2);
    let first = &invoice.lines[0];
    assert_eq!(first.id, "1");
    assert_eq!(first.description, "Café pergamino seco");
    assert_eq!(first.item_code.as_ref().unwrap().code, "7702086744320");
    assert_eq!(first.quantity, d("10"));
    assert_eq!(first.unit_price, d("12000.00"));
    assert_eq!(first.base, d("120000.00"));
    let second = &invoice.lines[1];
    assert_eq!(second.description, "Panela redonda caja x 24 und");
    assert_eq!(second.item_code.as_ref().unwrap().code, "7709574427765");
    assert_eq!(invoice.totals.line_extension, d("320000.00"));
    assert_eq!(invoice.totals.payable, d("358000.00"));
    assert_eq!(invoice.cufe, None);
    // The rates are not printed: the only choice of 0, 5 and 19 % that gives the printed
    // IVA is taken (none on the coffee, 19 % on the panela).
    let rate = |i: usize| {
        invoice.lines[i]
            .taxes
            .iter()
            .find(|t| t.tax == "01")
            .and_then(|t| t.percent)
    };
    assert_eq!(rate(0), None);
    assert_eq!(rate(1), Some(d("19.00")));
    assert!(
        invoice.source.confidence["lines[1].tax_percent"]
            .checks
            .contains(&"iva_rate_inferred".to_string())
    );
    assert_eq!(invoice.source.doubtful_fields(), Vec::<&str>::new());
}

/// Two columns: the document's fields on the left, the buyer on the right; the number on a
/// line of its own after `#`; the code before the description after a dash; a line-number
/// column headed `Ítem`; rates printed as `% IVA`; discount and withholding lines at zero.
const TWO_COLUMNS: &str = "\
Frigorífico Guadalupe S.A.S.
NIT: 800.123.987-4

FACTURA DE VENTA
Fecha factura: 05/09/2026   Hora: 11:53:02      Adquiriente: Jorge Eliécer Pardo Gómez
Vence: 05/10/2026                               C.C.: 79.845.123
# SETP990000003

Ítem  Detalle                                       Cant.  U.M.       Precio  % IVA           Total
1     7702086744320 - Café tostado molido            2,50   KGM   $ 40.000,00     5%    $ 100.000,00
2     BEB-CAL-002457 - Cerveza lager garrafa x 5 L     3    NIU   $ 10.000,00    19%     $ 30.000,00

Valor bruto:                $ 130.000,00
Descuento:                        $ 0,00
IVA 19% y 5%:                 $ 10.700,00
Retención en la fuente:           $ 0,00
Neto a pagar:               $ 140.700,00
";

#[test]
fn two_columns_and_codes_before_a_dash() {
    let invoice = read(TWO_COLUMNS).unwrap();
    assert_eq!(invoice.number, "SETP990000003");
    assert_eq!(
        invoice.issue_date,
        NaiveDate::from_ymd_opt(2026, 9, 5).unwrap()
    );
    assert_eq!(invoice.due_date, NaiveDate::from_ymd_opt(2026, 10, 5));
    assert_eq!(invoice.issue_time.as_deref(), Some("11:53:02-05:00"));
    assert_eq!(invoice.seller.name, "Frigorífico Guadalupe S.A.S.");
    assert_eq!(invoice.seller.id, "800123987");
    assert_eq!(invoice.buyer.name, "Jorge Eliécer Pardo Gómez");
    assert_eq!(
        (invoice.buyer.id.as_str(), invoice.buyer.id_type.as_str()),
        ("79845123", "13")
    );
    let codes: Vec<&str> = invoice
        .lines
        .iter()
        .map(|l| l.item_code.as_ref().unwrap().code.as_str())
        .collect();
    assert_eq!(codes, ["7702086744320", "BEB-CAL-002457"]);
    assert_eq!(invoice.lines[1].description, "Cerveza lager garrafa x 5 L");
    assert_eq!(invoice.lines[0].quantity, d("2.50"));
    assert_eq!(invoice.tax_totals.len(), 1, "the withholding is no tax");
    assert_eq!(invoice.tax_totals[0].amount, d("10700.00"));
    assert_eq!(invoice.totals.line_extension, d("130000.00"));
    assert_eq!(invoice.totals.payable, d("140700.00"));
    assert_eq!(invoice.source.doubtful_fields(), Vec::<&str>::new());
}

#[test]
fn a_page_without_a_number_is_read_and_the_number_flagged() {
    let text = COOPERATIVE.replace("No. CAS-12345", "");
    let invoice = read(&text).unwrap();
    assert_eq!(invoice.number, "");
    assert!(invoice.source.was_not_found("number"));
    assert!(invoice.source.doubtful_fields().contains(&"number"));
    assert_eq!(invoice.lines.len(), 2, "everything else still comes back");
    assert_eq!(invoice.totals.payable, d("358000.00"));
    let context = Context::new(NaiveDate::from_ymd_opt(2026, 12, 12).unwrap());
    let findings = compliance::validate(&invoice, &context);
    assert!(
        findings
            .iter()
            .any(|f| f.code == "OCR_LOW_CONFIDENCE" && f.path == "number"),
        "{findings:?}"
    );
}

#[test]
fn a_page_without_an_issue_date_is_read_and_the_date_flagged() {
    let text = COOPERATIVE.replace("Fecha: 11 de diciembre de 2026", "");
    let invoice = read(&text).unwrap();
    assert!(invoice.source.was_not_found("issue_date"));
    assert_eq!(
        invoice.source.confidence["issue_date"].checks,
        [NOT_FOUND.to_string()]
    );
    let context = Context::new(NaiveDate::from_ymd_opt(2026, 12, 12).unwrap());
    let findings = compliance::validate(&invoice, &context);
    assert!(
        findings
            .iter()
            .any(|f| f.code == "OCR_LOW_CONFIDENCE" && f.path == "issue_date")
    );
    assert!(
        !findings.iter().any(|f| f.code.starts_with("ISSUE_DATE")),
        "a placeholder is not judged as a date: {findings:?}"
    );
}

#[test]
fn an_unlabelled_date_is_taken_but_not_trusted() {
    let text = COOPERATIVE.replace("Fecha: 11 de diciembre de 2026", "Bogotá, 11/12/2026");
    let invoice = read(&text).unwrap();
    assert_eq!(
        invoice.issue_date,
        NaiveDate::from_ymd_opt(2026, 12, 11).unwrap()
    );
    assert!(invoice.source.doubtful_fields().contains(&"issue_date"));
}

#[test]
fn text_without_an_invoice_is_refused() {
    let letter = "\
Bogotá, 11 de diciembre de 2026
Señores: Almacenes Éxito S.A.
Reciban un cordial saludo. Les escribimos para confirmar la visita del martes.
";
    match read(letter).unwrap_err() {
        InvoiceError::NoInvoiceInText { missing } => {
            assert!(missing.contains("number"), "{missing}");
            assert!(missing.contains("lines and total"), "{missing}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn other_numbers_on_the_page_are_not_the_invoices() {
    let text = COOPERATIVE.replace(
        "Fecha: 11 de diciembre de 2026",
        "Resolución DIAN No. 18764000001 Pedido No. 4455\nFecha: 11 de diciembre de 2026",
    );
    assert_eq!(read(&text).unwrap().number, "CAS12345");
}

#[test]
fn rates_not_printed_that_no_single_choice_explains_stay_in_doubt() {
    // Two lines of the same base: 5 % on either gives the same IVA.
    let text = COOPERATIVE
        .replace("$ 12.000,00    $ 120.000,00", "$ 20.000,00    $ 200.000,00")
        .replace("$ 320.000,00", "$ 400.000,00")
        .replace("$ 38.000,00", "$ 10.000,00")
        .replace("$ 358.000,00", "$ 410.000,00");
    let invoice = read(&text).unwrap();
    let doubtful = invoice.source.doubtful_fields();
    assert!(doubtful.contains(&"lines[0].tax_percent"), "{doubtful:?}");
    assert!(doubtful.contains(&"lines[1].tax_percent"), "{doubtful:?}");
}

/// A form with room for two rows: the table goes on over the next page under its header
/// repeated, the issuer's name above it, and each page is numbered.
const TWO_PAGES: &str = "\
COOPERATIVA AGROPECUARIA DEL SUR
NIT 900.373.076-4                                   No. CAS-12346
Fecha: 11 de diciembre de 2026
Señores: Almacenes Éxito S.A.
NIT/CC: 890.900.608-9

Descripción                                    Cant.   Valor unitario     Valor total
Café pergamino seco (7702086744320)            10         $ 12.000,00    $ 120.000,00
Panela redonda caja x 24 und (7709574427765)   4          $ 50.000,00    $ 200.000,00
Continúa en la página siguiente
                                                                       Página 1 de 2
\x0cCOOPERATIVA AGROPECUARIA DEL SUR
Descripción                                    Cant.   Valor unitario     Valor total
Cacao en grano (7707326582205)                 2          $ 40.000,00     $ 80.000,00

                                   Subtotal:                              $ 400.000,00
                                   IVA:                                    $ 42.000,00
                                   Total a pagar:                         $ 442.000,00
                                                                       Página 2 de 2
";

#[test]
fn a_table_over_two_pages_is_one_table() {
    let invoice = read(TWO_PAGES).unwrap();
    let lines: Vec<(&str, &str, Decimal)> = invoice
        .lines
        .iter()
        .map(|l| (l.id.as_str(), l.description.as_str(), l.base))
        .collect();
    assert_eq!(
        lines,
        [
            ("1", "Café pergamino seco", d("120000.00")),
            ("2", "Panela redonda caja x 24 und", d("200000.00")),
            ("3", "Cacao en grano", d("80000.00")),
        ]
    );
    assert_eq!(
        invoice.lines[2].item_code.as_ref().unwrap().code,
        "7707326582205"
    );
    assert_eq!(invoice.totals.payable, d("442000.00"));
    let doubtful = invoice.source.doubtful_fields();
    assert!(
        !doubtful.iter().any(|f| f.starts_with("lines")),
        "{doubtful:?}"
    );
}

#[test]
fn a_description_word_no_product_name_has_is_doubtful() {
    let known = |word: &str| {
        [
            "cafe",
            "pergamino",
            "seco",
            "panela",
            "redonda",
            "caja",
            "x",
            "und",
        ]
        .contains(&bmc_core::catalog::name_words(word).concat().as_str())
    };
    let options = OcrOptions {
        known_word: Some(&known),
        ..OcrOptions::default()
    };
    let text = COOPERATIVE
        .replace(" (7702086744320)", "               ")
        .replace(
            "Panela redonda caja x 24 und",
            "Panela redonda cajx 24 und    ",
        );
    let invoice = ocr::from_text(&page(&text), &options).unwrap();
    let doubtful = invoice.source.doubtful_fields();
    assert!(doubtful.contains(&"lines[1].description"), "{doubtful:?}");
    assert!(!doubtful.contains(&"lines[0].description"), "{doubtful:?}");
}

#[test]
fn a_code_lost_from_one_row_of_a_table_that_prints_codes_is_flagged() {
    let text = COOPERATIVE.replace("(7709574427765)", "               ");
    let invoice = read(&text).unwrap();
    assert!(invoice.lines[1].item_code.is_none());
    let doubtful = invoice.source.doubtful_fields();
    assert!(doubtful.contains(&"lines[1].item_code"), "{doubtful:?}");
    assert_eq!(
        invoice.source.confidence["lines[1].item_code"].checks,
        [NOT_FOUND]
    );
}

/// Tesseract's output for two scanned pages of layouts the reader is tuned on (one of them
/// three sheets long), with their truth: every field is read exactly, descriptions checked
/// against the sample catalog's names.
#[test]
fn scanned_pages_of_generated_layouts_read_exactly() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let products =
        bmc_core::catalog::read_products(&root.join("data/sample-catalog.csv.gz"), usize::MAX)
            .unwrap();
    let names: std::collections::HashMap<&str, &str> = products
        .iter()
        .map(|p| (p.product_code.as_str(), p.product_name.as_str()))
        .collect();
    let words: std::collections::HashSet<String> = products
        .iter()
        .flat_map(|p| bmc_core::catalog::name_words(&p.product_name))
        .collect();
    let name = |code: &str| names.get(code).map(|n| n.to_string());
    let known = |word: &str| match bmc_core::catalog::name_words(word).as_slice() {
        [word] => words.contains(word),
        _ => false,
    };
    let options = OcrOptions {
        product_name: Some(&name),
        known_word: Some(&known),
        ..OcrOptions::default()
    };
    let dir = root.join("data/invoices/ocr/layouts");
    for name in ["granja", "frutas-3-pages"] {
        let tsv = std::fs::read_to_string(dir.join(format!("{name}.tesseract.tsv"))).unwrap();
        let qr = std::fs::read_to_string(dir.join(format!("{name}.qr.txt"))).unwrap();
        let truth: Invoice = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap(),
        )
        .unwrap();
        let mut read = ocr::from_tesseract_tsv(&tsv, &options).unwrap();
        ocr::confirm_with_qr(&mut read, &qr);
        let wrong: Vec<_> = ocr::score::compare(&truth, &read)
            .into_iter()
            .filter(|f| !f.correct)
            .collect();
        assert!(wrong.is_empty(), "{name}: {wrong:?}");
    }
}

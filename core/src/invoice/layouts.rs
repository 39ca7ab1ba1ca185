//! Invoice layouts for the printed-page generator: how issuers other than the one the reader
//! was first built beside print the same invoice. A layout fixes the label vocabulary, where
//! the header fields sit (one or two columns, boxed, the number in the title, beside the
//! seller or beside the buyer), the lines table's columns and their order, where a line's
//! product code goes (its own column, in parentheses in the description, before it after a
//! dash, or nowhere), the totals block, and whether DIAN's CUFE and QR code are printed.
//!
//! [`layouts`] gives 24 of them. Half are for tuning the reader; the other half
//! ([`PageLayout::held_out`]) are only measured: the reader's code and tests never
//! special-case them.

pub use super::column::Column;

/// Where a line's product code is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePlacement {
    /// In its own column.
    Column,
    /// After the description, in parentheses: `Café tostado (7702...)`.
    Parentheses,
    /// Before the description, with a dash: `7702... - Café tostado`.
    Dash,
    /// Not printed.
    Absent,
}

/// Where the document's number is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberPlace {
    /// In the title line: `FACTURA ELECTRÓNICA DE VENTA No. SETP990000005`.
    Title,
    /// On the seller's id line: `NIT: 890.903.938-8   No. SETP990000005`.
    SellerLine,
    /// On a line of its own above the buyer.
    BeforeBuyer,
}

/// How the header block is arranged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Header {
    /// Every field under the previous one.
    Stacked,
    /// The seller and the document's fields on the left, the buyer on the right.
    TwoColumns,
    /// Stacked, the seller and the buyer each in a drawn box.
    Boxed,
}

/// One way of printing an invoice.
#[derive(Debug, Clone, PartialEq)]
pub struct PageLayout {
    /// A short name, for reports.
    pub name: &'static str,
    /// The title of an invoice (notes keep theirs).
    pub title: &'static str,
    /// The label before the number.
    pub number_label: &'static str,
    /// Where the number goes.
    pub number_place: NumberPlace,
    /// The issue date's label.
    pub date_label: &'static str,
    /// The due date's label.
    pub due_label: &'static str,
    /// The buyer's label.
    pub buyer_label: &'static str,
    /// The label of the parties' ids (`None`: the id type's own label, `NIT` or `C.C.`).
    pub id_label: Option<&'static str>,
    /// The header's arrangement.
    pub header: Header,
    /// The table's columns in order, with their headings.
    pub columns: &'static [(Column, &'static str)],
    /// Where the product code goes.
    pub code: CodePlacement,
    /// The subtotal's label.
    pub subtotal_label: &'static str,
    /// The IVA's label.
    pub iva_label: &'static str,
    /// The total's label.
    pub total_label: &'static str,
    /// Print discount and withholding lines (at zero) in the totals block.
    pub extra_totals: bool,
    /// Print the CUFE and DIAN's QR code (a paper invoice has neither).
    pub cufe_qr: bool,
    /// Rows of the lines table a page holds, when the form has a fixed number of them: a
    /// longer invoice goes on over more pages, its table's header repeated on each.
    pub rows_per_page: Option<usize>,
    /// Measured only: never used to tune the reader.
    pub held_out: bool,
}

const CLASSIC_COLUMNS: &[(Column, &str)] = &[
    (Column::Item, "#"),
    (Column::Code, "Código"),
    (Column::Description, "Descripción"),
    (Column::Quantity, "Cant."),
    (Column::Price, "Vr. unitario"),
    (Column::Tax, "IVA"),
    (Column::Total, "Total"),
];

impl PageLayout {
    /// The layout the reader was first built beside (the samples' printed pages).
    pub fn classic() -> PageLayout {
        PageLayout {
            name: "classic",
            title: "FACTURA ELECTRÓNICA DE VENTA",
            number_label: "No.",
            number_place: NumberPlace::Title,
            date_label: "Fecha de emisión:",
            due_label: "Fecha de vencimiento:",
            buyer_label: "Cliente:",
            id_label: None,
            header: Header::Stacked,
            columns: CLASSIC_COLUMNS,
            code: CodePlacement::Column,
            subtotal_label: "Subtotal:",
            iva_label: "IVA:",
            total_label: "Total a pagar:",
            extra_totals: false,
            cufe_qr: true,
            rows_per_page: None,
            held_out: false,
        }
    }
}

const TITLES: [&str; 4] = [
    "FACTURA ELECTRÓNICA DE VENTA",
    "FACTURA DE VENTA",
    "FACTURA",
    "Factura de venta",
];
const NUMBER_LABELS: [&str; 6] = ["No.", "Nro.", "N°", "Número:", "#", "Factura No."];
const DATE_LABELS: [&str; 4] = [
    "Fecha:",
    "Fecha de emisión:",
    "Fecha factura:",
    "Expedición:",
];
const DUE_LABELS: [&str; 3] = ["Vence:", "Fecha de vencimiento:", "Vencimiento:"];
const BUYER_LABELS: [&str; 5] = [
    "Señores:",
    "Cliente:",
    "Adquiriente:",
    "Comprador:",
    "Facturar a:",
];
const ID_LABELS: [Option<&str>; 4] = [
    Some("NIT/CC:"),
    None,
    Some("C.C./NIT:"),
    Some("Identificación:"),
];
const SUBTOTAL_LABELS: [&str; 3] = ["Subtotal:", "Base gravable:", "Valor bruto:"];
const IVA_LABELS: [&str; 3] = ["IVA:", "Impuesto IVA:", "IVA 19% y 5%:"];
const TOTAL_LABELS: [&str; 4] = ["Total:", "Total a pagar:", "Neto a pagar:", "TOTAL"];

/// Tables: columns in different orders and sets, with different headings.
const TABLES: [&[(Column, &str)]; 6] = [
    &[
        (Column::Code, "Cód."),
        (Column::Description, "Descripción"),
        (Column::Unit, "Unidad"),
        (Column::Quantity, "Cantidad"),
        (Column::Price, "Valor unitario"),
        (Column::Total, "Valor total"),
    ],
    &[
        (Column::Item, "Ítem"),
        (Column::Description, "Detalle"),
        (Column::Quantity, "Cant."),
        (Column::Unit, "U.M."),
        (Column::Price, "Precio"),
        (Column::Tax, "% IVA"),
        (Column::Total, "Total"),
    ],
    &[
        (Column::Quantity, "Cant"),
        (Column::Description, "Producto"),
        (Column::Price, "Vr. Unit."),
        (Column::Total, "Importe"),
    ],
    &[
        (Column::Description, "Concepto"),
        (Column::Code, "Referencia"),
        (Column::Quantity, "Cantidad"),
        (Column::Price, "P. unitario"),
        (Column::Tax, "IVA"),
        (Column::Total, "Vr. total"),
    ],
    &[
        (Column::Item, "No."),
        (Column::Code, "Código"),
        (Column::Description, "Artículo"),
        (Column::Unit, "Und."),
        (Column::Quantity, "Cant."),
        (Column::Price, "Precio unit."),
        (Column::Total, "Total"),
    ],
    &[
        (Column::Description, "Descripción"),
        (Column::Quantity, "Cantidad"),
        (Column::Unit, "Unidad"),
        (Column::Price, "Valor unit."),
        (Column::Tax, "IVA %"),
        (Column::Total, "Valor"),
    ],
];

/// The 24 generated layouts: the first is [`PageLayout::classic`]; the others combine the
/// label vocabularies, header arrangements, tables, code placements and totals blocks above
/// so that every choice appears in both halves. Odd-numbered layouts are held out.
pub fn layouts() -> Vec<PageLayout> {
    const NAMES: [&str; 24] = [
        "classic",
        "coop",
        "farm",
        "boxed",
        "ledger",
        "market",
        "granja",
        "ingenio",
        "trilladora",
        "lacteos",
        "avicola",
        "molino",
        "frutas",
        "ganado",
        "cacao",
        "arrocera",
        "hortalizas",
        "panela",
        "flores",
        "pesca",
        "papa",
        "platano",
        "aguacate",
        "cafe",
    ];
    let headers = [Header::Stacked, Header::TwoColumns, Header::Boxed];
    let places = [
        NumberPlace::Title,
        NumberPlace::SellerLine,
        NumberPlace::BeforeBuyer,
    ];
    let codes = [
        CodePlacement::Column,
        CodePlacement::Parentheses,
        CodePlacement::Dash,
        CodePlacement::Absent,
    ];
    let mut out = vec![PageLayout::classic()];
    for n in 1..24 {
        let table = TABLES[n % TABLES.len()];
        let has_code_column = table.iter().any(|(c, _)| *c == Column::Code);
        // A table with a code column prints codes there; one without places them in the
        // description or leaves them out.
        let code = if has_code_column {
            CodePlacement::Column
        } else {
            codes[1 + (n / 6) % 3]
        };
        out.push(PageLayout {
            name: NAMES[n],
            title: TITLES[n % TITLES.len()],
            number_label: NUMBER_LABELS[(n / 2) % NUMBER_LABELS.len()],
            number_place: places[(n / 3) % places.len()],
            date_label: DATE_LABELS[n % DATE_LABELS.len()],
            due_label: DUE_LABELS[(n / 4) % DUE_LABELS.len()],
            buyer_label: BUYER_LABELS[(n + n / 5) % BUYER_LABELS.len()],
            id_label: ID_LABELS[(n / 2) % ID_LABELS.len()],
            header: headers[(n / 2) % headers.len()],
            columns: table,
            code,
            subtotal_label: SUBTOTAL_LABELS[(n / 3) % SUBTOTAL_LABELS.len()],
            iva_label: IVA_LABELS[(n / 4) % IVA_LABELS.len()],
            total_label: TOTAL_LABELS[(n / 2) % TOTAL_LABELS.len()],
            extra_totals: n % 3 == 1,
            cufe_qr: (n / 2) % 3 != 2,
            rows_per_page: matches!(n % 5, 2 | 3).then_some(3),
            held_out: n % 2 == 1,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_halves_cover_every_choice() {
        let all = layouts();
        assert_eq!(all.len(), 24);
        assert_eq!(all.iter().filter(|l| l.held_out).count(), 12);
        let mut names: Vec<&str> = all.iter().map(|l| l.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 24, "names are unique");
        for held_out in [false, true] {
            let half: Vec<&PageLayout> = all.iter().filter(|l| l.held_out == held_out).collect();
            for header in [Header::Stacked, Header::TwoColumns, Header::Boxed] {
                assert!(half.iter().any(|l| l.header == header), "{header:?}");
            }
            for place in [
                NumberPlace::Title,
                NumberPlace::SellerLine,
                NumberPlace::BeforeBuyer,
            ] {
                assert!(half.iter().any(|l| l.number_place == place), "{place:?}");
            }
            for code in [
                CodePlacement::Column,
                CodePlacement::Parentheses,
                CodePlacement::Dash,
                CodePlacement::Absent,
            ] {
                assert!(half.iter().any(|l| l.code == code), "{held_out} {code:?}");
            }
            assert!(half.iter().any(|l| !l.cufe_qr) && half.iter().any(|l| l.cufe_qr));
            assert!(half.iter().any(|l| l.extra_totals));
            assert!(half.iter().any(|l| l.rows_per_page.is_some()));
        }
    }
}

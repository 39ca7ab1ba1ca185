//! The invoice as a printed page (PDF): what a seller's system prints beside the XML, and
//! what scanners and OCR see. The generator renders it in several styles (fonts, sizes,
//! number and date formats) so the text reader is tested on more than one layout.
//!
//! Pages use PDF's standard fonts (Helvetica, Times, Courier) in WinAnsi encoding, so they
//! carry a text layer and need no embedded font files.

use chrono::{Datelike, NaiveDate};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use rust_decimal::Decimal;

use super::layouts::{CodePlacement, Column, Header, NumberPlace, PageLayout};
use super::{DocumentKind, Invoice, Party};

/// A typeface family of PDF's standard fonts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Helvetica (a sans-serif).
    Helvetica,
    /// Times (a serif).
    Times,
    /// Courier (monospaced).
    Courier,
}

impl Family {
    fn regular(self) -> &'static [u8] {
        match self {
            Family::Helvetica => b"Helvetica",
            Family::Times => b"Times-Roman",
            Family::Courier => b"Courier",
        }
    }

    fn bold(self) -> &'static [u8] {
        match self {
            Family::Helvetica => b"Helvetica-Bold",
            Family::Times => b"Times-Bold",
            Family::Courier => b"Courier-Bold",
        }
    }

    /// Advance width of `c` in thousandths of the font size (exact for digits and the
    /// separators that amounts are made of, an average for other characters).
    fn width(self, c: char) -> f32 {
        match (self, c) {
            (Family::Courier, _) => 600.0,
            (_, '0'..='9') => {
                if self == Family::Times {
                    500.0
                } else {
                    556.0
                }
            }
            (_, '.' | ',' | ' ') => {
                if self == Family::Times {
                    250.0
                } else {
                    278.0
                }
            }
            (_, '$') => {
                if self == Family::Times {
                    500.0
                } else {
                    556.0
                }
            }
            (_, '%') => {
                if self == Family::Times {
                    833.0
                } else {
                    889.0
                }
            }
            (Family::Times, _) => 480.0,
            (Family::Helvetica, _) => 540.0,
        }
    }

    fn text_width(self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.width(c)).sum::<f32>() * size / 1000.0
    }
}

/// How dates are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateStyle {
    /// `15/10/2026`.
    DayMonthYear,
    /// `15 de octubre de 2026`.
    Spanish,
    /// `2026-10-15`.
    Iso,
}

/// The look of a printed page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageStyle {
    /// The typeface.
    pub family: Family,
    /// The body text size in points.
    pub size: f32,
    /// Amount format.
    pub numbers: NumberStyle,
    /// Date format.
    pub dates: DateStyle,
    /// Degrees the content is turned by (counter-clockwise positive) about the page's
    /// centre: a tilted scan, rendered in one pass as a scanner samples it. 0 for print.
    pub tilt: f32,
}

impl Default for PageStyle {
    fn default() -> PageStyle {
        PageStyle {
            family: Family::Helvetica,
            size: 10.0,
            numbers: NumberStyle::Colombian,
            dates: DateStyle::DayMonthYear,
            tilt: 0.0,
        }
    }
}

impl PageStyle {
    /// The `n`th of a fixed rotation of styles (fonts × sizes × formats), for corpora.
    pub fn variant(n: usize) -> PageStyle {
        let families = [Family::Helvetica, Family::Times, Family::Courier];
        let sizes = [10.0, 11.0, 9.5, 12.0];
        let numbers = [
            NumberStyle::Colombian,
            NumberStyle::Colombian,
            NumberStyle::English,
        ];
        let dates = [DateStyle::DayMonthYear, DateStyle::Spanish, DateStyle::Iso];
        PageStyle {
            family: families[n % 3],
            size: sizes[(n / 3) % 4],
            numbers: numbers[(n / 2) % 3],
            dates: dates[(n / 5) % 3],
            tilt: 0.0,
        }
    }
}

const MONTHS: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];

/// The date as the style prints it.
pub fn format_date(date: NaiveDate, style: DateStyle) -> String {
    match style {
        DateStyle::DayMonthYear => date.format("%d/%m/%Y").to_string(),
        DateStyle::Iso => date.format("%Y-%m-%d").to_string(),
        DateStyle::Spanish => format!(
            "{} de {} de {}",
            date.day(),
            MONTHS[date.month0() as usize],
            date.year()
        ),
    }
}

/// A party's id as printed: digits grouped by thousands, the check digit after a dash.
pub fn format_party_id(party: &Party) -> String {
    crate::dian::id::format_id(&party.id, party.check_digit.as_deref())
}

pub use crate::dian::id::id_label;
pub use crate::money::{NumberStyle, format_amount, format_quantity};

/// The code printed in a line's `Código` column: the seller's code when there is one (as
/// Colombian invoices print it), else the standard item code.
pub fn printed_code(line: &super::InvoiceLine) -> &str {
    line.seller_code
        .as_deref()
        .or(line.item_code.as_ref().map(|c| c.code.as_str()))
        .unwrap_or("")
}

/// Renders the invoice as a Letter-size PDF with a text layer, in the classic layout.
pub fn render_pdf(invoice: &Invoice, style: &PageStyle) -> Vec<u8> {
    render_pdf_with(invoice, style, &PageLayout::classic())
}

/// Renders the invoice in `page_layout` (see [`layouts`](super::layouts)).
pub fn render_pdf_with(invoice: &Invoice, style: &PageStyle, page_layout: &PageLayout) -> Vec<u8> {
    let mut layout = Layout::new(*style, page_layout.clone());
    layout.invoice(invoice);
    layout.finish()
}

const PAGE_WIDTH: f32 = 612.0;
const PAGE_HEIGHT: f32 = 792.0;
const LEFT: f32 = 40.0;
const RIGHT: f32 = 572.0;
/// The side of DIAN's QR code, printed in the top right corner.
const QR_SIDE: f32 = 96.0;
const BOTTOM: f32 = 60.0;

struct Layout {
    style: PageStyle,
    spec: PageLayout,
    pages: Vec<Content>,
    y: f32,
}

impl Layout {
    fn new(style: PageStyle, spec: PageLayout) -> Layout {
        let mut layout = Layout {
            style,
            spec,
            pages: Vec::new(),
            y: PAGE_HEIGHT - 56.0,
        };
        layout.new_page();
        layout
    }

    /// Starts a page; a tilted style turns everything drawn on it.
    fn new_page(&mut self) {
        let mut content = Content::new();
        if self.style.tilt != 0.0 {
            let (sin, cos) = self.style.tilt.to_radians().sin_cos();
            let (cx, cy) = (PAGE_WIDTH / 2.0, PAGE_HEIGHT / 2.0);
            // Translate the centre to the origin, turn, translate back.
            content.transform([
                cos,
                sin,
                -sin,
                cos,
                cx - cos * cx + sin * cy,
                cy - sin * cx - cos * cy,
            ]);
        }
        self.pages.push(content);
    }

    /// Goes on at the top of a new page.
    fn next_page(&mut self) {
        self.new_page();
        self.y = PAGE_HEIGHT - 56.0;
    }

    fn content(&mut self) -> &mut Content {
        if self.pages.is_empty() {
            self.new_page();
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn text(&mut self, x: f32, bold: bool, size: f32, text: &str) {
        let y = self.y;
        let font = if bold { Name(b"F2") } else { Name(b"F1") };
        let bytes = win_ansi(text);
        let content = self.content();
        content.begin_text();
        content.set_font(font, size);
        content.next_line(x, y);
        content.show(Str(&bytes));
        content.end_text();
    }

    fn right(&mut self, right_edge: f32, bold: bool, size: f32, text: &str) {
        let width = self.style.family.text_width(text, size);
        self.text(right_edge - width, bold, size, text);
    }

    fn advance(&mut self, factor: f32) {
        self.y -= self.style.size * factor;
        if self.y < BOTTOM {
            self.next_page();
        }
    }

    /// A horizontal rule `above` text sizes above the current baseline.
    fn rule(&mut self, above: f32) {
        let y = self.y + self.style.size * above;
        let content = self.content();
        content.set_line_width(0.6);
        content.move_to(LEFT, y);
        content.line_to(RIGHT, y);
        content.stroke();
    }

    /// DIAN's QR code at the top right, `side` points wide.
    /// DIAN's QR code, `side` points wide, its top edge at `top`, against the right margin.
    fn qr(&mut self, invoice: &Invoice, side: f32, top: f32) {
        let Ok(code) = qrcode::QrCode::with_error_correction_level(
            super::qr::qr_text(invoice),
            qrcode::EcLevel::M,
        ) else {
            return;
        };
        let n = code.width();
        let module = side / n as f32;
        let left = RIGHT - side;
        let colors = code.to_colors();
        let content = self.content();
        content.set_fill_gray(0.0);
        for y in 0..n {
            for x in 0..n {
                if colors[y * n + x] == qrcode::Color::Dark {
                    content.rect(
                        left + x as f32 * module,
                        top - (y + 1) as f32 * module,
                        module,
                        module,
                    );
                }
            }
        }
        content.fill_nonzero();
    }

    fn invoice(&mut self, invoice: &Invoice) {
        // Beside a two-column header the QR code would cover the buyer: it goes under the
        // totals there, in the top right corner otherwise.
        let qr = invoice.cufe.is_some() && self.spec.cufe_qr;
        if qr && self.spec.header != Header::TwoColumns {
            self.qr(invoice, QR_SIDE, PAGE_HEIGHT - 40.0);
        }
        let s = self.style.size;
        let spec = self.spec.clone();
        let number = format!("{} {}", spec.number_label, invoice.number);
        let seller_top = self.y + s * 1.3;
        self.text(LEFT, true, s + 4.0, &invoice.seller.name);
        self.advance(1.6);
        let mut seller_line = format!("NIT: {}", format_party_id(&invoice.seller));
        if spec.number_place == NumberPlace::SellerLine {
            seller_line.push_str(&format!("   {number}"));
        }
        self.text(LEFT, false, s, &seller_line);
        if spec.header == Header::Boxed {
            self.frame(seller_top, self.y - s * 0.6);
        }
        self.advance(2.2);
        let title = match invoice.kind {
            DocumentKind::Invoice => spec.title,
            DocumentKind::CreditNote => "NOTA CRÉDITO ELECTRÓNICA",
            DocumentKind::DebitNote => "NOTA DÉBITO ELECTRÓNICA",
        };
        let title = if spec.number_place == NumberPlace::Title {
            format!("{title} {number}")
        } else {
            title.to_string()
        };
        self.text(LEFT, true, s + 2.0, &title);
        self.advance(1.8);
        let columns_top = self.y;
        self.document_fields(invoice, &number);
        if spec.header == Header::TwoColumns {
            let left_bottom = self.y;
            self.y = columns_top;
            // The buyer's column starts clear of the widest line on the left.
            let widest = self
                .document_field_lines(invoice, &number)
                .iter()
                .map(|(bold, text)| {
                    let width = self.style.family.text_width(text, s);
                    if *bold { width * 1.1 } else { width }
                })
                .fold(0.0, f32::max);
            self.buyer(invoice, (LEFT + widest + 24.0).max(330.0));
            self.y = self.y.min(left_bottom);
        } else {
            self.advance(0.6);
            let buyer_top = self.y + s * 1.3;
            self.buyer(invoice, LEFT);
            if spec.header == Header::Boxed {
                self.frame(buyer_top, self.y + s * 0.6);
            }
        }
        self.advance(0.9);
        if spec.name == PageLayout::classic().name {
            self.lines(invoice);
        } else {
            self.table(invoice);
        }
        self.totals(invoice);
        if qr && self.spec.header == Header::TwoColumns {
            if self.y - QR_SIDE < BOTTOM {
                self.next_page();
            }
            let top = self.y;
            self.qr(invoice, QR_SIDE, top);
        }
        if self.pages.len() > 1 {
            let pages = self.pages.len();
            self.footer(pages, pages);
        }
    }

    /// `Página n de m` at the foot of the current page, below the text.
    fn footer(&mut self, page: usize, pages: usize) {
        let y = self.y;
        self.y = BOTTOM - 24.0;
        let size = self.style.size - 1.0;
        self.right(RIGHT, false, size, &format!("Página {page} de {pages}"));
        self.y = y;
    }

    /// The dates, the reference of a note, and the number when it has a line of its own,
    /// each with whether it is bold.
    fn document_field_lines(&self, invoice: &Invoice, number: &str) -> Vec<(bool, String)> {
        let (st, spec) = (self.style, &self.spec);
        let mut issued = format!(
            "{} {}",
            spec.date_label,
            format_date(invoice.issue_date, st.dates)
        );
        if let Some(time) = &invoice.issue_time {
            issued.push_str(&format!("   Hora: {}", &time[..time.len().min(8)]));
        }
        let mut lines = vec![(false, issued)];
        if let Some(due) = invoice.due_date {
            lines.push((
                false,
                format!("{} {}", spec.due_label, format_date(due, st.dates)),
            ));
        }
        if let Some(reference) = &invoice.billing_reference {
            lines.push((false, format!("Factura de referencia: {reference}")));
        }
        if spec.number_place == NumberPlace::BeforeBuyer {
            lines.push((true, number.to_string()));
        }
        lines
    }

    /// Prints [`Layout::document_field_lines`] at the left margin.
    fn document_fields(&mut self, invoice: &Invoice, number: &str) {
        let s = self.style.size;
        for (bold, text) in self.document_field_lines(invoice, number) {
            self.text(LEFT, bold, s, &text);
            self.advance(1.5);
        }
    }

    /// The buyer's name and id, at `x`; a name too long for the line wraps under itself.
    fn buyer(&mut self, invoice: &Invoice, x: f32) {
        let (s, spec) = (self.style.size, self.spec.clone());
        let family = self.style.family;
        let label_only = format!("{} ", spec.buyer_label);
        let indent = family.text_width(&label_only, s);
        let mut line = label_only.clone();
        let mut first = true;
        for word in invoice.buyer.name.split(' ') {
            let start = if first { x } else { x + indent };
            let candidate = format!("{line}{word} ");
            if start + family.text_width(candidate.trim_end(), s) > RIGHT
                && !line.trim().is_empty()
                && line != label_only
            {
                self.text(start, false, s, line.trim_end());
                self.advance(1.5);
                first = false;
                line = format!("{word} ");
            } else {
                line = candidate;
            }
        }
        let start = if first { x } else { x + indent };
        self.text(start, false, s, line.trim_end());
        self.advance(1.5);
        let label = match spec.id_label {
            Some(label) => label.to_string(),
            None => format!("{}:", id_label(&invoice.buyer.id_type)),
        };
        self.text(
            x,
            false,
            s,
            &format!("{label} {}", format_party_id(&invoice.buyer)),
        );
        self.advance(1.5);
    }

    /// A box from `top` down to `bottom` across the page.
    fn frame(&mut self, top: f32, bottom: f32) {
        let content = self.content();
        content.set_line_width(0.8);
        content.rect(LEFT - 6.0, bottom, RIGHT - LEFT + 12.0, top - bottom);
        content.stroke();
    }

    /// The lines table of a layout other than the classic one: its columns in its order,
    /// each as wide as its widest value or heading, the description taking what is left.
    fn table(&mut self, invoice: &Invoice) {
        let st = self.style;
        let s = st.size - 1.0;
        let spec = self.spec.clone();
        let family = st.family;
        let gap = 2.0 * family.text_width("0", s);
        let description = |line: &super::InvoiceLine| {
            let code = printed_code(line);
            match spec.code {
                CodePlacement::Parentheses if !code.is_empty() => {
                    format!("{} ({code})", line.description)
                }
                CodePlacement::Dash if !code.is_empty() => format!("{code} - {}", line.description),
                _ => line.description.clone(),
            }
        };
        let value = |column: Column, line: &super::InvoiceLine| -> String {
            match column {
                Column::Item => line.id.clone(),
                Column::Code => printed_code(line).to_string(),
                Column::Description => description(line),
                Column::Unit => line.unit.clone().unwrap_or_else(|| "UND".to_string()),
                Column::Quantity => format_quantity(line.quantity, st.numbers),
                Column::Price => format_amount(line.unit_price, st.numbers),
                Column::Tax => line
                    .taxes
                    .iter()
                    .find(|t| t.tax == "01")
                    .and_then(|t| t.percent)
                    .map(|p| format!("{}%", p.normalize()))
                    .unwrap_or_else(|| "0%".to_string()),
                Column::Total => format_amount(line.base, st.numbers),
            }
        };
        let widths: Vec<f32> = spec
            .columns
            .iter()
            .map(|(column, heading)| {
                invoice
                    .lines
                    .iter()
                    .map(|l| family.text_width(&value(*column, l), s))
                    .fold(family.text_width(heading, s), f32::max)
                    + gap
            })
            .collect();
        let fixed: f32 = spec
            .columns
            .iter()
            .zip(&widths)
            .filter(|((c, _), _)| *c != Column::Description)
            .map(|(_, w)| w)
            .sum();
        let room = (RIGHT - LEFT - fixed).max(100.0);
        // Left edge of every column.
        let mut lefts = Vec::with_capacity(widths.len());
        let mut x = LEFT;
        for ((column, _), width) in spec.columns.iter().zip(&widths) {
            lefts.push(x);
            x += if *column == Column::Description {
                room
            } else {
                *width
            };
        }
        let cell = |layout: &mut Layout, i: usize, bold: bool, size: f32, text: &str| {
            let (column, _) = spec.columns[i];
            if column.is_number() {
                let right = lefts[i] + widths[i] - gap / 2.0;
                layout.right(right, bold, size, text);
            } else {
                layout.text(lefts[i], bold, size, text);
            }
        };
        let header = |layout: &mut Layout| {
            for (i, (_, heading)) in spec.columns.iter().enumerate() {
                cell(layout, i, true, s, heading);
            }
            layout.advance(0.5);
            layout.rule(0.0);
            layout.advance(1.2);
        };
        header(self);
        let per_page = spec.rows_per_page.unwrap_or(usize::MAX).max(1);
        let pages = invoice.lines.len().div_ceil(per_page).max(1);
        for (n, line) in invoice.lines.iter().enumerate() {
            if n > 0 && n % per_page == 0 {
                // The form is full: the table goes on on the next page, under its header.
                let page = n / per_page;
                self.rule(0.9);
                self.advance(1.4);
                self.text(LEFT, false, s, "Continúa en la página siguiente");
                self.footer(page, pages);
                self.next_page();
                self.text(LEFT, true, st.size + 2.0, &invoice.seller.name);
                self.advance(2.4);
                header(self);
            }
            let mut more: Vec<String> = Vec::new();
            for (i, (column, _)) in spec.columns.iter().enumerate() {
                let text = value(*column, line);
                if *column == Column::Description {
                    let wrapped = wrap(&text, room - gap, s, family);
                    let first = wrapped.first().cloned().unwrap_or_default();
                    cell(self, i, false, s, &first);
                    more = wrapped.into_iter().skip(1).collect();
                } else {
                    cell(self, i, false, s, &text);
                }
            }
            let at = spec
                .columns
                .iter()
                .position(|(c, _)| *c == Column::Description)
                .unwrap_or(0);
            for text in &more {
                self.advance(1.15);
                cell(self, at, false, s, text);
            }
            self.advance(1.5);
        }
        self.rule(0.9);
        self.advance(0.8);
    }

    fn lines(&mut self, invoice: &Invoice) {
        let st = self.style;
        let s = st.size - 1.0;
        let columns = Columns::for_invoice(invoice, s, &st);
        self.text(LEFT, true, s, "#");
        self.text(columns.code, true, s, "Código");
        self.text(columns.description, true, s, "Descripción");
        self.right(columns.quantity, true, s, "Cant.");
        self.right(columns.price, true, s, "Vr. unitario");
        self.right(columns.tax, true, s, "IVA");
        self.right(RIGHT, true, s, "Total");
        self.advance(0.5);
        self.rule(0.0);
        self.advance(1.2);
        for line in &invoice.lines {
            self.text(LEFT, false, s, &line.id);
            let code = printed_code(line);
            self.text(columns.code, false, s, code);
            // The description fits its column: at a smaller size when a little too long,
            // wrapped onto more lines (under the first) when much too long.
            let room = columns.quantity - columns.quantity_width - columns.description - 2.0 * s;
            let natural = st.family.text_width(&line.description, s);
            let size = if natural > room {
                (s * room / natural).max(s * 0.8)
            } else {
                s
            };
            let wrapped = wrap(&line.description, room, size, st.family);
            let first = wrapped.first().cloned().unwrap_or_default();
            self.text(columns.description, false, size, &first);
            self.right(
                columns.quantity,
                false,
                s,
                &format_quantity(line.quantity, st.numbers),
            );
            self.right(
                columns.price,
                false,
                s,
                &format_amount(line.unit_price, st.numbers),
            );
            let tax = line
                .taxes
                .iter()
                .find(|t| t.tax == "01")
                .and_then(|t| t.percent)
                .map(|p| format!("{}%", p.normalize()))
                .unwrap_or_else(|| "0%".to_string());
            self.right(columns.tax, false, s, &tax);
            self.right(RIGHT, false, s, &format_amount(line.base, st.numbers));
            for more in wrapped.iter().skip(1) {
                self.advance(1.15);
                self.text(columns.description, false, size, more);
            }
            self.advance(1.5);
        }
        self.rule(0.9);
        self.advance(0.8);
    }

    fn totals(&mut self, invoice: &Invoice) {
        let st = self.style;
        let s = st.size;
        let label_x = 340.0;
        let row = |layout: &mut Layout, label: &str, value: Decimal, bold: bool| {
            layout.text(label_x, bold, s, label);
            layout.right(RIGHT, bold, s, &format_amount(value, st.numbers));
            layout.advance(1.5);
        };
        let spec = self.spec.clone();
        row(
            self,
            spec.subtotal_label,
            invoice.totals.line_extension,
            false,
        );
        if spec.extra_totals {
            row(self, "Descuento:", Decimal::ZERO, false);
        }
        for tax in &invoice.tax_totals {
            let name = match tax.tax.as_str() {
                "01" => spec.iva_label.to_string(),
                "04" => "INC:".to_string(),
                "03" => "ICA:".to_string(),
                other => format!("{other}:"),
            };
            row(self, &name, tax.amount, false);
        }
        if spec.extra_totals {
            row(self, "Retención en la fuente:", Decimal::ZERO, false);
        }
        row(self, spec.total_label, invoice.totals.payable, true);
        if let Some(cufe) = invoice.cufe.as_ref().filter(|_| spec.cufe_qr) {
            self.advance(1.0);
            let label = if invoice.kind == DocumentKind::Invoice {
                "CUFE:"
            } else {
                "CUDE:"
            };
            self.text(LEFT, true, s, label);
            self.advance(1.4);
            let half = cufe.len() / 2;
            self.text(LEFT, false, s, &cufe[..half]);
            self.advance(1.4);
            self.text(LEFT, false, s, &cufe[half..]);
            self.advance(1.4);
        }
    }

    fn finish(self) -> Vec<u8> {
        let mut pdf = Pdf::new();
        let catalog_id = Ref::new(1);
        let tree_id = Ref::new(2);
        let regular_id = Ref::new(3);
        let bold_id = Ref::new(4);
        let first_page = 5;
        let page_ids: Vec<Ref> = (0..self.pages.len())
            .map(|i| Ref::new(first_page + 2 * i as i32))
            .collect();
        pdf.catalog(catalog_id).pages(tree_id);
        pdf.pages(tree_id)
            .kids(page_ids.iter().copied())
            .count(page_ids.len() as i32);
        pdf.type1_font(regular_id)
            .base_font(Name(self.style.family.regular()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
        pdf.type1_font(bold_id)
            .base_font(Name(self.style.family.bold()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
        for (i, content) in self.pages.into_iter().enumerate() {
            let page_id = page_ids[i];
            let content_id = Ref::new(page_id.get() + 1);
            let mut page = pdf.page(page_id);
            // A tilted page is shown on a larger bed, as a scanner sees it: no corner lost.
            let bed = if self.style.tilt != 0.0 { 72.0 } else { 0.0 };
            page.media_box(Rect::new(-bed, -bed, PAGE_WIDTH + bed, PAGE_HEIGHT + bed));
            page.parent(tree_id);
            page.contents(content_id);
            let mut resources = page.resources();
            let mut fonts = resources.fonts();
            fonts.pair(Name(b"F1"), regular_id);
            fonts.pair(Name(b"F2"), bold_id);
            fonts.finish();
            resources.finish();
            page.finish();
            pdf.stream(content_id, &content.finish());
        }
        pdf.finish()
    }
}

/// Words of `text` in lines no wider than `room` at `size`.
fn wrap(text: &str, room: f32, size: f32, family: Family) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if family.text_width(&format!("{line} {word}"), size) <= room => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// Column positions of the lines table (left edges of text columns, right edges of number
/// columns).
struct Columns {
    code: f32,
    description: f32,
    quantity: f32,
    quantity_width: f32,
    price: f32,
    tax: f32,
}

impl Columns {
    /// Columns laid out from the right, each as wide as its widest value (or heading) plus
    /// a gap of two character widths, so numbers never run into each other; the
    /// description takes what is left.
    fn for_invoice(invoice: &Invoice, size: f32, style: &PageStyle) -> Columns {
        let family = style.family;
        let gap = 2.0 * family.text_width("0", size);
        let widest = |texts: Vec<String>, heading: &str| {
            texts
                .iter()
                .map(|t| family.text_width(t, size))
                .fold(family.text_width(heading, size), f32::max)
        };
        let lines = &invoice.lines;
        let total_width = widest(
            lines
                .iter()
                .map(|l| format_amount(l.base, style.numbers))
                .collect(),
            "Total",
        );
        let tax = RIGHT - total_width - gap;
        let tax_width = widest(vec!["19%".to_string()], "IVA");
        let price = tax - tax_width - gap;
        let price_width = widest(
            lines
                .iter()
                .map(|l| format_amount(l.unit_price, style.numbers))
                .collect(),
            "Vr. unitario",
        );
        let quantity = price - price_width - gap;
        let quantity_width = widest(
            lines
                .iter()
                .map(|l| format_quantity(l.quantity, style.numbers))
                .collect(),
            "Cant.",
        );
        let code = LEFT + family.text_width("000", size);
        let code_width = lines
            .iter()
            .map(|l| family.text_width(printed_code(l), size) * 1.1)
            .fold(family.text_width("Código", size), f32::max);
        Columns {
            code,
            description: code + code_width + gap,
            quantity,
            quantity_width,
            price,
            tax,
        }
    }
}

/// Text in WinAnsiEncoding: Latin-1 as is, the usual typographic marks mapped, anything
/// else as `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            '…' => 0x85,
            '–' => 0x96,
            '—' => 0x97,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            _ => b'?',
        })
        .collect()
}

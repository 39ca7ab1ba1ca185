//! The columns an invoice's lines table prints: what the page generator lays out and the
//! OCR reader recognises by their headings.

/// A column of the lines table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// The line's number.
    Item,
    /// The product code.
    Code,
    /// The description.
    Description,
    /// The unit of measure.
    Unit,
    /// The quantity.
    Quantity,
    /// The unit price.
    Price,
    /// The IVA rate.
    Tax,
    /// The line's amount before taxes.
    Total,
}

impl Column {
    /// True for the columns printed right-aligned (numbers).
    pub fn is_number(self) -> bool {
        matches!(
            self,
            Column::Quantity | Column::Price | Column::Tax | Column::Total
        )
    }
}

//! DIAN UBL 2.1: reading `Invoice`, `CreditNote`, `DebitNote` and `AttachedDocument`
//! exactly, and writing them (for samples and round trips).

mod read;
mod write;

pub(crate) use read::parse_plain_decimal;
pub use read::read_xml;
pub use read::read_xml_with;
pub use write::{Issuance, write_attached_document, write_xml};

/// The root namespaces of the documents.
pub(crate) mod roots {
    /// `Invoice`.
    pub const INVOICE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
    /// `CreditNote`.
    pub const CREDIT_NOTE: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
    /// `DebitNote`.
    pub const DEBIT_NOTE: &str = "urn:oasis:names:specification:ubl:schema:xsd:DebitNote-2";
    /// `AttachedDocument`.
    pub const ATTACHED: &str = "urn:oasis:names:specification:ubl:schema:xsd:AttachedDocument-2";
}

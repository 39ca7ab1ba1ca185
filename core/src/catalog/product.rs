//! A catalog product, with the columns of the seed's `bmc_transactional.products` table.

use chrono::NaiveDateTime;

use crate::dian::TariffCode;

/// One product of the catalog. Field names are the seed's column names.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Product {
    /// `product_id`: the row's id in the source database.
    pub product_id: i64,
    /// `product_code`: the seller's code, unique in the catalog (at most 50 characters).
    pub product_code: String,
    /// `product_name` (at most 255 characters).
    pub product_name: String,
    /// `dian_classification`: the product's subpartida arancelaria.
    pub dian_classification: TariffCode,
    /// `category_id`.
    pub category_id: i32,
    /// `unit_type` (at most 20 characters), such as `kg`.
    pub unit_type: String,
    /// `is_active`.
    pub is_active: bool,
    /// `created_at` (no time zone, as the seed's `TIMESTAMP`).
    pub created_at: Option<NaiveDateTime>,
    /// `updated_at`.
    pub updated_at: Option<NaiveDateTime>,
}

/// The source columns, in the seed's order.
pub const COLUMNS: [&str; 9] = [
    "product_id",
    "product_code",
    "product_name",
    "dian_classification",
    "category_id",
    "unit_type",
    "is_active",
    "created_at",
    "updated_at",
];

/// Longest `product_code`.
pub const MAX_CODE_LEN: usize = 50;
/// Longest `product_name`.
pub const MAX_NAME_LEN: usize = 255;
/// Longest `unit_type`.
pub const MAX_UNIT_LEN: usize = 20;

/// Formats a timestamp as PostgreSQL writes it in CSV (`2024-01-15 10:30:00` or with
/// microseconds).
pub fn format_timestamp(t: &NaiveDateTime) -> String {
    if t.and_utc().timestamp_subsec_micros() == 0 {
        t.format("%Y-%m-%d %H:%M:%S").to_string()
    } else {
        t.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
    }
}

/// Parses a timestamp as PostgreSQL writes it (`2024-01-15 10:30:00[.ffffff]`, or with `T`).
pub fn parse_timestamp(text: &str) -> Option<NaiveDateTime> {
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
}

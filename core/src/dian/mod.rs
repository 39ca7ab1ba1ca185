//! The identifiers DIAN cares about: NITs and id document types, product codes by scheme
//! (subpartida arancelaria, UNSPSC, GTIN, own code), the HS 2022 nomenclature, and the
//! CUFE/CUDE document codes.

pub mod cufe;
pub mod hs2022;
pub mod id;
pub mod nit;
pub mod numbering;
pub mod product_code;

pub use cufe::{Cufe, CufeError, CufeFields, Environment};
pub use id::{FINAL_CONSUMER_ID, IdError, IdType, is_final_consumer};
pub use nit::{Nit, NitError};
pub use numbering::NumberingKeys;
pub use product_code::{
    Gtin, OwnCode, ProductCode, ProductCodeError, Scheme, TariffCode, TariffDescription, Unspsc,
    UnspscLevel,
};

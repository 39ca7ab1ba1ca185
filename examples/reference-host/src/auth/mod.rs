//! Who may call the API: JWT bearer tokens carrying the seed's roles.

mod jwks;
mod jwt;
mod role;

pub use jwks::Jwks;
pub use jwt::{Claims, KeySource, TokenError, issue_hs256, load_or_create_secret};
pub use role::{Permission, Role};

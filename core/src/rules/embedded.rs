//! The rule sets shipped in the repository's `rules/` folder, compiled into the library so a
//! wheel or npm package computes commissions with no file at hand.

/// (rule set folder, version folder, file name, content).
pub(super) const FILES: &[(&str, &str, &str, &str)] = &[
    embed!("registro-facturas", "2025-01-01", "ruleset.toml"),
    embed!("registro-facturas", "2025-01-01", "groups.csv"),
    embed!("registro-facturas", "2025-01-01", "tariff.rhai"),
    embed!("registro-facturas", "2026-01-01", "ruleset.toml"),
    embed!("registro-facturas", "2026-01-01", "groups.csv"),
    embed!("registro-facturas", "2026-01-01", "special.csv"),
    embed!("registro-facturas", "2026-01-01", "tariff.rhai"),
];

macro_rules! embed {
    ($set:literal, $version:literal, $file:literal) => {
        (
            $set,
            $version,
            $file,
            include_str!(concat!("../../../rules/", $set, "/", $version, "/", $file)),
        )
    };
}
use embed;

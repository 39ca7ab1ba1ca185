//! How a catalog index is built: what the build does with invalid rows and how much memory it
//! uses (recorded in the index's manifest).

/// What to do with invalid rows and duplicate codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnInvalid {
    /// Build nothing; the error carries the full report.
    #[default]
    Reject,
    /// Leave them out of the index and list them in the report.
    SkipAndReport,
}

/// How to build.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BuildOptions {
    /// Invalid rows and duplicates: reject the build, or skip and report.
    pub on_invalid: OnInvalid,
    /// Memory for one sorted run before it is written to disk.
    pub sort_memory: usize,
    /// Memory for the search index writer.
    pub search_memory: usize,
    /// Most problems kept in the report (the counts are always complete).
    pub report_limit: usize,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            on_invalid: OnInvalid::Reject,
            sort_memory: 512 << 20,
            search_memory: 256 << 20,
            report_limit: 10_000,
        }
    }
}

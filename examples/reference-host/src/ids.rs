//! Ids, hashes and times.

use sha2::{Digest, Sha256};

/// SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// A random id: `prefix`, an underscore and 26 hex digits (104 random bits).
pub fn random_id(prefix: &str) -> String {
    let mut bytes = [0u8; 13];
    // The operating system's generator does not fail on the systems the host runs on; if it
    // did, the time and a counter still give an id unique to this process.
    if getrandom::fill(&mut bytes).is_err() {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let t = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
        bytes[..8].copy_from_slice(&t.to_be_bytes());
        bytes[8..13].copy_from_slice(&n.to_be_bytes()[3..]);
    }
    format!("{prefix}_{}", hex(&bytes))
}

/// The invoice id of a document: the same bytes always get the same id.
pub fn invoice_id(sha256: &str) -> String {
    format!("inv_{}", &sha256[..26])
}

/// Now, RFC 3339 in UTC with milliseconds.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

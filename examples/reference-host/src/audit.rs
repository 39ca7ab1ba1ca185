//! Checking the audit log: the whole chain walked in pages, oldest first, against the head
//! the state recorded (and, when given, against a head recorded elsewhere earlier, which finds
//! even a log rewritten from some entry to its end).

use crate::capability::{AuditBreak, CapabilityError, State, Verifier};

/// Entries read at a time.
const PAGE: usize = 1000;

/// What a check of the audit log found.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditReport {
    /// True when every entry is there, unchanged and in its place.
    pub intact: bool,
    /// The entries checked.
    pub entries: i64,
    /// The head: the last entry's hash (keep it elsewhere to check against later).
    pub head_hash: String,
    /// What is wrong, when something is.
    pub problem: Option<String>,
    /// The entry where the chain breaks, when it does.
    pub broken_at: Option<i64>,
}

/// A head recorded elsewhere (`SEQ:HASH`): the entry `seq` must still have `hash`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    /// The entry.
    pub seq: i64,
    /// Its hash then.
    pub hash: String,
}

impl std::str::FromStr for Anchor {
    type Err = String;

    fn from_str(text: &str) -> Result<Anchor, String> {
        let (seq, hash) = text
            .split_once(':')
            .ok_or_else(|| format!("{text:?} is not SEQ:HASH"))?;
        let seq = seq
            .parse::<i64>()
            .map_err(|_| format!("{seq:?} is not an entry number"))?;
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("{hash:?} is not a SHA-256 in hex"));
        }
        Ok(Anchor {
            seq,
            hash: hash.to_ascii_lowercase(),
        })
    }
}

/// Walks the audit log of `state` and reports whether it is intact; with `anchor`, also
/// whether the entry it names still has its hash.
pub async fn verify(
    state: &dyn State,
    anchor: Option<&Anchor>,
) -> Result<AuditReport, CapabilityError> {
    // The head first: entries appended while the check runs are after it and left for the
    // next check.
    let head = state.audit_head().await?;
    let last = head.as_ref().map_or(0, |(seq, _)| *seq);
    let mut verifier = Verifier::default();
    let mut anchored = anchor.is_none_or(|a| a.seq == 0);
    let mut after = 0;
    let broken = 'walk: loop {
        let page = state.audit_entries(after, PAGE, None).await?;
        if page.is_empty() {
            break None;
        }
        for record in &page {
            if record.seq > last {
                break 'walk None;
            }
            if let Err(e) = verifier.check(record) {
                break 'walk Some(e);
            }
            if let Some(a) = anchor
                && a.seq == record.seq
            {
                if a.hash != record.hash {
                    break 'walk Some(AuditBreak::Rewritten { seq: record.seq });
                }
                anchored = true;
            }
            after = record.seq;
        }
    };
    let result = match broken {
        Some(e) => Err(e),
        None => verifier.finish(head).and_then(|entries| match anchor {
            Some(a) if !anchored => Err(AuditBreak::Truncated {
                last: entries,
                head: a.seq,
            }),
            _ => Ok(entries),
        }),
    };
    Ok(match result {
        Ok(entries) => AuditReport {
            intact: true,
            entries,
            head_hash: verifier.last_hash().to_string(),
            problem: None,
            broken_at: None,
        },
        Err(e) => AuditReport {
            intact: false,
            entries: after,
            head_hash: verifier.last_hash().to_string(),
            broken_at: Some(broken_at(&e)),
            problem: Some(e.to_string()),
        },
    })
}

fn broken_at(e: &AuditBreak) -> i64 {
    match e {
        AuditBreak::Edited { seq }
        | AuditBreak::Unchained { seq }
        | AuditBreak::Rewritten { seq } => *seq,
        AuditBreak::Missing { expected, .. } => *expected,
        AuditBreak::Truncated { last, .. } | AuditBreak::HeadMismatch { last, .. } => *last,
    }
}

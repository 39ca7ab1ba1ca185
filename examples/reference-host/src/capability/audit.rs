//! The audit log: who did what, when and from where, for every state change and every admin
//! action. Append-only and hash-chained: each entry's hash covers its fields and the hash of
//! the entry before it, and the state keeps the chain's head, so [`Verifier`] finds an entry
//! edited, removed, reordered or cut off the end.

use sha2::{Digest as _, Sha256};

/// The hash the first entry chains to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did something, and from where.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Actor {
    /// The token's subject, or `system:<part>` for the host's own work.
    pub who: String,
    /// The token's role, for a person.
    pub role: Option<String>,
    /// Where the request came from (the client address), for a person.
    pub from: Option<String>,
}

impl Actor {
    /// The host's own part `part` (`worker`, `sftp`, `scheduler`).
    pub fn system(part: &str) -> Actor {
        Actor {
            who: format!("system:{part}"),
            role: None,
            from: None,
        }
    }

    /// A person with a token.
    pub fn person(who: &str, role: Option<&str>, from: Option<String>) -> Actor {
        Actor {
            who: who.to_string(),
            role: role.map(str::to_string),
            from,
        }
    }
}

/// An entry to append.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAudit {
    /// Who.
    pub actor: Actor,
    /// What: `invoice.uploaded`, `invoice.status`, `admin.queue.redrive`, ...
    pub action: String,
    /// On what: an invoice id, a queue, a job id.
    pub subject: String,
    /// The particulars (JSON).
    pub detail: serde_json::Value,
}

impl NewAudit {
    /// An entry for `action` on `subject` by `actor`.
    pub fn new(actor: &Actor, action: &str, subject: &str, detail: serde_json::Value) -> NewAudit {
        NewAudit {
            actor: actor.clone(),
            action: action.to_string(),
            subject: subject.to_string(),
            detail,
        }
    }

    /// The entry as number `seq` of the chain, at `at`, after the entry whose hash is `prev`.
    pub fn seal(self, seq: i64, at: String, prev: &str) -> AuditRecord {
        let mut record = AuditRecord {
            seq,
            at,
            who: self.actor.who,
            role: self.actor.role,
            from: self.actor.from,
            action: self.action,
            subject: self.subject,
            detail: self.detail.to_string(),
            prev_hash: prev.to_string(),
            hash: String::new(),
        };
        record.hash = record.expected_hash();
        record
    }
}

/// An entry as the log keeps it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditRecord {
    /// Its place in the chain, from 1 without gaps.
    pub seq: i64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who.
    pub who: String,
    /// The role, for a person.
    pub role: Option<String>,
    /// From where, for a person.
    pub from: Option<String>,
    /// What.
    pub action: String,
    /// On what.
    pub subject: String,
    /// The particulars, as the JSON text that was hashed.
    pub detail: String,
    /// The hash of the entry before.
    pub prev_hash: String,
    /// SHA-256 (hex) of this entry's fields and `prev_hash`.
    pub hash: String,
}

impl AuditRecord {
    /// The hash the entry's fields give: SHA-256 of the JSON array of its fields and the
    /// previous hash.
    pub fn expected_hash(&self) -> String {
        let fields = serde_json::json!([
            self.seq,
            self.at,
            self.who,
            self.role,
            self.from,
            self.action,
            self.subject,
            self.detail,
            self.prev_hash,
        ]);
        hex(&Sha256::digest(fields.to_string().as_bytes()))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditBreak {
    /// An entry's fields do not give its hash: it was edited.
    #[error("audit entry {seq} was changed: its fields do not give its hash")]
    Edited {
        /// The entry.
        seq: i64,
    },
    /// Entries are missing before `seq`.
    #[error("audit entries {expected} to {} are missing", .seq - 1)]
    Missing {
        /// The entry expected.
        expected: i64,
        /// The entry found.
        seq: i64,
    },
    /// An entry does not chain to the one before: entries were replaced or reordered.
    #[error("audit entry {seq} does not chain to entry {}: entries were replaced or reordered", .seq - 1)]
    Unchained {
        /// The entry.
        seq: i64,
    },
    /// The chain ends before the head the state recorded: entries were cut off the end.
    #[error(
        "the audit log ends at entry {last} but its head is entry {head}: entries were removed from the end"
    )]
    Truncated {
        /// The last entry found.
        last: i64,
        /// The head recorded.
        head: i64,
    },
    /// An entry no longer has the hash recorded for it earlier elsewhere: the log was
    /// rewritten from there (or before) on.
    #[error(
        "audit entry {seq} no longer has the hash recorded for it earlier: the log was rewritten"
    )]
    Rewritten {
        /// The entry.
        seq: i64,
    },
    /// The last entry is not the head the state recorded.
    #[error("the audit log's last entry {last} is not its recorded head {head}")]
    HeadMismatch {
        /// The last entry found.
        last: i64,
        /// The head recorded.
        head: i64,
    },
}

/// Checks a chain entry by entry, oldest first, so a log of any length is verified in pages.
#[derive(Debug, Clone)]
pub struct Verifier {
    next_seq: i64,
    prev_hash: String,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            next_seq: 1,
            prev_hash: GENESIS.to_string(),
        }
    }
}

impl Verifier {
    /// Checks the next entry.
    pub fn check(&mut self, record: &AuditRecord) -> Result<(), AuditBreak> {
        if record.seq != self.next_seq {
            return Err(if record.seq > self.next_seq {
                AuditBreak::Missing {
                    expected: self.next_seq,
                    seq: record.seq,
                }
            } else {
                AuditBreak::Unchained { seq: record.seq }
            });
        }
        if record.expected_hash() != record.hash {
            return Err(AuditBreak::Edited { seq: record.seq });
        }
        if record.prev_hash != self.prev_hash {
            return Err(AuditBreak::Unchained { seq: record.seq });
        }
        self.next_seq += 1;
        self.prev_hash.clone_from(&record.hash);
        Ok(())
    }

    /// Checks that the chain ends at `head` (its seq and hash; none for an empty log), and
    /// answers how many entries it holds.
    pub fn finish(&self, head: Option<(i64, String)>) -> Result<i64, AuditBreak> {
        let last = self.next_seq - 1;
        let (head_seq, head_hash) = head.unwrap_or((0, GENESIS.to_string()));
        if last < head_seq {
            return Err(AuditBreak::Truncated {
                last,
                head: head_seq,
            });
        }
        if last != head_seq || self.prev_hash != head_hash {
            return Err(AuditBreak::HeadMismatch {
                last,
                head: head_seq,
            });
        }
        Ok(last)
    }

    /// The hash of the last entry checked.
    pub fn last_hash(&self) -> &str {
        &self.prev_hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let r = NewAudit::new(
                    &Actor::system("worker"),
                    "invoice.status",
                    &format!("inv-{seq}"),
                    serde_json::json!({"to": "REGISTERED"}),
                )
                .seal(seq, "2026-12-02T00:00:00Z".into(), &prev);
                prev.clone_from(&r.hash);
                r
            })
            .collect()
    }

    fn verify(records: &[AuditRecord], head: Option<(i64, String)>) -> Result<i64, AuditBreak> {
        let mut v = Verifier::default();
        for r in records {
            v.check(r)?;
        }
        v.finish(head)
    }

    fn head(records: &[AuditRecord]) -> Option<(i64, String)> {
        records.last().map(|r| (r.seq, r.hash.clone()))
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify(&c, head(&c)), Ok(5));
        assert_eq!(verify(&[], None), Ok(0));
    }

    #[test]
    fn an_edit_a_removal_a_swap_and_a_cut_are_found() {
        let c = chain(5);
        let h = head(&c);
        let mut edited = c.clone();
        edited[2].subject = "inv-other".into();
        assert_eq!(
            verify(&edited, h.clone()),
            Err(AuditBreak::Edited { seq: 3 })
        );
        let mut removed = c.clone();
        removed.remove(1);
        assert_eq!(
            verify(&removed, h.clone()),
            Err(AuditBreak::Missing {
                expected: 2,
                seq: 3
            })
        );
        let mut resealed = c.clone();
        resealed[1] = NewAudit::new(
            &Actor::system("x"),
            "forged",
            "inv-2",
            serde_json::json!({}),
        )
        .seal(2, "2026-12-02T00:00:00Z".into(), &c[0].hash);
        assert_eq!(
            verify(&resealed, h.clone()),
            Err(AuditBreak::Unchained { seq: 3 })
        );
        assert_eq!(
            verify(&c[..4], h),
            Err(AuditBreak::Truncated { last: 4, head: 5 })
        );
    }
}

//! Numbering ranges' keys: the technical key of each seller's numbering range (the CUFE's
//! `ClTec`) and the software PIN of its notes (the CUDE's), kept in a table a verifier loads.
//! DIAN issues a technical key per numbering range (a seller's prefix and resolution), so a
//! verifier of many sellers' invoices holds a table of them, not one key.
//!
//! The table is CSV with a header: `nit,prefix,technical_key,software_pin` (either of the
//! last two may be empty; `nit` is the seller's NIT without its check digit).
//!
//! ```
//! use bmc_core::dian::NumberingKeys;
//!
//! let keys = NumberingKeys::from_csv(
//!     "nit,prefix,technical_key,software_pin\n890903938,SETP,fc8eac422eba16e22ffd8c6f94b3f40a6e38162c,\n",
//!     "keys.csv",
//! )?;
//! assert!(keys.technical_key("890903938", "SETP990000005", None).is_some());
//! assert!(keys.technical_key("890903938", "FE100", None).is_none());
//! # Ok::<(), bmc_core::dian::CufeError>(())
//! ```

use std::collections::HashMap;

use super::CufeError;

/// One numbering range's keys.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RangeKeys {
    technical_key: Option<String>,
    software_pin: Option<String>,
}

/// The keys of every numbering range known to the verifier, by seller NIT and prefix.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NumberingKeys {
    ranges: HashMap<(String, String), RangeKeys>,
}

/// The largest keys table file [`NumberingKeys::read`] takes.
const MAX_TABLE_BYTES: u64 = 256 << 20;

/// The most rows a keys table may have.
pub const MAX_NUMBERING_RANGES: usize = 1_000_000;

impl NumberingKeys {
    /// An empty table: no key is known.
    pub fn new() -> NumberingKeys {
        NumberingKeys::default()
    }

    /// Adds (or replaces) the keys of seller `nit`'s range `prefix`.
    pub fn insert(
        &mut self,
        nit: &str,
        prefix: &str,
        technical_key: Option<String>,
        software_pin: Option<String>,
    ) {
        self.ranges.insert(
            (nit.trim().to_owned(), prefix.trim().to_owned()),
            RangeKeys {
                technical_key,
                software_pin,
            },
        );
    }

    /// Reads a table (see the module's documentation); an error names the line and column.
    pub fn from_csv(text: &str, source_name: &str) -> Result<NumberingKeys, CufeError> {
        let problem = |line: u64, message: String| CufeError::KeysTable {
            source_name: source_name.to_owned(),
            line,
            message,
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| problem(1, e.to_string()))?
            .clone();
        let column = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim_start_matches('\u{feff}') == name)
                .ok_or_else(|| {
                    problem(
                        1,
                        format!(
                            "the header has no {name:?} column (expected nit,prefix,technical_key,software_pin)"
                        ),
                    )
                })
        };
        let (nit, prefix, key, pin) = (
            column("nit")?,
            column("prefix")?,
            column("technical_key")?,
            column("software_pin")?,
        );
        let mut keys = NumberingKeys::new();
        for record in reader.records() {
            let record =
                record.map_err(|e| problem(e.position().map_or(0, |p| p.line()), e.to_string()))?;
            let line = record.position().map_or(0, |p| p.line());
            if keys.ranges.len() >= MAX_NUMBERING_RANGES {
                return Err(problem(
                    line,
                    format!("more than {MAX_NUMBERING_RANGES} numbering ranges"),
                ));
            }
            let field = |i: usize| record.get(i).unwrap_or("").to_owned();
            let seller = field(nit);
            if seller.is_empty() || !seller.bytes().all(|b| b.is_ascii_digit()) {
                return Err(problem(
                    line,
                    format!(
                        "nit {seller:?} must be the seller's NIT digits, without the check digit"
                    ),
                ));
            }
            let optional = |value: String| (!value.is_empty()).then_some(value);
            let (technical_key, software_pin) = (optional(field(key)), optional(field(pin)));
            if technical_key.is_none() && software_pin.is_none() {
                return Err(problem(
                    line,
                    "technical_key and software_pin are both empty".to_owned(),
                ));
            }
            let range = (seller, field(prefix));
            if keys.ranges.contains_key(&range) {
                return Err(problem(
                    line,
                    format!("seller {} prefix {:?} appears twice", range.0, range.1),
                ));
            }
            keys.ranges.insert(
                range,
                RangeKeys {
                    technical_key,
                    software_pin,
                },
            );
        }
        Ok(keys)
    }

    /// Reads the table in file `path` (at most 256 MiB).
    pub fn read(path: &std::path::Path) -> Result<NumberingKeys, CufeError> {
        use std::io::Read as _;
        let name = path.display().to_string();
        let problem = |message: String| CufeError::KeysTable {
            source_name: name.clone(),
            line: 0,
            message,
        };
        let file = std::fs::File::open(path).map_err(|e| problem(e.to_string()))?;
        let mut text = String::new();
        file.take(MAX_TABLE_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(|e| problem(e.to_string()))?;
        if text.len() as u64 > MAX_TABLE_BYTES {
            return Err(problem(format!(
                "the table is larger than {} MiB",
                MAX_TABLE_BYTES >> 20
            )));
        }
        NumberingKeys::from_csv(&text, &name)
    }

    /// How many ranges the table holds.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// True when the table holds no range.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The technical key of seller `nit`'s range for document `number` (prefix `prefix` when
    /// the document states it, else the letters `number` starts with).
    pub fn technical_key(&self, nit: &str, number: &str, prefix: Option<&str>) -> Option<&str> {
        self.range(nit, number, prefix)?.technical_key.as_deref()
    }

    /// The software PIN of seller `nit`'s range for note `number`.
    pub fn software_pin(&self, nit: &str, number: &str, prefix: Option<&str>) -> Option<&str> {
        self.range(nit, number, prefix)?.software_pin.as_deref()
    }

    fn range(&self, nit: &str, number: &str, prefix: Option<&str>) -> Option<&RangeKeys> {
        let prefix = prefix.map_or_else(|| number_prefix(number), str::trim);
        self.ranges.get(&(nit.trim().to_owned(), prefix.to_owned()))
    }
}

/// The prefix of a document number: its leading characters up to the first digit
/// (`SETP990000005` → `SETP`, `100` → ``).
pub fn number_prefix(number: &str) -> &str {
    let number = number.trim();
    let end = number
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(number.len());
    &number[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_checked_line_by_line() {
        let ok = "nit,prefix,technical_key,software_pin\n\
                  890903938,SETP,key1,\n\
                  890903938,NC,,12345\n\
                  800197268,,key3,\n";
        let keys = NumberingKeys::from_csv(ok, "k.csv").unwrap();
        assert_eq!(keys.len(), 3);
        assert_eq!(keys.technical_key("890903938", "SETP1", None), Some("key1"));
        assert_eq!(
            keys.technical_key("890903938", "X1", Some("SETP")),
            Some("key1")
        );
        assert_eq!(
            keys.software_pin("890903938", "NC1009", None),
            Some("12345")
        );
        assert_eq!(keys.technical_key("890903938", "NC1009", None), None);
        assert_eq!(keys.technical_key("800197268", "1234", None), Some("key3"));
        for (bad, line) in [
            ("nit,prefix,technical_key\n", 1),
            ("nit,prefix,technical_key,software_pin\n8909-3,SETP,k,\n", 2),
            ("nit,prefix,technical_key,software_pin\n1,A,k,\n1,B,,\n", 3),
            ("nit,prefix,technical_key,software_pin\n1,A,k,\n1,A,j,\n", 3),
            ("nit,prefix,technical_key,software_pin\n1,A,k\n", 2),
        ] {
            match NumberingKeys::from_csv(bad, "k.csv") {
                Err(CufeError::KeysTable { line: l, .. }) => assert_eq!(l, line, "{bad}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn prefixes() {
        assert_eq!(number_prefix("SETP990000005"), "SETP");
        assert_eq!(number_prefix(" NC1009"), "NC");
        assert_eq!(number_prefix("100"), "");
        assert_eq!(number_prefix("FE-100"), "FE-");
    }
}

//! A rule book that a long-running process can reload while it serves.

use std::path::PathBuf;
use std::sync::Arc;

use crate::swap::Swap;

use super::{RuleBook, RuleError};

/// A rule book behind an atomic swap: readers take the current book (an `Arc`) and keep
/// computing with it while a reload builds the next one aside; the swap itself is one pointer
/// store. A reload that fails leaves the current book in place.
///
/// ```
/// use bmc_core::rules::{RuleBook, SharedRuleBook};
///
/// let shared = SharedRuleBook::new(RuleBook::embedded()?);
/// let before = shared.get();
/// shared.replace(RuleBook::embedded()?);
/// assert_eq!(before.versions().len(), shared.get().versions().len());
/// # Ok::<(), bmc_core::rules::RuleError>(())
/// ```
#[derive(Debug)]
pub struct SharedRuleBook {
    current: Swap<RuleBook>,
}

impl SharedRuleBook {
    /// Starts with `book`.
    pub fn new(book: RuleBook) -> SharedRuleBook {
        SharedRuleBook {
            current: Swap::new(book),
        }
    }

    /// The book in use now.
    pub fn get(&self) -> Arc<RuleBook> {
        self.current.get()
    }

    /// Puts `book` in use; calculations already running finish with the previous one.
    pub fn replace(&self, book: RuleBook) {
        self.current.replace(book);
    }

    /// Loads the book again from the folder it came from and swaps it in. Returns the folder.
    /// An embedded book has no folder: reloading it is an error that changes nothing.
    pub fn reload(&self) -> Result<PathBuf, RuleError> {
        let path = self
            .get()
            .path()
            .map(PathBuf::from)
            .ok_or_else(|| RuleError::Io {
                path: PathBuf::from("<embedded>"),
                message: "the embedded rule book has no folder to reload from".to_owned(),
            })?;
        self.replace(RuleBook::load(&path)?);
        Ok(path)
    }
}

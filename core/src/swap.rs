//! A value that readers share and a writer replaces atomically.

use std::sync::{Arc, RwLock};

/// Holds an `Arc<T>` that can be swapped: readers take the current value and keep using it
/// for as long as they need; [`Swap::replace`] installs a new one for every later reader.
/// The lock is held only to clone or store the pointer.
#[derive(Debug)]
pub struct Swap<T> {
    current: RwLock<Arc<T>>,
}

impl<T> Swap<T> {
    /// Starts with `value`.
    pub fn new(value: T) -> Swap<T> {
        Swap {
            current: RwLock::new(Arc::new(value)),
        }
    }

    /// The value in use now.
    pub fn get(&self) -> Arc<T> {
        match self.current.read() {
            Ok(v) => Arc::clone(&v),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Puts `value` in use; holders of the previous one keep it until they drop it.
    pub fn replace(&self, value: T) {
        let value = Arc::new(value);
        match self.current.write() {
            Ok(mut v) => *v = value,
            Err(poisoned) => *poisoned.into_inner() = value,
        }
    }
}

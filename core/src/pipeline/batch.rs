//! Registering many documents at once, on several threads: one outcome per document, in the
//! documents' order, whatever happens to any one of them.

use std::panic::{AssertUnwindSafe, catch_unwind};

use chrono::NaiveDate;

use super::{Event, Pipeline, Registration};

/// How [`Pipeline::register_many`] works.
#[derive(Debug, Clone, Default)]
pub struct BatchOptions {
    /// Threads to register on; 0 means one per core.
    pub threads: usize,
    /// Also render each registration's certificate PDF.
    pub certificates: bool,
}

/// What registering one document of a batch gave.
#[derive(Debug)]
pub struct BatchOutcome {
    /// The registration, or why the document could not be registered (a document that
    /// panicked the reader is [`PipelineError::Panicked`], with its position).
    pub result: Result<Registration, crate::Error>,
    /// The events emitted while registering it, in order.
    pub events: Vec<Event>,
    /// The certificate, when asked for and the registration succeeded.
    pub certificate: Option<Vec<u8>>,
}

/// A failure of the pipeline itself, as opposed to a document it could not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// Registering a document panicked; the panic was caught and the other documents were
    /// registered. This is a defect in the library: report it with the document.
    #[error("document {index} of the batch could not be registered: internal error: {message}")]
    Panicked {
        /// The document's position in the batch, 0-based.
        index: usize,
        /// The panic's message.
        message: String,
    },
}

impl PipelineError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            PipelineError::Panicked { .. } => "PIPELINE_INTERNAL_ERROR",
        }
    }

    /// The broad kind of this error.
    pub fn kind(&self) -> crate::ErrorKind {
        crate::ErrorKind::Internal
    }
}

impl Pipeline {
    /// Registers every document of `documents` on `registration_date`, on
    /// `options.threads` threads, and returns exactly one outcome per document, in order:
    /// outcome `i` is document `i`'s. A document that cannot be read is its own outcome's
    /// error; a document that panics the library is caught and becomes
    /// [`PipelineError::Panicked`] for that document alone.
    pub fn register_many<D: AsRef<[u8]> + Sync>(
        &self,
        documents: &[D],
        registration_date: NaiveDate,
        options: &BatchOptions,
    ) -> Vec<BatchOutcome> {
        each_guarded(documents, options.threads, |document| {
            let mut events = Vec::new();
            let result = self
                .register(document.as_ref(), registration_date, &mut events)
                .and_then(|registration| {
                    let certificate = if options.certificates {
                        Some(crate::certificate::render(&registration)?)
                    } else {
                        None
                    };
                    Ok((registration, certificate))
                });
            match result {
                Ok((registration, certificate)) => BatchOutcome {
                    result: Ok(registration),
                    events,
                    certificate,
                },
                Err(e) => BatchOutcome {
                    result: Err(e),
                    events,
                    certificate: None,
                },
            }
        })
        .into_iter()
        .map(|outcome| {
            outcome.unwrap_or_else(|e| BatchOutcome {
                result: Err(e.into()),
                events: Vec::new(),
                certificate: None,
            })
        })
        .collect()
    }
}

/// Runs `work` on every item, split in order over `threads` threads (0: one per core), and
/// returns one result per item in the items' order; a panic in `work` is caught and becomes
/// that item's [`PipelineError::Panicked`].
pub(crate) fn each_guarded<D: Sync, T: Send>(
    items: &[D],
    threads: usize,
    work: impl Fn(&D) -> T + Sync,
) -> Vec<Result<T, PipelineError>> {
    let threads = match threads {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    }
    .clamp(1, items.len().max(1));
    let chunk = items.len().div_ceil(threads).max(1);
    let guarded = |index: usize, item: &D| {
        catch_unwind(AssertUnwindSafe(|| work(item))).map_err(|panic| PipelineError::Panicked {
            index,
            message: panic_message(panic.as_ref()),
        })
    };
    let run = |offset: usize, part: &[D]| -> Vec<Result<T, PipelineError>> {
        part.iter()
            .enumerate()
            .map(|(i, item)| guarded(offset + i, item))
            .collect()
    };
    if threads == 1 {
        return run(0, items);
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .enumerate()
            .map(|(c, part)| {
                let run = &run;
                (c * chunk, part.len(), s.spawn(move || run(c * chunk, part)))
            })
            .collect();
        let mut results = Vec::with_capacity(items.len());
        for (offset, len, handle) in handles {
            match handle.join() {
                Ok(done) => results.extend(done),
                // Each item is already guarded; should a thread still die, each of its
                // items gets an error, so results never shift.
                Err(panic) => {
                    let message = panic_message(panic.as_ref());
                    results.extend((0..len).map(|i| {
                        Err(PipelineError::Panicked {
                            index: offset + i,
                            message: message.clone(),
                        })
                    }));
                }
            }
        }
        results
    })
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_has_its_own_result_in_order_even_when_some_panic() {
        let items: Vec<u32> = (0..103).collect();
        for threads in [0, 1, 2, 7, 200] {
            let results = each_guarded(&items, threads, |&n| {
                assert!(n % 10 != 3, "item {n} is cursed");
                n * 2
            });
            assert_eq!(results.len(), items.len());
            for (i, result) in results.iter().enumerate() {
                match result {
                    Ok(doubled) => assert_eq!(*doubled, items[i] * 2),
                    Err(PipelineError::Panicked { index, message }) => {
                        assert_eq!(*index, i);
                        assert_eq!(items[i] % 10, 3);
                        assert!(message.contains("is cursed"), "{message}");
                    }
                }
            }
            assert_eq!(results.iter().filter(|r| r.is_err()).count(), 10);
        }
        assert!(each_guarded(&[] as &[u32], 0, |&n| n).is_empty());
    }
}

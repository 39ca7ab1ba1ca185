//! Many invoices at once, spread over the machine's cores.

use std::num::NonZeroUsize;

use super::CommissionError;
use super::compute::calculate;
use super::input::{CommissionInvoice, Options};
use super::result::Commission;
use crate::rules::RuleBook;

/// Below this many invoices one thread is faster than starting more.
const PARALLEL_FROM: usize = 256;

/// Computes every invoice's commission, in order. Invoices are spread over the available
/// cores when there are enough of them; one invoice's error does not stop the others.
pub fn calculate_batch(
    book: &RuleBook,
    invoices: &[CommissionInvoice],
    options: &Options<'_>,
) -> Vec<Result<Commission, CommissionError>> {
    let threads = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    if threads < 2 || invoices.len() < PARALLEL_FROM {
        return invoices
            .iter()
            .map(|i| calculate(book, i, options))
            .collect();
    }
    let chunk = invoices.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = invoices
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|i| calculate(book, i, options))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(results) => results,
                // A calculation does not panic; should one, re-raise it on this thread.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

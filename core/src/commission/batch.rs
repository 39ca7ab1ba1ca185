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
    // Each thread writes its results in place: no second copy, no re-allocation.
    let mut results: Vec<Option<Result<Commission, CommissionError>>> =
        std::iter::repeat_with(|| None)
            .take(invoices.len())
            .collect();
    std::thread::scope(|scope| {
        for (part, out) in invoices.chunks(chunk).zip(results.chunks_mut(chunk)) {
            scope.spawn(move || {
                for (invoice, slot) in part.iter().zip(out) {
                    *slot = Some(calculate(book, invoice, options));
                }
            });
        }
    });
    results.into_iter().flatten().collect()
}

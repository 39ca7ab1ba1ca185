//! `RuleBook` and `Commission`.

use std::path::PathBuf;

use bmc_core::commission::{self, CommissionInvoice, CommissionLine, Options};
use bmc_core::rules::{RuleBook as CoreBook, RuleSet, SharedRuleBook};
use chrono::NaiveDate;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyMapping, PySequence};

use crate::dian::date;
use crate::errors::to_py;
use crate::money;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<RuleBook>()?;
    m.add_class::<Commission>()?;
    Ok(())
}

/// All versions of a rule set; computes commissions with the version in force.
#[derive(Debug)]
#[pyclass(frozen, module = "bmc_core")]
pub struct RuleBook {
    book: SharedRuleBook,
}

#[pymethods]
impl RuleBook {
    /// Load a rule set folder (one sub-folder per version, named YYYY-MM-DD).
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<RuleBook> {
        let book = py
            .detach(|| CoreBook::load(&path))
            .map_err(|e| to_py(py, e))?;
        Ok(RuleBook {
            book: SharedRuleBook::new(book),
        })
    }

    /// The rule set built into the library (rules/registro-facturas).
    #[staticmethod]
    fn embedded(py: Python<'_>) -> PyResult<RuleBook> {
        let book = CoreBook::embedded().map_err(|e| to_py(py, e))?;
        Ok(RuleBook {
            book: SharedRuleBook::new(book),
        })
    }

    /// Load the rule set folder again and swap it in atomically; calculations already running
    /// finish with the previous rules. On error the current rules stay. Returns the folder.
    fn reload(&self, py: Python<'_>) -> PyResult<PathBuf> {
        py.detach(|| self.book.reload()).map_err(|e| to_py(py, e))
    }

    /// Every version, oldest first, as dicts (id, valid_from, hash, description).
    fn versions<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.book
            .get()
            .versions()
            .iter()
            .map(|v| version_dict(py, v))
            .collect()
    }

    /// The version in force on `date` (a datetime.date or YYYY-MM-DD).
    fn in_force<'py>(
        &self,
        py: Python<'py>,
        date: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let date = crate::dian::date(date, "date")?;
        let book = self.book.get();
        let v = book.in_force(date).map_err(|e| to_py(py, e))?;
        version_dict(py, v)
    }

    /// The version in force today (Colombia time).
    fn current<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let book = self.book.get();
        let v = book.current().map_err(|e| to_py(py, e))?;
        version_dict(py, v)
    }

    /// Compute the commission of one invoice.
    ///
    /// `invoice` is a mapping: {"issue_date": date or "YYYY-MM-DD", "lines": [{"tariff_code":
    /// "0901119000", "base": Decimal("1250000.00"), "product_code": ..., "id": ...}]}. Bases
    /// are decimal.Decimal (or int). `as_of` picks the version in force on that date instead
    /// of the issue date; `trace` records every step; `catalog` classifies lines that give a
    /// product_code instead of a tariff_code.
    #[pyo3(signature = (invoice, as_of = None, trace = false, catalog = None))]
    fn calculate(
        &self,
        py: Python<'_>,
        invoice: &Bound<'_, PyAny>,
        as_of: Option<&Bound<'_, PyAny>>,
        trace: bool,
        catalog: Option<&crate::catalog::Catalog>,
    ) -> PyResult<Commission> {
        let invoice = invoice_from_py(invoice)?;
        let as_of = as_of.map(|d| date(d, "as_of")).transpose()?;
        let catalog = catalog.map(crate::catalog::Catalog::current);
        let options = Options {
            as_of,
            trace,
            classifier: catalog
                .as_deref()
                .map(|c| c as &dyn commission::ProductClassifier),
        };
        commission::calculate(&self.book.get(), &invoice, &options)
            .map(|inner| Commission { inner })
            .map_err(|e| to_py(py, e))
    }

    /// Compute many invoices at once, in order, without holding the GIL. An invoice that
    /// fails raises (the first failure, naming its position).
    #[pyo3(signature = (invoices, as_of = None, trace = false, catalog = None))]
    fn calculate_batch(
        &self,
        py: Python<'_>,
        invoices: &Bound<'_, PyAny>,
        as_of: Option<&Bound<'_, PyAny>>,
        trace: bool,
        catalog: Option<&crate::catalog::Catalog>,
    ) -> PyResult<Vec<Commission>> {
        let seq = invoices.cast::<PySequence>()?;
        let mut parsed = Vec::with_capacity(seq.len()?);
        for (i, item) in seq.try_iter()?.enumerate() {
            parsed.push(invoice_from_py(&item?).map_err(|e| crate::errors::at_index(py, e, i))?);
        }
        let as_of = as_of.map(|d| date(d, "as_of")).transpose()?;
        let catalog = catalog.map(crate::catalog::Catalog::current);
        let results = py.detach(|| {
            let options = Options {
                as_of,
                trace,
                classifier: catalog
                    .as_deref()
                    .map(|c| c as &dyn commission::ProductClassifier),
            };
            commission::calculate_batch(&self.book.get(), &parsed, &options)
        });
        results
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                r.map(|inner| Commission { inner })
                    .map_err(|e| crate::errors::at_index(py, to_py(py, e), i))
            })
            .collect()
    }

    fn __repr__(&self) -> String {
        let versions: Vec<String> = self
            .book
            .get()
            .versions()
            .iter()
            .map(|v| v.label().to_owned())
            .collect();
        format!("RuleBook([{}])", versions.join(", "))
    }
}

fn version_dict<'py>(py: Python<'py>, v: &RuleSet) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", v.id())?;
    d.set_item("valid_from", v.valid_from())?;
    d.set_item("hash", v.hash())?;
    d.set_item("description", v.description())?;
    Ok(d)
}

fn invoice_from_py(invoice: &Bound<'_, PyAny>) -> PyResult<CommissionInvoice> {
    let map = invoice
        .cast::<PyMapping>()
        .map_err(|_| PyTypeError::new_err("invoice must be a mapping with issue_date and lines"))?;
    let field = |key: &str| {
        map.get_item(key).map_err(|_| {
            crate::errors::invalid_input(
                "INVALID_ARGUMENT",
                format!("the invoice has no {key:?}; it needs issue_date and lines"),
            )
        })
    };
    let issue_date: NaiveDate = date(&field("issue_date")?, "issue_date")?;
    let lines_obj = field("lines")?;
    let lines_seq = lines_obj
        .cast::<PySequence>()
        .map_err(|_| PyTypeError::new_err("invoice['lines'] must be a list of mappings"))?;
    let mut lines = Vec::with_capacity(lines_seq.len()?);
    for (i, item) in lines_seq.try_iter()?.enumerate() {
        let item = item?;
        let line = item.cast::<PyMapping>().map_err(|_| {
            PyTypeError::new_err(format!("invoice['lines'][{i}] must be a mapping"))
        })?;
        let text = |key: &str| -> PyResult<Option<String>> {
            if !line.contains(key)? {
                return Ok(None);
            }
            let value = line.get_item(key)?;
            if value.is_none() {
                return Ok(None);
            }
            value.extract::<String>().map(Some).map_err(|_| {
                PyTypeError::new_err(format!("invoice['lines'][{i}]['{key}'] must be a str"))
            })
        };
        let base = money::extract(
            &line.get_item("base").map_err(|_| {
                crate::errors::invalid_input(
                    "INVALID_ARGUMENT",
                    format!("invoice['lines'][{i}] has no 'base'"),
                )
            })?,
            &format!("invoice['lines'][{i}]['base']"),
        )?;
        let tariff = text("tariff_code")?;
        lines.push(
            CommissionLine::from_parts(
                i + 1,
                text("id")?,
                tariff.as_deref(),
                text("product_code")?,
                base,
            )
            .map_err(|e| to_py(invoice.py(), e))?,
        );
    }
    Ok(CommissionInvoice { issue_date, lines })
}

/// The commission on one invoice. Amounts are decimal.Decimal with their scale.
#[derive(Debug)]
#[pyclass(frozen, module = "bmc_core")]
pub struct Commission {
    inner: commission::Commission,
}

#[pymethods]
impl Commission {
    /// Whether the invoice has at least one eligible line.
    #[getter]
    fn eligible(&self) -> bool {
        self.inner.eligible
    }

    /// Why the invoice is not eligible (Spanish), or None.
    #[getter]
    fn reason(&self) -> Option<&str> {
        self.inner.reason.as_deref()
    }

    /// The fee charged.
    #[getter]
    fn fee(&self) -> rust_decimal::Decimal {
        self.inner.fee
    }

    /// IVA on the fee.
    #[getter]
    fn iva(&self) -> rust_decimal::Decimal {
        self.inner.iva
    }

    /// fee + iva.
    #[getter]
    fn total(&self) -> rust_decimal::Decimal {
        self.inner.total
    }

    /// The group fees' sum at full precision.
    #[getter]
    fn fee_unrounded(&self) -> rust_decimal::Decimal {
        self.inner.fee_unrounded
    }

    /// The rounded sum before the limits.
    #[getter]
    fn fee_rounded(&self) -> rust_decimal::Decimal {
        self.inner.fee_rounded
    }

    /// "none", "minimum" or "maximum".
    #[getter]
    fn limit(&self) -> &'static str {
        self.inner.limit.name()
    }

    /// {"id", "version", "hash"} of the rule set version used.
    #[getter]
    fn rule_set<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("id", &*self.inner.rule_set.id)?;
        d.set_item("version", &*self.inner.rule_set.version)?;
        d.set_item("hash", &*self.inner.rule_set.hash)?;
        Ok(d)
    }

    /// Each group: group, label, rate_percent, base, fee, slices (Decimals).
    #[getter]
    fn groups<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for g in &self.inner.groups {
            let d = PyDict::new(py);
            d.set_item("group", &*g.group)?;
            d.set_item("label", &*g.label)?;
            d.set_item("rate_percent", g.rate_percent)?;
            d.set_item("base", g.base)?;
            d.set_item("fee", g.fee)?;
            let slices = PyList::empty(py);
            for s in &g.slices {
                let sd = PyDict::new(py);
                sd.set_item("tier", s.tier)?;
                sd.set_item("from", s.from)?;
                sd.set_item("to", s.to)?;
                sd.set_item("amount", s.amount)?;
                sd.set_item("factor", s.factor)?;
                sd.set_item("fee", s.fee)?;
                slices.append(sd)?;
            }
            d.set_item("slices", slices)?;
            list.append(d)?;
        }
        Ok(list)
    }

    /// Each line: line, id, tariff_code, base, eligible, group, reason.
    #[getter]
    fn lines<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for l in &self.inner.lines {
            let d = PyDict::new(py);
            d.set_item("line", l.line)?;
            d.set_item("id", l.id.as_deref())?;
            d.set_item("tariff_code", l.tariff_code.map(|c| c.as_str().to_owned()))?;
            d.set_item("base", l.base)?;
            d.set_item("eligible", l.eligible)?;
            d.set_item("group", l.group.as_deref())?;
            d.set_item("reason", l.reason.as_deref())?;
            list.append(d)?;
        }
        Ok(list)
    }

    /// Every step (key, label, value) when computed with trace=True; empty otherwise.
    #[getter]
    fn trace<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for s in &self.inner.trace {
            let d = PyDict::new(py);
            d.set_item("key", &s.key)?;
            d.set_item("label", &s.label)?;
            d.set_item("value", &s.value)?;
            list.append(d)?;
        }
        Ok(list)
    }

    /// The value of one trace step by key, or None.
    fn trace_value(&self, key: &str) -> Option<String> {
        self.inner.trace_value(key).map(str::to_owned)
    }

    /// The result as JSON (amounts as decimal strings).
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner)
            .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))
    }

    fn __repr__(&self) -> String {
        format!(
            "Commission(eligible={}, fee=Decimal('{}'), iva=Decimal('{}'), total=Decimal('{}'), rule_set='{}@{}')",
            if self.inner.eligible { "True" } else { "False" },
            self.inner.fee,
            self.inner.iva,
            self.inner.total,
            self.inner.rule_set.id,
            self.inner.rule_set.version
        )
    }
}

"""bmc_core: the rules-and-classification engine of the Bolsa Mercantil de Colombia's
invoice registration, for Python.

Modules:

- :mod:`bmc_core.nit` -- NITs and their check digit (same names and results as
  ``stdnum.co.nit``).
- :mod:`bmc_core.ids` -- identity document types and the final-consumer id.
- :mod:`bmc_core.codes` -- product codes by DIAN scheme (020, 001, 010, 999) and HS 2022.
- :mod:`bmc_core.cufe` / :mod:`bmc_core.cude` -- the SHA-384 document codes.
- :class:`bmc_core.Catalog` -- the product catalog index (build, open, get, search, by
  classification) and its :class:`bmc_core.Product`.
- :class:`bmc_core.RuleBook` -- dated rule sets and the exchange's commission
  (:class:`bmc_core.Commission`).
- :mod:`bmc_core.invoice` -- invoices read from UBL XML or OCR output
  (:func:`bmc_core.read_invoice`, :func:`bmc_core.invoice_from_ocr`) and their compliance
  findings (:func:`bmc_core.validate`).
- :class:`bmc_core.Pipeline` -- registration end to end (:class:`bmc_core.Registration`,
  its JSON and its certificate PDF).
- :mod:`bmc_core.errors` -- the exceptions, each with a stable ``.code``.

Money is ``decimal.Decimal`` in and out; a ``float`` or ``str`` where money is expected is
refused with ``TypeError``.
"""

from bmc_core import codes, cude, cufe, errors, ids, invoice, nit
from bmc_core._native import Catalog, Commission, Pipeline, Product, Registration, RuleBook, __version__
from bmc_core.invoice import Finding, Invoice, invoice_from_ocr, is_registrable, read_invoice, validate

__all__ = [
    "Catalog",
    "Commission",
    "Finding",
    "Invoice",
    "Pipeline",
    "Registration",
    "invoice",
    "invoice_from_ocr",
    "is_registrable",
    "read_invoice",
    "validate",
    "Product",
    "RuleBook",
    "__version__",
    "codes",
    "cude",
    "cufe",
    "errors",
    "ids",
    "nit",
]

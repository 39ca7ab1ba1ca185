"""Invoices: read them exactly from DIAN UBL XML, or from OCR output with a confidence per
field, and validate them for registration.

>>> import bmc_core
>>> bmc_core.invoice_from_ocr(TSV, "tesseract-tsv").number  # doctest: +SKIP
'SETP990000002'

Every amount is a :class:`decimal.Decimal` with the scale it was written with; dates are
:class:`datetime.date`. An :class:`Invoice` converts to and from the JSON the Rust core and
the Node package use (:meth:`Invoice.to_json`, :meth:`Invoice.from_json`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Optional

from bmc_core import _native, errors

__all__ = [
    "Corrected",
    "ExchangeRate",
    "FieldConfidence",
    "Finding",
    "Invoice",
    "InvoiceLine",
    "ItemCode",
    "MonetaryTotals",
    "Party",
    "Source",
    "TaxSubtotal",
    "TaxTotal",
    "correct",
    "invoice_from_ocr",
    "is_registrable",
    "read_invoice",
    "validate",
]


def _dec(value: Optional[str]) -> Optional[Decimal]:
    return None if value is None else Decimal(value)


def _date(value: Optional[str]) -> Optional[date]:
    return None if value is None else date.fromisoformat(value)


def _money(value: Any, name: str) -> str:
    """A money amount for JSON: Decimal (or int) only, never a float or str."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{name} must be decimal.Decimal (or int), not {type(value).__name__}: {value!r}")
    return str(value)


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


@dataclass(frozen=True)
class Party:
    """A seller or buyer: id type (``"31"`` NIT, ``"13"`` cédula...), id without check
    digit, check digit as written, registered name."""

    id_type: str
    id: str
    check_digit: Optional[str]
    name: str

    @classmethod
    def _from(cls, d: dict[str, Any]) -> Party:
        return cls(d["id_type"], d["id"], d.get("check_digit"), d["name"])

    def _to(self) -> dict[str, Any]:
        return _drop_none(
            {"id_type": self.id_type, "id": self.id, "check_digit": self.check_digit, "name": self.name}
        )


@dataclass(frozen=True)
class ItemCode:
    """A line's standard item code: scheme (``"020"``, ``"001"``, ``"010"``, ``"999"``) and
    code as written."""

    scheme: str
    code: str


@dataclass(frozen=True)
class TaxSubtotal:
    """One tax at one rate: tax code (``"01"`` IVA, ``"04"`` INC, ``"03"`` ICA), taxable
    amount, tax amount, rate in percent (or ``None``)."""

    tax: str
    taxable: Decimal
    amount: Decimal
    percent: Optional[Decimal]

    @classmethod
    def _from(cls, d: dict[str, Any]) -> TaxSubtotal:
        return cls(d["tax"], Decimal(d["taxable"]), Decimal(d["amount"]), _dec(d.get("percent")))

    def _to(self) -> dict[str, Any]:
        return _drop_none(
            {
                "tax": self.tax,
                "taxable": _money(self.taxable, "taxable"),
                "amount": _money(self.amount, "amount"),
                "percent": None if self.percent is None else _money(self.percent, "percent"),
            }
        )


@dataclass(frozen=True)
class TaxTotal:
    """The document total of one tax and its subtotals by rate."""

    tax: str
    amount: Decimal
    subtotals: tuple[TaxSubtotal, ...]


@dataclass(frozen=True)
class InvoiceLine:
    """One line: base is the amount before taxes (``cbc:LineExtensionAmount``)."""

    id: str
    description: str
    quantity: Decimal
    unit: Optional[str]
    unit_price: Decimal
    base: Decimal
    taxes: tuple[TaxSubtotal, ...] = ()
    item_code: Optional[ItemCode] = None
    seller_code: Optional[str] = None

    @classmethod
    def _from(cls, d: dict[str, Any]) -> InvoiceLine:
        code = d.get("item_code")
        return cls(
            d["id"],
            d["description"],
            Decimal(d["quantity"]),
            d.get("unit"),
            Decimal(d["unit_price"]),
            Decimal(d["base"]),
            tuple(TaxSubtotal._from(t) for t in d.get("taxes", [])),
            None if code is None else ItemCode(code["scheme"], code["code"]),
            d.get("seller_code"),
        )

    def _to(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "description": self.description,
            "quantity": _money(self.quantity, "quantity"),
            "unit": self.unit,
            "unit_price": _money(self.unit_price, "unit_price"),
            "base": _money(self.base, "base"),
            "seller_code": self.seller_code,
        }
        if self.taxes:
            out["taxes"] = [t._to() for t in self.taxes]
        if self.item_code is not None:
            out["item_code"] = {"scheme": self.item_code.scheme, "code": self.item_code.code}
        return _drop_none(out)


@dataclass(frozen=True)
class ExchangeRate:
    """``cac:PaymentExchangeRate``: pesos per unit of the document's currency (``rate``, the
    TRM of ``date``), from ``source_currency`` to ``target_currency`` (COP)."""

    source_currency: str
    target_currency: str
    rate: Decimal
    date: Optional[date] = None

    @classmethod
    def _from(cls, d: dict[str, Any]) -> ExchangeRate:
        return cls(d["source_currency"], d["target_currency"], Decimal(d["rate"]), _date(d.get("date")))

    def _to(self) -> dict[str, Any]:
        return _drop_none(
            {
                "source_currency": self.source_currency,
                "target_currency": self.target_currency,
                "rate": _money(self.rate, "rate"),
                "date": None if self.date is None else self.date.isoformat(),
            }
        )


@dataclass(frozen=True)
class MonetaryTotals:
    """``cac:LegalMonetaryTotal``: subtotal (``line_extension``), tax-exclusive and
    tax-inclusive amounts, allowances, charges, prepaid, and the amount payable."""

    line_extension: Decimal
    tax_exclusive: Decimal
    tax_inclusive: Decimal
    allowance_total: Optional[Decimal]
    charge_total: Optional[Decimal]
    prepaid: Optional[Decimal]
    payable: Decimal

    _NAMES = ("line_extension", "tax_exclusive", "tax_inclusive", "allowance_total", "charge_total", "prepaid", "payable")

    @classmethod
    def _from(cls, d: dict[str, Any]) -> MonetaryTotals:
        return cls(*(_dec(d.get(n)) for n in cls._NAMES))  # type: ignore[arg-type]

    def _to(self) -> dict[str, Any]:
        return _drop_none(
            {n: None if getattr(self, n) is None else _money(getattr(self, n), n) for n in self._NAMES}
        )


@dataclass(frozen=True)
class FieldConfidence:
    """How sure the OCR reader is of one field: the engine's confidence (0-100), the
    confidence after cross-checks, and the checks (``"!name"`` when one failed)."""

    engine: float
    confidence: float
    checks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    """What the invoice was read from (``"ubl"``, ``"attached_document"``, ``"pdf_text"``,
    ``"tesseract"``, ``"textract"``, ``"textract_expense"``) and, for OCR, the confidence of
    each field, the engine's threshold and the fields the reader marked doubtful."""

    kind: str
    confidence: dict[str, FieldConfidence] = field(default_factory=dict)
    threshold: Optional[float] = None
    doubtful: tuple[str, ...] = ()

    def doubtful_fields(self) -> list[str]:
        """The fields below the threshold or failing a cross-check (as the reader marked
        them)."""
        return list(self.doubtful)


@dataclass(frozen=True)
class Invoice:
    """An invoice, credit note or debit note (``kind``), with its fields by DIAN's meaning."""

    kind: str
    type_code: str
    number: str
    issue_date: date
    currency: str
    seller: Party
    buyer: Party
    lines: tuple[InvoiceLine, ...]
    totals: MonetaryTotals
    source: Source
    operation_type: Optional[str] = None
    environment: Optional[str] = None
    prefix: Optional[str] = None
    issue_time: Optional[str] = None
    due_date: Optional[date] = None
    cufe: Optional[str] = None
    tax_totals: tuple[TaxTotal, ...] = ()
    billing_reference: Optional[str] = None
    exchange_rate: Optional[ExchangeRate] = None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Invoice:
        """Builds an invoice from its JSON object (amounts as strings). A missing or wrong
        field raises :class:`bmc_core.errors.InvalidInput` with code ``INVOICE_INVALID_JSON``,
        naming it."""
        try:
            return cls._from_dict(d)
        except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as e:
            what = f"missing field {e}" if isinstance(e, KeyError) else str(e)
            err = errors.InvalidInput(f"the invoice's JSON is not an invoice: {what}")
            err.code = "INVOICE_INVALID_JSON"  # type: ignore[attr-defined]
            raise err from e

    @classmethod
    def _from_dict(cls, d: dict[str, Any]) -> Invoice:
        source = d["source"]
        return cls(
            kind=d["kind"],
            type_code=d["type_code"],
            number=d["number"],
            issue_date=date.fromisoformat(d["issue_date"]),
            currency=d["currency"],
            seller=Party._from(d["seller"]),
            buyer=Party._from(d["buyer"]),
            lines=tuple(InvoiceLine._from(line) for line in d["lines"]),
            totals=MonetaryTotals._from(d["totals"]),
            source=Source(
                source["kind"],
                {
                    k: FieldConfidence(v["engine"], v["confidence"], tuple(v.get("checks", ())))
                    for k, v in source.get("confidence", {}).items()
                },
                source.get("threshold"),
                tuple(source.get("doubtful", ())),
            ),
            operation_type=d.get("operation_type"),
            environment=d.get("environment"),
            prefix=d.get("prefix"),
            issue_time=d.get("issue_time"),
            due_date=_date(d.get("due_date")),
            cufe=d.get("cufe"),
            tax_totals=tuple(
                TaxTotal(t["tax"], Decimal(t["amount"]), tuple(TaxSubtotal._from(s) for s in t["subtotals"]))
                for t in d.get("tax_totals", [])
            ),
            billing_reference=d.get("billing_reference"),
            exchange_rate=None if d.get("exchange_rate") is None else ExchangeRate._from(d["exchange_rate"]),
        )

    @classmethod
    def from_json(cls, text: str) -> Invoice:
        """Parses the JSON form (errors as :meth:`from_dict`)."""
        try:
            parsed = json.loads(text)
        except ValueError as e:
            err = errors.InvalidInput(f"the invoice's JSON does not parse: {e}")
            err.code = "INVOICE_INVALID_JSON"  # type: ignore[attr-defined]
            raise err from e
        return cls.from_dict(parsed)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object form: amounts as decimal strings, dates ISO 8601."""
        source: dict[str, Any] = {"kind": self.source.kind}
        if self.source.confidence:
            source["confidence"] = {
                k: _drop_none({"engine": c.engine, "confidence": c.confidence, "checks": list(c.checks) or None})
                for k, c in self.source.confidence.items()
            }
        if self.source.threshold is not None:
            source["threshold"] = self.source.threshold
        out: dict[str, Any] = {
            "kind": self.kind,
            "type_code": self.type_code,
            "operation_type": self.operation_type,
            "environment": self.environment,
            "number": self.number,
            "prefix": self.prefix,
            "issue_date": self.issue_date.isoformat(),
            "issue_time": self.issue_time,
            "due_date": None if self.due_date is None else self.due_date.isoformat(),
            "cufe": self.cufe,
            "currency": self.currency,
            "exchange_rate": None if self.exchange_rate is None else self.exchange_rate._to(),
            "seller": self.seller._to(),
            "buyer": self.buyer._to(),
            "lines": [line._to() for line in self.lines],
            "totals": self.totals._to(),
            "billing_reference": self.billing_reference,
            "source": source,
        }
        if self.tax_totals:
            out["tax_totals"] = [
                {"tax": t.tax, "amount": _money(t.amount, "amount"), "subtotals": [s._to() for s in t.subtotals]}
                for t in self.tax_totals
            ]
        return _drop_none(out)

    def to_json(self) -> str:
        """The JSON form, as the Rust core and the Node package read it."""
        return json.dumps(self.to_dict(), ensure_ascii=False)

    def field_text(self, path: str) -> Optional[str]:
        """The value of the field at ``path`` (``"cufe"``, ``"lines[2].base"``, ...) as a
        correction writes it, or None when the invoice has no such field."""
        return _native.invoice_field_text(self.to_json(), path)


@dataclass(frozen=True)
class Finding:
    """A compliance finding: stable ``code``, ``severity`` (``"error"``, ``"warning"``,
    ``"info"``), the field ``path``, and the message in Spanish and English."""

    code: str
    severity: str
    path: str
    message_es: str
    message_en: str


@dataclass(frozen=True)
class Corrected:
    """A reviewer's correction as applied: the field's ``path`` and its value ``before`` and
    ``after`` (equal when the value was confirmed as read)."""

    path: str
    before: str
    after: str

    @property
    def confirmed(self) -> bool:
        """Whether the value was confirmed as read rather than changed."""
        return self.before == self.after


def correct(invoice: Invoice, corrections: Any) -> tuple[Invoice, list[Corrected]]:
    """Applies a reviewer's corrections of fields read from a page, all or none:
    ``corrections`` maps each field's path to its value as text (a dict, or ``(path, value)``
    pairs; dates ``YYYY-MM-DD``, amounts with a full stop and no thousands separators).
    Returns the corrected invoice (the amounts that follow worked out again, the fields marked
    ``operator`` and no longer doubtful) and each correction as applied. A path that cannot be
    corrected or a value not of the field's type raises
    :class:`bmc_core.errors.InvalidInput` with code ``INVOICE_CORRECTION_INVALID``."""
    pairs = list(corrections.items()) if isinstance(corrections, dict) else [tuple(p) for p in corrections]
    for i, pair in enumerate(pairs):
        if len(pair) != 2 or not all(isinstance(x, str) for x in pair):
            raise TypeError(f"corrections[{i}]: expected a (path, value) pair of strings, got {pair!r}")
    text, done = _native.correct_invoice_json(invoice.to_json(), pairs)
    return Invoice.from_json(text), [Corrected(**c) for c in json.loads(done)]


def read_invoice(data: bytes, *, technical_key: Optional[str] = None, threshold: Optional[float] = None) -> Invoice:
    """Reads an invoice from UBL XML (``Invoice``, ``CreditNote``, ``DebitNote``,
    ``AttachedDocument``), Tesseract TSV or hOCR, or a Textract JSON response, recognised by
    content. PDFs and images are refused (:class:`bmc_core.errors.InvalidFormat`, code
    ``INVOICE_UNRECOGNIZED_FORMAT``): extract their text (``pdftotext -tsv``) or OCR them
    first. Hostile XML is refused with code ``INVOICE_XML_REFUSED``."""
    return Invoice.from_json(_native.read_invoice_json(bytes(data), technical_key=technical_key, threshold=threshold))


def invoice_from_ocr(
    text: str,
    format: str,
    *,
    qr: Optional[str] = None,
    technical_key: Optional[str] = None,
    threshold: Optional[float] = None,
) -> Invoice:
    """Reads an invoice from OCR output: ``format`` is ``"tesseract-tsv"``,
    ``"pdftotext-tsv"``, ``"hocr"`` or ``"textract"``. ``qr`` is the text of the page's DIAN
    QR code when it was decoded; ``technical_key`` lets the CUFE confirm the fields;
    ``threshold`` overrides the engine's default."""
    return Invoice.from_json(
        _native.invoice_from_ocr_json(text, format, qr=qr, technical_key=technical_key, threshold=threshold)
    )


def validate(
    invoice: Invoice,
    *,
    registration_date: date,
    max_age_days: Optional[int] = None,
    technical_key: Optional[str] = None,
    software_pin: Optional[str] = None,
    technical_keys: Optional[str] = None,
    environment: Optional[str] = None,
    catalog: Optional[_native.Catalog] = None,
) -> list[Finding]:
    """Everything DIAN and the exchange check before registering ``invoice``, most severe
    first. ``max_age_days`` defaults to the core's (180); ``environment`` is the DIAN
    environment registered for, ``"production"`` (the default: test documents are refused)
    or ``"test"``; ``technical_keys`` is the path of the numbering ranges' keys table
    (``nit,prefix,technical_key,software_pin``), ``technical_key`` one key for the invoice."""
    found = _native.validate_json(
        invoice.to_json(),
        registration_date,
        max_age_days=max_age_days,
        technical_key=technical_key,
        software_pin=software_pin,
        technical_keys=technical_keys,
        environment=environment,
        catalog=catalog,
    )
    return [Finding(**f) for f in json.loads(found)]


def is_registrable(findings: list[Finding]) -> bool:
    """True when no finding is an error (the core's rule)."""
    return _native.is_registrable_severities([f.severity for f in findings])

"""Type stubs of the extension module. Use the public modules instead of importing this."""

import datetime
import os
import pathlib
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal, final

__version__: str

__all__ = [
    "__version__",
    "BmcError",
    "InvalidLength",
    "InvalidFormat",
    "InvalidChecksum",
    "InvalidComponent",
    "Mismatch",
    "FileError",
    "RuleError",
    "NotFound",
    "InvalidInput",
    "IndexError",
    "InternalError",
    "ERROR_CODES",
    "nit_compact",
    "nit_calc_check_digit",
    "nit_validate",
    "nit_is_valid",
    "nit_format",
    "id_types",
    "id_type_name",
    "is_final_consumer",
    "FINAL_CONSUMER_ID",
    "code_validate",
    "code_format",
    "code_is_valid",
    "gs1_check_digit",
    "hs_lookup",
    "tariff_describe",
    "cufe_preimage",
    "cufe_compute",
    "cufe_verify",
    "RuleBook",
    "Commission",
    "Catalog",
    "Product",
    "read_invoice_json",
    "invoice_from_ocr_json",
    "validate_json",
    "is_registrable_severities",
    "correct_invoice_json",
    "invoice_field_text",
    "Pipeline",
    "Registration",
]
FINAL_CONSUMER_ID: str

class BmcError(ValueError):
    code: str

class InvalidLength(BmcError): ...
class InvalidFormat(BmcError): ...
class InvalidChecksum(BmcError): ...
class InvalidComponent(BmcError): ...
class Mismatch(BmcError): ...
class FileError(BmcError): ...
class RuleError(BmcError): ...
class NotFound(BmcError): ...
class InvalidInput(BmcError): ...
class IndexError(BmcError): ...
class InternalError(BmcError): ...

ERROR_CODES: list[str]

def nit_compact(number: str) -> str: ...
def nit_calc_check_digit(number: str) -> str: ...
def nit_validate(number: str) -> str: ...
def nit_is_valid(number: str) -> bool: ...
def nit_format(number: str) -> str: ...
def id_types() -> list[tuple[str, str, bool]]: ...
def id_type_name(code: str) -> str: ...
def is_final_consumer(number: str) -> bool: ...
def code_validate(scheme: str, code: str) -> str: ...
def code_format(scheme: str, code: str) -> str: ...
def code_is_valid(scheme: str, code: str) -> bool: ...
def gs1_check_digit(digits: str) -> int: ...
def hs_lookup(code: str) -> dict[str, str] | None: ...
def tariff_describe(code: str) -> dict[str, object]: ...
def cufe_preimage(
    *,
    number: str,
    issue_date: datetime.date | str,
    issue_time: str,
    subtotal: Decimal | int,
    iva: Decimal | int,
    inc: Decimal | int,
    ica: Decimal | int,
    total: Decimal | int,
    seller_nit: str,
    buyer_id: str,
    key: str,
    environment: int | str,
) -> str: ...
def cufe_compute(
    *,
    number: str,
    issue_date: datetime.date | str,
    issue_time: str,
    subtotal: Decimal | int,
    iva: Decimal | int,
    inc: Decimal | int,
    ica: Decimal | int,
    total: Decimal | int,
    seller_nit: str,
    buyer_id: str,
    key: str,
    environment: int | str,
) -> str: ...
def cufe_verify(
    *,
    number: str,
    issue_date: datetime.date | str,
    issue_time: str,
    subtotal: Decimal | int,
    iva: Decimal | int,
    inc: Decimal | int,
    ica: Decimal | int,
    total: Decimal | int,
    seller_nit: str,
    buyer_id: str,
    key: str,
    environment: int | str,
    received: str,
) -> str: ...

def read_invoice_json(
    data: bytes, *, technical_key: str | None = None, threshold: float | None = None
) -> str: ...
def invoice_from_ocr_json(
    text: str,
    format: str,
    *,
    qr: str | None = None,
    technical_key: str | None = None,
    threshold: float | None = None,
) -> str: ...
def validate_json(
    invoice_json: str,
    registration_date: datetime.date,
    *,
    max_age_days: int | None = None,
    technical_key: str | None = None,
    software_pin: str | None = None,
    technical_keys: str | os.PathLike[str] | None = None,
    environment: str | None = None,
    catalog: Catalog | None = None,
) -> str: ...
def is_registrable_severities(severities: Sequence[str]) -> bool: ...
def correct_invoice_json(invoice_json: str, corrections: Sequence[tuple[str, str]]) -> tuple[str, str]: ...
def invoice_field_text(invoice_json: str, path: str) -> str | None: ...

@final
class RuleBook:
    """All versions of a rule set; computes commissions with the version in force."""

    @staticmethod
    def load(path: str | os.PathLike[str]) -> RuleBook: ...
    @staticmethod
    def embedded() -> RuleBook: ...
    def reload(self) -> pathlib.Path: ...
    def versions(self) -> list[dict[str, Any]]: ...
    def in_force(self, date: datetime.date | str) -> dict[str, Any]: ...
    def current(self) -> dict[str, Any]: ...
    def calculate(
        self,
        invoice: Mapping[str, Any],
        as_of: datetime.date | str | None = None,
        trace: bool = False,
        catalog: Catalog | None = None,
    ) -> Commission: ...
    def calculate_batch(
        self,
        invoices: Sequence[Mapping[str, Any]],
        as_of: datetime.date | str | None = None,
        trace: bool = False,
        catalog: Catalog | None = None,
    ) -> list[Commission]: ...

@final
class Commission:
    """The commission on one invoice; amounts are decimal.Decimal."""

    @property
    def eligible(self) -> bool: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def fee(self) -> Decimal: ...
    @property
    def iva(self) -> Decimal: ...
    @property
    def total(self) -> Decimal: ...
    @property
    def fee_unrounded(self) -> Decimal: ...
    @property
    def fee_rounded(self) -> Decimal: ...
    @property
    def limit(self) -> Literal["none", "minimum", "maximum"]: ...
    @property
    def rule_set(self) -> dict[str, str]: ...
    @property
    def groups(self) -> list[dict[str, Any]]: ...
    @property
    def lines(self) -> list[dict[str, Any]]: ...
    @property
    def trace(self) -> list[dict[str, str]]: ...
    def trace_value(self, key: str) -> str | None: ...
    def to_json(self) -> str: ...

@final
class Product:
    """A catalog product; attributes are named as the seed's columns."""

    @property
    def product_id(self) -> int: ...
    @property
    def product_code(self) -> str: ...
    @property
    def product_name(self) -> str: ...
    @property
    def dian_classification(self) -> str: ...
    @property
    def category_id(self) -> int: ...
    @property
    def unit_type(self) -> str: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def created_at(self) -> datetime.datetime | None: ...
    @property
    def updated_at(self) -> datetime.datetime | None: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class Catalog:
    """The product catalog index: memory-mapped, shared safely between threads."""

    @staticmethod
    def build(
        source: str | os.PathLike[str],
        index_dir: str | os.PathLike[str],
        progress: Callable[[dict[str, Any]], object] | None = None,
        skip_invalid: bool = False,
        sort_memory_mib: int = 512,
    ) -> dict[str, Any]: ...
    @staticmethod
    def open(
        index_dir: str | os.PathLike[str], search_threads: int | None = None
    ) -> Catalog: ...
    def apply_delta(
        self, source: str | os.PathLike[str], skip_invalid: bool = False
    ) -> dict[str, Any]: ...
    def compact(self) -> dict[str, Any]: ...
    def reload(self) -> None: ...
    def warm(self) -> int: ...
    def verify(self) -> None: ...
    def __len__(self) -> int: ...
    def get(self, code: str) -> Product | None: ...
    def get_many(self, codes: Sequence[str]) -> list[Product | None]: ...
    def prefix(self, prefix: str, limit: int = 20) -> list[Product]: ...
    def by_classification(
        self, prefix: str, active_only: bool = False, offset: int = 0, limit: int = 20
    ) -> dict[str, Any]: ...
    def search(
        self,
        text: str,
        limit: int = 10,
        active_only: bool = False,
        category_id: int | None = None,
        classification_prefix: str | None = None,
    ) -> list[dict[str, Any]]: ...
    def stats(self) -> dict[str, Any]: ...

@final
class Pipeline:
    """A catalog index and a rule book, ready to register invoices."""

    def __new__(
        cls,
        index_dir: str | os.PathLike[str],
        rules: str | os.PathLike[str] | None = None,
        *,
        technical_key: str | None = None,
        software_pin: str | None = None,
        technical_keys: str | os.PathLike[str] | None = None,
        environment: str | None = None,
        max_age_days: int | None = None,
        match_threshold: float | None = None,
        trace: bool = True,
    ) -> Pipeline: ...
    def register(
        self,
        document: bytes,
        registration_date: datetime.date,
        events: Callable[[dict[str, str]], object] | None = None,
    ) -> Registration: ...
    def register_many(
        self,
        documents: Sequence[bytes],
        registration_date: datetime.date,
        *,
        threads: int = 0,
        events: Callable[[dict[str, str | int]], object] | None = None,
    ) -> list[Registration | BmcError]: ...

@final
class Registration:
    """The outcome of registering an invoice."""

    @property
    def registration_id(self) -> str: ...
    @property
    def verification_code(self) -> str: ...
    @property
    def registrable(self) -> bool: ...
    @property
    def registration_date(self) -> datetime.date: ...
    def to_json(self) -> str: ...
    def certificate(self) -> bytes: ...

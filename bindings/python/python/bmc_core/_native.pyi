"""Type stubs of the extension module. Use the public modules instead of importing this."""

import datetime
from decimal import Decimal

__version__: str
FINAL_CONSUMER_ID: str

class BmcError(ValueError):
    code: str

class InvalidLength(BmcError): ...
class InvalidFormat(BmcError): ...
class InvalidChecksum(BmcError): ...
class InvalidComponent(BmcError): ...
class Mismatch(BmcError): ...

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

"""CUDE: the SHA-384 code of a credit or debit note (DIAN's Anexo Técnico).

Amounts are ``decimal.Decimal`` (or ``int``) with at most two decimals; they are written with
exactly two. ``issue_date`` is a ``datetime.date`` or ``"YYYY-MM-DD"``; ``issue_time`` is
``"HH:MM:SS-05:00"``; ``environment`` is 1 (production) or 2 (test).

The formula is the CUFE's, with the software PIN in place of the technical key.
"""

import datetime
from decimal import Decimal

from bmc_core import _native

Amount = Decimal | int
Date = datetime.date | str


def compute(
    *,
    number: str,
    issue_date: Date,
    issue_time: str,
    subtotal: Amount,
    iva: Amount,
    inc: Amount,
    ica: Amount,
    total: Amount,
    seller_nit: str,
    buyer_id: str,
    software_pin: str,
    environment: int | str,
) -> str:
    """The CUDE (96 lowercase hex digits) of an invoice."""
    return _native.cufe_compute(
        number=number, issue_date=issue_date, issue_time=issue_time, subtotal=subtotal,
        iva=iva, inc=inc, ica=ica, total=total, seller_nit=seller_nit, buyer_id=buyer_id,
        key=software_pin, environment=environment,
    )


def preimage(
    *,
    number: str,
    issue_date: Date,
    issue_time: str,
    subtotal: Amount,
    iva: Amount,
    inc: Amount,
    ica: Amount,
    total: Amount,
    seller_nit: str,
    buyer_id: str,
    software_pin: str,
    environment: int | str,
) -> str:
    """The exact text that is hashed into the CUDE."""
    return _native.cufe_preimage(
        number=number, issue_date=issue_date, issue_time=issue_time, subtotal=subtotal,
        iva=iva, inc=inc, ica=ica, total=total, seller_nit=seller_nit, buyer_id=buyer_id,
        key=software_pin, environment=environment,
    )


def verify(
    cude: str,
    *,
    number: str,
    issue_date: Date,
    issue_time: str,
    subtotal: Amount,
    iva: Amount,
    inc: Amount,
    ica: Amount,
    total: Amount,
    seller_nit: str,
    buyer_id: str,
    software_pin: str,
    environment: int | str,
) -> str:
    """Recompute the CUDE and compare it with ``cude``; return it when they match, raise
    :class:`bmc_core.errors.Mismatch` (code ``CUFE_MISMATCH``) when they do not."""
    return _native.cufe_verify(
        number=number, issue_date=issue_date, issue_time=issue_time, subtotal=subtotal,
        iva=iva, inc=inc, ica=ica, total=total, seller_nit=seller_nit, buyer_id=buyer_id,
        key=software_pin, environment=environment, received=cude,
    )


__all__ = ["compute", "preimage", "verify"]

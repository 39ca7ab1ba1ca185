"""CUFE: the SHA-384 code of an electronic invoice (DIAN's Anexo Técnico).

Amounts are ``decimal.Decimal`` (or ``int``) with at most two decimals; they are written with
exactly two. ``issue_date`` is a ``datetime.date`` or ``"YYYY-MM-DD"``; ``issue_time`` is
``"HH:MM:SS-05:00"``; ``environment`` is 1 (production) or 2 (test).

>>> from decimal import Decimal
>>> compute(number='323200000129', issue_date='2019-01-16', issue_time='10:53:10-05:00',
...         subtotal=Decimal('1500000.00'), iva=Decimal('285000.00'), inc=Decimal('0'),
...         ica=Decimal('0'), total=Decimal('1785000.00'), seller_nit='700085371',
...         buyer_id='800199436', technical_key='693ff6f2a553c3646a063436fd4dd9ded0311471',
...         environment=1)[:16]
'8bb918b19ba22a69'
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
    technical_key: str,
    environment: int | str,
) -> str:
    """The CUFE (96 lowercase hex digits) of an invoice."""
    return _native.cufe_compute(
        number=number, issue_date=issue_date, issue_time=issue_time, subtotal=subtotal,
        iva=iva, inc=inc, ica=ica, total=total, seller_nit=seller_nit, buyer_id=buyer_id,
        key=technical_key, environment=environment,
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
    technical_key: str,
    environment: int | str,
) -> str:
    """The exact text that is hashed into the CUFE."""
    return _native.cufe_preimage(
        number=number, issue_date=issue_date, issue_time=issue_time, subtotal=subtotal,
        iva=iva, inc=inc, ica=ica, total=total, seller_nit=seller_nit, buyer_id=buyer_id,
        key=technical_key, environment=environment,
    )


def verify(
    cufe: str,
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
    technical_key: str,
    environment: int | str,
) -> str:
    """Recompute the CUFE and compare it with ``cufe``; return it when they match, raise
    :class:`bmc_core.errors.Mismatch` (code ``CUFE_MISMATCH``) when they do not."""
    return _native.cufe_verify(
        number=number, issue_date=issue_date, issue_time=issue_time, subtotal=subtotal,
        iva=iva, inc=inc, ica=ica, total=total, seller_nit=seller_nit, buyer_id=buyer_id,
        key=technical_key, environment=environment, received=cufe,
    )


__all__ = ["compute", "preimage", "verify"]

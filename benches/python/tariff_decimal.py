"""The example tariff of DOMAIN.md in plain CPython ``decimal``, written independently of
bmc-core's rule sets.

Two uses: it is the oracle that ``make_commission_cases.py`` uses to fill in the expected
values of the rule cases, and the pure-Python baseline of ``bench_commission.py``.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

ONE = Decimal(1)
TIER_1 = Decimal(1_000_000_000)
TIER_2 = Decimal(5_000_000_000)

TARIFFS = {
    datetime.date(2025, 1, 1): {
        "rates": {"pecuario": Decimal("0.10"), "agricola": Decimal("0.08"),
                  "agroindustrial": Decimal("0.12")},
        "coffee": None,
        "minimum": Decimal(50_000),
        "maximum": Decimal(25_000_000),
    },
    datetime.date(2026, 1, 1): {
        "rates": {"pecuario": Decimal("0.11"), "agricola": Decimal("0.08"),
                  "agroindustrial": Decimal("0.13")},
        "coffee": Decimal("0.05"),
        "minimum": Decimal(52_000),
        "maximum": Decimal(26_000_000),
    },
}


class NotInForce(Exception):
    """No tariff is in force on the date."""


def tariff_for(date: datetime.date) -> tuple[datetime.date, dict]:
    versions = [v for v in TARIFFS if v <= date]
    if not versions:
        raise NotInForce(date)
    version = max(versions)
    return version, TARIFFS[version]


def group_of(code: str, tariff: dict) -> tuple[str, Decimal] | None:
    """The group and rate (percent) of a 10-digit subpartida, or None if not eligible."""
    if tariff["coffee"] is not None and code[:4] == "0901":
        return "cafe", tariff["coffee"]
    chapter = int(code[:2])
    if 1 <= chapter <= 5:
        name = "pecuario"
    elif 6 <= chapter <= 14:
        name = "agricola"
    elif 15 <= chapter <= 24:
        name = "agroindustrial"
    else:
        return None
    return name, tariff["rates"][name]


def group_fee(base: Decimal, rate_percent: Decimal) -> Decimal:
    rate = rate_percent / 100
    first = min(base, TIER_1)
    second = min(max(base - TIER_1, 0), TIER_2 - TIER_1)
    third = max(base - TIER_2, 0)
    return first * rate + second * rate * Decimal("0.75") + third * rate * Decimal("0.50")


def commission(issue_date: datetime.date, lines: list[tuple[str, Decimal]]) -> dict:
    """fee, iva, total, eligible, limit and version for an invoice of (subpartida, base)."""
    version, tariff = tariff_for(issue_date)
    bases: dict[str, tuple[Decimal, Decimal]] = {}
    for code, base in lines:
        found = group_of(code, tariff)
        if found is None:
            continue
        name, rate = found
        total_base, _ = bases.get(name, (Decimal(0), rate))
        bases[name] = (total_base + base, rate)
    if not bases:
        return {"eligible": False, "fee": Decimal(0), "iva": Decimal(0), "total": Decimal(0),
                "limit": "none", "version": version, "bases": {}}
    fee_sum = sum((group_fee(b, r) for b, r in bases.values()), Decimal(0))
    fee = fee_sum.quantize(ONE, rounding=ROUND_HALF_UP)
    limit = "none"
    if fee < tariff["minimum"]:
        fee, limit = tariff["minimum"], "minimum"
    elif fee > tariff["maximum"]:
        fee, limit = tariff["maximum"], "maximum"
    iva = (fee * Decimal("0.19")).quantize(ONE, rounding=ROUND_HALF_UP)
    return {"eligible": True, "fee": fee, "iva": iva, "total": fee + iva, "limit": limit,
            "version": version, "bases": {k: b for k, (b, _) in bases.items()},
            "fee_sum": fee_sum}

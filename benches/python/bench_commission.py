"""Commissions per second: bmc-core (Rust criterion numbers are separate) through the Python
wheel, against the same tariff written in plain CPython ``decimal`` (tariff_decimal.py).

    python benches/python/bench_commission.py [--seconds 3]

Prints one table; the README quotes it with the machine it ran on.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import time
from decimal import Decimal

import tariff_decimal

from bmc_core import RuleBook

LINES = [("0901119000", Decimal("1250000.00")), ("0803901200", Decimal("3400000.50")),
         ("1801001900", Decimal("980000.25"))]
DATE = datetime.date(2026, 3, 1)


def rate(fn, seconds: float, per_call: int = 1) -> float:
    fn()  # warm up (the rule script runs once per subpartida)
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(100):
            fn()
        calls += 100
    return calls * per_call / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()

    book = RuleBook.embedded()
    invoice = {"issue_date": DATE, "lines": [{"tariff_code": c, "base": b} for c, b in LINES]}
    batch = [invoice] * 1000
    check = book.calculate(invoice)
    oracle = tariff_decimal.commission(DATE, LINES)
    assert (check.fee, check.iva, check.total) == (oracle["fee"], oracle["iva"], oracle["total"])

    rows = [
        ("CPython decimal (tariff_decimal.py)",
         rate(lambda: tariff_decimal.commission(DATE, LINES), args.seconds)),
        ("bmc_core RuleBook.calculate", rate(lambda: book.calculate(invoice), args.seconds)),
        ("bmc_core RuleBook.calculate, trace=True",
         rate(lambda: book.calculate(invoice, trace=True), args.seconds)),
        ("bmc_core RuleBook.calculate_batch (1000)",
         rate(lambda: book.calculate_batch(batch), args.seconds, per_call=1000)),
    ]
    base = rows[0][1]
    print(f"3-line invoice, {platform.python_implementation()} {platform.python_version()}, "
          f"{platform.machine()}")
    print(f"| {'implementation':<42} | {'invoices/s':>12} | {'× CPython':>9} |")
    print(f"|{'-' * 44}|{'-' * 14}|{'-' * 11}|")
    for name, r in rows:
        print(f"| {name:<42} | {r:>12,.0f} | {r / base:>9.1f} |")


if __name__ == "__main__":
    main()

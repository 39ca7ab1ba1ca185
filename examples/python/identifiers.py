"""Validate a seller's NIT and an invoice line's product code, compute the invoice's CUFE, and
the exchange's commission on it with the rule set in force.

Run with the wheel installed: ``python examples/python/identifiers.py``.
"""

from decimal import Decimal

from bmc_core import RuleBook, codes, cufe, errors, nit

seller = nit.validate("800.197.268-4")
print(f"seller NIT {nit.format(seller)} (base {seller[:-1]}, DV {seller[-1]})")

tariff = codes.describe_tariff("0901119000")
print(f"line product {tariff['formatted']}: {tariff['subheading']['description']}")

try:
    nit.validate("800.197.268-5")
except errors.InvalidChecksum as e:
    print(f"rejected: {e} ({e.code})")

code = cufe.compute(
    number="SETP990000002", issue_date="2026-03-01", issue_time="08:05:00-05:00",
    subtotal=Decimal("1250000.00"), iva=Decimal("237500.00"), inc=Decimal("0"),
    ica=Decimal("0"), total=Decimal("1487500.00"), seller_nit=seller[:-1],
    buyer_id="900373115", technical_key="fc8eac422eba16e22ffd8c6f94b3f40a6e38162c",
    environment=2,
)
print(f"CUFE {code}")

book = RuleBook.embedded()
c = book.calculate({"issue_date": "2026-03-01",
                    "lines": [{"id": "1", "tariff_code": "0901119000",
                               "base": Decimal("1250000.00")}]})
print(f"commission {c.rule_set['id']} {c.rule_set['version']}: "
      f"fee {c.fee} iva {c.iva} total {c.total} (limit: {c.limit})")

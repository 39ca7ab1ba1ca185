"""Writes rules/registro-facturas/cases/*.toml: hand-chosen invoices at every boundary of the
example tariff, with expected values from the independent ``tariff_decimal`` implementation.

    python benches/python/make_commission_cases.py
"""

from __future__ import annotations

import datetime
import pathlib
from decimal import Decimal

import tariff_decimal as tariff

OUT = pathlib.Path(__file__).resolve().parents[2] / "rules" / "registro-facturas" / "cases"

BANANA = "0803901200"    # ch 08 agricola
COFFEE = "0901119000"    # ch 09 agricola; heading 0901 special from 2026
COCOA = "1801001900"     # ch 18 agroindustrial
CATTLE = "0102210000"    # ch 01 pecuario
FISH = "0302110000"      # ch 03 pecuario
CH05 = "0511991000"      # last pecuario chapter
CH06 = "0602900000"      # first agricola chapter
CH14 = "1404900000"      # last agricola chapter
CH15 = "1507100000"      # first agroindustrial chapter
CH24 = "2401100000"      # last agroindustrial chapter
CH25 = "2501000000"      # salt: first chapter that is not eligible
CEMENT = "2523290000"    # ch 25 not eligible
HARVESTER = "8433510000"  # ch 84 not eligible
D25 = datetime.date(2025, 6, 1)
D26 = datetime.date(2026, 3, 1)

# (file, name, issue date, lines [(code, base)], extra) -- extra: as_of, trace keys, error,
# product-only lines.
CASES: list[tuple] = [
    # --- minimum and maximum
    ("limits", "agricola 2025, tiny base: minimum charged", D25, [(BANANA, "1000000")], {}),
    ("limits", "agricola 2026, tiny base: the 2026 minimum", D26, [(BANANA, "1000000")], {}),
    ("limits", "fee exactly the 2025 minimum", D25, [(BANANA, "62500000")], {}),
    ("limits", "fee rounds up to the minimum: no limit applied", D25, [(BANANA, "62499375")], {}),
    ("limits", "fee rounds to one peso under the minimum", D25, [(BANANA, "62498000")], {}),
    ("limits", "agroindustrial 2025 above the maximum", D25, [(COCOA, "50000000000")], {}),
    ("limits", "agroindustrial 2026 above the maximum", D26, [(COCOA, "50000000000")], {}),
    ("limits", "fee exactly the 2025 maximum", D25, [(BANANA, "56666666666.67")], {}),
    ("limits", "eligible line with zero base: minimum charged", D25, [(BANANA, "0")], {}),
    # --- tier edges
    ("tiers", "agricola at the first tier edge", D25, [(BANANA, "1000000000")],
     {"trace": ["group.agricola.base", "group.agricola.tier.1.amount", "group.agricola.fee"]}),
    ("tiers", "one peso into the second tier", D25, [(BANANA, "1000000001")],
     {"trace": ["group.agricola.tier.2.amount", "group.agricola.tier.2.fee", "fee.sum"]}),
    ("tiers", "ten thousand pesos into the second tier", D25, [(BANANA, "1000010000")], {}),
    ("tiers", "at the second tier edge", D25, [(BANANA, "5000000000")],
     {"trace": ["group.agricola.tier.2.amount", "group.agricola.fee"]}),
    ("tiers", "one peso into the third tier", D25, [(BANANA, "5000000001")],
     {"trace": ["group.agricola.tier.3.amount", "group.agricola.tier.3.fee"]}),
    ("tiers", "deep in the third tier", D25, [(BANANA, "12000000000")], {}),
    ("tiers", "two lines of one group add up before the tiers", D25,
     [(BANANA, "600000000"), (CH06, "600000000")],
     {"trace": ["group.agricola.base", "group.agricola.tier.2.amount"]}),
    ("tiers", "pecuario 2026 across two tiers", D26, [(CATTLE, "2000000000")],
     {"trace": ["group.pecuario.rate_percent", "group.pecuario.fee"]}),
    ("tiers", "cents in the base", D25, [(FISH, "123456789.87")],
     {"trace": ["fee.sum", "fee.rounded"]}),
    # --- rounding
    ("rounding", "fee sum ends in exactly half a peso: rounds up", D25, [(BANANA, "100000625")],
     {"trace": ["fee.sum", "fee.rounded"]}),
    ("rounding", "fee sum just under half a peso: rounds down", D25, [(BANANA, "100000624")],
     {"trace": ["fee.sum", "fee.rounded"]}),
    ("rounding", "IVA of exactly half a peso rounds up", D26, [(BANANA, "65062500")],
     {"trace": ["iva"]}),
    ("rounding", "half a peso from two groups' fractions", D25,
     [(BANANA, "100000312.5"), (CATTLE, "100000250")], {"trace": ["fee.sum", "fee.rounded"]}),
    # --- coffee (heading 0901)
    ("coffee", "coffee in 2025 is agricola", D25, [(COFFEE, "800000000")],
     {"trace": ["group.agricola.base"]}),
    ("coffee", "coffee in 2026 has its own rate", D26, [(COFFEE, "800000000")],
     {"trace": ["group.cafe.base", "group.cafe.rate_percent"]}),
    ("coffee", "coffee 2026 forms its own group for the tiers", D26,
     [(COFFEE, "3000000000"), (BANANA, "3000000000")],
     {"trace": ["group.cafe.fee", "group.agricola.fee", "fee.sum"]}),
    ("coffee", "coffee 2026 above the second tier", D26, [(COFFEE, "7000000000")], {}),
    # --- eligibility
    ("eligibility", "only a non-agricultural chapter: not eligible", D25,
     [(HARVESTER, "500000000")], {}),
    ("eligibility", "chapter 25 is the first not eligible", D26, [(CH25, "500000000")], {}),
    ("eligibility", "eligible and ineligible lines: only the eligible base counts", D25,
     [(BANANA, "200000000"), (CEMENT, "900000000")], {"trace": ["group.agricola.base"]}),
    ("eligibility", "last pecuario chapter (05)", D25, [(CH05, "300000000")], {}),
    ("eligibility", "first agricola chapter (06)", D25, [(CH06, "300000000")], {}),
    ("eligibility", "last agricola chapter (14)", D25, [(CH14, "300000000")], {}),
    ("eligibility", "first agroindustrial chapter (15)", D25, [(CH15, "300000000")], {}),
    ("eligibility", "last agroindustrial chapter (24)", D26, [(CH24, "300000000")], {}),
    ("eligibility", "an invoice with no lines is not eligible", D25, [], {}),
    ("eligibility", "a product code with no catalog is not eligible", D25, [],
     {"products": [("CAF-ANT-000123", "500000000")]}),
    # --- mixed groups
    ("mixed", "three groups, each in its own second tier", D25,
     [(CATTLE, "2000000000"), (BANANA, "2000000000"), (COCOA, "2000000000")],
     {"trace": ["group.pecuario.fee", "group.agricola.fee", "group.agroindustrial.fee"]}),
    ("mixed", "three groups 2026 with coffee", D26,
     [(CATTLE, "150000000"), (COFFEE, "250000000"), (COCOA, "350000000")],
     {"trace": ["group.cafe.fee", "fee.sum"]}),
    ("mixed", "many small lines", D26,
     [(BANANA, "10000000.10"), (FISH, "20000000.20"), (CH15, "30000000.30"),
      (CH24, "40000000.40"), (CH05, "50000000.50"), (COFFEE, "60000000.60")], {}),
    # --- the switch at 2026-01-01
    ("switch", "last day of the 2025 tariff", datetime.date(2025, 12, 31),
     [(COCOA, "900000000")], {}),
    ("switch", "first day of the 2026 tariff", datetime.date(2026, 1, 1),
     [(COCOA, "900000000")], {}),
    ("switch", "coffee on the last day of 2025", datetime.date(2025, 12, 31),
     [(COFFEE, "900000000")], {}),
    ("switch", "coffee on the first day of 2026", datetime.date(2026, 1, 1),
     [(COFFEE, "900000000")], {}),
    ("switch", "as_of picks the 2026 tariff for a 2025 invoice", D25, [(COCOA, "900000000")],
     {"as_of": datetime.date(2026, 2, 1)}),
    ("switch", "first day of the 2025 tariff", datetime.date(2025, 1, 1),
     [(BANANA, "100000000")], {}),
    ("switch", "before the first tariff: error", datetime.date(2024, 12, 31),
     [(BANANA, "100000000")], {"error": "RULESET_NOT_IN_FORCE"}),
    ("switch", "negative base: error naming the line", D25,
     [(BANANA, "100"), (BANANA, "-1")], {"error": "COMMISSION_INVALID_LINE"}),
]


# Every invoice of these files also runs under the other year's tariff, so that each version
# has its own full set of boundary cases (written to `<file>-<year>.toml`).
MIRRORED = {"limits", "tiers", "rounding", "mixed", "eligibility", "coffee"}


def mirrored(cases: list[tuple]) -> list[tuple]:
    out = []
    for file, name, date, lines, extra in cases:
        if file not in MIRRORED or "error" in extra or "as_of" in extra:
            continue
        other = date.replace(year=2026 if date.year == 2025 else 2025)
        out.append((f"{file}-{other.year}", f"{name} (under the {other.year} tariff)", other,
                    lines, {k: v for k, v in extra.items() if k != "trace"}))
    return out


def toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def trace_value(key: str, result: dict, lines) -> str:
    """The expected trace value for the keys the cases name, from the oracle's numbers."""
    parts = key.split(".")
    if key == "fee.sum":
        return str(result["fee_sum"])
    if key == "fee.rounded":
        return str(result["fee_sum"].quantize(tariff.ONE, rounding="ROUND_HALF_UP"))
    if key == "iva":
        return str(result["iva"])
    group = parts[1]
    base = result["bases"][group]
    version_tariff = tariff.TARIFFS[result["version"]]
    rate = (version_tariff["coffee"] if group == "cafe" else version_tariff["rates"][group])
    if parts[2] == "base":
        return str(base)
    if parts[2] == "rate_percent":
        return str(rate)
    if parts[2] == "fee":
        return str(tariff.group_fee(base, rate))
    tier, what = int(parts[3]), parts[4]
    bounds = [Decimal(0), tariff.TIER_1, tariff.TIER_2, None]
    lo, hi = bounds[tier - 1], bounds[tier]
    amount = (min(base, hi) if hi is not None else base) - lo
    factor = [Decimal("1.00"), Decimal("0.75"), Decimal("0.50")][tier - 1]
    if what == "amount":
        return str(amount)
    return str(amount * (rate / 100) * factor)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    files: dict[str, list[str]] = {}
    all_cases = CASES + mirrored(CASES)
    for file, name, date, lines, extra in all_cases:
        out = files.setdefault(file, [])
        parsed = [(code, Decimal(base)) for code, base in lines]
        out.append("[[case]]")
        out.append(f"name = {toml_str(name)}")
        out.append(f'issue_date = "{date.isoformat()}"')
        if "as_of" in extra:
            out.append(f'as_of = "{extra["as_of"].isoformat()}"')
        items = [f'{{ tariff_code = "{c}", base = "{b}" }}' for c, b in lines]
        items += [f'{{ product_code = "{p}", base = "{b}" }}' for p, b in extra.get("products", [])]
        out.append("lines = [" + ", ".join(items) + "]")
        out.append("")
        out.append("[case.expect]")
        if "error" in extra:
            out.append(f"error = {toml_str(extra['error'])}")
        else:
            result = tariff.commission(extra.get("as_of", date), parsed)
            out.append(f"eligible = {'true' if result['eligible'] else 'false'}")
            for k in ("fee", "iva", "total"):
                out.append(f'{k} = "{result[k]}"')
            out.append(f'limit = "{result["limit"]}"')
            out.append(f'rule_set_version = "{result["version"].isoformat()}"')
            keys = extra.get("trace", [])
            if keys:
                pairs = ", ".join(f'"{k}" = "{trace_value(k, result, parsed)}"' for k in keys)
                out.append(f"trace = {{ {pairs} }}")
        out.append("")
    for file, body in files.items():
        header = (f"# Commission cases: {file}. Written by benches/python/make_commission_cases.py;\n"
                  "# expected values from benches/python/tariff_decimal.py (CPython decimal).\n\n")
        (OUT / f"{file}.toml").write_text(header + "\n".join(body), encoding="utf-8")
    per_version: dict[datetime.date, int] = {}
    for _, _, date, _, extra in all_cases:
        version = tariff.tariff_for(extra.get("as_of", date))[0] if date.year >= 2025 else None
        per_version[version] = per_version.get(version, 0) + 1
    print(f"{len(all_cases)} cases in {len(files)} files; per version: "
          + ", ".join(f"{v}: {n}" for v, n in per_version.items()))


if __name__ == "__main__":
    main()

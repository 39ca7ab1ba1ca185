#!/usr/bin/env python3
"""Writes tests/vectors/findings.json, run by the Rust, Python and Node suites.

Every compliance finding code gets a minimal document that triggers it: a clean invoice (two
lines of the sample FEV-0005 with subpartidas, no finding at all) with one fault, and the
codes expected of it, written here by hand. Where one fault necessarily brings another (a
line with no subpartida is also unclassified), both are listed. The CUFE of each document is
recomputed here with hashlib from DOMAIN.md's formula (not with bmc-core), so that only the
fault under test is found; documents about the CUFE itself keep theirs wrong on purpose.

Catalog findings are looked up in `findings-catalog.csv` (indexed by each suite). One code
cannot be triggered by a document: CATALOG_LOOKUP_FAILED needs a catalog that fails to
answer (core/tests/pipeline.rs corrupts an index for it).

    python3 tests/vectors/make_findings_vectors.py
"""

import copy
import hashlib
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEY = "fc8eac422eba16e22ffd8c6f94b3f40a6e38162c"
PIN = "12345"
CONTEXT = {"registration_date": "2026-09-10", "environment": "test", "technical_key": KEY, "software_pin": PIN}


def cents(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def tax_total(invoice: dict, code: str) -> Decimal:
    return sum((Decimal(t["amount"]) for t in invoice.get("tax_totals", []) if t["tax"] == code), Decimal(0))


def cufe(invoice: dict) -> str:
    """CUFE (or CUDE with the software PIN) = SHA-384 of the annex's concatenation."""
    key = KEY if invoice["kind"] == "invoice" else PIN
    parts = [
        invoice["number"],
        invoice["issue_date"],
        invoice.get("issue_time", ""),
        cents(Decimal(invoice["totals"]["line_extension"])),
        "01",
        cents(tax_total(invoice, "01")),
        "04",
        cents(tax_total(invoice, "04")),
        "03",
        cents(tax_total(invoice, "03")),
        cents(Decimal(invoice["totals"]["payable"])),
        invoice["seller"]["id"],
        invoice["buyer"]["id"],
        key,
        invoice.get("environment", "1"),
    ]
    return hashlib.sha384("".join(parts).encode()).hexdigest()


def totals(invoice: dict) -> dict:
    """Recomputes the tax totals and the monetary totals from the lines."""
    lines = invoice["lines"]
    subtotal = sum((Decimal(line["base"]) for line in lines), Decimal(0))
    by_rate: dict = {}
    for line in lines:
        for tax in line.get("taxes", []):
            s = by_rate.setdefault((tax["tax"], tax["percent"]), [Decimal(0), Decimal(0)])
            s[0] += Decimal(tax["taxable"])
            s[1] += Decimal(tax["amount"])
    tax_totals = {}
    for (code, percent), (taxable, amount) in sorted(by_rate.items()):
        total = tax_totals.setdefault(code, {"tax": code, "amount": Decimal(0), "subtotals": []})
        total["amount"] += amount
        total["subtotals"].append({"tax": code, "taxable": cents(taxable), "amount": cents(amount), "percent": percent})
    invoice["tax_totals"] = [dict(t, amount=cents(t["amount"])) for t in tax_totals.values()]
    if not invoice["tax_totals"]:
        del invoice["tax_totals"]
    taxes = sum((t["amount"] for t in tax_totals.values()), Decimal(0))
    taxable = sum((Decimal(s["taxable"]) for t in tax_totals.values() for s in t["subtotals"]), Decimal(0))
    invoice["totals"] = {
        "line_extension": cents(subtotal),
        "tax_exclusive": cents(taxable),
        "tax_inclusive": cents(subtotal + taxes),
        "payable": cents(subtotal + taxes),
    }
    return invoice


def clean() -> dict:
    sample = json.loads((ROOT / "data/invoices/FEV-0005.json").read_text(encoding="utf-8"))
    invoice = copy.deepcopy(sample)
    # Lines 2 and 3 carry subpartidas (chapters 22 and 11); renumbered 1 and 2.
    invoice["lines"] = [dict(line, id=str(i + 1)) for i, line in enumerate(sample["lines"][1:3])]
    totals(invoice)
    invoice["cufe"] = cufe(invoice)
    return invoice


def case(name: str, codes: list, change=None, context=None, catalog=False, recompute=True) -> dict:
    invoice = clean()
    if change:
        change(invoice)
    if recompute and "cufe" in invoice:
        invoice["cufe"] = cufe(invoice)
    out = {"name": name, "invoice": invoice, "context": dict(CONTEXT, **(context or {})), "codes": sorted(codes)}
    if catalog:
        out["catalog"] = True
    return out


def line(i: int):
    return lambda invoice: invoice["lines"][i]


def setp(path: list, value):
    def change(invoice):
        target = invoice
        for key in path[:-1]:
            target = target[key]
        if value is None:
            target.pop(path[-1], None)
        else:
            target[path[-1]] = value
    return change


def both(*changes):
    def change(invoice):
        for c in changes:
            c(invoice)
    return change


def with_totals(change):
    return both(change, totals)


def line_tax_rate(percent: str):
    def change(invoice):
        tax = invoice["lines"][0]["taxes"][0]
        tax["percent"] = percent
        tax["amount"] = cents(Decimal(tax["taxable"]) * Decimal(percent) / 100)
    return with_totals(change)


def negative_line(invoice):
    first = invoice["lines"][1]
    first["quantity"] = "-" + first["quantity"]
    first["base"] = "-" + first["base"]


def credit_note(invoice):
    invoice["kind"] = "credit_note"
    invoice["type_code"] = "91"
    invoice["number"] = "NC1005"
    invoice["prefix"] = "NC"
    invoice["billing_reference"] = "SETP990000005"


def fields():
    CASES = [
        case("clean", []),
        case("seller by cedula", ["SELLER_NOT_NIT"], both(setp(["seller", "id_type"], "13"), setp(["seller", "check_digit"], None))),
        case("buyer id type unknown", ["ID_TYPE_UNKNOWN"], setp(["buyer", "id_type"], "99")),
        case("buyer id not valid", ["ID_INVALID"], setp(["buyer", "id"], "79.845.123")),
        case(
            "buyer cedula with letters",
            ["ID_INVALID"],
            both(setp(["buyer", "id_type"], "13"), both(setp(["buyer", "id"], "79845A12"), setp(["buyer", "check_digit"], None))),
        ),
        case("seller check digit wrong", ["NIT_CHECK_DIGIT"], setp(["seller", "check_digit"], "9")),
        case("seller check digit missing", ["NIT_CHECK_DIGIT_MISSING"], setp(["seller", "check_digit"], None)),
        case("buyer is the final consumer", ["BUYER_NOT_IDENTIFIED"], setp(["buyer", "id"], "222222222222")),
        case("point of sale document", ["POS_DOCUMENT"], setp(["type_code"], "20")),
        case("document type unknown", ["DOCUMENT_TYPE_UNKNOWN"], setp(["type_code"], "77")),
        case("credit note", ["NOTE_DOCUMENT"], credit_note),
        case(
            "in dollars with a rate",
            ["CURRENCY_NOT_COP"],
            both(
                setp(["currency"], "USD"),
                setp(["exchange_rate"], {"source_currency": "USD", "target_currency": "COP", "rate": "3950.25", "date": "2026-09-09"}),
            ),
        ),
        case("in dollars without a rate", ["EXCHANGE_RATE_MISSING"], setp(["currency"], "USD")),
        case("test document on a production platform", ["DOCUMENT_TEST_ENVIRONMENT"], context={"environment": "production"}),
        case("no lines", ["NO_LINES"], with_totals(setp(["lines"], []))),
        case("quantity times price differs", ["LINE_AMOUNT_MISMATCH"], setp(["lines", 0, "quantity"], "1077")),
        case("tax subtotal at another rate", ["TAX_MISMATCH"], setp(["tax_totals", 0, "subtotals", 0, "percent"], "19.00")),
        case("IVA at 7 %", ["TAX_RATE_UNKNOWN"], line_tax_rate("7.00")),
        case("payable does not add up", ["TOTALS_MISMATCH"], setp(["totals", "payable"], "58748410.00")),
        case("negative line", ["AMOUNT_NEGATIVE"], with_totals(negative_line)),
        case("quantity beyond 28 digits", ["AMOUNT_OUT_OF_RANGE"], setp(["lines", 1, "quantity"], "79228162514264337593543950335")),
        case("issued after registration", ["ISSUE_DATE_IN_FUTURE"], context={"registration_date": "2026-09-08"}),
        case("older than 180 days", ["INVOICE_TOO_OLD"], context={"registration_date": "2027-06-01"}),
        case("due before issued", ["DUE_DATE_BEFORE_ISSUE"], setp(["due_date"], "2026-09-01")),
        # The CUFE's HorFac carries the offset: without it the CUFE cannot be recomputed either.
        case("issue time without offset", ["ISSUE_TIME_FORMAT", "CUFE_UNVERIFIABLE"], setp(["issue_time"], "09:50:42")),
        case("no CUFE", ["CUFE_MISSING"], setp(["cufe"], None)),
        case("CUFE not hex", ["CUFE_MALFORMED"], setp(["cufe"], "not-a-cufe"), recompute=False),
        case("CUFE of other data", ["CUFE_MISMATCH"], setp(["cufe"], "0" * 96), recompute=False),
        case("no technical key", ["CUFE_UNVERIFIABLE"], context={"technical_key": None}),
        case(
            "GTIN with a wrong check digit",
            ["PRODUCT_CODE_INVALID", "PRODUCT_UNCLASSIFIED"],
            setp(["lines", 0, "item_code"], {"scheme": "010", "code": "7709520928903"}),
        ),
        case(
            "unknown code scheme",
            ["PRODUCT_CODE_SCHEME_UNKNOWN", "PRODUCT_UNCLASSIFIED"],
            setp(["lines", 0, "item_code"], {"scheme": "555", "code": "ABC"}),
        ),
        case(
            "line without a product code",
            ["PRODUCT_CODE_MISSING", "PRODUCT_UNCLASSIFIED"],
            both(setp(["lines", 0, "item_code"], None), setp(["lines", 0, "seller_code"], None)),
        ),
        case("catalog knows every product", [], catalog=True),
        case("product not in the catalog", ["PRODUCT_NOT_IN_CATALOG"], setp(["lines", 0, "seller_code"], "NO-SUCH-PRODUCT"), catalog=True),
        case("product inactive", ["PRODUCT_INACTIVE"], setp(["lines", 1, "seller_code"], "INACTIVE-0001"), catalog=True),
        case(
            "subpartida differs from the catalog's",
            ["PRODUCT_CLASSIFICATION_MISMATCH"],
            setp(["lines", 1, "seller_code"], "OTHER-CLASS-01"),
            catalog=True,
        ),
        case(
            "own code without subpartida",
            ["PRODUCT_UNCLASSIFIED"],
            setp(["lines", 0, "item_code"], {"scheme": "999", "code": "BEB-SAN-003282"}),
        ),
        case("a line outside chapters 01-24", ["CHAPTER_NOT_ELIGIBLE"], setp(["lines", 0, "item_code", "code"], "2523290000")),
        case(
            "no line eligible",
            ["CHAPTER_NOT_ELIGIBLE", "NO_ELIGIBLE_PRODUCTS"],
            both(setp(["lines", 0, "item_code", "code"], "2523290000"), setp(["lines", 1, "item_code", "code"], "7308900000")),
        ),
        case(
            "a field read by OCR is doubtful",
            ["OCR_LOW_CONFIDENCE"],
            setp(["source"], {"kind": "tesseract", "confidence": {"number": {"engine": 31.0, "confidence": 31.0}}, "threshold": 60.0}),
        ),
    ]
    return CASES


def main():
    cases = fields()
    out = {
        "catalog": "tests/vectors/findings-catalog.csv",
        "not_in_vectors": {"CATALOG_LOOKUP_FAILED": "needs a catalog that fails to answer: core/tests/pipeline.rs"},
        "cases": cases,
    }
    path = ROOT / "tests" / "vectors" / "findings.json"
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(cases)} cases written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

"""Writes dian.json, the identifier vectors that the Rust, Python and Node suites all run.

Expected values come from independent oracles, never from bmc-core: python-stdnum for NITs,
hashlib for CUFEs (SHA-384 of the annex concatenation built here), and hand-checked values for
product codes and HS entries. Run with python-stdnum installed:

    python tests/vectors/make_dian_vectors.py
"""

import hashlib
import json
import pathlib

from stdnum.co import nit
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength

ERROR_CODES = {
    InvalidLength: "NIT_INVALID_LENGTH",
    InvalidFormat: "NIT_INVALID_FORMAT",
    InvalidChecksum: "NIT_INVALID_CHECKSUM",
}

NIT_INPUTS = [
    "800.197.268-4", "8001972684", "800197268-4", " 800 197 268 - 4 ", "800\u2013197\u2014268\u22124",
    "800,197,268-4", "\uff18\uff10\uff10197268-4", "8001972685", "800197268", "1234567",
    "12345678901234567", "80019726A4", "860.002.464-3", "890903938-8", "900373115-1",
    "222222222222", "123456789012345-2", "", "   ", "abc",
]

PRODUCT_CODES = [
    ("020", "0901.11.90.00", "0901119000", "0901.11.90.00", None),
    ("020", "0901119000", "0901119000", "0901.11.90.00", None),
    ("020", " 0803.90.12.00 ", "0803901200", "0803.90.12.00", None),
    ("020", "1801.00.19.00", "1801001900", "1801.00.19.00", None),
    ("020", "0901.11.90", None, None, "PRODUCT_CODE_INVALID_LENGTH"),
    ("020", "0901-11-90-00", None, None, "PRODUCT_CODE_INVALID_FORMAT"),
    ("020", "7701.00.00.00", None, None, "TARIFF_CHAPTER_UNKNOWN"),
    ("020", "9801.00.00.00", None, None, "TARIFF_CHAPTER_UNKNOWN"),
    ("020", "0901.19.00.00", None, None, "TARIFF_SUBHEADING_UNKNOWN"),
    ("001", "50201706", "50201706", "50201706", None),
    ("001", "10000000", "10000000", "10000000", None),
    ("001", "09000000", None, None, "UNSPSC_SEGMENT_UNKNOWN"),
    ("001", "50000100", None, None, "UNSPSC_INVALID_HIERARCHY"),
    ("001", "5020170", None, None, "PRODUCT_CODE_INVALID_LENGTH"),
    ("010", "7702004003508", "7702004003508", "7702004003508", None),
    ("010", "96385074", "96385074", "96385074", None),
    ("010", "036000291452", "036000291452", "036000291452", None),
    ("010", "10036000291459", "10036000291459", "10036000291459", None),
    ("010", "10036000291458", None, None, "PRODUCT_CODE_INVALID_CHECKSUM"),
    ("010", "7702004003509", None, None, "PRODUCT_CODE_INVALID_CHECKSUM"),
    ("010", "770200400350", "770200400350", "770200400350", None),
    ("010", "770200400357", None, None, "PRODUCT_CODE_INVALID_CHECKSUM"),
    ("010", "77020040035", None, None, "PRODUCT_CODE_INVALID_LENGTH"),
    ("010", "7702004OO3508", None, None, "PRODUCT_CODE_INVALID_FORMAT"),
    ("999", "CAF-ANT-000123", "CAF-ANT-000123", "CAF-ANT-000123", None),
    ("999", "  SKU 1 ", "SKU 1", "SKU 1", None),
    ("999", "", None, None, "PRODUCT_CODE_INVALID_LENGTH"),
    ("999", "X" * 21, None, None, "PRODUCT_CODE_INVALID_LENGTH"),
    ("999", "A\tB", None, None, "PRODUCT_CODE_INVALID_FORMAT"),
    ("030", "123", None, None, "PRODUCT_CODE_UNKNOWN_SCHEME"),
]

HS = [
    ("09", "chapter", "Coffee, tea, mate and spices"),
    ("0901", "heading", "Coffee, whether or not roasted or decaffeinated; husks and skins; coffee substitutes containing coffee in any proportion"),
    ("090111", "subheading", "Coffee; not roasted or decaffeinated"),
    ("77", None, None),
    ("090119", None, None),
]

CUFES = [
    # DIAN's annex example.
    dict(number="323200000129", issue_date="2019-01-16", issue_time="10:53:10-05:00",
         subtotal="1500000.00", iva="285000.00", inc="0.00", ica="0.00", total="1785000.00",
         seller_nit="700085371", buyer_id="800199436",
         key="693ff6f2a553c3646a063436fd4dd9ded0311471", environment="1"),
    # Scale differs from two decimals but the value fits: written with exactly two.
    dict(number="SETP990000002", issue_date="2026-03-01", issue_time="08:05:00-05:00",
         subtotal="1250000", iva="237500.0", inc="0", ica="4375.000", total="1491875.00",
         seller_nit="800197268", buyer_id="900373115",
         key="fc8eac422eba16e22ffd8c6f94b3f40a6e38162c", environment="2"),
    # A credit note's CUDE: the software PIN in place of the technical key.
    dict(number="NC1001", issue_date="2026-11-02", issue_time="23:59:59-05:00",
         subtotal="99.99", iva="19.00", inc="8.00", ica="0.01", total="127.00",
         seller_nit="860002464", buyer_id="222222222222", key="75315", environment="2"),
]

CUFE_ERRORS = [
    (dict(CUFES[0], iva="285000.001"), "CUFE_INVALID_AMOUNT"),
    (dict(CUFES[0], subtotal="-1.00"), "CUFE_INVALID_AMOUNT"),
    (dict(CUFES[0], issue_time="10:53:10"), "CUFE_INVALID_FIELD"),
    (dict(CUFES[0], seller_nit="700085371-1"), "CUFE_INVALID_FIELD"),
    (dict(CUFES[0], number=""), "CUFE_INVALID_FIELD"),
]


def two_decimals(text: str) -> str:
    from decimal import Decimal

    return str(Decimal(text).quantize(Decimal("0.01")))


def preimage(f: dict) -> str:
    return "".join([
        f["number"], f["issue_date"], f["issue_time"], two_decimals(f["subtotal"]), "01",
        two_decimals(f["iva"]), "04", two_decimals(f["inc"]), "03", two_decimals(f["ica"]),
        two_decimals(f["total"]), f["seller_nit"], f["buyer_id"], f["key"], f["environment"],
    ])


def nit_vector(text: str) -> dict:
    v = {"input": text, "compact": nit.compact(text), "valid": nit.is_valid(text)}
    try:
        nit.validate(text)
    except tuple(ERROR_CODES) as e:
        v["error"] = ERROR_CODES[type(e)]
    v["formatted"] = nit.format(text) if nit.compact(text) else None
    return v


def main() -> None:
    vectors = {
        "nit": [nit_vector(t) for t in NIT_INPUTS],
        "nit_check_digit": [
            {"base": b, "check_digit": nit.calc_check_digit(b)}
            for b in ["800197268", "860002464", "890903938", "900373115", "1", "10", "99999999",
                      "123456789012345", "700085371", "800199436"]
        ],
        "product_codes": [
            {"scheme": s, "input": i, "valid": e is None, "normalized": n, "formatted": f, "error": e}
            for s, i, n, f, e in PRODUCT_CODES
        ],
        "hs": [{"code": c, "level": lv, "description": d} for c, lv, d in HS],
        "cufe": [
            {"fields": f, "preimage": preimage(f),
             "cufe": hashlib.sha384(preimage(f).encode()).hexdigest()}
            for f in CUFES
        ],
        "cufe_errors": [{"fields": f, "error": e} for f, e in CUFE_ERRORS],
    }
    assert vectors["cufe"][0]["cufe"].startswith("8bb918b19ba22a694f1da11c643b5e9d")
    out = pathlib.Path(__file__).with_name("dian.json")
    out.write_text(json.dumps(vectors, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

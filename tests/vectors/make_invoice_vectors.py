#!/usr/bin/env python3
"""Writes tests/vectors/invoices.json, run by the Rust, Python and Node suites.

- "read": every sample document must read identically to its truth JSON (written by the
  generator before the XML, so independent of the reader); OCR fixtures must agree with
  the truth on the fields listed, and mark exactly the fields listed as doubtful (that list
  is the reader's current output, kept so all three languages agree on it).
- "validate": the finding codes of each document, written by hand from the fault each
  document carries (see data/invoices/faulty/make_faulty.py).
- "correct": a reviewer's corrections of an OCR reading and what they give (the fields as
  JSON pointers, the corrections as applied, the fields still doubtful), or the error; written
  by hand and kept as they are when this script runs.

Run from the repository root after `cargo build -p bmc-cli`:

    python3 tests/vectors/make_invoice_vectors.py
"""

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BMC = ROOT / "target" / "debug" / "bmc"
KEY = "fc8eac422eba16e22ffd8c6f94b3f40a6e38162c"

OCR = [
    # file, format, QR text file, truth, fields that must equal the truth
    ("FEV-0002.tesseract.tsv", "tesseract-tsv", None, "FEV-0002", ["number", "issue_date", "totals.line_extension", "totals.payable", "seller", "buyer"]),
    ("FEV-0002.tesseract.tsv", "tesseract-tsv", "FEV-0002.qr.txt", "FEV-0002", ["number", "issue_date", "totals.line_extension", "totals.payable", "cufe"]),
    ("FEV-0003.pdftotext.tsv", "pdftotext-tsv", None, "FEV-0003", ["number", "issue_date", "issue_time", "due_date", "totals.line_extension", "totals.payable", "seller", "buyer", "cufe"]),
    ("FEV-0004.tesseract.tsv", "tesseract-tsv", "FEV-0004.qr.txt", "FEV-0004", ["number", "issue_date", "totals.line_extension", "totals.payable", "cufe"]),
    ("FEV-0007.tesseract.tsv", "tesseract-tsv", None, "FEV-0007", ["number", "issue_date", "totals.line_extension", "totals.payable"]),
    ("NC-0010.tesseract.tsv", "tesseract-tsv", "NC-0010.qr.txt", "NC-0010", ["kind", "number", "issue_date", "totals.line_extension", "totals.payable", "cufe", "billing_reference"]),
    ("FEV-0002.hocr", "hocr", None, "FEV-0002", ["number", "issue_date", "totals.line_extension", "totals.payable"]),
    ("FEV-0004.textract.json", "textract", None, "FEV-0004", ["number", "issue_date", "totals.line_extension", "totals.payable"]),
    ("FEV-0007.expense.json", "textract", None, "FEV-0007", ["number", "issue_date", "totals.line_extension", "totals.payable"]),
    ("FEV-0002.expense.json", "textract", None, "FEV-0002", ["number", "issue_date", "totals.line_extension", "totals.payable"]),
]

VALIDATE = [
    ("data/invoices/FEV-0005.xml", "2026-09-10", ["PRODUCT_UNCLASSIFIED"], True),
    ("data/invoices/FEV-0005.xml", "2027-06-01", ["INVOICE_TOO_OLD", "PRODUCT_UNCLASSIFIED"], False),
    ("data/invoices/FEV-0005.xml", "2026-09-01", ["ISSUE_DATE_IN_FUTURE", "PRODUCT_UNCLASSIFIED"], False),
    ("data/invoices/FEV-0001.xml", "2026-09-02", ["NO_ELIGIBLE_PRODUCTS", "PRODUCT_UNCLASSIFIED"], False),
    ("data/invoices/NC-0010.xml", "2026-11-29", ["NOTE_DOCUMENT", "NO_ELIGIBLE_PRODUCTS", "PRODUCT_UNCLASSIFIED"], False),
    ("data/invoices/faulty/wrong-check-digit.xml", "2026-11-29", ["NIT_CHECK_DIGIT", "PRODUCT_UNCLASSIFIED"], False),
    ("data/invoices/faulty/final-consumer.xml", "2026-11-29", ["BUYER_NOT_IDENTIFIED", "CUFE_MISMATCH", "PRODUCT_UNCLASSIFIED"], False),
    ("data/invoices/faulty/tampered-total.xml", "2026-11-29", ["CUFE_MISMATCH", "PRODUCT_UNCLASSIFIED", "TOTALS_MISMATCH"], False),
    ("data/invoices/faulty/pos-document.xml", "2026-11-29", ["POS_DOCUMENT", "PRODUCT_UNCLASSIFIED"], False),
    ("data/invoices/faulty/reserved-chapter.xml", "2026-11-29", ["PRODUCT_CODE_INVALID", "PRODUCT_UNCLASSIFIED"], False),
]

# The samples are test-environment documents: validated for a test platform above; on a
# production platform they are refused, and without a key their CUFE cannot be verified.
ENVIRONMENT_AND_KEYS = [
    ("data/invoices/FEV-0005.xml", "2026-09-10", "production", KEY, "12345", ["DOCUMENT_TEST_ENVIRONMENT", "PRODUCT_UNCLASSIFIED"], False),
    ("data/invoices/FEV-0005.xml", "2026-09-10", "test", None, None, ["CUFE_UNVERIFIABLE", "PRODUCT_UNCLASSIFIED"], True),
]


def doubtful(invoice):
    source = invoice["source"]
    limit = source.get("threshold") or 0.0
    return sorted(
        path
        for path, c in source.get("confidence", {}).items()
        if c["confidence"] < limit or any(check.startswith("!") for check in c.get("checks", []))
    )


def main():
    read = []
    for xml in sorted((ROOT / "data" / "invoices").glob("*.xml")):
        truth = json.loads(xml.with_suffix(".json").read_text(encoding="utf-8"))
        read.append({
            "file": str(xml.relative_to(ROOT)),
            "truth": str(xml.with_suffix(".json").relative_to(ROOT)),
            "exact": True,
            "source": truth["source"]["kind"],
            "doubtful": [],
        })
    for name, fmt, qr, truth, fields in OCR:
        path = ROOT / "data" / "invoices" / "ocr" / name
        args = [str(BMC), "invoice", "read", str(path), "--json"]
        if qr:
            args += ["--qr", str(ROOT / "data" / "invoices" / "ocr" / qr)]
        invoice = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
        case = {
            "file": str(path.relative_to(ROOT)),
            "format": fmt,
            "truth": f"data/invoices/{truth}.json",
            "exact": False,
            "fields": fields,
            "source": invoice["source"]["kind"],
            "doubtful": doubtful(invoice),
        }
        if qr:
            case["qr"] = f"data/invoices/ocr/{qr}"
        read.append(case)
    validate = [
        {
            "file": f,
            "registration_date": date,
            "environment": "test",
            "technical_key": KEY,
            "software_pin": "12345",
            "codes": codes,
            "registrable": registrable,
        }
        for f, date, codes, registrable in VALIDATE
    ] + [
        {
            "file": f,
            "registration_date": date,
            "environment": environment,
            "technical_key": key,
            "software_pin": pin,
            "codes": codes,
            "registrable": registrable,
        }
        for f, date, environment, key, pin, codes, registrable in ENVIRONMENT_AND_KEYS
    ]
    target = ROOT / "tests" / "vectors" / "invoices.json"
    # "correct" is written by hand (a reviewer's corrections of an OCR reading, and what they
    # give): kept as it is.
    kept = json.loads(target.read_text(encoding="utf-8")).get("correct", []) if target.exists() else []
    out = {"read": read, "validate": validate, "correct": kept}
    target.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

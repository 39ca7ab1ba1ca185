"""Read an invoice from DIAN UBL XML and another from Tesseract's OCR output (with the page's
QR code), then validate both for registration against the sample catalog.

Run from the repository root with the wheel installed: ``python examples/python/invoices.py``.
"""

import datetime
import pathlib
import tempfile

import bmc_core
from bmc_core import errors


def cop(value):
    whole, _, cents = f"{value:.2f}".partition(".")
    return f"{int(whole):,}".replace(",", ".") + "," + cents


def report(invoice, catalog):
    findings = bmc_core.validate(
        invoice,
        registration_date=datetime.date(2026, 11, 29),
        technical_key="fc8eac422eba16e22ffd8c6f94b3f40a6e38162c",
        environment="test",  # the samples are DIAN test-environment documents
        catalog=catalog,
    )
    print(
        f"{invoice.number} {invoice.issue_date} from {invoice.source.kind}: {len(invoice.lines)} lines, "
        f"payable {cop(invoice.totals.payable)}, registrable: {str(bmc_core.is_registrable(findings)).lower()}"
    )
    print("  findings: " + ", ".join(f.code for f in findings))
    print("  doubtful: " + ", ".join(invoice.source.doubtful_fields()))


with tempfile.TemporaryDirectory() as tmp:
    bmc_core.Catalog.build("data/sample-catalog.csv.gz", str(pathlib.Path(tmp) / "index"))
    catalog = bmc_core.Catalog.open(str(pathlib.Path(tmp) / "index"))

    report(bmc_core.read_invoice(pathlib.Path("data/invoices/FEV-0005.xml").read_bytes()), catalog)

    scanned = bmc_core.invoice_from_ocr(
        pathlib.Path("data/invoices/ocr/FEV-0002.tesseract.tsv").read_text(encoding="utf-8"),
        "tesseract-tsv",
        qr=pathlib.Path("data/invoices/ocr/FEV-0002.qr.txt").read_text(encoding="utf-8"),
    )
    report(scanned, catalog)

    try:
        bmc_core.read_invoice(b'<!DOCTYPE x [<!ENTITY a "aaaa">]><Invoice>&a;</Invoice>')
    except errors.BmcError as e:
        print(f"refused: {e.code} ({e})")

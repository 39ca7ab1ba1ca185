#!/usr/bin/env python3
"""Writes invoices with one known fault each, from the sample FEV-0005.xml, for the
compliance tests (tests/vectors/invoices.json). Each is the sample with the edits below and
nothing else; run from the repository root:

    python3 data/invoices/faulty/make_faulty.py
"""

from pathlib import Path

HERE = Path(__file__).parent
SAMPLE = (HERE.parent / "FEV-0005.xml").read_text(encoding="utf-8")

SELLER_ID = 'schemeID="8" schemeName="31">890903938</cbc:CompanyID>'
BUYER_ID = 'schemeName="13">79845123</cbc:CompanyID>'

FAULTS = {
    # The seller's NIT check digit is 8; 3 is written.
    "wrong-check-digit.xml": [(SELLER_ID, SELLER_ID.replace('schemeID="8"', 'schemeID="3"'))],
    # The buyer is the final consumer (and the CUFE no longer matches).
    "final-consumer.xml": [(BUYER_ID, 'schemeName="13">222222222222</cbc:CompanyID>')],
    # The amount payable was raised by 1.000,00 after the CUFE was computed.
    "tampered-total.xml": [
        ('<cbc:PayableAmount currencyID="COP">94774988.80</cbc:PayableAmount>',
         '<cbc:PayableAmount currencyID="COP">94775988.80</cbc:PayableAmount>')
    ],
    # A POS ticket (documento equivalente), not an electronic sales invoice.
    "pos-document.xml": [("<cbc:InvoiceTypeCode>01</cbc:InvoiceTypeCode>", "<cbc:InvoiceTypeCode>20</cbc:InvoiceTypeCode>")],
    # A line's subpartida is in chapter 77, which the tariff reserves.
    "reserved-chapter.xml": [('schemeAgencyID="195">2208402000</cbc:ID>', 'schemeAgencyID="195">7708402000</cbc:ID>')],
}


def main():
    for name, edits in FAULTS.items():
        text = SAMPLE
        for old, new in edits:
            count = text.count(old)
            assert count >= 1, (name, old)
            text = text.replace(old, new)
        (HERE / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

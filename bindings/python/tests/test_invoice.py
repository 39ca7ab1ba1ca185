"""Invoices from Python: the shared vectors (UBL samples against their truth, OCR
fixtures, compliance findings), Decimal amounts, and typed errors."""

import datetime
import json
from decimal import Decimal

import pytest

import bmc_core
from bmc_core import errors

from conftest import ROOT

VECTORS = json.loads((ROOT / "tests" / "vectors" / "invoices.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", VECTORS["read"], ids=lambda c: c["file"])
def test_reading_matches_the_truth(case):
    data = (ROOT / case["file"]).read_bytes()
    if case.get("format"):
        qr = (ROOT / case["qr"]).read_text(encoding="utf-8") if case.get("qr") else None
        invoice = bmc_core.invoice_from_ocr(data.decode("utf-8"), case["format"], qr=qr)
    else:
        invoice = bmc_core.read_invoice(data)
    truth = json.loads((ROOT / case["truth"]).read_text(encoding="utf-8"))
    if case["exact"]:
        assert invoice.to_dict() == truth
    else:
        expected = bmc_core.Invoice.from_dict(truth)
        for path in case["fields"]:
            assert _get(invoice, path) == _get(expected, path), path
    assert invoice.source.kind == case["source"]
    assert sorted(invoice.source.doubtful_fields()) == sorted(case["doubtful"])


def _get(obj, path):
    for name in path.split("."):
        obj = getattr(obj, name)
    return obj


def test_amounts_are_decimals_with_their_scale():
    invoice = bmc_core.read_invoice((ROOT / "data/invoices/FEV-0001.xml").read_bytes())
    assert isinstance(invoice.totals.payable, Decimal)
    assert str(invoice.lines[0].base).endswith(".00")
    assert invoice.issue_date == datetime.date(2026, 9, 1)
    again = bmc_core.Invoice.from_json(invoice.to_json())
    assert again == invoice


@pytest.mark.parametrize("case", VECTORS["validate"], ids=lambda c: c["file"])
def test_findings(case):
    invoice = bmc_core.read_invoice((ROOT / case["file"]).read_bytes())
    findings = bmc_core.validate(
        invoice,
        registration_date=datetime.date.fromisoformat(case["registration_date"]),
        technical_key=case.get("technical_key"),
        software_pin=case.get("software_pin"),
        environment=case["environment"],
    )
    assert sorted({f.code for f in findings}) == sorted(case["codes"])
    assert bmc_core.is_registrable(findings) == case["registrable"]
    for f in findings:
        assert f.message_es and f.message_en and f.severity in ("error", "warning", "info")


def test_hostile_xml_is_refused_with_a_code():
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Invoice>&a;</Invoice>'
    with pytest.raises(errors.InvalidFormat) as e:
        bmc_core.read_invoice(bomb)
    assert e.value.code == "INVOICE_XML_REFUSED"
    with pytest.raises(errors.BmcError) as e:
        bmc_core.read_invoice(b"%PDF-1.7 ...")
    assert e.value.code == "INVOICE_UNRECOGNIZED_FORMAT"
    with pytest.raises(errors.InvalidComponent) as e:
        bmc_core.invoice_from_ocr("level\t", "abbyy")
    assert e.value.code == "OCR_FORMAT_UNKNOWN"
    with pytest.raises(errors.BmcError) as e:
        bmc_core.invoice_from_ocr('{"Blocks": [{"BlockType": "WORD"}]}', "textract")
    assert e.value.code == "OCR_INPUT_INVALID"
    assert "Blocks[0]" in str(e.value)


def test_catalog_lookup_in_validation(tmp_path):
    catalog = bmc_core.Catalog.build(str(ROOT / "data/sample-catalog.csv.gz"), str(tmp_path / "index"))
    del catalog
    index = bmc_core.Catalog.open(str(tmp_path / "index"))
    invoice = bmc_core.read_invoice((ROOT / "data/invoices/FEV-0001.xml").read_bytes())
    findings = bmc_core.validate(invoice, registration_date=invoice.issue_date, catalog=index)
    assert "PRODUCT_NOT_IN_CATALOG" not in {f.code for f in findings}
    assert "PRODUCT_UNCLASSIFIED" not in {f.code for f in findings}


def test_a_float_where_money_is_expected_is_refused():
    import dataclasses

    invoice = bmc_core.read_invoice((ROOT / "data/invoices/FEV-0005.xml").read_bytes())
    line = dataclasses.replace(invoice.lines[0], base=30320108.8)
    broken = dataclasses.replace(invoice, lines=(line,) + invoice.lines[1:])
    with pytest.raises(TypeError, match="base must be decimal.Decimal"):
        bmc_core.validate(broken, registration_date=datetime.date(2026, 11, 29))
    as_text = dataclasses.replace(invoice, totals=dataclasses.replace(invoice.totals, payable="94774988.80"))
    with pytest.raises(TypeError, match="payable"):
        as_text.to_json()


FINDINGS = json.loads((ROOT / "tests/vectors/findings.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def findings_catalog(tmp_path_factory):
    index = tmp_path_factory.mktemp("findings") / "index"
    bmc_core.Catalog.build(str(ROOT / FINDINGS["catalog"]), str(index))
    return bmc_core.Catalog.open(str(index))


@pytest.mark.parametrize("case", FINDINGS["cases"], ids=lambda c: c["name"])
def test_every_finding_has_a_minimal_document(case, findings_catalog):
    invoice = bmc_core.Invoice.from_dict(case["invoice"])
    context = case["context"]
    findings = bmc_core.validate(
        invoice,
        registration_date=datetime.date.fromisoformat(context["registration_date"]),
        environment=context["environment"],
        technical_key=context.get("technical_key"),
        software_pin=context.get("software_pin"),
        catalog=findings_catalog if case.get("catalog") else None,
    )
    assert sorted({f.code for f in findings}) == case["codes"]


def _pointer(value, pointer):
    for name in pointer.strip("/").split("/"):
        value = value[int(name)] if isinstance(value, list) else value[name]
    return value


@pytest.mark.parametrize("case", VECTORS["correct"], ids=lambda c: c["name"])
def test_corrections(case):
    text = (ROOT / case["file"]).read_text(encoding="utf-8")
    invoice = bmc_core.invoice_from_ocr(text, case["format"])
    pairs = [(c["path"], c["value"]) for c in case["corrections"]]
    if "error" in case:
        with pytest.raises(bmc_core.errors.InvalidInput) as raised:
            bmc_core.invoice.correct(invoice, pairs)
        assert raised.value.code == case["error"]["code"]
        assert case["error"]["mentions"] in str(raised.value)
        return
    corrected, done = bmc_core.invoice.correct(invoice, pairs)
    assert [vars(d) for d in done] == case["corrected"]
    as_json = corrected.to_dict()
    for pointer, expected in case["expect"].items():
        assert _pointer(as_json, pointer) == expected, pointer
    assert sorted(corrected.source.doubtful_fields()) == case["doubtful"]
    assert corrected.field_text("cufe") == corrected.cufe
    # The invoice given is not changed.
    assert invoice.cufe != corrected.cufe

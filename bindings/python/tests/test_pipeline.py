"""Registration end to end from Python: the samples registered, events, JSON with decimal
strings, and the certificate PDF (deterministic)."""

import datetime
import json

import pytest

import bmc_core
from bmc_core import errors

from conftest import ROOT


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    index = tmp_path_factory.mktemp("pipeline") / "index"
    bmc_core.Catalog.build(str(ROOT / "data/sample-catalog.csv.gz"), str(index))
    return bmc_core.Pipeline(
        str(index),
        technical_keys=str(ROOT / "data/invoices/technical-keys.csv"),
        environment="test",
    )


def test_registers_an_invoice_with_events_and_a_certificate(pipeline):
    events = []
    r = pipeline.register(
        (ROOT / "data/invoices/FEV-0005.xml").read_bytes(), datetime.date(2026, 11, 29), events.append
    )
    assert r.registrable
    assert r.registration_id.startswith("RF-20261129-")
    assert [e["name"] for e in events] == ["invoice.uploaded", "invoice.validated", "commission.calculated"]
    assert events[2]["source"] == "bmc.commission.service"
    assert json.loads(events[2]["detail"])["total"] == "133392"
    data = json.loads(r.to_json())
    assert data["commission"]["total"] == "133392"
    assert data["verification_code"] == r.verification_code
    pdf = r.certificate()
    assert pdf.startswith(b"%PDF-") and pdf == r.certificate()


def test_refused_and_unreadable_documents(pipeline):
    r = pipeline.register((ROOT / "data/invoices/faulty/pos-document.xml").read_bytes(), datetime.date(2026, 11, 29))
    assert not r.registrable
    assert "commission" not in json.loads(r.to_json())
    with pytest.raises(errors.BmcError) as e:
        pipeline.register(b"<Order/>", datetime.date(2026, 11, 29))
    assert e.value.code == "INVOICE_UNKNOWN_DOCUMENT"


def test_register_many_gives_one_item_per_document_in_order(pipeline):
    good = (ROOT / "data/invoices/FEV-0005.xml").read_bytes()
    other = (ROOT / "data/invoices/FEV-0001.xml").read_bytes()
    hostile = b"<!DOCTYPE x [<!ENTITY a 'b'>]><Invoice/>"
    documents = [[good, b"<Order/>", other, hostile][i % 4] for i in range(23)]
    events = []
    results = pipeline.register_many(documents, datetime.date(2026, 11, 29), events=events.append)
    assert len(results) == len(documents)
    for i, r in enumerate(results):
        if i % 4 == 0:
            assert isinstance(r, bmc_core.Registration) and json.loads(r.to_json())["invoice"]["number"] == "SETP990000005"
        elif i % 4 == 2:
            assert json.loads(r.to_json())["invoice"]["number"] == "SETP990000001"
        else:
            assert isinstance(r, errors.BmcError)
            assert r.code == ("INVOICE_UNKNOWN_DOCUMENT" if i % 4 == 1 else "INVOICE_XML_REFUSED")
    uploaded = [e["document"] for e in events if e["name"] == "invoice.uploaded"]
    assert uploaded == list(range(23))

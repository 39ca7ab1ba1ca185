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
        technical_key="fc8eac422eba16e22ffd8c6f94b3f40a6e38162c",
        software_pin="12345",
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

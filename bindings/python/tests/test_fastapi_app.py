"""examples/python/fastapi_app.py through FastAPI's TestClient: every endpoint, Decimal
amounts as strings, coded errors, OpenAPI; and one catalog hammered from 8 threads."""

import importlib.util
import threading
from decimal import Decimal

import pytest

import bmc_core

from conftest import ROOT

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

KEY = "fc8eac422eba16e22ffd8c6f94b3f40a6e38162c"


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    path = tmp_path_factory.mktemp("fastapi") / "index"
    bmc_core.Catalog.build(str(ROOT / "data/sample-catalog.csv.gz"), str(path))
    return str(path)


@pytest.fixture(scope="module")
def client(index):
    spec = importlib.util.spec_from_file_location("fastapi_app", ROOT / "examples/python/fastapi_app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return TestClient(module.create_app(index, technical_key=KEY, environment="test"))


def test_products(client):
    hits = client.get("/products/search", params={"q": "café", "limit": 3}).json()
    assert len(hits) == 3
    code = hits[0]["product"]["product_code"]
    assert client.get(f"/products/{code}").json()["product_code"] == code
    assert client.get("/products/NO-SUCH").status_code == 404
    page = client.get("/products/classification/0901", params={"limit": 5}).json()
    assert 0 < len(page["products"]) <= 5
    assert all(p["dian_classification"].startswith("0901") for p in page["products"])


def test_commissions(client):
    body = {"issue_date": "2026-03-01", "lines": [{"tariff_code": "0901119000", "base": "1250000000.00"}]}
    c = client.post("/commissions/calculate", json=body).json()
    assert (c["fee"], c["iva"], c["total"]) == ("593750", "112813", "706563")
    assert c["rule_set"]["version"] == "2026-01-01"
    assert client.get("/commissions/rules/current").json()["id"] == "registro-facturas"
    bad = client.post("/commissions/calculate", json={"issue_date": "2026-03-01", "lines": [{"tariff_code": "7701000000", "base": "1"}]})
    assert bad.status_code == 400
    assert bad.json()["code"] == "COMMISSION_INVALID_LINE"
    assert "chapter 77" in bad.json()["message"] or "77" in bad.json()["message"]


def test_invoice_validation(client):
    xml = (ROOT / "data/invoices/FEV-0005.xml").read_bytes()
    out = client.post("/invoices/validate", content=xml, params={"registration_date": "2026-11-29"}).json()
    assert out["number"] == "SETP990000005" and out["registrable"] is True
    faulty = (ROOT / "data/invoices/faulty/tampered-total.xml").read_bytes()
    out = client.post("/invoices/validate", content=faulty, params={"registration_date": "2026-11-29"}).json()
    assert {f["code"] for f in out["findings"]} >= {"TOTALS_MISMATCH", "CUFE_MISMATCH"}
    tsv = (ROOT / "data/invoices/ocr/FEV-0004.tesseract.tsv").read_bytes()
    out = client.post("/invoices/validate", content=tsv, params={"format": "tesseract-tsv", "registration_date": "2026-11-29"}).json()
    assert out["source"] == "tesseract"
    hostile = client.post("/invoices/validate", content=b'<!DOCTYPE x [<!ENTITY a "b">]><Invoice/>')
    assert hostile.status_code == 400 and hostile.json()["code"] == "INVOICE_XML_REFUSED"
    assert "/invoices/validate" in client.get("/openapi.json").json()["paths"]


def test_one_catalog_from_eight_threads(index):
    catalog = bmc_core.Catalog.open(index)
    book = bmc_core.RuleBook.embedded()
    codes = [p.product_code for p in catalog.prefix("77", limit=200)]
    failures = []

    def work(n):
        try:
            for i in range(300):
                code = codes[(n * 37 + i) % len(codes)]
                assert catalog.get(code).product_code == code
                assert catalog.search("café", limit=2)
                c = book.calculate(
                    {"issue_date": "2026-03-01", "lines": [{"product_code": code, "base": Decimal("1000000.00")}]},
                    catalog=catalog,
                )
                assert c.total >= 0
        except Exception as e:  # noqa: BLE001 - reported below
            failures.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures

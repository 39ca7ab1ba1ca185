"""The catalog from Python: build with progress, queries, threads, errors, commissions."""

import datetime
import pathlib
import shutil
import threading
from decimal import Decimal

import pytest

from bmc_core import Catalog, Product, RuleBook, errors

ROOT = pathlib.Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "data" / "sample-catalog.csv.gz"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> pathlib.Path:
    index = tmp_path_factory.mktemp("catalog") / "index"
    events = []
    report = Catalog.build(SAMPLE, index, progress=events.append)
    assert report["products"] == 20_000 and report["invalid_count"] == 0
    assert {e["phase"] for e in events} >= {"finishing"}
    return index


@pytest.fixture(scope="module")
def catalog(index_dir) -> Catalog:
    return Catalog.open(index_dir)


def test_get_and_columns(catalog):
    first = catalog.prefix("7", limit=1)[0]
    p = catalog.get(first.product_code)
    assert isinstance(p, Product) and p == first
    d = p.to_dict()
    assert set(d) == {"product_id", "product_code", "product_name", "dian_classification",
                      "category_id", "unit_type", "is_active", "created_at", "updated_at"}
    assert isinstance(p.created_at, datetime.datetime)
    assert len(p.dian_classification) == 10
    assert catalog.get("no-such-code") is None
    assert catalog.get_many([first.product_code, "nope"]) == [first, None]
    assert len(catalog) == 20_000
    assert catalog.warm() > 1_000_000


def test_by_classification_pages(catalog):
    page = catalog.by_classification("09", active_only=True, limit=5)
    assert len(page["products"]) == 5 and page["next_offset"] == 5
    assert all(p.dian_classification.startswith("09") and p.is_active for p in page["products"])
    with pytest.raises(errors.InvalidInput) as info:
        catalog.by_classification("café")
    assert info.value.code == "CATALOG_QUERY_INVALID"
    # A search too large for one call is refused, not allocated.
    for limit, query in [(2**63, "cafe"), (10_001, "cafe"), (10, " ".join(["cafe"] * 65)),
                         (10, "a" * 100_000), (10, "cafe " + "b" * 65)]:
        with pytest.raises(errors.InvalidInput) as info:
            catalog.search(query, limit=limit)
        assert info.value.code == "CATALOG_QUERY_INVALID"


def test_search(catalog):
    hits = catalog.search("panela pulverisada", limit=5)
    assert hits and all("panela" in h["product"].product_name.lower() for h in hits)
    code = hits[0]["product"].product_code
    assert catalog.search(code, limit=1)[0]["matched"] == "code"
    filtered = catalog.search("cafe", limit=20, active_only=True, classification_prefix="09")
    assert filtered and all(h["product"].is_active for h in filtered)


def test_search_threads_do_not_change_results(catalog, index_dir):
    one = Catalog.open(index_dir, search_threads=1)
    for query in ["cafe tostado", "aceite de soya", "panela pulverisada", "de la"]:
        assert one.search(query, limit=10) == catalog.search(query, limit=10)


def test_eight_threads_share_one_catalog(catalog):
    codes = [p.product_code for p in catalog.prefix("", limit=2000)]
    failures = []

    def hammer(offset):
        try:
            for i in range(offset, len(codes), 8):
                assert catalog.get(codes[i]).product_code == codes[i]
            assert catalog.search("arroz blanco", limit=3)
            assert all(catalog.get_many(codes[offset:offset + 100]))
        except Exception as e:  # noqa: BLE001
            failures.append(e)

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_build_errors(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("product_id,product_code,product_name,dian_classification,category_id,"
                   "unit_type,is_active,created_at,updated_at\n1,A,Café,7701000000,90,kg,t,,\n",
                   encoding="utf-8")
    with pytest.raises(errors.InvalidInput) as info:
        Catalog.build(bad, tmp_path / "idx")
    assert info.value.code == "CATALOG_BUILD_REJECTED"
    report = Catalog.build(bad, tmp_path / "idx", skip_invalid=True)
    assert report["invalid"][0]["line"] == 2
    assert report["invalid"][0]["field"] == "dian_classification"
    with pytest.raises(errors.IndexError) as info:
        Catalog.open(tmp_path / "nothing")
    assert info.value.code == "CATALOG_FORMAT"

    def boom(_):
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        Catalog.build(SAMPLE, tmp_path / "idx2", progress=boom)


def test_corrupted_index_and_reload(tmp_path):
    index = tmp_path / "idx"
    Catalog.build(SAMPLE, index)
    catalog = Catalog.open(index)
    catalog.verify()
    strings = index / "strings.bin"
    data = bytearray(strings.read_bytes())
    data[len(data) // 2] ^= 0xFF
    strings.write_bytes(bytes(data))
    with pytest.raises(errors.IndexError) as info:
        catalog.verify()
    assert info.value.code == "CATALOG_CORRUPT"
    shutil.rmtree(index)
    Catalog.build(SAMPLE, index)
    catalog.reload()
    catalog.verify()


def test_commission_resolves_product_codes_through_the_catalog(catalog):
    coffee = catalog.by_classification("0901", active_only=True, limit=1)["products"][0]
    book = RuleBook.embedded()
    invoice = {"issue_date": "2026-03-01",
               "lines": [{"product_code": coffee.product_code, "base": Decimal("1000000000")}]}
    without = book.calculate(invoice)
    assert not without.eligible
    with_catalog = book.calculate(invoice, catalog=catalog)
    assert with_catalog.eligible and with_catalog.fee == Decimal("500000")
    assert with_catalog.lines[0]["tariff_code"] == coffee.dian_classification


def test_delta_and_compaction(tmp_path):
    index = tmp_path / "idx"
    Catalog.build(SAMPLE, index)
    catalog = Catalog.open(index)
    target = catalog.by_classification("0901", active_only=True, limit=1)["products"][0]
    row = target.to_dict()
    delta = tmp_path / "delta.csv"
    delta.write_text(
        "product_id,product_code,product_name,dian_classification,category_id,unit_type,"
        "is_active,created_at,updated_at\n"
        f"{row['product_id']},{row['product_code']},Café renombrado,{row['dian_classification']},"
        f"{row['category_id']},{row['unit_type']},f,,2026-11-01 00:00:00\n"
        "999999,NUEVO-1,Aguacate Hass nuevo,0804400000,80,kg,t,,\n", encoding="utf-8")
    report = catalog.apply_delta(delta)
    assert report["upserted"] == 2 and report["overlay_products"] == 2
    assert catalog.get(target.product_code).product_name == "Café renombrado"
    assert not catalog.get(target.product_code).is_active
    assert len(catalog) == 20_001
    assert catalog.search("NUEVO-1")[0]["matched"] == "code"
    assert catalog.stats()["overlay_products"] == 2
    catalog.compact()
    assert catalog.stats()["overlay_products"] == 0
    assert catalog.get("NUEVO-1").product_name == "Aguacate Hass nuevo"
    assert len(catalog) == 20_001

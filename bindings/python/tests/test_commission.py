"""Commissions from Python: the rule cases beside the rules, money types, errors, batches."""

import datetime
import json
import pathlib
import threading
import tomllib
from decimal import Decimal

import pytest

from bmc_core import Commission, RuleBook, errors

ROOT = pathlib.Path(__file__).resolve().parents[3]
RULES = ROOT / "rules" / "registro-facturas"


def _cases():
    for path in sorted((RULES / "cases").glob("*.toml")):
        for case in tomllib.loads(path.read_text(encoding="utf-8"))["case"]:
            yield pytest.param(case, id=f"{path.stem}: {case['name']}")


def _invoice(case: dict) -> dict:
    lines = []
    for line in case["lines"]:
        converted = dict(line)
        converted["base"] = Decimal(line["base"])
        lines.append(converted)
    return {"issue_date": case["issue_date"], "lines": lines}


@pytest.fixture(scope="module")
def book() -> RuleBook:
    return RuleBook.load(RULES)


@pytest.mark.parametrize("case", list(_cases()))
def test_rule_cases(book, case):
    expect = case["expect"]
    if "error" in expect:
        with pytest.raises(errors.BmcError) as info:
            book.calculate(_invoice(case), as_of=case.get("as_of"), trace=True)
        assert info.value.code == expect["error"]
        return
    c = book.calculate(_invoice(case), as_of=case.get("as_of"), trace=True)
    assert c.eligible == expect["eligible"]
    for field in ("fee", "iva", "total"):
        got = getattr(c, field)
        assert isinstance(got, Decimal)
        assert str(got) == expect[field], field
    assert c.limit == expect["limit"]
    assert c.rule_set["version"] == expect["rule_set_version"]
    for key, value in expect.get("trace", {}).items():
        assert Decimal(c.trace_value(key)) == Decimal(value), key


def test_case_count():
    assert len(list(_cases())) >= 40


def test_embedded_book_matches_the_folder(book):
    assert [v["hash"] for v in RuleBook.embedded().versions()] == [
        v["hash"] for v in book.versions()
    ]
    assert book.in_force(datetime.date(2025, 7, 1))["valid_from"] == datetime.date(2025, 1, 1)


def test_result_shape_and_scale(book):
    c = book.calculate({"issue_date": "2026-03-01", "lines": [
        {"id": "1", "tariff_code": "0901.11.90.00", "base": Decimal("1250000000.00")},
        {"id": "2", "tariff_code": "8433510000", "base": Decimal("5000000.50")},
    ]}, trace=True)
    assert isinstance(c, Commission)
    assert (c.fee, c.iva, c.total) == (Decimal("593750"), Decimal("112813"), Decimal("706563"))
    assert c.groups[0]["group"] == "cafe"
    assert str(c.groups[0]["base"]) == "1250000000.00"  # scale preserved
    assert c.lines[1]["eligible"] is False and "84" in c.lines[1]["reason"]
    assert c.lines[0]["tariff_code"] == "0901119000"
    data = json.loads(c.to_json())
    assert data["fee"] == "593750" and data["rule_set"]["version"] == "2026-01-01"
    assert "fee=Decimal('593750')" in repr(c)


@pytest.mark.parametrize("bad", [1250000.0, "1250000", None])
def test_money_must_be_decimal(book, bad):
    with pytest.raises(TypeError, match=r"invoice\['lines'\]\[0\]\['base'\] must be a decimal"):
        book.calculate({"issue_date": "2026-03-01",
                        "lines": [{"tariff_code": "0901119000", "base": bad}]})


def test_errors_are_typed(book):
    with pytest.raises(errors.NotFound) as info:
        book.calculate({"issue_date": datetime.date(2024, 5, 1),
                        "lines": [{"tariff_code": "0901119000", "base": Decimal(1)}]})
    assert info.value.code == "RULESET_NOT_IN_FORCE"
    with pytest.raises(errors.InvalidInput) as info:
        book.calculate({"issue_date": "2026-03-01",
                        "lines": [{"tariff_code": "7701000000", "base": Decimal(1)}]})
    assert info.value.code == "COMMISSION_INVALID_LINE"
    assert "line 1" in str(info.value) and "TARIFF_CHAPTER_UNKNOWN" in str(info.value)
    with pytest.raises(errors.FileError) as info:
        RuleBook.load("/no/such/rules")
    assert info.value.code == "RULES_IO"


def test_batch_matches_single_and_threads_share_a_book(book):
    invoices = [{"issue_date": "2026-03-01",
                 "lines": [{"tariff_code": "0803901200", "base": Decimal(n * 1000003)}]}
                for n in range(1, 600)]
    batch = book.calculate_batch(invoices)
    assert [c.fee for c in batch] == [book.calculate(i).fee for i in invoices]

    failures = []

    def work():
        try:
            for inv in invoices[:200]:
                assert book.calculate(inv).total > 0
        except Exception as e:  # noqa: BLE001
            failures.append(e)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_reload_swaps_rules_and_keeps_them_on_error(tmp_path):
    import shutil

    folder = tmp_path / "registro-facturas"
    shutil.copytree(RULES, folder)
    book = RuleBook.load(folder)
    invoice = {"issue_date": "2026-03-01",
               "lines": [{"tariff_code": "0803901200", "base": Decimal("1000000000")}]}
    assert book.calculate(invoice).fee == Decimal("800000")
    groups = folder / "2026-01-01" / "groups.csv"
    groups.write_text(groups.read_text(encoding="utf-8").replace("0.08", "0.09"), encoding="utf-8")
    assert book.reload() == folder
    assert book.calculate(invoice).fee == Decimal("900000")
    groups.write_text("broken\n", encoding="utf-8")
    with pytest.raises(errors.RuleError):
        book.reload()
    assert book.calculate(invoice).fee == Decimal("900000")
    with pytest.raises(errors.FileError):
        RuleBook.embedded().reload()

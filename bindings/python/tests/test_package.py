"""The package's shape: stubs, exceptions, docs."""

import ast
import doctest
import importlib
import pathlib

import pytest

import bmc_core
from conftest import ROOT
from bmc_core import codes, cude, cufe, errors, ids, nit


def test_exceptions_live_in_bmc_core_errors():
    for cls in (errors.InvalidLength, errors.InvalidFormat, errors.InvalidChecksum,
                errors.InvalidComponent, errors.Mismatch):
        assert issubclass(cls, errors.BmcError)
        assert cls.__module__ == "bmc_core.errors"
    assert issubclass(errors.BmcError, ValueError)


def test_docstring_examples_run():
    for module in (bmc_core, nit, codes, cufe, cude, ids, errors):
        failed, _ = doctest.testmod(module)
        assert failed == 0, module.__name__


def test_typed_package():
    root = pathlib.Path(bmc_core.__file__).parent
    assert (root / "py.typed").exists()
    assert (root / "_native.pyi").exists()


def test_stub_names_match_the_module():
    """Every public name of the extension is in its stub, and every stub name exists."""
    native = importlib.import_module("bmc_core._native")
    stub = ast.parse((pathlib.Path(bmc_core.__file__).parent / "_native.pyi").read_text())
    declared = set()
    for node in stub.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            declared.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            declared.add(node.target.id)
    public = {n for n in dir(native) if not n.startswith("_")} | {"__version__"}
    assert public == declared


def test_id_types():
    assert ("31", "NIT", True) in ids.id_types()
    assert ids.FINAL_CONSUMER_ID == "222222222222"
    try:
        ids.id_type_name("99")
    except errors.InvalidComponent as e:
        assert e.code == "ID_TYPE_UNKNOWN"
    else:
        raise AssertionError("99 is not an id type")


def test_describe_tariff():
    d = codes.describe_tariff("0901.11.90.00")
    assert d["formatted"] == "0901.11.90.00"
    assert d["heading"]["code"] == "0901"
    assert codes.gs1_check_digit("770200400350") == 8


@pytest.mark.parametrize("name", ["identifiers", "invoices", "register"])
def test_example_prints_what_every_language_prints(name):
    """examples/python/<name>.py prints exactly the Rust and Node examples' output."""
    import subprocess
    import sys

    root = pathlib.Path(__file__).resolve().parents[3]
    run = subprocess.run([sys.executable, str(root / f"examples/python/{name}.py")],
                         capture_output=True, text=True, check=True, cwd=root)
    assert run.stdout == (root / f"examples/{name}.expected.txt").read_text()


def test_error_codes_are_the_cores_and_documented():
    import re

    assert len(errors.CODES) == len(set(errors.CODES)) >= 50
    assert "PIPELINE_INTERNAL_ERROR" in errors.CODES and "NIT_INVALID_CHECKSUM" in errors.CODES
    docs = (ROOT / "docs/errors.md").read_text(encoding="utf-8").split("\n## ")
    section = next(s for s in docs if s.startswith("Errors"))
    assert set(re.findall(r"^\| `([A-Z0-9_]+)`", section, re.M)) == set(errors.CODES)
    assert issubclass(errors.InternalError, errors.BmcError)


def test_bad_inputs_raise_coded_errors_not_bare_builtins(tmp_path):
    import datetime
    from decimal import Decimal

    with pytest.raises(errors.InvalidInput) as e:
        bmc_core.Invoice.from_dict({"kind": "invoice"})
    assert e.value.code == "INVOICE_INVALID_JSON" and "missing field" in str(e.value)
    with pytest.raises(errors.InvalidInput) as e:
        bmc_core.Invoice.from_json("{not json")
    assert e.value.code == "INVOICE_INVALID_JSON"

    index = tmp_path / "index"
    bmc_core.Catalog.build(str(ROOT / "tests/vectors/findings-catalog.csv"), str(index))
    catalog = bmc_core.Catalog.open(str(index))
    for call in (
        lambda: catalog.search("harina", limit=2**70),
        lambda: catalog.search("harina", limit=-1),
        lambda: catalog.by_classification("11", offset=2**80),
        lambda: catalog.prefix("7", limit=-5),
        lambda: bmc_core.Catalog.open(str(index), search_threads=2**65),
    ):
        with pytest.raises(errors.InvalidInput) as e:
            call()
        assert e.value.code == "INVALID_ARGUMENT"

    book = bmc_core.RuleBook.embedded()
    with pytest.raises(errors.InvalidInput) as e:
        book.calculate({"issue_date": "2026-03-01", "lines": [{"tariff_code": "0901119000", "base": Decimal("1e40")}]})
    assert e.value.code == "MONEY_OUT_OF_RANGE"
    good = {"issue_date": "2026-03-01", "lines": [{"tariff_code": "0901119000", "base": Decimal("100")}]}
    bad = {"issue_date": "2026-03-01", "lines": [{"tariff_code": "0901119000", "base": Decimal("-100")}]}
    with pytest.raises(errors.InvalidInput) as e:
        book.calculate_batch([good, good, bad])
    assert e.value.code == "COMMISSION_INVALID_LINE" and e.value.index == 2
    assert str(e.value).startswith("invoices[2]: ")
    with pytest.raises(errors.InvalidInput) as e:
        book.calculate({"issue_date": "2026-02-30", "lines": []})
    assert e.value.code == "INVALID_ARGUMENT"
    with pytest.raises(errors.InvalidInput) as e:
        book.calculate({"lines": []})
    assert e.value.code == "INVALID_ARGUMENT" and "issue_date" in str(e.value)

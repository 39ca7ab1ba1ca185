import json
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def dian_vectors() -> dict:
    return json.loads((ROOT / "tests" / "vectors" / "dian.json").read_text(encoding="utf-8"))

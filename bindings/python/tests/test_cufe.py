"""CUFE specifics: money types, dates, mismatches."""

import datetime
from decimal import Decimal

import pytest

from bmc_core import cufe, errors

ANNEX = dict(
    number="323200000129", issue_date=datetime.date(2019, 1, 16), issue_time="10:53:10-05:00",
    subtotal=Decimal("1500000.00"), iva=Decimal("285000.00"), inc=Decimal("0.00"),
    ica=Decimal("0.00"), total=Decimal("1785000.00"), seller_nit="700085371",
    buyer_id="800199436", technical_key="693ff6f2a553c3646a063436fd4dd9ded0311471",
    environment=1,
)
CODE = ("8bb918b19ba22a694f1da11c643b5e9de39adf60311cf179179e9b33381030bc"
        "d4c3c3f156c506ed5908f9276f5bd9b4")


def test_annex_vector_with_date_object_and_int_amounts():
    assert cufe.compute(**ANNEX) == CODE
    assert cufe.compute(**dict(ANNEX, subtotal=1500000, inc=0, ica=0)) == CODE
    assert cufe.compute(**dict(ANNEX, total=Decimal("1.785E+6"))) == CODE


@pytest.mark.parametrize("bad", [1500000.0, "1500000.00", True, None])
def test_money_refuses_floats_strings_and_bools(bad):
    with pytest.raises(TypeError, match="subtotal must be a decimal.Decimal"):
        cufe.compute(**dict(ANNEX, subtotal=bad))


def test_mismatch_names_both_codes():
    with pytest.raises(errors.Mismatch) as info:
        cufe.verify(CODE, **dict(ANNEX, total=Decimal("1785000.01")))
    assert info.value.code == "CUFE_MISMATCH"
    assert CODE in str(info.value)


def test_environment_and_date_errors():
    with pytest.raises(errors.InvalidFormat) as info:
        cufe.compute(**dict(ANNEX, environment=3))
    assert info.value.code == "CUFE_INVALID_FIELD"
    with pytest.raises(ValueError, match="issue_date"):
        cufe.compute(**dict(ANNEX, issue_date="16/01/2019"))

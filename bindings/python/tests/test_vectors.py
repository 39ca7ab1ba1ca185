"""The shared identifier vectors (tests/vectors/dian.json), also run by Rust and Node."""

from decimal import Decimal

import pytest

from bmc_core import codes, cude, cufe, errors, nit


def test_nit_vectors(dian_vectors):
    for v in dian_vectors["nit"]:
        text = v["input"]
        assert nit.compact(text) == v["compact"], text
        assert nit.is_valid(text) == v["valid"], text
        if v["valid"]:
            assert nit.validate(text) == v["compact"]
        else:
            with pytest.raises(errors.BmcError) as info:
                nit.validate(text)
            assert info.value.code == v["error"], text
        if v["formatted"] is None:
            with pytest.raises(errors.InvalidLength):
                nit.format(text)
        else:
            assert nit.format(text) == v["formatted"]
    for v in dian_vectors["nit_check_digit"]:
        assert nit.calc_check_digit(v["base"]) == v["check_digit"]


def test_product_code_vectors(dian_vectors):
    for v in dian_vectors["product_codes"]:
        scheme, text = v["scheme"], v["input"]
        assert codes.is_valid(scheme, text) == v["valid"], (scheme, text)
        if v["valid"]:
            assert codes.validate(scheme, text) == v["normalized"]
            assert codes.format(scheme, text) == v["formatted"]
        else:
            with pytest.raises(errors.BmcError) as info:
                codes.validate(scheme, text)
            assert info.value.code == v["error"], (scheme, text)


def test_hs_vectors(dian_vectors):
    for v in dian_vectors["hs"]:
        entry = codes.hs_lookup(v["code"])
        if v["description"] is None:
            assert entry is None
        else:
            assert entry is not None
            assert entry["description"] == v["description"]
            assert entry["level"] == v["level"]


def _kwargs(fields: dict, key_name: str) -> dict:
    kw = {k: Decimal(v) if k in {"subtotal", "iva", "inc", "ica", "total"} else v
          for k, v in fields.items() if k != "key"}
    kw[key_name] = fields["key"]
    return kw


def test_cufe_vectors(dian_vectors):
    for v in dian_vectors["cufe"]:
        kw = _kwargs(v["fields"], "technical_key")
        assert cufe.preimage(**kw) == v["preimage"]
        assert cufe.compute(**kw) == v["cufe"]
        assert cufe.verify(v["cufe"].upper(), **kw) == v["cufe"]
        # A CUDE is the same hash with the software PIN in the key's place.
        assert cude.compute(**_kwargs(v["fields"], "software_pin")) == v["cufe"]
    for v in dian_vectors["cufe_errors"]:
        with pytest.raises(errors.BmcError) as info:
            cufe.compute(**_kwargs(v["fields"], "technical_key"))
        assert info.value.code == v["error"]

"""Product codes by DIAN scheme, and the HS 2022 nomenclature.

Schemes: ``"020"`` subpartida arancelaria (10 digits; the chapter must exist and the first six
digits must be an HS 2022 subheading), ``"001"`` UNSPSC (8 digits), ``"010"`` GTIN (8, 12, 13
or 14 digits with a GS1 check digit), ``"999"`` the seller's own code (up to 20 characters).

>>> validate('020', '0901.11.90.00')
'0901119000'
>>> format('020', '0901119000')
'0901.11.90.00'
>>> hs_lookup('0901')['description'][:6]
'Coffee'
"""

from typing import Literal, TypedDict

from bmc_core import _native

Scheme = Literal["020", "001", "010", "999"]


class HsEntry(TypedDict):
    """An HS 2022 chapter, heading or subheading."""

    code: str
    level: Literal["chapter", "heading", "subheading"]
    section: str
    section_name: str
    description: str


class TariffDescription(TypedDict):
    """A subpartida with its chapter, heading and subheading in HS 2022."""

    code: str
    formatted: str
    chapter: HsEntry
    heading: HsEntry
    subheading: HsEntry


def validate(scheme: str, code: str) -> str:
    """Check ``code`` under ``scheme`` and return it normalised (no separators)."""
    return _native.code_validate(scheme, code)


def is_valid(scheme: str, code: str) -> bool:
    """Whether ``code`` is valid under ``scheme``."""
    return _native.code_is_valid(scheme, code)


def format(scheme: str, code: str) -> str:  # noqa: A001
    """Check ``code`` and return it as people read it (a subpartida with dots)."""
    return _native.code_format(scheme, code)


def gs1_check_digit(digits: str) -> int:
    """The GS1 mod-10 check digit of ``digits`` (a GTIN without its check digit)."""
    return _native.gs1_check_digit(digits)


def hs_lookup(code: str) -> HsEntry | None:
    """Look up an HS 2022 chapter (2 digits), heading (4) or subheading (6)."""
    return _native.hs_lookup(code)  # type: ignore[return-value]


def describe_tariff(code: str) -> TariffDescription:
    """Check a subpartida and return its chapter, heading and subheading descriptions."""
    return _native.tariff_describe(code)  # type: ignore[return-value]


__all__ = [
    "HsEntry",
    "Scheme",
    "TariffDescription",
    "describe_tariff",
    "format",
    "gs1_check_digit",
    "hs_lookup",
    "is_valid",
    "validate",
]

"""NIT (Número de Identificación Tributaria) and its dígito de verificación.

The functions have the names and the results of python-stdnum's ``stdnum.co.nit``, checked by
a differential test over generated inputs; they raise :mod:`bmc_core.errors` exceptions, which
mirror stdnum's (``InvalidLength``, ``InvalidFormat``, ``InvalidChecksum``).

>>> validate('800.197.268-4')
'8001972684'
>>> calc_check_digit('800197268')
'4'
>>> format('8001972684')
'800.197.268-4'

One deliberate difference: ``calc_check_digit`` raises ``InvalidLength`` for an empty base or
one of more than 15 digits (DIAN's weights cover 15), and ``InvalidFormat`` for anything but
ASCII digits, where stdnum silently ignores the extra digits.
"""

from bmc_core import _native


def compact(number: str) -> str:
    """Convert the number to the minimal representation: separators (dots, commas, spaces,
    hyphens and their Unicode look-alikes) removed, upper-cased, stripped."""
    return _native.nit_compact(number)


def calc_check_digit(number: str) -> str:
    """Calculate the check digit of a NIT base number (1 to 15 digits, without the check
    digit)."""
    return _native.nit_calc_check_digit(number)


def validate(number: str) -> str:
    """Check the length, the characters and the check digit; return the compact form."""
    return _native.nit_validate(number)


def is_valid(number: str) -> bool:
    """Whether the number is a valid NIT with its check digit."""
    return _native.nit_is_valid(number)


def format(number: str) -> str:  # noqa: A001 - the name stdnum uses
    """Reformat the number as DIAN prints it: ``800.197.268-4``."""
    return _native.nit_format(number)


__all__ = ["calc_check_digit", "compact", "format", "is_valid", "validate"]

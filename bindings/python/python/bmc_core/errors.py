"""Exceptions raised by bmc_core.

Every exception derives from :class:`BmcError` (itself a ``ValueError``) and carries
``.code``, the stable error code of the Rust core (such as ``"NIT_INVALID_CHECKSUM"``), which
never changes wording. The classes mirror python-stdnum's so that code catching
``InvalidChecksum`` keeps working.

>>> from bmc_core import nit, errors
>>> try:
...     nit.validate("800197268-5")
... except errors.InvalidChecksum as e:
...     print(e.code)
NIT_INVALID_CHECKSUM
"""

from bmc_core._native import (
    ERROR_CODES,
    BmcError,
    FileError,
    InvalidChecksum,
    InvalidComponent,
    IndexError,
    InternalError,
    InvalidFormat,
    InvalidInput,
    InvalidLength,
    Mismatch,
    NotFound,
    RuleError,
)

#: Every error code of the Rust core (``bmc_core::ERROR_CODES``); the packages add
#: ``INVALID_ARGUMENT`` and ``MONEY_OUT_OF_RANGE`` (see docs/errors.md).
CODES: tuple[str, ...] = tuple(ERROR_CODES)

__all__ = [
    "CODES",
    "BmcError",
    "FileError",
    "InvalidChecksum",
    "InvalidComponent",
    "IndexError",
    "InternalError",
    "InvalidFormat",
    "InvalidInput",
    "InvalidLength",
    "Mismatch",
    "NotFound",
    "RuleError",
]

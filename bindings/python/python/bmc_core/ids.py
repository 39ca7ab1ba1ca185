"""Identity document types (DIAN's code list) and the final-consumer id.

>>> id_type_name('31')
'NIT'
>>> is_final_consumer('222.222.222.222')
True
"""

from bmc_core import _native

#: The id DIAN reserves for an unidentified final consumer; such invoices cannot be registered.
FINAL_CONSUMER_ID: str = _native.FINAL_CONSUMER_ID


def id_types() -> list[tuple[str, str, bool]]:
    """Every identity document type as ``(code, name, has_check_digit)``."""
    return _native.id_types()


def id_type_name(code: str) -> str:
    """The Spanish name of an id type code; ``InvalidComponent`` for an unknown code."""
    return _native.id_type_name(code)


def is_final_consumer(number: str) -> bool:
    """Whether ``number`` is the final-consumer id, ignoring separators."""
    return _native.is_final_consumer(number)


__all__ = ["FINAL_CONSUMER_ID", "id_type_name", "id_types", "is_final_consumer"]

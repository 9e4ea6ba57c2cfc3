"""Row ids as they arrive from forms, URLs and JSON: one rule for what counts as an id."""

from infoconnect.core.errors import DomainError, ErrorCode
from infoconnect.core.pagination import MAX_ID


def is_id(value: object) -> bool:
    """A positive integer that fits a 64-bit primary key (True and False are not ids)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def parse_id(value: object) -> int | None:
    """``value`` as an id if it is one, from an int or a string of ASCII digits; else None."""
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 19:
            return None
        value = int(text)
    return value if is_id(value) else None


def require_id(value: object, error: ErrorCode) -> int:
    """``value`` as an id, or ``error`` (a not-found code: no such row can exist)."""
    found = parse_id(value)
    if found is None:
        raise DomainError(error)
    return found

"""Text cells for a CSV a spreadsheet opens (the spend CSV, the monthly statement)."""

from __future__ import annotations

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """Text a spreadsheet shows as text: a leading formula character is quoted away."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text

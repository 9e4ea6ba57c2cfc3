"""Text cells for a CSV a spreadsheet opens (the spend CSV, the statements, the wallet and
campaign exports)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain amount or count ("-12.50", "300"): a spreadsheet reads it as the number it is.
PLAIN_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?")


def safe_cell(text: str) -> str:
    """Text a spreadsheet shows as text: a leading formula character is quoted away."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def safe_row(row: Iterable[object]) -> list[object]:
    """Every text cell of ``row`` made safe; numbers, and text that is a plain number, kept."""
    return [
        safe_cell(cell) if isinstance(cell, str) and not PLAIN_NUMBER.fullmatch(cell) else cell
        for cell in row
    ]


class SafeWriter:
    """A ``csv.writer`` whose every row goes through ``safe_row``: no export can forget a
    cell that a person typed (a product title, a note, a name)."""

    def __init__(self, target, **options) -> None:
        self._writer = csv.writer(target, **options)

    def writerow(self, row: Iterable[object]):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(target, **options) -> SafeWriter:
    return SafeWriter(target, **options)

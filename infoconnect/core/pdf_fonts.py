"""The font our PDFs write Chinese in: ReportLab's built-in CID font STSong-Light. The PDF
names a font every reader has for Chinese, so nothing needs installing where it is made
(WeasyPrint would need Chinese system fonts on every server)."""

from __future__ import annotations

import functools

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

CHINESE_FONT = "STSong-Light"


@functools.cache
def chinese_font() -> str:
    """The font's name, registered with ReportLab (once per process)."""
    pdfmetrics.registerFont(UnicodeCIDFont(CHINESE_FONT))
    return CHINESE_FONT

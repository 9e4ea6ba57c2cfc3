"""An invoice as the PDF a finance clerk knows: the 电子发票 layout with buyer and seller
blocks, the line table, totals and 价税合计 in figures and in capital numerals.

ReportLab in its built-in CID font (core/pdf_fonts.py), so Chinese renders where nothing is
installed. The face of an invoice is fixed in Chinese by the tax authority, so its labels
are not translated. Lines are drawn straight on the canvas (no flowables): a
1,000-line merged invoice renders in well under a second.
"""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal

import cn2an
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from infoconnect.core.money import plain_amount
from infoconnect.core.pdf_fonts import chinese_font
from infoconnect.invoicing.models import Invoice, InvoiceLine
from infoconnect.invoicing.vat import rate_label

FONT = chinese_font()

PAGE_W, PAGE_H = landscape(A4)
MARGIN = 36
ROW_H = 15
BROWN = colors.Color(0.55, 0.27, 0.07)  # the ink of a printed invoice's frame
RED = colors.Color(0.8, 0.1, 0.1)

# Columns: label, left x, width, alignment.
COLUMNS = (
    ("项目名称", MARGIN, 230, "left"),
    ("规格型号", MARGIN + 230, 110, "left"),
    ("单位", MARGIN + 340, 40, "center"),
    ("数量", MARGIN + 380, 60, "right"),
    ("单价", MARGIN + 440, 90, "right"),
    ("金额", MARGIN + 530, 90, "right"),
    ("税率/征收率", MARGIN + 620, 60, "center"),
    ("税额", MARGIN + 680, 90, "right"),
)
TABLE_W = 770
FIRST_TABLE_TOP = PAGE_H - 200
LATER_TABLE_TOP = PAGE_H - 90
TOTALS_H = 95
FOOTER_Y = MARGIN - 12


def unit_net(line: InvoiceLine) -> str:
    """The net unit price as invoices print it: up to 8 decimals, at least 2."""
    if not line.quantity:
        return ""
    value = (Decimal(line.net) / 100 / Decimal(line.quantity)).quantize(
        Decimal("0.00000001"), rounding=ROUND_HALF_UP
    )
    text = f"{value:f}".rstrip("0")
    whole, _dot, decimals = text.partition(".")
    return f"{whole}.{decimals.ljust(2, '0')}"


def capitals(fen: int) -> str:
    """价税合计 in capital numerals (cn2an), 负数 marked as on a red-letter invoice."""
    words = cn2an.an2cn(plain_amount(abs(fen)), "rmb")
    return f"（负数）{words}" if fen < 0 else words


def title_of(invoice: Invoice) -> str:
    kind = "增值税专用发票" if invoice.kind == Invoice.Kind.SPECIAL else "普通发票"
    return f"电子发票（{kind}）"


def _fit(text: str, width: float, size: float) -> str:
    if pdfmetrics.stringWidth(text, FONT, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", FONT, size) > width:
        text = text[:-1]
    return text + "…"


class _Writer:
    def __init__(self, invoice: Invoice, lines: list[InvoiceLine]) -> None:
        self.invoice = invoice
        self.lines = lines
        self.buffer = io.BytesIO()
        self.canvas = canvas.Canvas(self.buffer, pagesize=(PAGE_W, PAGE_H), pageCompression=1)
        self.canvas.setTitle(f"{title_of(invoice)} {invoice.number or ''}".strip())
        self.canvas.setAuthor(str(invoice.seller.get("name", "")))
        first = int((FIRST_TABLE_TOP - ROW_H - MARGIN - TOTALS_H) // ROW_H)
        later = int((LATER_TABLE_TOP - ROW_H - MARGIN - TOTALS_H) // ROW_H)
        self.first_rows, self.later_rows = first, later
        extra = max(0, len(lines) - first)
        self.pages = 1 + -(-extra // later)

    def text(self, x, y, value, size=9, align="left", color=colors.black) -> None:
        c = self.canvas
        c.setFillColor(color)
        c.setFont(FONT, size)
        if align == "right":
            c.drawRightString(x, y, value)
        elif align == "center":
            c.drawCentredString(x, y, value)
        else:
            c.drawString(x, y, value)

    def head(self, page: int) -> float:
        inv = self.invoice
        color = RED if inv.is_red else BROWN
        self.text(PAGE_W / 2, PAGE_H - 50, title_of(inv), size=18, align="center", color=color)
        if inv.is_red:
            self.text(PAGE_W / 2 + 150, PAGE_H - 50, "红字", size=16, color=RED)
        issued = timezone.localtime(inv.issued_at or inv.created_at)
        right = PAGE_W - MARGIN
        self.text(right - 190, PAGE_H - 42, f"发票号码：{inv.number or '（待开具）'}", size=10)
        self.text(right - 190, PAGE_H - 58, f"开票日期：{issued:%Y年%m月%d日}", size=10)
        if inv.is_red and inv.original_id:
            number = inv.original.number if inv.original else ""
            self.text(MARGIN, PAGE_H - 58, f"对应蓝字发票号码：{number}", size=10, color=RED)
        if page > 1:
            return LATER_TABLE_TOP
        self.party(MARGIN, "购买方信息", inv.buyer)
        self.party(MARGIN + TABLE_W / 2, "销售方信息", inv.seller)
        return FIRST_TABLE_TOP

    def party(self, x: float, label: str, block: dict) -> None:
        c = self.canvas
        top, height, width = PAGE_H - 75, 110, TABLE_W / 2
        c.setStrokeColor(BROWN)
        c.rect(x, top - height, width, height)
        c.line(x + 22, top, x + 22, top - height)
        for i, char in enumerate(label):
            self.text(x + 11, top - 20 - i * 16, char, size=10, align="center", color=BROWN)
        rows = (
            ("名称", block.get("name", "")),
            ("统一社会信用代码/纳税人识别号", block.get("taxpayer_id", "")),
            ("地址、电话", block.get("address_phone", "")),
            ("开户行及账号", block.get("bank_account", "")),
        )
        for i, (name, value) in enumerate(rows):
            y = top - 22 - i * 24
            self.text(x + 30, y, f"{name}：", size=9, color=BROWN)
            shift = pdfmetrics.stringWidth(f"{name}：", FONT, 9)
            self.text(x + 30 + shift, y, _fit(str(value), width - 40 - shift, 9), size=9)

    def table_head(self, top: float) -> float:
        c = self.canvas
        c.setStrokeColor(BROWN)
        c.rect(MARGIN, top - ROW_H, TABLE_W, ROW_H)
        for label, x, width, _align in COLUMNS:
            self.text(x + width / 2, top - ROW_H + 4, label, size=9, align="center", color=BROWN)
        return top - ROW_H

    def row(self, y: float, line: InvoiceLine) -> None:
        values = (
            line.name,
            line.spec,
            line.unit,
            str(line.quantity),
            unit_net(line),
            plain_amount(line.net),
            rate_label(line.tax_rate),
            plain_amount(line.tax),
        )
        for (_label, x, width, align), value in zip(COLUMNS, values, strict=True):
            value = _fit(value, width - 6, 8.5)
            anchor = {"left": x + 3, "right": x + width - 3, "center": x + width / 2}[align]
            self.text(anchor, y - ROW_H + 4, value, size=8.5, align=align)

    def totals(self, y: float) -> None:
        inv, c = self.invoice, self.canvas
        c.setStrokeColor(BROWN)
        c.line(MARGIN, y, MARGIN + TABLE_W, y)
        self.text(MARGIN + 100, y - 14, "合　　计", size=10, align="center", color=BROWN)
        amount_col, tax_col = COLUMNS[5], COLUMNS[7]
        self.text(
            amount_col[1] + amount_col[2] - 3,
            y - 14,
            f"¥{plain_amount(inv.net)}",
            size=10,
            align="right",
        )
        self.text(
            tax_col[1] + tax_col[2] - 3, y - 14, f"¥{plain_amount(inv.tax)}", size=10, align="right"
        )
        c.rect(MARGIN, y - 44, TABLE_W, 24)
        self.text(MARGIN + 6, y - 36, "价税合计（大写）", size=10, color=BROWN)
        self.text(MARGIN + 100, y - 36, capitals(inv.total), size=10)
        self.text(MARGIN + 520, y - 36, "（小写）", size=10, color=BROWN)
        self.text(MARGIN + 560, y - 36, f"¥{plain_amount(inv.total)}", size=10)
        note = self.remark()
        c.rect(MARGIN, y - 74, TABLE_W, 30)
        self.text(MARGIN + 6, y - 62, "备注", size=10, color=BROWN)
        self.text(MARGIN + 40, y - 62, _fit(note, TABLE_W - 50, 9), size=9)
        issuer = inv.seller.get("issuer", "")
        self.text(MARGIN, y - 90, f"开票人：{issuer}", size=10, color=BROWN)

    def remark(self) -> str:
        inv = self.invoice
        if inv.scope == Invoice.Scope.MONTHLY and inv.month:
            orders = ", ".join(str(row.order_id) for row in inv.orders.all()[:40])
            return f"{inv.month:%Y年%m月}集中开票；订单：{orders}"
        orders = ", ".join(str(row.order_id) for row in inv.orders.all())
        return f"订单：{orders}"

    def footer(self, page: int) -> None:
        self.text(
            PAGE_W / 2, FOOTER_Y, f"第 {page} 页 / 共 {self.pages} 页", size=8, align="center"
        )

    def render(self) -> bytes:
        index = 0
        for page in range(1, self.pages + 1):
            top = self.table_head(self.head(page))
            room = self.first_rows if page == 1 else self.later_rows
            y = top
            for line in self.lines[index : index + room]:
                self.row(y, line)
                y -= ROW_H
            index += room
            if y != top:
                self.canvas.setStrokeColor(BROWN)
                self.canvas.rect(MARGIN, y, TABLE_W, top - y)
            if page == self.pages:
                self.totals(y)
            self.footer(page)
            self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice's PDF: its lines in order, as many pages as they take."""
    lines = list(invoice.lines.order_by("position"))
    return _Writer(invoice, lines).render()


def filename(invoice: Invoice) -> str:
    return f"invoice-{invoice.number or invoice.pk}.pdf"

"""VAT invoice PDF: a 1,000-line merged invoice (集中开票) rendered as its PDF.

procurement.invoice_pdf_s: infoconnect.invoicing.pdf.invoice_pdf of a stored monthly invoice
with 1,000 lines (its lines and orders read from the database, the 电子发票 layout drawn in
the CID font STSong-Light, about 44 pages). baseline = ReportLab drawing the same 1,000 lines
as plain text lines on pages in the same font, in the same run. Target <= 5 s; ratio =
baseline / value. The median of INVOICE_PDF_ROUNDS renders (the machine is shared).
"""

import os
import sys
import time
from statistics import median

from common import emit, setup_django

ROUNDS = int(os.environ.get("INVOICE_PDF_ROUNDS", "5"))
LINES = 1_000
PREFIX = "ipdf_"
RATES = (1300, 900, 600, 0)


def log(message: str) -> None:
    print(f"# invoicing_pdf: {message}", file=sys.stderr, flush=True)


def build():
    """The merged invoice, made once with its 1,000 lines and reused."""
    from datetime import date

    from django.db import transaction
    from stdnum.cn import uscc

    from infoconnect.accounts.models import User
    from infoconnect.invoicing.models import Invoice, InvoicedOrder, InvoiceLine, InvoiceTitle
    from infoconnect.invoicing.vat import split
    from infoconnect.procurement.models import Company

    existing = Invoice.objects.filter(seller__name=f"{PREFIX}seller").first()
    if existing is not None and existing.lines.count() == LINES:
        return existing
    with transaction.atomic():
        merchant, _ = User.objects.get_or_create(
            username=f"{PREFIX}merchant", defaults={"kind": "merchant"}
        )
        body = "911101089100000"
        code = body + "00" + uscc.calc_check_digit(body + "00")
        company, _ = Company.objects.get_or_create(
            uscc=code,
            defaults={"legal_name": f"{PREFIX}华夏设计有限公司", "registered_by": merchant},
        )
        title = InvoiceTitle.objects.create(
            company=company,
            name="华夏设计有限公司",
            taxpayer_id=code,
            address_phone="上海市徐汇区漕溪路1号 021-64000000",
            bank_account="招商银行上海徐汇支行 121900000010101",
            general_taxpayer=True,
            created_by=merchant,
        )
        lines = []
        for n in range(1, LINES + 1):
            quantity = 1 + n % 17
            amount = (1_999 + 37 * n) * quantity
            rate = RATES[n % len(RATES)]
            net, tax = split(amount, rate)
            lines.append(
                InvoiceLine(
                    position=n,
                    sku_id=n,
                    name=f"*计算机*笔记本电脑 ThinkPad X1 Carbon 第{n}批",
                    tax_code="1090511030000000000",
                    spec=f"i7/32G/1T 型号{n:04d}",
                    unit="台",
                    quantity=quantity,
                    unit_price=amount // quantity,
                    amount=amount,
                    net=net,
                    tax=tax,
                    tax_rate=rate,
                )
            )
        invoice = Invoice.objects.create(
            merchant=merchant,
            company=company,
            title=title,
            buyer={
                "name": title.name,
                "taxpayer_id": code,
                "address_phone": title.address_phone,
                "bank_account": title.bank_account,
            },
            seller={
                "name": f"{PREFIX}seller",
                "taxpayer_id": "91310000MA1FL8TQ3X",
                "address_phone": "13800138000",
                "bank_account": "",
                "issuer": "bench",
            },
            kind="special",
            scope="monthly",
            month=date(2026, 11, 1),
            provider="sandbox",
            number="20261130000000999999",
            total=sum(line.amount for line in lines),
            net=sum(line.net for line in lines),
            tax=sum(line.tax for line in lines),
        )
        for line in lines:
            line.invoice = invoice
        InvoiceLine.objects.bulk_create(lines)
        InvoicedOrder.objects.bulk_create(
            InvoicedOrder(invoice=invoice, order_id=10_000 + n, amount=0) for n in range(60)
        )
    return invoice


def baseline_pdf(rows: list[str]) -> bytes:
    """ReportLab alone: the same lines as text lines on A4 landscape pages, same font."""
    import io

    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    from infoconnect.invoicing.pdf import FONT

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=landscape(A4), pageCompression=1)
    width, height = landscape(A4)
    y = height - 40
    c.setFont(FONT, 8.5)
    for row in rows:
        if y < 40:
            c.showPage()
            c.setFont(FONT, 8.5)
            y = height - 40
        c.drawString(36, y, row)
        y -= 15
    c.showPage()
    c.save()
    return buffer.getvalue()


def run(vendor: str) -> list[dict]:
    from infoconnect.invoicing.models import Invoice
    from infoconnect.invoicing.pdf import invoice_pdf

    invoice = build()
    log(f"{vendor}: rendering invoice {invoice.pk} with {LINES} lines, {ROUNDS} rounds")
    values, baselines, size = [], [], 0
    for _ in range(ROUNDS):
        start = time.perf_counter()
        fresh = Invoice.objects.select_related("original").get(pk=invoice.pk)
        data = invoice_pdf(fresh)
        values.append(time.perf_counter() - start)
        size = len(data)
        start = time.perf_counter()
        rows = [
            f"{line.name} {line.spec} {line.unit} {line.quantity} {line.amount} {line.tax_rate} "
            f"{line.tax}"
            for line in fresh.lines.order_by("position")
        ]
        baseline_pdf(rows)
        baselines.append(time.perf_counter() - start)
    value, base = median(values), median(baselines)
    return [
        {
            "name": "procurement.invoice_pdf_s",
            "value": value,
            "unit": "s",
            "baseline": base,
            "ratio": base / value,
            "vendor": vendor,
            "runs": ROUNDS,
            "lines": LINES,
            "bytes": size,
            "target_s": 5,
        }
    ]


def main() -> int:
    vendor = setup_django()
    for result in run(vendor):
        emit(**result)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The invoice PDF, read back as a finance clerk's PDF reader would."""

import io

import pytest
from pypdf import PdfReader

from infoconnect.core.money import plain_amount as yuan
from infoconnect.invoicing.lines import Draft, write_invoice
from infoconnect.invoicing.models import Invoice
from infoconnect.invoicing.pdf import capitals, invoice_pdf, unit_net
from infoconnect.invoicing.tests.world import complete, ordered

pytestmark = pytest.mark.django_db


def text_of(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_an_issued_invoice_prints_its_number_totals_and_capital_amount(
    world, django_capture_on_commit_callbacks
):
    complete(world, ordered(world, quantity=3), django_capture_on_commit_callbacks)
    invoice = Invoice.objects.get()
    (page,) = text_of(invoice_pdf(invoice))
    assert "电子发票（增值税专用发票）" in page
    assert f"发票号码：{invoice.number}" in page
    assert "华夏设计有限公司" in page and "tea Trading Co., Ltd." in page
    assert "*计算机*Longjing" in page
    for label in ("项目名称", "规格型号", "单位", "数量", "单价", "金额", "税率/征收率", "税额"):
        assert label in page
    # Net unit price 53.10 / 3, net 53.10, tax 6.90, total 60.00.
    assert "17.7" in page and "53.10" in page and "6.90" in page
    assert "¥53.10" in page and "¥6.90" in page and "¥60.00" in page
    assert "陆拾元整" in page
    assert "13%" in page
    assert "开票人：tea" in page


def test_a_red_letter_invoice_is_marked_and_negative(world):
    blue = write_invoice(
        merchant_id=world.merchant.pk,
        company_id=world.company.pk,
        title=world.title,
        kind="normal",
        scope="order",
        drafts=[Draft("*计算机*笔记本", "", "", "台", 1, 11_300, 1300)],
        order_amounts={},
    )
    Invoice.objects.filter(pk=blue.pk).update(number="20261201000000000042")
    blue.refresh_from_db()
    red = write_invoice(
        merchant_id=world.merchant.pk,
        company_id=world.company.pk,
        title=world.title,
        kind="normal",
        scope="order",
        drafts=[Draft("*计算机*笔记本", "", "", "台", -1, -11_300, 1300)],
        order_amounts={},
        original=blue,
    )
    (page,) = text_of(invoice_pdf(red))
    assert "电子发票（普通发票）" in page and "红字" in page
    assert "对应蓝字发票号码：20261201000000000042" in page
    assert "¥-100.00" in page and "¥-13.00" in page and "¥-113.00" in page
    assert "（负数）壹佰壹拾叁元整" in page


def test_a_long_invoice_runs_over_pages_with_the_totals_on_the_last(world):
    drafts = [
        Draft(f"*办公用品*文件夹 {n}", "", "A4", "个", n, 1_13 * n, 1300) for n in range(1, 121)
    ]
    invoice = write_invoice(
        merchant_id=world.merchant.pk,
        company_id=world.company.pk,
        title=world.title,
        kind="normal",
        scope="order",
        drafts=drafts,
        order_amounts={},
    )
    pages = text_of(invoice_pdf(invoice))
    assert len(pages) >= 3
    assert all(f"共 {len(pages)} 页" in page for page in pages)
    assert "文件夹 1 " in pages[0] or "文件夹 1\n" in pages[0]
    assert "文件夹 120" in pages[-1]
    assert all("价税合计" not in page for page in pages[:-1])
    total = sum(113 * n for n in range(1, 121))
    assert f"¥{yuan(total)}" in pages[-1]
    assert capitals(total) in pages[-1]


def test_figures():
    assert yuan(0) == "0.00" and yuan(-5) == "-0.05" and yuan(123_456) == "1234.56"
    assert capitals(11_300) == "壹佰壹拾叁元整"
    assert capitals(-5) == "（负数）伍分"

    class Line:
        quantity, net = 3, 5_310

    assert unit_net(Line()) == "17.70"

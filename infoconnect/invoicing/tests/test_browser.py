"""In Chromium: a finance member opens the company's invoice from the company page and
downloads its PDF, which holds the invoice's number, totals and 大写 amount."""

import pytest
from pypdf import PdfReader

from infoconnect.invoicing.models import Invoice
from infoconnect.invoicing.tests.world import make_world, ordered
from infoconnect.shop import actions as shop


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_finance_opens_an_invoice_and_downloads_its_pdf(page, login, make_user, tmp_path):
    from playwright.sync_api import expect

    world = make_world(make_user)
    order = ordered(world, quantity=3, po="PO-88")
    # Outside a test transaction: the completion commits and its send job runs.
    shop.confirm_receipt(buyer=world.firm.people["designer"], order_id=order.pk)
    invoice = Invoice.objects.get()
    assert invoice.state == Invoice.State.ISSUED

    login("finance")
    page.goto(f"/companies/{world.company.pk}/")
    page.locator("#company-invoices-link").click()
    row = page.locator(f"#invoice-{invoice.pk}")
    expect(row.get_by_test_id("invoice-state")).to_have_text("Issued")
    expect(row).to_contain_text("¥60.00")
    row.get_by_role("link", name=invoice.number).click()
    expect(page.locator("h1")).to_have_text(f"Invoice {invoice.number}")
    expect(page.get_by_test_id("invoice-line")).to_have_count(1)
    expect(page.get_by_test_id("invoice-line")).to_contain_text("*计算机*Longjing")
    expect(page.locator("#invoice-net")).to_have_text("¥53.10")
    expect(page.locator("#invoice-tax")).to_have_text("¥6.90")
    expect(page.locator("#invoice-total")).to_have_text("¥60.00")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"invoice-{invoice.number}.pdf"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    text = PdfReader(path).pages[0].extract_text()
    assert f"发票号码：{invoice.number}" in text
    assert "¥53.10" in text and "¥6.90" in text and "¥60.00" in text
    assert "陆拾元整" in text

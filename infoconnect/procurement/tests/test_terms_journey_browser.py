"""In Chromium, company terms from the first question to the merchant's money: a buyer asks a
merchant for a quote, the merchant quotes in the inbox, the buyer accepts it choosing Net 30
and a 专票 on the card; the approver approves it from the inbox card and it is
ordered on terms; once delivered, the merchant issues the month's merged 专票, finance
downloads its PDF, opens the month's statement and pays it from the company wallet; the
merchant's receivable is cleared and its balance holds the payment less commission.

Shipping and confirming receipt are the shop's own journey (its browser tests drive them):
here they are the shop's actions. The worker's work (the invoice provider, the statement
sweep) runs synchronously, the sweep with a clock in the next month, as the worker would
run it then.
"""

import datetime
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from infoconnect.invoicing.actions import titles
from infoconnect.invoicing.actions.sending import send_requested
from infoconnect.invoicing.models import Invoice
from infoconnect.procurement.actions import statements
from infoconnect.procurement.models import Quote, Requisition, Statement
from infoconnect.procurement.statement_reads import due_date, month_bounds, next_month
from infoconnect.procurement.tests.factories import VALID_2
from infoconnect.procurement.tests.requisitions.world import make_world
from infoconnect.procurement.tests.terms.world import grant
from infoconnect.shop import actions as shop
from infoconnect.shop.models import Order, Sku

PRINTER_CODE = "1090511030000000000"
TITLE_NAME = "华夏设计有限公司"


def new_page(browser, live_server, login, username):
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", timezone_id="Asia/Shanghai", accept_downloads=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    login(username, target=page)
    return page


def _terms_and_title(world):
    """Net 30 with a ¥10,000.00 limit from merchant A, the printer's VAT classification, and
    the company's verified 专票 title (each journey of its own elsewhere)."""
    grant(world, world.merchant_a, limit=1_000_000)
    Sku.objects.filter(pk=world.sku_a.pk).update(tax_code=PRINTER_CODE, unit="台")
    title = titles.add_title(
        user=world.finance,
        company_id=world.company.pk,
        fields=titles.TitleFields(
            name=TITLE_NAME,
            taxpayer_id=VALID_2,
            address_phone="上海市徐汇区漕溪路1号 021-64000000",
            bank_account="招商银行上海徐汇支行 121900000010101",
            general_taxpayer=True,
        ),
    )
    return titles.verify_title(user=world.finance, company_id=world.company.pk, title_id=title.pk)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_quote_becomes_an_order_on_net_30_invoiced_stated_and_paid(
    browser, live_server, login, make_user, tmp_path
):
    from playwright.sync_api import expect

    world = make_world(make_user)
    company = world.company
    title = _terms_and_title(world)
    month = timezone.localdate().replace(day=1)

    # The buyer asks for a quote for two printers, from the product page.
    buyer = new_page(browser, live_server, login, world.buyer.username)
    buyer.goto(f"/shop/p/{world.sku_a.product_id}/")
    with buyer.expect_navigation():
        buyer.get_by_label("Acting for").select_option(label=company.legal_name)
    buyer.get_by_test_id("quote-ask").get_by_role("button", name="Ask for a quote").click()
    request = buyer.get_by_test_id("quote-request")
    request.get_by_label("Quantity, line 1").fill("2")
    request.get_by_label("Note").fill("Two printers for the studio, on our Net 30 terms")
    request.get_by_role("button", name="Send the request").click()
    quote = Quote.objects.get()
    expect(buyer.locator(".flash-success")).to_have_text(
        f"Quote Q-{quote.pk} is asked for: shop_a answers in the inbox."
    )

    # The merchant quotes ¥2,800.00 a printer from the card in its inbox.
    merchant = new_page(browser, live_server, login, world.merchant_a.username)
    merchant.goto("/messages/")
    merchant.get_by_test_id(f"conversation-company-{company.pk}").click()
    card = merchant.get_by_test_id("quote-card").last
    expect(card.get_by_test_id("quote-state")).to_have_text("Requested")
    card.get_by_text("Quote", exact=True).click()
    card.get_by_label("Unit price for Laser printer colour: red (¥)").fill("2800.00")
    valid = (timezone.localdate() + timedelta(days=7)).isoformat()
    card.get_by_label("Valid until").fill(valid)
    card.get_by_role("button", name="Send quote").click()
    card = merchant.get_by_test_id("quote-card").last
    expect(card.get_by_test_id("quote-state")).to_have_text("Quoted")
    expect(card.get_by_test_id("quote-total")).to_have_text("¥5,600.00")

    # The buyer accepts it in their inbox, on Net 30 with a 专票: a requisition at the quoted
    # price, paying on terms and asking for the invoice.
    buyer.goto("/messages/")
    buyer.get_by_test_id(f"conversation-company-{company.pk}").click()
    card = buyer.get_by_test_id("quote-card").last
    expect(card.get_by_test_id("quote-unit-price")).to_have_text(["¥2,800.00"])
    card.get_by_text("Accept", exact=True).click()
    card.get_by_label("Department and ship-to address").select_option(
        f"{world.design.pk}:{world.ship_to.pk}"
    )
    card.get_by_label("PO number").fill("PO-2026-Q7")
    card.get_by_label("Payment").select_option(label="On the merchant's payment terms")
    card.get_by_label("VAT invoice").select_option(label="Special VAT invoice")
    card.get_by_label("Invoice title").select_option(str(title.pk))
    card.get_by_role("button", name="Accept and submit for approval").click()
    expect(buyer.get_by_test_id("quote-done")).to_contain_text("is awaiting approval.")
    requisition = Requisition.objects.get(quote=quote)
    expect(buyer.get_by_test_id("quote-done")).to_have_text(
        f"Accepted: requisition R-{requisition.pk} is awaiting approval."
    )
    buyer.get_by_test_id("quote-card").last.get_by_role("link", name=f"R-{requisition.pk}").click()
    expect(buyer.get_by_test_id("requisition-payment")).to_have_text("Payment: On payment terms")
    expect(buyer.get_by_test_id("requisition-invoice")).to_have_text(
        f"VAT invoice: Special VAT invoice · {TITLE_NAME} ({VALID_2})"
    )

    # The approver reads on the card how it pays and which invoice it asks for, and approves.
    approver = new_page(browser, live_server, login, world.approver.username)
    approver.goto("/messages/")
    approver.get_by_test_id(f"conversation-company-{company.pk}").click()
    card = approver.locator(f'[data-requisition-id="{requisition.pk}"]').last
    expect(card.get_by_test_id("requisition-total")).to_have_text("¥5,600.00")
    expect(card.get_by_test_id("requisition-payment")).to_have_text("Payment: On payment terms")
    expect(card.get_by_test_id("requisition-invoice")).to_have_text(
        f"VAT invoice: Special VAT invoice · {TITLE_NAME} ({VALID_2})"
    )
    card.get_by_test_id("requisition-approve").click()
    card = approver.locator(f'[data-requisition-id="{requisition.pk}"]').last
    expect(card.get_by_test_id("requisition-state")).to_have_text("Ordered")
    order = Order.objects.get(company_id=company.pk)
    assert (order.state, order.on_terms, order.total, order.invoice_kind) == (
        "on_terms", True, 560_000, "special",
    )  # fmt: skip

    merchant.goto("/companies/terms/")
    expect(merchant.get_by_test_id("terms-outstanding")).to_have_text("¥5,600.00 / ¥10,000.00")

    # Its new customer: the merchant invoices it merged monthly (集中开票).
    merchant.goto("/shop/manage/invoices/")
    row = merchant.locator(f"#invoicing-company-{company.pk}")
    row.get_by_label(f"How you invoice {company.legal_name}").select_option(
        label="Merged monthly (集中开票)"
    )
    row.get_by_role("button", name="Save").click()
    expect(merchant.locator(".flash-success")).to_have_text(
        f"{company.legal_name}: Merged monthly (集中开票)."
    )

    shop.ship_order(merchant=world.merchant_a, order_id=order.pk, carrier="SF", tracking_number="1")
    shop.confirm_receipt(buyer=world.buyer, order_id=order.pk)
    assert not Invoice.objects.exists()  # merged monthly: nothing per order

    # The merchant issues this month's merged 专票; the provider answers.
    merchant.goto("/shop/manage/invoices/")
    merchant.locator(f"#invoicing-company-{company.pk}").get_by_role(
        "button", name=f"Issue merged invoice for {month:%Y-%m}"
    ).click()
    expect(merchant.locator(".flash-success")).to_have_text(
        f"Merged invoice for {month:%Y-%m} requested from the invoice provider."
    )
    send_requested()  # the invoice sweep's backstop, in case the queued send was lost
    invoice = Invoice.objects.get()
    assert (invoice.state, invoice.scope, invoice.kind) == ("issued", "monthly", "special")

    # Finance opens the invoice from the company page and downloads its PDF.
    finance = new_page(browser, live_server, login, world.finance.username)
    finance.goto(f"/companies/{company.pk}/")
    finance.locator("#company-invoices-link").click()
    row = finance.locator(f"#invoice-{invoice.pk}")
    expect(row.get_by_test_id("invoice-state")).to_have_text("Issued")
    expect(row).to_contain_text(f"Merged for {month:%Y-%m}")
    expect(row).to_contain_text("¥5,600.00")
    row.get_by_role("link", name=invoice.number).click()
    expect(finance.locator("h1")).to_have_text(f"Invoice {invoice.number}")
    expect(finance.get_by_test_id("invoice-line")).to_contain_text("*计算机*Laser printer")
    # 5,600.00 / 1.13 = 4,955.75 net, the rest VAT.
    expect(finance.locator("#invoice-net")).to_have_text("¥4,955.75")
    expect(finance.locator("#invoice-tax")).to_have_text("¥644.25")
    expect(finance.locator("#invoice-total")).to_have_text("¥5,600.00")
    with finance.expect_download() as download_info:
        finance.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF-")
    text = PdfReader(path).pages[0].extract_text()
    assert f"发票号码：{invoice.number}" in text
    assert "增值税专用发票" in text and TITLE_NAME in text
    assert "¥4955.75" in text and "¥644.25" in text and "¥5600.00" in text
    assert "伍仟陆佰元整" in text

    # The month closes; the worker's hourly sweep issues its statement.
    start, end = month_bounds(month)
    assert start <= order.created_at < end
    first_of_next = datetime.datetime.combine(
        next_month(month), datetime.time(1, 0), tzinfo=timezone.get_current_timezone()
    )
    assert statements.issue_due_statements(now=first_of_next) == 1
    statement = Statement.objects.get()

    finance.goto(f"/companies/{company.pk}/")
    finance.locator("#company-statements-link").click()
    finance.get_by_role("link", name=statement.reference).click()
    expect(finance.locator("h1")).to_have_text(f"Statement {statement.reference} for {month:%Y-%m}")
    expect(finance.get_by_test_id("statement-due")).to_have_text(f"{due_date(month, 30):%Y-%m-%d}")
    expect(finance.get_by_test_id("orders")).to_have_text("¥5,600.00")
    expect(finance.get_by_test_id("closing")).to_have_text("¥5,600.00")
    line = finance.get_by_test_id("statement-line")
    expect(line).to_have_count(1)
    expect(line).to_contain_text(f"#{order.pk}")
    expect(line).to_contain_text("PO-2026-Q7")
    expect(line).to_contain_text("¥4,955.75")
    expect(line.get_by_test_id("line-invoice")).to_have_text(invoice.number)

    finance.get_by_test_id("statement-pay").get_by_role(
        "button", name="Pay ¥5,600.00 from the company wallet"
    ).click()
    expect(finance.locator(".flash-success")).to_contain_text(
        "Paid ¥5,600.00 from the company wallet (payment TP-"
    )
    expect(finance.get_by_test_id("payable")).to_contain_text("Nothing owed.")

    # The merchant's receivable is cleared; its balance holds the payment less 2% commission.
    merchant.goto("/companies/terms/")
    expect(merchant.get_by_test_id("terms-outstanding")).to_have_text("¥0.00 / ¥10,000.00")
    merchant.goto("/wallet/merchant/")
    expect(merchant.locator("#merchant-balance")).to_have_text("¥5,488.00")
    for page in (merchant, buyer, approver, finance):
        page.context.close()

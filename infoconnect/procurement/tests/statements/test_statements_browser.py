"""In Chromium: finance opens last month's statement from the company's statements, downloads
its CSV and reads the totals back, disputes a line; the merchant answers; finance confirms."""

import csv
import io

import pytest

from infoconnect.procurement.actions import statements as actions
from infoconnect.procurement.tests.statements.world import (
    at,
    make_terms_world,
    order_on_terms,
    payment,
)


def new_page(browser, live_server, login, username):
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", timezone_id="Asia/Shanghai", accept_downloads=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    login(username, target=page)
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_finance_disputes_a_line_the_merchant_answers_finance_confirms(
    browser, live_server, login, make_user
):
    from playwright.sync_api import expect

    w = make_terms_world(make_user)
    order_on_terms(w, [(w.sku_a, 2, 1300)], placed_at=at(w.month, 3), po_number="PO-88")
    second = order_on_terms(w, [(w.sku_a, 1, 1300)], placed_at=at(w.month, 12))
    payment(w, 300_000, paid_at=at(w.month, 20))
    statement = actions.issue_statement(
        merchant=w.merchant_a, company_id=w.company.pk, month=w.month
    )

    finance = new_page(browser, live_server, login, w.finance.username)
    finance.goto(f"/companies/{w.company.pk}/")
    finance.get_by_role("link", name="Monthly statements").click()
    finance.get_by_role("link", name=statement.reference).click()
    expect(finance.get_by_test_id("closing")).to_have_text("¥6,300.00")
    expect(finance.get_by_test_id("statement-line")).to_have_count(2)

    with finance.expect_download() as download:
        finance.locator("#statement-csv").click()
    data = open(download.value.path(), "rb").read()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    head = {row[0]: row[1] for row in rows if len(row) == 2}
    assert (head["Orders"], head["Payments"], head["Closing balance"]) == (
        "9300.00",
        "-3000.00",
        "6300.00",
    )
    assert head["Buyer"] == w.company.legal_name

    line = second.lines.get()
    row = finance.locator(f"#line-{line.pk}")
    row.get_by_text("Dispute this line").click()
    row.get_by_label("Reason").fill("这台打印机没有收到")
    row.get_by_role("button", name="Send dispute").click()
    expect(finance.locator(".flash-success")).to_have_text("Dispute sent to the merchant.")
    expect(finance.get_by_test_id("statement-state")).to_have_text("Disputed")
    expect(finance.locator("#statement-confirm")).to_have_count(0)

    merchant = new_page(browser, live_server, login, w.merchant_a.username)
    merchant.goto("/companies/merchant/statements/")
    merchant.get_by_role("link", name=statement.reference).click()
    expect(merchant.get_by_test_id("dispute-reason")).to_have_text("这台打印机没有收到")
    merchant.get_by_label("Answer").fill("Delivered on the 14th, signed by Wang Fang")
    merchant.get_by_role("button", name="Send answer").click()
    expect(merchant.locator(".flash-success")).to_have_text("Answer sent.")
    expect(merchant.get_by_test_id("statement-state")).to_have_text("Issued")

    finance.reload()
    expect(finance.get_by_test_id("dispute-answer")).to_have_text(
        "Delivered on the 14th, signed by Wang Fang"
    )
    finance.locator("#statement-confirm").click()
    expect(finance.locator(".flash-success")).to_have_text("Statement confirmed.")
    expect(finance.get_by_test_id("statement-state")).to_have_text("Confirmed")

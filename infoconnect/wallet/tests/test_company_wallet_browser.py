"""In Chromium: a finance member opens a bank transfer from the company page, the sandbox
bank sends it, and the company wallet shows the money."""

import pytest
from playwright.sync_api import expect

from infoconnect.wallet.models import BankTransfer
from infoconnect.wallet.tests.conftest import make_firm

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_finance_member_tops_up_the_company_wallet_by_bank_transfer(
    page, login, make_user, operator
):
    firm = make_firm(make_user, operator)
    login(firm.finance.username)
    page.goto(f"/companies/{firm.company.pk}/")
    page.click("#company-wallet-link")
    expect(page.locator("#company-wallet-balance")).to_have_text("¥0.00")
    page.get_by_label("Amount to transfer (¥)").fill("12,345.67")
    page.get_by_role("button", name="Get a remittance code").click()
    page.wait_for_url("**/wallet/?transfer=*")
    transfer = BankTransfer.objects.get()
    expect(page.locator("#transfer-code")).to_have_text(transfer.code)
    expect(page.locator("#transfer-amount")).to_have_text("¥12,345.67")
    expect(page.locator("#transfer-status")).to_have_text("Awaiting the transfer")
    expect(page.locator("#receiving-number")).not_to_be_empty()

    page.click("#sandbox-transfer-link")
    page.wait_for_url(f"**/wallet/sandbox/transfer/{transfer.code}/")
    expect(page.locator("#sandbox-expected")).to_have_text("¥12,345.67")
    page.get_by_role("button", name="Send the transfer").click()
    page.wait_for_url("**/wallet/?transfer=*")
    expect(page.locator("#company-wallet-balance")).to_have_text("¥12,345.67")
    expect(page.locator("#transfer-status")).to_have_text("Credited")
    first_row = page.locator("[data-testid=statement] tbody tr").nth(0)
    expect(first_row.locator("td").nth(1)).to_have_text(f"Bank transfer #{transfer.pk} received")
    expect(first_row.locator("td").nth(2)).to_have_text("+¥12,345.67")


def test_a_buyer_sees_no_wallet_link(page, login, make_user, operator):
    firm = make_firm(make_user, operator)
    login(firm.buyer.username)
    page.goto(f"/companies/{firm.company.pk}/")
    expect(page.locator("#company-organisation")).to_be_visible()
    expect(page.locator("#company-wallet-link")).to_have_count(0)

"""In Chromium: a buyer over Design confirms receipt of a colleague's shipped order from the
company's orders page, and the merchant is paid from the company's escrow."""

import pytest

from infoconnect.procurement.tests.company_orders import make_firm, place_order
from infoconnect.shop.models import Order, OrderEvent
from infoconnect.wallet.models import AccountKind
from infoconnect.wallet.selectors import balance_of


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_colleague_confirms_receipt_from_the_company_orders_page(page, login, make_user):
    from playwright.sync_api import expect

    firm = make_firm(make_user)
    order = place_order(firm, firm.people["ux"], firm.ux, quantity=3, po="PO-77")
    unshipped = place_order(firm, firm.people["ux"], firm.ux, ship=False)

    login("designer")
    page.goto(f"/companies/{firm.company.pk}/")
    page.locator("#company-orders-link").click()
    expect(page.get_by_test_id("company-order")).to_have_count(2)
    row = page.locator(f"#company-order-{order.pk}")
    expect(row).to_contain_text("PO-77")
    expect(row.get_by_test_id("order-state")).to_have_text("Shipped")
    expect(page.locator(f"#company-order-{unshipped.pk} button")).to_have_count(0)
    row.get_by_role("button", name="Confirm receipt").click()
    expect(page.locator(".flash-success")).to_have_text(
        f"Receipt of order {order.pk} confirmed. The merchant has been paid."
    )
    expect(row.get_by_test_id("order-state")).to_have_text("Completed")
    expect(row.get_by_role("button", name="Confirm receipt")).to_have_count(0)

    completed = Order.objects.get(pk=order.pk)
    assert completed.state == Order.State.COMPLETED
    event = OrderEvent.objects.get(order=order, kind="completed")
    assert event.actor_id == firm.people["designer"].pk
    merchant = balance_of(user_id=firm.merchant.pk, kind=AccountKind.MERCHANT)
    assert merchant == 6_000 - completed.commission
    escrow = balance_of(user_id=firm.company.pk, kind=AccountKind.COMPANY_ESCROW)
    assert escrow == 2_000  # the unshipped order's, still held

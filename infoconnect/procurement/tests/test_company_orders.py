"""A company's orders: receipt confirmed by the buyer or a colleague whose role reaches the
requisition's department, and the orders page each member sees within their roles."""

import re

import pytest
from django.test import Client

from infoconnect.core.errors import DomainError
from infoconnect.procurement import company_orders
from infoconnect.procurement.actions import members
from infoconnect.procurement.actions.receipts import confirm_company_order
from infoconnect.procurement.tests.company_orders import make_firm, place_order
from infoconnect.procurement.tests.factories import VALID_2
from infoconnect.shop import actions as shop
from infoconnect.shop.models import Order, OrderEvent
from infoconnect.shop.tests.companies import place as shop_place
from infoconnect.shop.tests.conftest import fund
from infoconnect.wallet.models import AccountKind
from infoconnect.wallet.selectors import balance_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm(make_user):
    return make_firm(make_user)


def merchant_balance(firm) -> int:
    return balance_of(user_id=firm.merchant.pk, kind=AccountKind.MERCHANT)


def company_escrow(firm) -> int:
    return balance_of(user_id=firm.company.pk, kind=AccountKind.COMPANY_ESCROW)


def confirm(firm, user, order):
    return confirm_company_order(user=user, company_id=firm.company.pk, order_id=order.pk)


def refused(firm, user, order, code):
    with pytest.raises(DomainError) as error:
        confirm(firm, user, order)
    assert error.value.code == code
    order.refresh_from_db()
    assert order.state == Order.State.SHIPPED
    assert merchant_balance(firm) == 0
    return error.value


# --- confirming receipt --------------------------------------------------------------------


def test_the_buyer_confirms_receipt_and_the_merchant_is_paid_from_company_escrow(firm):
    ux = firm.people["ux"]
    order = place_order(firm, ux, firm.ux, quantity=2)
    assert company_escrow(firm) == 4_000
    done = confirm(firm, ux, order)
    assert done.state == Order.State.COMPLETED
    assert company_escrow(firm) == 0
    assert merchant_balance(firm) == 4_000 - done.commission
    event = OrderEvent.objects.get(order=order, kind="completed")
    assert event.actor_id == ux.pk


def test_a_buyer_over_the_parent_department_confirms_for_a_colleague(firm):
    order = place_order(firm, firm.people["ux"], firm.ux)
    confirm(firm, firm.people["designer"], order)
    event = OrderEvent.objects.get(order=order, kind="completed")
    assert event.actor_id == firm.people["designer"].pk  # who confirmed, not who bought
    assert Order.objects.get(pk=order.pk).state == Order.State.COMPLETED


def test_a_company_wide_admin_confirms_any_order(firm):
    order = place_order(firm, firm.people["seller"], firm.sales)
    confirm(firm, firm.admin, order)
    assert Order.objects.get(pk=order.pk).state == Order.State.COMPLETED


def test_an_order_for_the_whole_company_needs_a_company_wide_buyer_or_admin(firm):
    order = place_order(firm, firm.people["ux"], None)
    refused(firm, firm.people["designer"], order, "role_required")
    confirm(firm, firm.people["ux"], order)  # its own buyer still may


@pytest.mark.parametrize("who", ["seller", "lead", "viewer", "nobody"])
def test_members_whose_roles_do_not_reach_it_may_not(firm, who):
    order = place_order(firm, firm.people["ux"], firm.ux)
    error = refused(firm, firm.people[who], order, "role_required")
    assert error.status == 403


def test_a_non_member_and_a_removed_member_may_not(firm, make_user):
    order = place_order(firm, firm.people["ux"], firm.ux)
    assert refused(firm, make_user("stranger"), order, "not_a_member").status == 404
    designer = firm.people["designer"]
    members.remove_member(
        admin_user=firm.admin, company_id=firm.company.pk, member_user_id=designer.pk
    )
    refused(firm, designer, order, "not_a_member")


def test_another_companys_order_is_not_found(firm, make_user):
    other = make_firm(make_user, code=VALID_2, prefix="o")
    theirs = place_order(other, other.people["ux"], other.ux)
    with pytest.raises(DomainError) as error:
        confirm_company_order(user=firm.admin, company_id=firm.company.pk, order_id=theirs.pk)
    assert (error.value.code, error.value.status) == ("company_order_not_found", 404)
    # Their admin, naming our company, is not our member.
    ours = place_order(firm, firm.people["ux"], firm.ux)
    refused(firm, other.admin, ours, "not_a_member")
    theirs.refresh_from_db()
    assert theirs.state == Order.State.SHIPPED


def test_a_persons_own_order_is_not_the_companys(firm):
    ux = firm.people["ux"]
    fund(ux, 10_000)
    (own,) = shop_place(ux, [(firm.skus[1], 1)], key="own", pay=True)
    shop.ship_order(merchant=firm.merchant, order_id=own.pk, carrier="SF", tracking_number="1")
    for order_id in (own.pk, "not-an-id"):
        with pytest.raises(DomainError) as error:
            confirm_company_order(user=ux, company_id=firm.company.pk, order_id=order_id)
        assert error.value.code == "company_order_not_found"
    assert Order.objects.get(pk=own.pk).state == Order.State.SHIPPED


def test_an_order_not_shipped_cannot_be_confirmed(firm):
    ux = firm.people["ux"]
    order = place_order(firm, ux, firm.ux, ship=False)
    with pytest.raises(DomainError) as error:
        confirm(firm, ux, order)
    assert (error.value.code, error.value.status) == ("order_not_shipped", 409)
    assert Order.objects.get(pk=order.pk).state == Order.State.PAID
    assert company_escrow(firm) == 2_000


def test_a_completed_order_is_not_confirmed_twice(firm):
    ux = firm.people["ux"]
    order = place_order(firm, ux, firm.ux)
    confirm(firm, ux, order)
    paid = merchant_balance(firm)
    with pytest.raises(DomainError) as error:
        confirm(firm, firm.admin, order)
    assert error.value.code == "order_not_shipped"
    assert merchant_balance(firm) == paid


# --- the company's orders page -------------------------------------------------------------


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def shown(firm, user) -> list[int]:
    page = client_for(user).get(f"/companies/{firm.company.pk}/orders/").content.decode()
    return [int(pk) for pk in re.findall(r'id="company-order-(\d+)"', page)]


@pytest.fixture
def placed(firm):
    """Orders for UX (by ux), Design (by designer), Sales (by seller) and the whole company
    (by the admin), oldest first."""
    return {
        "ux": place_order(firm, firm.people["ux"], firm.ux, po="PO-UX"),
        "design": place_order(firm, firm.people["designer"], firm.design, ship=False),
        "sales": place_order(firm, firm.people["seller"], firm.sales),
        "company": place_order(firm, firm.admin, None),
    }


def test_the_page_lists_the_companys_orders_newest_first(firm, placed):
    order = placed["ux"]
    page = text(client_for(firm.people["viewer"]).get(f"/companies/{firm.company.pk}/orders/"))
    assert shown(firm, firm.admin) == [o.pk for o in reversed(placed.values())]
    row = re.search(
        rf'<tr data-testid="company-order" id="company-order-{order.pk}">(.*?)</tr>', page
    )
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
    requisition_id = Order.objects.get(pk=order.pk).requisition_id
    assert cells[:7] == [
        f"#{order.pk}",
        firm.merchant.name,
        f'<a href="/companies/{firm.company.pk}/requisitions/{requisition_id}/">R-{requisition_id}</a>',
        "PO-UX",
        "UX",
        "Shipped",
        "¥20.00",
    ]
    assert "Confirm receipt" not in page  # a viewer confirms nothing


def test_each_member_sees_the_orders_within_their_roles(firm, placed):
    ids = {name: order.pk for name, order in placed.items()}
    assert shown(firm, firm.people["viewer"]) == sorted(ids.values(), reverse=True)
    assert shown(firm, firm.people["designer"]) == [ids["design"], ids["ux"]]
    assert shown(firm, firm.people["lead"]) == [ids["design"], ids["ux"]]
    assert shown(firm, firm.people["ux"]) == [ids["ux"]]
    assert shown(firm, firm.people["seller"]) == [ids["sales"]]


def test_the_confirm_button_is_for_shipped_orders_the_member_may_confirm(firm, placed):
    def buttons(user):
        page = client_for(user).get(f"/companies/{firm.company.pk}/orders/").content.decode()
        return [int(pk) for pk in re.findall(r"/orders/(\d+)/confirm/", page)]

    ids = {name: order.pk for name, order in placed.items()}
    assert buttons(firm.admin) == [ids["company"], ids["sales"], ids["ux"]]  # not the unshipped
    assert buttons(firm.people["designer"]) == [ids["ux"]]
    assert buttons(firm.people["lead"]) == []
    assert buttons(firm.people["seller"]) == [ids["sales"]]


def test_the_page_is_paged(firm, placed, monkeypatch):
    monkeypatch.setattr(company_orders, "ORDERS_PAGE", 3)
    client = client_for(firm.admin)
    first = client.get(f"/companies/{firm.company.pk}/orders/").content.decode()
    newest = [o.pk for o in reversed(placed.values())]
    assert [int(pk) for pk in re.findall(r'id="company-order-(\d+)"', first)] == newest[:3]
    more = re.search(r'href="\?max_id=(\d+)"', first).group(1)
    second = client.get(f"/companies/{firm.company.pk}/orders/?max_id={more}").content.decode()
    assert [int(pk) for pk in re.findall(r'id="company-order-(\d+)"', second)] == newest[3:]
    assert "Older orders" not in second


def test_who_may_not_see_the_page(firm, placed, make_user):
    url = f"/companies/{firm.company.pk}/orders/"
    assert client_for(firm.people["nobody"]).get(url).status_code == 403
    assert client_for(make_user("stranger")).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_no_orders_yet(firm):
    page = text(client_for(firm.admin).get(f"/companies/{firm.company.pk}/orders/"))
    assert "No orders yet." in page


def test_confirming_from_the_page(firm, placed):
    order = placed["ux"]
    client = client_for(firm.people["designer"])
    url = f"/companies/{firm.company.pk}/orders/{order.pk}/confirm/"
    response = client.post(url, {"key": "k-1"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/companies/{firm.company.pk}/orders/"
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [f"Receipt of order {order.pk} confirmed. The merchant has been paid."]
    assert Order.objects.get(pk=order.pk).state == Order.State.COMPLETED
    paid = merchant_balance(firm)
    again = client.post(url, {"key": "k-1"}, follow=True)  # the same form sent twice
    assert [str(m) for m in again.context["messages"]] == messages
    assert merchant_balance(firm) == paid


def test_confirming_from_the_page_refused(firm, placed, make_user):
    order = placed["ux"]
    url = f"/companies/{firm.company.pk}/orders/{order.pk}/confirm/"
    assert client_for(firm.people["seller"]).post(url, {"key": "a"}).status_code == 403
    assert client_for(make_user("stranger")).post(url, {"key": "b"}).status_code == 404
    other = f"/companies/{firm.company.pk}/orders/999999/confirm/"
    assert client_for(firm.admin).post(other, {"key": "c"}).status_code == 404
    assert client_for(firm.admin).get(url).status_code == 405
    unshipped = placed["design"]
    response = client_for(firm.admin).post(
        f"/companies/{firm.company.pk}/orders/{unshipped.pk}/confirm/", {"key": "d"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Receipt can be confirmed once the order has shipped and before it is completed."
    ]
    assert Order.objects.get(pk=order.pk).state == Order.State.SHIPPED
    assert Order.objects.get(pk=unshipped.pk).state == Order.State.PAID


def test_the_page_speaks_chinese(firm, placed):
    client = client_for(firm.admin)
    page = text(client.get(f"/companies/{firm.company.pk}/orders/", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "企业订单" in page and "确认收货" in page


def test_the_company_page_links_to_its_orders(firm):
    page = client_for(firm.people["viewer"]).get(f"/companies/{firm.company.pk}/")
    assert f'href="/companies/{firm.company.pk}/orders/"' in page.content.decode()

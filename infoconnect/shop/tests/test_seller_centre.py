"""The seller centre (卖家中心): today's orders and revenue, what waits, the balance and the
running campaigns, each leading to its page; its navigation on every merchant page."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from infoconnect.messaging import actions as messaging_actions
from infoconnect.shop import actions
from infoconnect.shop.models import Order
from infoconnect.shop.tests.order_steps import open_shop

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def tile(html: str, testid: str) -> str:
    """The value a `.stat` tile shows."""
    found = re.search(rf'data-testid="{testid}"><span class="stat-value[^"]*">([^<]*)</span>', html)
    assert found, testid
    return found[1]


def test_the_overview_counts_todays_paid_orders_and_links_each_figure(make_user):
    shop = open_shop(make_user)
    merchant, buyer, sku, address = shop
    bought = [
        actions.buy_now(
            buyer=buyer, sku_id=sku.pk, quantity=1, address_id=address.pk, key=key, pay=True
        )
        for key in ("k1", "k2", "k3")
    ]
    # Paid yesterday: not one of today's orders, though it still waits to be shipped.
    Order.objects.filter(pk=bought[0].pk).update(paid_at=timezone.now() - timedelta(days=1))
    messaging_actions.enrol_merchant(merchant=merchant)
    client = client_for(merchant)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/shop/manage/")
    assert response.status_code == 200
    html = response.content.decode()
    assert tile(html, "stat-orders-today") == "2"
    assert tile(html, "stat-revenue-today") == "¥258.00"
    assert tile(html, "stat-to-ship") == "3"
    assert tile(html, "stat-refunds-waiting") == "0"
    assert tile(html, "stat-campaigns-running") == "0"
    assert '<a class="stat" href="/shop/manage/orders/" data-testid="stat-orders-today">' in html
    assert '<a class="stat" href="/wallet/merchant/" data-testid="stat-balance">' in html
    assert (
        '<a class="stat" href="/messages/campaigns/" data-testid="stat-campaigns-running">' in html
    )
    assert '<a href="/shop/manage/" aria-current="page">' in html
    # Five reads of its own (beside the header's), however many orders there are.
    tables = ("shop_order", "wallet_ledgeraccount", "messaging_campaign")
    assert len([q for q in queries if any(t in q["sql"] for t in tables)]) == 5


def test_the_overview_is_refused_to_anyone_but_a_merchant(make_user):
    person = make_user("bob")
    refused = client_for(person).get("/shop/manage/")
    assert refused.status_code == 403
    assert 'data-error-code="not_a_merchant"' in refused.content.decode()
    anonymous = Client().get("/shop/manage/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_the_sell_link_opens_the_seller_centre(make_user):
    merchant = make_user("acme", kind="merchant", verified=True)
    html = client_for(merchant).get("/shop/").content.decode()
    assert re.search(r'<a [^>]*href="/shop/manage/" id="nav-sell"', html)


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/shop/manage/products/", "/shop/manage/products/"),
        ("/shop/manage/orders/", "/shop/manage/orders/"),
        ("/shop/manage/refunds/", "/shop/manage/refunds/"),
        ("/shop/manage/coupons/", "/shop/manage/coupons/"),
        ("/messages/campaigns/", "/messages/campaigns/"),
        ("/messages/campaigns/followers/", "/messages/campaigns/followers/"),
        ("/wallet/merchant/", "/wallet/merchant/"),
    ],
)
def test_every_merchant_page_has_the_seller_navigation(make_user, path, current):
    merchant = make_user("acme", kind="merchant", verified=True)
    messaging_actions.enrol_merchant(merchant=merchant)
    html = client_for(merchant).get(path).content.decode()
    nav = html[
        html.index('data-testid="seller-nav"') : html.index("</nav>", html.index("seller-nav"))
    ]
    assert re.findall(r'<a href="([^"]+)" aria-current="page">', nav) == [current]
    assert nav.count("<a href=") == 9

"""The admin opens on the operator's dashboard: what waits for the operator (merchants and
companies to verify, refund disputes, held bank transfers, spam reports) and what the platform
earned today and over 30 days (GMV, commission, messaging revenue), in China time, each number
a link to the admin list that shows what it counts."""

import re
from datetime import datetime, time, timedelta
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from infoconnect.accounts import actions as account_actions
from infoconnect.core.dashboard import DAYS, operator_dashboard
from infoconnect.messaging.models import Campaign, Enrolment
from infoconnect.procurement.models import Company
from infoconnect.shop import actions as shop_actions
from infoconnect.shop.models import Order, RefundRequest
from infoconnect.shop.tests.conftest import fund, make_address, make_product
from infoconnect.wallet import actions as wallet_actions
from infoconnect.wallet.models import HeldTransfer
from infoconnect.wallet.topup_limits import SITE_ZONE

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    client = Client()
    client.force_login(account_actions.ensure_operator(username="ops", password="ops-pass-123"))
    return client


def _buy(buyer, merchant, *, price: int, key: str) -> Order:
    """A paid order through the shop: cart, checkout and payment from the wallet."""
    _product, sku = make_product(merchant, title=f"Tea {key}", price=price, stock=5)
    shop_actions.add_to_cart(person=buyer, sku_id=sku.pk)
    address = make_address(buyer)
    [order] = shop_actions.checkout(buyer=buyer, address_id=address.pk, key=key, pay=True)
    return order


def _complete(buyer, merchant, order: Order) -> None:
    shop_actions.ship_order(
        merchant=merchant, order_id=order.pk, carrier="SF Express", tracking_number="SF1"
    )
    shop_actions.confirm_receipt(buyer=buyer, order_id=order.pk)


@pytest.fixture
def platform(make_user):
    """Two shops' worth of activity: today, yesterday and before the window."""
    shop = make_user("greentea", kind="merchant", verified=True)
    buyer = make_user("lihua")
    fund(buyer, 100_000)
    today = _buy(buyer, shop, price=12_900, key="today")
    _complete(buyer, shop, today)  # escrow pays the shop, less 2% commission: ¥2.58
    # Paid 07:30 China time today is 23:30 UTC yesterday: it is today's.
    early = _buy(buyer, shop, price=1_000, key="early")
    midnight = datetime.combine(timezone.localtime(timezone.now(), SITE_ZONE).date(), time.min)
    Order.objects.filter(pk=early.pk).update(
        paid_at=midnight.replace(tzinfo=SITE_ZONE) + timedelta(hours=7, minutes=30)
    )
    yesterday = _buy(buyer, shop, price=5_000, key="yesterday")
    Order.objects.filter(pk=yesterday.pk).update(paid_at=timezone.now() - timedelta(days=1))
    old = _buy(buyer, shop, price=7_000, key="old")
    Order.objects.filter(pk=old.pk).update(paid_at=timezone.now() - timedelta(days=DAYS + 1))
    # The shop's campaign: ¥5.00 held, ¥3.00 delivered and charged to messaging revenue.
    wallet_actions.hold_campaign_cost(merchant_id=shop.pk, campaign_id=900, amount=500)
    wallet_actions.settle_campaign(merchant_id=shop.pk, campaign_id=900, charged=300)

    # The queues: one of each, and one of each that no longer waits.
    make_user("newshop", kind="merchant")
    make_user("oldshop", kind="merchant", verified=True)
    Company.objects.create(
        legal_name="华夏设计有限公司", uscc="91110108551385082Q", registered_by=buyer
    )
    Company.objects.create(
        legal_name="Verified Co.",
        uscc="91310000MA1FL8TQ3X",
        registered_by=buyer,
        status=Company.Status.VERIFIED,
    )
    RefundRequest.objects.create(order=yesterday, reason="Broken", state="disputed")
    RefundRequest.objects.create(order=old, reason="Late", state="decided")
    HeldTransfer.objects.create(
        provider="sandbox", notification_id="n1", code="XX", amount=100, why="unknown_code"
    )
    HeldTransfer.objects.create(
        provider="sandbox",
        notification_id="n2",
        code="YY",
        amount=100,
        why="unknown_code",
        status=HeldTransfer.Status.RETURNED,
    )
    spammer = make_user("spammer", kind="merchant", verified=True)
    Enrolment.objects.create(merchant=spammer, status=Enrolment.Status.SUSPENDED)
    Enrolment.objects.create(merchant=shop)
    Campaign.objects.create(merchant=spammer, title="Buy now", body="…", reported=3)
    Campaign.objects.create(merchant=shop, title="New tea", body="…", reported=1)
    Campaign.objects.create(merchant=shop, title="Quiet", body="…")
    Campaign.objects.create(
        merchant=spammer,
        title="Long ago",
        body="…",
        reported=9,
        created_at=timezone.now() - timedelta(days=DAYS + 1),
    )
    return shop


def test_the_dashboard_counts_what_waits_and_what_was_earned(platform):
    dashboard = operator_dashboard()
    assert (
        dashboard.merchants_pending,
        dashboard.companies_pending,
        dashboard.refunds_disputed,
        dashboard.transfers_held,
        dashboard.merchants_suspended,
        dashboard.campaigns_reported,
        dashboard.spam_reports,
    ) == (1, 1, 1, 1, 1, 2, 4)
    today = dashboard.today
    assert today.day == timezone.localtime(timezone.now(), SITE_ZONE).date()
    assert (today.gmv, today.commission, today.messaging) == (13_900, 258, 300)
    assert len(dashboard.days) == DAYS
    assert dashboard.days[-2].gmv == 5_000
    # The order paid 31 days ago is outside the window: nothing else was earned in it.
    assert sum(day.gmv for day in dashboard.days) == 18_900
    assert dashboard.since == datetime.combine(dashboard.days[0].day, time.min, tzinfo=SITE_ZONE)


def test_the_dashboard_reads_in_a_fixed_number_of_queries(
    platform, make_user, django_assert_max_num_queries
):
    with django_assert_max_num_queries(9):
        operator_dashboard()
    for n in range(5):
        make_user(f"applicant{n}", kind="merchant")
    with django_assert_max_num_queries(9):
        assert operator_dashboard().merchants_pending == 6


def test_an_empty_platform_shows_zeros():
    dashboard = operator_dashboard()
    assert dashboard.merchants_pending == dashboard.spam_reports == dashboard.today.gmv == 0
    assert [day.gmv for day in dashboard.days] == [0] * DAYS


def _tiles(body: str) -> dict[str, tuple[str, str]]:
    """The dashboard's numbers, by tile id: (value, link)."""
    return {
        tile_id: (value, unescape(href))
        for tile_id, href, value in re.findall(
            r'<li id="([a-z-]+)"><a href="([^"]+)"><span class="operator-tile-value">([^<]+)</span>',
            body,
        )
    }


def test_the_admin_opens_on_the_dashboard_and_each_number_opens_its_list(
    platform, operator, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        page = operator.get("/admin/")
    assert page.status_code == 200
    body = page.content.decode()
    # Above the usual list of apps.
    assert body.index('id="operator-dashboard"') < body.index('class="app-accounts')
    tiles = _tiles(body)
    assert {tile: value for tile, (value, _link) in tiles.items()} == {
        "merchants-pending": "1",
        "companies-pending": "1",
        "refunds-disputed": "1",
        "transfers-held": "1",
        "merchants-suspended": "1",
        "spam-reports": "4",
        "gmv-today": "¥139.00",
        "commission-today": "¥2.58",
        "messaging-today": "¥3.00",
    }
    # Each link opens the admin list filtered to exactly the rows counted.
    rows = {}
    for tile, (_value, link) in tiles.items():
        listing = operator.get(link)
        assert listing.status_code == 200, link
        rows[tile] = [str(row) for row in listing.context["cl"].result_list]
    assert rows["merchants-pending"] == ["newshop shop"]
    assert rows["companies-pending"] == ["华夏设计有限公司"]
    assert len(rows["refunds-disputed"]) == 1
    assert len(rows["transfers-held"]) == 1
    assert rows["merchants-suspended"] == ["@spammer (Suspended pending review)"]
    assert sorted(rows["spam-reports"]) == ["Buy now", "New tea"]
    assert len(rows["gmv-today"]) == 2
    assert len(rows["commission-today"]) == 1
    assert len(rows["messaging-today"]) == 1


def _bar_heights(figure: str) -> list[int]:
    return [int(h) for h in re.findall(r'class="operator-chart-bar" [^>]*height="(\d+)"', figure)]


def test_the_chart_draws_thirty_days_as_svg_bars_without_inline_styles(platform, operator):
    body = operator.get("/admin/").content.decode()
    dashboard = body[body.index('id="operator-dashboard"') :]
    dashboard = dashboard[: dashboard.index('id="content-main"')]
    for chart, total in (("gmv", "¥189.00"), ("commission", "¥2.58"), ("messaging", "¥3.00")):
        figure = dashboard[dashboard.index(f'id="chart-{chart}"') :]
        figure = figure[: figure.index("</figure>")]
        assert f"<strong>{total}</strong>" in figure
        assert figure.count('class="operator-chart-bar"') == DAYS
        # Today's bar is the tallest, the full height of the chart.
        assert _bar_heights(figure)[-1] == 80
    assert "style=" not in dashboard
    assert "<script" not in dashboard
    gmv = dashboard[dashboard.index('id="chart-gmv"') :]
    gmv = gmv[: gmv.index("</figure>")]
    heights = _bar_heights(gmv)
    # ¥139.00 today, ¥50.00 yesterday: yesterday's bar is 50/139 of today's.
    assert heights[-2:] == [round(80 * 5_000 / 13_900), 80]
    assert heights[:-2] == [0] * (DAYS - 2)


def test_staff_see_only_the_numbers_of_lists_they_may_view(make_user):
    from django.contrib.auth.models import Permission

    clerk = make_user("clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_merchantprofile"))
    client = Client()
    client.force_login(clerk)
    body = client.get("/admin/").content.decode()
    assert list(_tiles(body)) == ["merchants-pending"]
    assert 'id="chart-gmv"' not in body


def test_the_dashboard_speaks_chinese(platform, operator):
    page = operator.get("/admin/", headers={"accept-language": "zh-hans"})
    body = page.content.decode()
    assert "等待认证的商家" in body
    assert "今日成交总额" in body

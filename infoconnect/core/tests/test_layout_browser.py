"""The page frame in Chromium, on a 390×844 phone and a 1280×900 desktop, over the seeded demo:
the phone has a bottom tab bar and the desktop a side navigation (and a right column from
1100 px); no main page scrolls sideways on the phone; axe-core finds no serious or critical
accessibility violation; and a person on a phone buys with the tab bar alone."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import expect

from infoconnect.core.management.demo import DEMO_PASSWORD, seed
from infoconnect.shop.models import Order, Product
from infoconnect.shop.tests.conftest import fund

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def demo(db):
    return seed()


def main_pages(demo) -> list[str]:
    """The ten pages a person meets first."""
    product = Product.objects.filter(status=Product.Status.ACTIVE).order_by("pk").first()
    return [
        "/",
        "/notifications/",
        "/messages/",
        "/shop/",
        f"/shop/p/{product.pk}/",
        "/shop/cart/",
        "/shop/orders/",
        "/@lihua/",
        "/search/?q=tea",
        "/wallet/",
        "/me/",
    ]


def open_as(browser, live_server, login, username: str, viewport: dict, language: str = "en"):
    """A page logged in as ``username``, showing the site in ``language`` ("en", "zh-hans")."""
    context = browser.new_context(
        base_url=live_server.url, viewport=viewport, locale="en-US", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    login(username, DEMO_PASSWORD, target=page)
    if language != "en":
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
    return page


def sideways_overflow(page) -> int:
    """How many pixels the page is wider than the window (0 when nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_phone_has_the_tab_bar_and_no_page_scrolls_sideways(browser, live_server, login, demo):
    page = open_as(browser, live_server, login, "lihua", PHONE)
    tabs = page.get_by_role("navigation", name="Tabs")
    expect(tabs).to_be_visible()
    for name in ("Home", "Messages", "Shop", "Me"):
        # A tab's name is its label, then its count if it has one ("Messages 2").
        expect(tabs.get_by_role("link", name=re.compile(rf"^{name}\b"))).to_be_visible()
    # The side navigation folds into the top bar: its long list is not on the phone's screen.
    expect(page.locator("#nav-wallet")).to_be_hidden()
    expect(page.get_by_role("complementary")).to_be_hidden()
    header = page.locator("header.site-header").bounding_box()
    assert header["height"] <= 60

    for path in main_pages(demo):
        page.goto(path)
        assert sideways_overflow(page) <= 0, path
    # The Me tab holds what the side navigation holds.
    page.goto("/")
    tabs.get_by_role("link", name="Me", exact=True).click()
    expect(page.get_by_role("link", name="Wallet")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(tabs.get_by_role("link", name="Me", exact=True)).to_have_attribute(
        "aria-current", "page"
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_desktop_has_the_side_navigation_and_the_right_column(browser, live_server, login, demo):
    page = open_as(browser, live_server, login, "demo", DESKTOP)
    expect(page.get_by_role("navigation", name="Tabs")).to_be_hidden()
    side = page.get_by_role("navigation", name="Main")
    for name in ("Home", "Notifications", "Messages", "Shop", "Wallet", "Settings"):
        expect(side.get_by_role("link", name=re.compile(rf"^{name}\b"))).to_be_visible()
    rail = page.get_by_role("complementary", name="Suggestions")
    expect(rail.get_by_role("heading", name="Trending topics")).to_be_visible()
    expect(rail.get_by_role("link", name="#LongjingTea#")).to_be_visible()
    # demo follows both merchants and lihua already; wangfang posts and is suggested.
    expect(rail.get_by_role("heading", name="Who to follow")).to_be_visible()
    expect(rail.get_by_text("@wangfang")).to_be_visible()
    expect(rail.get_by_role("heading", name="Your cart")).to_be_visible()
    # The main column keeps a readable width beside both columns.
    main = page.locator("main").bounding_box()
    assert 560 <= main["width"] <= 680


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_axe_finds_no_serious_violation_on_the_main_pages(
    browser, live_server, login, demo, viewport
):
    page = open_as(browser, live_server, login, "lihua", viewport)
    axe = Axe()
    found = {}
    for path in main_pages(demo):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        results = axe.run(page)
        serious = [
            f"{violation['id']}: {node['target']}"
            for violation in results.response["violations"]
            if violation["impact"] in ("serious", "critical")
            for node in violation["nodes"]
        ]
        if serious:
            found[path] = serious
    assert not found, "\n".join(
        f"{path}: {item}" for path, items in found.items() for item in items
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_person_on_a_phone_buys_with_the_tab_bar(browser, live_server, login, demo):
    lihua = demo.users["lihua"]
    fund(lihua, 100_000)
    page = open_as(browser, live_server, login, "lihua", PHONE)
    tabs = page.get_by_role("navigation", name="Tabs")
    tabs.get_by_role("link", name="Shop").click()
    page.get_by_role("link", name="Aluminium laptop stand").first.click()
    page.get_by_role("button", name="Add to cart").click()
    expect(tabs.get_by_role("link", name="Shop").locator(".badge")).to_have_text("1")
    page.goto("/shop/cart/")
    page.get_by_role("link", name="Check out").click()
    page.get_by_role("button", name="Place order").click()
    page.get_by_role("button", name="Pay from wallet").click()
    expect(page.locator("#order-state")).to_have_text("Paid")
    assert sideways_overflow(page) <= 0
    order = Order.objects.get(buyer=lihua, state="paid")
    assert order.total > 0
    tabs.get_by_role("link", name="Home").click()
    expect(page.get_by_role("heading", name="Who to follow")).to_have_count(0)
    expect(page.locator(".post").first).to_be_visible()

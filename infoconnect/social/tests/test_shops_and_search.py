"""Shops people can follow and find: the shop page's Follow button and follower count, the
merchant profile's Shop tab (橱窗), shop names linking to the shop, and search finding
products with this week's trending topics and products."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.shop import actions as shop_actions
from infoconnect.shop.models import Order, Product
from infoconnect.shop.tests.conftest import make_product
from infoconnect.shop.tests.test_reviews import completed_order
from infoconnect.social import actions
from infoconnect.social.models import Follow, Post

pytestmark = pytest.mark.django_db


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def merchant(make_user):
    return make_user("acme", kind="merchant", verified=True)


@pytest.fixture
def buyer(make_user):
    return make_user("alice")


@pytest.fixture
def scarf(merchant):
    return make_product(merchant, title="Silk scarf", stock=20)


# --- the shop page -------------------------------------------------------------------------


def test_shop_page_follows_and_unfollows_and_counts_followers(buyer, merchant, scarf):
    client = client_for(buyer)
    page = text(client.get("/shop/acme/"))
    assert '<a href="/@acme/followers/" data-testid="shop-followers">0 followers</a>' in page
    assert 'href="/@acme/" data-testid="shop-profile"' in page
    assert 'action="/@acme/follow/"' in page
    response = client.post("/@acme/follow/", {"next": "/shop/acme/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/shop/acme/"
    page = text(response)
    assert "You now follow acme." in page and ">1 follower</a>" in page
    assert 'action="/@acme/unfollow/"' in page
    assert Follow.objects.filter(follower=buyer, target=merchant).exists()
    client.post("/@acme/unfollow/", {"next": "/shop/acme/"})
    assert not Follow.objects.filter(follower=buyer, target=merchant).exists()
    assert User.objects.get(pk=merchant.pk).followers_count == 0


def test_shop_page_asks_visitors_to_log_in_and_shows_no_button_to_its_merchant(merchant, scarf):
    assert "Log in to follow" in text(client_for().get("/shop/acme/"))
    own = text(client_for(merchant).get("/shop/acme/"))
    assert 'action="/@acme/follow/"' not in own


def test_a_blocked_visitor_gets_no_follow_button(make_user, buyer, merchant, scarf):
    actions.block(blocker=merchant, target=buyer)
    assert 'action="/@acme/follow/"' not in text(client_for(buyer).get("/shop/acme/"))


# --- the profile's Shop tab ------------------------------------------------------------------


def test_merchant_profile_has_a_shop_tab_with_its_products_on_sale(buyer, merchant, scarf):
    draft = shop_actions.create_product(merchant=merchant, title="Secret teapot")
    profile = text(client_for(buyer).get("/@acme/"))
    assert 'href="/@acme/shop/" data-testid="profile-shop-tab"' in profile
    tab = text(client_for(buyer).get("/@acme/shop/"))
    assert 'data-testid="product-card"' in tab and "Silk scarf" in tab
    assert draft.title not in tab
    assert 'href="/shop/acme/"' in tab


def test_people_have_no_shop_tab(buyer):
    assert "profile-shop-tab" not in text(client_for().get("/@alice/"))
    assert client_for().get("/@alice/shop/").status_code == 404


def test_shop_tab_hides_products_from_who_the_merchant_blocked(buyer, merchant, scarf):
    actions.block(blocker=merchant, target=buyer)
    assert "Silk scarf" not in text(client_for(buyer).get("/@acme/shop/"))


# --- shop names link to the shop ---------------------------------------------------------------


def test_shop_name_links_to_the_shop_on_cards_cart_orders_and_product(buyer, merchant, scarf):
    product, sku = scarf
    link = '<a class="shop-link" data-testid="shop-link" href="/shop/acme/">acme shop</a>'
    assert link in text(client_for().get("/shop/"))
    assert link in text(client_for().get(f"/shop/p/{product.pk}/"))
    shop_actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=1)
    assert link in text(client_for(buyer).get("/shop/cart/"))
    order = completed_order(buyer, merchant, sku)
    assert link in text(client_for(buyer).get("/shop/orders/"))
    assert link in text(client_for(buyer).get(f"/shop/orders/{order.pk}/"))


# --- search ----------------------------------------------------------------------------------


def test_search_finds_products_on_sale_from_verified_merchants(make_user, merchant, scarf):
    pending = make_user("shady", kind="merchant")
    Product.objects.create(merchant=pending, title="Silk scarf copy", status="active")
    shop_actions.create_product(merchant=merchant, title="Silk draft")
    page = text(client_for().get("/search/", {"q": "silk"}))
    products = page[page.index('id="search-products"') : page.index('id="search-tags"')]
    assert "Silk scarf" in products
    assert "Silk scarf copy" not in products and "Silk draft" not in products
    # The description is searched too.
    assert "Silk scarf" in text(client_for().get("/search/", {"q": "hand-rolled"}))
    empty = text(client_for().get("/search/", {"q": "teapot"}))
    assert "No products found." in empty


def test_search_page_shows_trending_topics_and_products(make_user, buyer, merchant, scarf):
    product, sku = scarf
    _quiet, quiet_sku = make_product(merchant, title="Tea set", stock=5, max_per_order=5)
    _best, best_sku = make_product(merchant, title="Jade bracelet", stock=20)
    completed_order(buyer, merchant, sku, quantity=1, key="a")
    completed_order(make_user("bob"), merchant, best_sku, quantity=3, key="b")
    # Sold long ago: not trending now.
    old = completed_order(make_user("carol"), merchant, quiet_sku, quantity=5, key="c")
    Order.objects.filter(pk=old.pk).update(paid_at=timezone.now() - timedelta(days=8))
    for n in range(3):
        actions.create_post(author=buyer, text=f"Spring #sale number {n}")
    actions.create_post(author=buyer, text="A #teatime post")
    stale = actions.create_post(author=buyer, text="Old #news")
    Post.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(days=8))

    page = text(client_for().get("/search/"))
    topics = page[page.index('id="trending-topics"') : page.index('id="trending-products"')]
    assert topics.index("#sale") < topics.index("#teatime")
    assert "3 posts this week" in topics and "#news" not in topics
    products = page[page.index('id="trending-products"') :]
    assert products.index("Jade bracelet") < products.index("Silk scarf")
    assert "Tea set" not in products


def test_mastodon_search_keeps_its_shape(api_client, buyer, scarf):
    body = api_client(buyer).get("/api/v2/search", {"q": "silk"}).json()
    assert set(body) == {"accounts", "statuses", "hashtags"}

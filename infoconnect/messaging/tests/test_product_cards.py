"""Product cards on campaigns and private messages, attribution of orders to the campaign the
buyer received, the campaign's orders and revenue, and the "has bought from me" audience."""

import csv
import io
import json
import re
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import signing
from django.utils import timezone

from infoconnect.core.errors import DomainError
from infoconnect.messaging import actions, selectors
from infoconnect.messaging.models import Campaign, Message
from infoconnect.shop.models import CartLine, Order, Product
from infoconnect.shop.tests.conftest import make_product

pytestmark = pytest.mark.django_db


def post(client, path, data=None, **headers):
    return client.post(
        path, data=json.dumps(data or {}), content_type="application/json", headers=headers
    )


@pytest.fixture
def scarf(merchant):
    product, _sku = make_product(merchant, title="Silk scarf", price=12_900, stock=5)
    return product


def _order(*, buyer, merchant, state, total=12_900, campaign_id=None, key="k"):
    return Order.objects.create(
        buyer=buyer,
        merchant=merchant,
        state=state,
        total=total,
        shipping_address={},
        campaign_id=campaign_id,
        checkout_key=key,
        expires_at=timezone.now() + timedelta(minutes=30),
    )


def _sent(merchant, committed, **fields):
    campaign = actions.create_campaign(
        merchant=merchant, title="Scarf week", body="Silk, this week only.", **fields
    )
    with committed():
        actions.send_campaign(merchant=merchant, campaign_id=campaign.pk)
    campaign.refresh_from_db()
    return campaign


# ---------------------------------------------------------------- attaching a product


def test_campaign_takes_the_merchants_own_product_on_sale(api_client, merchant, scarf, make_user):
    client = api_client(merchant)
    created = post(
        client, "/api/v1/campaigns", {"title": "Scarf", "body": "New", "product_id": scarf.pk}
    )
    assert (created.status_code, created.json()["product_id"]) == (201, scarf.pk)

    rival = make_user("rival", kind="merchant", verified=True)
    theirs, _sku = make_product(rival, title="Other scarf")
    draft, _sku = make_product(merchant, title="Not yet")
    draft.status = "draft"
    draft.save(update_fields=["status"])
    for bad in (theirs.pk, draft.pk, 2**70, "x"):
        response = post(
            client, "/api/v1/campaigns", {"title": "Bad", "body": "No", "product_id": bad}
        )
        assert response.status_code == 422, bad
    assert Campaign.objects.filter(merchant=merchant).count() == 1
    refused = post(
        client, "/api/v1/campaigns", {"title": "Bad", "body": "No", "product_id": theirs.pk}
    )
    assert refused.json() == {
        "error": "Choose one of your own products on sale.",
        "code": "invalid_attachment",
    }

    campaign_id = created.json()["id"]
    removed = client.patch(
        f"/api/v1/campaigns/{campaign_id}",
        data=json.dumps({"product_id": 0}),
        content_type="application/json",
    )
    assert removed.json()["product_id"] is None


def test_campaign_form_picks_a_product_and_page_shows_the_card(client, merchant, scarf):
    client.force_login(merchant)
    page = client.get("/messages/campaigns/new/").content.decode()
    assert f'<option value="{scarf.pk}">Silk scarf</option>' in page
    response = client.post(
        "/messages/campaigns/new/",
        {"title": "Scarf week", "body": "Silk.", "product": scarf.pk, "bought_from_me": "on"},
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert (campaign.product_id, campaign.audience) == (scarf.pk, {"bought_from_me": True})
    html = client.get(f"/messages/campaigns/{campaign.pk}/").content.decode()
    assert 'data-testid="product-card"' in html and "¥129.00" in html
    assert "Audience: Has bought from me</p>" in html
    bad = client.post("/messages/campaigns/new/", {"title": "X", "body": "Y", "product": 999999})
    assert bad.status_code == 400 and Campaign.objects.count() == 1


def test_private_message_carries_a_product_card(api_client, client, merchant, scarf, make_user):
    alice = make_user("alice")
    sent = post(
        api_client(merchant),
        f"/api/v1/inbox/conversations/{alice.pk}/messages",
        {"body": "For you", "attachment_type": "product", "attachment_id": scarf.pk},
    )
    assert sent.status_code == 201, sent.content
    card = sent.json()["product"]
    assert (card["title"], card["price_fen"], card["price_display"]) == (
        "Silk scarf",
        12_900,
        "¥129.00",
    )
    assert (card["url"], card["availability"]) == (f"/shop/p/{scarf.pk}/", "available")
    [message] = api_client(alice).get(f"/api/v1/inbox/conversations/{merchant.pk}/messages").json()
    assert message["product"]["title"] == "Silk scarf"
    client.force_login(alice)
    html = client.get(f"/messages/@{merchant.username}/").content.decode()
    assert 'data-testid="product-card"' in html and f'href="/shop/p/{scarf.pk}/"' in html

    # A person has no products; a merchant cannot send another's.
    refused = post(
        api_client(alice),
        f"/api/v1/inbox/conversations/{merchant.pk}/messages",
        {"body": "Look", "attachment_type": "product", "attachment_id": scarf.pk},
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "invalid_attachment")
    assert Message.objects.count() == 1


def test_merchant_compose_form_offers_its_products(client, merchant, scarf, make_user):
    alice = make_user("alice")
    client.force_login(merchant)
    response = client.post(
        f"/messages/@{alice.username}/", {"body": "Have a look", "product": scarf.pk}
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert (message.attachment_type, message.attachment_id) == ("product", scarf.pk)


# ---------------------------------------------------------------- click and attribution


def test_card_click_counts_and_carries_the_campaign(client, committed, merchant, followers, scarf):
    campaign = _sent(merchant, committed, product_id=scarf.pk)
    fan = followers[0]
    client.force_login(fan)
    html = client.get(f"/messages/@{merchant.username}/").content.decode()
    # A token carries the second it was signed, so read the page's own link back.
    [token] = set(re.findall(r'href="/messages/c/([^/"]+)/\?to=product"', html))
    assert selectors.read_click_token(token) == (fan.pk, campaign.message_id)
    buy_url = f"/messages/c/{token}/?to=product"
    response = client.get(buy_url)
    assert response.status_code == 302
    assert response["Location"] == f"/shop/p/{scarf.pk}/?campaign={campaign.pk}"
    campaign.refresh_from_db()
    assert campaign.clicked == 1


def test_only_a_received_campaign_is_credited(
    client, api_client, committed, merchant, followers, scarf, make_user
):
    campaign = _sent(merchant, committed, product_id=scarf.pk)
    sku = scarf.skus.get()
    fan, stranger = followers[0], make_user("stranger")

    client.force_login(fan)
    client.post("/shop/cart/add/", {"sku": sku.pk, "quantity": 1, "campaign": campaign.pk})
    assert CartLine.objects.get(cart__person=fan).campaign_id == campaign.pk

    # Someone who never received it cannot claim it, on the web or in the API.
    client.force_login(stranger)
    client.post("/shop/cart/add/", {"sku": sku.pk, "quantity": 1, "campaign": campaign.pk})
    assert CartLine.objects.get(cart__person=stranger).campaign_id is None
    added = post(
        api_client(stranger),
        "/api/v1/cart/lines",
        {"sku_id": sku.pk, "quantity": 1, "campaign_id": campaign.pk},
    )
    assert added.status_code == 201
    assert CartLine.objects.get(cart__person=stranger).campaign_id is None

    # A campaign of another merchant does not take credit for this merchant's sale.
    rival = make_user("rival", kind="merchant", verified=True)
    other, _sku = make_product(rival, title="Other")
    client.force_login(fan)
    client.post(
        "/shop/cart/add/",
        {"sku": other.skus.get().pk, "quantity": 1, "campaign": campaign.pk},
    )
    assert CartLine.objects.get(cart__person=fan, sku__product=other).campaign_id is None
    assert selectors.campaign_reached(
        buyer_id=fan.pk, campaign_id=campaign.pk, merchant_id=merchant.pk
    )


def test_buy_now_through_the_api_is_credited(api_client, committed, merchant, followers, scarf):
    from infoconnect.shop.tests.conftest import fund, make_address

    campaign = _sent(merchant, committed, product_id=scarf.pk)
    fan = followers[0]
    fund(fan, 20_000)
    address = make_address(fan)
    response = post(
        api_client(fan),
        "/api/v1/checkout",
        {
            "sku_id": scarf.skus.get().pk,
            "quantity": 1,
            "address_id": address.pk,
            "campaign_id": campaign.pk,
            "pay": True,
        },
        **{"Idempotency-Key": "buy-1"},
    )
    assert response.status_code == 201, response.content
    order = Order.objects.get()
    assert (order.campaign_id, order.state) == (campaign.pk, "paid")


# ---------------------------------------------------------------- figures


def test_campaign_shows_orders_and_revenue(
    client, api_client, committed, merchant, followers, scarf, make_user
):
    campaign = _sent(merchant, committed, product_id=scarf.pk)
    for n, state in enumerate(["paid", "shipped", "completed", "awaiting_payment", "cancelled"]):
        _order(
            buyer=followers[n], merchant=merchant, state=state, campaign_id=campaign.pk, key=str(n)
        )
    _order(buyer=followers[5], merchant=merchant, state="refunded", campaign_id=campaign.pk)
    _order(buyer=followers[6], merchant=merchant, state="paid")

    stats = api_client(merchant).get(f"/api/v1/campaigns/{campaign.pk}/stats").json()
    assert (stats["orders"], stats["revenue_fen"]) == (3, 38_700)
    assert (stats["refunded_orders"], stats["refunded_fen"]) == (1, 12_900)
    # Another merchant reads nothing of it.
    rival = make_user("rival", kind="merchant", verified=True)
    assert api_client(rival).get(f"/api/v1/campaigns/{campaign.pk}/stats").status_code == 404

    client.force_login(merchant)
    html = client.get(f"/messages/campaigns/{campaign.pk}/").content.decode()
    assert '<td data-testid="stat-orders">3</td>' in html
    assert '<td data-testid="stat-revenue">¥387.00</td>' in html
    assert '<td data-testid="stat-refunded">1 · ¥129.00</td>' in html
    rows = dict(
        row[:2]
        for row in csv.reader(
            io.StringIO(
                client.get(f"/messages/campaigns/{campaign.pk}/export.csv").content.decode(
                    "utf-8-sig"
                )
            )
        )
        if len(row) >= 2
    )
    assert (rows["Orders"], rows["Revenue"], rows["Refunded"]) == ("3", "38700", "12900")


# ---------------------------------------------------------------- has bought from me


def test_has_bought_from_me_audience(api_client, committed, merchant, followers, make_user):
    rival = make_user("rival", kind="merchant", verified=True)
    _order(buyer=followers[1], merchant=merchant, state="completed", key="a")
    _order(buyer=followers[2], merchant=merchant, state="paid", key="b")
    _order(buyer=followers[3], merchant=merchant, state="awaiting_payment", key="c")
    _order(buyer=followers[4], merchant=merchant, state="refunded", key="d")
    _order(buyer=followers[5], merchant=rival, state="completed", key="e")

    client = api_client(merchant)
    created = post(
        client,
        "/api/v1/campaigns",
        {"title": "Thanks", "body": "For buyers", "audience": {"bought_from_me": True}},
    )
    assert created.json()["audience"] == {"bought_from_me": True}
    campaign_id = created.json()["id"]
    estimate = post(client, f"/api/v1/campaigns/{campaign_id}/estimate").json()
    assert (estimate["targeted"], estimate["recipients"]) == (2, 2)
    with committed():
        post(client, f"/api/v1/campaigns/{campaign_id}/send", **{"Idempotency-Key": "b1"})
    campaign = Campaign.objects.get(pk=campaign_id)
    assert (campaign.state, campaign.delivered) == ("sent", 2)
    reached = {
        f.pk
        for f in followers
        if selectors.campaign_reached(
            buyer_id=f.pk, campaign_id=campaign_id, merchant_id=merchant.pk
        )
    }
    assert reached == {followers[1].pk, followers[2].pk}

    bad = post(
        client,
        "/api/v1/campaigns",
        {"title": "Bad", "body": "x", "audience": {"bought_from_me": "maybe"}},
    )
    assert bad.status_code == 422
    with pytest.raises(Exception) as error:
        actions.clean_audience({"bought_from_me": 1})
    assert error.value.code == "invalid_audience"


def later(monkeypatch, *, days: int) -> None:
    """Links are read ``days`` after they were signed."""
    now = time.time() + days * 86_400
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: now))


def test_a_link_older_than_90_days_has_expired_and_leads_to_the_product_without_the_campaign(
    client, committed, merchant, followers, scarf, monkeypatch
):
    campaign = _sent(merchant, committed, product_id=scarf.pk)
    fan = followers[0]
    client.force_login(fan)
    html = client.get(f"/messages/@{merchant.username}/").content.decode()
    [token] = set(re.findall(r'href="/messages/c/([^/"]+)/\?to=product"', html))
    later(monkeypatch, days=89)
    assert client.get(f"/messages/c/{token}/?to=product").status_code == 302
    later(monkeypatch, days=91)
    response = client.get(f"/messages/c/{token}/?to=product")
    assert response.status_code == 410
    page = response.content.decode()
    assert "This link has expired" in page
    assert f'href="/shop/p/{scarf.pk}/"' in page and "campaign=" not in page
    campaign.refresh_from_db()
    assert campaign.clicked == 1
    with pytest.raises(DomainError) as caught:
        selectors.read_click_token(token)
    assert caught.value.code == "link_expired"


def test_an_expired_link_to_a_product_no_longer_on_sale_offers_no_product(
    client, committed, merchant, followers, scarf, monkeypatch
):
    _sent(merchant, committed, product_id=scarf.pk)
    fan = followers[0]
    client.force_login(fan)
    html = client.get(f"/messages/@{merchant.username}/").content.decode()
    [token] = set(re.findall(r'href="/messages/c/([^/"]+)/\?to=product"', html))
    Product.objects.filter(pk=scarf.pk).update(status=Product.Status.DRAFT)
    later(monkeypatch, days=91)
    response = client.get(f"/messages/c/{token}/?to=product")
    assert response.status_code == 410
    assert 'data-testid="expired-product"' not in response.content.decode()
    assert client.get("/messages/c/not-a-token/").status_code == 404

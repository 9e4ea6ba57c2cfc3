"""A campaign carries a coupon: each recipient claims it from the message in one click (the
claim records the campaign), checkout applies it, and the campaign page counts claims,
redemptions and their revenue beside the rates merchants compare campaigns by."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from infoconnect.messaging import actions
from infoconnect.messaging.models import Campaign, Message
from infoconnect.shop import actions as shop_actions
from infoconnect.shop.actions import coupons
from infoconnect.shop.models import CouponClaim
from infoconnect.shop.tests.conftest import fund, make_address, make_product

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shown(html: str, name: str) -> str:
    found = re.search(rf'data-testid="{name}">([^<]*)<', html)
    assert found, name
    return found[1]


@pytest.fixture
def coupon(merchant):
    return coupons.create_coupon(
        merchant=merchant,
        title="¥20 off ¥100",
        kind="amount",
        amount_off=2_000,
        min_spend=10_000,
        starts_at=timezone.now() - timedelta(minutes=1),
        ends_at=timezone.now() + timedelta(days=7),
        total_count=100,
    )


def test_a_recipient_claims_the_campaigns_coupon_and_the_campaign_counts_it(
    committed, make_user, merchant, followers, coupon
):
    _product, sku = make_product(merchant, price=15_000, stock=10)
    shop = client_for(merchant)
    form = shop.get("/messages/campaigns/new/").content.decode()
    assert f'<option value="{coupon.pk}">¥20 off ¥100</option>' in form
    shop.post(
        "/messages/campaigns/new/",
        {"title": "Spring sale", "body": "A coupon for you", "coupon": coupon.pk, "tags": ""},
    )
    campaign = Campaign.objects.get()
    assert campaign.coupon_id == coupon.pk
    with committed():
        actions.send_campaign(merchant=merchant, campaign_id=campaign.pk)
    fan = followers[0]
    message = Message.objects.get(campaign=campaign, is_test=False)
    reader = client_for(fan)
    page = reader.get("/messages/@acme/").content.decode()
    assert 'data-testid="claim-coupon"' in page
    assert "¥20.00 off · on orders of ¥100.00 or more" in page
    claimed = reader.post(
        f"/messages/m/{message.pk}/coupon/", {"next": "/messages/@acme/"}, follow=True
    )
    assert "Coupon claimed. Checkout takes it off your order by itself." in claimed.content.decode()
    assert 'data-testid="coupon-claimed"' in claimed.content.decode()
    claim = CouponClaim.objects.get(person=fan)
    assert (claim.coupon_id, claim.campaign_id) == (coupon.pk, campaign.pk)
    # A second click claims nothing more.
    again = reader.post(f"/messages/m/{message.pk}/coupon/", follow=True).content.decode()
    assert "You have already claimed this coupon." in again
    assert CouponClaim.objects.count() == 1

    # The fan buys through the campaign: the coupon comes off, the campaign gets the credit.
    fund(fan, 20_000)
    order = shop_actions.buy_now(
        buyer=fan,
        sku_id=sku.pk,
        quantity=1,
        address_id=make_address(fan).pk,
        key="k",
        campaign_id=campaign.pk,
        pay=True,
    )
    assert (order.discount, order.total) == (2_000, 13_000)

    detail = shop.get(f"/messages/campaigns/{campaign.pk}/").content.decode()
    assert shown(detail, "campaign-coupon-title") == "Coupon: ¥20 off ¥100"
    assert [
        shown(detail, name)
        for name in ("coupon-claimed-count", "coupon-redeemed-count", "coupon-revenue")
    ] == ["1", "1", "¥130.00"]
    # 10 delivered at 1 fen each; the fan read it; one order of ¥130.00.
    assert [
        shown(detail, name)
        for name in (
            "rate-read",
            "rate-click",
            "rate-conversion",
            "rate-revenue-per-delivered",
            "rate-return-on-spend",
        )
    ] == ["10.0%", "0.0%", "10.0%", "¥13.00", "1300.00×"]


def test_claiming_needs_the_message_and_a_coupon_on_it(make_user, merchant, followers, coupon):
    campaign = actions.create_campaign(merchant=merchant, title="No coupon", body="Hello")
    stranger = make_user("stranger")
    test_copy = actions.send_test(merchant=merchant, campaign_id=campaign.pk)
    # Someone who never received the message, and a campaign without a coupon: not found.
    response = client_for(stranger).post(f"/messages/m/{test_copy.pk}/coupon/")
    assert response.status_code == 404
    response = client_for(merchant).post(f"/messages/m/{test_copy.pk}/coupon/")
    assert response.status_code == 404
    assert not CouponClaim.objects.exists()


def test_a_campaign_carries_only_the_merchants_own_valid_coupon(
    api_client, make_user, merchant, coupon
):
    client = api_client(merchant)
    created = client.post(
        "/api/v1/campaigns",
        data=json.dumps({"title": "T", "body": "B", "coupon_id": coupon.pk}),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    campaign_id = created.json()["id"]
    assert created.json()["coupon_id"] == coupon.pk
    rival = make_user("rival", kind="merchant", verified=True)
    actions.enrol_merchant(merchant=rival)
    theirs = api_client(rival).post(
        "/api/v1/campaigns",
        data=json.dumps({"title": "T", "body": "B", "coupon_id": coupon.pk}),
        content_type="application/json",
    )
    assert (theirs.status_code, theirs.json()["code"]) == (422, "invalid_attachment")
    coupons.deactivate_coupon(merchant=merchant, coupon_id=coupon.pk)
    patched = client.patch(
        f"/api/v1/campaigns/{campaign_id}",
        data=json.dumps({"coupon_id": coupon.pk}),
        content_type="application/json",
    )
    assert (patched.status_code, patched.json()["code"]) == (422, "invalid_attachment")
    removed = client.patch(
        f"/api/v1/campaigns/{campaign_id}",
        data=json.dumps({"coupon_id": 0}),
        content_type="application/json",
    )
    assert removed.json()["coupon_id"] is None
    stats = client.get(f"/api/v1/campaigns/{campaign_id}/stats").json()
    assert stats["coupon"] is None
    assert (stats["read_rate"], stats["return_on_spend"]) == (None, None)


def test_stats_api_gives_the_rates_and_the_coupon(
    api_client, committed, merchant, followers, coupon
):
    campaign = actions.create_campaign(merchant=merchant, title="T", body="B", coupon_id=coupon.pk)
    with committed():
        actions.send_campaign(merchant=merchant, campaign_id=campaign.pk)
    coupons.claim_coupon(person=followers[1], coupon_id=coupon.pk, campaign_id=campaign.pk)
    stats = api_client(merchant).get(f"/api/v1/campaigns/{campaign.pk}/stats").json()
    assert stats["coupon"] == {
        "id": coupon.pk,
        "title": "¥20 off ¥100",
        "claimed": 1,
        "redeemed": 0,
        "revenue_fen": 0,
    }
    assert {k: stats[k] for k in ("read_rate", "conversion_rate", "revenue_per_delivered_fen")} == {
        "read_rate": 0.0,
        "conversion_rate": 0.0,
        "revenue_per_delivered_fen": 0,
    }
    assert stats["return_on_spend"] == 0.0

"""Coupons: a merchant creates, lists and deactivates them; a person claims one (once, and
never beyond the total count, also under concurrent claims on PostgreSQL); checkout applies
the best valid claim per merchant order and redeems it; an undone order gives it back."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from infoconnect.core.errors import DomainError
from infoconnect.shop import actions
from infoconnect.shop.actions import coupons
from infoconnect.shop.actions.shipping import set_shipping_policy
from infoconnect.shop.models import CartLine, Coupon, CouponClaim, Order, Sku
from infoconnect.shop.tests.conftest import fund, make_product, wallet_balance
from infoconnect.shop.tests.test_integrity import _run_concurrently


def soon(**delta):
    return timezone.now() + timedelta(**delta)


def make_coupon(merchant, **overrides) -> Coupon:
    fields = {
        "title": "¥20 off ¥100",
        "kind": "amount",
        "amount_off": 2_000,
        "min_spend": 10_000,
        "starts_at": soon(minutes=-1),
        "ends_at": soon(days=7),
        "total_count": 10,
    }
    fields.update(overrides)
    return coupons.create_coupon(merchant=merchant, **fields)


def refused(code: str, status: int, work) -> None:
    with pytest.raises(DomainError) as info:
        work()
    assert (info.value.code, info.value.status) == (code, status)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- creating and deactivating -------------------------------------------------------------


@pytest.mark.django_db
def test_merchant_creates_amount_and_percent_coupons(merchant):
    amount = make_coupon(merchant)
    assert (amount.kind, amount.amount_off, amount.percent_off, amount.claimed_count) == (
        "amount",
        2_000,
        None,
        0,
    )
    percent = make_coupon(
        merchant, title="15% off", kind="percent", amount_off=None, percent_off=15, max_off=3_000
    )
    assert percent.discount_for(10_000) == 1_500
    assert percent.discount_for(100_000) == 3_000
    assert percent.discount_for(5_000) == 0  # below the minimum spend


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"title": "  "}, "invalid_coupon_title"),
        ({"amount_off": 0}, "invalid_discount"),
        ({"amount_off": None}, "invalid_discount"),
        ({"kind": "percent", "amount_off": None, "percent_off": 100}, "invalid_discount"),
        ({"kind": "percent", "amount_off": None, "percent_off": 0}, "invalid_discount"),
        ({"kind": "free", "amount_off": None}, "invalid_discount"),
        ({"min_spend": -1}, "invalid_min_spend"),
        ({"ends_at": soon(minutes=-2)}, "invalid_coupon_dates"),
        ({"starts_at": soon(days=8)}, "invalid_coupon_dates"),
        ({"total_count": 0}, "invalid_coupon_count"),
        ({"total_count": 1_000_001}, "invalid_coupon_count"),
    ],
)
def test_bad_coupons_are_refused_with_a_code_and_nothing_is_written(merchant, overrides, code):
    refused(code, 422, lambda: make_coupon(merchant, **overrides))
    assert not Coupon.objects.exists()


@pytest.mark.django_db
def test_only_a_verified_merchant_creates_and_only_its_own_are_deactivated(
    make_user, buyer, merchant
):
    refused("not_a_merchant", 403, lambda: make_coupon(buyer))
    coupon = make_coupon(merchant)
    rival = make_user("rival", kind="merchant", verified=True)
    refused(
        "coupon_not_found",
        404,
        lambda: coupons.deactivate_coupon(merchant=rival, coupon_id=coupon.pk),
    )
    assert Coupon.objects.get(pk=coupon.pk).is_active
    coupons.deactivate_coupon(merchant=merchant, coupon_id=coupon.pk)
    assert not Coupon.objects.get(pk=coupon.pk).is_active


@pytest.mark.django_db
def test_coupon_pages_create_list_and_deactivate(buyer, merchant):
    client = client_for(merchant)
    response = client.post(
        "/shop/manage/coupons/",
        {
            "title": "Spring sale",
            "kind": "percent",
            "percent_off": "10",
            "max_off": "30",
            "min_spend": "50",
            "starts_at": timezone.localtime(soon(minutes=-5)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": timezone.localtime(soon(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "total_count": "100",
        },
    )
    assert response.status_code == 302
    coupon = Coupon.objects.get()
    assert (coupon.percent_off, coupon.max_off, coupon.min_spend) == (10, 3_000, 5_000)
    page = client.get("/shop/manage/coupons/").content.decode()
    assert (
        "Spring sale" in page and "10% off (at most ¥30.00) · on orders of ¥50.00 or more" in page
    )
    # Bad input: a 422 with the form's message, nothing written.
    bad = client.post("/shop/manage/coupons/", {"title": "x", "kind": "amount", "total_count": 1})
    assert bad.status_code == 422
    assert Coupon.objects.count() == 1
    # A buyer may not manage coupons; a merchant deactivates its own.
    assert client_for(buyer).get("/shop/manage/coupons/").status_code == 403
    assert (
        client_for(buyer).post(f"/shop/manage/coupons/{coupon.pk}/deactivate/").status_code == 403
    )
    client.post(f"/shop/manage/coupons/{coupon.pk}/deactivate/")
    assert not Coupon.objects.get(pk=coupon.pk).is_active


# --- claiming ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_person_claims_once_and_never_beyond_the_count(make_user, merchant):
    coupon = make_coupon(merchant, total_count=2)
    alice, bob, carol = (make_user(n) for n in ("alice", "bob", "carol"))
    claim = coupons.claim_coupon(person=alice, coupon_id=coupon.pk, campaign_id=7)
    assert (claim.campaign_id, claim.order_id) == (7, None)
    refused(
        "coupon_already_claimed",
        409,
        lambda: coupons.claim_coupon(person=alice, coupon_id=coupon.pk),
    )
    coupons.claim_coupon(person=bob, coupon_id=coupon.pk)
    refused(
        "coupon_all_claimed", 409, lambda: coupons.claim_coupon(person=carol, coupon_id=coupon.pk)
    )
    assert Coupon.objects.get(pk=coupon.pk).claimed_count == 2
    assert CouponClaim.objects.count() == 2


@pytest.mark.django_db
def test_claims_refused_for_own_inactive_ended_or_unknown_coupons(make_user, merchant):
    alice = make_user("alice")
    coupon = make_coupon(merchant)
    refused("own_coupon", 409, lambda: coupons.claim_coupon(person=merchant, coupon_id=coupon.pk))
    later = make_coupon(merchant, starts_at=soon(days=1))
    refused(
        "coupon_unavailable", 409, lambda: coupons.claim_coupon(person=alice, coupon_id=later.pk)
    )
    coupons.deactivate_coupon(merchant=merchant, coupon_id=coupon.pk)
    refused(
        "coupon_unavailable", 409, lambda: coupons.claim_coupon(person=alice, coupon_id=coupon.pk)
    )
    refused("coupon_not_found", 404, lambda: coupons.claim_coupon(person=alice, coupon_id=10**6))
    assert not CouponClaim.objects.exists()
    assert Coupon.objects.get(pk=coupon.pk).claimed_count == 0


# --- checkout applies, redeems and gives back --------------------------------------------------


@pytest.mark.django_db
def test_checkout_applies_the_best_claim_per_merchant_and_redeems_it(
    make_user, buyer, merchant, address
):
    _p, sku = make_product(merchant, price=6_000, stock=10)
    other = make_user("bolt", kind="merchant", verified=True)
    _q, pen = make_product(other, title="Pen", price=1_000, stock=10)
    set_shipping_policy(merchant=merchant, fee=800, free_over=None)
    small = make_coupon(merchant, title="¥5 off", amount_off=500, min_spend=0)
    big = make_coupon(merchant, title="¥20 off ¥100")  # applies from ¥100
    percent = make_coupon(
        merchant, title="10% off", kind="percent", amount_off=None, percent_off=10, max_off=1_000
    )
    for coupon in (small, big, percent):
        coupons.claim_coupon(person=buyer, coupon_id=coupon.pk)
    actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=2)  # ¥120.00
    actions.add_to_cart(person=buyer, sku_id=pen.pk, quantity=1)  # no coupon at that shop
    fund(buyer, 50_000)
    orders = actions.checkout(buyer=buyer, address_id=address.pk, key="k", pay=True)
    by_merchant = {o.merchant_id: Order.objects.get(pk=o.pk) for o in orders}
    mine = by_merchant[merchant.pk]
    used = CouponClaim.objects.get(person=buyer, coupon=big)
    # ¥20 beats 10% (¥12) and ¥5: 12,000 + 800 shipping − 2,000.
    assert (mine.discount, mine.shipping_fee, mine.total, mine.coupon_claim_id) == (
        2_000,
        800,
        10_800,
        used.pk,
    )
    assert (by_merchant[other.pk].discount, by_merchant[other.pk].total) == (0, 1_000)
    assert used.order_id == mine.pk and used.redeemed_at is not None
    assert Coupon.objects.get(pk=big.pk).redeemed_count == 1
    assert wallet_balance(buyer) == 50_000 - 10_800 - 1_000
    # The used claim applies no more: the next order takes the best of the others.
    actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=2)
    (second,) = actions.checkout(buyer=buyer, address_id=address.pk, key="k2")
    assert second.discount == 1_000  # 10% of ¥120, capped at ¥10


@pytest.mark.django_db
def test_buy_now_applies_a_claim_and_cancelling_gives_it_back(buyer, merchant, address):
    _p, sku = make_product(merchant, price=15_000, stock=10)
    coupon = make_coupon(merchant)
    claim = coupons.claim_coupon(person=buyer, coupon_id=coupon.pk)
    order = actions.buy_now(buyer=buyer, sku_id=sku.pk, quantity=1, address_id=address.pk, key="b")
    assert (order.discount, order.total) == (2_000, 13_000)
    claim.refresh_from_db()
    assert claim.order_id == order.pk
    actions.cancel_order(person=buyer, order_id=order.pk)
    claim.refresh_from_db()
    assert (claim.order_id, claim.redeemed_at) == (None, None)
    assert Coupon.objects.get(pk=coupon.pk).redeemed_count == 0
    again = actions.buy_now(buyer=buyer, sku_id=sku.pk, quantity=1, address_id=address.pk, key="c")
    assert again.discount == 2_000


@pytest.mark.django_db
def test_a_refunded_order_gives_its_coupon_back(buyer, merchant, address):
    _p, sku = make_product(merchant, price=15_000, stock=10)
    coupon = make_coupon(merchant)
    claim = coupons.claim_coupon(person=buyer, coupon_id=coupon.pk)
    fund(buyer, 20_000)
    order = actions.buy_now(
        buyer=buyer, sku_id=sku.pk, quantity=1, address_id=address.pk, key="b", pay=True
    )
    actions.ship_order(merchant=merchant, order_id=order.pk, carrier="SF", tracking_number="1")
    actions.confirm_receipt(buyer=buyer, order_id=order.pk)
    actions.request_refund(buyer=buyer, order_id=order.pk, reason="Torn")
    actions.answer_refund(merchant=merchant, order_id=order.pk, accept=True)
    assert Order.objects.get(pk=order.pk).state == "refunded"
    claim.refresh_from_db()
    assert claim.order_id is None
    assert Coupon.objects.get(pk=coupon.pk).redeemed_count == 0


@pytest.mark.django_db
def test_an_expired_coupon_stays_spent_when_its_order_is_cancelled(buyer, merchant, address):
    _p, sku = make_product(merchant, price=15_000, stock=10)
    coupon = make_coupon(merchant)
    claim = coupons.claim_coupon(person=buyer, coupon_id=coupon.pk)
    order = actions.buy_now(buyer=buyer, sku_id=sku.pk, quantity=1, address_id=address.pk, key="b")
    Coupon.objects.filter(pk=coupon.pk).update(starts_at=soon(days=-3), ends_at=soon(seconds=-1))
    actions.cancel_order(person=buyer, order_id=order.pk)
    claim.refresh_from_db()
    assert claim.order_id == order.pk
    assert Coupon.objects.get(pk=coupon.pk).redeemed_count == 1


@pytest.mark.django_db
def test_a_claim_used_by_another_checkout_first_refuses_the_whole_checkout(
    buyer, merchant, address, monkeypatch
):
    _p, sku = make_product(merchant, price=15_000, stock=10)
    coupon = make_coupon(merchant)
    claim = coupons.claim_coupon(person=buyer, coupon_id=coupon.pk)
    actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=1)
    from infoconnect.shop import pricing

    real = pricing.quote_orders

    def quote_then_lose_the_claim(**kwargs):
        quote = real(**kwargs)
        # Another tab's checkout redeems the claim between the quote and this one's redeem.
        CouponClaim.objects.filter(pk=claim.pk).update(order_id=999_999, redeemed_at=timezone.now())
        return quote

    monkeypatch.setattr(pricing, "quote_orders", quote_then_lose_the_claim)
    refused(
        "coupon_claim_used",
        409,
        lambda: actions.checkout(buyer=buyer, address_id=address.pk, key="k"),
    )
    assert not Order.objects.exists()
    # The cart and the stock are as they were.
    assert CartLine.objects.filter(cart__person=buyer).count() == 1
    assert Sku.objects.get(pk=sku.pk).stock == 10


@pytest.mark.django_db
def test_checkout_page_shows_the_saving_and_the_lower_total(buyer, merchant, address):
    _p, sku = make_product(merchant, price=15_000, stock=10)
    coupon = make_coupon(merchant)
    coupons.claim_coupon(person=buyer, coupon_id=coupon.pk)
    actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=1)
    page = client_for(buyer).get("/shop/checkout/").content.decode()
    assert "Coupon “¥20 off ¥100” saves you ¥20.00." in page
    assert 'id="checkout-discount">−¥20.00<' in page
    assert 'id="checkout-total">¥130.00<' in page
    mine = client_for(buyer).get("/shop/coupons/").content.decode()
    assert "¥20 off ¥100" in mine and "Ready to use" in mine


# --- the API ----------------------------------------------------------------------------------


def _post(client, url, data=None):
    return client.post(url, data=json.dumps(data or {}), content_type="application/json")


@pytest.mark.django_db
def test_api_coupon_crud_claim_and_claims_list(api_client, make_user, merchant):
    alice = make_user("alice")
    shop = api_client(merchant)
    body = {
        "title": "¥10 off",
        "kind": "amount",
        "amount_off": 1_000,
        "starts_at": soon(minutes=-1).isoformat(),
        "ends_at": soon(days=1).isoformat(),
        "total_count": 5,
    }
    created = _post(shop, "/api/v1/coupons", body)
    assert created.status_code == 201, created.content
    coupon_id = created.json()["id"]
    assert [c["id"] for c in shop.get("/api/v1/coupons").json()] == [coupon_id]
    assert shop.get(f"/api/v1/coupons/{coupon_id}").json()["claimed_count"] == 0
    bad = _post(shop, "/api/v1/coupons", {**body, "ends_at": soon(days=-1).isoformat()})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_coupon_dates")
    unknown = _post(shop, "/api/v1/coupons", {**body, "colour": "red"})
    assert unknown.status_code == 422
    # Who may not: a person cannot create or list; another merchant does not see it.
    person = api_client(alice)
    assert _post(person, "/api/v1/coupons", body).json()["code"] == "not_a_merchant"
    assert person.get(f"/api/v1/coupons/{coupon_id}").status_code == 403
    rival = api_client(make_user("rival", kind="merchant", verified=True))
    assert rival.get(f"/api/v1/coupons/{coupon_id}").status_code == 404
    # Claim, once.
    claimed = _post(person, f"/api/v1/coupons/{coupon_id}/claim")
    assert claimed.status_code == 201, claimed.content
    assert claimed.json()["coupon"]["claimed_count"] == 1
    again = _post(person, f"/api/v1/coupons/{coupon_id}/claim")
    assert (again.status_code, again.json()["code"]) == (409, "coupon_already_claimed")
    # Claiming "from" a campaign the person never received is refused.
    from_campaign = _post(
        api_client(make_user("bob")), f"/api/v1/coupons/{coupon_id}/claim", {"campaign_id": 12}
    )
    assert (from_campaign.status_code, from_campaign.json()["code"]) == (404, "campaign_not_found")
    claims = person.get("/api/v1/coupons/claims").json()
    assert [(c["coupon"]["id"], c["order_id"]) for c in claims] == [(coupon_id, None)]
    deactivated = _post(shop, f"/api/v1/coupons/{coupon_id}/deactivate")
    assert deactivated.json()["is_active"] is False
    assert (
        _post(api_client(make_user("carol")), f"/api/v1/coupons/{coupon_id}/claim").json()["code"]
        == "coupon_unavailable"
    )


# --- concurrent claims (PostgreSQL) -------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_never_pass_the_total_count(make_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrent transactions")
    merchant = make_user("acme", kind="merchant", verified=True)
    coupon = make_coupon(merchant, total_count=5)
    people = [make_user(f"buyer{i}") for i in range(20)]

    # One of them clicks twice at once: still one claim.
    def claim(person):
        return lambda: coupons.claim_coupon(person=person, coupon_id=coupon.pk) and "claimed"

    results = _run_concurrently([claim(p) for p in people] + [claim(people[0])])
    assert results.count("claimed") == 5, results
    assert set(results) <= {"claimed", "coupon_all_claimed", "coupon_already_claimed"}, results
    assert Coupon.objects.get(pk=coupon.pk).claimed_count == 5
    assert CouponClaim.objects.count() == 5
    assert CouponClaim.objects.values("person").distinct().count() == 5

"""Reads of coupons and their claims, for the shop's pages, the API and the messaging app
(which asks here whether a campaign may carry a coupon, and what its coupon brought)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.core.ids import is_id
from infoconnect.shop.lifecycle import BOUGHT_STATES
from infoconnect.shop.models import Coupon, CouponClaim, Order, ShippingPolicy


def merchant_coupons(*, merchant: User) -> list[Coupon]:
    return list(Coupon.objects.filter(merchant_id=merchant.pk).order_by("-id")[:200])


def merchant_coupon(*, merchant: User, coupon_id: int) -> Coupon | None:
    if not is_id(coupon_id):
        return None
    return Coupon.objects.filter(pk=coupon_id, merchant_id=merchant.pk).first()


def claims_for(*, person: User) -> list[CouponClaim]:
    """The person's claims, newest first, with each coupon and its shop."""
    return list(
        CouponClaim.objects.filter(person_id=person.pk)
        .select_related("coupon__merchant")
        .order_by("-id")[:200]
    )


def attachable_coupons(*, merchant: User) -> list[Coupon]:
    """The merchant's coupons a campaign may carry: active and not yet ended."""
    return list(
        Coupon.objects.filter(
            merchant_id=merchant.pk, is_active=True, ends_at__gt=timezone.now()
        ).order_by("-id")
    )


def attachable_coupon(*, merchant: User, coupon_id: object) -> Coupon | None:
    """The coupon if a campaign of ``merchant`` may carry it (every app that attaches one asks)."""
    if not is_id(coupon_id):
        return None
    return Coupon.objects.filter(
        pk=coupon_id, merchant_id=merchant.pk, is_active=True, ends_at__gt=timezone.now()
    ).first()


@dataclass
class CouponCard:
    """A coupon as a message shows it to one person."""

    coupon: Coupon
    claimed: bool
    # Whether the claim button works now (active, started, not ended, some left).
    claimable: bool


def coupon_cards(*, coupon_ids, person: User | None) -> dict[int, CouponCard]:
    """Coupon id -> its card for ``person``, for a page of messages in two queries."""
    wanted = {int(i) for i in coupon_ids if i}
    if not wanted:
        return {}
    coupons = Coupon.objects.filter(pk__in=wanted).select_related("merchant")
    claimed: set[int] = set()
    if person is not None and person.is_authenticated:
        claimed = set(
            CouponClaim.objects.filter(person_id=person.pk, coupon_id__in=wanted).values_list(
                "coupon_id", flat=True
            )
        )
    now = timezone.now()
    return {
        c.pk: CouponCard(
            coupon=c,
            claimed=c.pk in claimed,
            claimable=c.is_active
            and c.starts_at <= now < c.ends_at
            and c.claimed_count < c.total_count,
        )
        for c in coupons
    }


def campaign_coupon_figures(*, campaign_id: int) -> dict:
    """What a campaign's coupon did: claims made from its messages, those redeemed by an
    order, and the revenue of those orders (paid and not undone)."""
    claims = CouponClaim.objects.filter(campaign_id=campaign_id).aggregate(
        claimed=Count("id"), redeemed=Count("id", filter=Q(order_id__isnull=False))
    )
    revenue = Order.objects.filter(
        coupon_claim_id__in=CouponClaim.objects.filter(campaign_id=campaign_id).values("pk"),
        state__in=BOUGHT_STATES,
    ).aggregate(revenue=Sum("total"))["revenue"]
    return {
        "claimed": claims["claimed"],
        "redeemed": claims["redeemed"],
        "revenue": int(revenue or 0),
    }


def shipping_policy(*, merchant: User) -> ShippingPolicy | None:
    return ShippingPolicy.objects.filter(merchant_id=merchant.pk).first()

"""What an order costs before it is placed: its lines, the merchant's shipping fee, and the
best coupon the buyer has claimed from that merchant.

The cart, the checkout page, the API and checkout itself all ask ``quote_orders``, so what a
buyer is shown is what the order is placed for. Reads only: redeeming the coupon is
actions/coupons.py's conditional UPDATE, in checkout's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from infoconnect.shop.models import Coupon, CouponClaim, Order, ShippingPolicy, Sku


@dataclass
class OrderQuote:
    """One merchant's order-to-be: what its lines come to, shipping, the coupon's saving."""

    merchant_id: int
    subtotal: int
    shipping_fee: int = 0
    discount: int = 0
    claim: CouponClaim | None = None

    @property
    def total(self) -> int:
        return self.subtotal + self.shipping_fee - self.discount

    @classmethod
    def of(cls, order: Order) -> OrderQuote:
        """A placed order's figures, from what its row stores."""
        return cls(
            merchant_id=order.merchant_id,
            subtotal=order.total - order.shipping_fee + order.discount,
            shipping_fee=order.shipping_fee,
            discount=order.discount,
        )

    @property
    def coupon(self) -> Coupon | None:
        return self.claim.coupon if self.claim is not None and self.discount else None


@dataclass
class Quote:
    """Every merchant's order in one checkout, and the sums a page shows."""

    orders: list[OrderQuote]
    policies: dict[int, ShippingPolicy] = field(default_factory=dict)

    @property
    def subtotal(self) -> int:
        return sum(order.subtotal for order in self.orders)

    @property
    def shipping_fee(self) -> int:
        return sum(order.shipping_fee for order in self.orders)

    @property
    def discount(self) -> int:
        return sum(order.discount for order in self.orders)

    @property
    def total(self) -> int:
        return sum(order.total for order in self.orders)

    def discounts(self) -> dict[int, tuple[int, int]]:
        """merchant id -> (claim id, fen off), for the orders a coupon applies to."""
        return {
            order.merchant_id: (order.claim.pk, order.discount)
            for order in self.orders
            if order.claim is not None and order.discount
        }


def shipping_policies(merchant_ids) -> dict[int, ShippingPolicy]:
    """Each merchant's shipping policy (a merchant without one ships free)."""
    wanted = sorted(set(merchant_ids))
    if not wanted:
        return {}
    return {p.merchant_id: p for p in ShippingPolicy.objects.filter(merchant_id__in=wanted)}


def shipping_fee(policies: dict[int, ShippingPolicy], merchant_id: int, subtotal: int) -> int:
    policy = policies.get(merchant_id)
    return policy.fee_for(subtotal) if policy is not None else 0


def usable_claims(
    *, person_id: int, merchant_ids, now: datetime | None = None
) -> list[CouponClaim]:
    """The person's claimed, unused coupons of these merchants that are valid at ``now``."""
    now = now or timezone.now()
    return list(
        CouponClaim.objects.filter(
            person_id=person_id,
            order_id__isnull=True,
            coupon__merchant_id__in=sorted(set(merchant_ids)),
            coupon__is_active=True,
            coupon__starts_at__lte=now,
            coupon__ends_at__gt=now,
        )
        .select_related("coupon")
        .order_by("pk")
    )


def best_claim(claims: list[CouponClaim], subtotal: int) -> tuple[CouponClaim | None, int]:
    """The claim that takes most off ``subtotal`` (on a tie, the one that ends first, so the
    other keeps longer), and what it takes off; (None, 0) when none applies."""
    best, best_off = None, 0
    for claim in claims:
        off = claim.coupon.discount_for(subtotal)
        if off > best_off or (
            off == best_off and off and claim.coupon.ends_at < best.coupon.ends_at
        ):
            best, best_off = claim, off
    return best, best_off


def quote_orders(
    *,
    buyer_id: int | None,
    lines: list[tuple[Sku, int]],
    policies: dict[int, ShippingPolicy] | None = None,
    with_coupons: bool = True,
    now: datetime | None = None,
) -> Quote:
    """The orders (sku, quantity) lines will make, one per merchant in merchant id order, with
    shipping and, for a signed-in buyer, the best claimed coupon of each merchant."""
    subtotals: dict[int, int] = defaultdict(int)
    for sku, quantity in lines:
        subtotals[sku.product.merchant_id] += sku.price * quantity
    if policies is None:
        policies = shipping_policies(subtotals)
    claims_by_merchant: dict[int, list[CouponClaim]] = defaultdict(list)
    if with_coupons and buyer_id is not None and subtotals:
        for claim in usable_claims(person_id=buyer_id, merchant_ids=subtotals, now=now):
            claims_by_merchant[claim.coupon.merchant_id].append(claim)
    orders = []
    for merchant_id in sorted(subtotals):
        subtotal = subtotals[merchant_id]
        claim, off = best_claim(claims_by_merchant[merchant_id], subtotal)
        orders.append(
            OrderQuote(
                merchant_id=merchant_id,
                subtotal=subtotal,
                shipping_fee=shipping_fee(policies, merchant_id, subtotal),
                discount=off,
                claim=claim,
            )
        )
    return Quote(orders=orders, policies=policies)

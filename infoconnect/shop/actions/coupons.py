"""Coupons: a merchant creates and deactivates them, a person claims one (from a campaign's
message or the API), checkout redeems it, and a cancelled, expired or refunded order gives it
back while it is still valid.

The counters move only by conditional UPDATEs, so concurrent claims never pass the coupon's
total count (the CHECKs back it) and one claim is never redeemed by two orders.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.ids import is_id
from infoconnect.shop.actions.rules import MAX_PRICE, require_merchant
from infoconnect.shop.errors import CouponError
from infoconnect.shop.models import Coupon, CouponClaim, Order

MAX_COUNT = 1_000_000
TITLE_MAX_LENGTH = Coupon._meta.get_field("title").max_length
# The order moves that undo a sale, and so give its coupon back (shop.signals.order_moved).
GIVES_COUPON_BACK = ("cancel", "expire", "refund")


def _check_fen(value: object, error: CouponError, *, positive: bool) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value > MAX_PRICE:
        raise DomainError(error)
    if value < (1 if positive else 0):
        raise DomainError(error)
    return value


def _clean_discount(
    kind: str, amount_off: int | None, percent_off: int | None, max_off: int | None
) -> dict:
    if kind == Coupon.Kind.AMOUNT:
        if percent_off is not None or max_off is not None:
            raise DomainError(CouponError.INVALID_DISCOUNT)
        amount = _check_fen(amount_off, CouponError.INVALID_DISCOUNT, positive=True)
        return {"amount_off": amount, "percent_off": None, "max_off": None}
    if kind == Coupon.Kind.PERCENT:
        if (
            amount_off is not None
            or not isinstance(percent_off, int)
            or isinstance(percent_off, bool)
        ):
            raise DomainError(CouponError.INVALID_DISCOUNT)
        if not 1 <= percent_off <= 99:
            raise DomainError(CouponError.INVALID_DISCOUNT)
        if max_off is not None:
            max_off = _check_fen(max_off, CouponError.INVALID_DISCOUNT, positive=True)
        return {"amount_off": None, "percent_off": percent_off, "max_off": max_off}
    raise DomainError(CouponError.INVALID_DISCOUNT)


@transaction.atomic
def create_coupon(
    *,
    merchant: User,
    title: str,
    kind: str,
    amount_off: int | None = None,
    percent_off: int | None = None,
    max_off: int | None = None,
    min_spend: int = 0,
    starts_at: datetime,
    ends_at: datetime,
    total_count: int,
) -> Coupon:
    """A coupon of the merchant's: ``amount_off`` fen off, or ``percent_off`` (1-99) up to
    ``max_off`` fen, on orders whose lines come to at least ``min_spend``."""
    require_merchant(merchant)
    title = (title or "").strip()
    if not title or len(title) > TITLE_MAX_LENGTH:
        raise DomainError(CouponError.INVALID_TITLE)
    discount = _clean_discount(kind, amount_off, percent_off, max_off)
    min_spend = _check_fen(min_spend, CouponError.INVALID_MIN_SPEND, positive=False)
    if (
        timezone.is_naive(starts_at)
        or timezone.is_naive(ends_at)
        or ends_at <= starts_at
        or ends_at <= timezone.now()
    ):
        raise DomainError(CouponError.INVALID_DATES)
    if not isinstance(total_count, int) or not 1 <= total_count <= MAX_COUNT:
        raise DomainError(CouponError.INVALID_COUNT)
    return Coupon.objects.create(
        merchant=merchant,
        title=title,
        kind=kind,
        min_spend=min_spend,
        starts_at=starts_at,
        ends_at=ends_at,
        total_count=total_count,
        **discount,
    )


def own_coupon(merchant: User, coupon_id: int) -> Coupon:
    require_merchant(merchant)
    coupon = Coupon.objects.filter(pk=coupon_id, merchant_id=merchant.pk).first()
    if coupon is None:
        raise DomainError(CouponError.COUPON_NOT_FOUND)
    return coupon


@transaction.atomic
def deactivate_coupon(*, merchant: User, coupon_id: int) -> Coupon:
    """No more claims or redemptions of it; claims already redeemed stay on their orders."""
    coupon = own_coupon(merchant, coupon_id)
    Coupon.objects.filter(pk=coupon.pk).update(is_active=False)
    coupon.is_active = False
    return coupon


@transaction.atomic
def claim_coupon(*, person: User, coupon_id: int, campaign_id: int | None = None) -> CouponClaim:
    """One claim of the coupon for ``person`` (``campaign_id``: the campaign message it was
    claimed from, checked by the caller). Once per person; never more than its total count."""
    if not is_id(coupon_id):
        raise DomainError(CouponError.COUPON_NOT_FOUND)
    coupon = Coupon.objects.filter(pk=coupon_id).first()
    if coupon is None:
        raise DomainError(CouponError.COUPON_NOT_FOUND)
    if coupon.merchant_id == person.pk:
        raise DomainError(CouponError.OWN_COUPON)
    if CouponClaim.objects.filter(coupon_id=coupon.pk, person_id=person.pk).exists():
        raise DomainError(CouponError.ALREADY_CLAIMED)
    now = timezone.now()
    if not coupon.is_active or not coupon.starts_at <= now < coupon.ends_at:
        raise DomainError(CouponError.UNAVAILABLE)
    # The one write that decides: the row lock queues concurrent claims, and each re-reads
    # the count it tests.
    taken = Coupon.objects.filter(
        pk=coupon.pk, is_active=True, ends_at__gt=now, claimed_count__lt=F("total_count")
    ).update(claimed_count=F("claimed_count") + 1)
    if not taken:
        raise DomainError(CouponError.ALL_CLAIMED)
    try:
        with transaction.atomic():
            claim = CouponClaim.objects.create(
                coupon=coupon, person_id=person.pk, campaign_id=campaign_id, claimed_at=now
            )
    except IntegrityError:
        # The same person claimed it at the same moment: raising rolls the count back too.
        raise DomainError(CouponError.ALREADY_CLAIMED) from None
    claim.coupon.claimed_count += 1
    return claim


@transaction.atomic
def redeem_for_orders(*, buyer_id: int, orders: list[Order]) -> None:
    """Mark each order's claim used by it, inside checkout's transaction: a claim another
    checkout used first, or a coupon deactivated since the quote, refuses the whole checkout."""
    now = timezone.now()
    for order in orders:
        if order.coupon_claim_id is None:
            continue
        used = CouponClaim.objects.filter(
            pk=order.coupon_claim_id, person_id=buyer_id, order_id__isnull=True
        ).update(order_id=order.pk, redeemed_at=now)
        if not used:
            raise DomainError(CouponError.CLAIM_USED)
        coupon_ids = CouponClaim.objects.filter(pk=order.coupon_claim_id).values_list(
            "coupon_id", flat=True
        )
        counted = Coupon.objects.filter(pk__in=coupon_ids, is_active=True, ends_at__gt=now).update(
            redeemed_count=F("redeemed_count") + 1
        )
        if not counted:
            raise DomainError(CouponError.UNAVAILABLE)


def give_back_for_order(*, order: Order, verb: str) -> bool:
    """An undone order's coupon becomes usable again if the coupon is still valid; an expired
    or deactivated one stays spent. Runs inside the transaction that moved the order."""
    if verb not in GIVES_COUPON_BACK or order.coupon_claim_id is None:
        return False
    now = timezone.now()
    claim = (
        CouponClaim.objects.filter(pk=order.coupon_claim_id, order_id=order.pk)
        .select_related("coupon")
        .first()
    )
    if claim is None or not claim.coupon.is_active or claim.coupon.ends_at <= now:
        return False
    freed = CouponClaim.objects.filter(pk=claim.pk, order_id=order.pk).update(
        order_id=None, redeemed_at=None
    )
    if freed:
        Coupon.objects.filter(pk=claim.coupon_id, redeemed_count__gt=0).update(
            redeemed_count=F("redeemed_count") - 1
        )
    return bool(freed)


def on_order_moved(sender, *, order: Order, verb: str, **kwargs) -> None:
    """shop.signals.order_moved's receiver (connected in ShopConfig.ready)."""
    give_back_for_order(order=order, verb=verb)

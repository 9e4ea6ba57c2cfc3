"""A merchant's shipping fee per order and the order size from which it ships free (包邮)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.shop.actions.rules import require_merchant
from infoconnect.shop.errors import CouponError
from infoconnect.shop.models import ShippingPolicy

# ¥10,000: far above any parcel's fee, and a threshold beyond it would never be reached.
MAX_FEE = 1_000_000


def _fen(value: object, *, optional: bool) -> int | None:
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_FEE:
        raise DomainError(CouponError.INVALID_SHIPPING)
    return value


@transaction.atomic
def set_shipping_policy(*, merchant: User, fee: int, free_over: int | None) -> ShippingPolicy:
    """``fee`` fen on each order, none on orders whose lines come to ``free_over`` or more
    (None: every order pays it)."""
    require_merchant(merchant)
    fee = _fen(fee, optional=False)
    free_over = _fen(free_over, optional=True)
    policy, _created = ShippingPolicy.objects.update_or_create(
        merchant_id=merchant.pk,
        defaults={"fee": fee, "free_over": free_over, "updated_at": timezone.now()},
    )
    return policy

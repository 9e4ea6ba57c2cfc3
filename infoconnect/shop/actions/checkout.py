"""Checkout and buy-now: a cart, or one SKU, becomes one order per merchant.

The writes are placing.py's (hand-written SQL, the shop's hottest path): stock is taken by
conditional UPDATEs in ascending SKU id order, so concurrent checkouts queue instead of
deadlocking and never sell more than there is; with ``pay`` the wallet pays into escrow in the
same transaction, so a failure anywhere leaves neither order nor ledger half-written. Each
order adds its merchant's shipping fee and takes off the best coupon the buyer claimed from
that merchant (pricing.py), redeemed in the same transaction. Both are idempotent per key:
the same key returns the orders it made the first time.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.ids import is_id
from infoconnect.core.models import PlatformSettings
from infoconnect.shop import placing, pricing
from infoconnect.shop.actions.coupons import redeem_for_orders
from infoconnect.shop.actions.rules import check_on_sale, check_order_totals, clean_quantity
from infoconnect.shop.errors import ShopError
from infoconnect.shop.models import Address, CartLine, Order, Sku


def check_line(buyer: User, sku: Sku, quantity: int) -> None:
    """One line of an order about to be placed: on sale, within the limits, in stock."""
    check_on_sale(buyer, sku, named=True)
    if quantity > sku.product.max_per_order:
        raise DomainError(
            ShopError.QUANTITY_LIMIT,
            _("You can order at most %(n)d of %(title)s at a time.")
            % {"n": sku.product.max_per_order, "title": sku.product.title},
        )
    check_order_totals([(sku, quantity)])
    # A cheap early answer when stock is plainly gone; the conditional UPDATE decides.
    if sku.stock < quantity:
        raise DomainError(
            ShopError.OUT_OF_STOCK,
            _("Not enough %(title)s in stock.") % {"title": sku.product.title},
        )


def _address_for(buyer: User, address_id: int) -> Address:
    address = Address.objects.filter(pk=address_id, person_id=buyer.pk).first()
    if address is None:
        raise DomainError(ShopError.ADDRESS_NOT_FOUND)
    return address


@transaction.atomic
def checkout(*, buyer: User, address_id: int, key: str, pay: bool = False) -> list[Order]:
    """Turn the buyer's cart into one order per merchant, taking the stock; with ``pay``, also
    pay them from the wallet, all or nothing.

    Idempotent per ``key``: the same key returns the orders it made the first time.
    """
    existing = list(Order.objects.filter(buyer_id=buyer.pk, checkout_key=key).order_by("pk"))
    if existing:
        return existing
    address = _address_for(buyer, address_id)
    cart_lines = list(
        CartLine.objects.filter(cart__person_id=buyer.pk)
        .select_related("sku__product__merchant")
        .order_by("sku_id")
    )
    if not cart_lines:
        raise DomainError(ShopError.CART_EMPTY)
    for line in cart_lines:
        check_line(buyer, line.sku, line.quantity)
    check_order_totals([(line.sku, line.quantity) for line in cart_lines])
    quote = pricing.quote_orders(
        buyer_id=buyer.pk, lines=[(line.sku, line.quantity) for line in cart_lines]
    )
    orders = placing.place_orders(
        buyer_id=buyer.pk,
        address=address.snapshot(),
        key=key,
        lines=[(line.sku, line.quantity, line.campaign_id) for line in cart_lines],
        unpaid_minutes=PlatformSettings.current().unpaid_order_minutes,
        pay=pay,
        policies=quote.policies,
        discounts=quote.discounts(),
    )
    redeem_for_orders(buyer_id=buyer.pk, orders=orders)
    CartLine.objects.filter(pk__in=[line.pk for line in cart_lines]).delete()
    return orders


def buy_now(
    *,
    buyer: User,
    sku_id: int,
    quantity: int,
    address_id: int,
    key: str,
    campaign_id: int | None = None,
    pay: bool = False,
) -> Order:
    """One SKU straight to an order, leaving the cart alone; with ``pay``, paid from the wallet
    in the same transaction (one commit, and the stock is taken only if the payment went
    through). Idempotent per ``key``.

    Everything it reads comes in one statement before the transaction, so in a sell-out each
    of the many buyers who miss costs one query.
    """
    quantity = clean_quantity(quantity)
    # The hand-written read passes ids straight to the database, which refuses a number
    # beyond a 64-bit column rather than finding nothing.
    if not is_id(sku_id):
        raise DomainError(ShopError.SKU_NOT_FOUND)
    if not is_id(address_id):
        raise DomainError(ShopError.ADDRESS_NOT_FOUND)
    read = placing.read_for_buy_now(
        buyer_id=buyer.pk, sku_id=sku_id, address_id=address_id, key=key
    )
    if read.earlier_order_id is not None:
        return Order.objects.get(pk=read.earlier_order_id)
    if read.sku is None:
        existing = _order_made_with(buyer, key)
        if existing is not None:
            return existing
        raise DomainError(ShopError.SKU_NOT_FOUND)
    check_line(buyer, read.sku, quantity)
    if read.address is None:
        raise DomainError(ShopError.ADDRESS_NOT_FOUND)
    discounts = {}
    if read.holds_coupon:
        discounts = pricing.quote_orders(
            buyer_id=buyer.pk, lines=[(read.sku, quantity)], policies=read.policies()
        ).discounts()
    try:
        with transaction.atomic():
            orders = placing.place_orders(
                buyer_id=buyer.pk,
                address=read.address,
                key=key,
                lines=[(read.sku, quantity, campaign_id)],
                unpaid_minutes=read.unpaid_minutes,
                pay=pay,
                policies=read.policies(),
                discounts=discounts,
            )
            if discounts:
                redeem_for_orders(buyer_id=buyer.pk, orders=orders)
            return orders[0]
    except IntegrityError:
        # A concurrent request with the same key committed first: answer with its order.
        existing = _order_made_with(buyer, key)
        if existing is None:
            raise
        return existing


def _order_made_with(buyer: User, key: str) -> Order | None:
    return Order.objects.filter(buyer_id=buyer.pk, checkout_key=key).order_by("pk").first()

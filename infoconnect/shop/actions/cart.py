"""The buyer's cart and delivery addresses.

A cart is locked while a line changes, so two tabs adding at once queue instead of losing a
quantity; every line is checked against its product's per-order limit and against the most
one payment moves for the order its merchant's lines will make.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.validation import full_clean
from infoconnect.shop.actions.rules import check_on_sale, check_order_totals, clean_quantity
from infoconnect.shop.errors import ShopError
from infoconnect.shop.models import Address, Cart, CartLine, Sku


def _buyable_sku(person: User, sku_id: int) -> Sku:
    sku = Sku.objects.select_related("product__merchant").filter(pk=sku_id).first()
    if sku is None:
        raise DomainError(ShopError.SKU_NOT_FOUND)
    check_on_sale(person, sku)
    return sku


def _same_shop_lines(cart: Cart, sku: Sku) -> list[tuple[Sku, int]]:
    """The cart's other lines from ``sku``'s merchant: together they will make one order."""
    lines = (
        CartLine.objects.filter(cart=cart, sku__product__merchant_id=sku.product.merchant_id)
        .exclude(sku_id=sku.pk)
        .select_related("sku__product")
    )
    return [(line.sku, line.quantity) for line in lines]


def _locked_cart(person: User) -> Cart:
    cart, _created = Cart.objects.get_or_create(person_id=person.pk)
    # One lock per cart: two tabs adding at once queue instead of losing a quantity.
    return Cart.objects.select_for_update().get(pk=cart.pk)


@transaction.atomic
def add_to_cart(
    *, person: User, sku_id: int, quantity: int = 1, campaign_id: int | None = None
) -> CartLine:
    quantity = clean_quantity(quantity)
    sku = _buyable_sku(person, sku_id)
    cart = _locked_cart(person)
    line = CartLine.objects.filter(cart=cart, sku=sku).first()
    total = quantity + (line.quantity if line else 0)
    if total > sku.product.max_per_order:
        if line is None:
            message = _("You can order at most %(n)d of this item at a time.")
        else:
            message = _(
                "Your cart already holds %(in_cart)d of this item, and one order may hold at "
                "most %(n)d."
            )
        raise DomainError(
            ShopError.QUANTITY_LIMIT,
            message % {"n": sku.product.max_per_order, "in_cart": line.quantity if line else 0},
        )
    check_order_totals([*_same_shop_lines(cart, sku), (sku, total)])
    if line is None:
        line = CartLine.objects.create(
            cart=cart, sku=sku, quantity=quantity, campaign_id=campaign_id
        )
    else:
        line.quantity = total
        # The latest campaign that brought the person back gets the credit.
        line.campaign_id = campaign_id or line.campaign_id
        line.save(update_fields=["quantity", "campaign_id"])
    Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())
    return line


@transaction.atomic
def set_cart_quantity(*, person: User, line_id: int, quantity: int) -> CartLine:
    quantity = clean_quantity(quantity)
    cart = _locked_cart(person)
    line = CartLine.objects.select_related("sku__product").filter(pk=line_id, cart=cart).first()
    if line is None:
        raise DomainError(ShopError.CART_LINE_NOT_FOUND)
    if quantity > line.sku.product.max_per_order:
        raise DomainError(
            ShopError.QUANTITY_LIMIT,
            _("You can order at most %(n)d of this item at a time.")
            % {"n": line.sku.product.max_per_order},
        )
    check_order_totals([*_same_shop_lines(cart, line.sku), (line.sku, quantity)])
    line.quantity = quantity
    line.save(update_fields=["quantity"])
    return line


@transaction.atomic
def remove_cart_line(*, person: User, line_id: int) -> None:
    deleted, _rows = CartLine.objects.filter(pk=line_id, cart__person_id=person.pk).delete()
    if not deleted:
        raise DomainError(ShopError.CART_LINE_NOT_FOUND)


@transaction.atomic
def add_address(
    *,
    person: User,
    recipient_name: str,
    province: str,
    city: str,
    district: str,
    street: str,
    mobile: str,
) -> Address:
    address = Address(
        person_id=person.pk,
        recipient_name=(recipient_name or "").strip(),
        province=(province or "").strip().upper(),
        city=(city or "").strip(),
        district=(district or "").strip(),
        street=(street or "").strip(),
        mobile=(mobile or "").strip(),
    )
    full_clean(address, exclude=["person"])
    address.save()
    return address


@transaction.atomic
def delete_address(*, person: User, address_id: int) -> None:
    deleted, _rows = Address.objects.filter(pk=address_id, person_id=person.pk).delete()
    if not deleted:
        raise DomainError(ShopError.ADDRESS_NOT_FOUND)

"""The shop's rules that every write checks: money, text, quantities, and who may sell.

Each is one function here, so a catalog edit, a cart line and a checkout refuse the same
thing with the same message.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext_lazy as _

from infoconnect.accounts.gates import require_verified_merchant
from infoconnect.accounts.models import User
from infoconnect.core.errors import CommonError, DomainError
from infoconnect.core.money import format_money
from infoconnect.shop.errors import ShopError
from infoconnect.shop.models import Category, Product, Sku
from infoconnect.wallet import actions as wallet_actions

MAX_ATTRIBUTES = 10
# ¥10,000,000 a unit: far above any catalogue price, far below what a 64-bit column holds.
MAX_PRICE = 1_000_000_000


# --- money -------------------------------------------------------------------------------


def commission_for(amount: int, basis_points: int) -> int:
    """The platform's cut of ``amount`` fen: amount × basis points / 10000, rounded half up.

    Integer arithmetic only: (amount × bp + 5000) // 10000, so 1 fen at 2% is 0 fen and
    25 fen at 2% (0.5 fen) is 1 fen.
    """
    return (amount * basis_points + 5000) // 10000


def largest_order_total() -> int:
    """The most one order may come to: what one wallet payment may move, so that an order
    the shop accepts can always be paid."""
    return wallet_actions.MAX_AMOUNT


def check_price_fits(*, price: int, max_per_order: int) -> None:
    """A SKU's price times its product's per-order limit must fit in one payment."""
    if price * max_per_order > largest_order_total():
        raise DomainError(
            ShopError.PRICE_TOO_HIGH,
            _(
                "With at most %(n)d per order, a price may be at most %(price)s: one payment "
                "moves at most %(max)s."
            )
            % {
                "n": max_per_order,
                "price": format_money(largest_order_total() // max_per_order),
                "max": format_money(largest_order_total()),
            },
        )


def check_limit_fits(product: Product, max_per_order: int) -> None:
    """Raising the per-order limit must leave every SKU's most expensive order payable."""
    top_price = product.skus.order_by("-price").values_list("price", flat=True).first()
    if top_price is not None and top_price * max_per_order > largest_order_total():
        most = largest_order_total() // top_price
        message = _(
            "With a SKU at %(price)s, at most %(n)d fit in one order: one payment moves at "
            "most %(max)s."
        ) % {
            "price": format_money(top_price),
            "n": most,
            "max": format_money(largest_order_total()),
        }
        raise DomainError(CommonError.VALIDATION, message, fields={"max_per_order": [message]})


def check_order_totals(lines: list[tuple[Sku, int]]) -> None:
    """Each merchant's share of (sku, quantity) lines becomes one order, paid in one payment:
    refuse it here rather than leave an order nobody can pay."""
    totals: dict[int, int] = defaultdict(int)
    for sku, quantity in lines:
        totals[sku.product.merchant_id] += sku.price * quantity
    if any(total > largest_order_total() for total in totals.values()):
        raise DomainError(
            ShopError.QUANTITY_LIMIT,
            _(
                "One order may come to at most %(max)s, the most one payment moves; order fewer "
                "of these items."
            )
            % {"max": format_money(largest_order_total())},
        )


# --- who may sell, and what is theirs -------------------------------------------------------


def require_merchant(user: User) -> None:
    """Only a verified merchant sells: a person gets NOT_A_MERCHANT, an applicant still under
    review ``merchant_not_verified``."""
    if not (user.is_authenticated and user.kind == "merchant"):
        raise DomainError(ShopError.NOT_A_MERCHANT)
    require_verified_merchant(user)


def own_product(merchant: User, product_id: int) -> Product:
    require_merchant(merchant)
    product = Product.objects.filter(pk=product_id, merchant_id=merchant.pk).first()
    if product is None:
        raise DomainError(ShopError.PRODUCT_NOT_FOUND)
    return product


def own_sku(merchant: User, sku_id: int) -> Sku:
    require_merchant(merchant)
    sku = Sku.objects.select_related("product").filter(pk=sku_id).first()
    if sku is None or sku.product.merchant_id != merchant.pk:
        raise DomainError(ShopError.SKU_NOT_FOUND)
    return sku


def lock_product(product_id: int) -> int:
    """Lock the product's row and read its per-order limit. Writes checked against the rest of
    the product take turns under it: a SKU's price against the limit, an image's position
    against the other images'."""
    return (
        Product.objects.select_for_update()
        .filter(pk=product_id)
        .values_list("max_per_order", flat=True)
        .get()
    )


# --- text, prices and quantities ----------------------------------------------------------

# What a person calls each text field in a message about it (the forms' labels).
TEXT_FIELD_LABELS = {
    "title": _("Title"),
    "description": _("Description"),
    "carrier": _("Carrier"),
    "tracking_number": _("Tracking number"),
    "reason": _("Reason"),
    "note": _("Note"),
}


def clean_text(value: str | None, *, field: str, max_length: int, required: bool) -> str:
    text = (value or "").strip()
    label = TEXT_FIELD_LABELS[field]
    if required and not text:
        raise DomainError(
            CommonError.VALIDATION,
            _("%(field)s is required.") % {"field": label},
            fields={field: [str(_("This field is required."))]},
        )
    if len(text) > max_length:
        raise DomainError(
            CommonError.VALIDATION,
            _("%(field)s may be at most %(n)d characters.") % {"field": label, "n": max_length},
            fields={field: [str(_("Too long."))]},
        )
    return text


def clean_attributes(attributes: dict | None) -> dict:
    attributes = attributes or {}
    if not isinstance(attributes, dict) or len(attributes) > MAX_ATTRIBUTES:
        raise DomainError(ShopError.INVALID_ATTRIBUTES)
    cleaned = {}
    for name, value in attributes.items():
        if not isinstance(name, str) or not isinstance(value, str | int):
            raise DomainError(ShopError.INVALID_ATTRIBUTES)
        name, value = name.strip(), str(value).strip()
        if not name or not value or len(name) > 30 or len(value) > 60:
            raise DomainError(ShopError.INVALID_ATTRIBUTES)
        cleaned[name] = value
    return cleaned


def clean_price(price: int) -> int:
    if not isinstance(price, int) or isinstance(price, bool) or price <= 0:
        raise DomainError(ShopError.INVALID_PRICE)
    if price > MAX_PRICE:
        raise DomainError(ShopError.PRICE_TOO_HIGH)
    return price


def clean_quantity(quantity: int) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise DomainError(ShopError.INVALID_QUANTITY)
    return quantity


def clean_max_per_order(value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10_000:
        raise DomainError(
            CommonError.VALIDATION,
            _("The most per order must be between 1 and 10000."),
            fields={"max_per_order": [str(_("Between 1 and 10000."))]},
        )
    return value


def clean_category(category_id: int | None) -> int | None:
    if category_id in (None, ""):
        return None
    if not Category.objects.filter(pk=category_id).exists():
        raise DomainError(
            CommonError.VALIDATION,
            _("That category does not exist."),
            fields={"category": [str(_("That category does not exist."))]},
        )
    return int(category_id)


# --- what a buyer may buy ------------------------------------------------------------------


def check_on_sale(buyer: User, sku: Sku, *, named: bool = False) -> None:
    """The SKU is on sale, from a merchant who sells, and not the buyer's own; with ``named``
    the refusal names the product (checkout lists several). An unpublished product does not
    exist for anyone but its merchant."""
    if (
        not named
        and sku.product.status == Product.Status.DRAFT
        and sku.product.merchant_id != buyer.pk
    ):
        raise DomainError(ShopError.SKU_NOT_FOUND)
    if (
        not sku.is_active
        or sku.product.status != Product.Status.ACTIVE
        or not sku.product.merchant_sells
    ):
        if named:
            raise DomainError(
                ShopError.NOT_ON_SALE,
                _("%(title)s is not on sale any more.") % {"title": sku.product.title},
            )
        raise DomainError(ShopError.NOT_ON_SALE)
    if sku.product.merchant_id == buyer.pk:
        raise DomainError(ShopError.OWN_PRODUCT)

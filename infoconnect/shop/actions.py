"""Every write the shop makes.

Stock is only changed by conditional UPDATEs (``stock = stock - q WHERE stock >= q``), taken in
ascending SKU id order so concurrent checkouts queue instead of deadlocking and can never sell
more than there is. Order state changes are ``UPDATE … WHERE state = <expected>``: a double
click or a retried task finds the row already moved and changes nothing. Every state change
writes an OrderEvent in the same transaction. Money moves through the wallet's actions, inside
the same transaction, so a failure anywhere leaves neither order nor ledger half-written.
"""

from __future__ import annotations

import io
import logging
from collections import defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from infoconnect.core.errors import CommonError, DomainError
from infoconnect.core.models import PlatformSettings
from infoconnect.core.money import format_money
from infoconnect.core.pagination import MAX_ID
from infoconnect.shop import placing
from infoconnect.shop.errors import ShopError
from infoconnect.shop.models import (
    MAX_STOCK,
    Address,
    Cart,
    CartLine,
    Category,
    Order,
    OrderEvent,
    OrderLine,
    PostProduct,
    Product,
    ProductImage,
    RefundRequest,
    Sku,
)

if TYPE_CHECKING:
    from infoconnect.accounts.models import User

logger = logging.getLogger(__name__)

THUMBNAIL_SIZE = (400, 400)
IMAGE_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
MAX_IMAGE_PIXELS = 40_000_000
MAX_ATTRIBUTES = 10
# ¥10,000,000 a unit: far above any catalogue price, far below what a 64-bit column holds.
MAX_PRICE = 1_000_000_000

State = Order.State


# --- money rules -----------------------------------------------------------------------


def commission_for(amount: int, basis_points: int) -> int:
    """The platform's cut of ``amount`` fen: amount × basis points / 10000, rounded half up.

    Integer arithmetic only: (amount × bp + 5000) // 10000, so 1 fen at 2% is 0 fen and
    25 fen at 2% (0.5 fen) is 1 fen.
    """
    return (amount * basis_points + 5000) // 10000


def _wallet():
    # Imported when money moves so the shop can load without the wallet's tables.
    from infoconnect.wallet import actions as wallet_actions

    return wallet_actions


def largest_order_total() -> int:
    """The most one order may come to: what one wallet payment may move, so that an order
    the shop accepts can always be paid."""
    return _wallet().MAX_AMOUNT


def _check_price_fits(*, price: int, max_per_order: int) -> None:
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


def _check_limit_fits(product: Product, max_per_order: int) -> None:
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


def _check_order_totals(lines: list[tuple[Sku, int]]) -> None:
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


# --- validation helpers ------------------------------------------------------------------


def _is_id(value: object) -> bool:
    """Whether ``value`` can be a row id: the hand-written statements pass ids straight to the
    database, which refuses a number beyond a 64-bit column rather than finding nothing."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def _require_merchant(user: User) -> None:
    if not (user.is_authenticated and user.kind == "merchant" and user.is_verified_merchant):
        raise DomainError(ShopError.NOT_A_MERCHANT)


def _own_product(merchant: User, product_id: int) -> Product:
    _require_merchant(merchant)
    product = Product.objects.filter(pk=product_id, merchant_id=merchant.pk).first()
    if product is None:
        raise DomainError(ShopError.PRODUCT_NOT_FOUND)
    return product


def _own_sku(merchant: User, sku_id: int) -> Sku:
    _require_merchant(merchant)
    sku = Sku.objects.select_related("product").filter(pk=sku_id).first()
    if sku is None or sku.product.merchant_id != merchant.pk:
        raise DomainError(ShopError.SKU_NOT_FOUND)
    return sku


def _lock_product(product_id: int) -> int:
    """Lock the product's row and read its per-order limit. Writes checked against the rest of
    the product take turns under it: a SKU's price against the limit, an image's position
    against the other images'."""
    return (
        Product.objects.select_for_update()
        .filter(pk=product_id)
        .values_list("max_per_order", flat=True)
        .get()
    )


# What a person calls each text field in a message about it (the forms' labels).
TEXT_FIELD_LABELS = {
    "title": _("Title"),
    "description": _("Description"),
    "carrier": _("Carrier"),
    "tracking_number": _("Tracking number"),
    "reason": _("Reason"),
    "note": _("Note"),
}


def _clean_text(value: str | None, *, field: str, max_length: int, required: bool) -> str:
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


def _clean_attributes(attributes: dict | None) -> dict:
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


def _clean_price(price: int) -> int:
    if not isinstance(price, int) or isinstance(price, bool) or price <= 0:
        raise DomainError(ShopError.INVALID_PRICE)
    if price > MAX_PRICE:
        raise DomainError(ShopError.PRICE_TOO_HIGH)
    return price


def _clean_quantity(quantity: int) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise DomainError(ShopError.INVALID_QUANTITY)
    return quantity


def _clean_max_per_order(value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10_000:
        raise DomainError(
            CommonError.VALIDATION,
            _("The most per order must be between 1 and 10000."),
            fields={"max_per_order": [str(_("Between 1 and 10000."))]},
        )
    return value


def _category(category_id: int | None) -> int | None:
    if category_id in (None, ""):
        return None
    if not Category.objects.filter(pk=category_id).exists():
        raise DomainError(
            CommonError.VALIDATION,
            _("That category does not exist."),
            fields={"category": [str(_("That category does not exist."))]},
        )
    return int(category_id)


# --- catalog -----------------------------------------------------------------------------


@transaction.atomic
def create_product(
    *,
    merchant: User,
    title: str,
    description: str = "",
    category_id: int | None = None,
    max_per_order: int = 10,
) -> Product:
    _require_merchant(merchant)
    return Product.objects.create(
        merchant_id=merchant.pk,
        title=_clean_text(title, field="title", max_length=120, required=True),
        description=_clean_text(description, field="description", max_length=5000, required=False),
        category_id=_category(category_id),
        max_per_order=_clean_max_per_order(max_per_order),
    )


@transaction.atomic
def update_product(
    *,
    merchant: User,
    product_id: int,
    title: str,
    description: str = "",
    category_id: int | None = None,
    max_per_order: int = 10,
) -> Product:
    product = _own_product(merchant, product_id)
    product.title = _clean_text(title, field="title", max_length=120, required=True)
    product.description = _clean_text(
        description, field="description", max_length=5000, required=False
    )
    product.category_id = _category(category_id)
    max_per_order = _clean_max_per_order(max_per_order)
    _lock_product(product.pk)  # then no SKU's price changes under the check
    _check_limit_fits(product, max_per_order)
    product.max_per_order = max_per_order
    product.updated_at = timezone.now()
    product.save(update_fields=["title", "description", "category", "max_per_order", "updated_at"])
    return product


@transaction.atomic
def publish_product(*, merchant: User, product_id: int) -> Product:
    product = _own_product(merchant, product_id)
    if not product.skus.filter(is_active=True).exists():
        raise DomainError(ShopError.NO_SKUS)
    Product.objects.filter(pk=product.pk).update(
        status=Product.Status.ACTIVE, updated_at=timezone.now()
    )
    product.refresh_from_db(fields=["status", "updated_at"])
    return product


@transaction.atomic
def archive_product(*, merchant: User, product_id: int) -> Product:
    product = _own_product(merchant, product_id)
    Product.objects.filter(pk=product.pk).update(
        status=Product.Status.ARCHIVED, updated_at=timezone.now()
    )
    product.refresh_from_db(fields=["status", "updated_at"])
    return product


@transaction.atomic
def add_sku(
    *,
    merchant: User,
    product_id: int,
    attributes: dict | None,
    price: int,
    stock: int,
    currency: str = "CNY",
) -> Sku:
    product = _own_product(merchant, product_id)
    price = _clean_price(price)
    if not isinstance(stock, int) or isinstance(stock, bool) or stock < 0:
        raise DomainError(ShopError.INVALID_STOCK)
    if stock > MAX_STOCK:
        raise DomainError(ShopError.STOCK_TOO_HIGH)
    if currency != "CNY":
        raise DomainError(
            CommonError.VALIDATION,
            _("Only CNY prices are supported."),
            fields={"currency": [str(_("Only CNY."))]},
        )
    _check_price_fits(price=price, max_per_order=_lock_product(product.pk))
    return Sku.objects.create(
        product=product,
        attributes=_clean_attributes(attributes),
        price=price,
        currency=currency,
        stock=stock,
    )


@transaction.atomic
def update_sku(
    *, merchant: User, sku_id: int, attributes: dict | None, price: int, is_active: bool = True
) -> Sku:
    sku = _own_sku(merchant, sku_id)
    price = _clean_price(price)
    attributes = _clean_attributes(attributes)
    _check_price_fits(price=price, max_per_order=_lock_product(sku.product_id))
    sku.attributes = attributes
    sku.price = price
    sku.is_active = bool(is_active)
    sku.save(update_fields=["attributes", "price", "is_active"])
    return sku


@transaction.atomic
def adjust_stock(*, merchant: User, sku_id: int, delta: int) -> Sku:
    """Add (or with a negative delta, remove) units; never below zero nor above MAX_STOCK,
    never losing a sale that happens at the same moment."""
    sku = _own_sku(merchant, sku_id)
    if not isinstance(delta, int) or isinstance(delta, bool):
        raise DomainError(ShopError.INVALID_STOCK)
    if abs(delta) > MAX_STOCK:
        raise DomainError(ShopError.STOCK_TOO_HIGH if delta > 0 else ShopError.INVALID_STOCK)
    rows = Sku.objects.filter(pk=sku.pk, stock__gte=-delta, stock__lte=MAX_STOCK - delta).update(
        stock=F("stock") + delta
    )
    if not rows:
        raise DomainError(ShopError.STOCK_TOO_HIGH if delta > 0 else ShopError.INVALID_STOCK)
    sku.refresh_from_db(fields=["stock"])
    return sku


def _thumbnail(data: bytes) -> tuple[str, bytes]:
    """Check the upload is a real image Pillow can read and return (format, JPEG thumbnail)."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in IMAGE_FORMATS:
                raise DomainError(ShopError.INVALID_IMAGE)
            width, height = probe.size
            if width * height > MAX_IMAGE_PIXELS:
                raise DomainError(ShopError.INVALID_IMAGE)
            image_format = probe.format
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail(THUMBNAIL_SIZE)
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=85)
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise DomainError(ShopError.INVALID_IMAGE) from None
    return image_format, out.getvalue()


EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}


@transaction.atomic
def add_product_image(*, merchant: User, product_id: int, upload) -> ProductImage:
    product = _own_product(merchant, product_id)
    data = upload.read()
    image_format, thumb = _thumbnail(data)
    _lock_product(product.pk)
    # Positions run 0, 1, 2, … with no gap (deletion closes it): the next one is the count.
    position = product.images.count()
    image = ProductImage(product=product, position=position)
    image.image.save(f"p{product.pk}.{EXTENSIONS[image_format]}", ContentFile(data), save=False)
    image.thumbnail.save(f"p{product.pk}.jpg", ContentFile(thumb), save=False)
    image.save()
    return image


@transaction.atomic
def delete_product_image(*, merchant: User, product_id: int, image_id: int) -> None:
    """Remove one image of the merchant's product; those after it move up one place, so the
    positions stay 0, 1, 2, … in the same order.

    The files go only once the row's deletion has committed: a rollback leaves the image
    whole, and a failed file removal leaves an orphan file, never a row without its file.
    """
    product = _own_product(merchant, product_id)
    _lock_product(product.pk)
    image = ProductImage.objects.filter(pk=image_id, product_id=product.pk).first()
    if image is None:
        raise DomainError(ShopError.IMAGE_NOT_FOUND)
    names = [name for name in (image.image.name, image.thumbnail.name) if name]
    storage = image.image.storage
    # Conditional on the row still being there: of two concurrent deletes, one removes it.
    deleted, _rows = ProductImage.objects.filter(pk=image.pk).delete()
    if not deleted:
        raise DomainError(ShopError.IMAGE_NOT_FOUND)
    ProductImage.objects.filter(product_id=product.pk, position__gt=image.position).update(
        position=F("position") - 1
    )
    transaction.on_commit(lambda: _delete_files(storage, names), robust=True)


def _delete_files(storage, names: list[str]) -> None:
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Could not delete %s from storage", name)


@transaction.atomic
def attach_product_to_post(*, author: User, post_id: int, product_id: int) -> PostProduct:
    """Let a post carry a product card; the post must be the caller's, the product on sale."""
    from infoconnect.social.models import Post

    if not Post.objects.filter(pk=post_id, author_id=author.pk).exists():
        raise DomainError(CommonError.NOT_FOUND)
    if not Product.objects.filter(pk=product_id, status=Product.Status.ACTIVE).exists():
        raise DomainError(ShopError.PRODUCT_NOT_FOUND)
    card, _created = PostProduct.objects.update_or_create(
        post_id=post_id, defaults={"product_id": product_id}
    )
    return card


# --- cart and addresses --------------------------------------------------------------------


def _buyable_sku(person: User, sku_id: int) -> Sku:
    sku = Sku.objects.select_related("product__merchant").filter(pk=sku_id).first()
    if sku is None:
        raise DomainError(ShopError.SKU_NOT_FOUND)
    if (
        not sku.is_active
        or sku.product.status != Product.Status.ACTIVE
        or not sku.product.merchant_sells
    ):
        raise DomainError(ShopError.NOT_ON_SALE)
    if sku.product.merchant_id == person.pk:
        raise DomainError(ShopError.OWN_PRODUCT)
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
    quantity = _clean_quantity(quantity)
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
    _check_order_totals([*_same_shop_lines(cart, sku), (sku, total)])
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
    quantity = _clean_quantity(quantity)
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
    _check_order_totals([*_same_shop_lines(cart, line.sku), (line.sku, quantity)])
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
    try:
        address.full_clean(exclude=["person"])
    except ValidationError as error:
        fields = {name: [str(m) for m in msgs] for name, msgs in error.message_dict.items()}
        name, messages = next(iter(fields.items()))
        raise DomainError(CommonError.VALIDATION, f"{name}: {messages[0]}", fields=fields) from None
    address.save()
    return address


@transaction.atomic
def delete_address(*, person: User, address_id: int) -> None:
    deleted, _rows = Address.objects.filter(pk=address_id, person_id=person.pk).delete()
    if not deleted:
        raise DomainError(ShopError.ADDRESS_NOT_FOUND)


# --- checkout ------------------------------------------------------------------------------


def _event(
    order_id: int,
    kind: str,
    *,
    actor_id: int | None,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
) -> None:
    OrderEvent.objects.create(
        order_id=order_id,
        actor_id=actor_id,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        note=note[:500],
    )


def _check_line(buyer: User, sku: Sku, quantity: int) -> None:
    if (
        not sku.is_active
        or sku.product.status != Product.Status.ACTIVE
        or not sku.product.merchant_sells
    ):
        raise DomainError(
            ShopError.NOT_ON_SALE,
            _("%(title)s is not on sale any more.") % {"title": sku.product.title},
        )
    if sku.product.merchant_id == buyer.pk:
        raise DomainError(ShopError.OWN_PRODUCT)
    if quantity > sku.product.max_per_order:
        raise DomainError(
            ShopError.QUANTITY_LIMIT,
            _("You can order at most %(n)d of %(title)s at a time.")
            % {"n": sku.product.max_per_order, "title": sku.product.title},
        )
    _check_order_totals([(sku, quantity)])
    # A cheap early answer when stock is plainly gone; the conditional UPDATE below decides.
    if sku.stock < quantity:
        raise DomainError(
            ShopError.OUT_OF_STOCK,
            _("Not enough %(title)s in stock.") % {"title": sku.product.title},
        )


def release_stock(order_id: int) -> None:
    """Put an order's units back, in ascending SKU id order."""
    totals: dict[int, int] = defaultdict(int)
    for sku_id, quantity in OrderLine.objects.filter(
        order_id=order_id, sku_id__isnull=False
    ).values_list("sku_id", "quantity"):
        totals[sku_id] += quantity
    for sku_id in sorted(totals):
        Sku.objects.filter(pk=sku_id).update(stock=F("stock") + totals[sku_id])


def _address_for(buyer: User, address_id: int) -> Address:
    address = Address.objects.filter(pk=address_id, person_id=buyer.pk).first()
    if address is None:
        raise DomainError(ShopError.ADDRESS_NOT_FOUND)
    return address


def _place_orders(
    *,
    buyer: User,
    address: dict,
    key: str,
    lines: list[tuple[Sku, int, int | None]],
    unpaid_minutes: int,
    pay: bool = False,
) -> list[Order]:
    """Write one order per merchant from checked (sku, quantity, campaign_id) lines and take
    the stock; with ``pay``, paid from the buyer's wallet in the same transaction."""
    orders = placing.place_orders(
        buyer_id=buyer.pk,
        address=address,
        key=key,
        lines=lines,
        unpaid_minutes=unpaid_minutes,
        pay=pay,
    )
    if not pay:
        order_ids = [order.pk for order in orders]
        expires_at = orders[0].expires_at
        transaction.on_commit(lambda: _schedule_expiry(order_ids, expires_at))
    return orders


def _schedule(task, run_after: datetime, order_id: int) -> None:
    # A backend that cannot defer (the immediate one) leaves the work to the sweep actions.
    if not task.get_backend().supports_defer:
        return
    try:
        task.using(run_after=run_after).enqueue(order_id)
    except Exception:
        logger.exception("Could not schedule %s for order %s", task.name, order_id)


def _schedule_expiry(order_ids: list[int], expires_at: datetime) -> None:
    from infoconnect.shop import tasks

    for order_id in order_ids:
        _schedule(tasks.expire_order, expires_at, order_id)


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
        _check_line(buyer, line.sku, line.quantity)
    _check_order_totals([(line.sku, line.quantity) for line in cart_lines])
    orders = _place_orders(
        buyer=buyer,
        address=address.snapshot(),
        key=key,
        lines=[(line.sku, line.quantity, line.campaign_id) for line in cart_lines],
        unpaid_minutes=PlatformSettings.current().unpaid_order_minutes,
        pay=pay,
    )
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
    quantity = _clean_quantity(quantity)
    if not _is_id(sku_id):
        raise DomainError(ShopError.SKU_NOT_FOUND)
    if not _is_id(address_id):
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
    _check_line(buyer, read.sku, quantity)
    if read.address is None:
        raise DomainError(ShopError.ADDRESS_NOT_FOUND)
    try:
        with transaction.atomic():
            return _place_orders(
                buyer=buyer,
                address=read.address,
                key=key,
                lines=[(read.sku, quantity, campaign_id)],
                unpaid_minutes=read.unpaid_minutes,
                pay=pay,
            )[0]
    except IntegrityError:
        # A concurrent request with the same key committed first: answer with its order.
        existing = _order_made_with(buyer, key)
        if existing is None:
            raise
        return existing


def _order_made_with(buyer: User, key: str) -> Order | None:
    return Order.objects.filter(buyer_id=buyer.pk, checkout_key=key).order_by("pk").first()


# --- order lifecycle -------------------------------------------------------------------------


def _buyer_order(buyer: User, order_id: int) -> Order:
    order = Order.objects.filter(pk=order_id, buyer_id=buyer.pk).first()
    if order is None:
        raise DomainError(ShopError.ORDER_NOT_FOUND)
    return order


def _merchant_order(merchant: User, order_id: int) -> Order:
    order = Order.objects.filter(pk=order_id, merchant_id=merchant.pk).first()
    if order is None:
        raise DomainError(ShopError.ORDER_NOT_FOUND)
    return order


def _move(order: Order, from_state: str, to_state: str, **fields) -> bool:
    """The conditional state change every transition goes through."""
    moved = Order.objects.filter(pk=order.pk, state=from_state).update(state=to_state, **fields)
    if moved:
        order.state = to_state
        for name, value in fields.items():
            setattr(order, name, value)
    return bool(moved)


_PAY_SQL = (
    "UPDATE shop_order SET state = %s, paid_at = %s "
    "WHERE id = %s AND buyer_id = %s AND state = %s AND expires_at > %s "
    "RETURNING total, currency"
)


@transaction.atomic
def pay_order(*, buyer: User, order_id: int) -> Order:
    """Move the order's total from the buyer's wallet into escrow."""
    if not _is_id(order_id):
        raise DomainError(ShopError.ORDER_NOT_FOUND)
    now = timezone.now()
    at = connection.ops.adapt_datetimefield_value(now)
    # One statement both checks and moves the order; it also locks the row against a
    # concurrent expiry or a second click until this transaction ends.
    with connection.cursor() as cursor:
        cursor.execute(_PAY_SQL, [State.PAID, at, order_id, buyer.pk, State.AWAITING_PAYMENT, at])
        row = cursor.fetchone()
    if row is None:
        order = _buyer_order(buyer, order_id)
        if order.state == State.AWAITING_PAYMENT and order.expires_at <= now:
            raise DomainError(ShopError.ORDER_EXPIRED)
        raise DomainError(ShopError.INVALID_STATE)
    total, currency = row
    _wallet().pay_order(buyer_id=buyer.pk, order_id=order_id, amount=total, currency=currency)
    _event(
        order_id, "paid", actor_id=buyer.pk, from_state=State.AWAITING_PAYMENT, to_state=State.PAID
    )
    return Order.objects.get(pk=order_id)


@transaction.atomic
def ship_order(*, merchant: User, order_id: int, carrier: str, tracking_number: str) -> Order:
    order = _merchant_order(merchant, order_id)
    carrier = _clean_text(carrier, field="carrier", max_length=60, required=True)
    tracking_number = _clean_text(
        tracking_number, field="tracking_number", max_length=60, required=True
    )
    now = timezone.now()
    if not _move(
        order,
        State.PAID,
        State.SHIPPED,
        shipped_at=now,
        carrier=carrier,
        tracking_number=tracking_number,
    ):
        raise DomainError(ShopError.INVALID_STATE)
    _event(
        order.pk,
        "shipped",
        actor_id=merchant.pk,
        from_state=State.PAID,
        to_state=State.SHIPPED,
        note=f"{carrier} {tracking_number}",
    )
    run_after = now + timedelta(days=PlatformSettings.current().auto_confirm_days)
    transaction.on_commit(lambda: _schedule_auto_complete(order.pk, run_after))
    return order


def _schedule_auto_complete(order_id: int, run_after: datetime) -> None:
    from infoconnect.shop import tasks

    _schedule(tasks.auto_complete_order, run_after, order_id)


def _complete(order: Order, *, actor_id: int | None, kind: str) -> bool:
    now = timezone.now()
    commission = commission_for(order.total, PlatformSettings.current().commission_basis_points)
    if not _move(order, State.SHIPPED, State.COMPLETED, completed_at=now, commission=commission):
        return False
    _wallet().release_escrow(
        order_id=order.pk,
        merchant_id=order.merchant_id,
        amount=order.total,
        commission=commission,
        currency=order.currency,
    )
    _event(order.pk, kind, actor_id=actor_id, from_state=State.SHIPPED, to_state=State.COMPLETED)
    return True


@transaction.atomic
def confirm_receipt(*, buyer: User, order_id: int) -> Order:
    """The buyer has the goods: escrow pays the merchant, less the platform's commission."""
    order = _buyer_order(buyer, order_id)
    if not _complete(order, actor_id=buyer.pk, kind="completed"):
        raise DomainError(ShopError.INVALID_STATE)
    return order


@transaction.atomic
def auto_complete_order(*, order_id: int, now: datetime | None = None) -> bool:
    """Confirm a shipped order whose confirmation period has passed; False if it is not due."""
    now = now or timezone.now()
    days = PlatformSettings.current().auto_confirm_days
    order = Order.objects.filter(
        pk=order_id, state=State.SHIPPED, shipped_at__lte=now - timedelta(days=days)
    ).first()
    if order is None:
        return False
    return _complete(order, actor_id=None, kind="auto_completed")


def auto_complete_shipped_orders(*, now: datetime | None = None, batch: int = 500) -> int:
    """Sweep: confirm every shipped order past the auto-confirm period. Safe to run repeatedly."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=PlatformSettings.current().auto_confirm_days)
    done = 0
    last_id = 0
    while True:
        ids = list(
            Order.objects.filter(state=State.SHIPPED, shipped_at__lte=cutoff, pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return done
        for order_id in ids:
            done += auto_complete_order(order_id=order_id, now=now)
        last_id = ids[-1]


@transaction.atomic
def cancel_order(*, person: User, order_id: int, note: str = "") -> Order:
    """Buyer or merchant cancels before shipping: a paid order is refunded in full, and the
    units go back into stock."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None or person.pk not in (order.buyer_id, order.merchant_id):
        raise DomainError(ShopError.ORDER_NOT_FOUND)
    from_state = order.state
    if from_state not in (State.AWAITING_PAYMENT, State.PAID):
        raise DomainError(ShopError.INVALID_STATE)
    if not _move(order, from_state, State.CANCELLED, closed_at=timezone.now()):
        raise DomainError(ShopError.INVALID_STATE)
    if from_state == State.PAID:
        _wallet().refund_escrow(
            order_id=order.pk, buyer_id=order.buyer_id, amount=order.total, currency=order.currency
        )
    release_stock(order.pk)
    _event(
        order.pk,
        "cancelled",
        actor_id=person.pk,
        from_state=from_state,
        to_state=State.CANCELLED,
        note=note,
    )
    return order


@transaction.atomic
def expire_order(*, order_id: int, now: datetime | None = None) -> bool:
    """Close an unpaid order past its deadline and put its units back; False if not due."""
    now = now or timezone.now()
    moved = Order.objects.filter(
        pk=order_id, state=State.AWAITING_PAYMENT, expires_at__lte=now
    ).update(state=State.EXPIRED, closed_at=now)
    if not moved:
        return False
    release_stock(order_id)
    _event(
        order_id,
        "expired",
        actor_id=None,
        from_state=State.AWAITING_PAYMENT,
        to_state=State.EXPIRED,
    )
    return True


def expire_unpaid_orders(*, now: datetime | None = None, batch: int = 500) -> int:
    """Sweep: expire every unpaid order past its deadline. Safe to run repeatedly."""
    now = now or timezone.now()
    done = 0
    last_id = 0
    while True:
        ids = list(
            Order.objects.filter(state=State.AWAITING_PAYMENT, expires_at__lte=now, pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return done
        for order_id in ids:
            done += expire_order(order_id=order_id, now=now)
        last_id = ids[-1]


# --- refunds after completion -------------------------------------------------------------


@transaction.atomic
def request_refund(*, buyer: User, order_id: int, reason: str) -> RefundRequest:
    order = _buyer_order(buyer, order_id)
    reason = _clean_text(reason, field="reason", max_length=1000, required=True)
    if order.state != State.COMPLETED:
        raise DomainError(ShopError.INVALID_STATE)
    window = timedelta(days=PlatformSettings.current().refund_window_days)
    if order.completed_at is None or order.completed_at + window < timezone.now():
        raise DomainError(ShopError.REFUND_WINDOW_CLOSED)
    try:
        with transaction.atomic():
            refund = RefundRequest.objects.create(order=order, reason=reason)
    except IntegrityError:
        raise DomainError(ShopError.REFUND_EXISTS) from None
    _event(order.pk, "refund_requested", actor_id=buyer.pk, note=reason)
    return refund


def _refund_completed(order: Order) -> None:
    if not _move(order, State.COMPLETED, State.REFUNDED, closed_at=timezone.now()):
        raise DomainError(ShopError.INVALID_STATE)
    _wallet().refund_completed_order(
        order_id=order.pk,
        merchant_id=order.merchant_id,
        buyer_id=order.buyer_id,
        amount=order.total,
        currency=order.currency,
    )


def _move_refund(refund: RefundRequest, from_state: str, to_state: str, **fields) -> bool:
    moved = RefundRequest.objects.filter(pk=refund.pk, state=from_state).update(
        state=to_state, **fields
    )
    if moved:
        refund.state = to_state
        for name, value in fields.items():
            setattr(refund, name, value)
    return bool(moved)


@transaction.atomic
def answer_refund(*, merchant: User, order_id: int, accept: bool, note: str = "") -> RefundRequest:
    """The merchant accepts (the buyer is refunded from the merchant's balance) or declines."""
    order = _merchant_order(merchant, order_id)
    refund = RefundRequest.objects.filter(order=order).first()
    if refund is None:
        raise DomainError(ShopError.REFUND_NOT_FOUND)
    if not accept and not (note or "").strip():
        message = _("Tell the buyer why you decline the refund.")
        raise DomainError(CommonError.VALIDATION, message, fields={"note": [str(message)]})
    note = _clean_text(note, field="note", max_length=1000, required=False)
    to_state = RefundRequest.State.ACCEPTED if accept else RefundRequest.State.DECLINED
    if not _move_refund(
        refund,
        RefundRequest.State.REQUESTED,
        to_state,
        merchant_note=note,
        answered_at=timezone.now(),
    ):
        raise DomainError(ShopError.INVALID_STATE)
    if accept:
        _refund_completed(order)
        _event(
            order.pk,
            "refund_accepted",
            actor_id=merchant.pk,
            from_state=State.COMPLETED,
            to_state=State.REFUNDED,
            note=note,
        )
    else:
        _event(order.pk, "refund_declined", actor_id=merchant.pk, note=note)
    return refund


@transaction.atomic
def dispute_refund(*, buyer: User, order_id: int, note: str = "") -> RefundRequest:
    """After a decline the buyer may ask the platform to decide."""
    order = _buyer_order(buyer, order_id)
    refund = RefundRequest.objects.filter(order=order).first()
    if refund is None:
        raise DomainError(ShopError.REFUND_NOT_FOUND)
    note = _clean_text(note, field="note", max_length=500, required=False)
    if not _move_refund(refund, RefundRequest.State.DECLINED, RefundRequest.State.DISPUTED):
        raise DomainError(ShopError.INVALID_STATE)
    _event(order.pk, "refund_disputed", actor_id=buyer.pk, note=note)
    return refund


@transaction.atomic
def decide_refund(
    *, operator: User, refund_id: int, decision: str, note: str = ""
) -> RefundRequest:
    """An operator settles a dispute: refund the buyer, or keep the sale."""
    if not (operator.is_authenticated and operator.is_staff):
        raise DomainError(CommonError.FORBIDDEN)
    if decision not in RefundRequest.Decision.values:
        raise DomainError(
            CommonError.VALIDATION,
            _("Choose refund or reject."),
            fields={"decision": [str(_("Choose refund or reject."))]},
        )
    refund = RefundRequest.objects.select_related("order").filter(pk=refund_id).first()
    if refund is None:
        raise DomainError(ShopError.REFUND_NOT_FOUND)
    if not _move_refund(
        refund,
        RefundRequest.State.DISPUTED,
        RefundRequest.State.DECIDED,
        decision=decision,
        operator=operator,
        operator_note=note[:1000],
        decided_at=timezone.now(),
    ):
        raise DomainError(ShopError.INVALID_STATE)
    order = refund.order
    if decision == RefundRequest.Decision.REFUND:
        _refund_completed(order)
        _event(
            order.pk,
            "refund_decided",
            actor_id=operator.pk,
            from_state=State.COMPLETED,
            to_state=State.REFUNDED,
            note=note or str(RefundRequest.Decision.REFUND.label),
        )
    else:
        _event(
            order.pk,
            "refund_decided",
            actor_id=operator.pk,
            note=note or str(RefundRequest.Decision.REJECT.label),
        )
    return refund

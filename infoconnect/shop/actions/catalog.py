"""The merchant's catalog: products, SKUs, stock, and the product cards posts carry.

Stock is only changed by conditional UPDATEs, so a merchant's adjustment never loses a sale
made at the same moment. A SKU's price and its product's per-order limit are checked against
each other under the product's row lock.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infoconnect.accounts.models import User
from infoconnect.core.errors import CommonError, DomainError
from infoconnect.shop.actions.rules import (
    check_limit_fits,
    check_price_fits,
    clean_attributes,
    clean_category,
    clean_max_per_order,
    clean_price,
    clean_text,
    lock_product,
    own_product,
    own_sku,
    require_merchant,
)
from infoconnect.shop.errors import ShopError
from infoconnect.shop.models import MAX_STOCK, TAX_CODE_RE, PostProduct, Product, Sku, TaxRate
from infoconnect.shop.selectors import showable_product
from infoconnect.social.models import Post


@transaction.atomic
def create_product(
    *,
    merchant: User,
    title: str,
    description: str = "",
    category_id: int | None = None,
    max_per_order: int = 10,
) -> Product:
    require_merchant(merchant)
    return Product.objects.create(
        merchant_id=merchant.pk,
        title=clean_text(title, field="title", max_length=120, required=True),
        description=clean_text(description, field="description", max_length=5000, required=False),
        category_id=clean_category(category_id),
        max_per_order=clean_max_per_order(max_per_order),
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
    product = own_product(merchant, product_id)
    product.title = clean_text(title, field="title", max_length=120, required=True)
    product.description = clean_text(
        description, field="description", max_length=5000, required=False
    )
    product.category_id = clean_category(category_id)
    max_per_order = clean_max_per_order(max_per_order)
    lock_product(product.pk)  # then no SKU's price changes under the check
    check_limit_fits(product, max_per_order)
    product.max_per_order = max_per_order
    product.updated_at = timezone.now()
    product.save(update_fields=["title", "description", "category", "max_per_order", "updated_at"])
    return product


@transaction.atomic
def publish_product(*, merchant: User, product_id: int) -> Product:
    product = own_product(merchant, product_id)
    if not product.skus.filter(is_active=True).exists():
        raise DomainError(ShopError.NO_SKUS)
    Product.objects.filter(pk=product.pk).update(
        status=Product.Status.ACTIVE, updated_at=timezone.now()
    )
    product.refresh_from_db(fields=["status", "updated_at"])
    return product


@transaction.atomic
def archive_product(*, merchant: User, product_id: int) -> Product:
    product = own_product(merchant, product_id)
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
    tax_rate: int | None = TaxRate.STANDARD,
    tax_code: str = "",
    unit: str = "",
) -> Sku:
    product = own_product(merchant, product_id)
    tax_rate, tax_code, unit = clean_vat(
        TaxRate.STANDARD if tax_rate is None else tax_rate, tax_code, unit
    )
    price = clean_price(price)
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
    check_price_fits(price=price, max_per_order=lock_product(product.pk))
    return Sku.objects.create(
        product=product,
        attributes=clean_attributes(attributes),
        price=price,
        currency=currency,
        stock=stock,
        tax_rate=tax_rate,
        tax_code=tax_code,
        unit=unit,
    )


@transaction.atomic
def update_sku(
    *,
    merchant: User,
    sku_id: int,
    attributes: dict | None,
    price: int,
    is_active: bool = True,
    tax_rate: int | None = None,
    tax_code: str | None = None,
    unit: str | None = None,
) -> Sku:
    """Change a SKU; VAT fields left as None stay as they are."""
    sku = own_sku(merchant, sku_id)
    price = clean_price(price)
    attributes = clean_attributes(attributes)
    sku.tax_rate, sku.tax_code, sku.unit = clean_vat(
        sku.tax_rate if tax_rate is None else tax_rate,
        sku.tax_code if tax_code is None else tax_code,
        sku.unit if unit is None else unit,
    )
    check_price_fits(price=price, max_per_order=lock_product(sku.product_id))
    sku.attributes = attributes
    sku.price = price
    sku.is_active = bool(is_active)
    sku.save(update_fields=["attributes", "price", "is_active", "tax_rate", "tax_code", "unit"])
    return sku


def clean_vat(tax_rate: object, tax_code: object, unit: object) -> tuple[int, str, str]:
    """A VAT rate of 13, 9, 6 or 0%, a 19-digit classification code (or none), a short unit."""
    if isinstance(tax_rate, bool) or tax_rate not in TaxRate.values:
        raise DomainError(
            CommonError.VALIDATION,
            _("Choose a VAT rate of 13%, 9%, 6% or 0%."),
            fields={"tax_rate": [str(_("1300, 900, 600 or 0 (basis points)."))]},
        )
    code = str(tax_code or "").strip()
    if code and not re.match(TAX_CODE_RE, code):
        raise DomainError(
            CommonError.VALIDATION,
            _("Enter the 19-digit tax classification code."),
            fields={"tax_code": [str(_("19 digits."))]},
        )
    unit_text = str(unit or "").strip()
    if len(unit_text) > 10:
        raise DomainError(
            CommonError.VALIDATION,
            _("The unit is at most 10 characters."),
            fields={"unit": [str(_("At most 10 characters."))]},
        )
    return int(tax_rate), code, unit_text


@transaction.atomic
def adjust_stock(*, merchant: User, sku_id: int, delta: int) -> Sku:
    """Add (or with a negative delta, remove) units; never below zero nor above MAX_STOCK,
    never losing a sale that happens at the same moment."""
    sku = own_sku(merchant, sku_id)
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


@transaction.atomic
def attach_product_to_post(*, author: User, post_id: int, product_id: int) -> PostProduct:
    """Let a post carry a product card: the post must be the author's, and the product one
    the author may show (``selectors.showable_product``: their own, on sale)."""
    if not Post.objects.filter(pk=post_id, author_id=author.pk).exists():
        raise DomainError(CommonError.NOT_FOUND)
    product = showable_product(author=author, product_id=product_id)
    if product is None:
        raise DomainError(ShopError.PRODUCT_NOT_FOUND)
    card, _created = PostProduct.objects.update_or_create(
        post_id=post_id, defaults={"product_id": product.pk}
    )
    return card

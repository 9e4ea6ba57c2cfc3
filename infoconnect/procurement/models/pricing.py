"""Contract prices: what a merchant charges one company.

A price list belongs to one merchant and one company, with an optional validity window: an
overall percentage off the retail price, and entries per SKU with a fixed price, volume tiers
(from quantity N, price P) and quantity rules (minimum, maximum, increment). Within a list a
fixed price or tier beats the percentage; where several lists apply, the lowest price wins.
Prices include VAT, as the SKU's retail price does.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PriceList(models.Model):
    merchant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("merchant"),
    )
    company = models.ForeignKey(
        "procurement.Company",
        on_delete=models.CASCADE,
        related_name="price_lists",
        verbose_name=_("company"),
    )
    name = models.CharField(_("name"), max_length=100)
    # Basis points off the retail price of every SKU of the merchant's (1000 = 10% off).
    percent_off = models.PositiveSmallIntegerField(_("percentage off (basis points)"), default=0)
    starts_on = models.DateField(_("valid from"), null=True, blank=True)
    ends_on = models.DateField(_("valid until"), null=True, blank=True)  # inclusive
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["company", "merchant"], name="procurement_pricelist_pair"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_off__lt=10000), name="procurement_pricelist_percent"
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="procurement_pricelist_window",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PriceListEntry(models.Model):
    """One SKU in a price list: a fixed price, quantity rules, and its tiers."""

    price_list = models.ForeignKey(
        PriceList, on_delete=models.CASCADE, related_name="entries", verbose_name=_("price list")
    )
    sku = models.ForeignKey(
        "shop.Sku", on_delete=models.CASCADE, related_name="+", verbose_name=_("SKU")
    )
    fixed_price = models.PositiveBigIntegerField(_("fixed price (fen)"), null=True, blank=True)
    min_quantity = models.PositiveIntegerField(_("minimum quantity"), null=True, blank=True)
    max_quantity = models.PositiveIntegerField(_("maximum quantity"), null=True, blank=True)
    increment = models.PositiveIntegerField(_("quantity increment"), default=1)

    class Meta:
        verbose_name = _("price list entry")
        verbose_name_plural = _("price list entries")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "sku"], name="procurement_entry_sku"),
            models.CheckConstraint(
                condition=Q(fixed_price__isnull=True) | Q(fixed_price__gt=0),
                name="procurement_entry_price",
            ),
            models.CheckConstraint(condition=Q(increment__gte=1), name="procurement_entry_step"),
            models.CheckConstraint(
                condition=Q(min_quantity__isnull=True)
                | Q(max_quantity__isnull=True)
                | Q(max_quantity__gte=models.F("min_quantity")),
                name="procurement_entry_range",
            ),
        ]
        indexes = [models.Index(fields=["sku", "price_list"], name="procurement_entry_by_sku")]


class PriceTier(models.Model):
    """From ``min_quantity`` units of the entry's SKU, each costs ``price``."""

    entry = models.ForeignKey(
        PriceListEntry, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("entry")
    )
    min_quantity = models.PositiveIntegerField(_("from quantity"))
    price = models.PositiveBigIntegerField(_("price (fen)"))

    class Meta:
        verbose_name = _("price tier")
        verbose_name_plural = _("price tiers")
        ordering = ["min_quantity"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "min_quantity"], name="procurement_tier_qty"),
            models.CheckConstraint(condition=Q(min_quantity__gte=2), name="procurement_tier_min"),
            models.CheckConstraint(condition=Q(price__gt=0), name="procurement_tier_price"),
        ]

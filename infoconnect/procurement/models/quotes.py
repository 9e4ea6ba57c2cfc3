"""Quotes (询价 / 报价): a buyer asks a merchant for prices, in one inbox conversation.

Each request, answer and counter is a numbered revision of the quote, kept whole; the quote's
state (its lifecycle in ``lifecycle.py``) says whose turn it is. Accepting the merchant's
latest revision before ``valid_until`` makes a requisition at its prices, locked.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Quote(models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("quote state", "Requested")
        INFO_REQUESTED = "info_requested", _("More information asked")
        QUOTED = "quoted", _("Quoted")
        ACCEPTED = "accepted", pgettext_lazy("quote state", "Accepted")
        DECLINED = "declined", pgettext_lazy("quote state", "Declined")
        EXPIRED = "expired", pgettext_lazy("quote state", "Expired")
        CANCELLED = "cancelled", pgettext_lazy("quote state", "Cancelled")

    company = models.ForeignKey(
        "procurement.Company",
        on_delete=models.PROTECT,
        related_name="quotes",
        verbose_name=_("company"),
    )
    merchant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("merchant"),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requester"),
    )
    # The inbox conversation between the company's account and the merchant.
    conversation = models.ForeignKey(
        "messaging.Conversation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("conversation"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.REQUESTED
    )
    title = models.CharField(_("subject"), max_length=120, blank=True)
    wanted_by = models.DateField(_("wanted by"), null=True, blank=True)
    # The latest revision's number, and the merchant's latest quote's validity.
    revision = models.PositiveIntegerField(_("revision"), default=1)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["company", "-id"], name="procurement_quote_company"),
            models.Index(fields=["merchant", "state", "-id"], name="procurement_quote_merchant"),
            models.Index(
                fields=["valid_until"], condition=Q(state="quoted"), name="procurement_quote_due"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"Q-{self.pk}"


class QuoteRevision(models.Model):
    class Kind(models.TextChoices):
        REQUEST = "request", _("Request for quote")
        INFO = "info", _("Question")
        QUOTE = "quote", pgettext_lazy("a merchant's offer", "Quote")
        COUNTER = "counter", _("Counter-offer")

    quote = models.ForeignKey(
        Quote, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("quote")
    )
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    total = models.BigIntegerField(_("total"), default=0)  # fen; 0 while no line has a price
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("quote revision")
        verbose_name_plural = _("quote revisions")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "number"], name="procurement_quote_revision")
        ]

    def __str__(self) -> str:
        return str(_("Revision %(number)d") % {"number": self.number})


class QuoteLine(models.Model):
    """A catalogue SKU or a free-text item, a quantity and (in a quote or counter) a price."""

    revision = models.ForeignKey(
        QuoteRevision, on_delete=models.CASCADE, related_name="lines", verbose_name=_("revision")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    sku = models.ForeignKey(
        "shop.Sku",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("SKU"),
    )
    title = models.CharField(_("item"), max_length=120)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.PositiveBigIntegerField(_("unit price (fen)"), null=True, blank=True)
    tax_rate = models.PositiveSmallIntegerField(_("tax rate"), default=1300)

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "position"], name="procurement_quoteline_position"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="procurement_quoteline_qty"),
        ]

    @property
    def line_total(self) -> int:
        return (self.unit_price or 0) * self.quantity

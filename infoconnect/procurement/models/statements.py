"""Monthly statements (对账单): per company and merchant per month, what was ordered, paid and
credited, from an opening to a closing balance; the company's finance members confirm it or
dispute lines, and the merchant answers each dispute."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Statement(models.Model):
    class State(models.TextChoices):
        ISSUED = "issued", pgettext_lazy("statement state", "Issued")
        DISPUTED = "disputed", pgettext_lazy("statement state", "Disputed")
        CONFIRMED = "confirmed", pgettext_lazy("statement state", "Confirmed")

    company = models.ForeignKey(
        "procurement.Company",
        on_delete=models.PROTECT,
        related_name="statements",
        verbose_name=_("company"),
    )
    merchant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("merchant"),
    )
    month = models.DateField(_("month"))  # the first day of the month, in the site's time zone
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ISSUED)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    opening_balance = models.BigIntegerField(_("opening balance"), default=0)
    orders_total = models.BigIntegerField(_("orders"), default=0)
    payments_total = models.BigIntegerField(_("payments"), default=0)
    credits_total = models.BigIntegerField(_("credit notes"), default=0)
    closing_balance = models.BigIntegerField(_("closing balance"), default=0)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("confirmed by"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["-month", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "merchant", "month"], name="procurement_statement_month"
            )
        ]

    @property
    def reference(self) -> str:
        return f"S-{self.pk}"


class StatementDispute(models.Model):
    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("dispute state", "Open")
        ANSWERED = "answered", _("Answered")

    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="disputes", verbose_name=_("statement")
    )
    # The order line disputed (shop's; no FK so the statement outlives a deleted line).
    order_id = models.BigIntegerField(_("order ID"))
    order_line_id = models.BigIntegerField(_("order line ID"), null=True, blank=True)
    reason = models.TextField(_("reason"), max_length=1000)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("raised by"),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    answer = models.TextField(_("answer"), max_length=1000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("answered by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("statement dispute")
        verbose_name_plural = _("statement disputes")
        ordering = ["id"]

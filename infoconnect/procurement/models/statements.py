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
        "procurement.Company", on_delete=models.PROTECT, related_name="statements"
    )
    merchant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField()  # the first day of the month, in the site's time zone
    state = models.CharField(max_length=10, choices=State.choices, default=State.ISSUED)
    currency = models.CharField(max_length=3, default="CNY")
    opening_balance = models.BigIntegerField(default=0)
    orders_total = models.BigIntegerField(default=0)
    payments_total = models.BigIntegerField(default=0)
    credits_total = models.BigIntegerField(default=0)
    closing_balance = models.BigIntegerField(default=0)
    due_on = models.DateField(null=True, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
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

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="disputes")
    # The order line disputed (shop's; no FK so the statement outlives a deleted line).
    order_id = models.BigIntegerField()
    order_line_id = models.BigIntegerField(null=True, blank=True)
    reason = models.TextField(_("reason"), max_length=1000)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    answer = models.TextField(_("answer"), max_length=1000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

"""Pay on terms (账期): a merchant's payment terms and credit limit for a company, what each
order on terms leaves owing (a Receivable), and the company's payments that settle them.

``PaymentTerms.outstanding`` is the pair's open amount, raised only by a conditional UPDATE
that keeps it within ``credit_limit`` (the check constraint is the database's backstop). The
money itself is on the ledger: the merchant's RECEIVABLE account and the company's
COMPANY_PAYABLE account move together at placing, crediting and paying.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PaymentTerms(models.Model):
    class Net(models.IntegerChoices):
        ON_DELIVERY = 0, _("Due on delivery")
        NET_7 = 7, _("Net 7")
        NET_15 = 15, _("Net 15")
        NET_30 = 30, _("Net 30")
        NET_60 = 60, _("Net 60")
        NET_90 = 90, _("Net 90")

    merchant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("merchant"),
    )
    company = models.ForeignKey(
        "procurement.Company",
        on_delete=models.CASCADE,
        related_name="payment_terms",
        verbose_name=_("company"),
    )
    net_days = models.PositiveSmallIntegerField(_("terms"), choices=Net.choices, default=30)
    credit_limit = models.PositiveBigIntegerField(_("credit limit (fen)"))
    # Placed on terms and not yet paid or credited, in fen.
    outstanding = models.BigIntegerField(_("outstanding"), default=0)
    # Days past due before new orders on terms are refused.
    grace_days = models.PositiveSmallIntegerField(_("grace period (days)"), default=7)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("payment terms")
        verbose_name_plural = _("payment terms")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "company"], name="procurement_terms_pair"),
            models.CheckConstraint(
                condition=Q(outstanding__gte=0, outstanding__lte=models.F("credit_limit")),
                name="procurement_terms_within_limit",
            ),
            models.CheckConstraint(condition=Q(grace_days__lte=90), name="procurement_terms_grace"),
        ]


class Receivable(models.Model):
    """What one order on terms leaves owing: open until delivery, then due on ``due_on``."""

    class State(models.TextChoices):
        OPEN = "open", _("Not delivered yet")
        DUE = "due", _("Due")
        SETTLED = "settled", _("Settled")

    terms = models.ForeignKey(
        PaymentTerms, on_delete=models.PROTECT, related_name="receivables", verbose_name=_("terms")
    )
    order = models.OneToOneField(
        "shop.Order", on_delete=models.PROTECT, related_name="+", verbose_name=_("order")
    )
    company = models.ForeignKey(
        "procurement.Company",
        on_delete=models.PROTECT,
        related_name="receivables",
        verbose_name=_("company"),
    )
    merchant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("merchant"),
    )
    amount = models.PositiveBigIntegerField(_("amount"))
    credited = models.PositiveBigIntegerField(_("credited"), default=0)  # refunds (credit notes)
    paid = models.PositiveBigIntegerField(_("paid"), default=0)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("receivable")
        verbose_name_plural = _("receivables")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["company", "merchant", "state"], name="procurement_receivable_pair"
            ),
            models.Index(
                fields=["due_on"], condition=Q(state="due"), name="procurement_receivable_due"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(paid__lte=models.F("amount") - models.F("credited")),
                name="procurement_receivable_not_overpaid",
            ),
        ]

    @property
    def open_amount(self) -> int:
        return self.amount - self.credited - self.paid


class TermsPayment(models.Model):
    """A company paying a merchant what it owes on terms, from its wallet."""

    company = models.ForeignKey(
        "procurement.Company",
        on_delete=models.PROTECT,
        related_name="terms_payments",
        verbose_name=_("company"),
    )
    merchant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("merchant"),
    )
    amount = models.PositiveBigIntegerField(_("amount"))
    # What the payment commission kept (the merchant received amount − commission).
    commission = models.PositiveBigIntegerField(_("commission"), default=0)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("paid by"),
    )
    # What was paid: a statement, an invoice (invoicing's id) or chosen orders.
    statement = models.ForeignKey(
        "procurement.Statement", null=True, blank=True, on_delete=models.PROTECT,
        related_name="payments", verbose_name=_("statement"),
    )  # fmt: skip
    invoice_id = models.BigIntegerField(_("invoice ID"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("payment on terms")
        verbose_name_plural = _("payments on terms")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="procurement_termspay_amount")
        ]

    @property
    def reference(self) -> str:
        return f"TP-{self.pk}"


class TermsPaymentItem(models.Model):
    payment = models.ForeignKey(
        TermsPayment, on_delete=models.CASCADE, related_name="items", verbose_name=_("payment")
    )
    receivable = models.ForeignKey(
        Receivable, on_delete=models.PROTECT, related_name="payments", verbose_name=_("receivable")
    )
    amount = models.PositiveBigIntegerField(_("amount"))

    class Meta:
        verbose_name = _("payment on terms item")
        verbose_name_plural = _("payment on terms items")
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "receivable"], name="procurement_termspay_item"
            )
        ]


class TermsReminder(models.Model):
    """A private message to the company's finance members that a receivable falls due, three
    days before and on the day: one row per receivable and kind, sent once by its move."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Three days before the due date")
        ON_DUE = "on_due", _("On the due date")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        DROPPED = "dropped", _("Not needed: paid or credited first")

    receivable = models.ForeignKey(
        Receivable, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("receivable")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    send_at = models.DateTimeField(_("send at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("terms reminder")
        verbose_name_plural = _("terms reminders")
        ordering = ["send_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["receivable", "kind"], name="procurement_reminder_once")
        ]
        indexes = [
            models.Index(
                fields=["send_at"], condition=Q(state="pending"), name="procurement_reminder_due"
            )
        ]

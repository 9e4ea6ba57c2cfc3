"""VAT invoices (增值税发票): the company's invoice titles, and the invoices merchants issue
through an invoice provider (``providers/``), per order or merged per month, with red-letter
(红字) invoices for what was refunded after invoicing.

Amounts are fen and include VAT. Each line's net and tax come from its tax-inclusive amount
(net = round(amount / (1 + rate)), tax = amount − net), so the lines add up to what was paid.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class InvoiceTitle(models.Model):
    """抬头: who an invoice is made out to, with the four fields a 专票 needs."""

    company = models.ForeignKey(
        "procurement.Company",
        on_delete=models.CASCADE,
        related_name="invoice_titles",
        verbose_name=_("company"),
    )
    name = models.CharField(_("name"), max_length=200)
    taxpayer_id = models.CharField(_("taxpayer identification number"), max_length=18)
    # Each pair fits in 100 GBK bytes, as the tax system's fields do.
    address_phone = models.CharField(_("registered address and phone"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank and account number"), max_length=100, blank=True)
    general_taxpayer = models.BooleanField(_("general VAT taxpayer"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Verified: the taxpayer id passed its check and the title was confirmed by finance.
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invoice title")
        verbose_name_plural = _("invoice titles")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def allows_special(self) -> bool:
        """A 专票 needs a general taxpayer with every field filled in."""
        return bool(
            self.general_taxpayer and self.address_phone and self.bank_account and self.taxpayer_id
        )


class Invoice(models.Model):
    class Kind(models.TextChoices):
        NORMAL = "normal", _("Electronic ordinary VAT invoice")
        SPECIAL = "special", _("Special VAT invoice")

    class Scope(models.TextChoices):
        ORDER = "order", _("One order")
        MONTHLY = "monthly", _("Merged for the month")

    class State(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("invoice state", "Requested")
        ISSUED = "issued", pgettext_lazy("invoice state", "Issued")
        REFUSED = "refused", pgettext_lazy("invoice state", "Refused")

    merchant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("merchant"),
    )
    company = models.ForeignKey(
        "procurement.Company",
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("company"),
    )
    title = models.ForeignKey(
        InvoiceTitle,
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("invoice title"),
    )
    # The title's fields as issued: the invoice keeps them whatever the title becomes.
    buyer = models.JSONField(_("buyer details"), default=dict)
    seller = models.JSONField(_("seller details"), default=dict)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    month = models.DateField(
        _("month"), null=True, blank=True
    )  # monthly: the first day of the month
    # A red-letter invoice reverses (part of) this one; its amounts are negative.
    original = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="red_letters",
        verbose_name=_("original invoice"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.REQUESTED
    )
    provider = models.CharField(_("provider"), max_length=20)
    provider_reference = models.CharField(_("provider reference"), max_length=64, blank=True)
    number = models.CharField(_("invoice number"), max_length=20, blank=True)
    refusal_reason = models.CharField(_("refusal reason"), max_length=300, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    total = models.BigIntegerField(_("total"), default=0)  # 价税合计
    net = models.BigIntegerField(_("net"), default=0)
    tax = models.BigIntegerField(_("tax"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    # When a sender last took the right to ask the provider (the claim lapses, see lifecycle).
    attempted_at = models.DateTimeField(_("attempted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["company", "-id"], name="invoicing_invoice_company"),
            models.Index(fields=["merchant", "-id"], name="invoicing_invoice_merchant"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~Q(number=""), name="invoicing_number"
            ),
            models.UniqueConstraint(
                fields=["merchant", "company", "month"],
                condition=Q(scope="monthly", original__isnull=True) & ~Q(state="refused"),
                name="invoicing_one_monthly",
            ),
            models.CheckConstraint(
                condition=Q(total=models.F("net") + models.F("tax")), name="invoicing_sums"
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def is_red(self) -> bool:
        return self.original_id is not None


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="lines", verbose_name=_("invoice")
    )
    position = models.PositiveIntegerField(_("position"))
    # What it invoices (shop's rows; no FKs: the invoice outlives them). A merged line
    # groups one SKU at one rate, and names no single order line.
    order_id = models.BigIntegerField(_("order ID"), null=True, blank=True)
    order_line_id = models.BigIntegerField(_("order line ID"), null=True, blank=True)
    sku_id = models.BigIntegerField(_("SKU ID"), null=True, blank=True)
    name = models.CharField(
        _("name"), max_length=200
    )  # 名称, with its classification: *计算机*笔记本电脑
    tax_code = models.CharField(_("tax code"), max_length=19, blank=True)
    spec = models.CharField(_("spec"), max_length=120, blank=True)  # 规格型号
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    quantity = models.IntegerField(_("quantity"))
    unit_price = models.BigIntegerField(_("unit price"))  # tax-inclusive, per unit
    amount = models.BigIntegerField(_("amount"))  # tax-inclusive; negative on a red-letter invoice
    net = models.BigIntegerField(_("net"))
    tax = models.BigIntegerField(_("tax"))
    tax_rate = models.PositiveSmallIntegerField(_("tax rate"))

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoicing_line_position"),
            models.CheckConstraint(
                condition=Q(amount=models.F("net") + models.F("tax")), name="invoicing_line_sums"
            ),
        ]
        indexes = [models.Index(fields=["order_id"], name="invoicing_line_order")]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}"


class InvoicedOrder(models.Model):
    """Which orders an invoice covers (a merged line names no single order), with what of
    each it invoices: the tax-inclusive amount, negative on a red-letter invoice."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="orders", verbose_name=_("invoice")
    )
    order_id = models.BigIntegerField(_("order ID"))
    amount = models.BigIntegerField(_("amount"))

    class Meta:
        verbose_name = _("invoiced order")
        verbose_name_plural = _("invoiced orders")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "order_id"], name="invoicing_order_once")
        ]
        indexes = [models.Index(fields=["order_id"], name="invoicing_invoiced_order")]


class InvoicingSetting(models.Model):
    """How a merchant invoices one company: each order on completion, or merged monthly."""

    class Mode(models.TextChoices):
        PER_ORDER = "per_order", _("Each order on completion")
        MONTHLY = "monthly", _("Merged monthly (集中开票)")

    merchant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("merchant"),
    )
    company = models.ForeignKey(
        "procurement.Company", on_delete=models.CASCADE, related_name="+", verbose_name=_("company")
    )
    mode = models.CharField(_("invoicing"), max_length=10, choices=Mode.choices)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("invoicing setting")
        verbose_name_plural = _("invoicing settings")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "company"], name="invoicing_setting_pair")
        ]

    def __str__(self) -> str:
        return f"{self.merchant} → {self.company}: {self.get_mode_display()}"

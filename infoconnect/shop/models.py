"""The shop: catalog (categories, products, images, SKUs), carts, addresses, orders with
their history, refund requests, and the product cards that posts carry.

Money is integer fen with a currency code. Stock lives on the SKU and is only ever changed by
a conditional UPDATE (see actions.py), with a CHECK so the database refuses a negative value.
"""

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from infoconnect.accounts.models import REGIONS
from infoconnect.core.money import DEFAULT_CURRENCY


class TaxRate(models.IntegerChoices):
    """China's VAT rates, in basis points (1300 = 13%). Prices include VAT."""

    STANDARD = 1300, "13%"
    REDUCED = 900, "9%"
    SERVICES = 600, "6%"
    ZERO = 0, "0%"


# A 税收分类编码: the 19-digit tax classification code an invoice line carries.
TAX_CODE_RE = r"\A[0-9]{19}\Z"
tax_code_validator = RegexValidator(
    TAX_CODE_RE, _("Enter the 19-digit tax classification code."), code="invalid_tax_code"
)

MOBILE_RE = r"\A1[3-9][0-9]{9}\Z"  # ASCII digits: \d would also take ８ or ٨
# The most units one SKU may hold: far above any shop's stock, far below a 32-bit column.
MAX_STOCK = 10_000_000
mobile_validator = RegexValidator(
    MOBILE_RE, _("Enter an 11-digit mobile number."), code="invalid_mobile"
)


class Category(models.Model):
    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        verbose_name=_("parent"),
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("On sale")
        ARCHIVED = "archived", _("Archived")

    class Availability(models.TextChoices):
        AVAILABLE = "available", _("Available")
        SOLD_OUT = "sold_out", _("Sold out")
        UNAVAILABLE = "unavailable", _("Not available")

    merchant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="products",
        db_index=False,
        verbose_name=_("merchant"),
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="products",
        verbose_name=_("category"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    max_per_order = models.PositiveIntegerField(
        _("most of one SKU per order"), default=10, validators=[MinValueValidator(1)]
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [
            models.Index(fields=["merchant", "status", "-id"], name="shop_product_merchant"),
            models.Index(fields=["category", "status", "-id"], name="shop_product_category"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(max_per_order__gte=1), name="shop_product_max_ge_1")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_on_sale(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def merchant_sells(self) -> bool:
        """Only a verified merchant sells: an operator who withdraws the verification stops
        the shop's sales (orders already made go on)."""
        verified = getattr(self, "merchant_verified", None)  # set by the buy-now read
        if verified is None:
            verified = self.merchant.is_verified_merchant
        return bool(verified)

    @property
    def lowest_price(self) -> int | None:
        """The cheapest active SKU's price (from the selectors' annotation when present)."""
        if hasattr(self, "min_price"):
            return self.min_price
        return (
            self.skus.filter(is_active=True)
            .order_by("price")
            .values_list("price", flat=True)
            .first()
        )

    @property
    def availability(self) -> str:
        """What a shopper can do: "available" (a SKU on sale has stock), "sold_out" (SKUs on
        sale, none in stock) or "unavailable" (not on sale, or no SKU on sale).

        Uses the selectors' annotations when present, so a page of cards costs no query.
        """
        if not self.is_on_sale or not self.merchant_sells:
            return self.Availability.UNAVAILABLE
        if hasattr(self, "min_price") and hasattr(self, "total_stock"):
            on_sale, in_stock = self.min_price is not None, (self.total_stock or 0) > 0
        else:
            skus = self.skus.filter(is_active=True)
            on_sale, in_stock = skus.exists(), skus.filter(stock__gt=0).exists()
        if not on_sale:
            return self.Availability.UNAVAILABLE
        return self.Availability.AVAILABLE if in_stock else self.Availability.SOLD_OUT

    @property
    def cover(self):
        """The first image, or None; uses prefetched images when the selector loaded them."""
        images = list(self.images.all())
        return images[0] if images else None


class ProductImage(models.Model):
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="images", verbose_name=_("product")
    )
    image = models.ImageField(_("image"), upload_to="products/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="products/thumbs/%Y/%m/")
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return str(_("Picture %(n)d") % {"n": self.position + 1})


class Sku(models.Model):
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="skus", verbose_name=_("product")
    )
    # Variant attributes, e.g. {"colour": "red", "size": "M"}.
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    price = models.PositiveBigIntegerField(_("price (fen)"))
    currency = models.CharField(_("currency"), max_length=3, default=DEFAULT_CURRENCY)
    stock = models.IntegerField(_("stock"), default=0)
    is_active = models.BooleanField(_("on sale"), default=True)
    # VAT: the price includes it at this rate; invoices name the classification and the unit.
    tax_rate = models.PositiveSmallIntegerField(
        _("VAT rate"), choices=TaxRate.choices, default=TaxRate.STANDARD, db_default=1300
    )
    tax_code = models.CharField(
        _("tax classification code"),
        max_length=19,
        blank=True,
        default="",
        db_default="",
        validators=[tax_code_validator],
    )
    unit = models.CharField(
        pgettext_lazy("unit of measure", "unit"),
        max_length=10,
        blank=True,
        default="",
        db_default="",
    )

    class Meta:
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="shop_sku_stock_nonnegative"),
            models.CheckConstraint(condition=Q(price__gt=0), name="shop_sku_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.label}"

    @property
    def label(self) -> str:
        return ", ".join(f"{k}: {v}" for k, v in sorted(self.attributes.items())) or str(
            _("Standard")
        )


class Cart(models.Model):
    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="cart",
        verbose_name=_("person"),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")


class CartLine(models.Model):
    cart = models.ForeignKey(
        Cart, on_delete=models.CASCADE, related_name="lines", verbose_name=_("cart")
    )
    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="+", verbose_name=_("SKU"))
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    # The messaging campaign the person came from, for attribution (no FK: another app's table).
    campaign_id = models.BigIntegerField(_("campaign ID"), null=True, blank=True)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "sku"], name="shop_cartline_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="shop_cartline_qty_ge_1"),
        ]


class PostalAddress(models.Model):
    """Where goods go in China: a recipient, a province, city, district and street, a mobile."""

    recipient_name = models.CharField(_("recipient"), max_length=40)
    province = models.CharField(_("province"), max_length=2, choices=REGIONS)
    city = models.CharField(_("city"), max_length=40)
    district = models.CharField(_("district"), max_length=40)
    street = models.CharField(_("street address"), max_length=200)
    mobile = models.CharField(_("mobile"), max_length=11, validators=[mobile_validator])
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.recipient_name}, {self.one_line}"

    @property
    def one_line(self) -> str:
        return f"{self.get_province_display()} {self.city} {self.district} {self.street}"

    def snapshot(self) -> dict:
        return {
            "recipient_name": self.recipient_name,
            "province": self.province,
            "city": self.city,
            "district": self.district,
            "street": self.street,
            "mobile": self.mobile,
        }


class Address(PostalAddress):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="addresses",
        verbose_name=_("person"),
    )

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-id"]


class Order(models.Model):
    class State(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
        PAID = "paid", _("Paid")
        SHIPPED = "shipped", _("Shipped")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")
        REFUNDED = "refunded", _("Refunded")
        # A company's order on payment terms: no escrow; it ships, and is due after delivery.
        ON_TERMS = "on_terms", _("To ship, on terms")

    class InvoiceKind(models.TextChoices):
        NONE = "", _("No invoice")
        NORMAL = "normal", _("Electronic ordinary VAT invoice")  # 电子普通发票
        SPECIAL = "special", _("Special VAT invoice")  # 增值税专用发票

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,
        verbose_name=_("buyer"),
    )
    # No database constraint: every order would share-lock its merchant's user row, one hot
    # row in a sale, and orders stay distributable by buyer.
    merchant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("merchant"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.AWAITING_PAYMENT
    )
    currency = models.CharField(_("currency"), max_length=3, default=DEFAULT_CURRENCY)
    total = models.PositiveBigIntegerField(_("total"))
    # Set when escrow is released: what the platform kept.
    commission = models.PositiveBigIntegerField(_("commission"), default=0)
    shipping_address = models.JSONField(_("shipping address"))
    # The messaging campaign the order came from; no FK so the shop never depends on it.
    campaign_id = models.BigIntegerField(_("campaign ID"), null=True, blank=True)
    # The checkout request that made it: one order per (buyer, key, merchant).
    checkout_key = models.CharField(_("checkout key"), max_length=255)
    # Bought for a company through a requisition (procurement's; no FKs, so the shop never
    # depends on it): the company, the requisition and what the merchant's list shows of them.
    company_id = models.BigIntegerField(_("company ID"), null=True, blank=True, db_default=None)
    requisition_id = models.BigIntegerField(
        _("requisition ID"), null=True, blank=True, db_default=None
    )
    company_name = models.CharField(
        _("company name"), max_length=200, blank=True, default="", db_default=""
    )
    department_name = models.CharField(
        _("department name"), max_length=100, blank=True, default="", db_default=""
    )
    po_number = models.CharField(
        _("PO number"), max_length=30, blank=True, default="", db_default=""
    )
    # Paid on the merchant's payment terms (procurement's Receivable), not through escrow.
    on_terms = models.BooleanField(_("on terms"), default=False, db_default=False)
    # The VAT invoice the company asked for, and the invoice title (invoicing's; no FK).
    invoice_kind = models.CharField(
        _("invoice kind"),
        max_length=10,
        choices=InvoiceKind.choices,
        blank=True,
        default="",
        db_default="",
    )
    invoice_title_id = models.BigIntegerField(
        _("invoice title ID"), null=True, blank=True, db_default=None
    )
    # The total is what the buyer pays: the lines, plus the shipping fee, less the coupon's
    # discount (the claim it redeemed; no FK, a claim outlives its order's cancellation).
    shipping_fee = models.PositiveBigIntegerField(_("shipping fee"), default=0, db_default=0)
    discount = models.PositiveBigIntegerField(_("discount"), default=0, db_default=0)
    coupon_claim_id = models.BigIntegerField(
        _("coupon claim ID"), null=True, blank=True, db_default=None
    )
    # What refunds have given back so far (partial refunds add up to at most the total):
    # raised only by a conditional UPDATE that keeps it within the total.
    refunded_amount = models.PositiveBigIntegerField(_("refunded amount"), default=0, db_default=0)
    carrier = models.CharField(_("carrier"), max_length=60, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(
        _("closed at"), null=True, blank=True
    )  # cancelled, expired or refunded

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["buyer", "-id"], name="shop_order_buyer"),
            # "Has bought from me" audiences probe (follower, merchant) once per follower.
            models.Index(fields=["buyer", "merchant"], name="shop_order_buyer_merchant"),
            models.Index(fields=["merchant", "state", "-id"], name="shop_order_merchant"),
            models.Index(
                fields=["expires_at"],
                condition=Q(state="awaiting_payment"),
                name="shop_order_unpaid",
            ),
            models.Index(
                fields=["shipped_at"], condition=Q(state="shipped"), name="shop_order_shipped"
            ),
            models.Index(
                fields=["campaign_id"],
                condition=Q(campaign_id__isnull=False),
                name="shop_order_campaign",
            ),
            # The merchant's "orders from companies" filter.
            models.Index(
                fields=["merchant", "-id"],
                condition=Q(company_id__isnull=False),
                name="shop_order_company",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "checkout_key", "merchant"], name="shop_order_checkout_unique"
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=models.F("total")),
                name="shop_order_refund_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"Order {self.pk}"

    @property
    def refund_request(self) -> "RefundRequest | None":
        """The order's latest refund request (from the prefetched ones when loaded)."""
        cached = getattr(self, "_prefetched_objects_cache", {}).get("refund_requests")
        if cached is not None:
            requests = sorted(cached, key=lambda r: r.pk, reverse=True)
            return requests[0] if requests else None
        return self.refund_requests.order_by("-id").first()

    @property
    def refundable(self) -> int:
        """What may still be refunded: what was paid less what refunds gave back."""
        return self.total - self.refunded_amount

    @property
    def address_line(self) -> str:
        a = self.shipping_address or {}
        province = dict(REGIONS).get(a.get("province"), a.get("province", ""))
        return f"{a.get('recipient_name', '')}, {a.get('mobile', '')}, {province} {a.get('city', '')} {a.get('district', '')} {a.get('street', '')}"


class OrderLine(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    # No database constraints: the FK check would share-lock the SKU row that checkout is
    # decrementing (the hottest row in a sale); the line is a snapshot that outlives both.
    sku = models.ForeignKey(
        Sku,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        verbose_name=_("SKU"),
    )
    product = models.ForeignKey(
        Product,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        verbose_name=_("product"),
    )
    # A snapshot: what the buyer saw when ordering, whatever the merchant changes later.
    title = models.CharField(_("title"), max_length=120)
    attributes = models.JSONField(_("attributes"), default=dict)
    unit_price = models.PositiveBigIntegerField(_("unit price"))
    quantity = models.PositiveIntegerField(_("quantity"))
    # The SKU's VAT at the time of the order: what its invoice lines say.
    tax_rate = models.PositiveSmallIntegerField(_("tax rate"), default=1300, db_default=1300)
    tax_code = models.CharField(_("tax code"), max_length=19, blank=True, default="", db_default="")
    unit = models.CharField(_("unit"), max_length=10, blank=True, default="", db_default="")
    # The price before the company's contract price, and why it is what it is (B2B lines).
    list_price = models.PositiveBigIntegerField(
        _("list price"), null=True, blank=True, db_default=None
    )
    price_reason = models.CharField(
        _("price reason"), max_length=200, blank=True, default="", db_default=""
    )

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.title} × {self.quantity}"

    @property
    def line_total(self) -> int:
        return self.unit_price * self.quantity

    @property
    def label(self) -> str:
        return ", ".join(f"{k}: {v}" for k, v in sorted(self.attributes.items()))


class OrderEvent(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="events", verbose_name=_("order")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )  # None: the platform (expiry, auto-confirmation)
    kind = models.CharField(_("kind"), max_length=30)
    from_state = models.CharField(_("from state"), max_length=20, blank=True)
    to_state = models.CharField(_("to state"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["id"]

    KIND_LABELS = {
        "placed": _("Order placed"),
        "paid": _("Paid into escrow"),
        "placed_on_terms": _("Placed on payment terms"),
        "shipped": _("Shipped"),
        "completed": _("Receipt confirmed"),
        "auto_completed": _("Confirmed automatically"),
        "cancelled": _("Cancelled and refunded"),
        "expired": _("Expired unpaid"),
        "refund_requested": _("Refund requested"),
        "refund_accepted": _("Refund accepted"),
        "refund_declined": _("Refund declined"),
        "refund_disputed": _("Refund escalated to the platform"),
        "refund_decided": _("Platform decided the refund"),
        "return_accepted": _("Return accepted, waiting for the goods"),
        "return_shipped": _("Goods sent back"),
        "return_received": _("Returned goods received, refunded"),
        "refund_withdrawn": _("Refund request withdrawn"),
    }

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.kind == "cancelled" and self.from_state != Order.State.PAID:
            # Nothing was paid, so nothing was refunded.
            return str(Order.State.CANCELLED.label)
        return str(self.KIND_LABELS.get(self.kind, self.kind))


class RefundRequest(models.Model):
    """A buyer's request for money back: only a refund (仅退款), before receipt or after, or a
    return and refund (退货退款: the goods go back first). Whole or partial (some lines or an
    amount). An order has at most one open request at a time; later ones may follow."""

    class Kind(models.TextChoices):
        REFUND = "refund", _("Refund only")
        RETURN = "return", _("Return and refund")

    class State(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("refund state", "Requested")
        ACCEPTED = "accepted", _("Refunded")
        DECLINED = "declined", _("Declined")
        DISPUTED = "disputed", _("Disputed")
        DECIDED = "decided", _("Decided by the platform")
        # A return the merchant accepted: the buyer sends the goods to its return address.
        AWAITING_RETURN = "awaiting_return", _("Waiting for the return")
        RETURN_SHIPPED = "return_shipped", _("Return on its way")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Decision(models.TextChoices):
        REFUND = "refund", _("Refund the buyer")
        REJECT = "reject", _("Keep the sale")

    # States after which another request for the order may be opened.
    CLOSED_STATES = ("accepted", "decided", "withdrawn")

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="refund_requests", verbose_name=_("order")
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices, default=Kind.REFUND, db_default="refund"
    )
    # What the buyer asks back, in fen, at most the order's refundable amount; and, for a
    # refund of some lines, which: [{"line": <OrderLine id>, "quantity": n}, ...].
    amount = models.PositiveBigIntegerField(_("amount"), default=0, db_default=0)
    lines = models.JSONField(_("lines"), default=list, blank=True, db_default=[])
    reason = models.TextField(_("reason"), max_length=1000)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.REQUESTED
    )
    merchant_note = models.TextField(_("merchant's answer"), max_length=1000, blank=True)
    # A return: where the merchant wants the goods, and how the buyer sent them back.
    return_address = models.JSONField(_("return address"), null=True, blank=True, db_default=None)
    return_carrier = models.CharField(
        _("return carrier"), max_length=60, blank=True, default="", db_default=""
    )
    return_tracking = models.CharField(
        _("return tracking number"), max_length=60, blank=True, default="", db_default=""
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    goods_received_at = models.DateTimeField(_("goods received at"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("operator"),
    )
    operator_note = models.TextField(_("operator note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund request")
        verbose_name_plural = _("refund requests")
        indexes = [models.Index(fields=["state", "-id"], name="shop_refund_state")]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=~Q(state__in=["accepted", "decided", "withdrawn"]),
                name="shop_refund_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"Refund request for order {self.order_id}"


class RefundEvidence(models.Model):
    """A photo a buyer (or the merchant) attaches to a refund request: up to 3 per side."""

    refund = models.ForeignKey(
        RefundRequest, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("refund")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    image = models.ImageField(_("image"), upload_to="refunds/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="refunds/thumbs/%Y/%m/")
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("refund evidence photo")
        verbose_name_plural = _("refund evidence photos")
        ordering = ["position", "id"]


class ShippingPolicy(models.Model):
    """A merchant's shipping fee per order, waived from a threshold (包邮)."""

    merchant = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="shipping_policy",
        verbose_name=_("merchant"),
    )
    fee = models.PositiveBigIntegerField(_("shipping fee per order (fen)"), default=0)
    # Orders whose lines come to at least this ship free; None: never free (unless fee is 0).
    free_over = models.PositiveBigIntegerField(_("free shipping from (fen)"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default=DEFAULT_CURRENCY)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("shipping policy")
        verbose_name_plural = _("shipping policies")

    def __str__(self) -> str:
        return f"Shipping of merchant {self.merchant_id}"

    def fee_for(self, subtotal: int) -> int:
        if self.free_over is not None and subtotal >= self.free_over:
            return 0
        return self.fee


class Review(models.Model):
    """A buyer's rating of one line of a completed order (评价): once per line, editable for
    30 days; the merchant may reply once; an operator may hide an abusive one."""

    line = models.OneToOneField(
        OrderLine, on_delete=models.CASCADE, related_name="review", verbose_name=_("order line")
    )
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="+", verbose_name=_("order")
    )
    product = models.ForeignKey(
        Product,
        null=True,
        on_delete=models.SET_NULL,
        related_name="reviews",
        db_constraint=False,
        verbose_name=_("product"),
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("buyer"),
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    text = models.TextField(_("review"), max_length=2000, blank=True)
    reply = models.TextField(_("merchant's reply"), max_length=1000, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    hidden = models.BooleanField(_("hidden"), default=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-id"]
        indexes = [models.Index(fields=["product", "hidden", "-id"], name="shop_review_product")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="shop_review_rating_1_5"
            )
        ]

    def __str__(self) -> str:
        return f"Review of line {self.line_id}"


class ReviewPhoto(models.Model):
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="photos", verbose_name=_("review")
    )
    image = models.ImageField(_("image"), upload_to="reviews/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="reviews/thumbs/%Y/%m/")
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("review photo")
        verbose_name_plural = _("review photos")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return str(_("Picture %(n)d") % {"n": self.position + 1})


class Coupon(models.Model):
    """A merchant's coupon: an amount off, or a percentage off up to a cap, on orders of at
    least ``min_spend`` from its shop, claimable once per person, ``total_count`` in all."""

    class Kind(models.TextChoices):
        AMOUNT = "amount", _("Amount off")
        PERCENT = "percent", _("Percent off")

    merchant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="coupons",
        verbose_name=_("merchant"),
    )
    title = models.CharField(_("title"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.AMOUNT)
    amount_off = models.PositiveBigIntegerField(_("amount off (fen)"), null=True, blank=True)
    percent_off = models.PositiveSmallIntegerField(_("percent off"), null=True, blank=True)
    max_off = models.PositiveBigIntegerField(_("at most off (fen)"), null=True, blank=True)
    min_spend = models.PositiveBigIntegerField(_("minimum spend (fen)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, default=DEFAULT_CURRENCY)
    starts_at = models.DateTimeField(_("valid from"))
    ends_at = models.DateTimeField(_("valid until"))
    total_count = models.PositiveIntegerField(_("how many"))
    # Raised only by conditional UPDATEs that keep claimed ≤ total (the CHECK backs it).
    claimed_count = models.PositiveIntegerField(_("claimed"), default=0)
    redeemed_count = models.PositiveIntegerField(_("redeemed"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        ordering = ["-id"]
        indexes = [models.Index(fields=["merchant", "-id"], name="shop_coupon_merchant")]
        constraints = [
            models.CheckConstraint(
                condition=Q(claimed_count__lte=models.F("total_count")),
                name="shop_coupon_claims_within_count",
            ),
            models.CheckConstraint(
                condition=Q(redeemed_count__lte=models.F("claimed_count")),
                name="shop_coupon_redeemed_within_claims",
            ),
            models.CheckConstraint(
                condition=(Q(kind="amount") & Q(amount_off__gt=0))
                | (Q(kind="percent") & Q(percent_off__gte=1) & Q(percent_off__lte=99)),
                name="shop_coupon_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="shop_coupon_dates"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def discount_for(self, subtotal: int) -> int:
        """What it takes off an order whose lines come to ``subtotal`` (0 below min spend)."""
        if subtotal < self.min_spend or subtotal <= 0:
            return 0
        if self.kind == self.Kind.AMOUNT:
            off = self.amount_off or 0
        else:
            off = subtotal * (self.percent_off or 0) // 100
            if self.max_off is not None:
                off = min(off, self.max_off)
        # An order always costs something: at most all but one fen off.
        return max(0, min(off, subtotal - 1))


class CouponClaim(models.Model):
    """A person's claim of a coupon (from a campaign's message, or the shop); redeemed by one
    order, and given back if that order is cancelled or refunded while the coupon is valid."""

    coupon = models.ForeignKey(
        Coupon, on_delete=models.CASCADE, related_name="claims", verbose_name=_("coupon")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    # The campaign it was claimed from (messaging's; no FK).
    campaign_id = models.BigIntegerField(_("campaign ID"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    order_id = models.BigIntegerField(_("order ID"), null=True, blank=True)
    redeemed_at = models.DateTimeField(_("redeemed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("coupon claim")
        verbose_name_plural = _("coupon claims")
        constraints = [
            models.UniqueConstraint(fields=["coupon", "person"], name="shop_couponclaim_once")
        ]
        indexes = [
            models.Index(
                fields=["person", "coupon"],
                condition=Q(order_id__isnull=True),
                name="shop_couponclaim_unused",
            )
        ]


class PostProduct(models.Model):
    """A product card carried by a social post."""

    post = models.OneToOneField(
        "social.Post", on_delete=models.CASCADE, related_name="product_card", verbose_name=_("post")
    )
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )

    class Meta:
        verbose_name = _("post product")
        verbose_name_plural = _("post products")

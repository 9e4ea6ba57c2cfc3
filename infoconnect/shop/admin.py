from django.contrib import admin, messages
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from infoconnect.core.errors import DomainError
from infoconnect.core.money import format_money
from infoconnect.shop import actions
from infoconnect.shop.actions import reviews as review_actions
from infoconnect.shop.models import (
    Category,
    Order,
    OrderEvent,
    OrderLine,
    Product,
    ProductImage,
    RefundRequest,
    Review,
    ReviewPhoto,
    Sku,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


SKU_FIELDS_BUT_STOCK = [
    field.name for field in Sku._meta.concrete_fields if field.name not in ("id", "stock")
]


class SkuFormSet(BaseInlineFormSet):
    """Saves a SKU without its stock: a whole-row save would write back the stock read when
    the form was loaded over the units sold since (stock changes only through actions.py)."""

    def save_existing(self, form, obj, commit=True):
        sku = form.save(commit=False)
        if commit:
            sku.save(update_fields=SKU_FIELDS_BUT_STOCK)
        return sku


class SkuInline(admin.TabularInline):
    model = Sku
    formset = SkuFormSet
    extra = 0
    readonly_fields = ["stock"]


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    readonly_fields = ["image", "thumbnail"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["title", "merchant", "category", "status", "created_at"]
    list_filter = ["status", "category"]
    search_fields = ["title", "merchant__username"]
    raw_id_fields = ["merchant"]
    inlines = [SkuInline, ProductImageInline]


class ReviewPhotoInline(admin.TabularInline):
    model = ReviewPhoto
    extra = 0
    can_delete = False
    fields = ["photo", "position"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("photo"))
    def photo(self, photo: ReviewPhoto) -> str:
        return format_html(
            '<a href="{}" target="_blank"><img src="{}" height="80" alt=""></a>',
            photo.image.url,
            photo.thumbnail.url,
        )


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """What the operator moderates: a review is read here and hidden (or shown again) with
    the actions; its words and stars are the buyer's, never edited by the platform."""

    list_display = ["id", "product", "buyer", "rating", "short_text", "hidden", "created_at"]
    list_select_related = ["product", "buyer"]
    list_filter = ["hidden", "rating"]
    search_fields = ["=id", "=product__id", "buyer__username", "text"]
    fields = [
        "product",
        "order",
        "buyer",
        "rating",
        "text",
        "reply",
        "replied_at",
        "hidden",
        "hidden_by",
        "created_at",
        "edited_at",
    ]
    readonly_fields = fields
    inlines = [ReviewPhotoInline]
    actions = ["hide_reviews", "show_reviews"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Read-only pages: hiding goes through the actions, one conditional update.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("review"))
    def short_text(self, review: Review) -> str:
        return review.text[:80]

    def _set_hidden(self, request, queryset, hidden: bool) -> None:
        try:
            changed = review_actions.set_reviews_hidden(
                operator=request.user,
                review_ids=queryset.values_list("pk", flat=True),
                hidden=hidden,
            )
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        message = (
            ngettext("%(n)d review hidden.", "%(n)d reviews hidden.", changed)
            if hidden
            else ngettext("%(n)d review shown again.", "%(n)d reviews shown again.", changed)
        )
        self.message_user(request, message % {"n": changed}, messages.SUCCESS)

    @admin.action(description=_("Hide the selected reviews (abusive)"), permissions=["view"])
    def hide_reviews(self, request, queryset) -> None:
        self._set_hidden(request, queryset, True)

    @admin.action(description=_("Show the selected reviews again"), permissions=["view"])
    def show_reviews(self, request, queryset) -> None:
        self._set_hidden(request, queryset, False)


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = ["sku", "product", "title", "attributes", "shown_unit_price", "quantity"]
    readonly_fields = fields

    @admin.display(description=_("unit price"))
    def shown_unit_price(self, line: OrderLine) -> str:
        return format_money(line.unit_price, line.order.currency)


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "actor", "kind", "from_state", "to_state", "note"]


_SHOWN_MONEY = {"total": "shown_total", "commission": "shown_commission"}


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["id", "buyer", "merchant", "state", "shown_total", "campaign_id", "created_at"]
    list_select_related = ["buyer", "merchant"]
    # The dashboard's "GMV today" opens this list filtered by the day the orders were paid.
    list_filter = ["state", ("paid_at", admin.DateFieldListFilter)]
    search_fields = ["=id", "buyer__username", "merchant__username", "tracking_number"]
    inlines = [OrderLineInline, OrderEventInline]
    # Orders change only through the lifecycle actions, never by hand; money shows as ¥12.34.
    fields = [_SHOWN_MONEY.get(field.name, field.name) for field in Order._meta.fields]
    readonly_fields = fields

    @admin.display(description=_("total"), ordering="total")
    def shown_total(self, order: Order) -> str:
        return format_money(order.total, order.currency)

    @admin.display(description=_("commission"))
    def shown_commission(self, order: Order) -> str:
        return format_money(order.commission, order.currency)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# The order's events a dispute page shows: the refund's, with each side's notes.
REFUND_EVENT_KINDS = [
    kind for kind in OrderEvent.KIND_LABELS if "refund" in kind or "return" in kind
]


@admin.register(RefundRequest)
class RefundRequestAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "order",
        "kind",
        "shown_amount",
        "order_total",
        "state",
        "decision",
        "created_at",
        "decided_at",
    ]
    list_select_related = ["order"]
    list_filter = ["state", "kind"]
    search_fields = ["=order__id", "order__buyer__username", "return_tracking"]
    readonly_fields = [
        "order",
        "buyer",
        "merchant",
        "order_total",
        "order_lines",
        "order_tracking",
        "kind",
        "shown_amount",
        "asked_lines",
        "reason",
        "buyer_photos",
        "state",
        "merchant_note",
        "merchant_photos",
        "shown_return_address",
        "return_tracking_shown",
        "refund_history",
        "decision",
        "operator",
        "created_at",
        "answered_at",
        "decided_at",
        "refunded_at",
    ]
    fields = readonly_fields + ["operator_note"]
    actions = ["decide_refund_buyer", "decide_keep_sale"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("order__buyer", "order__merchant")
            .prefetch_related("order__lines", "evidence")
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("order total"))
    def order_total(self, refund: RefundRequest) -> str:
        return format_money(refund.order.total, refund.order.currency)

    @admin.display(description=_("asks back"))
    def shown_amount(self, refund: RefundRequest) -> str:
        return format_money(refund.amount, refund.order.currency)

    @admin.display(description=_("buyer"))
    def buyer(self, refund: RefundRequest) -> str:
        return str(refund.order.buyer)

    @admin.display(description=_("merchant"))
    def merchant(self, refund: RefundRequest) -> str:
        return str(refund.order.merchant)

    @admin.display(description=_("order lines"))
    def order_lines(self, refund: RefundRequest) -> str:
        currency = refund.order.currency
        return format_html_join(
            mark_safe("<br>"),
            "{} {} × {} = {}",
            (
                (line.title, line.label, line.quantity, format_money(line.line_total, currency))
                for line in refund.order.lines.all()
            ),
        )

    @admin.display(description=_("items asked back"))
    def asked_lines(self, refund: RefundRequest) -> str:
        bought = {line.pk: line for line in refund.order.lines.all()}
        return format_html_join(
            mark_safe("<br>"),
            "{} × {}",
            ((bought[i["line"]].title, i["quantity"]) for i in refund.lines if i["line"] in bought),
        ) or _("The whole order, or an amount")

    @admin.display(description=_("shipped with"))
    def order_tracking(self, refund: RefundRequest) -> str:
        order = refund.order
        return f"{order.carrier} {order.tracking_number}".strip() or "-"

    @admin.display(description=_("return address"))
    def shown_return_address(self, refund: RefundRequest) -> str:
        a = refund.return_address or {}
        return (
            " ".join(
                str(a.get(k, ""))
                for k in ("recipient_name", "mobile", "city", "district", "street")
            ).strip()
            or "-"
        )

    @admin.display(description=_("sent back with"))
    def return_tracking_shown(self, refund: RefundRequest) -> str:
        return f"{refund.return_carrier} {refund.return_tracking}".strip() or "-"

    def _photos(self, refund: RefundRequest, person_id: int) -> str:
        return (
            format_html_join(
                " ",
                '<a href="{}" target="_blank" rel="noopener"><img src="{}" width="120" alt=""></a>',
                (
                    (photo.image.url, photo.thumbnail.url)
                    for photo in refund.evidence.all()
                    if photo.uploaded_by_id == person_id
                ),
            )
            or "-"
        )

    @admin.display(description=_("buyer's photos"))
    def buyer_photos(self, refund: RefundRequest) -> str:
        return self._photos(refund, refund.order.buyer_id)

    @admin.display(description=_("merchant's photos"))
    def merchant_photos(self, refund: RefundRequest) -> str:
        return self._photos(refund, refund.order.merchant_id)

    @admin.display(description=_("what each side said"))
    def refund_history(self, refund: RefundRequest) -> str:
        events = OrderEvent.objects.filter(
            order_id=refund.order_id, kind__in=REFUND_EVENT_KINDS, created_at__gte=refund.created_at
        ).select_related("actor")
        return (
            format_html_join(
                mark_safe("<br>"),
                "{} — {} ({}){}",
                (
                    (
                        localtime(event.created_at).strftime("%Y-%m-%d %H:%M"),
                        event.label,
                        event.actor.username if event.actor_id else _("the platform"),
                        f": {event.note}" if event.note else "",
                    )
                    for event in events
                ),
            )
            or "-"
        )

    def _decision_pressed(self, request) -> str | None:
        return next((d for name, d in self.DECISION_BUTTONS.items() if name in request.POST), None)

    def save_model(self, request, obj: RefundRequest, form, change) -> None:
        # A decision writes the note with itself, or nothing if it fails.
        if self._decision_pressed(request) is not None:
            return
        # Only the note: a whole-row save would write back the state read when the page was
        # opened over a merchant's answer or a decision made since.
        obj.save(update_fields=["operator_note"])

    def log_change(self, request, obj, message):
        # A decision is logged by _decide once it is made: a refused one is no change.
        if self._decision_pressed(request) is None:
            return super().log_change(request, obj, message)
        return None

    # The change page's decision buttons, and the decision each makes.
    DECISION_BUTTONS = {
        "_decide_refund": RefundRequest.Decision.REFUND,
        "_decide_reject": RefundRequest.Decision.REJECT,
    }

    def response_change(self, request, obj: RefundRequest):
        decision = self._decision_pressed(request)
        if decision is None:
            return super().response_change(request, obj)
        self._decide(request, [(obj.pk, obj.operator_note)], decision)
        return HttpResponseRedirect(request.path)

    def _decide(self, request, refunds: list[tuple[int, str]], decision: str) -> None:
        done = 0
        label = str(RefundRequest.Decision(decision).label)
        for refund_id, note in refunds:
            try:
                refund = actions.decide_refund(
                    operator=request.user, refund_id=refund_id, decision=decision, note=note
                )
            except DomainError as error:
                self.message_user(
                    request,
                    _("Refund request %(id)s: %(error)s") % {"id": refund_id, "error": error},
                    messages.ERROR,
                )
                continue
            done += 1
            admin.ModelAdmin.log_change(self, request, refund, _("Decided: %s") % label)
        if done:
            self.message_user(
                request,
                ngettext("%(n)d dispute decided.", "%(n)d disputes decided.", done) % {"n": done},
                messages.SUCCESS,
            )

    def _decide_selected(self, request, queryset, decision: str) -> None:
        self._decide(
            request, list(queryset.order_by("pk").values_list("pk", "operator_note")), decision
        )

    @admin.action(description=_("Decide dispute: refund the buyer"))
    def decide_refund_buyer(self, request, queryset) -> None:
        self._decide_selected(request, queryset, RefundRequest.Decision.REFUND)

    @admin.action(description=_("Decide dispute: keep the sale"))
    def decide_keep_sale(self, request, queryset) -> None:
        self._decide_selected(request, queryset, RefundRequest.Decision.REJECT)

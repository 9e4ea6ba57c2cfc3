from django.contrib import admin, messages
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.utils.html import format_html
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
            '<a href="{}" target="_blank"><img src="{}" style="max-height:80px"></a>',
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
    list_filter = ["state"]
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


@admin.register(RefundRequest)
class RefundRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "order", "order_total", "state", "decision", "created_at", "decided_at"]
    list_select_related = ["order"]
    list_filter = ["state"]
    search_fields = ["=order__id"]
    readonly_fields = [
        "order",
        "order_total",
        "reason",
        "state",
        "merchant_note",
        "decision",
        "operator",
        "created_at",
        "answered_at",
        "decided_at",
    ]
    fields = readonly_fields + ["operator_note"]
    actions = ["decide_refund_buyer", "decide_keep_sale"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("order total"))
    def order_total(self, refund: RefundRequest) -> str:
        return format_money(refund.order.total, refund.order.currency)

    def save_model(self, request, obj: RefundRequest, form, change) -> None:
        # Only the note: a whole-row save would write back the state read when the page was
        # opened over a merchant's answer or a decision made since.
        obj.save(update_fields=["operator_note"])

    # The change page's decision buttons, and the decision each makes.
    DECISION_BUTTONS = {
        "_decide_refund": RefundRequest.Decision.REFUND,
        "_decide_reject": RefundRequest.Decision.REJECT,
    }

    def response_change(self, request, obj: RefundRequest):
        decision = next(
            (d for name, d in self.DECISION_BUTTONS.items() if name in request.POST), None
        )
        if decision is None:
            return super().response_change(request, obj)
        self._decide(request, RefundRequest.objects.filter(pk=obj.pk), decision)
        return HttpResponseRedirect(request.path)

    def _decide(self, request, queryset, decision: str) -> None:
        done = 0
        for refund in queryset.order_by("pk"):
            try:
                actions.decide_refund(
                    operator=request.user,
                    refund_id=refund.pk,
                    decision=decision,
                    note=refund.operator_note,
                )
                done += 1
            except DomainError as error:
                self.message_user(
                    request,
                    _("Refund request %(id)s: %(error)s") % {"id": refund.pk, "error": error},
                    messages.ERROR,
                )
        if done:
            self.message_user(
                request,
                ngettext("%(n)d dispute decided.", "%(n)d disputes decided.", done) % {"n": done},
                messages.SUCCESS,
            )

    @admin.action(description=_("Decide dispute: refund the buyer"))
    def decide_refund_buyer(self, request, queryset) -> None:
        self._decide(request, queryset, RefundRequest.Decision.REFUND)

    @admin.action(description=_("Decide dispute: keep the sale"))
    def decide_keep_sale(self, request, queryset) -> None:
        self._decide(request, queryset, RefundRequest.Decision.REJECT)

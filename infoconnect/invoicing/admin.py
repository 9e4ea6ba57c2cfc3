from django.contrib import admin

from infoconnect.invoicing.models import Invoice, InvoiceLine, InvoiceTitle, InvoicingSetting


@admin.register(InvoiceTitle)
class InvoiceTitleAdmin(admin.ModelAdmin):
    list_display = ("name", "company", "taxpayer_id", "general_taxpayer", "verified_at")
    search_fields = ("name", "taxpayer_id")
    raw_id_fields = ("company", "created_by")


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False
    readonly_fields = (
        "position", "name", "spec", "unit", "quantity", "amount", "net", "tax", "tax_rate",
    )  # fmt: skip
    fields = readonly_fields


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    """For the operator to look up: invoices change only through their lifecycle."""

    list_display = ("pk", "number", "company", "merchant", "kind", "scope", "state", "total")
    list_filter = ("state", "kind", "scope")
    search_fields = ("number",)
    inlines = [InvoiceLineInline]
    readonly_fields = [f.name for f in Invoice._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(InvoicingSetting)
class InvoicingSettingAdmin(admin.ModelAdmin):
    list_display = ("merchant", "company", "mode", "updated_at")
    raw_id_fields = ("merchant", "company")

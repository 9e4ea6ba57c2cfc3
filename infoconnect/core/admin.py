from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from infoconnect.core.models import PlatformSettings


@admin.register(PlatformSettings)
class PlatformSettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        (
            _("Messaging programme"),
            {
                "fields": [
                    "marketing_cap_messages",
                    "marketing_cap_days",
                    "campaigns_per_day",
                    "spam_report_threshold_permille",
                    "spam_report_min_reports",
                    "price_per_message_fen",
                    "new_conversations_per_hour",
                ]
            },
        ),
        (
            _("Shop and escrow"),
            {
                "fields": [
                    "commission_basis_points",
                    "auto_confirm_days",
                    "unpaid_order_minutes",
                    "refund_window_days",
                ]
            },
        ),
        (
            _("Top-up limits"),
            {
                "fields": [
                    "topup_daily_amount_person",
                    "topup_daily_count_person",
                    "topup_daily_amount_merchant",
                    "topup_daily_count_merchant",
                    "topup_daily_amount_company",
                    "topup_daily_count_company",
                ]
            },
        ),
    ]

    def has_add_permission(self, request):
        return not PlatformSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

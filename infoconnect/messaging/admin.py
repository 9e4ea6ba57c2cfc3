from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from infoconnect.core.dashboard import window_start
from infoconnect.core.errors import DomainError
from infoconnect.messaging import actions
from infoconnect.messaging.models import Campaign, Enrolment


class EnrolmentForm(forms.ModelForm):
    class Meta:
        model = Enrolment
        fields = ["merchant", "note"]

    def clean_merchant(self):
        merchant = self.cleaned_data["merchant"]
        # Refused here, on the form, so the admin never reports an enrolment it did not make.
        if not (merchant.is_merchant and merchant.is_verified_merchant):
            raise forms.ValidationError(
                _("Only a verified merchant can be enrolled in the messaging programme.")
            )
        return merchant


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    form = EnrolmentForm
    list_display = ["merchant", "status", "enrolled_at", "suspended_at", "note"]
    list_filter = ["status"]
    search_fields = ["merchant__username", "merchant__merchant_profile__shop_name"]
    raw_id_fields = ["merchant"]
    readonly_fields = ["status", "enrolled_at", "suspended_at"]
    actions = ["enrol", "suspend"]

    @admin.action(description=_("Enrol (or reinstate) the selected merchants"))
    def enrol(self, request, queryset):
        done = 0
        for enrolment in queryset.select_related("merchant"):
            try:
                actions.enrol_merchant(merchant=enrolment.merchant, note="")
                done += 1
            except DomainError as error:
                self.message_user(request, f"{enrolment.merchant}: {error.message}", messages.ERROR)
        self.message_user(request, _("%(n)d merchants enrolled.") % {"n": done})

    @admin.action(description=_("Suspend the selected merchants"))
    def suspend(self, request, queryset):
        done = sum(
            actions.suspend_merchant(merchant_id=e.merchant_id, note="Suspended by an operator.")
            for e in queryset
        )
        self.message_user(request, _("%(n)d merchants suspended.") % {"n": done})

    def save_model(self, request, obj, form, change):
        # Enrolling goes through the action (the form has checked the merchant).
        if not change:
            enrolment = actions.enrol_merchant(merchant=obj.merchant, note=obj.note)
            obj.pk = enrolment.pk
            return
        super().save_model(request, obj, form, change)


class SpamReportsFilter(admin.SimpleListFilter):
    """Campaigns people reported as spam: those the dashboard counts (made in its 30 days), or
    any ever."""

    title = _("spam reports")
    parameter_name = "spam_reports"

    def lookups(self, request, model_admin):
        return [("recent", _("Reported, last 30 days")), ("any", _("Reported, ever"))]

    def queryset(self, request, queryset):
        if self.value() == "recent":
            return queryset.filter(reported__gt=0, created_at__gte=window_start())
        if self.value() == "any":
            return queryset.filter(reported__gt=0)
        return queryset


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "merchant",
        "state",
        "scheduled_at",
        "targeted",
        "delivered",
        "read",
        "clicked",
        "reported",
    ]
    list_filter = ["state", "failure_code", SpamReportsFilter]
    list_select_related = ["merchant"]
    search_fields = ["title", "merchant__username", "merchant__display_name"]
    actions = ["pause", "resume"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Pause sending the selected campaigns"))
    def pause(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        paused = actions.pause_campaigns(campaign_ids=ids)
        self.message_user(request, _("%(n)d campaigns paused.") % {"n": paused})

    @admin.action(description=_("Resume sending the selected campaigns"))
    def resume(self, request, queryset):
        """Paused campaigns send on; sending ones a lost worker left are queued again."""
        ids = list(queryset.values_list("pk", flat=True))
        stalled = actions.requeue_sending(campaign_ids=ids)
        resumed = actions.resume_campaigns(campaign_ids=ids)
        queued = stalled + resumed
        self.message_user(request, _("%(n)d campaigns queued.") % {"n": queued})

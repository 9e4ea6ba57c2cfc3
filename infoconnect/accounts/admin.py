from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from infoconnect.accounts import actions
from infoconnect.accounts.models import AccessToken, MerchantProfile, User
from infoconnect.core.errors import DomainError


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username",)


class UserChangeAdminForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = UserCreationAdminForm
    form = UserChangeAdminForm
    list_display = (
        "username",
        "display_name",
        "email",
        "kind",
        "is_verified_merchant",
        "is_staff",
        "date_joined",
    )
    list_filter = ("kind", "is_verified_merchant", "is_staff", "is_active")
    search_fields = ("username", "display_name", "email")
    ordering = ("-date_joined",)
    # The badge follows the merchant review; it is changed only through that review.
    readonly_fields = (
        "is_verified_merchant",
        "followers_count",
        "following_count",
        "posts_count",
        "last_login",
        "date_joined",
    )
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Profile"),
            {
                "fields": (
                    "display_name",
                    "email",
                    "bio",
                    "region",
                    "avatar",
                    "avatar_thumb",
                    "message_policy",
                )
            },
        ),
        (_("Account kind"), {"fields": ("kind", "is_verified_merchant")}),
        (_("Counts"), {"fields": ("followers_count", "following_count", "posts_count")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )


def _review(modeladmin, request, queryset, *, verified: bool) -> None:
    action = actions.verify_merchant if verified else actions.reject_merchant
    done = 0
    for profile_id in queryset.order_by("pk").values_list("pk", flat=True):
        try:
            action(operator=request.user, profile_id=profile_id)
        except DomainError as error:
            modeladmin.message_user(request, error.message, messages.ERROR)
            return
        done += 1
    if verified:
        text = ngettext("%d merchant verified.", "%d merchants verified.", done) % done
    else:
        text = ngettext("%d merchant rejected.", "%d merchants rejected.", done) % done
    modeladmin.message_user(request, text, messages.SUCCESS)


@admin.register(MerchantProfile)
class MerchantProfileAdmin(admin.ModelAdmin):
    list_display = (
        "shop_name",
        "user",
        "company_name",
        "business_license_number",
        "contact_phone",
        "status",
        "applied_at",
        "reviewed_at",
    )
    list_filter = ("status",)
    search_fields = ("shop_name", "company_name", "business_license_number", "user__username")
    list_select_related = ("user",)
    ordering = ("-applied_at",)
    raw_id_fields = ("user",)
    # Status changes go through the actions so the user's badge stays consistent.
    readonly_fields = ("status", "applied_at", "reviewed_at")
    actions = ("verify_selected", "reject_selected")

    @admin.action(description=_("Verify selected merchants"))
    def verify_selected(self, request, queryset):
        _review(self, request, queryset, verified=True)

    @admin.action(description=_("Reject selected merchants"))
    def reject_selected(self, request, queryset):
        _review(self, request, queryset, verified=False)


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "hint", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "hint")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = ("key_hash", "hint", "created_at", "last_used_at", "revoked_at")

    def has_add_permission(self, request):
        # A key is only ever shown to its owner, at creation on the settings page.
        return False

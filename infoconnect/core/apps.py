from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "infoconnect.core"
    label = "core"
    verbose_name = _("Platform")


class OperatorAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the site that opens with the operator's dashboard."""

    default_site = "infoconnect.core.admin_site.OperatorAdminSite"
    # Named in INSTALLED_APPS in the admin's place: "infoconnect.core" still means CoreConfig.
    default = False

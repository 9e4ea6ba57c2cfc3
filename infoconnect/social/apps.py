from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from infoconnect.core.context_processors import register_header_provider


class SocialConfig(AppConfig):
    name = "infoconnect.social"
    label = "social"
    verbose_name = _("Social")

    def ready(self) -> None:
        # Views need the app registry, so they load here rather than at import (Django's way).
        from infoconnect.social.views import header_values

        register_header_provider(header_values)

        from infoconnect.core import sweeps
        from infoconnect.social import media

        sweeps.register_due_job("media.stale", app_label="social", sweep=media.sweep_stale_media)

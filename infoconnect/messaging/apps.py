from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "infoconnect.messaging"
    label = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        from infoconnect.core.context_processors import register_header_provider
        from infoconnect.messaging.views import header_links

        register_header_provider(header_links)

        from infoconnect.messaging.selectors import campaign_reached
        from infoconnect.shop.attribution import register_campaign_check

        register_campaign_check(campaign_reached)

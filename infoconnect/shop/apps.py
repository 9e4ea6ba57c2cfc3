from django.apps import AppConfig

from infoconnect.core.context_processors import register_header_provider


class ShopConfig(AppConfig):
    name = "infoconnect.shop"
    label = "shop"

    def ready(self) -> None:
        # Views need the app registry, so they load here rather than at import (Django's way).
        from infoconnect.shop.views import shop_header

        register_header_provider(shop_header)

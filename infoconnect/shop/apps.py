from django.apps import AppConfig

from infoconnect.core.context_processors import register_header_provider


class ShopConfig(AppConfig):
    name = "infoconnect.shop"
    label = "shop"

    def ready(self) -> None:
        # Views need the app registry, so they load here rather than at import (Django's way).
        from infoconnect.shop.actions.coupons import on_order_moved
        from infoconnect.shop.signals import order_moved
        from infoconnect.shop.views import shop_header

        register_header_provider(shop_header)
        # An order undone gives its coupon back, in the transaction that moved it.
        order_moved.connect(on_order_moved, dispatch_uid="shop_coupon_give_back")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from infoconnect.core.context_processors import register_header_provider


class ShopConfig(AppConfig):
    name = "infoconnect.shop"
    label = "shop"
    verbose_name = _("Shop")

    def ready(self) -> None:
        # Views need the app registry, so they load here rather than at import (Django's way).
        from infoconnect.core import sweeps
        from infoconnect.shop import notifications, signals
        from infoconnect.shop.views import shop_header

        register_header_provider(shop_header)
        # Buyers and merchants hear of their orders' moves; the reminder's sweep runs with the
        # others (under social's label: it writes notifications, not moves).
        signals.order_moved.connect(notifications.on_order_moved, dispatch_uid="notify-order")
        signals.refund_moved.connect(notifications.on_refund_moved, dispatch_uid="notify-refund")
        sweeps.register_due_job(
            "notification.auto_confirm_reminder",
            app_label="social",
            sweep=notifications.remind_due_auto_confirms,
        )

        from infoconnect.shop.actions.payments import lock_order_for_topup, pay_order_from_topup
        from infoconnect.wallet.signals import order_topup_arriving, order_topup_credited

        order_topup_arriving.connect(lock_order_for_topup, dispatch_uid="shop_pay_lock")
        order_topup_credited.connect(pay_order_from_topup, dispatch_uid="shop_pay_from_topup")

        from infoconnect.shop.actions.coupons import on_order_moved

        # An order undone gives its coupon back, in the transaction that moved it.
        signals.order_moved.connect(on_order_moved, dispatch_uid="shop_coupon_give_back")

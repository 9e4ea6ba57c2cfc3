from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "infoconnect.shop"
    label = "shop"

    def ready(self) -> None:
        from infoconnect.core.context_processors import register_header_provider

        register_header_provider(shop_header)


def shop_header(request) -> dict:
    from django.urls import reverse
    from django.utils.functional import SimpleLazyObject
    from django.utils.translation import gettext as _

    from infoconnect.shop.selectors import cart_count

    user = request.user
    links = [
        {
            "url": reverse("shop:browse"),
            "id": "nav-shop",
            "label": _("Shop"),
            # Counted only when a page draws the header, not for every fragment.
            "badge": SimpleLazyObject(lambda: cart_count(person=user) or None),
        },
        {"url": reverse("shop:orders"), "id": "nav-orders", "label": _("Orders")},
    ]
    if request.user.is_verified_merchant:
        links.append(
            {"url": reverse("shop:merchant_products"), "id": "nav-sell", "label": _("Sell")}
        )
    return {"header_links": links}

from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "infoconnect.shop"
    label = "shop"

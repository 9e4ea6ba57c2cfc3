from django.apps import AppConfig


class WalletConfig(AppConfig):
    name = "infoconnect.wallet"
    label = "wallet"

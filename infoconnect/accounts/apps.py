from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "infoconnect.accounts"
    label = "accounts"

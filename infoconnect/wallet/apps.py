from django.apps import AppConfig


class WalletConfig(AppConfig):
    name = "infoconnect.wallet"
    label = "wallet"

    def ready(self) -> None:
        from infoconnect.core.context_processors import register_header_provider
        from infoconnect.wallet.views import wallet_header

        register_header_provider(wallet_header)

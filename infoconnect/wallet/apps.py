from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WalletConfig(AppConfig):
    name = "infoconnect.wallet"
    label = "wallet"
    verbose_name = _("Wallet")

    def ready(self) -> None:
        from django.core import checks

        from infoconnect.core.context_processors import register_header_provider
        from infoconnect.wallet.checks import check_payment_providers
        from infoconnect.wallet.views import wallet_header

        register_header_provider(wallet_header)
        # Not deploy-only: runserver and serve refuse to start with it too.
        checks.register(check_payment_providers, checks.Tags.security, deploy=False)

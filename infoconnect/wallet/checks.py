"""Start-up checks: with DEBUG off, an enabled payment provider must have real keys.

Registered without the deploy tag, so ``manage.py check --deploy``, ``runserver`` and
``serve`` all run them: a site whose provider cannot verify notifications, or whose sandbox
signs with the secret printed in the source, does not start.
"""

from django.conf import settings
from django.core.checks import Error, Warning

from infoconnect.wallet.providers import _PROVIDERS, enabled_providers, sandbox_enabled

DEVELOPMENT_SANDBOX_SECRET = "sandbox-development-secret"


def check_payment_providers(app_configs=None, **kwargs) -> list:
    if settings.DEBUG:
        return []
    problems = []
    for name in settings.WALLET_PROVIDERS:
        if name not in _PROVIDERS:
            problems.append(
                Error(
                    f"WALLET_PROVIDERS names {name!r}, which is not a payment provider",
                    hint=f"Known providers: {', '.join(sorted(_PROVIDERS))}.",
                    id="wallet.E001",
                )
            )
    if sandbox_enabled():
        secret = settings.WALLET_SANDBOX_SECRET
        if not secret or secret == DEVELOPMENT_SANDBOX_SECRET:
            problems.append(
                Error(
                    "The sandbox payment provider is enabled with the development secret, "
                    "so anyone can sign its notifications",
                    hint="Set WALLET_SANDBOX_SECRET to a long random value, or turn "
                    "WALLET_SANDBOX_ENABLED off.",
                    id="wallet.E002",
                )
            )
    for name in enabled_providers():
        for problem in _PROVIDERS[name].configuration_problems():
            problems.append(
                Error(
                    f"Payment provider {name!r} is enabled but {problem}",
                    hint="See the README's Payment providers section.",
                    id="wallet.E003",
                )
            )
    if not enabled_providers():
        problems.append(
            Warning(
                "No payment provider is enabled: nobody can top up a wallet",
                hint="Configure Alipay or WeChat Pay (README, Payment providers).",
                id="wallet.W001",
            )
        )
    return problems

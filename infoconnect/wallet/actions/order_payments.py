"""Pay in one step: the top-up that fills exactly what the wallet lacks to pay an order.

The payer chooses the channel (WeChat Pay or Alipay); the provider sends them back to the
order. When the provider's success credits the top-up (topups.complete_topup), the order's app
pays the order from the wallet in the same transaction (signals.py), so the ledger shows the
top-up and the order payment, each once. A top-up still waiting for the same order, amount and
channel is the one the payer is sent back to, rather than a second one.
"""

from infoconnect.core.errors import DomainError
from infoconnect.wallet.actions.topups import start_topup
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.models import Payment
from infoconnect.wallet.providers import DEFAULT_PROVIDER, choose_provider

# The channels a payer may choose for an order (a plain top-up leaves it to the provider).
ORDER_CHANNELS = (Payment.Channel.WECHAT.value, Payment.Channel.ALIPAY.value)


def check_channel(channel: str) -> None:
    if channel not in ORDER_CHANNELS:
        raise DomainError(WalletError.INVALID_CHANNEL)


def start_order_topup(
    *,
    user_id: int,
    order_id: int,
    amount: int,
    currency: str,
    channel: str,
    return_url: str,
    provider: str = DEFAULT_PROVIDER,
) -> Payment:
    """Open the top-up of ``amount`` (what the wallet lacks) that pays ``order_id`` once the
    provider confirms it, or the one still waiting for the same order, amount and channel.

    As start_topup, the provider is asked before anything is written.
    """
    check_channel(channel)
    provider = choose_provider(provider, channel)
    waiting = (
        Payment.objects.filter(
            user_id=user_id,
            order_id=order_id,
            amount=amount,
            currency=currency,
            channel=channel,
            provider=provider,
            status=Payment.Status.PENDING,
        )
        .order_by("-pk")
        .first()
    )
    if waiting is not None:
        return waiting
    return start_topup(
        user_id=user_id,
        amount=amount,
        currency=currency,
        provider=provider,
        order_id=order_id,
        channel=channel,
        return_url=return_url,
    )

"""Pay in one step (the order page's and checkout's "Pay ¥X"): the wallet pays when it covers
the total; otherwise the provider collects exactly what it lacks, and the order is paid from
the wallet when the provider's success credits that top-up, in the same transaction (the
receivers of the wallet's signals below). A top-up that arrives when the order can no longer
be paid (expired, cancelled, already paid) stays in the wallet.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.shop.actions.orders import buyer_order, pay_order
from infoconnect.shop.errors import ShopError
from infoconnect.shop.lifecycle import orders
from infoconnect.shop.models import Order
from infoconnect.wallet import actions as wallet_actions
from infoconnect.wallet.models import Payment
from infoconnect.wallet.selectors import balance_of

# The idempotency scope of a pay-in-one-step request, web form or API.
PAY_IN_ONE_STEP_SCOPE = "shop.pay_in_one_step"


@dataclass(frozen=True)
class OneStepPayment:
    """What "Pay ¥X" did: paid the order from the wallet (``topup`` None), or opened the
    provider's payment of the shortfall, which the payer finishes at ``topup.redirect_url``."""

    order: Order
    topup: Payment | None


def payable_order(buyer: User, order_id: int) -> Order:
    """The buyer's order if it can still be paid (else the reason, as an error)."""
    order = buyer_order(buyer, order_id)
    if not orders.allows(order, "pay"):
        raise DomainError(ShopError.INVALID_STATE)
    if order.expires_at <= timezone.now():
        raise DomainError(ShopError.ORDER_EXPIRED)
    return order


def pay_in_one_step(
    *, buyer: User, order_id: int, channel: str = "", return_url: str = ""
) -> OneStepPayment:
    """Pay the order from the wallet if it covers the total, else open a top-up of exactly
    the shortfall through ``channel`` ("wechat" or "alipay"), whose provider sends the buyer
    back to ``return_url``. Not atomic as a whole: the provider is asked outside any lock."""
    if channel:
        wallet_actions.check_channel(channel)
    order = payable_order(buyer, order_id)
    balance = balance_of(user_id=buyer.pk, currency=order.currency)
    if balance >= order.total:
        return OneStepPayment(order=pay_order(buyer=buyer, order_id=order.pk), topup=None)
    topup = wallet_actions.start_order_topup(
        user_id=buyer.pk,
        order_id=order.pk,
        amount=order.total - balance,
        currency=order.currency,
        channel=channel,
        return_url=return_url,
    )
    return OneStepPayment(order=order, topup=topup)


def lock_order_for_topup(sender, *, payment: Payment, **kwargs) -> None:
    """Receiver of wallet.signals.order_topup_arriving: the order's row is locked before the
    top-up's ledger rows, as paying from the wallet locks them, so the two never deadlock."""
    list(Order.objects.select_for_update().filter(pk=payment.order_id).values_list("pk"))


def pay_order_from_topup(sender, *, payment: Payment, **kwargs) -> None:
    """Receiver of wallet.signals.order_topup_credited: the top-up is in the wallet, so the
    wallet pays its order; if the order can no longer be paid (or the wallet no longer covers
    it) nothing but the top-up is written, and the money stays in the wallet."""
    buyer = User.objects.filter(pk=payment.user_id).first()
    if buyer is None:
        return
    try:
        with transaction.atomic():
            pay_order(buyer=buyer, order_id=payment.order_id)
    except DomainError:
        pass

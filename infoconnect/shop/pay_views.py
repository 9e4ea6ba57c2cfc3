"""The order page's pay area: "Pay ¥X" in one step (the wallet, or the provider for what it
lacks), and the small status fragment the page polls while the provider's answer is awaited.
Checkout's "Pay ¥X now" ends here too."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from infoconnect.core.idempotency import form_once
from infoconnect.shop import actions, lifecycle, selectors, stepper
from infoconnect.shop.models import Order
from infoconnect.wallet import selectors as wallet_selectors
from infoconnect.wallet.actions import ORDER_CHANNELS
from infoconnect.wallet.models import Payment
from infoconnect.wallet.providers import channel_available

PAID_MESSAGE = gettext_lazy("Paid. The money is held safely until you confirm receipt.")


def pay_context(request: HttpRequest, order: Order) -> dict:
    """What the buyer's pay area shows: the wallet against the total, and the latest top-up
    opened to pay this order (waiting for the provider, or what became of it)."""
    if order.buyer_id != request.user.pk:
        return {}
    payable = lifecycle.orders.allows(order, "pay")
    topup = wallet_selectors.latest_order_topup(user_id=request.user.pk, order_id=order.pk)
    context = {
        "payable": payable,
        "topup": topup,
        # Polled until the provider answers; a top-up left after the order closed is not.
        "waiting": payable and topup is not None and topup.status == Payment.Status.PENDING,
    }
    if topup is not None and topup.status == Payment.Status.SUCCEEDED:
        # The order is paid in the transaction that credits the top-up, so after it: paid
        # before (from the wallet) or never, the top-up's money is still in the wallet.
        used = order.paid_at is not None and order.paid_at >= topup.completed_at
        context["paid_with_topup" if used else "unused"] = True
    if payable:
        balance = wallet_selectors.balance_of(user_id=request.user.pk, currency=order.currency)
        context.update(
            wallet_balance=balance,
            shortfall=max(order.total - balance, 0),
            channels=channel_choices(),
        )
    return context


def channel_choices() -> list[tuple[str, str]]:
    """The ways to pay what the wallet lacks, as (value, label): only channels whose provider
    is enabled, so nobody picks one that can only be refused."""
    return [
        (channel, Payment.Channel(channel).label)
        for channel in ORDER_CHANNELS
        if channel_available(channel)
    ]


def _buyer_order(request: HttpRequest, order_id: int) -> Order:
    order = selectors.order_for(user=request.user, order_id=order_id)
    if order is None or order.buyer_id != request.user.pk:
        raise Http404
    return order


def pay_once(request: HttpRequest, order_id: int, *, key_field: str = "key") -> HttpResponse:
    """Run "Pay ¥X" once per the form's key: to the order page when the wallet paid (or on an
    error, which is shown there), else to the provider's page for the shortfall."""
    channel = request.POST.get("channel", "")[:20]

    def work() -> dict:
        done = actions.pay_in_one_step(
            buyer=request.user,
            order_id=order_id,
            channel=channel,
            return_url=reverse("shop:order", args=[order_id]),
        )
        return {"redirect_url": done.topup.redirect_url if done.topup else ""}

    body = form_once(
        request,
        scope=actions.PAY_IN_ONE_STEP_SCOPE,
        params={"order": order_id, "channel": channel},
        work=work,
        key_field=key_field,
    )
    if body is not None and body["redirect_url"]:
        return redirect(body["redirect_url"])
    if body is not None:
        messages.success(request, str(PAID_MESSAGE))
    return redirect("shop:order", order_id=order_id)


@login_required
@require_POST
def order_pay_one_step(request: HttpRequest, order_id: int) -> HttpResponse:
    return pay_once(request, order_id)


@login_required
def order_pay_status(request: HttpRequest, order_id: int) -> HttpResponse:
    """The pay area as it now stands, with the order's state and stepper swapped in beside it
    (htmx out-of-band), so the page shows the order paid the moment the provider confirms."""
    order = _buyer_order(request, order_id)
    return render(
        request,
        "shop/_order_pay_status.html",
        {
            "order": order,
            "is_buyer": True,
            "pay": pay_context(request, order),
            "steps": stepper.steps(order),
            "key": uuid.uuid4(),
        },
    )

"""What procurement does when another app tells it something (connected in AppConfig.ready)."""

from django.utils import timezone

from infoconnect.procurement.actions import budget_holds, terms_orders

# The shop's edges that deliver an order, and those that give its money back.
DELIVERED_VERBS = ("complete", "auto_complete")
CREDITED_VERBS = ("cancel", "refund")


def release_budget_for_order(sender, *, order, amount: int, **kwargs) -> None:
    """A company order gave money back: the budgets it spent from get that much back."""
    budget_holds.release_for_order(order_id=order.pk, amount=amount)


def settle_terms_for_order(sender, *, order, verb: str, from_state: str, **kwargs) -> None:
    """A company order on terms moved: delivered, its receivable falls due; cancelled or
    refunded, it is credited (inside the move's transaction, so both commit together)."""
    if not order.on_terms:
        return
    now = timezone.now()
    if verb in DELIVERED_VERBS:
        terms_orders.deliver(order, now=now)
    elif verb in CREDITED_VERBS:
        terms_orders.credit(order, now=now)

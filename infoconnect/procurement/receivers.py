"""What procurement does when another app tells it something (connected in AppConfig.ready)."""

from infoconnect.procurement.actions import budget_holds


def release_budget_for_order(sender, *, order, amount: int, **kwargs) -> None:
    """A company order gave money back: the budgets it spent from get that much back."""
    budget_holds.release_for_order(order_id=order.pk, amount=amount)

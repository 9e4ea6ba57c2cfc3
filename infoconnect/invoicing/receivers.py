"""Invoicing's answers to the shop's company-order moves (inside the moving transaction)."""

from infoconnect.invoicing.actions.issuing import issue_for_order
from infoconnect.invoicing.actions.red_letters import reverse_order
from infoconnect.shop.models import Order

ISSUING_VERBS = {"complete", "auto_complete"}
REVERSING_VERBS = {"refund", "cancel"}


def invoice_company_order(sender, *, order: Order, verb: str, from_state: str, **kwargs) -> None:
    if verb in ISSUING_VERBS:
        issue_for_order(order=order)
    elif verb in REVERSING_VERBS:
        reverse_order(order=order)

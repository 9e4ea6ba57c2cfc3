"""From the last approval to the orders: the approval's binding, the budget and the orders.

When the last step of a round approves, the requisition as it stands now is compared with what
each approval of the round saw (``digest.py``): a price that rose, a changed line or address
sends it back to approval as a new round; prices that only dropped go on at the lower price.
Then its total is committed to its department's budgets (beyond them only with an over-budget
approval; otherwise a new round with the over-budget level, or a rejection when no rule has
one) and one order per merchant is placed at once, paid from the company wallet into escrow,
out of the stock the requisition held. If the wallet cannot pay, the requisition stays approved
with its commitment, and its requester or finance places it again after a top-up.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infoconnect.core.errors import DomainError
from infoconnect.core.models import PlatformSettings
from infoconnect.procurement import digest
from infoconnect.procurement.actions import budget_holds, notices, rounds, terms_orders
from infoconnect.procurement.actions.requisitions import absorb_cart
from infoconnect.procurement.approvers import role_holders
from infoconnect.procurement.errors import ProcurementError, TermsError
from infoconnect.procurement.lifecycle import requisitions
from infoconnect.procurement.models import (
    ApprovalDecision,
    ApprovalStep,
    Requisition,
    RequisitionLine,
    RequisitionOrder,
    Role,
)
from infoconnect.procurement.pricing import company_prices
from infoconnect.shop import placing
from infoconnect.shop.models import Order, Sku
from infoconnect.wallet.errors import WalletError

Change = digest.Change
# A snapshot of the requisition now, its current lines and SKUs, and how it differs from
# what was approved.
Checked = tuple[dict, list[RequisitionLine], dict[int, Sku], Change]


def current_lines(requisition: Requisition) -> tuple[list[RequisitionLine], dict[int, Sku]]:
    """The lines as they would be ordered now: each SKU's current title, attributes and the
    company's price for it (a quote's locked line keeps its price; a line whose product is off
    sale keeps no SKU: a change)."""
    lines = list(requisition.lines.order_by("pk"))
    skus = {
        sku.pk: sku
        for sku in Sku.objects.select_related("product", "product__merchant").filter(
            pk__in=[line.sku_id for line in lines if line.sku_id]
        )
    }
    on_sale = {
        pk: sku
        for pk, sku in skus.items()
        if sku.is_active and sku.product.is_on_sale and sku.product.merchant_sells
    }
    repriced = [line for line in lines if line.sku_id in on_sale and not line.locked]
    prices = company_prices(
        company_id=requisition.company_id,
        items=[(on_sale[line.sku_id], line.quantity) for line in repriced],
    )
    price_of = {line.pk: price for line, price in zip(repriced, prices, strict=True)}
    now_lines = []
    for line in lines:
        sku = on_sale.get(line.sku_id)
        current = RequisitionLine(
            pk=line.pk,
            requisition_id=line.requisition_id,
            sku_id=line.sku_id,
            product_id=line.product_id,
            merchant_id=line.merchant_id,
            category_id=line.category_id,
            quantity=line.quantity,
            held=line.held,
            title=line.title,
            attributes=line.attributes,
            unit_price=line.unit_price,
            list_price=line.list_price,
            price_reason=line.price_reason,
            locked=line.locked,
        )
        # What the row holds, so keep_prices writes only what changed.
        current.stored = _priced_fields(line)
        if sku is None:
            current.sku_id = None
        else:
            current.title, current.attributes = sku.product.title, sku.attributes
            price = price_of.get(line.pk)
            if price is not None:
                current.unit_price, current.list_price = price.unit_price, price.list_price
                current.price_reason = price.reason
        now_lines.append(current)
    return now_lines, skus


def _priced_fields(line: RequisitionLine) -> tuple:
    return (line.unit_price, line.list_price, line.price_reason, line.title, line.attributes)


def current_snapshot(requisition: Requisition) -> tuple[dict, list[RequisitionLine], dict]:
    lines, skus = current_lines(requisition)
    return digest.snapshot(requisition, lines), lines, skus


def bound_change(requisition: Requisition, current: dict) -> Change:
    """The worst difference between now and what was submitted (the lines as they stand) or
    what this round's approvals saw."""
    worst = Change.SAME
    submitted = requisition.basis or digest.snapshot(requisition, requisition.lines.order_by("pk"))
    approved_ones = ApprovalDecision.objects.filter(
        requisition=requisition,
        step__round=requisition.round,
        decision=ApprovalDecision.Decision.APPROVE,
    ).values_list("snapshot", flat=True)
    for approved in [submitted, *approved_ones]:
        change = digest.compare(approved, current)
        if change is Change.CHANGED:
            return change
        if change is Change.CHEAPER:
            worst = change
    return worst


def keep_prices(requisition: Requisition, lines: list[RequisitionLine]) -> None:
    """The lines take the prices they cost now, and the requisition its new total (only the
    rows that changed are written: a 50-line requisition usually changes none)."""
    for line in lines:
        if getattr(line, "stored", None) != _priced_fields(line):
            RequisitionLine.objects.filter(pk=line.pk).update(
                unit_price=line.unit_price,
                list_price=line.list_price,
                price_reason=line.price_reason,
                title=line.title,
                attributes=line.attributes,
            )
    total = sum(line.unit_price * line.quantity for line in lines)
    if total != requisition.total:
        Requisition.objects.filter(pk=requisition.pk).update(total=total, updated_at=timezone.now())
        requisition.total = total


def reapprove(
    requisition: Requisition,
    *,
    now: datetime,
    why: str,
    actor_id: int | None = None,
    over_budget: bool | None = None,
    lines: list[RequisitionLine] | None = None,
) -> list[Order]:
    """A new round of approval for the requisition as it stands now."""
    rounds.supersede_open(requisition, now=now)
    budget_holds.release_commitment(requisition_id=requisition.pk)
    if lines is None:
        lines = current_lines(requisition)[0]
    keep_prices(requisition, lines)
    requisitions.move(
        requisition,
        "reapprove",
        now=now,
        round=requisition.round + 1,
        basis=digest.snapshot(requisition, lines),
        placing_error="",
        updated_at=now,
        context={"actor_id": actor_id, "note": why},
    )
    steps = rounds.start_round(requisition, now=now, over_budget=over_budget)
    notices.back_to_approval(requisition, why)
    if not steps:
        return finish_approval(requisition, now=now, actor_id=None)
    return []


def finish_approval(
    requisition: Requisition,
    *,
    now: datetime,
    actor_id: int | None,
    checked: Checked | None = None,
) -> list[Order]:
    """The last level approved (or, with ``actor_id`` None, no rule asked for approval):
    commit the budget and place the orders."""
    context: dict = {"actor_id": actor_id}
    if actor_id is None:
        context["note"] = _("No approval rule applies to it.")
    requisitions.move(requisition, "approve", now=now, approved_at=now, context=context)
    over_allowed = ApprovalStep.objects.filter(
        requisition=requisition,
        round=requisition.round,
        is_over_budget=True,
        state=ApprovalStep.State.APPROVED,
    ).exists()
    try:
        with transaction.atomic():
            budget_holds.commit(requisition=requisition, now=now, over_allowed=over_allowed)
    except DomainError as error:
        if error.error is not ProcurementError.OVER_BUDGET:
            raise
        return _over_budget(requisition, now=now, actor_id=actor_id)
    return place(requisition, now=now, actor_id=actor_id, checked=checked)


def _over_budget(requisition: Requisition, *, now: datetime, actor_id: int | None) -> list[Order]:
    """A budget was used up since the submit: the over-budget level decides, or, where no
    rule has one, the requisition is refused."""
    try:
        with transaction.atomic():
            return reapprove(
                requisition,
                now=now,
                why=_("the department's budget no longer covers it"),
                actor_id=actor_id,
                over_budget=True,
            )
    except DomainError as error:
        if error.error is not ProcurementError.OVER_BUDGET:
            raise
    refuse(requisition, now=now, reason=str(ProcurementError.OVER_BUDGET.message))
    return []


def refuse(requisition: Requisition, *, now: datetime, reason: str) -> None:
    """The platform rejects the requisition (its budget is exhausted): stock and budget back."""
    release_holds(requisition)
    requisitions.move(
        requisition, "reject", now=now, closed_at=now, decision_reason=reason[:500],
        context={"note": reason},
    )  # fmt: skip
    notices.rejected(requisition, reason)


def release_holds(requisition: Requisition) -> None:
    """The stock the lines hold goes back on sale, the budget commitment is released."""
    held = list(
        RequisitionLine.objects.filter(requisition=requisition, held__gt=0).values_list(
            "pk", "sku_id", "held"
        )
    )
    placing.return_stock({sku_id: units for _pk, sku_id, units in held if sku_id})
    RequisitionLine.objects.filter(pk__in=[pk for pk, _s, _u in held]).update(held=0)
    budget_holds.release_commitment(requisition_id=requisition.pk)


def finance_ids(requisition: Requisition) -> set[int]:
    return role_holders(requisition.company_id, Role.FINANCE, requisition.department)


# Why placing may fail and leave the requisition approved, to be placed again later: the
# company wallet or the merchant's credit cannot take it yet.
PLACING_ERRORS = {
    WalletError.INSUFFICIENT_FUNDS: ProcurementError.INSUFFICIENT_COMPANY_FUNDS.code,
    TermsError.CREDIT_LIMIT_EXCEEDED: TermsError.CREDIT_LIMIT_EXCEEDED.code,
    TermsError.OVERDUE: TermsError.OVERDUE.code,
    TermsError.NOT_ON_TERMS: TermsError.NOT_ON_TERMS.code,
}


def _list_prices(requisition: Requisition) -> dict[int, tuple[int | None, str]]:
    """Each SKU's list price and why the line costs what it does (the pricing's record)."""
    return {
        sku_id: (list_price, reason)
        for sku_id, list_price, reason in RequisitionLine.objects.filter(
            requisition=requisition, sku_id__isnull=False
        ).values_list("sku_id", "list_price", "price_reason")
    }


def place(
    requisition: Requisition,
    *,
    now: datetime,
    actor_id: int | None,
    checked: Checked | None = None,
) -> list[Order]:
    """One order per merchant, paid from the company wallet (or, with the payment method on
    terms, owed on each merchant's terms within its credit limit), out of the held stock.
    ``checked``: the snapshot and its binding, when the last approval has just checked them
    in this transaction."""
    if checked is None:
        current, lines, skus = current_snapshot(requisition)
        change = None
    else:
        current, lines, skus, change = checked
    if any(line.sku_id is None for line in lines):
        release_holds(requisition)
        absorb_cart(requisition)
        reason = _("a product in it is no longer on sale")
        requisitions.move(
            requisition, "return", now=now, decision_reason=reason, context={"note": reason}
        )
        notices.returned(requisition, reason)
        return []
    if change is None:
        change = bound_change(requisition, current)
    if change is Change.CHANGED:
        return reapprove(
            requisition, now=now, why=_("what was approved has changed"), lines=lines,
            actor_id=actor_id,
        )  # fmt: skip
    if change is Change.CHEAPER:
        keep_prices(requisition, lines)
    on_terms = requisition.payment_method == Requisition.Payment.ON_TERMS
    purchase = placing.CompanyPurchase(
        company_id=requisition.company_id,
        requisition_id=requisition.pk,
        company_name=requisition.company.legal_name,
        department_name=requisition.department.name if requisition.department_id else "",
        po_number=requisition.po_number,
        on_terms=on_terms,
        invoice_kind=requisition.invoice_kind,
        invoice_title_id=requisition.invoice_title_id,
        list_prices=_list_prices(requisition),
    )
    for sku in skus.values():
        sku.price = next(line.unit_price for line in lines if line.sku_id == sku.pk)
    order_lines = [(skus[line.sku_id], line.quantity, None) for line in lines]
    try:
        with transaction.atomic():
            terms_ids = {}
            if on_terms:
                terms_ids = terms_orders.take_credit(
                    company_id=requisition.company_id,
                    totals=terms_orders.merchant_totals(order_lines),
                    today=timezone.localdate(now),
                )
            orders = placing.place_orders(
                buyer_id=requisition.requester_id,
                address=requisition.ship_to.snapshot(),
                key=f"requisition-{requisition.pk}",
                lines=order_lines,
                unpaid_minutes=PlatformSettings.current().unpaid_order_minutes,
                pay=not on_terms,
                company=purchase,
                stock_held=True,
            )
            if on_terms:
                terms_orders.record_sales(
                    company_id=requisition.company_id, orders=orders, terms_ids=terms_ids
                )
    except DomainError as error:
        code = PLACING_ERRORS.get(error.error)
        if code is None:
            raise
        if requisition.placing_error != code:
            Requisition.objects.filter(pk=requisition.pk).update(placing_error=code)
            requisition.placing_error = code
            if error.error is WalletError.INSUFFICIENT_FUNDS:
                notices.placing_failed(requisition, finance_ids(requisition))
            else:
                terms_orders.placing_refused(requisition, error, finance_ids(requisition))
        return []
    RequisitionOrder.objects.bulk_create(
        [
            RequisitionOrder(
                requisition=requisition, order_id=o.pk, merchant_id=o.merchant_id, total=o.total
            )
            for o in orders
        ]
    )
    # The held units are the orders' now.
    RequisitionLine.objects.filter(requisition=requisition).update(held=0)
    budget_holds.spend(requisition_id=requisition.pk, amount=sum(o.total for o in orders))
    requisitions.move(
        requisition, "place", now=now, ordered_at=now, placing_error="", updated_at=now,
        context={"actor_id": actor_id},
    )  # fmt: skip
    notices.ordered(requisition, len(orders))
    return orders

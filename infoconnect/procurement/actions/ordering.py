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

import json
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infoconnect.core.errors import DomainError
from infoconnect.core.models import PlatformSettings
from infoconnect.procurement import digest
from infoconnect.procurement.actions import budget_holds, notices, rounds, terms_orders
from infoconnect.procurement.actions.requisitions import absorb_cart
from infoconnect.procurement.approvers import role_holders
from infoconnect.procurement.errors import ProcurementError, TermsError
from infoconnect.procurement.inserts import insert_rows
from infoconnect.procurement.lifecycle import requisitions
from infoconnect.procurement.line_reads import read_lines
from infoconnect.procurement.models import (
    ApprovalDecision,
    ApprovalStep,
    BudgetCharge,
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
    lines, skus = read_lines(requisition.pk)
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
    for line in lines:
        # What the row holds, so keep_prices writes only what changed.
        line.stored = priced_fields(line)
        sku = on_sale.get(line.sku_id)
        if sku is None:
            line.sku_id = None
            continue
        line.title, line.attributes = sku.product.title, sku.attributes
        price = price_of.get(line.pk)
        if price is not None:
            line.unit_price, line.list_price = price.unit_price, price.list_price
            line.price_reason = price.reason
            line.price = price
    return lines, skus


def priced_fields(line: RequisitionLine) -> tuple:
    """What ``current_lines`` kept of the row as stored (``line.stored``)."""
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


_PRICES_SQL = """
WITH v(id, unit_price, list_price, price_reason, title, attributes) AS (VALUES {rows})
UPDATE procurement_requisitionline SET unit_price = v.unit_price, list_price = v.list_price,
    price_reason = v.price_reason, title = v.title, attributes = v.attributes
FROM v WHERE procurement_requisitionline.id = v.id
"""
# PostgreSQL types each VALUES column from its first row (a NULL list price would be text).
_PRICE_CASTS = {
    "postgresql": "(%s::bigint, %s::bigint, %s::bigint, %s::text, %s::text, %s::jsonb)",
}


def price_rows(lines: list[RequisitionLine]) -> tuple[str, list]:
    """The VALUES rows (id and current prices) of ``lines`` and their parameters, for an
    UPDATE … FROM (VALUES …); each line then counts its prices as stored."""
    row = _PRICE_CASTS.get(connection.vendor, "(%s, %s, %s, %s, %s, %s)")
    params = []
    for line in lines:
        params += [line.pk, line.unit_price, line.list_price, line.price_reason, line.title,
                   json.dumps(line.attributes)]  # fmt: skip
        line.stored = priced_fields(line)
    return ", ".join([row] * len(lines)), params


def keep_prices(requisition: Requisition, lines: list[RequisitionLine]) -> None:
    """The lines take the prices they cost now, and the requisition its new total (only the
    rows that changed are written, in one statement: a 50-line requisition usually changes
    none)."""
    changed = [line for line in lines if getattr(line, "stored", None) != priced_fields(line)]
    if changed:
        rows, params = price_rows(changed)
        with connection.cursor() as cursor:
            cursor.execute(_PRICES_SQL.format(rows=rows), params)
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
    over_allowed: bool | None = None,
) -> list[Order]:
    """The last level approved (or, with ``actor_id`` None, no rule asked for approval):
    commit the budget and place the orders. ``over_allowed``: whether the round's
    over-budget level approved, when the caller has the round's steps at hand."""
    context: dict = {"actor_id": actor_id}
    if actor_id is None:
        context["note"] = _("No approval rule applies to it.")
    requisitions.move(requisition, "approve", now=now, approved_at=now, context=context)
    if over_allowed is None:
        over_allowed = ApprovalStep.objects.filter(
            requisition=requisition,
            round=requisition.round,
            is_over_budget=True,
            state=ApprovalStep.State.APPROVED,
        ).exists()
    try:
        # A refusal writes nothing (every budget is asked first): no savepoint to undo it.
        charges = budget_holds.commit(requisition=requisition, now=now, over_allowed=over_allowed)
    except DomainError as error:
        if error.error is not ProcurementError.OVER_BUDGET:
            raise
        return _over_budget(requisition, now=now, actor_id=actor_id)
    return place(requisition, now=now, actor_id=actor_id, checked=checked, charges=charges)


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


def _list_prices(lines: list[RequisitionLine]) -> dict[int, tuple[int | None, str]]:
    """Each SKU's list price and why the line costs what it does, as the lines' rows hold
    them (the pricing's record)."""
    found = {}
    for line in lines:
        stored = getattr(line, "stored", None)
        if line.sku_id is not None:
            found[line.sku_id] = stored[1:3] if stored else (line.list_price, line.price_reason)
    return found


def place(
    requisition: Requisition,
    *,
    now: datetime,
    actor_id: int | None,
    checked: Checked | None = None,
    charges: list[BudgetCharge] | None = None,
) -> list[Order]:
    """One order per merchant, paid from the company wallet (or, with the payment method on
    terms, owed on each merchant's terms within its credit limit), out of the held stock.
    ``checked``: the snapshot and its binding, when the last approval has just checked them
    in this transaction; ``charges``: the budget charges just committed in it."""
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
        list_prices=_list_prices(lines),
    )
    price_of = {line.sku_id: line.unit_price for line in lines}
    for sku in skus.values():
        sku.price = price_of[sku.pk]
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
    insert_rows(
        [
            RequisitionOrder(
                requisition=requisition, order_id=o.pk, merchant_id=o.merchant_id, total=o.total
            )
            for o in orders
        ]
    )
    # The held units are the orders' now.
    RequisitionLine.objects.filter(requisition=requisition).update(held=0)
    budget_holds.spend(
        requisition_id=requisition.pk, amount=sum(o.total for o in orders), charges=charges
    )
    requisitions.move(
        requisition, "place", now=now, ordered_at=now, placing_error="", updated_at=now,
        context={"actor_id": actor_id},
    )  # fmt: skip
    notices.ordered(requisition, len(orders))
    return orders

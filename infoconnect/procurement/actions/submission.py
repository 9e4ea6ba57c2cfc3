"""Submitting a requisition to the company's rules, and its ways out before the orders.

Submitting locks the requester's membership (so two submits of theirs at the same instant
see each other in the rolling 30-day totals), checks what the requisition needs (lines on
sale, a department the requester buys for, its ship-to address, the PO number the company
asks for), takes the lines' stock as a hold until ``hold_expires_at`` (the company's hold
days), and starts round 1 of approval. When no rule fires, it is approved and ordered at once.

Withdrawing (the requester, to change it), cancelling and expiring give the held stock back;
cancelling and expiring an approved requisition also release its budget commitment.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.procurement.actions import notices, ordering, rounds
from infoconnect.procurement.actions.requisitions import absorb_cart, clean_po_number
from infoconnect.procurement.errors import PricingError, ProcurementError
from infoconnect.procurement.lifecycle import COUNTED_STATES, HOLDING_STATES, requisitions
from infoconnect.procurement.models import (
    Company,
    Membership,
    Requisition,
    RequisitionLine,
    Role,
)
from infoconnect.procurement.pricing import quantity_problem
from infoconnect.procurement.requisition_reads import (
    member_requisition,
    requisition_with_relations,
)
from infoconnect.procurement.selectors import ancestor_ids, holds_role
from infoconnect.shop import placing
from infoconnect.shop.errors import ShopError
from infoconnect.shop.models import Sku

State = Requisition.State


def _check(requisition: Requisition, membership: Membership, lines: list[RequisitionLine]) -> None:
    """What a submit needs; ``membership`` carries ``may_buy`` and ``ships_there``, read with
    its lock (``_own_locked``)."""
    company = requisition.company
    if company.status != Company.Status.VERIFIED:
        raise DomainError(ProcurementError.COMPANY_NOT_VERIFIED)
    if not lines:
        raise DomainError(ProcurementError.REQUISITION_EMPTY)
    if any(line.sku_id is None for line in lines):
        raise DomainError(ProcurementError.PRODUCT_UNAVAILABLE)
    if requisition.department_id is None:
        raise DomainError(ProcurementError.DEPARTMENT_REQUIRED)
    if not membership.may_buy:
        raise DomainError(ProcurementError.ROLE_REQUIRED)
    if not membership.ships_there:
        raise DomainError(ProcurementError.SHIP_TO_REQUIRED)
    clean_po_number(requisition.po_number)
    if company.po_required and not requisition.po_number:
        raise DomainError(ProcurementError.PO_NUMBER_REQUIRED)
    # A price list's quantity rule may have come after the line was added.
    for line in lines:
        price = getattr(line, "price", None)
        problem = price and quantity_problem(price=price, quantity=line.quantity)
        if problem:
            raise DomainError(PricingError.QUANTITY_RULE, problem)


def _check_po_unused(requisition: Requisition) -> None:
    """The company wants each PO number on one requisition: none submitted before, whenever
    (the company row's lock orders two submits of one number; the unique index covers those
    submitted since the setting was on)."""
    Company.objects.select_for_update().filter(pk=requisition.company_id).first()
    if (
        Requisition.objects.filter(
            company_id=requisition.company_id,
            po_number=requisition.po_number,
            state__in=COUNTED_STATES,
        )
        .exclude(pk=requisition.pk)
        .exists()
    ):
        raise DomainError(ProcurementError.PO_NUMBER_TAKEN)


def _short_words(items: dict[int, int]) -> str:
    """ "Not enough stock is left for Laser printer (3 left)." for the lines that ran short."""
    short = [
        _("%(title)s (%(left)d left)") % {"title": sku.product.title, "left": sku.stock}
        for sku in Sku.objects.select_related("product").filter(pk__in=list(items))
        if sku.stock < items[sku.pk]
    ]
    if not short:
        return str(ProcurementError.OUT_OF_STOCK.message)
    return _("Not enough stock is left for %(lines)s.") % {"lines": ", ".join(short)}


def hold_stock(requisition: Requisition, lines: list[RequisitionLine]) -> None:
    """Take each line's units from stock for the hold (in SKU id order), or out_of_stock."""
    items: dict[int, int] = {}
    for line in lines:
        items[line.sku_id] = items.get(line.sku_id, 0) + line.quantity
    try:
        placing.allocate_stock(items)
    except DomainError as error:
        if error.error is ShopError.OUT_OF_STOCK:
            raise DomainError(ProcurementError.OUT_OF_STOCK, _short_words(items)) from error
        raise
    # Held, and no longer sent back: a submit answers what an approver returned. The lines'
    # current prices go in the same statement (``ordering.price_rows``).
    changed = [
        line for line in lines if getattr(line, "stored", None) != ordering.priced_fields(line)
    ]
    if not changed:
        RequisitionLine.objects.filter(requisition=requisition).update(
            held=F("quantity"), returned_reason=""
        )
        return
    rows, params = ordering.price_rows(lines)
    with connection.cursor() as cursor:
        cursor.execute(_HOLD_SQL.format(rows=rows), params)


# The hold and the lines' current prices (what ``ordering.keep_prices`` writes) in one
# UPDATE of every line, written by hand: the submit's two UPDATEs of the same rows were one
# round trip and one ORM compile too many.
_HOLD_SQL = """
WITH v(id, unit_price, list_price, price_reason, title, attributes) AS (VALUES {rows})
UPDATE procurement_requisitionline SET unit_price = v.unit_price, list_price = v.list_price,
    price_reason = v.price_reason, title = v.title, attributes = v.attributes,
    held = quantity, returned_reason = ''
FROM v WHERE procurement_requisitionline.id = v.id
"""


# The requester's current membership, locked, with whether they buy for the requisition's
# department (``holds_role``: a buyer role over it or one of its ancestors, or company-wide)
# and whether its ship-to address is one of ``ship_to_choices`` (the department's or an
# ancestor's): asked in the membership's read rather than in two more round trips.
_MEMBERSHIP_SQL = """
SELECT m.id,
  EXISTS (SELECT 1 FROM procurement_roleassignment a WHERE a.membership_id = m.id
          AND a.role = %s AND (a.department_id IS NULL OR a.department_id IN ({ancestors}))),
  EXISTS (SELECT 1 FROM procurement_shiptoaddress s WHERE s.id = %s
          AND s.department_id IN ({ancestors}))
FROM procurement_membership m
WHERE m.company_id = %s AND m.user_id = %s AND m.ended_at IS NULL
ORDER BY m.id LIMIT 1{lock}
"""


def _locked_membership(requisition: Requisition, user: User) -> Membership | None:
    """The requester's membership (its id, company and user loaded) with ``may_buy`` and
    ``ships_there``; without a department, neither holds."""
    department = requisition.department
    ancestors = ancestor_ids(department) if department is not None else [0]
    marks = ", ".join(["%s"] * len(ancestors))
    lock = " FOR UPDATE OF m" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(
            _MEMBERSHIP_SQL.format(ancestors=marks, lock=lock),
            [Role.BUYER, *ancestors, requisition.ship_to_id or 0, *ancestors,
             requisition.company_id, user.pk],
        )  # fmt: skip
        row = cursor.fetchone()
    if row is None:
        return None
    membership = Membership.from_db(
        connection.alias, ["id", "company_id", "user_id"], [row[0], requisition.company_id, user.pk]
    )
    membership.may_buy = department is not None and bool(row[1])
    membership.ships_there = department is not None and bool(row[2])
    return membership


def _own_locked(user: User, requisition_id: object) -> tuple[Requisition, Membership]:
    """The requester's requisition and their current membership, both locked (the
    membership: one submit of theirs at a time, so the rolling totals count each other).

    The requester, the one who may submit, is answered in two reads; anyone else gets what
    ``member_requisition`` says (not found, or ``role_required`` when they may only see it)."""
    pk = parse_id(requisition_id)
    requisition = requisition_with_relations(pk, lock=True) if pk else None
    if requisition is not None and requisition.requester_id == user.pk:
        membership = _locked_membership(requisition, user)
        if membership is not None:
            membership.company = requisition.company
            return requisition, membership
    member_requisition(user=user, requisition_id=requisition_id, lock=True)
    raise DomainError(ProcurementError.ROLE_REQUIRED)


@transaction.atomic
def submit_requisition(
    *, user: User, requisition_id: object, now: datetime | None = None
) -> Requisition:
    """Submit the requester's draft: approval starts, or, with no rule firing, it is ordered."""
    now = now or timezone.now()
    requisition, membership = _own_locked(user, requisition_id)
    if requisition.state != State.DRAFT:
        raise DomainError(ProcurementError.REQUISITION_INVALID_STATE)
    requisition.membership = membership
    snap, lines, _skus = ordering.current_snapshot(requisition)
    _check(requisition, membership, lines)
    # A draft keeps no total: it goes with the submit's own UPDATE below, and the lines'
    # current prices with their hold (``hold_stock``).
    requisition.total = sum(line.unit_price * line.quantity for line in lines)
    company = requisition.company
    if company.po_unique and requisition.po_number:
        _check_po_unused(requisition)
    # A savepoint only where the unique PO index can refuse the move.
    guard = transaction.atomic() if company.po_unique else nullcontext()
    try:
        with guard:
            requisitions.move(
                requisition,
                "submit",
                now=now,
                round=requisition.round + 1,
                total=requisition.total,
                basis=snap,
                membership=membership,
                po_unique=company.po_unique,
                submitted_at=now,
                hold_expires_at=now + timedelta(days=company.hold_days),
                decision_reason="",
                placing_error="",
                updated_at=now,
                context={"actor_id": user.pk},
            )
    except IntegrityError as error:
        raise DomainError(ProcurementError.PO_NUMBER_TAKEN) from error
    hold_stock(requisition, lines)
    steps = rounds.start_round(requisition, now=now, lines=lines)
    if not steps:
        ordering.finish_approval(requisition, now=now, actor_id=None)
    return requisition


def _end(requisition: Requisition, verb: str, *, now: datetime, actor_id: int | None, **fields):
    rounds.supersede_open(requisition, now=now)
    ordering.release_holds(requisition)
    requisitions.move(
        requisition, verb, now=now, updated_at=now, context={"actor_id": actor_id}, **fields
    )


@transaction.atomic
def withdraw_requisition(*, user: User, requisition_id: object) -> Requisition:
    """The requester takes a waiting requisition back to change it (a draft again)."""
    now = timezone.now()
    requisition, _m = member_requisition(user=user, requisition_id=requisition_id, lock=True)
    if requisition.requester_id != user.pk:
        raise DomainError(ProcurementError.ROLE_REQUIRED)
    if not requisitions.allows(requisition, "withdraw"):
        raise DomainError(ProcurementError.REQUISITION_INVALID_STATE)
    absorb_cart(requisition)
    _end(requisition, "withdraw", now=now, actor_id=user.pk, hold_expires_at=None)
    return requisition


@transaction.atomic
def cancel_requisition(*, user: User, requisition_id: object) -> Requisition:
    """The requester, or a company-wide administrator, cancels it before it is ordered."""
    now = timezone.now()
    requisition, membership = member_requisition(
        user=user, requisition_id=requisition_id, lock=True
    )
    if requisition.requester_id != user.pk and not holds_role(membership, Role.ADMIN):
        raise DomainError(ProcurementError.ROLE_REQUIRED)
    if not requisitions.allows(requisition, "cancel"):
        raise DomainError(ProcurementError.REQUISITION_INVALID_STATE)
    _end(requisition, "cancel", now=now, actor_id=user.pk, closed_at=now)
    return requisition


@transaction.atomic
def expire_requisition(*, requisition_id: int, now: datetime | None = None) -> bool:
    """Its hold ran out before it was ordered: stock and budget back, the requester told."""
    now = now or timezone.now()
    requisition = (
        Requisition.objects.select_for_update(of=("self",))
        .select_related("company", "requester")
        .filter(pk=requisition_id, state__in=HOLDING_STATES, hold_expires_at__lte=now)
        .first()
    )
    if requisition is None:
        return False
    _end(requisition, "expire", now=now, actor_id=None, closed_at=now)
    notices.expired(requisition)
    return True


@transaction.atomic
def place_requisition(*, user: User, requisition_id: object) -> Requisition:
    """Place the orders of an approved requisition again, after the company wallet was
    short: its requester or a finance member over its department."""
    now = timezone.now()
    requisition, membership = member_requisition(
        user=user, requisition_id=requisition_id, lock=True
    )
    if requisition.requester_id != user.pk and not holds_role(
        membership, Role.FINANCE, requisition.department
    ):
        raise DomainError(ProcurementError.ROLE_REQUIRED)
    if not requisitions.allows(requisition, "place"):
        raise DomainError(ProcurementError.REQUISITION_INVALID_STATE)
    ordering.place(requisition, now=now, actor_id=user.pk)
    if requisition.state == State.APPROVED and requisition.placing_error:
        raise DomainError(ProcurementError.INSUFFICIENT_COMPANY_FUNDS)
    return requisition

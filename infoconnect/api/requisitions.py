"""Requisitions under /v1/requisitions: a company purchase from the draft (the member's "for
company X" cart) through its approval steps to the orders it placed.

A member has at most one draft per company: creating a second is a 409 ``draft_exists``
naming the draft in ``details``. Creating and changing a draft go through the same actions as
the web cart, in one transaction (a bad line writes nothing). Submitting, approving and
placing move money (stock, budgets, orders paid from the company wallet), so they take an
``Idempotency-Key``; the other actions use one when sent. A requisition the caller may not
see (another company's, another buyer's, after leaving the company) is a 404
``requisition_not_found``. Approvers approve what they saw: send the ``digest`` the entity
showed, and a requisition that changed since is a 409 ``requisition_changed``.
"""

from datetime import datetime
from typing import Literal

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Header, Router, Schema, Status
from pydantic import Field

from infoconnect.api.mastodon import set_link_header
from infoconnect.api.schemas import ErrorOut, StrictSchema
from infoconnect.core.errors import DomainError
from infoconnect.core.idempotency import api_response
from infoconnect.core.money import format_money
from infoconnect.core.pagination import PageParams, paginate
from infoconnect.procurement import digest, requisition_reads, selectors
from infoconnect.procurement.actions import (
    approvals,
    ordering,
    submission,
)
from infoconnect.procurement.actions import requisitions as requisition_actions
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.models import Membership, Requisition
from infoconnect.procurement.preview import preview

router = Router(tags=["requisitions"])

MAX_ID = 2**63 - 1
StateName = Literal["draft", "pending", "approved", "ordered", "rejected", "cancelled", "expired"]


# --- schemas -----------------------------------------------------------------------------


class DraftExistsError(Schema):
    error: str
    code: str
    details: dict | None = None


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class LineIn(StrictSchema):
    sku_id: int = Field(..., ge=1, le=MAX_ID)
    quantity: int = Field(1, description="1 to 9,999")


class RequisitionIn(StrictSchema):
    company_id: int = Field(..., ge=1, le=MAX_ID)
    department_id: int | None = None
    ship_to_id: int | None = None
    po_number: str = ""
    note: str = ""
    payment_method: str = Field(
        "company_wallet", description="company_wallet, or on_terms when every merchant grants terms"
    )
    invoice_kind: str = Field("", description='"" (none), normal (电子普票) or special (专票)')
    invoice_title_id: int | None = None
    lines: list[LineIn]


class RequisitionPatch(StrictSchema):
    """The fields sent change (null clears one); ``lines`` replaces the lines as a whole."""

    department_id: int | None = None
    ship_to_id: int | None = None
    po_number: str | None = None
    note: str | None = None
    payment_method: str | None = None
    invoice_kind: str | None = None
    invoice_title_id: int | None = None
    lines: list[LineIn] | None = None


class ApproveIn(StrictSchema):
    digest: str | None = Field(
        None, description="The digest the approver was shown; another one is a 409"
    )


class RejectIn(StrictSchema):
    reason: str
    line_ids: list[int] | None = Field(
        None, description="Send these lines back to the requester (a draft again)"
    )


class UserRef(Schema):
    id: int
    username: str
    display_name: str


class DepartmentRef(Schema):
    id: int
    name: str


class RequisitionShipToOut(Schema):
    id: int | None
    label: str
    recipient_name: str
    province: str
    city: str
    district: str
    street: str
    mobile: str


class RequisitionLineOut(Schema):
    id: int
    sku_id: int | None
    product_id: int | None
    merchant_id: int
    title: str
    attributes: dict
    unit_price: int = Field(description="In fen")
    unit_price_display: str
    list_price: int | None = Field(description="The retail price beside the company's, in fen")
    price_reason: str = Field(description="Why unit_price is what it is; empty at retail")
    quantity: int
    held: int = Field(description="Units held from stock while approval runs")
    returned_reason: str


class AssigneeOut(Schema):
    user_id: int
    username: str
    via: str
    on_behalf_of_id: int | None


class StepOut(Schema):
    id: int
    round: int
    position: int
    rule_name: str
    explanation: str
    mode: str
    is_over_budget: bool
    state: str
    due_at: datetime | None
    decided_at: datetime | None
    assignees: list[AssigneeOut]


class ApprovalOut(Schema):
    id: int
    step_id: int
    approver_id: int
    approver_username: str
    on_behalf_of_id: int | None
    decision: str
    reason: str
    digest: str
    self_approved: bool
    created_at: datetime


class RequisitionOrderOut(Schema):
    id: int
    merchant_id: int
    total: int
    state: str
    po_number: str


class EventOut(Schema):
    kind: str
    from_state: str
    to_state: str
    note: str
    actor_id: int | None
    actor_username: str | None
    created_at: datetime


class RequisitionSummaryOut(Schema):
    id: int
    reference: str
    state: str
    company_id: int
    requester: UserRef
    department: DepartmentRef | None
    po_number: str
    total: int = Field(description="In fen, as of the last submission or price update")
    total_display: str
    currency: str
    round: int
    over_budget: bool
    placing_error: str
    decision_reason: str
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    hold_expires_at: datetime | None


class RequisitionOut(RequisitionSummaryOut):
    ship_to: RequisitionShipToOut | None
    note: str
    payment_method: str
    invoice_kind: str
    invoice_title_id: int | None
    digest: str = Field(description="What an approver approves: send it back to approve")
    lines: list[RequisitionLineOut]
    steps: list[StepOut]
    approvals: list[ApprovalOut]
    orders: list[RequisitionOrderOut]
    events: list[EventOut]


class PreviewLevelOut(Schema):
    id: int
    position: int
    mode: str
    is_over_budget: bool


class PreviewRuleOut(Schema):
    rule_id: int
    name: str
    explanation: str
    levels: list[PreviewLevelOut]


class PreviewOut(Schema):
    total: int = Field(description="In fen, at today's prices")
    total_display: str
    currency: str
    over_budget: bool = Field(description="It would exceed a budget of its department")
    refused_over_budget: bool = Field(
        description="Over budget with no rule's over-budget level: a submit is refused"
    )
    rules: list[PreviewRuleOut]


# --- bodies ------------------------------------------------------------------------------


def _user(user) -> dict:
    return {"id": user.pk, "username": user.username, "display_name": user.display_name}


def _summary(requisition: Requisition) -> dict:
    department = requisition.department
    return {
        "id": requisition.pk,
        "reference": requisition.reference,
        "state": requisition.state,
        "company_id": requisition.company_id,
        "requester": _user(requisition.requester),
        "department": {"id": department.pk, "name": department.name} if department else None,
        "po_number": requisition.po_number,
        "total": requisition.total,
        "total_display": format_money(requisition.total, requisition.currency),
        "currency": requisition.currency,
        "round": requisition.round,
        "over_budget": requisition.over_budget,
        "placing_error": requisition.placing_error,
        "decision_reason": requisition.decision_reason,
        "created_at": requisition.created_at,
        "updated_at": requisition.updated_at,
        "submitted_at": requisition.submitted_at,
        "hold_expires_at": requisition.hold_expires_at,
    }


def _body(requisition_id: int) -> dict:
    requisition = requisition_reads.with_details(requisition_id)
    address = requisition.ship_to
    steps = list(requisition.steps.all())
    decisions = sorted(
        (decision for step in steps for decision in step.decisions.all()), key=lambda d: d.pk
    )
    return {
        **_summary(requisition),
        "ship_to": (
            {"id": address.pk, "label": address.label, **address.snapshot()} if address else None
        ),
        "note": requisition.note,
        "payment_method": requisition.payment_method,
        "invoice_kind": requisition.invoice_kind,
        "invoice_title_id": requisition.invoice_title_id,
        "digest": digest.digest(ordering.current_snapshot(requisition)[0]),
        "lines": [
            {
                "id": line.pk,
                "sku_id": line.sku_id,
                "product_id": line.product_id,
                "merchant_id": line.merchant_id,
                "title": line.title,
                "attributes": line.attributes,
                "unit_price": line.unit_price,
                "unit_price_display": format_money(line.unit_price, requisition.currency),
                "list_price": line.list_price,
                "price_reason": line.price_reason,
                "quantity": line.quantity,
                "held": line.held,
                "returned_reason": line.returned_reason,
            }
            for line in requisition.lines.all()
        ],
        "steps": [
            {
                "id": step.pk,
                "round": step.round,
                "position": step.position,
                "rule_name": step.rule_name,
                "explanation": step.explained(),
                "mode": step.mode,
                "is_over_budget": step.is_over_budget,
                "state": step.state,
                "due_at": step.due_at,
                "decided_at": step.decided_at,
                "assignees": [
                    {
                        "user_id": assignee.user_id,
                        "username": assignee.user.username,
                        "via": assignee.via,
                        "on_behalf_of_id": assignee.on_behalf_of_id,
                    }
                    for assignee in sorted(step.assignees.all(), key=lambda a: a.pk)
                ],
            }
            for step in steps
        ],
        "approvals": [
            {
                "id": decision.pk,
                "step_id": decision.step_id,
                "approver_id": decision.approver_id,
                "approver_username": decision.approver.username,
                "on_behalf_of_id": decision.on_behalf_of_id,
                "decision": decision.decision,
                "reason": decision.reason,
                "digest": decision.digest,
                "self_approved": decision.self_approved,
                "created_at": decision.created_at,
            }
            for decision in decisions
        ],
        "orders": [
            {
                "id": placed.order_id,
                "merchant_id": placed.merchant_id,
                "total": placed.total,
                "state": placed.order.state,
                "po_number": placed.order.po_number,
            }
            for placed in sorted(requisition.orders.all(), key=lambda o: o.pk)
        ],
        "events": [
            {
                "kind": event.kind,
                "from_state": event.from_state,
                "to_state": event.to_state,
                "note": event.note,
                "actor_id": event.actor_id,
                "actor_username": event.actor.username if event.actor_id else None,
                "created_at": event.created_at,
            }
            for event in sorted(requisition.events.all(), key=lambda e: e.pk)
        ],
    }


def _visible(request: HttpRequest, requisition_id: int) -> Requisition:
    return requisition_reads.member_requisition(user=request.auth, requisition_id=requisition_id)[0]


# --- the draft ---------------------------------------------------------------------------


def _wanted(lines: list[LineIn]) -> dict[int, int]:
    """SKU id → quantity, each SKU once."""
    wanted: dict[int, int] = {}
    for line in lines:
        if line.sku_id in wanted:
            raise DomainError(ProcurementError.LINES_REPEATED)
        wanted[line.sku_id] = line.quantity
    return wanted


def _replace_lines(user, requisition: Requisition, wanted: dict[int, int]) -> None:
    """Make the draft's lines ``wanted``: remove, requantify and add through the actions."""
    for line in list(requisition.lines.order_by("pk")):
        if line.sku_id not in wanted:
            requisition_actions.remove_line(
                user=user, requisition_id=requisition.pk, line_id=line.pk
            )
        else:
            quantity = wanted.pop(line.sku_id)
            if quantity != line.quantity:
                requisition_actions.set_line_quantity(
                    user=user, requisition_id=requisition.pk, line_id=line.pk, quantity=quantity
                )
    for sku_id, quantity in wanted.items():
        requisition_actions.add_to_requisition(
            user=user, company_id=requisition.company_id, sku_id=sku_id, quantity=quantity
        )


@router.post("/v1/requisitions", response={201: RequisitionOut, **ERRORS, 409: DraftExistsError})
def create_requisition(request: HttpRequest, payload: RequisitionIn):
    """The caller's draft for the company, with its lines and details (buyers only)."""
    user = request.auth
    with transaction.atomic():
        membership = requisition_actions.buyer_membership(user=user, company_id=payload.company_id)
        # One create of this member's at a time: the second sees the first's draft.
        Membership.objects.select_for_update().filter(pk=membership.pk).first()
        existing = requisition_reads.draft_of(user=user, company_id=membership.company_id)
        if existing is not None:
            error = ProcurementError.DRAFT_EXISTS
            return Status(
                409,
                {
                    "error": str(error.message),
                    "code": error.code,
                    "details": {"requisition_id": existing.pk},
                },
            )
        wanted = _wanted(payload.lines)
        if not wanted:
            raise DomainError(ProcurementError.REQUISITION_EMPTY)
        line = None
        for sku_id, quantity in wanted.items():
            line = requisition_actions.add_to_requisition(
                user=user, company_id=membership.company_id, sku_id=sku_id, quantity=quantity
            )
        requisition_actions.update_details(
            user=user,
            requisition_id=line.requisition_id,
            department_id=payload.department_id,
            ship_to_id=payload.ship_to_id,
            po_number=payload.po_number,
            note=payload.note,
            payment_method=payload.payment_method,
            invoice_kind=payload.invoice_kind,
            invoice_title_id=payload.invoice_title_id,
        )
        return Status(201, _body(line.requisition_id))


@router.patch("/v1/requisitions/{requisition_id}", response={200: RequisitionOut, **ERRORS})
def update_requisition(request: HttpRequest, requisition_id: int, payload: RequisitionPatch):
    """Change the caller's draft: its details, and its lines as a whole when sent."""
    user = request.auth
    sent = payload.model_fields_set
    with transaction.atomic():
        requisition = requisition_actions.own_draft(user=user, requisition_id=requisition_id)
        details = {"department_id", "ship_to_id", "po_number", "note"} & sent
        paying = {"payment_method", "invoice_kind", "invoice_title_id"} & sent
        if details or paying:
            current = {
                "department_id": requisition.department_id,
                "ship_to_id": requisition.ship_to_id,
                "po_number": requisition.po_number,
                "note": requisition.note,
            }
            current.update({field: getattr(payload, field) for field in details})
            if paying:
                # The invoice kind and title go together: the one not sent stays as it is.
                current |= {
                    "payment_method": payload.payment_method
                    if "payment_method" in sent
                    else requisition.payment_method,
                    "invoice_kind": payload.invoice_kind
                    if "invoice_kind" in sent
                    else requisition.invoice_kind,
                    "invoice_title_id": payload.invoice_title_id
                    if "invoice_title_id" in sent
                    else requisition.invoice_title_id,
                }
            requisition_actions.update_details(user=user, requisition_id=requisition.pk, **current)
        if "lines" in sent and payload.lines is not None:
            _replace_lines(user, requisition, _wanted(payload.lines))
        return _body(requisition.pk)


# --- reads -------------------------------------------------------------------------------


@router.get("/v1/requisitions", response={200: list[RequisitionSummaryOut], **ERRORS})
def list_requisitions(
    request: HttpRequest,
    response: HttpResponse,
    company_id: int,
    state: StateName | None = None,
    mine: bool = False,
    awaiting_me: bool = False,
    max_id: str | None = None,
    since_id: str | None = None,
    min_id: str | None = None,
    limit: str | None = None,
):
    """The company's requisitions the caller may see, newest first, paged with max_id /
    since_id / min_id and a Link header. ``mine``: the caller's own; ``awaiting_me``: those
    whose waiting step the caller may decide."""
    membership = selectors.require_member(user=request.auth, company_id=company_id)
    rows = requisition_reads.visible_requisitions(membership=membership)
    if state:
        rows = rows.filter(state=state)
    if mine:
        rows = rows.filter(requester_id=request.auth.pk)
    if awaiting_me:
        rows = rows.filter(pk__in=requisition_reads.awaiting_me(membership=membership).values("pk"))
    page = PageParams.clean(max_id=max_id, since_id=since_id, min_id=min_id, limit=limit)
    found = paginate(rows.select_related("department", "requester"), page)
    set_link_header(request, response, [requisition.pk for requisition in found])
    return [_summary(requisition) for requisition in found]


@router.get("/v1/requisitions/{requisition_id}", response={200: RequisitionOut, **ERRORS})
def get_requisition(request: HttpRequest, requisition_id: int):
    return _body(_visible(request, requisition_id).pk)


def _preview(requisition: Requisition, now: datetime) -> dict:
    """The rules that would fire for the requisition as it stands now (at today's prices,
    with the requester's rolling 30-day totals and the budgets as they are): reads only."""
    found = preview(requisition, now)
    return {
        "total": found.total,
        "total_display": format_money(found.total, requisition.currency),
        "currency": requisition.currency,
        "over_budget": found.over_budget,
        "refused_over_budget": found.blocked_by_budget,
        "rules": [
            {
                "rule_id": fired.rule.pk,
                "name": fired.rule.name,
                "explanation": fired.explanation,
                "levels": [
                    {
                        "id": level.pk,
                        "position": level.position,
                        "mode": level.mode,
                        "is_over_budget": level.is_over_budget,
                    }
                    for level in fired.levels
                ],
            }
            for fired in found.firing
        ],
    }


@router.get("/v1/requisitions/{requisition_id}/preview", response={200: PreviewOut, **ERRORS})
def preview_requisition(request: HttpRequest, requisition_id: int):
    """The approval rules that would fire if it were submitted now, and why."""
    return _preview(_visible(request, requisition_id), timezone.now())


# --- its way through approval ------------------------------------------------------------


def _act(
    request: HttpRequest, *, verb: str, key, requisition_id: int, params=None, action, required
):
    def work() -> dict:
        action()
        return _body(requisition_id)

    return api_response(
        request,
        key=key,
        scope=f"procurement.requisition.{verb}",
        params={"requisition_id": requisition_id, **(params or {})},
        work=work,
        key_required=required,
    )


@router.post("/v1/requisitions/{requisition_id}/submit", response={200: RequisitionOut, **ERRORS})
def submit(
    request: HttpRequest,
    requisition_id: int,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Submit the caller's draft: its stock is held and approval starts, or, when no rule
    fires, its orders are placed at once. Needs an ``Idempotency-Key``."""
    return _act(
        request, verb="submit", key=idempotency_key, requisition_id=requisition_id,
        required=True,
        action=lambda: submission.submit_requisition(
            user=request.auth, requisition_id=requisition_id
        ),
    )  # fmt: skip


@router.post("/v1/requisitions/{requisition_id}/approve", response={200: RequisitionOut, **ERRORS})
def approve(
    request: HttpRequest,
    requisition_id: int,
    payload: ApproveIn | None = None,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Approve the waiting step; the last approval places the orders. Needs an
    ``Idempotency-Key``."""
    seen = payload.digest if payload else None
    return _act(
        request, verb="approve", key=idempotency_key, requisition_id=requisition_id,
        params={"digest": seen}, required=True,
        action=lambda: approvals.approve_requisition(
            user=request.auth, requisition_id=requisition_id, seen_digest=seen
        ),
    )  # fmt: skip


@router.post("/v1/requisitions/{requisition_id}/reject", response={200: RequisitionOut, **ERRORS})
def reject(
    request: HttpRequest,
    requisition_id: int,
    payload: RejectIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Reject it, or with ``line_ids`` send those lines back to the requester."""
    return _act(
        request, verb="reject", key=idempotency_key, requisition_id=requisition_id,
        params={"reason": payload.reason, "line_ids": payload.line_ids}, required=False,
        action=lambda: approvals.reject_requisition(
            user=request.auth, requisition_id=requisition_id, reason=payload.reason,
            line_ids=payload.line_ids,
        ),
    )  # fmt: skip


@router.post("/v1/requisitions/{requisition_id}/withdraw", response={200: RequisitionOut, **ERRORS})
def withdraw(
    request: HttpRequest,
    requisition_id: int,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """The requester takes a waiting requisition back to change it (a draft again)."""
    return _act(
        request, verb="withdraw", key=idempotency_key, requisition_id=requisition_id,
        required=False,
        action=lambda: submission.withdraw_requisition(
            user=request.auth, requisition_id=requisition_id
        ),
    )  # fmt: skip


@router.post("/v1/requisitions/{requisition_id}/cancel", response={200: RequisitionOut, **ERRORS})
def cancel(
    request: HttpRequest,
    requisition_id: int,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """The requester, or a company-wide administrator, cancels it before it is ordered."""
    return _act(
        request, verb="cancel", key=idempotency_key, requisition_id=requisition_id,
        required=False,
        action=lambda: submission.cancel_requisition(
            user=request.auth, requisition_id=requisition_id
        ),
    )  # fmt: skip


@router.post("/v1/requisitions/{requisition_id}/place", response={200: RequisitionOut, **ERRORS})
def place(
    request: HttpRequest,
    requisition_id: int,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Place the orders of an approved requisition again after the company wallet was short
    (its requester or finance). Needs an ``Idempotency-Key``."""
    return _act(
        request, verb="place", key=idempotency_key, requisition_id=requisition_id,
        required=True,
        action=lambda: submission.place_requisition(
            user=request.auth, requisition_id=requisition_id
        ),
    )  # fmt: skip

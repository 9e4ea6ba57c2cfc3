"""A company's budgets, approvers' delegations and purchasing settings under
/v1/companies/{id}/.

Budgets: a member reads those of the departments they hold a role over (``?on=`` a day,
default today; ``?period=`` month, quarter or year); an admin over the department writes.
Delegations: a member lists theirs (``?all=true``: a company-wide admin, the company's); an
approver delegates, a company-wide admin also on an approver's behalf. Purchasing settings:
every member reads, a company-wide admin writes. Not a member is a 404 (``not_a_member``), a
member without the role a 403 (``role_required``), bad input a 422.
"""

import datetime
from typing import Literal

from ninja import Field, Router, Schema, Status

from infoconnect.api.schemas import ErrorOut, IsoDate, IsoDateTime, StrictSchema
from infoconnect.procurement import budget_reads, delegation_reads, selectors
from infoconnect.procurement.actions import budgets, delegations, purchasing_settings
from infoconnect.procurement.models import Budget, Delegation

router = Router(tags=["companies"])


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class BudgetOut(Schema):
    id: int
    department_id: int
    department_name: str
    period: str
    starts_on: datetime.date
    ends_on: datetime.date = Field(..., description="the day after the period's last")
    amount: int = Field(..., description="fen")
    currency: str
    committed: int
    spent: int
    over_approved: int
    remaining: int

    @staticmethod
    def resolve_department_name(budget: Budget) -> str:
        return budget.department.name


class BudgetIn(StrictSchema):
    department_id: int
    period: Literal["month", "quarter", "year"]
    starts_on: IsoDate = Field(..., description="any day of the period")
    amount: int = Field(..., description="fen, more than 0")


class BudgetPatch(StrictSchema):
    amount: int = Field(..., description="fen, not below committed + spent − over-approved")


class DelegationOut(Schema):
    id: int
    delegator_id: int
    delegator_username: str
    delegate_id: int
    delegate_username: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    created_at: datetime.datetime
    revoked_at: datetime.datetime | None
    status: str = Field(..., description="scheduled, active, ended or revoked")

    @staticmethod
    def resolve_status(delegation: Delegation) -> str:
        return delegation.standing

    @staticmethod
    def resolve_delegator_username(delegation: Delegation) -> str:
        return delegation.delegator.username

    @staticmethod
    def resolve_delegate_username(delegation: Delegation) -> str:
        return delegation.delegate.username


class DelegationIn(StrictSchema):
    """The delegate by ``delegate_user_id`` or ``delegate_username``; ``delegator_user_id``
    (a company-wide admin only): the approver delegating, by default the caller."""

    delegate_user_id: int | None = None
    delegate_username: str = ""
    delegator_user_id: int | None = None
    starts_at: IsoDateTime
    ends_at: IsoDateTime


class SettingsOut(Schema):
    hold_days: int
    po_required: bool
    po_unique: bool


class SettingsPatch(StrictSchema):
    hold_days: int | None = None
    po_required: bool | None = None
    po_unique: bool | None = None


# --- budgets --------------------------------------------------------------------------------


@router.get("/v1/companies/{company_id}/budgets", response={200: list[BudgetOut], **ERRORS})
def list_budgets(
    request,
    company_id: int,
    on: datetime.date | None = None,
    period: Literal["month", "quarter", "year"] | None = None,
):
    """The budgets whose period holds ``on`` (default today), by department in tree order."""
    membership = selectors.require_member(user=request.auth, company_id=company_id)
    return budget_reads.budgets_for(membership=membership, on=on, period=period)


@router.post("/v1/companies/{company_id}/budgets", response={201: BudgetOut, **ERRORS})
def create_budget(request, company_id: int, payload: BudgetIn):
    """The department's budget for the period holding ``starts_on``."""
    budget = budgets.create_budget(user=request.auth, company_id=company_id, **payload.dict())
    return Status(201, budget)


@router.get("/v1/companies/{company_id}/budgets/{budget_id}", response={200: BudgetOut, **ERRORS})
def get_budget(request, company_id: int, budget_id: int):
    membership = selectors.require_member(user=request.auth, company_id=company_id)
    return budget_reads.budget_for(membership=membership, budget_id=budget_id)


@router.patch("/v1/companies/{company_id}/budgets/{budget_id}", response={200: BudgetOut, **ERRORS})
def update_budget(request, company_id: int, budget_id: int, payload: BudgetPatch):
    return budgets.update_budget(
        user=request.auth, company_id=company_id, budget_id=budget_id, amount=payload.amount
    )


@router.delete("/v1/companies/{company_id}/budgets/{budget_id}", response={204: None, **ERRORS})
def delete_budget(request, company_id: int, budget_id: int):
    budgets.delete_budget(user=request.auth, company_id=company_id, budget_id=budget_id)
    return Status(204, None)


# --- delegations ----------------------------------------------------------------------------


@router.get("/v1/companies/{company_id}/delegations", response={200: list[DelegationOut], **ERRORS})
def list_delegations(request, company_id: int, all: bool = False):  # noqa: A002
    """The caller's delegations, given or received; ``all``: the company's."""
    membership = selectors.require_member(user=request.auth, company_id=company_id)
    if all:
        return delegation_reads.company_delegations(membership=membership)
    return delegation_reads.delegations_of(membership=membership)


@router.post("/v1/companies/{company_id}/delegations", response={201: DelegationOut, **ERRORS})
def create_delegation(request, company_id: int, payload: DelegationIn):
    delegation = delegations.create_delegation(
        user=request.auth, company_id=company_id, **payload.dict()
    )
    membership = selectors.require_member(user=request.auth, company_id=company_id)
    return Status(
        201, delegation_reads.delegation_for(membership=membership, delegation_id=delegation.pk)
    )


@router.post(
    "/v1/companies/{company_id}/delegations/{delegation_id}/revoke",
    response={200: DelegationOut, **ERRORS},
)
def revoke_delegation(request, company_id: int, delegation_id: int):
    return delegations.revoke_delegation(
        user=request.auth, company_id=company_id, delegation_id=delegation_id
    )


# --- purchasing settings --------------------------------------------------------------------


@router.get("/v1/companies/{company_id}/purchasing_settings", response={200: SettingsOut, **ERRORS})
def get_settings(request, company_id: int):
    return selectors.company_for(user=request.auth, company_id=company_id)


@router.patch(
    "/v1/companies/{company_id}/purchasing_settings", response={200: SettingsOut, **ERRORS}
)
def update_settings(request, company_id: int, payload: SettingsPatch):
    """The fields sent change; the others keep their values."""
    company = selectors.company_for(user=request.auth, company_id=company_id)
    values = {
        "hold_days": company.hold_days,
        "po_required": company.po_required,
        "po_unique": company.po_unique,
    }
    values.update({key: getattr(payload, key) for key in payload.model_fields_set})
    return purchasing_settings.update_purchasing_settings(
        user=request.auth, company_id=company_id, **values
    )

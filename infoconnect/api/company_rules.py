"""A company's approval rules under /v1/companies/{id}/approval_rules: each rule with its
conditions and its levels (each with its approvers) nested in the body.

Only a company-wide admin reads and writes the rules; PATCH replaces the levels as a whole
when it sends them, in one transaction. ``evaluate`` answers, for any current member, which
rules fire for a requisition's facts and why (what a buyer is shown before submitting). Not
a member is a 404 (``not_a_member``), a member who is not an admin a 403 (``role_required``),
bad input a 422 (an unknown field too).
"""

from typing import Literal

from ninja import Field, Router, Schema, Status

from infoconnect.api.schemas import ErrorOut, StrictSchema
from infoconnect.procurement import rules, selectors
from infoconnect.procurement.actions import rules as rule_actions
from infoconnect.procurement.models import LevelApprover, Role

router = Router(tags=["companies"])

MAX_FEN = 2**63 - 1


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ApproverIn(StrictSchema):
    """Either ``user_id`` (a current member), or ``role`` with an optional ``department_id``."""

    user_id: int | None = None
    role: Literal["", "admin", "buyer", "approver", "finance", "viewer"] = ""
    department_id: int | None = None


class LevelIn(StrictSchema):
    mode: Literal["any", "all"] = "any"
    is_over_budget: bool = False
    approvers: list[ApproverIn] = []


class RuleIn(StrictSchema):
    name: str
    active: bool = True
    min_total: int | None = Field(None, description="fen; the total at least this")
    category_id: int | None = None
    merchant_id: int | None = None
    department_id: int | None = None
    deadline_hours: int = 48
    allow_self_approval: bool = False
    levels: list[LevelIn] = []


class RulePatch(StrictSchema):
    """The fields sent change (null removes a condition); ``levels`` replaces them all;
    ``position`` (1 is first) moves the rule in the company's list."""

    name: str | None = None
    active: bool | None = None
    min_total: int | None = None
    category_id: int | None = None
    merchant_id: int | None = None
    department_id: int | None = None
    deadline_hours: int | None = None
    allow_self_approval: bool | None = None
    levels: list[LevelIn] | None = None
    position: int | None = None


class ApproverOut(Schema):
    id: int
    user_id: int | None
    username: str | None
    role: str
    department_id: int | None

    @staticmethod
    def resolve_username(approver: LevelApprover) -> str | None:
        return approver.user.username if approver.user_id else None


class LevelOut(Schema):
    id: int
    position: int
    mode: str
    is_over_budget: bool
    approvers: list[ApproverOut]


class RuleOut(Schema):
    id: int
    name: str
    position: int
    active: bool
    min_total: int | None
    category_id: int | None
    merchant_id: int | None
    department_id: int | None
    deadline_hours: int
    allow_self_approval: bool
    conditions: str
    levels: list[LevelOut]

    @staticmethod
    def resolve_conditions(rule) -> str:
        return rules.conditions_sentence(rule)


class EvaluateIn(StrictSchema):
    total: int = Field(..., ge=0, le=MAX_FEN, description="fen")
    category_ids: list[int] = []
    merchant_ids: list[int] = []
    department_id: int | None = None


class FiringOut(Schema):
    rule_id: int
    name: str
    explanation: str
    levels: list[LevelOut]


def _levels(levels: list[LevelIn]) -> list[rule_actions.LevelSpec]:
    return [
        rule_actions.LevelSpec(
            mode=level.mode,
            is_over_budget=level.is_over_budget,
            approvers=[
                rule_actions.ApproverSpec(**approver.dict()) for approver in level.approvers
            ],
        )
        for level in levels
    ]


def _admin_company(user, company_id: int):
    return selectors.require_role(user=user, company_id=company_id, role=Role.ADMIN).company


@router.get("/v1/companies/{company_id}/approval_rules", response={200: list[RuleOut], **ERRORS})
def list_rules(request, company_id: int):
    """The company's rules in order."""
    return rules.company_rules(company=_admin_company(request.auth, company_id))


@router.post("/v1/companies/{company_id}/approval_rules", response={201: RuleOut, **ERRORS})
def create_rule(request, company_id: int, payload: RuleIn):
    """A rule at the end of the list, with its levels."""
    values = payload.dict(exclude={"levels"})
    rule = rule_actions.create_rule(
        user=request.auth, company_id=company_id, levels=_levels(payload.levels), **values
    )
    return Status(201, rules.company_rule(company=rule.company, rule_id=rule.pk))


@router.post(
    "/v1/companies/{company_id}/approval_rules/evaluate", response={200: list[FiringOut], **ERRORS}
)
def evaluate(request, company_id: int, payload: EvaluateIn):
    """The active rules that fire for these facts, in order, each with its levels and why."""
    membership = selectors.require_member(user=request.auth, company_id=company_id)
    department = selectors.company_department(
        company_id=membership.company_id, department_id=payload.department_id
    )
    firing = rules.rules_that_fire(
        company=membership.company,
        total=payload.total,
        category_ids=payload.category_ids,
        merchant_ids=payload.merchant_ids,
        department=department,
    )
    return [
        {
            "rule_id": fired.rule.pk,
            "name": fired.rule.name,
            "explanation": fired.explanation,
            "levels": fired.levels,
        }
        for fired in firing
    ]


@router.get(
    "/v1/companies/{company_id}/approval_rules/{rule_id}", response={200: RuleOut, **ERRORS}
)
def get_rule(request, company_id: int, rule_id: int):
    return rules.company_rule(company=_admin_company(request.auth, company_id), rule_id=rule_id)


@router.patch(
    "/v1/companies/{company_id}/approval_rules/{rule_id}", response={200: RuleOut, **ERRORS}
)
def update_rule(request, company_id: int, rule_id: int, payload: RulePatch):
    sent = payload.model_fields_set
    changes = {key: getattr(payload, key) for key in rule_actions.RULE_FIELDS if key in sent}
    extra = {}
    if "levels" in sent and payload.levels is not None:
        extra["levels"] = _levels(payload.levels)
    if "position" in sent and payload.position is not None:
        extra["position"] = payload.position
    rule = rule_actions.update_rule(
        user=request.auth, company_id=company_id, rule_id=rule_id, **changes, **extra
    )
    return rules.company_rule(company=rule.company, rule_id=rule.pk)


@router.delete(
    "/v1/companies/{company_id}/approval_rules/{rule_id}", response={204: None, **ERRORS}
)
def delete_rule(request, company_id: int, rule_id: int):
    rule_actions.delete_rule(user=request.auth, company_id=company_id, rule_id=rule_id)
    return Status(204, None)

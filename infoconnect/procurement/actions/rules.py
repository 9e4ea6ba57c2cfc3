"""A company's approval rules: their conditions, their ordered levels and each level's
approvers. Only a company-wide admin edits them.

Every edit takes the company row's lock (the one the department tree's changes take), so two
edits of one company's rules never interleave: positions stay 1..n without gaps, and a
department named by a rule cannot be deleted meanwhile. A refused edit writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Max, QuerySet

from infoconnect.core.errors import CommonError, DomainError
from infoconnect.core.ids import is_id, parse_id
from infoconnect.procurement import selectors
from infoconnect.procurement.actions.departments import KEEP, lock_tree
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.models import (
    ApprovalLevel,
    ApprovalRule,
    LevelApprover,
    Membership,
    Role,
)
from infoconnect.shop.models import Category

if TYPE_CHECKING:
    from infoconnect.accounts.models import User

__all__ = [
    "KEEP",
    "ApproverSpec",
    "LevelSpec",
    "RULE_FIELDS",
    "add_approver",
    "add_level",
    "create_rule",
    "delete_rule",
    "move_level",
    "move_rule",
    "remove_approver",
    "remove_level",
    "update_level",
    "update_rule",
]

# The fields ``update_rule`` changes (the others are the rule's levels and its position).
RULE_FIELDS = (
    "name",
    "active",
    "min_total",
    "category_id",
    "merchant_id",
    "department_id",
    "deadline_hours",
    "allow_self_approval",
)
NAME_MAX_LENGTH = ApprovalRule._meta.get_field("name").max_length
# Renumbering first moves every row out of the way, then to its place (positions are unique).
SHIFT = 1_000_000


@dataclass(frozen=True)
class ApproverSpec:
    """A member (``user_id``), or a role over a department (None: the whole company)."""

    user_id: int | None = None
    role: str = ""
    department_id: int | None = None


@dataclass(frozen=True)
class LevelSpec:
    mode: str = ApprovalLevel.Mode.ANY
    is_over_budget: bool = False
    approvers: Sequence[ApproverSpec] = field(default_factory=tuple)


# --- checks ---------------------------------------------------------------------------------


def _admin(user: User, company_id: int) -> Membership:
    membership = selectors.require_role(user=user, company_id=company_id, role=Role.ADMIN)
    lock_tree(membership.company_id)
    return membership


def _rule(company_id: int, rule_id: object) -> ApprovalRule:
    found = parse_id(rule_id)
    rule = ApprovalRule.objects.filter(pk=found, company_id=company_id).first() if found else None
    if rule is None:
        raise DomainError(ProcurementError.RULE_NOT_FOUND)
    return rule


def _level(company_id: int, level_id: object) -> ApprovalLevel:
    found = parse_id(level_id)
    level = (
        ApprovalLevel.objects.select_related("rule")
        .filter(pk=found, rule__company_id=company_id)
        .first()
        if found
        else None
    )
    if level is None:
        raise DomainError(ProcurementError.LEVEL_NOT_FOUND)
    return level


def _clean(company_id: int, name: str, value: object) -> object:
    """One rule field's value, checked: what the model stores for it."""
    if name == "name":
        text = (value or "").strip() if isinstance(value, str | None) else ""
        if not 1 <= len(text) <= NAME_MAX_LENGTH:
            raise DomainError(ProcurementError.RULE_NAME_INVALID)
        return text
    if name in ("active", "allow_self_approval"):
        if not isinstance(value, bool):
            raise DomainError(CommonError.VALIDATION, f"{name}: true or false", fields={name: []})
        return value
    if name == "min_total":
        if value is None:
            return None
        if not is_id(value):
            raise DomainError(ProcurementError.RULE_AMOUNT_INVALID)
        return value
    if name == "deadline_hours":
        hours = parse_id(value)
        if hours is None or hours > 720:
            raise DomainError(ProcurementError.RULE_DEADLINE_INVALID)
        return hours
    if value in (None, ""):
        return None
    found = parse_id(value)
    if name == "category_id":
        if found is None or not Category.objects.filter(pk=found).exists():
            raise DomainError(ProcurementError.CATEGORY_NOT_FOUND)
        return found
    if name == "merchant_id":
        merchants = get_user_model().objects.filter(pk=found, is_verified_merchant=True)
        if found is None or not merchants.exists():
            raise DomainError(ProcurementError.MERCHANT_NOT_VERIFIED)
        return found
    # department_id: one of this company's departments.
    return selectors.company_department(company_id=company_id, department_id=value).pk


def _approver(company_id: int, level: ApprovalLevel, spec: ApproverSpec) -> LevelApprover:
    if spec.user_id is not None:
        if spec.role or spec.department_id is not None:
            raise DomainError(ProcurementError.APPROVER_INVALID)
        found = parse_id(spec.user_id)
        member = Membership.objects.filter(
            company_id=company_id, user_id=found, ended_at__isnull=True
        )
        if found is None or not member.exists():
            raise DomainError(ProcurementError.APPROVER_NOT_MEMBER)
        approver = LevelApprover(level=level, user_id=found)
    elif spec.role:
        if spec.role not in Role.values:
            raise DomainError(ProcurementError.INVALID_ROLE)
        department = selectors.company_department(
            company_id=company_id, department_id=spec.department_id
        )
        approver = LevelApprover(level=level, role=spec.role, department=department)
    else:
        raise DomainError(ProcurementError.APPROVER_INVALID)
    try:
        with transaction.atomic():
            approver.save()
    except IntegrityError:
        raise DomainError(ProcurementError.APPROVER_ALREADY_NAMED) from None
    return approver


def _mode(mode: object) -> str:
    if mode not in ApprovalLevel.Mode.values:
        raise DomainError(ProcurementError.LEVEL_MODE_INVALID)
    return str(mode)


def _new_level(company_id: int, rule: ApprovalRule, spec: LevelSpec) -> ApprovalLevel:
    if spec.is_over_budget and rule.levels.filter(is_over_budget=True).exists():
        raise DomainError(ProcurementError.OVER_BUDGET_LEVEL_EXISTS)
    last = rule.levels.aggregate(last=Max("position"))["last"] or 0
    level = ApprovalLevel.objects.create(
        rule=rule,
        position=last + 1,
        mode=_mode(spec.mode),
        is_over_budget=bool(spec.is_over_budget),
    )
    for approver in spec.approvers:
        _approver(company_id, level, approver)
    return level


def _renumber(rows: QuerySet, ordered_ids: Iterable[int]) -> None:
    rows.update(position=F("position") + SHIFT)
    for position, pk in enumerate(ordered_ids, start=1):
        rows.filter(pk=pk).update(position=position)


def _moved(rows: QuerySet, pk: int, position: object) -> None:
    """Put row ``pk`` of ``rows`` at ``position`` (1..n), the others keeping their order."""
    ids = list(rows.order_by("position").values_list("pk", flat=True))
    to = parse_id(position)
    if to is None or to > len(ids):
        raise DomainError(ProcurementError.POSITION_INVALID)
    ids.remove(pk)
    ids.insert(to - 1, pk)
    _renumber(rows, ids)


# --- rules ----------------------------------------------------------------------------------


@transaction.atomic
def create_rule(
    *,
    user: User,
    company_id: int,
    name: str,
    min_total: int | None = None,
    category_id: int | None = None,
    merchant_id: int | None = None,
    department_id: int | None = None,
    deadline_hours: int = 48,
    allow_self_approval: bool = False,
    active: bool = True,
    levels: Sequence[LevelSpec] = (),
) -> ApprovalRule:
    """A rule at the end of the company's list, with its ``levels`` in order."""
    membership = _admin(user, company_id)
    values = {
        "name": name,
        "active": active,
        "min_total": min_total,
        "category_id": category_id,
        "merchant_id": merchant_id,
        "department_id": department_id,
        "deadline_hours": deadline_hours,
        "allow_self_approval": allow_self_approval,
    }
    cleaned = {key: _clean(membership.company_id, key, value) for key, value in values.items()}
    last = ApprovalRule.objects.filter(company_id=membership.company_id).aggregate(
        last=Max("position")
    )["last"]
    rule = ApprovalRule.objects.create(
        company_id=membership.company_id, position=(last or 0) + 1, **cleaned
    )
    for spec in levels:
        _new_level(membership.company_id, rule, spec)
    return rule


@transaction.atomic
def update_rule(
    *,
    user: User,
    company_id: int,
    rule_id: int,
    levels: Sequence[LevelSpec] | object = KEEP,
    position: int | object = KEEP,
    **changes: object,
) -> ApprovalRule:
    """Change the fields in ``changes`` (names from RULE_FIELDS); ``levels`` replaces all the
    rule's levels and approvers; ``position`` moves it in the company's list."""
    membership = _admin(user, company_id)
    rule = _rule(membership.company_id, rule_id)
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"update_rule() got unexpected fields {sorted(unknown)}")
    for key, value in changes.items():
        setattr(rule, key, _clean(membership.company_id, key, value))
    if changes:
        rule.save(update_fields=[key.removesuffix("_id") for key in changes])
    if levels is not KEEP:
        rule.levels.all().delete()
        for spec in levels:
            _new_level(membership.company_id, rule, spec)
    if position is not KEEP:
        _moved(ApprovalRule.objects.filter(company_id=membership.company_id), rule.pk, position)
        rule.refresh_from_db(fields=["position"])
    return rule


@transaction.atomic
def move_rule(*, user: User, company_id: int, rule_id: int, position: int) -> ApprovalRule:
    """Put the rule at ``position`` (1 is first) in the company's list."""
    return update_rule(user=user, company_id=company_id, rule_id=rule_id, position=position)


@transaction.atomic
def delete_rule(*, user: User, company_id: int, rule_id: int) -> None:
    membership = _admin(user, company_id)
    rule = _rule(membership.company_id, rule_id)
    rule.delete()
    rest = ApprovalRule.objects.filter(company_id=membership.company_id)
    _renumber(rest, rest.order_by("position").values_list("pk", flat=True))


# --- levels and approvers -------------------------------------------------------------------


@transaction.atomic
def add_level(
    *,
    user: User,
    company_id: int,
    rule_id: int,
    mode: str = ApprovalLevel.Mode.ANY,
    is_over_budget: bool = False,
    approvers: Sequence[ApproverSpec] = (),
) -> ApprovalLevel:
    """A level after the rule's last one."""
    membership = _admin(user, company_id)
    rule = _rule(membership.company_id, rule_id)
    spec = LevelSpec(mode=mode, is_over_budget=is_over_budget, approvers=approvers)
    return _new_level(membership.company_id, rule, spec)


@transaction.atomic
def update_level(
    *,
    user: User,
    company_id: int,
    level_id: int,
    mode: str | None = None,
    is_over_budget: bool | None = None,
) -> ApprovalLevel:
    membership = _admin(user, company_id)
    level = _level(membership.company_id, level_id)
    if mode is not None:
        level.mode = _mode(mode)
    if is_over_budget is not None:
        others = level.rule.levels.exclude(pk=level.pk).filter(is_over_budget=True)
        if is_over_budget and others.exists():
            raise DomainError(ProcurementError.OVER_BUDGET_LEVEL_EXISTS)
        level.is_over_budget = bool(is_over_budget)
    level.save(update_fields=["mode", "is_over_budget"])
    return level


@transaction.atomic
def move_level(*, user: User, company_id: int, level_id: int, position: int) -> ApprovalLevel:
    membership = _admin(user, company_id)
    level = _level(membership.company_id, level_id)
    _moved(ApprovalLevel.objects.filter(rule_id=level.rule_id), level.pk, position)
    level.refresh_from_db(fields=["position"])
    return level


@transaction.atomic
def remove_level(*, user: User, company_id: int, level_id: int) -> None:
    membership = _admin(user, company_id)
    level = _level(membership.company_id, level_id)
    level.delete()
    rest = ApprovalLevel.objects.filter(rule_id=level.rule_id)
    _renumber(rest, rest.order_by("position").values_list("pk", flat=True))


@transaction.atomic
def add_approver(
    *,
    user: User,
    company_id: int,
    level_id: int,
    user_id: int | None = None,
    role: str = "",
    department_id: int | None = None,
) -> LevelApprover:
    """Name a current member, or a role over one of the company's departments (None: over
    the whole company), as an approver of the level."""
    membership = _admin(user, company_id)
    level = _level(membership.company_id, level_id)
    spec = ApproverSpec(user_id=user_id, role=role or "", department_id=department_id)
    return _approver(membership.company_id, level, spec)


@transaction.atomic
def remove_approver(*, user: User, company_id: int, approver_id: int) -> None:
    membership = _admin(user, company_id)
    found = parse_id(approver_id)
    approvers = LevelApprover.objects.filter(
        pk=found, level__rule__company_id=membership.company_id
    )
    if found is None or not approvers.exists():
        raise DomainError(ProcurementError.APPROVER_NOT_FOUND)
    approvers.delete()

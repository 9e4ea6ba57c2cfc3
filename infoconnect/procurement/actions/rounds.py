"""A round of approval: the steps the company's rules ask for, run one after another.

Submitting starts round 1; a change to what was approved (a price rise, a line, the address),
or a budget found short when the last level approves, starts the next. Starting a round
evaluates the rules (with the requester's rolling 30-day totals and whether a budget would be
exceeded), writes one step per level that applies and activates the first. Activating a step
writes who may decide it (``approvers.py``), sets its deadline and tells them in their inbox.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from infoconnect.core.errors import DomainError
from infoconnect.procurement import approvers
from infoconnect.procurement.actions import notices
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.evaluation import evaluate
from infoconnect.procurement.inserts import insert_rows
from infoconnect.procurement.lifecycle import OPEN_STEP_STATES, approval_steps
from infoconnect.procurement.models import (
    ApprovalStep,
    Requisition,
    RequisitionLine,
    StepAssignee,
)

StepState = ApprovalStep.State


def start_round(
    requisition: Requisition,
    *,
    now: datetime,
    over_budget: bool | None = None,
    lines: list[RequisitionLine] | None = None,
) -> list[ApprovalStep]:
    """Write the steps of ``requisition.round`` (already advanced by the caller's move) and
    activate the first; no step when no rule fires. ``no_approver`` when a step would have no
    one to decide it, ``over_budget`` when a budget would be exceeded and no rule's
    over-budget level applies. ``lines``: the requisition's lines as the caller has just
    written them (read again otherwise)."""
    if lines is None:
        lines = list(requisition.lines.all())
    evaluation = evaluate(requisition, lines, now=now, over_budget=over_budget)
    if evaluation.blocked_by_budget:
        raise DomainError(ProcurementError.OVER_BUDGET)
    over_budget, firing = evaluation.over_budget, evaluation.firing
    if requisition.over_budget != over_budget:
        Requisition.objects.filter(pk=requisition.pk).update(over_budget=over_budget)
        requisition.over_budget = over_budget
    levels = [(fired, level) for fired in firing for level in fired.levels]
    found_by_level = approvers.levels_approvers(
        [(level, fired.rule.allow_self_approval) for fired, level in levels], requisition, at=now
    )
    steps = []
    for (fired, level), found in zip(levels, found_by_level, strict=True):
        if not found:
            raise DomainError(ProcurementError.NO_APPROVER)
        steps.append(
            ApprovalStep(
                requisition=requisition,
                round=requisition.round,
                position=len(steps) + 1,
                rule=fired.rule,
                level=level,
                rule_name=fired.rule.name,
                explanation=fired.explanation[:500],
                explanations={
                    code: fired.explained_in(code)[:500] for code, _name in settings.LANGUAGES
                },
                mode=level.mode,
                is_over_budget=level.is_over_budget,
                allow_self_approval=fired.rule.allow_self_approval,
                deadline_hours=fired.rule.deadline_hours,
            )
        )
    steps = approval_steps.create_all(steps, activate_at=now)
    if steps:
        _assign(steps[0], requisition, found_by_level[0])
    return steps


def activate(
    step: ApprovalStep,
    requisition: Requisition,
    *,
    now: datetime,
    found: list[approvers.Approver] | None = None,
) -> None:
    """The step waits for its approvers (``found`` when the caller has just resolved them),
    who are told; with none left (they left the company since the submit), it goes to the
    escalation approvers at once."""
    if found is None:
        found = (
            approvers.level_approvers(
                step.level, requisition, allow_self=step.allow_self_approval, at=now
            )
            if step.level_id
            else []
        )
    if not found:
        found = approvers.escalation_approvers(requisition, already=set(), at=now)
    approval_steps.move(
        step,
        "activate",
        now=now,
        activated_at=now,
        due_at=now + timedelta(hours=step.deadline_hours),
    )
    _assign(step, requisition, found)


def _assign(step: ApprovalStep, requisition: Requisition, found: list[approvers.Approver]) -> None:
    """The waiting step's approvers are written and told."""
    insert_rows(
        [
            StepAssignee(step=step, user_id=a.user_id, via=a.via, on_behalf_of_id=a.on_behalf_of_id)
            for a in found
        ],
        ignore_conflicts=True,
    )
    notices.approval_requested(requisition, [a.user_id for a in found])


def current_step(requisition: Requisition, *, lock: bool = False) -> ApprovalStep | None:
    """The round's step waiting for a decision, if any."""
    steps = ApprovalStep.objects.filter(
        requisition=requisition, round=requisition.round, state__in=OPEN_STEP_STATES
    )
    if lock:
        steps = steps.select_for_update()
    return steps.order_by("position").first()


def round_steps(requisition: Requisition, *, lock: bool = False) -> list[ApprovalStep]:
    """The round's steps in order (a decision reads the waiting one and what follows it)."""
    steps = ApprovalStep.objects.filter(requisition=requisition, round=requisition.round)
    if lock:
        steps = steps.select_for_update()
    return list(steps.order_by("position"))


def next_queued(requisition: Requisition) -> ApprovalStep | None:
    return (
        ApprovalStep.objects.filter(
            requisition=requisition, round=requisition.round, state=StepState.QUEUED
        )
        .select_related("level")
        .order_by("position")
        .first()
    )


def supersede_open(requisition: Requisition, *, now: datetime) -> None:
    """The round ends another way: its undecided steps are superseded."""
    for step in ApprovalStep.objects.filter(
        requisition=requisition, state__in=approval_steps.sources("supersede")
    ).order_by("pk"):
        approval_steps.move(step, "supersede", strict=False, now=now, decided_at=now)

"""Deciding a requisition: approve, reject, send lines back, and escalation past a deadline.

Only the waiting step's assignees decide (``approvers.py``), never the requester unless the
rule allows it, which the decision records. Each decision stores the digest and snapshot of
what the approver saw; an approver whose page showed an older version (``digest``) is told it
changed. An approval is checked against the round's earlier ones first: a price rise or any
other change sends the requisition back to approval. A level that needs all its approvers
completes when each named or role approver approved, themselves or through a delegate;
escalated steps complete with any one approval.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Exists
from django.utils import timezone
from django.utils.translation import gettext as _

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.procurement import approvers, digest
from infoconnect.procurement.actions import notices, ordering, rounds
from infoconnect.procurement.actions.requisitions import absorb_cart
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.lifecycle import (
    OPEN_STEP_STATES,
    approval_steps,
    record_requisition_event,
    requisitions,
)
from infoconnect.procurement.models import (
    ApprovalDecision,
    ApprovalLevel,
    ApprovalStep,
    Membership,
    Requisition,
    RequisitionLine,
    StepAssignee,
)
from infoconnect.procurement.requisition_reads import member_requisition

Decision = ApprovalDecision.Decision
Via = StepAssignee.Via
REASON_MAX_LENGTH = 500


def _decider(
    user: User, requisition_id: object
) -> tuple[Requisition, Membership, list[ApprovalStep], ApprovalStep, StepAssignee]:
    """The requisition, the decider's membership, the round's steps (locked), the waiting
    step and the decider's place on it."""
    requisition, membership = member_requisition(
        user=user, requisition_id=requisition_id, lock=True
    )
    if requisition.state != Requisition.State.PENDING:
        raise DomainError(ProcurementError.REQUISITION_INVALID_STATE)
    steps = rounds.round_steps(requisition, lock=True)
    step = next((s for s in steps if s.state in OPEN_STEP_STATES), None)
    if step is None:
        raise DomainError(ProcurementError.STEP_NOT_WAITING)
    if user.pk == requisition.requester_id and not step.allow_self_approval:
        raise DomainError(ProcurementError.SELF_APPROVAL)
    # Their assignment and whether they decided already, in one read.
    assignee = (
        StepAssignee.objects.filter(step=step, user_id=user.pk)
        .annotate(decided=Exists(ApprovalDecision.objects.filter(step=step, approver_id=user.pk)))
        .first()
    )
    if assignee is None:
        assignee = _stand_in(step, requisition, user)
        if assignee is None:
            raise DomainError(ProcurementError.NOT_AN_APPROVER)
        assignee.decided = ApprovalDecision.objects.filter(step=step, approver_id=user.pk).exists()
    if assignee.decided:
        raise DomainError(ProcurementError.STEP_NOT_WAITING)
    return requisition, membership, steps, step, assignee


def _stand_in(step: ApprovalStep, requisition: Requisition, user: User) -> StepAssignee | None:
    """A delegation that began after the step was activated: the delegate stands in now."""
    if user.pk == requisition.requester_id:
        return None
    principals = set(
        StepAssignee.objects.filter(step=step)
        .exclude(via=Via.DELEGATE)
        .values_list("user_id", flat=True)
    )
    now = timezone.now()
    for delegator, stand_ins in approvers.delegates(
        requisition.company_id, principals, now
    ).items():
        if user.pk in stand_ins:
            return StepAssignee.objects.create(
                step=step, user=user, via=Via.DELEGATE, on_behalf_of_id=delegator
            )
    return None


def _decide(
    step: ApprovalStep,
    requisition: Requisition,
    assignee: StepAssignee,
    *,
    user: User,
    decision: str,
    snap: dict,
    reason: str = "",
    now: datetime,
) -> ApprovalDecision:
    made = ApprovalDecision.objects.create(
        step=step,
        requisition=requisition,
        approver=user,
        on_behalf_of_id=assignee.on_behalf_of_id,
        decision=decision,
        reason=reason,
        digest=digest.digest(snap),
        snapshot=snap,
        self_approved=user.pk == requisition.requester_id,
        created_at=now,
    )
    record_requisition_event(
        requisition.pk,
        f"step_{decision}",
        actor_id=user.pk,
        note=reason or step.rule_name,
        at=now,
    )
    return made


def step_complete(step: ApprovalStep) -> bool:
    """Any one approval completes an "any" or escalated step; an "all" step needs each
    named or role approver's own approval or their delegate's."""
    if step.mode == ApprovalLevel.Mode.ANY or step.state == ApprovalStep.State.ESCALATED:
        return True
    principals = set(
        StepAssignee.objects.filter(step=step, via__in=[Via.NAMED, Via.ROLE]).values_list(
            "user_id", flat=True
        )
    )
    covered: set[int] = set()
    for approver_id, on_behalf_of_id in ApprovalDecision.objects.filter(
        step=step, decision=Decision.APPROVE
    ).values_list("approver_id", "on_behalf_of_id"):
        covered.add(on_behalf_of_id or approver_id)
    return principals <= covered


@transaction.atomic
def approve_requisition(
    *, user: User, requisition_id: object, seen_digest: str | None = None
) -> Requisition:
    """The approver approves the waiting step; the last approval places the orders."""
    now = timezone.now()
    requisition, _m, steps, step, assignee = _decider(user, requisition_id)
    snap, lines, skus = ordering.current_snapshot(requisition)
    if seen_digest and seen_digest != digest.digest(snap):
        raise DomainError(ProcurementError.REQUISITION_CHANGED)
    change = ordering.bound_change(requisition, snap)
    if change is digest.Change.CHANGED:
        ordering.reapprove(
            requisition, now=now, why=_("what was approved has changed"), lines=lines,
            actor_id=user.pk,
        )  # fmt: skip
        return requisition
    _decide(step, requisition, assignee, user=user, decision=Decision.APPROVE, snap=snap, now=now)
    if not step_complete(step):
        return requisition
    approval_steps.move(step, "approve", now=now, decided_at=now)
    if any(s.state == ApprovalStep.State.QUEUED for s in steps):
        rounds.activate(rounds.next_queued(requisition), requisition, now=now)
    else:
        # This approval saw ``snap``: the binding just checked holds for the orders too.
        ordering.finish_approval(
            requisition, now=now, actor_id=user.pk, checked=(snap, lines, skus, change),
            over_allowed=any(
                s.is_over_budget and s.state == ApprovalStep.State.APPROVED for s in steps
            ),
        )  # fmt: skip
    return requisition


def clean_reason(value: object) -> str:
    text = str(value or "").strip()
    if not text or len(text) > REASON_MAX_LENGTH:
        raise DomainError(ProcurementError.REASON_REQUIRED_TO_REJECT)
    return text


@transaction.atomic
def reject_requisition(
    *,
    user: User,
    requisition_id: object,
    reason: object,
    line_ids: list[object] | None = None,
) -> Requisition:
    """Reject it whole (final), or, naming lines, send it back to the requester to change
    those lines (a draft again, their reasons on the lines)."""
    now = timezone.now()
    reason = clean_reason(reason)
    requisition, _m, _steps, step, assignee = _decider(user, requisition_id)
    returned: list[int] = []
    if line_ids:
        wanted = {parse_id(pk) for pk in line_ids}
        returned = list(
            RequisitionLine.objects.filter(requisition=requisition, pk__in=wanted).values_list(
                "pk", flat=True
            )
        )
        if None in wanted or len(returned) != len(wanted):
            raise DomainError(ProcurementError.LINE_NOT_FOUND)
    snap = ordering.current_snapshot(requisition)[0]
    decision = Decision.RETURN if returned else Decision.REJECT
    _decide(
        step, requisition, assignee, user=user, decision=decision, snap=snap, reason=reason,
        now=now,
    )  # fmt: skip
    approval_steps.move(step, "reject", now=now, decided_at=now)
    rounds.supersede_open(requisition, now=now)
    ordering.release_holds(requisition)
    if returned:
        absorb_cart(requisition)
        RequisitionLine.objects.filter(pk__in=returned).update(returned_reason=reason)
        requisitions.move(
            requisition, "return", now=now, decision_reason=reason, hold_expires_at=None,
            updated_at=now, context={"actor_id": user.pk, "note": reason},
        )  # fmt: skip
        notices.returned(requisition, reason)
    else:
        requisitions.move(
            requisition, "reject", now=now, decision_reason=reason, closed_at=now,
            updated_at=now, context={"actor_id": user.pk, "note": reason},
        )  # fmt: skip
        notices.rejected(requisition, reason)
    return requisition


@transaction.atomic
def escalate_step(*, approvalstep_id: int, now: datetime | None = None) -> bool:
    """A step waiting past its deadline goes to the parent department's approvers too (never
    the requester); they and those first asked are told."""
    now = now or timezone.now()
    step = (
        ApprovalStep.objects.select_for_update()
        .filter(pk=approvalstep_id, state=ApprovalStep.State.WAITING, due_at__lte=now)
        .first()
    )
    if step is None:
        return False
    requisition = Requisition.objects.select_related("company", "department", "requester").get(
        pk=step.requisition_id
    )
    already = set(StepAssignee.objects.filter(step=step).values_list("user_id", flat=True))
    found = approvers.escalation_approvers(requisition, already=already, at=now)
    StepAssignee.objects.bulk_create(
        [
            StepAssignee(step=step, user_id=a.user_id, via=a.via, on_behalf_of_id=a.on_behalf_of_id)
            for a in found
        ],
        ignore_conflicts=True,
    )
    approval_steps.move(step, "escalate", now=now, escalated_at=now)
    record_requisition_event(
        requisition.pk, "escalated", actor_id=None, note=step.rule_name, at=now
    )
    notices.escalated(requisition, [a.user_id for a in found], [*already, requisition.requester_id])
    return True

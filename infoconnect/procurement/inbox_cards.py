"""The requisition card on the company account's messages in a member's inbox (reads only).

The card is live: it shows the requisition as it stands now, not as it stood when the message
was sent, and only to a member who may see it. Its Approve and Reject are drawn for an
assignee of the waiting step who is not the requester (unless the step allows self-approval);
Approve carries the digest of what the card showed, so a change since then is caught.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from infoconnect.accounts.models import User
from infoconnect.procurement import digest
from infoconnect.procurement.actions import ordering, rounds
from infoconnect.procurement.models import (
    ApprovalStep,
    Membership,
    Requisition,
    RequisitionLine,
    StepAssignee,
)
from infoconnect.procurement.requisition_reads import may_see
from infoconnect.procurement.selectors import current_membership
from infoconnect.procurement.terms_reads import AskedInvoice, asked_invoice

CARD_LINES = 10


def requisition_path(company_id: int, requisition_id: int) -> str:
    """The requisition's page."""
    return f"/companies/{company_id}/requisitions/{requisition_id}/"


@dataclass
class RequisitionCard:
    requisition_id: int
    # None when the viewer may not see it (no longer a member, or never allowed to).
    requisition: Requisition | None = None
    lines: list[RequisitionLine] = field(default_factory=list)
    more_lines: int = 0
    # Why approval is asked: the explanations of the round's steps that fired.
    explanations: list[str] = field(default_factory=list)
    waiting_step: ApprovalStep | None = None
    can_decide: bool = False
    digest: str = ""
    # The VAT invoice its orders ask for: approvers see the kind and title chosen.
    asked_invoice: AskedInvoice | None = None
    template: str = "procurement/_requisition_card.html"

    @property
    def visible(self) -> bool:
        return self.requisition is not None

    @property
    def url(self) -> str:
        requisition = self.requisition
        return requisition_path(requisition.company_id, requisition.pk) if requisition else ""


def may_decide(user: User, requisition: Requisition, step: ApprovalStep | None) -> bool:
    """The rule approvals.py enforces, asked before drawing the buttons."""
    if step is None or requisition.state != Requisition.State.PENDING:
        return False
    if user.pk == requisition.requester_id and not step.allow_self_approval:
        return False
    return StepAssignee.objects.filter(step=step, user_id=user.pk).exists()


def _card(viewer: User, requisition: Requisition, membership: Membership | None) -> RequisitionCard:
    if membership is None or not may_see(membership, requisition):
        return RequisitionCard(requisition_id=requisition.pk)
    lines = list(requisition.lines.order_by("pk")[: CARD_LINES + 1])
    more = 0
    if len(lines) > CARD_LINES:
        more = requisition.lines.count() - CARD_LINES
        lines = lines[:CARD_LINES]
    steps = list(
        ApprovalStep.objects.filter(requisition=requisition, round=requisition.round).order_by(
            "position"
        )
    )
    step = (
        rounds.current_step(requisition) if requisition.state == Requisition.State.PENDING else None
    )
    card = RequisitionCard(
        requisition_id=requisition.pk,
        requisition=requisition,
        lines=lines,
        more_lines=more,
        explanations=[s.explained() for s in steps if s.explanation],
        waiting_step=step,
        can_decide=may_decide(viewer, requisition, step),
        asked_invoice=asked_invoice(requisition),
    )
    if card.can_decide:
        card.digest = digest.digest(ordering.current_snapshot(requisition)[0])
    return card


def requisition_cards(viewer: User, ids: set[int]) -> dict[int, RequisitionCard]:
    """The cards of one page of messages; a requisition that no longer exists has none."""
    requisitions = Requisition.objects.select_related("company", "department", "requester").filter(
        pk__in=ids
    )
    memberships: dict[int, Membership | None] = {}
    cards = {}
    for requisition in requisitions.order_by("pk"):
        if requisition.company_id not in memberships:
            memberships[requisition.company_id] = current_membership(
                user=viewer, company_id=requisition.company_id
            )
        cards[requisition.pk] = _card(viewer, requisition, memberships[requisition.company_id])
    return cards


def requisition_card(viewer: User, requisition_id: int) -> RequisitionCard | None:
    return requisition_cards(viewer, {requisition_id}).get(requisition_id)

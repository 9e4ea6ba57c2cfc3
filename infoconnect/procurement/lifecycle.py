"""Procurement's lifecycles: the company's review, a requisition's way from draft to its
orders, and each approval step's.

The company's review: pending → verified → suspended → verified.

A company is born pending, by its registration (``register``) or by an operator who accepted a
code that fails the check digit (``register_waiving_check``). Every move with an event is
audited in the hook: a CompanyReview row says who made it, from which status to which, and why
(an operator's reason is required to suspend and to waive the check).
"""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from infoconnect.core.jobs import enqueue_on_commit
from infoconnect.core.lifecycle import Edge, Lifecycle, Move, register
from infoconnect.procurement.errors import (
    ProcurementError,
    QuoteError,
    StatementError,
    TermsError,
)
from infoconnect.procurement.inserts import insert_rows
from infoconnect.procurement.models import (
    ApprovalStep,
    Company,
    CompanyReview,
    Quote,
    Requisition,
    RequisitionEvent,
    Statement,
    StatementDispute,
)
from infoconnect.procurement.models.terms import Receivable, TermsReminder

Status = Company.Status
ReqState = Requisition.State
StepState = ApprovalStep.State
REQUISITION_ACTIONS = "infoconnect.procurement.actions.submission"
APPROVAL_ACTIONS = "infoconnect.procurement.actions.approvals"


class CompanyLifecycle(Lifecycle):
    model = Company
    field = "status"
    invalid_state = ProcurementError.COMPANY_INVALID_STATE
    edges = (
        Edge("register", sources=(), target=Status.PENDING),
        Edge("register_waiving_check", sources=(), target=Status.PENDING, event="waive_check"),
        Edge("verify", sources=(Status.PENDING,), target=Status.VERIFIED, event="verify"),
        Edge(
            "suspend",
            sources=(Status.PENDING, Status.VERIFIED),
            target=Status.SUSPENDED,
            event="suspend",
        ),
        Edge("reinstate", sources=(Status.SUSPENDED,), target=Status.VERIFIED, event="reinstate"),
    )

    def create(
        self,
        verb: str,
        *,
        now: datetime | None = None,
        context: dict[str, Any] | None = None,
        **fields: Any,
    ) -> Company:
        """Make a company along ``verb``, an edge that makes the row: it is born in the edge's
        target, and the hook audits the birth when the edge names an event."""
        edge = self.edge(verb)
        if edge.sources:
            raise LookupError(f"{type(self).__name__}.{verb} does not make a company")
        now = now or timezone.now()
        company = Company.objects.create(status=edge.target, created_at=now, **fields)
        if edge.event:
            self.moved(company, Move(edge, "", now, context or {}))
        return company

    def moved(self, company: Company, move: Move) -> None:
        CompanyReview.objects.create(
            company=company,
            actor_id=move.context.get("actor_id"),
            action=move.edge.event,
            from_status=move.from_state,
            to_status=move.edge.target,
            reason=move.context.get("reason", ""),
            created_at=move.at,
        )


companies = register(CompanyLifecycle())


class RequisitionLifecycle(Lifecycle):
    """draft → pending → approved → ordered, with its ways out.

    A draft is the member's "for company X" cart. Submitting runs the rules: the requisition
    waits for its steps (``pending``), holding its stock until ``hold_expires_at``. When the
    last step approves it is ``approved`` and its orders are placed in the same transaction
    (``ordered``); if the company wallet cannot pay, it stays approved until someone places it
    again. A change to what was approved (a price rise, a line, the address) sends it back to
    approval as a new round (``reapprove``). Rejected, cancelled and expired give back the
    stock held and the budget committed."""

    model = Requisition
    invalid_state = ProcurementError.REQUISITION_INVALID_STATE
    edges = (
        Edge("start", sources=(), target=ReqState.DRAFT),
        Edge("submit", (ReqState.DRAFT,), ReqState.PENDING, event="submitted"),
        Edge("approve", (ReqState.PENDING,), ReqState.APPROVED, event="approved"),
        Edge("place", (ReqState.APPROVED,), ReqState.ORDERED, event="ordered"),
        Edge(
            "reapprove", (ReqState.PENDING, ReqState.APPROVED), ReqState.PENDING, event="reapproval"
        ),
        # From approved: the budget no longer covers it and no rule has an over-budget level.
        Edge("reject", (ReqState.PENDING, ReqState.APPROVED), ReqState.REJECTED, event="rejected"),
        Edge("return", (ReqState.PENDING, ReqState.APPROVED), ReqState.DRAFT, event="returned"),
        Edge("withdraw", (ReqState.PENDING,), ReqState.DRAFT, event="withdrawn"),
        Edge(
            "cancel",
            (ReqState.DRAFT, ReqState.PENDING, ReqState.APPROVED),
            ReqState.CANCELLED,
            event="cancelled",
        ),
        Edge(
            "expire",
            (ReqState.PENDING, ReqState.APPROVED),
            ReqState.EXPIRED,
            event="expired",
            due="hold_expires_at",
            sweep=f"{REQUISITION_ACTIONS}.expire_requisition",
        ),
    )

    def create(self, *, now: datetime | None = None, **fields: Any) -> Requisition:
        """A new draft (the member's company cart)."""
        now = now or timezone.now()
        return Requisition.objects.create(
            state=self.edge("start").target, created_at=now, updated_at=now, **fields
        )

    def moved(self, requisition: Requisition, move: Move) -> None:
        edge = move.edge
        if edge.event:
            record_requisition_event(
                requisition.pk,
                edge.event,
                actor_id=move.context.get("actor_id"),
                from_state=move.from_state,
                to_state=edge.target,
                note=move.context.get("note", ""),
                at=move.at,
            )
        expire = self.edge("expire")
        if edge.target in expire.sources and requisition.hold_expires_at is not None:
            enqueue_on_commit(
                "infoconnect.procurement.tasks.expire_requisition",
                requisition.pk,
                run_after=expire.due_at(requisition),
            )


def record_requisition_event(
    requisition_id: int,
    kind: str,
    *,
    actor_id: int | None,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    at: datetime | None = None,
) -> None:
    """One line of a requisition's trail (actor None: the platform). Written by hand: every
    move and decision writes one, and the ORM's insert cost more than the database's."""
    with connection.cursor() as cursor:
        cursor.execute(
            _EVENT_SQL,
            [requisition_id, actor_id, kind, from_state, to_state, note[:500],
             connection.ops.adapt_datetimefield_value(at or timezone.now())],
        )  # fmt: skip


_EVENT_SQL = (
    f"INSERT INTO {RequisitionEvent._meta.db_table} (requisition_id, actor_id, kind, from_state,"
    " to_state, note, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s)"
)


class ApprovalStepLifecycle(Lifecycle):
    """queued → waiting (→ escalated past its deadline) → approved or rejected; superseded
    when its round ends another way (a new round, a withdrawal, a rejection elsewhere)."""

    model = ApprovalStep
    invalid_state = ProcurementError.STEP_NOT_WAITING
    edges = (
        Edge("queue", sources=(), target=StepState.QUEUED),
        Edge("activate", (StepState.QUEUED,), StepState.WAITING),
        Edge(
            "escalate",
            (StepState.WAITING,),
            StepState.ESCALATED,
            due="due_at",
            sweep=f"{APPROVAL_ACTIONS}.escalate_step",
        ),
        Edge("approve", (StepState.WAITING, StepState.ESCALATED), StepState.APPROVED),
        Edge("reject", (StepState.WAITING, StepState.ESCALATED), StepState.REJECTED),
        Edge(
            "supersede",
            (StepState.QUEUED, StepState.WAITING, StepState.ESCALATED),
            StepState.SUPERSEDED,
        ),
    )

    def create_all(
        self, steps: list[ApprovalStep], *, activate_at: datetime | None = None
    ) -> list[ApprovalStep]:
        """A round's steps, born queued; with ``activate_at``, the first is born having taken
        ``activate`` at that time (waiting, its deadline set), in the same insert."""
        queued = self.edge("queue").target
        for step in steps:
            step.state = queued
        first = steps[0] if steps and activate_at is not None else None
        if first is not None:
            activate = self.edge("activate")
            first.state, first.activated_at = activate.target, activate_at
            first.due_at = activate_at + timedelta(hours=first.deadline_hours)
        made = insert_rows(steps)
        if first is not None:
            self.moved(first, Move(activate, queued, activate_at, {}))
        return made

    def moved(self, step: ApprovalStep, move: Move) -> None:
        escalate = self.edge("escalate")
        if move.edge.target in escalate.sources and step.due_at is not None:
            enqueue_on_commit(
                "infoconnect.procurement.tasks.escalate_step",
                step.pk,
                run_after=escalate.due_at(step),
            )


requisitions = register(RequisitionLifecycle())
approval_steps = register(ApprovalStepLifecycle())

# A requisition that holds stock and may still be ordered.
HOLDING_STATES = requisitions.sources("expire")
# Requisitions that count in the rolling 30-day totals: submitted and not undone.
COUNTED_STATES = (ReqState.PENDING, ReqState.APPROVED, ReqState.ORDERED)
# Steps a decision can be made on.
OPEN_STEP_STATES = approval_steps.sources("approve")


# --- quotes ---------------------------------------------------------------------------------

QuoteState = Quote.State
QUOTE_ACTIONS = "infoconnect.procurement.actions.quote_replies"


def quote_expires_at(valid_until: date) -> datetime:
    """A quote is valid through its last day: it expires at the next midnight, site time."""
    return datetime.combine(
        valid_until + timedelta(days=1), time.min, tzinfo=timezone.get_default_timezone()
    )


class QuoteLifecycle(Lifecycle):
    """requested ⇄ info_requested, → quoted → accepted, with counters (quoted → requested),
    declines, cancellations and expiry; an expired quote is asked for again (``requote``).

    ``valid_until`` is a date: with the one-day delay the sweep takes quotes whose last valid
    day is before today (``valid_until <= localdate(now - 1 day)``)."""

    model = Quote
    invalid_state = QuoteError.QUOTE_INVALID_STATE
    edges = (
        Edge("request", sources=(), target=QuoteState.REQUESTED),
        Edge("ask_info", (QuoteState.REQUESTED,), QuoteState.INFO_REQUESTED),
        Edge("answer", (QuoteState.INFO_REQUESTED,), QuoteState.REQUESTED),
        Edge("quote", (QuoteState.REQUESTED, QuoteState.INFO_REQUESTED), QuoteState.QUOTED),
        Edge("counter", (QuoteState.QUOTED,), QuoteState.REQUESTED),
        Edge("accept", (QuoteState.QUOTED,), QuoteState.ACCEPTED),
        Edge(
            "decline",
            (QuoteState.REQUESTED, QuoteState.INFO_REQUESTED, QuoteState.QUOTED),
            QuoteState.DECLINED,
        ),
        Edge(
            "cancel",
            (QuoteState.REQUESTED, QuoteState.INFO_REQUESTED, QuoteState.QUOTED),
            QuoteState.CANCELLED,
        ),
        Edge(
            "expire",
            (QuoteState.QUOTED,),
            QuoteState.EXPIRED,
            due="valid_until",
            delay=timedelta(days=1),
            sweep=f"{QUOTE_ACTIONS}.expire_quote",
        ),
        Edge("requote", (QuoteState.EXPIRED,), QuoteState.REQUESTED),
    )

    def create(self, *, now: datetime | None = None, **fields: Any) -> Quote:
        now = now or timezone.now()
        return Quote.objects.create(
            state=self.edge("request").target, created_at=now, updated_at=now, **fields
        )

    def moved(self, quote: Quote, move: Move) -> None:
        if move.edge.target in self.edge("expire").sources and quote.valid_until is not None:
            enqueue_on_commit(
                "infoconnect.procurement.tasks.expire_quote",
                quote.pk,
                run_after=quote_expires_at(quote.valid_until),
            )


quotes = register(QuoteLifecycle())
# --- pay on terms -----------------------------------------------------------------------------
TERMS_REMINDER_ACTIONS = "infoconnect.procurement.actions.terms_reminders"


class ReceivableLifecycle(Lifecycle):
    """open (placed, not delivered) → due (delivered: due on ``due_on``) → settled (paid in
    full, or credited by a cancel or refund)."""

    model = Receivable
    invalid_state = TermsError.RECEIVABLE_NOT_FOUND
    edges = (
        Edge("open", sources=(), target=Receivable.State.OPEN),
        Edge("deliver", (Receivable.State.OPEN,), Receivable.State.DUE),
        Edge("settle", (Receivable.State.OPEN, Receivable.State.DUE), Receivable.State.SETTLED),
        Edge("credit", (Receivable.State.OPEN, Receivable.State.DUE), Receivable.State.SETTLED),
    )

    def create(self, **fields: Any) -> Receivable:
        return Receivable.objects.create(state=self.edge("open").target, **fields)


class TermsReminderLifecycle(Lifecycle):
    """pending → sent at ``send_at`` (a task queued for the time, the sweep behind it), or
    dropped when the receivable was settled first."""

    model = TermsReminder
    invalid_state = TermsError.RECEIVABLE_NOT_FOUND
    edges = (
        Edge("plan", sources=(), target=TermsReminder.State.PENDING),
        Edge(
            "send",
            (TermsReminder.State.PENDING,),
            TermsReminder.State.SENT,
            due="send_at",
            sweep=f"{TERMS_REMINDER_ACTIONS}.send_reminder",
        ),
        Edge("drop", (TermsReminder.State.PENDING,), TermsReminder.State.DROPPED),
    )

    def create_all(self, reminders: list[TermsReminder]) -> list[TermsReminder]:
        """The reminders, born pending (one of a kind per receivable), each queued for its time."""
        target = self.edge("plan").target
        for reminder in reminders:
            reminder.state = target
        made = TermsReminder.objects.bulk_create(reminders)
        send = self.edge("send")
        for reminder in made:
            enqueue_on_commit(
                "infoconnect.procurement.tasks.send_terms_reminder",
                reminder.pk,
                run_after=send.due_at(reminder),
            )
        return made


receivables = register(ReceivableLifecycle())
terms_reminders = register(TermsReminderLifecycle())


class StatementLifecycle(Lifecycle):
    """issued → confirmed (final), or issued → disputed → issued once the merchant has
    answered every open dispute (the same row, its totals computed again)."""

    model = Statement
    invalid_state = StatementError.STATEMENT_INVALID_STATE
    edges = (
        Edge("issue", sources=(), target=Statement.State.ISSUED),
        Edge("confirm", (Statement.State.ISSUED,), Statement.State.CONFIRMED),
        # Finance may add lines to a statement already in dispute.
        Edge(
            "dispute", (Statement.State.ISSUED, Statement.State.DISPUTED), Statement.State.DISPUTED
        ),
        Edge("reissue", (Statement.State.DISPUTED,), Statement.State.ISSUED),
    )

    def create(self, **fields: Any) -> Statement:
        """A new statement, born issued (the unique month constraint may refuse it)."""
        return Statement.objects.create(state=self.edge("issue").target, **fields)


class StatementDisputeLifecycle(Lifecycle):
    """A disputed line: open until the merchant answers it."""

    model = StatementDispute
    invalid_state = StatementError.DISPUTE_ANSWERED
    edges = (
        Edge("raise", sources=(), target=StatementDispute.State.OPEN),
        Edge("answer", (StatementDispute.State.OPEN,), StatementDispute.State.ANSWERED),
    )

    def create_all(self, disputes: list[StatementDispute]) -> list[StatementDispute]:
        target = self.edge("raise").target
        for dispute in disputes:
            dispute.state = target
        return StatementDispute.objects.bulk_create(disputes)


statements = register(StatementLifecycle())
statement_disputes = register(StatementDisputeLifecycle())

"""The company's review, declared once: pending → verified → suspended → verified.

A company is born pending, by its registration (``register``) or by an operator who accepted a
code that fails the check digit (``register_waiving_check``). Every move with an event is
audited in the hook: a CompanyReview row says who made it, from which status to which, and why
(an operator's reason is required to suspend and to waive the check).
"""

from datetime import datetime
from typing import Any

from django.utils import timezone

from infoconnect.core.lifecycle import Edge, Lifecycle, Move, register
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.models import Company, CompanyReview

Status = Company.Status


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

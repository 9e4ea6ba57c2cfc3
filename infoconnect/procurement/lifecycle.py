"""The company's review, declared once: pending → verified → suspended → verified.

Every move is audited in the hook: a CompanyReview row says who made it, from which status to
which, and why (an operator's reason is required to suspend).
"""

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
        Edge("verify", sources=(Status.PENDING,), target=Status.VERIFIED, event="verify"),
        Edge(
            "suspend",
            sources=(Status.PENDING, Status.VERIFIED),
            target=Status.SUSPENDED,
            event="suspend",
        ),
        Edge("reinstate", sources=(Status.SUSPENDED,), target=Status.VERIFIED, event="reinstate"),
    )

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

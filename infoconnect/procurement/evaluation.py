"""What the company's rules say of a requisition (reads only): the rules that fire for its
lines, with the requester's rolling 30-day totals and whether a budget of its department
would be exceeded. The submit writes its approval steps from this; the cart page and the
API's preview show it before the submit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from infoconnect.procurement.actions import budget_holds
from infoconnect.procurement.models import Requisition, RequisitionLine
from infoconnect.procurement.rolling import prior_totals
from infoconnect.procurement.rules import FiringRule, active_rules, rules_that_fire


@dataclass
class Evaluation:
    total: int
    firing: list[FiringRule] = field(default_factory=list)
    over_budget: bool = False

    @property
    def explanations(self) -> list[str]:
        return [fired.explanation for fired in self.firing]

    @property
    def blocked_by_budget(self) -> bool:
        """Over budget with no rule's over-budget level to approve it: the submit is refused."""
        return self.over_budget and not any(
            level.is_over_budget for fired in self.firing for level in fired.levels
        )


def evaluate(
    requisition: Requisition,
    lines: Iterable[RequisitionLine],
    *,
    now: datetime,
    over_budget: bool | None = None,
) -> Evaluation:
    """The rules that fire for ``requisition`` with ``lines`` at their prices, in the admin's
    order. ``over_budget`` answers the budgets' question when the caller knows already."""
    lines = list(lines)
    total = sum(line.unit_price * line.quantity for line in lines)
    # Levels are read by rules_that_fire for the rules that hold only.
    rules = active_rules(company=requisition.company)
    if over_budget is None:
        over_budget = budget_holds.would_exceed(
            department_id=requisition.department_id, amount=total, now=now
        )
    firing = rules_that_fire(
        company=requisition.company,
        total=total,
        category_ids={line.category_id for line in lines if line.category_id},
        merchant_ids={line.merchant_id for line in lines},
        department=requisition.department,
        over_budget=over_budget,
        prior_totals=prior_totals(requisition=requisition, rules=rules, now=now),
        rules=rules,
    )
    return Evaluation(total=total, firing=firing, over_budget=over_budget)

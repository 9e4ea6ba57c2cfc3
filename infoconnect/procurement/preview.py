"""Which of the company's rules would fire if the requester submitted their draft now, and why
(reads only): what the cart page shows before the submit.

It asks the same questions as the submit (``actions/rounds.py`` start_round): the lines as
they would be ordered now, the requester's rolling 30-day totals and whether a budget of the
department would be exceeded; it writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from infoconnect.procurement.actions import budget_holds
from infoconnect.procurement.actions.ordering import current_lines
from infoconnect.procurement.models import Requisition
from infoconnect.procurement.rolling import prior_totals
from infoconnect.procurement.rules import FiringRule, company_rules, rules_that_fire


@dataclass
class Preview:
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


def preview(requisition: Requisition, now: datetime) -> Preview:
    """The rules that would fire for ``requisition`` submitted at ``now``, in order."""
    lines, _skus = current_lines(requisition)
    total = sum(line.unit_price * line.quantity for line in lines)
    categories = dict(requisition.lines.values_list("pk", "category_id"))
    rules = company_rules(company=requisition.company, active_only=True)
    over_budget = budget_holds.would_exceed(
        department_id=requisition.department_id, amount=total, now=now
    )
    firing = rules_that_fire(
        company=requisition.company,
        total=total,
        category_ids={categories[line.pk] for line in lines if categories.get(line.pk)},
        merchant_ids={line.merchant_id for line in lines},
        department=requisition.department,
        over_budget=over_budget,
        prior_totals=prior_totals(requisition=requisition, rules=rules, now=now),
        rules=rules,
    )
    return Preview(total=total, firing=firing, over_budget=over_budget)

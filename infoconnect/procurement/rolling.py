"""The requester's rolling 30-day totals, rule by rule (reads only).

A rule's threshold applies to what the requester asked for in the last 30 days within the
rule's scope (its category, merchant and department conditions), not only to the requisition
at hand: otherwise two ¥3,000.00 requisitions would each slip under a ¥5,000.00 threshold.
What counts: the requester's requisitions (their totals, as a threshold reads the one at hand) of the company submitted in the window and not
undone (pending, approved or ordered), other than the one being submitted, that the rule did
not review itself (a requisition approved under the rule was seen by its approvers). The
submit locks the requester's membership first, so two submits of theirs count each other.

Three reads whatever the history: the window's requisitions (their totals are on their rows),
the merchants and categories of their lines only when a rule is scoped to one, and which of
them each rule reviewed. The window's ids go to the database as a subquery, not as a list.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from infoconnect.procurement.lifecycle import COUNTED_STATES
from infoconnect.procurement.models import (
    ApprovalRule,
    ApprovalStep,
    Requisition,
    RequisitionLine,
)
from infoconnect.procurement.rules import category_lineages

ROLLING_DAYS = 30


def prior_totals(
    *, requisition: Requisition, rules: list[ApprovalRule], now: datetime
) -> dict[int, int]:
    """Rule id → the requester's unreviewed amount in the rule's scope over the window."""
    thresholds = [
        (
            rule.pk,
            rule.category_id,
            rule.merchant_id,
            rule.department.path if rule.department_id else None,
        )
        for rule in rules
        if rule.min_total is not None
    ]
    if not thresholds:
        return {}
    window = Requisition.objects.filter(
        company_id=requisition.company_id,
        requester_id=requisition.requester_id,
        submitted_at__gte=now - timedelta(days=ROLLING_DAYS),
        state__in=COUNTED_STATES,
    ).exclude(pk=requisition.pk)
    recent = {pk: (total, path or "") for pk, total, path in window.values_list(
        "pk", "total", "department__path"
    )}  # fmt: skip
    if not recent:
        return {}
    reviewed: dict[int, set[int]] = defaultdict(set)
    for requisition_id, rule_id in (
        ApprovalStep.objects.filter(
            requisition_id__in=window.values("pk"), rule_id__in=[t[0] for t in thresholds]
        )
        .exclude(state=ApprovalStep.State.SUPERSEDED)
        .values_list("requisition_id", "rule_id")
        .distinct()
    ):
        reviewed[rule_id].add(requisition_id)
    merchants: dict[int, set[int]] = defaultdict(set)
    categories: dict[int, set[int]] = defaultdict(set)
    if any(category or merchant for _pk, category, merchant, _path in thresholds):
        lines = list(
            RequisitionLine.objects.filter(requisition_id__in=window.values("pk"))
            .values_list("requisition_id", "merchant_id", "category_id")
            .distinct()
        )
        lineages = category_lineages({c for _r, _m, c in lines if c is not None})
        for requisition_id, merchant_id, category_id in lines:
            merchants[requisition_id].add(merchant_id)
            if category_id is not None:
                categories[requisition_id] |= lineages[category_id]
    totals: dict[int, int] = {}
    for rule_id, category_id, merchant_id, path in thresholds:
        seen = reviewed.get(rule_id, set())
        amount = sum(
            total
            for pk, (total, department_path) in recent.items()
            if pk not in seen
            and (path is None or department_path.startswith(path))
            and (not merchant_id or merchant_id in merchants[pk])
            and (not category_id or category_id in categories[pk])
        )
        if amount:
            totals[rule_id] = amount
    return totals

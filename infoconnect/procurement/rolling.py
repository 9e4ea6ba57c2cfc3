"""The requester's rolling 30-day totals, rule by rule (reads only).

A rule's threshold applies to what the requester asked for in the last 30 days within the
rule's scope (its category, merchant and department conditions), not only to the requisition
at hand: otherwise two ¥3,000.00 requisitions would each slip under a ¥5,000.00 threshold.
What counts: the requester's requisitions of the company submitted in the window and not
undone (pending, approved or ordered), other than the one being submitted, that the rule did
not review itself (a requisition approved under the rule was seen by its approvers). The
submit locks the requester's membership first, so two submits at the same instant count each
other.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import F, Sum

from infoconnect.procurement.lifecycle import COUNTED_STATES
from infoconnect.procurement.models import (
    ApprovalRule,
    ApprovalStep,
    Requisition,
    RequisitionLine,
)
from infoconnect.procurement.rules import category_and_ancestors

ROLLING_DAYS = 30


def prior_totals(
    *, requisition: Requisition, rules: list[ApprovalRule], now: datetime
) -> dict[int, int]:
    """Rule id → the requester's unreviewed amount in the rule's scope over the window."""
    thresholds = [rule for rule in rules if rule.min_total is not None]
    if not thresholds:
        return {}
    recent = list(
        Requisition.objects.filter(
            company_id=requisition.company_id,
            requester_id=requisition.requester_id,
            submitted_at__gte=now - timedelta(days=ROLLING_DAYS),
            state__in=COUNTED_STATES,
        )
        .exclude(pk=requisition.pk)
        .values_list("pk", "total", "department__path")
    )
    if not recent:
        return {}
    if any(rule.category_id or rule.merchant_id for rule in thresholds):
        # A rule scoped to a category or a merchant counts only those lines.
        rows = list(
            RequisitionLine.objects.filter(requisition_id__in=[pk for pk, _t, _p in recent])
            .values("requisition_id", "merchant_id", "category_id")
            .annotate(amount=Sum(F("unit_price") * F("quantity")))
        )
        paths = {pk: path for pk, _t, path in recent}
        for row in rows:
            row["requisition__department__path"] = paths[row["requisition_id"]]
    else:
        # Every rule counts whole requisitions: their totals are on their rows.
        rows = [
            {
                "requisition_id": pk,
                "requisition__department__path": path,
                "merchant_id": None,
                "category_id": None,
                "amount": total,
            }
            for pk, total, path in recent
        ]
    reviewed = set(
        ApprovalStep.objects.filter(
            requisition_id__in={row["requisition_id"] for row in rows},
            rule_id__in=[rule.pk for rule in thresholds],
        )
        .exclude(state=ApprovalStep.State.SUPERSEDED)
        .values_list("requisition_id", "rule_id")
    )
    lineage = {
        pk: category_and_ancestors([pk])
        for pk in {row["category_id"] for row in rows if row["category_id"] is not None}
    }
    totals: dict[int, int] = defaultdict(int)
    for rule in thresholds:
        for row in rows:
            if (row["requisition_id"], rule.pk) in reviewed:
                continue
            if rule.category_id and rule.category_id not in lineage.get(row["category_id"], ()):
                continue
            if rule.merchant_id and rule.merchant_id != row["merchant_id"]:
                continue
            if rule.department_id:
                path = row["requisition__department__path"] or ""
                if not path.startswith(rule.department.path):
                    continue
            totals[rule.pk] += row["amount"]
    return dict(totals)

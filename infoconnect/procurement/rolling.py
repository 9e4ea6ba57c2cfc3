"""The requester's rolling 30-day totals, rule by rule (reads only).

A rule's threshold applies to what the requester asked for in the last 30 days within the
rule's scope (its category, merchant and department conditions), not only to the requisition
at hand: otherwise two ¥3,000.00 requisitions would each slip under a ¥5,000.00 threshold.
What counts: the requester's requisitions (their totals, as a threshold reads the one at
hand) of the company submitted in the window and not undone (pending, approved or ordered),
other than the one being submitted, that the rule did not review itself (a requisition
approved under the rule was seen by its approvers). The submit locks the requester's
membership first, so two submits of theirs count each other.

One statement whatever the history and however many rules: it is on every submit, and
reading the window's requisitions, their lines and their steps into Python (three scans of
the window and a thousand rows) cost more than the rest of the submit's reads together.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import connection

from infoconnect.procurement.lifecycle import COUNTED_STATES
from infoconnect.procurement.models import ApprovalRule, ApprovalStep, Requisition
from infoconnect.shop.models import Category

ROLLING_DAYS = 30

# The window: the requester's counted requisitions since the start of the window, with their
# department's path ('' without one); its index is procurement_req_rolling. ``reviewed`` and
# ``scoped`` are the window's steps under the thresholds' rules and its lines' merchants and
# categories, each read once and then looked up by every rule's column.
_WINDOW_SQL = """
WITH win AS (
    SELECT r.id, r.total, COALESCE(d.path, '') AS path
    FROM procurement_requisition r
    LEFT JOIN procurement_department d ON d.id = r.department_id
    WHERE r.company_id = %s AND r.requester_id = %s AND r.submitted_at >= %s
      AND r.state IN ({states}) AND r.id <> %s
),
reviewed AS (
    SELECT DISTINCT s.requisition_id, s.rule_id
    FROM procurement_approvalstep s
    WHERE s.requisition_id IN (SELECT id FROM win) AND s.rule_id IN ({rules})
      AND s.state <> %s
){scoped}
SELECT {columns} FROM win
"""
_SCOPED_SQL = """,
scoped AS (
    SELECT DISTINCT l.requisition_id, l.merchant_id, l.category_id
    FROM procurement_requisitionline l
    WHERE l.requisition_id IN (SELECT id FROM win)
)"""


def _marks(values: Iterable) -> str:
    return ", ".join("%s" for _value in values)


def categories_under(category_ids: set[int]) -> dict[int, set[int]]:
    """Each category given → the categories whose lineage (itself and every category above
    it, as ``rules.category_lineages`` walks the tree) includes it."""
    if not category_ids:
        return {}
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    under: dict[int, set[int]] = {pk: set() for pk in category_ids}
    for pk in parents:
        chain: set[int] = set()
        node = pk
        while node is not None and node not in chain and node in parents:
            chain.add(node)
            if node in under:
                under[node].add(pk)
            node = parents[node]
    return under


def prior_totals(
    *, requisition: Requisition, rules: list[ApprovalRule], now: datetime
) -> dict[int, int]:
    """Rule id → the requester's unreviewed amount in the rule's scope over the window."""
    thresholds = [rule for rule in rules if rule.min_total is not None]
    if not thresholds:
        return {}
    under = categories_under({rule.category_id for rule in thresholds if rule.category_id})
    columns, params = [], []
    for rule in thresholds:
        # Each condition of the rule on a window's requisition, as in rules._holds.
        conditions = ["win.id NOT IN (SELECT requisition_id FROM reviewed WHERE rule_id = %s)"]
        params.append(rule.pk)
        if rule.department_id:
            path = rule.department.path
            conditions.append("SUBSTR(win.path, 1, %s) = %s")
            params += [len(path), path]
        if rule.merchant_id:
            conditions.append(
                "win.id IN (SELECT requisition_id FROM scoped WHERE merchant_id = %s)"
            )
            params.append(rule.merchant_id)
        if rule.category_id:
            inside = sorted(under[rule.category_id])
            if inside:
                conditions.append(
                    "win.id IN (SELECT requisition_id FROM scoped"
                    f" WHERE category_id IN ({_marks(inside)}))"
                )
                params += inside
            else:
                conditions.append("1 = 0")
        columns.append(f"SUM(CASE WHEN {' AND '.join(conditions)} THEN win.total ELSE 0 END)")
    scoped = any(rule.merchant_id or rule.category_id for rule in thresholds)
    sql = _WINDOW_SQL.format(
        states=_marks(COUNTED_STATES),
        rules=_marks(thresholds),
        scoped=_SCOPED_SQL if scoped else "",
        columns=", ".join(columns),
    )
    since = connection.ops.adapt_datetimefield_value(now - timedelta(days=ROLLING_DAYS))
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [requisition.company_id, requisition.requester_id, since, *COUNTED_STATES]
            + [
                requisition.pk or 0,
                *(rule.pk for rule in thresholds),
                ApprovalStep.State.SUPERSEDED,
            ]
            + params,
        )
        row = cursor.fetchone()
    return {rule.pk: int(amount) for rule, amount in zip(thresholds, row, strict=True) if amount}

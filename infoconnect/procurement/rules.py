"""Which of a company's approval rules fire for the facts of a requisition, and why, in words
(reads only).

A rule fires when every condition it sets holds; a rule that sets none fires for every
requisition. Its conditions: the total is at least ``min_total``; a line is in its category
or a category under it; a line is sold by its merchant; the requester's department is its
department or one under it. A rule fires only with a level that applies: a level with at
least one approver, and the over-budget level only for a requisition over its budget.

A threshold applies to the requester's rolling 30-day total in the rule's scope, not only to
the one requisition: the caller passes ``prior_totals`` (``rolling.py``), what the requester
submitted in the last 30 days within each rule's scope that the rule has not reviewed, so two
¥3,000.00 requisitions cannot both slip under a ¥5,000.00 threshold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils import translation
from django.utils.translation import gettext as _

from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.core.money import format_money
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.joined import joined
from infoconnect.procurement.models import (
    ApprovalLevel,
    ApprovalRule,
    Company,
    Department,
    LevelApprover,
)
from infoconnect.shop.models import Category

UserModel = get_user_model()


def _levels() -> Prefetch:
    """A rule's levels in order, each with its approvers."""
    return Prefetch(
        "levels",
        queryset=ApprovalLevel.objects.order_by("position").prefetch_related(
            Prefetch(
                "approvers",
                queryset=LevelApprover.objects.select_related("user", "department").order_by("pk"),
            )
        ),
    )


def company_rules(
    *, company: Company, active_only: bool = False, pk: int | None = None
) -> list[ApprovalRule]:
    """The company's rules in order (or only rule ``pk``), with their conditions' rows,
    levels and approvers."""
    rules = ApprovalRule.objects.filter(company=company)
    if pk is not None:
        rules = rules.filter(pk=pk)
    if active_only:
        rules = rules.filter(active=True)
    return list(
        rules.select_related("category", "merchant", "department")
        .prefetch_related(
            Prefetch(
                "levels",
                queryset=ApprovalLevel.objects.order_by("position").prefetch_related(
                    Prefetch(
                        "approvers",
                        queryset=LevelApprover.objects.select_related(
                            "user", "department"
                        ).order_by("pk"),
                    )
                ),
            )
        )
        .order_by("position")
    )


# What a rule's conditions and their words read of its category, merchant and department,
# and of a level approver's user and department.
_NAMED = {
    Category: ["id", "name"],
    UserModel: ["id", "username", "display_name"],
    Department: ["id", "name", "path"],
}
_RULES_LAYOUT = [
    (ApprovalRule, "r", None), (Category, "c", _NAMED[Category]),
    (UserModel, "m", _NAMED[UserModel]), (Department, "d", _NAMED[Department]),
]  # fmt: skip
_RULES_FROM = """
FROM procurement_approvalrule r
LEFT JOIN shop_category c ON c.id = r.category_id
LEFT JOIN accounts_user m ON m.id = r.merchant_id
LEFT JOIN procurement_department d ON d.id = r.department_id
WHERE r.company_id = %s AND r.active
ORDER BY r.position, r.id
"""
_LEVELS_LAYOUT = [
    (ApprovalLevel, "l", None), (LevelApprover, "a", None),
    (UserModel, "u", _NAMED[UserModel]), (Department, "d", _NAMED[Department]),
]  # fmt: skip
_LEVELS_FROM = """
FROM procurement_approvallevel l
LEFT JOIN procurement_levelapprover a ON a.level_id = l.id
LEFT JOIN accounts_user u ON u.id = a.user_id
LEFT JOIN procurement_department d ON d.id = a.department_id
WHERE l.rule_id IN ({rules})
ORDER BY l.rule_id, l.position, l.id, a.id
"""


def active_rules(*, company: Company) -> list[ApprovalRule]:
    """The company's active rules in order, with what their conditions and words read of
    their category, merchant and department, but not their levels (``with_levels``): a
    submit evaluates them all, and needs the levels of the few that hold."""
    rules = []
    for rule, category, merchant, department in joined("rules", _RULES_LAYOUT).rows(
        _RULES_FROM, [company.pk]
    ):
        ApprovalRule.category.field.set_cached_value(rule, category)
        ApprovalRule.merchant.field.set_cached_value(rule, merchant)
        ApprovalRule.department.field.set_cached_value(rule, department)
        rules.append(rule)
    return rules


def _prefetched(instance, name: str, items: list) -> None:
    """``instance.<name>.all()`` answers ``items`` without a query, as prefetch_related
    leaves it."""
    rows = getattr(instance, name).all()
    rows._result_cache, rows._prefetch_done = items, True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = rows


def with_levels(rules: list[ApprovalRule]) -> None:
    """Load the levels (in order) and their approvers (in id order) of those ``rules`` read
    without them, in one statement."""
    missing = [r for r in rules if "levels" not in getattr(r, "_prefetched_objects_cache", {})]
    if not missing:
        return
    by_rule = {rule.pk: (rule, []) for rule in missing}
    levels: dict[int, tuple[ApprovalLevel, list[LevelApprover]]] = {}
    sql = _LEVELS_FROM.format(rules=", ".join(["%s"] * len(by_rule)))
    for level, approver, user, department in joined("levels", _LEVELS_LAYOUT).rows(
        sql, list(by_rule)
    ):
        if level.pk not in levels:
            rule, rule_levels = by_rule[level.rule_id]
            ApprovalLevel.rule.field.set_cached_value(level, rule)
            levels[level.pk] = (level, [])
            rule_levels.append(level)
        if approver is not None:
            LevelApprover.level.field.set_cached_value(approver, levels[level.pk][0])
            LevelApprover.user.field.set_cached_value(approver, user)
            LevelApprover.department.field.set_cached_value(approver, department)
            levels[level.pk][1].append(approver)
    for level, approvers in levels.values():
        _prefetched(level, "approvers", approvers)
    for rule, rule_levels in by_rule.values():
        _prefetched(rule, "levels", rule_levels)


# --- in words -------------------------------------------------------------------------------


def approver_words(approver: LevelApprover) -> str:
    """ "@sun", "Approver" or "Finance in Design"."""
    if approver.user_id:
        return approver.user.display_name or f"@{approver.user.username}"
    role = approver.get_role_display()
    if approver.department_id:
        return _("%(role)s in %(department)s") % {
            "role": role,
            "department": approver.department.name,
        }
    return str(role)


def level_words(level: ApprovalLevel) -> str:
    """ "Finance (any one)", "@sun and Finance (all of them)"."""
    names = ", ".join(approver_words(approver) for approver in level.approvers.all())
    if level.mode == ApprovalLevel.Mode.ALL:
        return _("%(names)s (all of them)") % {"names": names}
    return _("%(names)s (any one)") % {"names": names}


def condition_words(rule: ApprovalRule, *, prior: int = 0, total: int = 0) -> list[str]:
    """Each condition the rule sets, as the end of "because …"; with ``prior`` (the
    requester's unreviewed 30 days in scope), the threshold names the rolling total."""
    words = []
    if rule.min_total is not None and prior:
        words.append(
            _("the total with the last 30 days' requisitions, %(rolling)s, is at least %(amount)s")
            % {"rolling": format_money(total + prior), "amount": format_money(rule.min_total)}
        )
    elif rule.min_total is not None:
        words.append(
            _("the total is at least %(amount)s") % {"amount": format_money(rule.min_total)}
        )
    if rule.category_id:
        words.append(_("it includes %(category)s") % {"category": rule.category.name})
    if rule.merchant_id:
        name = rule.merchant.display_name or f"@{rule.merchant.username}"
        words.append(_("it includes products from %(merchant)s") % {"merchant": name})
    if rule.department_id:
        words.append(_("the requester is in %(department)s") % {"department": rule.department.name})
    return words


def conditions_sentence(rule: ApprovalRule) -> str:
    """The rule's conditions for its list: "The total is at least ¥5,000.00 and …"."""
    words = condition_words(rule)
    if not words:
        return _("Every requisition.")
    sentence = _(" and ").join(words)
    return _("When %(conditions)s.") % {"conditions": sentence}


def explanation(
    rule: ApprovalRule, levels: list[ApprovalLevel], *, prior: int = 0, total: int = 0
) -> str:
    """ "Needs approval by Finance (any one) because the total is at least ¥5,000.00", later
    levels after "then"."""
    by = _(", then ").join(level_words(level) for level in levels)
    words = condition_words(rule, prior=prior, total=total)
    if not words:
        return _("Needs approval by %(levels)s for every requisition") % {"levels": by}
    return _("Needs approval by %(levels)s because %(conditions)s") % {
        "levels": by,
        "conditions": _(" and ").join(words),
    }


# --- evaluation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FiringRule:
    rule: ApprovalRule
    # The levels that apply, in order (the over-budget one only when over budget).
    levels: list[ApprovalLevel]
    explanation: str
    # What the rolling 30-day total added, when the threshold needed it (0: it did not).
    prior: int = 0
    total: int = 0

    def explained_in(self, language: str) -> str:
        with translation.override(language):
            return explanation(self.rule, self.levels, prior=self.prior, total=self.total)


def category_lineages(category_ids: Iterable[int]) -> dict[int, set[int]]:
    """Each category given with itself and every category above it (one read of the small
    tree, none for no category; a category that no longer exists has an empty lineage)."""
    category_ids = set(category_ids)
    if not category_ids:
        return {}
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    found = {}
    for pk in category_ids:
        chain: set[int] = set()
        node = pk
        while node is not None and node not in chain and node in parents:
            chain.add(node)
            node = parents[node]
        found[pk] = chain
    return found


def category_and_ancestors(category_ids: Iterable[int]) -> set[int]:
    """The categories given and every category above them."""
    return set().union(*category_lineages(category_ids).values())


def _holds(
    rule: ApprovalRule,
    *,
    total: int,
    categories: set[int],
    merchant_ids: set[int],
    department: Department | None,
) -> bool:
    if rule.min_total is not None and total < rule.min_total:
        return False
    if rule.category_id and rule.category_id not in categories:
        return False
    if rule.merchant_id and rule.merchant_id not in merchant_ids:
        return False
    if rule.department_id:
        if department is None or not department.path.startswith(rule.department.path):
            return False
    return True


def rules_that_fire(
    *,
    company: Company,
    total: int,
    category_ids: Iterable[int] = (),
    merchant_ids: Iterable[int] = (),
    department: Department | None = None,
    over_budget: bool = False,
    prior_totals: dict[int, int] | None = None,
    rules: list[ApprovalRule] | None = None,
) -> list[FiringRule]:
    """The company's active rules whose conditions hold for a requisition of ``total`` fen,
    with lines in ``category_ids`` from ``merchant_ids``, by a requester in ``department``;
    in the admin's order, each with the levels that apply and why, in the active language.

    ``over_budget`` (whether the requisition would exceed its department's remaining budget)
    is the budgets' answer. ``total`` is the one requisition's; ``prior_totals`` adds, per
    rule id, the requester's unreviewed 30 days in the rule's scope. ``rules`` are the
    company's active rules when the caller has read them already."""
    categories = category_and_ancestors(category_ids)
    merchants = set(merchant_ids)
    prior_totals = prior_totals or {}
    firing = []
    if rules is None:
        rules = company_rules(company=company, active_only=True)
    holding = [
        rule
        for rule in rules
        if _holds(
            rule,
            total=total + prior_totals.get(rule.pk, 0),
            categories=categories,
            merchant_ids=merchants,
            department=department,
        )
    ]
    # Levels only for the rules that hold: a company has many rules, a requisition few.
    with_levels(holding)
    for rule in holding:
        prior = prior_totals.get(rule.pk, 0)
        # Named only when the one requisition would not have reached the threshold itself.
        if rule.min_total is None or total >= rule.min_total:
            prior = 0
        levels = [
            level
            for level in rule.levels.all()
            if level.approvers.all() and (over_budget or not level.is_over_budget)
        ]
        if levels:
            firing.append(
                FiringRule(
                    rule=rule,
                    levels=levels,
                    explanation=explanation(rule, levels, prior=prior, total=total),
                    prior=prior,
                    total=total,
                )
            )
    return firing


def company_rule(*, company: Company, rule_id: object) -> ApprovalRule:
    """One of the company's rules with what ``company_rules`` gives each, or ``rule_not_found``."""
    found = parse_id(rule_id)
    rule = next(iter(company_rules(company=company, pk=found)), None) if found else None
    if rule is None:
        raise DomainError(ProcurementError.RULE_NOT_FOUND)
    return rule

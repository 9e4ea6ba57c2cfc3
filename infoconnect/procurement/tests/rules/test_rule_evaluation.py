"""Which rules fire: the total at the threshold's boundary, a category and the categories under
it, a merchant, the requester's department subtree, inactive rules, the admin's order, the
over-budget level, and the explanation a buyer reads (in English and in Chinese)."""

import pytest
from django.utils import translation

from infoconnect.procurement.actions import rules as rule_actions
from infoconnect.procurement.models import Role
from infoconnect.procurement.rules import rules_that_fire
from infoconnect.procurement.tests.organisation.conftest import make_department

pytestmark = pytest.mark.django_db

FINANCE = rule_actions.LevelSpec(approvers=[rule_actions.ApproverSpec(role=Role.FINANCE)])


def _rule(company, admin, name, levels=(FINANCE,), **fields):
    return rule_actions.create_rule(
        user=admin, company_id=company.pk, name=name, levels=list(levels), **fields
    )


def _fired(company, total=0, **facts):
    return [fired.rule.name for fired in rules_that_fire(company=company, total=total, **facts)]


def test_the_total_fires_at_the_threshold_and_not_a_fen_below(company, company_admin):
    _rule(company, company_admin, "Over 5000", min_total=500_000)
    assert _fired(company, 499_999) == []
    assert _fired(company, 500_000) == ["Over 5000"]
    assert _fired(company, 620_000) == ["Over 5000"]


def test_the_explanation_names_the_approvers_and_the_threshold(company, company_admin):
    _rule(company, company_admin, "Over 5000", min_total=500_000)
    [fired] = rules_that_fire(company=company, total=620_000)
    assert fired.explanation == (
        "Needs approval by Finance (any one) because the total is at least ¥5,000.00"
    )
    assert [level.position for level in fired.levels] == [1]


def test_the_explanation_in_chinese(company, company_admin):
    _rule(company, company_admin, "Over 5000", min_total=500_000)
    with translation.override("zh-hans"):
        [fired] = rules_that_fire(company=company, total=620_000)
    assert fired.explanation == "需要财务（任意一人）审批，因为总额至少为 ¥5,000.00"


def test_several_levels_and_conditions_in_words(company, company_admin, member, merchant, office):
    design = make_department(company, "Design")
    sun = member(role=Role.APPROVER, username="sun")
    levels = [
        rule_actions.LevelSpec(
            mode="all",
            approvers=[
                rule_actions.ApproverSpec(user_id=sun.pk),
                rule_actions.ApproverSpec(role=Role.APPROVER, department_id=design.pk),
            ],
        ),
        FINANCE,
    ]
    _rule(
        company,
        company_admin,
        "Design's office supplies",
        levels=levels,
        min_total=100_000,
        category_id=office.pk,
        merchant_id=merchant.pk,
        department_id=design.pk,
    )
    [fired] = rules_that_fire(
        company=company,
        total=123_400,
        category_ids=[office.pk],
        merchant_ids=[merchant.pk],
        department=design,
    )
    assert fired.explanation == (
        "Needs approval by @sun, Approver in Design (all of them), then Finance (any one)"
        " because the total is at least ¥1,000.00 and it includes Office supplies and it"
        " includes products from Acme Office and the requester is in Design"
    )


def test_a_rule_without_conditions_fires_for_every_requisition(company, company_admin):
    _rule(company, company_admin, "Everything")
    [fired] = rules_that_fire(company=company, total=0)
    assert fired.explanation == "Needs approval by Finance (any one) for every requisition"


def test_a_category_fires_for_itself_and_the_categories_under_it(
    company, company_admin, office, paper
):
    _rule(company, company_admin, "Office", category_id=office.pk)
    _rule(company, company_admin, "Paper only", category_id=paper.pk)
    assert _fired(company, category_ids=[paper.pk]) == ["Office", "Paper only"]
    assert _fired(company, category_ids=[office.pk]) == ["Office"]
    assert _fired(company, category_ids=[]) == []


def test_a_merchant_fires_only_with_its_lines(company, company_admin, merchant, make_user):
    other = make_user("papers", kind="merchant", verified=True)
    _rule(company, company_admin, "Acme", merchant_id=merchant.pk)
    assert _fired(company, merchant_ids=[other.pk, merchant.pk]) == ["Acme"]
    assert _fired(company, merchant_ids=[other.pk]) == []


def test_a_department_fires_for_its_subtree(company, company_admin):
    design = make_department(company, "Design")
    studio = make_department(company, "Studio", parent=design)
    operations = make_department(company, "Operations")
    _rule(company, company_admin, "Design", department_id=design.pk)
    assert _fired(company, department=design) == ["Design"]
    assert _fired(company, department=studio) == ["Design"]
    assert _fired(company, department=operations) == []
    assert _fired(company, department=None) == []


def test_every_condition_must_hold(company, company_admin, office):
    design = make_department(company, "Design")
    _rule(company, company_admin, "Big office", min_total=500_000, category_id=office.pk)
    _rule(company, company_admin, "Design", department_id=design.pk)
    assert _fired(company, 600_000, category_ids=[office.pk], department=design) == [
        "Big office",
        "Design",
    ]
    assert _fired(company, 400_000, category_ids=[office.pk], department=design) == ["Design"]
    assert _fired(company, 600_000) == []


def test_inactive_rules_do_not_fire_and_order_is_the_admins(company, company_admin):
    first = _rule(company, company_admin, "First", min_total=100)
    _rule(company, company_admin, "Second", min_total=100)
    third = _rule(company, company_admin, "Third", min_total=100)
    assert _fired(company, 500) == ["First", "Second", "Third"]
    rule_actions.move_rule(user=company_admin, company_id=company.pk, rule_id=third.pk, position=1)
    rule_actions.update_rule(
        user=company_admin, company_id=company.pk, rule_id=first.pk, active=False
    )
    assert _fired(company, 500) == ["Third", "Second"]


def test_a_rule_needs_a_level_with_an_approver(company, company_admin):
    rule = _rule(company, company_admin, "Unfinished", levels=[rule_actions.LevelSpec()])
    assert _fired(company) == []
    level = rule.levels.get()
    rule_actions.add_approver(
        user=company_admin, company_id=company.pk, level_id=level.pk, role=Role.APPROVER
    )
    assert _fired(company) == ["Unfinished"]


def test_the_over_budget_level_applies_only_over_budget(company, company_admin):
    over = rule_actions.LevelSpec(
        is_over_budget=True, approvers=[rule_actions.ApproverSpec(role=Role.ADMIN)]
    )
    _rule(company, company_admin, "Spend", levels=[FINANCE, over])
    [within] = rules_that_fire(company=company, total=100)
    assert within.explanation == "Needs approval by Finance (any one) for every requisition"
    [beyond] = rules_that_fire(company=company, total=100, over_budget=True)
    assert beyond.explanation == (
        "Needs approval by Finance (any one), then Administrator (any one) for every requisition"
    )


def test_another_companys_rules_never_fire(company, company_admin, other_company, other_member):
    _rule(other_company, other_member, "Theirs")
    assert _fired(company) == []
    assert _fired(other_company) == ["Theirs"]

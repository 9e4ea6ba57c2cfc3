"""seed_demo gives Huaxia Design its ¥5,000.00 rule, once: any one of the company's approvers
(huaxia_approver holds the role) approves a requisition of ¥5,000.00 or more."""

import pytest
from django.core.management import call_command

from infoconnect.procurement.models import ApprovalRule, Company, LevelApprover
from infoconnect.procurement.rules import rules_that_fire

pytestmark = pytest.mark.django_db


def test_the_demo_company_has_its_rule_once():
    call_command("seed_demo", stdout=None)
    call_command("seed_demo", stdout=None)
    rule = ApprovalRule.objects.get()
    company = Company.objects.get()
    assert (rule.company_id, rule.name, rule.position, rule.min_total, rule.active) == (
        company.pk,
        "Over ¥5,000.00",
        1,
        500_000,
        True,
    )
    level = rule.levels.get()
    assert (level.position, level.mode, level.is_over_budget) == (1, "any", False)
    assert list(LevelApprover.objects.values_list("user", "role", "department")) == [
        (None, "approver", None)
    ]
    [fired] = rules_that_fire(company=company, total=620_000)
    assert fired.explanation == (
        "Needs approval by Approver (any one) because the total is at least ¥5,000.00"
    )
    assert rules_that_fire(company=company, total=400_000) == []

"""The requester's rolling 30-day totals rule by rule: what counts in each rule's scope (its
department subtree, merchant, category and the categories under it), what does not (another
requester's, one undone, one older than 30 days, one the rule reviewed, the one at hand)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from infoconnect.procurement.actions import rules as rule_actions
from infoconnect.procurement.models import (
    ApprovalStep,
    Requisition,
    RequisitionLine,
    Role,
)
from infoconnect.procurement.rolling import prior_totals
from infoconnect.procurement.rules import company_rules
from infoconnect.procurement.tests.organisation.conftest import join, make_department

pytestmark = pytest.mark.django_db

FINANCE = rule_actions.LevelSpec(approvers=[rule_actions.ApproverSpec(role=Role.FINANCE)])


@pytest.fixture
def setting(company, company_admin, make_user, merchant, office, paper):
    design = make_department(company, "Design")
    studio = make_department(company, "Studio", parent=design)
    operations = make_department(company, "Operations")
    buyer = make_user("lin")
    other_buyer = make_user("zhao")
    memberships = {user.pk: join(company, user, role=Role.BUYER) for user in (buyer, other_buyer)}
    papers = make_user("papers", kind="merchant", verified=True)
    now = timezone.now()

    def requisition(*lines, user=buyer, department=studio, state="ordered", days=1, total=None):
        made = Requisition.objects.create(
            company=company,
            requester=user,
            membership=memberships[user.pk],
            department=department,
            state=state,
            total=total if total is not None else sum(price for _m, _c, price in lines),
            submitted_at=now - timedelta(days=days),
        )
        RequisitionLine.objects.bulk_create(
            RequisitionLine(
                requisition=made,
                merchant=seller,
                category_id=category.pk if category else None,
                title="Supply",
                unit_price=price,
                quantity=1,
            )
            for seller, category, price in lines
        )
        return made

    def rule(name, **conditions):
        return rule_actions.create_rule(
            user=company_admin,
            company_id=company.pk,
            name=name,
            min_total=1_000_000,
            levels=[FINANCE],
            **conditions,
        )

    return {
        "design": design,
        "studio": studio,
        "operations": operations,
        "buyer": buyer,
        "other_buyer": other_buyer,
        "papers": papers,
        "now": now,
        "requisition": requisition,
        "rule": rule,
    }


def test_each_rule_counts_the_requesters_unreviewed_window_in_its_scope(
    setting, company, merchant, office, paper
):
    s = setting
    new, paper_rule = s["requisition"], s["rule"]
    everything = paper_rule("Everything")
    design_rule = paper_rule("Design", department_id=s["design"].pk)
    operations_rule = paper_rule("Operations", department_id=s["operations"].pk)
    acme_rule = paper_rule("Acme", merchant_id=merchant.pk)
    office_rule = paper_rule("Office", category_id=office.pk)
    paper_only = paper_rule("Paper only", category_id=paper.pk)
    acme_paper = paper_rule("Acme's paper", merchant_id=merchant.pk, category_id=paper.pk)
    no_threshold = rule_actions.create_rule(
        user=company.registered_by, company_id=company.pk, name="Any", levels=[FINANCE]
    )

    new((merchant, paper, 10_000))  # Acme's paper, in Studio (under Design)
    new((s["papers"], office, 20_000), (merchant, None, 1))  # office from Papers, Acme
    new((s["papers"], None, 40_000), department=s["operations"])
    new((merchant, paper, 80_000), state="pending", total=80_000)
    reviewed = new((merchant, paper, 160_000), state="approved")
    ApprovalStep.objects.create(
        requisition=reviewed, round=1, position=1, rule=office_rule, rule_name="Office",
        mode="any", state=ApprovalStep.State.APPROVED,
    )  # fmt: skip
    superseded = new((s["papers"], paper, 320_000))
    ApprovalStep.objects.create(
        requisition=superseded, round=1, position=1, rule=office_rule, rule_name="Office",
        mode="any", state=ApprovalStep.State.SUPERSEDED,
    )  # fmt: skip
    # Not counted by any rule: undone, too old, another requester's.
    new((merchant, paper, 1_000_000), state="rejected")
    new((merchant, paper, 2_000_000), state="cancelled")
    new((merchant, paper, 3_000_000), days=31)
    new((merchant, paper, 4_000_000), user=s["other_buyer"])
    at_hand = new((merchant, paper, 5_000_000), state="draft", days=0)

    totals = prior_totals(
        requisition=at_hand, rules=company_rules(company=company, active_only=True), now=s["now"]
    )

    assert totals == {
        everything.pk: 10_000 + 20_001 + 40_000 + 80_000 + 160_000 + 320_000,
        design_rule.pk: 10_000 + 20_001 + 80_000 + 160_000 + 320_000,
        operations_rule.pk: 40_000,
        acme_rule.pk: 10_000 + 20_001 + 80_000 + 160_000,
        # The requisition it reviewed does not count; one whose step was superseded does.
        office_rule.pk: 10_000 + 20_001 + 80_000 + 320_000,
        paper_only.pk: 10_000 + 80_000 + 160_000 + 320_000,
        acme_paper.pk: 10_000 + 80_000 + 160_000,
    }
    assert no_threshold.pk not in totals


def test_nothing_in_the_window_counts_nothing(setting, company, merchant, paper):
    s = setting
    s["rule"]("Everything")
    s["requisition"]((merchant, paper, 10_000), days=40)
    at_hand = s["requisition"]((merchant, paper, 10_000), state="draft", days=0)
    rules = company_rules(company=company, active_only=True)
    assert prior_totals(requisition=at_hand, rules=rules, now=s["now"]) == {}

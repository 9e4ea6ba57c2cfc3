"""The demo company's approval rule: a requisition of ¥5,000.00 or more needs any one of the
company's approvers (huaxia_approver holds the role). Made through the actions, once."""

from __future__ import annotations

from infoconnect.procurement.actions import rules as rule_actions
from infoconnect.procurement.models import ApprovalRule, Company, Role

RULE_NAME = "Over ¥5,000.00"
THRESHOLD = 500_000  # fen


def seed_rules(company: Company) -> None:
    if ApprovalRule.objects.filter(company=company, name=RULE_NAME).exists():
        return
    rule_actions.create_rule(
        user=company.registered_by,
        company_id=company.pk,
        name=RULE_NAME,
        min_total=THRESHOLD,
        levels=[
            rule_actions.LevelSpec(
                mode="any", approvers=[rule_actions.ApproverSpec(role=Role.APPROVER)]
            )
        ],
    )

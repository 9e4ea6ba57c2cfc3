"""True concurrency on PostgreSQL: rules created, moved and deleted at once by two admins keep
the company's positions 1..n without a gap or a clash (every edit takes the company's lock)."""

import pytest
from django.db import connection

from infoconnect.procurement.actions import rules as rule_actions
from infoconnect.procurement.models import ApprovalRule, Role
from infoconnect.procurement.tests.organisation.conftest import join
from infoconnect.procurement.tests.organisation.test_departments_concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent writers")


def test_edits_at_once_keep_positions_whole(company, company_admin, make_user):
    deputy = make_user("deputy")
    join(company, deputy, role=Role.ADMIN)
    kwargs = {"company_id": company.pk}
    first = rule_actions.create_rule(user=company_admin, name="First", **kwargs)
    last = rule_actions.create_rule(user=company_admin, name="Last", **kwargs)

    results = run_together(
        lambda: rule_actions.create_rule(user=company_admin, name="A", **kwargs),
        lambda: rule_actions.create_rule(user=deputy, name="B", **kwargs),
        lambda: rule_actions.move_rule(user=deputy, rule_id=last.pk, position=1, **kwargs),
        lambda: rule_actions.delete_rule(user=company_admin, rule_id=first.pk, **kwargs),
    )
    assert results == ["ok", "ok", "ok", "ok"]
    positions = list(
        ApprovalRule.objects.filter(company=company)
        .order_by("position")
        .values_list("position", flat=True)
    )
    assert positions == [1, 2, 3]
    assert set(ApprovalRule.objects.values_list("name", flat=True)) == {"Last", "A", "B"}

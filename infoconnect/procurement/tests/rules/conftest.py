"""Approval-rule fixtures: the organisation's company fixtures, a verified merchant, a
category tree, and ``snapshot()`` of every row a rule edit can touch."""

import pytest

from infoconnect.procurement.models import ApprovalLevel, ApprovalRule, LevelApprover
from infoconnect.procurement.tests.organisation.conftest import (  # noqa: F401
    company,
    company_admin,
    member,
    other_company,
    other_member,
)
from infoconnect.shop.models import Category


def snapshot() -> list:
    return [
        list(ApprovalRule.objects.order_by("pk").values()),
        list(ApprovalLevel.objects.order_by("pk").values()),
        list(LevelApprover.objects.order_by("pk").values()),
    ]


@pytest.fixture
def merchant(make_user):
    return make_user("acme", kind="merchant", verified=True, display_name="Acme Office")


@pytest.fixture
def office(db):
    """Office supplies, with Paper under it."""
    office = Category.objects.create(name="Office supplies", slug="office")
    Category.objects.create(name="Paper", slug="paper", parent=office)
    return office


@pytest.fixture
def paper(office):
    return Category.objects.get(slug="paper")

"""Purchasing settings: a company-wide admin sets the stock hold (1–30 days) and the PO rules;
anyone else is refused and bad input writes nothing."""

import pytest

from infoconnect.core.errors import DomainError
from infoconnect.procurement.actions import purchasing_settings
from infoconnect.procurement.models import Company, Membership, Role
from infoconnect.procurement.tests.budgets.conftest import remove, snapshot

pytestmark = pytest.mark.django_db


def _update(user, company, hold_days=14, po_required=True, po_unique=True):
    return purchasing_settings.update_purchasing_settings(
        user=user,
        company_id=company.pk,
        hold_days=hold_days,
        po_required=po_required,
        po_unique=po_unique,
    )


def _refused(code, work):
    before = snapshot()
    with pytest.raises(DomainError) as refused:
        work()
    assert refused.value.code == code
    assert snapshot() == before


def test_an_admin_sets_them(company, company_admin):
    _update(company_admin, company, hold_days=30, po_required=True, po_unique=False)
    company.refresh_from_db()
    assert (company.hold_days, company.po_required, company.po_unique) == (30, True, False)
    _update(company_admin, company, hold_days=1, po_required=False, po_unique=True)
    assert Company.objects.filter(pk=company.pk, hold_days=1, po_unique=True).exists()


@pytest.mark.parametrize(
    ("hold_days", "po_required", "po_unique"),
    [
        (0, True, True),
        (31, True, True),
        (True, True, True),
        ("7", True, True),
        (7, "on", True),
        (7, True, None),
    ],
)
def test_bad_input_writes_nothing(company, company_admin, hold_days, po_required, po_unique):
    _refused(
        "settings_invalid",
        lambda: _update(company_admin, company, hold_days, po_required, po_unique),
    )


def test_who_may_not(company, member, other_member, design):
    for role in (Role.VIEWER, Role.BUYER, Role.FINANCE, Role.APPROVER):
        _refused("role_required", lambda: _update(member(role=role), company))  # noqa: B023
    _refused("role_required", lambda: _update(member(role=Role.ADMIN, department=design), company))
    _refused("not_a_member", lambda: _update(other_member, company))
    former = member(role=Role.ADMIN)
    remove(Membership.objects.get(user=former))
    _refused("not_a_member", lambda: _update(former, company))

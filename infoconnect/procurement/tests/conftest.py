"""Fixtures of the procurement tests: a company's first administrator, the company, and an
operator."""

import pytest

from infoconnect.procurement.tests.factories import make_company


@pytest.fixture
def admin(make_user):
    """The person who registered the company: its first administrator."""
    return make_user("boss", display_name="Boss")


@pytest.fixture
def company(admin):
    return make_company(admin, name="Huaxia Design")


@pytest.fixture
def operator(make_user):
    return make_user("op", is_staff=True, is_superuser=True)

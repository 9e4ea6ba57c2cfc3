import pytest

from infoconnect.procurement.tests.factories import make_company
from infoconnect.procurement.tests.organisation.conftest import OTHER_USCC
from infoconnect.procurement.tests.requisitions.world import make_world
from infoconnect.procurement.views.companies import ACTING_FOR


@pytest.fixture
def world(make_user):
    return make_world(make_user)


@pytest.fixture
def outsider(make_user):
    """A company-wide admin of another company."""
    other_admin = make_user("li")
    make_company(other_admin, name="Beijing Paper Works", code=OTHER_USCC)
    return other_admin


def act_for(client, user, company) -> None:
    """Sign ``user`` in, acting for ``company``."""
    client.force_login(user)
    session = client.session
    session[ACTING_FOR] = company.pk
    session.save()

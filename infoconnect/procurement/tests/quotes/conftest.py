import pytest

from infoconnect.procurement.tests.requisitions.world import make_world


@pytest.fixture
def world(make_user):
    return make_world(make_user)

import pytest

from infoconnect.invoicing.tests.world import make_world


@pytest.fixture
def world(make_user):
    return make_world(make_user)

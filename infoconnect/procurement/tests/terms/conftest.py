import pytest

from infoconnect.procurement.tests.requisitions.world import make_world


@pytest.fixture
def world(make_user):
    """No approval rule: a submitted requisition is placed at once."""
    return make_world(make_user, threshold=None)

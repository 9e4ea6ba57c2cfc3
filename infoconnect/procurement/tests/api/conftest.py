"""Fixtures of the requisitions API tests: the purchasing world, and clients for its people."""

import pytest

from infoconnect.procurement.tests.requisitions.world import make_world


@pytest.fixture
def world(make_user):
    return make_world(make_user)


@pytest.fixture
def as_buyer(api_client, world):
    return api_client(world.buyer)


@pytest.fixture
def as_approver(api_client, world):
    return api_client(world.approver)

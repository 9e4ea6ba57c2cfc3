"""The delegation form offers only the choices it would accept: an approver is not their own
stand-in, and an administrator delegates for approvers only."""

import re

import pytest

from infoconnect.procurement.tests.requisitions.world import make_world

pytestmark = pytest.mark.django_db


def options(page: str, select_id: str) -> list[str]:
    block = re.search(rf'<select name="\w+" id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    return re.findall(r"<option value=\"[^\"]*\"[^>]*>([^<]*)</option>", block.group(1))


def test_an_approver_is_not_offered_as_their_own_stand_in(client, make_user):
    world = make_world(make_user)
    client.force_login(world.approver)
    page = client.get(f"/companies/{world.company.pk}/delegations/").content.decode()
    stand_ins = options(page, "delegation-delegate")
    assert "@approver" not in stand_ins and "@buyer" in stand_ins


def test_an_administrator_delegates_for_approvers_only(client, make_user):
    world = make_world(make_user)
    client.force_login(world.admin)
    page = client.get(f"/companies/{world.company.pk}/delegations/").content.decode()
    approvers = options(page, "delegation-delegator")
    assert approvers == ["@approver"]  # not the buyer, nor finance; "Myself" only for approvers

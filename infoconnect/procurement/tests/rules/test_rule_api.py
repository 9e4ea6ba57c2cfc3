"""The approval rules API: list, create with nested levels and approvers, read, PATCH (levels
replaced as a whole, in one transaction), delete, and evaluate; unknown fields are a 422, and
only a company admin manages (evaluate: any member)."""

import pytest

from infoconnect.procurement.models import ApprovalRule, Role
from infoconnect.procurement.tests.organisation.conftest import make_department, remove
from infoconnect.procurement.tests.rules.conftest import snapshot

pytestmark = pytest.mark.django_db

OVER_5000 = {
    "name": "Over ¥5,000.00",
    "min_total": 500_000,
    "levels": [{"mode": "any", "approvers": [{"role": "approver"}]}],
}


def _url(company, *rest):
    return "/".join([f"/api/v1/companies/{company.pk}/approval_rules", *map(str, rest)])


def _json(client, method, url, body):
    return getattr(client, method)(url, body, content_type="application/json")


def test_create_read_list(api_client, company, company_admin, member, office):
    design = make_department(company, "Design")
    sun = member(role=Role.APPROVER, username="sun")
    client = api_client(company_admin)
    body = {
        **OVER_5000,
        "category_id": office.pk,
        "department_id": design.pk,
        "deadline_hours": 24,
        "levels": [
            {"mode": "any", "approvers": [{"role": "approver"}]},
            {
                "mode": "all",
                "is_over_budget": True,
                "approvers": [{"user_id": sun.pk}, {"role": "finance", "department_id": design.pk}],
            },
        ],
    }
    response = _json(client, "post", _url(company), body)
    assert response.status_code == 201, response.content
    created = response.json()
    rule = ApprovalRule.objects.get()
    level_ids = list(rule.levels.order_by("position").values_list("pk", flat=True))
    approvers = list(
        rule.levels.get(position=2).approvers.order_by("pk").values_list("pk", flat=True)
    )
    assert created == {
        "id": rule.pk,
        "name": "Over ¥5,000.00",
        "position": 1,
        "active": True,
        "min_total": 500_000,
        "category_id": office.pk,
        "merchant_id": None,
        "department_id": design.pk,
        "deadline_hours": 24,
        "allow_self_approval": False,
        "conditions": (
            "When the total is at least ¥5,000.00 and it includes Office supplies and the"
            " requester is in Design."
        ),
        "levels": [
            {
                "id": level_ids[0],
                "position": 1,
                "mode": "any",
                "is_over_budget": False,
                "approvers": [
                    {
                        "id": rule.levels.get(position=1).approvers.get().pk,
                        "user_id": None,
                        "username": None,
                        "role": "approver",
                        "department_id": None,
                    }
                ],
            },
            {
                "id": level_ids[1],
                "position": 2,
                "mode": "all",
                "is_over_budget": True,
                "approvers": [
                    {
                        "id": approvers[0],
                        "user_id": sun.pk,
                        "username": "sun",
                        "role": "",
                        "department_id": None,
                    },
                    {
                        "id": approvers[1],
                        "user_id": None,
                        "username": None,
                        "role": "finance",
                        "department_id": design.pk,
                    },
                ],
            },
        ],
    }
    assert client.get(_url(company, rule.pk)).json() == created
    assert client.get(_url(company)).json() == [created]


def test_patch_changes_what_is_sent_and_replaces_levels(api_client, company, company_admin):
    client = api_client(company_admin)
    first = _json(client, "post", _url(company), OVER_5000).json()
    second = _json(client, "post", _url(company), {**OVER_5000, "name": "Second"}).json()
    response = _json(
        client,
        "patch",
        _url(company, first["id"]),
        {"min_total": None, "levels": [{"mode": "all", "approvers": [{"role": "finance"}]}]},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["min_total"], body["conditions"]) == (
        "Over ¥5,000.00",
        None,
        "Every requisition.",
    )
    assert [
        (level["mode"], [a["role"] for a in level["approvers"]]) for level in body["levels"]
    ] == [("all", ["finance"])]
    moved = _json(client, "patch", _url(company, second["id"]), {"position": 1}).json()
    assert moved["position"] == 1
    assert [rule["name"] for rule in client.get(_url(company)).json()] == [
        "Second",
        "Over ¥5,000.00",
    ]


def test_delete(api_client, company, company_admin):
    client = api_client(company_admin)
    rule = _json(client, "post", _url(company), OVER_5000).json()
    assert client.delete(_url(company, rule["id"])).status_code == 204
    assert not ApprovalRule.objects.exists()
    assert client.delete(_url(company, rule["id"])).json()["code"] == "rule_not_found"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({**OVER_5000, "threshold": 5}, 422, None),
        ({**OVER_5000, "levels": [{"mode": "any", "approvers": [{"group": "x"}]}]}, 422, None),
        ({**OVER_5000, "min_total": 0}, 422, "rule_amount_invalid"),
        ({**OVER_5000, "deadline_hours": 1000}, 422, "rule_deadline_invalid"),
        ({**OVER_5000, "merchant_id": 999_999}, 422, "merchant_not_verified"),
        ({**OVER_5000, "levels": [{"approvers": [{}]}]}, 422, "approver_invalid"),
        (
            {**OVER_5000, "levels": [{"approvers": [{"user_id": 999_999}]}]},
            422,
            "approver_not_member",
        ),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    api_client, company, company_admin, body, status, code
):
    client = api_client(company_admin)
    response = _json(client, "post", _url(company), body)
    assert response.status_code == status, response.content
    if code:
        assert response.json()["code"] == code
    assert not ApprovalRule.objects.exists()


def test_a_refused_patch_changes_nothing(api_client, company, company_admin):
    client = api_client(company_admin)
    rule = _json(client, "post", _url(company), OVER_5000).json()
    before = snapshot()
    for body, status in [
        ({"name": "New", "levels": [{"approvers": [{"role": "finance"}]}, {"mode": "most"}]}, 422),
        (
            {"name": "New", "levels": [{"approvers": [{"role": "finance"}, {"role": "finance"}]}]},
            409,
        ),
        ({"name": "New", "position": 5}, 422),
        ({"name": "New", "active": None}, 422),
        ({"nom": "New"}, 422),
    ]:
        response = _json(client, "patch", _url(company, rule["id"]), body)
        assert response.status_code == status, (body, response.content)
    assert snapshot() == before


def test_evaluate(api_client, company, company_admin, member):
    design = make_department(company, "Design")
    _json(api_client(company_admin), "post", _url(company), OVER_5000)
    rule = ApprovalRule.objects.get()
    client = api_client(member(role=Role.BUYER))
    response = _json(
        client, "post", _url(company, "evaluate"), {"total": 620_000, "department_id": design.pk}
    )
    assert response.status_code == 200, response.content
    [fired] = response.json()
    assert (fired["rule_id"], fired["name"], fired["explanation"]) == (
        rule.pk,
        "Over ¥5,000.00",
        "Needs approval by Approver (any one) because the total is at least ¥5,000.00",
    )
    assert [level["position"] for level in fired["levels"]] == [1]
    assert _json(client, "post", _url(company, "evaluate"), {"total": 400_000}).json() == []
    for body in ({"total": -1}, {"total": 1, "requester": 3}, {}):
        assert _json(client, "post", _url(company, "evaluate"), body).status_code == 422


@pytest.fixture
def refused(company, member, other_member):
    removed = member(role=Role.ADMIN, username="former")
    remove(removed.company_memberships.get())
    return [
        (member(role=Role.BUYER), 403, "role_required"),
        (member(role=Role.VIEWER), 403, "role_required"),
        (other_member, 404, "not_a_member"),
        (removed, 404, "not_a_member"),
    ]


def test_only_company_admins_manage(api_client, company, company_admin, refused):
    rule = _json(api_client(company_admin), "post", _url(company), OVER_5000).json()
    before = snapshot()
    for user, status, code in refused:
        client = api_client(user)
        responses = [
            client.get(_url(company)),
            client.get(_url(company, rule["id"])),
            _json(client, "post", _url(company), OVER_5000),
            _json(client, "patch", _url(company, rule["id"]), {"name": "Mine"}),
            client.delete(_url(company, rule["id"])),
        ]
        for response in responses:
            assert (response.status_code, response.json()["code"]) == (status, code)
    assert snapshot() == before


def test_evaluate_is_for_members_only(api_client, company, company_admin, other_member):
    response = _json(api_client(other_member), "post", _url(company, "evaluate"), {"total": 1})
    assert (response.status_code, response.json()["code"]) == (404, "not_a_member")
    assert (
        api_client()
        .post(_url(company, "evaluate"), {"total": 1}, content_type="application/json")
        .status_code
        == 401
    )

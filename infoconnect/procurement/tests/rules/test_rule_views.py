"""The approval rules page: a company admin lists, adds, edits, orders and deletes rules, their
levels and approvers, and asks which rule would fire; everyone else is refused, and the
company page links to it only for admins."""

import pytest

from infoconnect.procurement.actions import rules as rule_actions
from infoconnect.procurement.models import ApprovalLevel, ApprovalRule, LevelApprover, Role
from infoconnect.procurement.tests.organisation.conftest import make_department, remove
from infoconnect.procurement.tests.rules.conftest import snapshot

pytestmark = pytest.mark.django_db


def _url(company, suffix=""):
    return f"/companies/{company.pk}/rules/{suffix}"


def _rule(company, admin, **fields):
    fields.setdefault("name", "Over ¥5,000.00")
    fields.setdefault("min_total", 500_000)
    fields.setdefault(
        "levels",
        [rule_actions.LevelSpec(approvers=[rule_actions.ApproverSpec(role=Role.APPROVER)])],
    )
    return rule_actions.create_rule(user=admin, company_id=company.pk, **fields)


def _form(**overrides):
    return {
        "name": "Large orders",
        "min_total": "5000.00",
        "deadline_hours": "48",
        "active": "on",
    } | overrides


def test_the_page_lists_rules_in_words(client, company, company_admin):
    _rule(company, company_admin)
    client.force_login(company_admin)
    response = client.get(_url(company))
    assert response.status_code == 200
    page = response.content.decode()
    assert "1. Over ¥5,000.00" in page
    assert "When the total is at least ¥5,000.00." in page
    assert "Approver (any one)" in page
    assert "Escalates after 48 hours." in page
    assert "The requester never approves their own." in page


def test_the_company_page_links_the_rules_for_admins_only(client, company, company_admin, member):
    client.force_login(company_admin)
    assert 'id="company-rules"' in client.get(f"/companies/{company.pk}/").content.decode()
    client.force_login(member(role=Role.BUYER))
    assert 'id="company-rules"' not in client.get(f"/companies/{company.pk}/").content.decode()


def test_admin_adds_a_rule_a_level_and_an_approver(client, company, company_admin, member, office):
    design = make_department(company, "Design")
    sun = member(role=Role.APPROVER, username="sun")
    client.force_login(company_admin)
    response = client.post(
        _url(company, "new/"),
        _form(category=str(office.pk), department=str(design.pk), allow_self_approval="on"),
    )
    rule = ApprovalRule.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url(company) + f"#rule-{rule.pk}"
    assert (rule.name, rule.min_total, rule.category_id, rule.department_id) == (
        "Large orders",
        500_000,
        office.pk,
        design.pk,
    )
    assert (rule.allow_self_approval, rule.active, rule.deadline_hours) == (True, True, 48)

    client.post(_url(company, f"{rule.pk}/levels/"), {"mode": "all"})
    level = ApprovalLevel.objects.get()
    assert (level.rule_id, level.mode, level.is_over_budget) == (rule.pk, "all", False)
    client.post(
        f"/companies/{company.pk}/levels/{level.pk}/approvers/", {"approver": f"user:{sun.pk}"}
    )
    client.post(
        f"/companies/{company.pk}/levels/{level.pk}/approvers/",
        {"approver": "role:finance", "department": str(design.pk)},
    )
    assert list(level.approvers.order_by("pk").values_list("user_id", "role", "department_id")) == [
        (sun.pk, "", None),
        (None, "finance", design.pk),
    ]
    page = client.get(_url(company)).content.decode()
    assert "@sun, Finance in Design (all of them)" in page


def test_admin_edits_moves_and_deletes(client, company, company_admin):
    first = _rule(company, company_admin, name="First")
    second = _rule(company, company_admin, name="Second")
    client.force_login(company_admin)
    assert client.get(_url(company, f"{first.pk}/")).status_code == 200
    response = client.post(_url(company, f"{first.pk}/"), _form(name="Renamed", min_total=""))
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.name, first.min_total, first.active) == ("Renamed", None, True)
    client.post(_url(company, f"{second.pk}/move/"), {"position": "1"})
    assert list(ApprovalRule.objects.order_by("position").values_list("name", flat=True)) == [
        "Second",
        "Renamed",
    ]
    level = first.levels.get()
    approver = level.approvers.get()
    client.post(f"/companies/{company.pk}/approvers/{approver.pk}/remove/")
    assert not LevelApprover.objects.filter(pk=approver.pk).exists()
    client.post(f"/companies/{company.pk}/levels/{level.pk}/remove/")
    assert not first.levels.exists()
    client.post(_url(company, f"{first.pk}/delete/"))
    assert list(ApprovalRule.objects.values_list("name", "position")) == [("Second", 1)]


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({"name": ""}, 422, "Name the rule (1 to 100 characters)."),
        ({"min_total": "5,000.001"}, 422, "Enter an amount of at least ¥0.01, like 5000.00."),
        ({"min_total": "0"}, 422, "Enter an amount of at least ¥0.01, like 5000.00."),
        ({"deadline_hours": "0"}, 422, "The escalation deadline is 1 to 720 hours."),
        ({"merchant": "nobody"}, 422, "Choose a verified merchant."),
        ({"category": "999999"}, 404, "That category does not exist."),
    ],
)
def test_a_refused_rule_shows_why_and_writes_nothing(
    client, company, company_admin, form, status, message
):
    client.force_login(company_admin)
    response = client.post(_url(company, "new/"), _form(**form))
    assert response.status_code == status
    assert message in response.content.decode()
    assert not ApprovalRule.objects.exists()


def test_the_merchant_is_named_by_username(client, company, company_admin, merchant):
    client.force_login(company_admin)
    client.post(_url(company, "new/"), _form(merchant="@acme"))
    assert ApprovalRule.objects.get().merchant_id == merchant.pk


def test_which_rule_would_fire(client, company, company_admin):
    _rule(company, company_admin)
    client.force_login(company_admin)
    page = client.get(_url(company), {"check": "1", "total": "6200.00"}).content.decode()
    assert (
        "Over ¥5,000.00: Needs approval by Approver (any one) because the total is at least"
        " ¥5,000.00." in page
    )
    page = client.get(_url(company), {"check": "1", "total": "4000"}).content.decode()
    assert "No rule fires for ¥4,000.00: no approval needed." in page
    page = client.get(_url(company), {"check": "1", "total": "lots"}).content.decode()
    assert "Enter an amount of at least ¥0.01, like 5000.00." in page


@pytest.fixture
def refused(company, member, other_member):
    removed = member(role=Role.ADMIN, username="former")
    remove(removed.company_memberships.get())
    return [
        (member(role=Role.BUYER), 403),
        (member(role=Role.VIEWER), 403),
        (other_member, 404),
        (removed, 404),
    ]


def test_only_company_admins_open_or_change_the_page(client, company, company_admin, refused):
    rule = _rule(company, company_admin)
    level = rule.levels.get()
    approver = level.approvers.get()
    before = snapshot()
    posts = [
        (_url(company, "new/"), _form()),
        (_url(company, f"{rule.pk}/"), _form()),
        (_url(company, f"{rule.pk}/move/"), {"position": "1"}),
        (_url(company, f"{rule.pk}/delete/"), {}),
        (_url(company, f"{rule.pk}/levels/"), {"mode": "any"}),
        (f"/companies/{company.pk}/levels/{level.pk}/", {"mode": "all"}),
        (f"/companies/{company.pk}/levels/{level.pk}/move/", {"position": "1"}),
        (f"/companies/{company.pk}/levels/{level.pk}/remove/", {}),
        (f"/companies/{company.pk}/levels/{level.pk}/approvers/", {"approver": "role:buyer"}),
        (f"/companies/{company.pk}/approvers/{approver.pk}/remove/", {}),
    ]
    for user, status in refused:
        client.force_login(user)
        assert client.get(_url(company)).status_code == status
        for url, data in posts:
            assert client.post(url, data).status_code == status, url
    assert snapshot() == before


def test_anonymous_visitors_log_in_first(client, company):
    response = client.get(_url(company))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_refused_form_shows_what_was_typed(client, company, company_admin):
    client.force_login(company_admin)
    response = client.post(_url(company, "new/"), _form(name="Typed here", min_total="lots"))
    page = response.content.decode()
    assert '<details class="card" data-testid="create-rule" open>' in page
    assert 'id="new-name" maxlength="100" required value="Typed here"' in page
    assert 'value="lots"' in page
    rule = _rule(company, company_admin)
    response = client.post(_url(company, f"{rule.pk}/"), _form(name="Renamed", deadline_hours="0"))
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="edit-name" maxlength="100" required value="Renamed"' in page
    rule.refresh_from_db()
    assert (rule.name, rule.deadline_hours) == ("Over ¥5,000.00", 48)


def test_the_edit_form_shows_the_rule(client, company, company_admin, merchant):
    rule = _rule(company, company_admin, min_total=123_456, merchant_id=merchant.pk)
    client.force_login(company_admin)
    page = client.get(_url(company, f"{rule.pk}/")).content.decode()
    assert 'id="edit-min-total" inputmode="decimal" placeholder="5000.00" value="1,234.56"' in page
    assert 'id="edit-merchant" maxlength="31" autocomplete="off" value="acme"' in page


def test_another_companys_rule_is_not_found(
    client, company, company_admin, other_member, other_company
):
    theirs = _rule(other_company, other_member)
    client.force_login(company_admin)
    assert client.get(_url(company, f"{theirs.pk}/")).status_code == 404
    assert client.post(_url(company, f"{theirs.pk}/delete/")).status_code == 404
    assert ApprovalRule.objects.filter(pk=theirs.pk).exists()


def test_the_page_in_chinese(client, company, company_admin):
    _rule(company, company_admin)
    client.force_login(company_admin)
    page = client.get(
        _url(company), {"check": "1", "total": "6200"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "审批规则" in page
    assert "当总额至少为 ¥5,000.00时。" in page
    assert "48 小时后升级。" in page
    assert "需要审批人（任意一人）审批，因为总额至少为 ¥5,000.00" in page


def test_admin_changes_a_level(client, company, company_admin):
    rule = _rule(company, company_admin)
    level = rule.levels.get()
    client.force_login(company_admin)
    url = f"/companies/{company.pk}/levels/{level.pk}/"
    response = client.post(url, {"mode": "all", "is_over_budget": "on"})
    assert response.status_code == 302
    level.refresh_from_db()
    assert (level.mode, level.is_over_budget) == ("all", True)
    second = rule_actions.add_level(user=company_admin, company_id=company.pk, rule_id=rule.pk)
    response = client.post(
        f"/companies/{company.pk}/levels/{second.pk}/", {"mode": "any", "is_over_budget": "on"}
    )
    assert response.status_code == 409
    assert "This rule already has its over-budget level." in response.content.decode()
    response = client.post(url, {"mode": "most"})
    assert response.status_code == 422
    level.refresh_from_db()
    second.refresh_from_db()
    assert (level.mode, level.is_over_budget, second.is_over_budget) == ("all", True, False)

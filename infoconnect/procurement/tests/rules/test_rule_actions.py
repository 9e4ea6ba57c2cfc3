"""Editing approval rules: a company admin creates, changes, orders and deletes rules, their
levels and approvers; bad input is refused with its code and writes nothing; nobody else
(a buyer, a viewer, an admin of one department, another company's admin, a removed member)
may edit."""

import pytest

from infoconnect.core.errors import DomainError
from infoconnect.procurement.actions import rules as rule_actions
from infoconnect.procurement.actions.departments import delete_department
from infoconnect.procurement.models import ApprovalLevel, ApprovalRule, LevelApprover, Role
from infoconnect.procurement.tests.organisation.conftest import join, make_department, remove
from infoconnect.procurement.tests.rules.conftest import snapshot

pytestmark = pytest.mark.django_db

ANY = rule_actions.LevelSpec
BY_ROLE = rule_actions.ApproverSpec


def _rule(company, admin, name="Over ¥5,000.00", **fields):
    fields.setdefault("min_total", 500_000)
    return rule_actions.create_rule(user=admin, company_id=company.pk, name=name, **fields)


def _positions(company):
    return list(
        ApprovalRule.objects.filter(company=company)
        .order_by("position")
        .values_list("name", "position")
    )


def test_admin_creates_a_rule_with_its_levels(company, company_admin, member, merchant, office):
    design = make_department(company, "Design")
    sun = member(role=Role.APPROVER, username="sun")
    rule = _rule(
        company,
        company_admin,
        category_id=office.pk,
        merchant_id=merchant.pk,
        department_id=design.pk,
        deadline_hours=24,
        allow_self_approval=True,
        levels=[
            ANY(approvers=[BY_ROLE(role=Role.APPROVER)]),
            ANY(
                mode="all",
                approvers=[
                    BY_ROLE(user_id=sun.pk),
                    BY_ROLE(role="finance", department_id=design.pk),
                ],
            ),
            ANY(is_over_budget=True, approvers=[BY_ROLE(role=Role.FINANCE)]),
        ],
    )
    rule.refresh_from_db()
    assert (rule.position, rule.min_total, rule.category_id, rule.merchant_id) == (
        1,
        500_000,
        office.pk,
        merchant.pk,
    )
    assert (rule.department_id, rule.deadline_hours, rule.allow_self_approval, rule.active) == (
        design.pk,
        24,
        True,
        True,
    )
    levels = list(
        rule.levels.order_by("position").values_list("position", "mode", "is_over_budget")
    )
    assert levels == [(1, "any", False), (2, "all", False), (3, "any", True)]
    second = rule.levels.get(position=2)
    assert list(
        second.approvers.order_by("pk").values_list("user_id", "role", "department_id")
    ) == [
        (sun.pk, "", None),
        (None, "finance", design.pk),
    ]


def test_defaults_are_48_hours_and_four_eyes(company, company_admin):
    rule = _rule(company, company_admin)
    assert (rule.deadline_hours, rule.allow_self_approval) == (48, False)


def test_rules_are_numbered_in_order_and_move(company, company_admin):
    first = _rule(company, company_admin, "A")
    _rule(company, company_admin, "B")
    third = _rule(company, company_admin, "C")
    assert _positions(company) == [("A", 1), ("B", 2), ("C", 3)]
    rule_actions.move_rule(user=company_admin, company_id=company.pk, rule_id=third.pk, position=1)
    assert _positions(company) == [("C", 1), ("A", 2), ("B", 3)]
    rule_actions.delete_rule(user=company_admin, company_id=company.pk, rule_id=first.pk)
    assert _positions(company) == [("C", 1), ("B", 2)]


def test_update_changes_the_fields_sent_and_replaces_levels(company, company_admin, member):
    rule = _rule(company, company_admin, levels=[ANY(approvers=[BY_ROLE(role=Role.APPROVER)])])
    old_level = rule.levels.get()
    sun = member(role=Role.APPROVER, username="sun")
    rule_actions.update_rule(
        user=company_admin,
        company_id=company.pk,
        rule_id=rule.pk,
        name="Large orders",
        min_total=None,
        active=False,
        levels=[ANY(mode="all", approvers=[BY_ROLE(user_id=sun.pk)])],
    )
    rule.refresh_from_db()
    assert (rule.name, rule.min_total, rule.active, rule.deadline_hours) == (
        "Large orders",
        None,
        False,
        48,
    )
    assert not ApprovalLevel.objects.filter(pk=old_level.pk).exists()
    level = rule.levels.get()
    assert (
        level.position,
        level.mode,
        list(level.approvers.values_list("user_id", flat=True)),
    ) == (
        1,
        "all",
        [sun.pk],
    )


def test_levels_and_approvers_one_at_a_time(company, company_admin, member):
    rule = _rule(company, company_admin)
    kwargs = {"user": company_admin, "company_id": company.pk}
    first = rule_actions.add_level(**kwargs, rule_id=rule.pk)
    second = rule_actions.add_level(**kwargs, rule_id=rule.pk, mode="all")
    third = rule_actions.add_level(**kwargs, rule_id=rule.pk, is_over_budget=True)
    rule_actions.move_level(**kwargs, level_id=third.pk, position=1)
    order = list(rule.levels.order_by("position").values_list("pk", flat=True))
    assert order == [third.pk, first.pk, second.pk]
    rule_actions.remove_level(**kwargs, level_id=third.pk)
    assert list(rule.levels.order_by("position").values_list("pk", "position")) == [
        (first.pk, 1),
        (second.pk, 2),
    ]
    updated = rule_actions.update_level(**kwargs, level_id=first.pk, mode="all")
    assert updated.mode == "all"
    sun = member(role=Role.BUYER, username="sun")
    approver = rule_actions.add_approver(**kwargs, level_id=first.pk, user_id=sun.pk)
    rule_actions.add_approver(**kwargs, level_id=first.pk, role=Role.FINANCE)
    assert first.approvers.count() == 2
    rule_actions.remove_approver(**kwargs, approver_id=approver.pk)
    assert list(first.approvers.values_list("role", flat=True)) == ["finance"]


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "code", "status"),
    [
        ({"name": "  "}, "rule_name_invalid", 422),
        ({"name": "x" * 101}, "rule_name_invalid", 422),
        ({"min_total": 0}, "rule_amount_invalid", 422),
        ({"min_total": -100}, "rule_amount_invalid", 422),
        ({"min_total": 2**63}, "rule_amount_invalid", 422),
        ({"deadline_hours": 0}, "rule_deadline_invalid", 422),
        ({"deadline_hours": 721}, "rule_deadline_invalid", 422),
        ({"category_id": 999_999}, "category_not_found", 404),
        ({"department_id": 999_999}, "department_not_found", 404),
        ({"active": None}, "validation_error", 422),
        ({"levels": [ANY(mode="most")]}, "level_mode_invalid", 422),
        ({"levels": [ANY(approvers=[BY_ROLE()])]}, "approver_invalid", 422),
        ({"levels": [ANY(approvers=[BY_ROLE(role="boss")])]}, "invalid_role", 422),
        (
            {"levels": [ANY(is_over_budget=True), ANY(is_over_budget=True)]},
            "over_budget_level_exists",
            409,
        ),
        (
            {"levels": [ANY(approvers=[BY_ROLE(role="finance"), BY_ROLE(role="finance")])]},
            "approver_already_named",
            409,
        ),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(company, company_admin, fields, code, status):
    _rule(company, company_admin, "Existing", levels=[ANY(approvers=[BY_ROLE(role="approver")])])
    before = snapshot()
    fields = {"name": "New", **fields}
    with pytest.raises(DomainError) as caught:
        rule_actions.create_rule(user=company_admin, company_id=company.pk, **fields)
    assert (caught.value.code, caught.value.status) == (code, status)
    assert snapshot() == before


def test_a_merchant_must_be_verified(company, company_admin, make_user):
    unverified = make_user("newshop", kind="merchant")
    person = make_user("alice")
    for user in (unverified, person):
        with pytest.raises(DomainError) as caught:
            _rule(company, company_admin, merchant_id=user.pk)
        assert caught.value.code == "merchant_not_verified"
    assert not ApprovalRule.objects.exists()


def test_another_companys_department_is_not_found(company, company_admin, other_company):
    theirs = make_department(other_company, "Theirs")
    with pytest.raises(DomainError) as caught:
        _rule(company, company_admin, department_id=theirs.pk)
    assert caught.value.code == "department_not_found"
    rule = _rule(company, company_admin)
    level = rule_actions.add_level(user=company_admin, company_id=company.pk, rule_id=rule.pk)
    with pytest.raises(DomainError) as caught:
        rule_actions.add_approver(
            user=company_admin,
            company_id=company.pk,
            level_id=level.pk,
            role="finance",
            department_id=theirs.pk,
        )
    assert caught.value.code == "department_not_found"


def test_a_user_approver_is_a_current_member(
    company, company_admin, member, make_user, other_member
):
    rule = _rule(company, company_admin)
    level = rule_actions.add_level(user=company_admin, company_id=company.pk, rule_id=rule.pk)
    gone = member(role=Role.APPROVER, username="gone")
    remove(gone.company_memberships.get())
    for outsider in (make_user("stranger"), other_member, gone):
        with pytest.raises(DomainError) as caught:
            rule_actions.add_approver(
                user=company_admin, company_id=company.pk, level_id=level.pk, user_id=outsider.pk
            )
        assert caught.value.code == "approver_not_member"
    with pytest.raises(DomainError) as caught:
        rule_actions.add_approver(
            user=company_admin,
            company_id=company.pk,
            level_id=level.pk,
            user_id=company_admin.pk,
            role="finance",
        )
    assert caught.value.code == "approver_invalid"
    assert not LevelApprover.objects.exists()


def test_a_failing_level_in_a_replacement_keeps_the_old_levels(company, company_admin):
    rule = _rule(company, company_admin, levels=[ANY(approvers=[BY_ROLE(role="approver")])])
    before = snapshot()
    with pytest.raises(DomainError) as caught:
        rule_actions.update_rule(
            user=company_admin,
            company_id=company.pk,
            rule_id=rule.pk,
            name="Renamed",
            levels=[ANY(approvers=[BY_ROLE(role="finance")]), ANY(mode="some")],
        )
    assert caught.value.code == "level_mode_invalid"
    assert snapshot() == before


def test_positions_out_of_range_are_refused(company, company_admin):
    rule = _rule(company, company_admin)
    level = rule_actions.add_level(user=company_admin, company_id=company.pk, rule_id=rule.pk)
    before = snapshot()
    for position in (0, 2, "x", None):
        with pytest.raises(DomainError) as caught:
            rule_actions.move_rule(
                user=company_admin, company_id=company.pk, rule_id=rule.pk, position=position
            )
        assert caught.value.code == "position_invalid"
        with pytest.raises(DomainError) as caught:
            rule_actions.move_level(
                user=company_admin, company_id=company.pk, level_id=level.pk, position=position
            )
        assert caught.value.code == "position_invalid"
    assert snapshot() == before


def test_another_companys_rule_level_and_approver_are_not_found(
    company, company_admin, other_company, other_member
):
    theirs = _rule(other_company, other_member, levels=[ANY(approvers=[BY_ROLE(role="buyer")])])
    level = theirs.levels.get()
    approver = level.approvers.get()
    kwargs = {"user": company_admin, "company_id": company.pk}
    calls = [
        (lambda: rule_actions.delete_rule(**kwargs, rule_id=theirs.pk), "rule_not_found"),
        (lambda: rule_actions.add_level(**kwargs, rule_id=theirs.pk), "rule_not_found"),
        (lambda: rule_actions.remove_level(**kwargs, level_id=level.pk), "level_not_found"),
        (
            lambda: rule_actions.remove_approver(**kwargs, approver_id=approver.pk),
            "approver_not_found",
        ),
    ]
    before = snapshot()
    for call, code in calls:
        with pytest.raises(DomainError) as caught:
            call()
        assert caught.value.code == code
    assert snapshot() == before


def test_a_department_named_by_a_rule_is_not_deleted(company, company_admin):
    design = make_department(company, "Design")
    _rule(company, company_admin, department_id=design.pk)
    with pytest.raises(DomainError) as caught:
        delete_department(user=company_admin, company_id=company.pk, department_id=design.pk)
    assert caught.value.code == "department_not_empty"


# --- who may not ----------------------------------------------------------------------------


@pytest.fixture
def outsiders(company, member, other_member):
    design = make_department(company, "Design")
    removed = member(role=Role.ADMIN, username="former")
    remove(removed.company_memberships.get())
    return {
        "buyer": (member(role=Role.BUYER), "role_required"),
        "viewer": (member(role=Role.VIEWER), "role_required"),
        "approver": (member(role=Role.APPROVER), "role_required"),
        "department admin": (member(role=Role.ADMIN, department=design), "role_required"),
        "another company's admin": (other_member, "not_a_member"),
        "removed admin": (removed, "not_a_member"),
    }


def test_only_a_company_admin_edits_rules(company, company_admin, outsiders):
    rule = _rule(company, company_admin, levels=[ANY(approvers=[BY_ROLE(role="approver")])])
    level = rule.levels.get()
    approver = level.approvers.get()
    before = snapshot()
    calls = [
        (rule_actions.create_rule, {"name": "Mine"}),
        (rule_actions.update_rule, {"rule_id": rule.pk, "name": "Mine"}),
        (rule_actions.move_rule, {"rule_id": rule.pk, "position": 1}),
        (rule_actions.delete_rule, {"rule_id": rule.pk}),
        (rule_actions.add_level, {"rule_id": rule.pk}),
        (rule_actions.update_level, {"level_id": level.pk, "mode": "all"}),
        (rule_actions.move_level, {"level_id": level.pk, "position": 1}),
        (rule_actions.remove_level, {"level_id": level.pk}),
        (rule_actions.add_approver, {"level_id": level.pk, "role": "buyer"}),
        (rule_actions.remove_approver, {"approver_id": approver.pk}),
    ]
    for who, (user, code) in outsiders.items():
        for action, arguments in calls:
            with pytest.raises(DomainError) as caught:
                action(user=user, company_id=company.pk, **arguments)
            assert caught.value.code == code, (who, action.__name__)
    assert snapshot() == before


def test_a_second_company_admin_may_edit(company, company_admin, member):
    other_admin = member(role=Role.ADMIN, username="deputy")
    join(company, other_admin)
    rule = _rule(company, other_admin)
    assert rule.company_id == company.pk

"""Members and roles: added by an administrator, removed or leaving with their history kept,
roles over the company or a department's subtree, and always one administrator left."""

import threading

import pytest
from django.db import connection

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.messaging.models import Message
from infoconnect.procurement import selectors
from infoconnect.procurement.actions import members as actions
from infoconnect.procurement.models import Membership, RoleAssignment
from infoconnect.procurement.tests.factories import VALID_2, add, make_company, make_department

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob(make_user):
    return make_user("bob")


def current(company) -> list[str]:
    return sorted(
        Membership.objects.filter(company=company, ended_at__isnull=True).values_list(
            "user__username", flat=True
        )
    )


def roles(company, person) -> list[tuple]:
    return sorted(
        RoleAssignment.objects.filter(
            membership__company=company, membership__user=person, membership__ended_at__isnull=True
        ).values_list("role", "department__name")
    )


def code_of(call) -> tuple[str, int]:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.code, refused.value.status


# --- adding --------------------------------------------------------------------------------------


def test_the_admin_adds_an_account_by_username_and_it_is_told(admin, company, bob):
    membership = actions.add_member(admin_user=admin, company_id=company.pk, username=" @Bob ")
    assert (membership.user, membership.invited_by, membership.ended_at) == (bob, admin, None)
    assert current(company) == ["bob", "boss"]
    assert roles(company, bob) == []
    message = Message.objects.get()
    assert (message.sender, message.conversation.participants.filter(user=bob).exists()) == (
        admin,
        True,
    )
    assert message.body.startswith("I have added you to Huaxia Design on InfoConnect.")


def test_someone_who_takes_no_messages_from_the_admin_is_added_untold(admin, company, bob):
    User.objects.filter(pk=bob.pk).update(message_policy=User.MessagePolicy.FOLLOWING)
    actions.add_member(admin_user=admin, company_id=company.pk, username="bob")
    assert current(company) == ["bob", "boss"]
    assert Message.objects.count() == 0


@pytest.mark.parametrize("username", ["nobody", "", "gone"])
def test_only_an_existing_active_account_can_be_added(admin, company, make_user, username):
    make_user("gone", is_active=False)
    assert code_of(
        lambda: actions.add_member(admin_user=admin, company_id=company.pk, username=username)
    ) == ("account_not_found", 404)
    assert current(company) == ["boss"]


def test_a_member_is_not_added_twice(admin, company, bob):
    actions.add_member(admin_user=admin, company_id=company.pk, username="bob")
    for username in ("bob", "boss"):
        assert code_of(
            lambda username=username: actions.add_member(
                admin_user=admin, company_id=company.pk, username=username
            )
        ) == ("already_a_member", 409)
    assert Membership.objects.count() == 2 and Message.objects.count() == 1


@pytest.fixture
def cast(company, admin, make_user):
    """Everyone who may not manage the company's members: who they are -> the error."""
    viewer, buyer, dept_admin, former, outsider = (
        make_user(name) for name in ("viewer", "buyer", "deptadmin", "former", "outsider")
    )
    sales = make_department(company, "Sales")
    add(company, admin, viewer, "viewer")
    add(company, admin, buyer, "buyer", "approver", "finance")
    add(company, admin, dept_admin, "admin", department=sales)
    add(company, admin, former, "admin")
    actions.remove_member(admin_user=admin, company_id=company.pk, member_user_id=former.pk)
    make_company(outsider, name="Other Co.", code=VALID_2)
    return {
        viewer: ("role_required", 403),
        buyer: ("role_required", 403),
        dept_admin: ("role_required", 403),
        former: ("not_a_member", 404),
        outsider: ("not_a_member", 404),
    }


def test_only_a_current_company_admin_adds_members(company, cast, make_user):
    make_user("carol")
    before = Membership.objects.count()
    for person, expected in cast.items():
        assert (
            code_of(
                lambda person=person: actions.add_member(
                    admin_user=person, company_id=company.pk, username="carol"
                )
            )
            == expected
        ), person.username
    assert Membership.objects.count() == before


def test_only_a_current_company_admin_removes_members(company, cast, bob, admin):
    add(company, admin, bob, "buyer")
    for person, expected in cast.items():
        assert (
            code_of(
                lambda person=person: actions.remove_member(
                    admin_user=person, company_id=company.pk, member_user_id=bob.pk
                )
            )
            == expected
        )
    assert "bob" in current(company)


def test_a_company_that_does_not_exist_is_not_revealed(admin):
    assert code_of(
        lambda: actions.add_member(admin_user=admin, company_id=99999, username="boss")
    ) == ("not_a_member", 404)


# --- removing and leaving -----------------------------------------------------------------------


def test_removal_keeps_the_membership_and_its_roles_as_history(admin, company, bob):
    first = add(company, admin, bob, "buyer")
    removed = actions.remove_member(admin_user=admin, company_id=company.pk, member_user_id=bob.pk)
    stored = Membership.objects.get(pk=first.pk)
    assert (stored.ended_by, stored.ended_at is not None) == (admin, True)
    assert removed.ended_at == stored.ended_at
    assert list(stored.roles.values_list("role", flat=True)) == ["buyer"]
    assert selectors.current_membership(user=bob, company_id=company.pk) is None
    assert selectors.companies_of(user=bob) == []
    # Added again: a new membership, without the old roles.
    again = actions.add_member(admin_user=admin, company_id=company.pk, username="bob")
    assert again.pk != first.pk and roles(company, bob) == []
    assert Membership.objects.filter(company=company, user=bob).count() == 2


def test_removing_someone_who_is_not_a_member(admin, company, bob):
    assert code_of(
        lambda: actions.remove_member(
            admin_user=admin, company_id=company.pk, member_user_id=bob.pk
        )
    ) == ("member_not_found", 404)
    assert code_of(
        lambda: actions.remove_member(admin_user=admin, company_id=company.pk, member_user_id=2**70)
    ) == ("member_not_found", 404)


def test_a_member_leaves_and_the_history_says_so(admin, company, bob):
    add(company, admin, bob, "viewer")
    left = actions.leave_company(user=bob, company_id=company.pk)
    assert (left.ended_by, left.user) == (bob, bob)
    assert current(company) == ["boss"]
    assert code_of(lambda: actions.leave_company(user=bob, company_id=company.pk)) == (
        "not_a_member",
        404,
    )


def test_the_last_admin_cannot_leave_be_removed_or_lose_the_role(admin, company, bob):
    add(company, admin, bob, "buyer")
    last = ("last_admin", 409)
    assert code_of(lambda: actions.leave_company(user=admin, company_id=company.pk)) == last
    assert (
        code_of(
            lambda: actions.remove_member(
                admin_user=admin, company_id=company.pk, member_user_id=admin.pk
            )
        )
        == last
    )
    assert (
        code_of(
            lambda: actions.revoke_role(
                admin_user=admin, company_id=company.pk, member_user_id=admin.pk, role="admin"
            )
        )
        == last
    )
    assert current(company) == ["bob", "boss"] and roles(company, admin) == [("admin", None)]
    # A department's administrator does not count as the company's.
    sales = make_department(company, "Sales")
    actions.grant_role(
        admin_user=admin,
        company_id=company.pk,
        member_user_id=bob.pk,
        role="admin",
        department_id=sales.pk,
    )
    assert code_of(lambda: actions.leave_company(user=admin, company_id=company.pk)) == last
    # With a second one, the first may go.
    actions.grant_role(admin_user=admin, company_id=company.pk, member_user_id=bob.pk, role="admin")
    actions.leave_company(user=admin, company_id=company.pk)
    assert current(company) == ["bob"]
    assert code_of(lambda: actions.leave_company(user=bob, company_id=company.pk)) == last


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_admins_removing_each_other_at_once_leave_one(make_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrent transactions")
    first, second = make_user("first"), make_user("second")
    company = make_company(first)
    add(company, first, second, "admin")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def remove(who, whom) -> None:
        from django.db import connections

        try:
            barrier.wait()
            actions.remove_member(admin_user=who, company_id=company.pk, member_user_id=whom.pk)
            outcomes.append("removed")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=remove, args=(first, second)),
        threading.Thread(target=remove, args=(second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # The second to get the lock is no longer a member, or would remove the last admin.
    assert outcomes.count("removed") == 1
    assert len(current(company)) == 1


# --- roles ----------------------------------------------------------------------------------------


def test_a_member_holds_several_roles_over_the_company_or_a_subtree(admin, company, bob):
    sales = make_department(company, "Sales")
    north = make_department(company, "North", parent=sales)
    add(company, admin, bob, "buyer", "viewer")
    granted = actions.grant_role(
        admin_user=admin,
        company_id=company.pk,
        member_user_id=bob.pk,
        role="approver",
        department_id=str(sales.pk),
    )
    assert (granted.role, granted.department, granted.granted_by) == ("approver", sales, admin)
    assert roles(company, bob) == [("approver", "Sales"), ("buyer", None), ("viewer", None)]
    membership = selectors.require_member(user=bob, company_id=company.pk)
    assert selectors.holds_role(membership, "approver", north)
    assert not selectors.holds_role(membership, "approver")
    assert selectors.holds_role(membership, "buyer", north)


def test_a_role_is_held_once_over_one_scope(admin, company, bob):
    sales = make_department(company, "Sales")
    add(company, admin, bob, "buyer")
    assert code_of(
        lambda: actions.grant_role(
            admin_user=admin, company_id=company.pk, member_user_id=bob.pk, role="buyer"
        )
    ) == ("role_already_held", 409)

    def grant():
        return actions.grant_role(
            admin_user=admin,
            company_id=company.pk,
            member_user_id=bob.pk,
            role="approver",
            department_id=sales.pk,
        )

    grant()
    assert code_of(grant) == ("role_already_held", 409)
    assert roles(company, bob) == [("approver", "Sales"), ("buyer", None)]


@pytest.mark.parametrize("role", ["owner", "", None, "Admin", ["admin"]])
def test_an_unknown_role_is_refused(admin, company, bob, role):
    add(company, admin, bob)
    assert code_of(
        lambda: actions.grant_role(
            admin_user=admin, company_id=company.pk, member_user_id=bob.pk, role=role
        )
    ) == ("invalid_role", 422)
    assert roles(company, bob) == []


def test_a_department_must_be_one_of_the_companys(admin, company, bob, make_user):
    other = make_company(make_user("other"), name="Other", code=VALID_2)
    theirs = make_department(other, "Their sales")
    add(company, admin, bob)
    for department_id in (theirs.pk, 999999, "x", -1, 2**70):
        assert code_of(
            lambda department_id=department_id: actions.grant_role(
                admin_user=admin,
                company_id=company.pk,
                member_user_id=bob.pk,
                role="buyer",
                department_id=department_id,
            )
        ) == ("department_not_found", 404)
    assert roles(company, bob) == []


def test_a_role_goes_only_to_a_current_member(admin, company, bob):
    assert code_of(
        lambda: actions.grant_role(
            admin_user=admin, company_id=company.pk, member_user_id=bob.pk, role="buyer"
        )
    ) == ("member_not_found", 404)
    assert RoleAssignment.objects.count() == 1


def test_only_an_admin_over_the_scope_grants_and_revokes(admin, company, cast, bob):
    add(company, admin, bob, "viewer")
    for person, expected in cast.items():
        for change in (actions.grant_role, actions.revoke_role):
            assert (
                code_of(
                    lambda person=person, change=change: change(
                        admin_user=person,
                        company_id=company.pk,
                        member_user_id=bob.pk,
                        role="viewer" if change is actions.revoke_role else "buyer",
                    )
                )
                == expected
            )
    assert roles(company, bob) == [("viewer", None)]


def test_a_department_admin_manages_roles_in_their_subtree_only(admin, company, bob, make_user):
    sales = make_department(company, "Sales")
    north = make_department(company, "North", parent=sales)
    finance = make_department(company, "Finance")
    lead = make_user("lead")
    add(company, admin, lead, "admin", department=sales)
    add(company, admin, bob)

    def grant(department):
        return actions.grant_role(
            admin_user=lead,
            company_id=company.pk,
            member_user_id=bob.pk,
            role="buyer",
            department_id=department.pk,
        )

    grant(north)
    assert code_of(lambda: grant(finance)) == ("role_required", 403)
    actions.revoke_role(
        admin_user=lead,
        company_id=company.pk,
        member_user_id=bob.pk,
        role="buyer",
        department_id=north.pk,
    )
    assert roles(company, bob) == []


def test_revoking_a_role(admin, company, bob, make_user):
    sales = make_department(company, "Sales")
    add(company, admin, bob, "buyer", "admin")
    carol = make_user("carol")
    add(company, admin, carol, "viewer", department=sales)
    actions.revoke_role(
        admin_user=admin, company_id=company.pk, member_user_id=bob.pk, role="buyer"
    )
    # An administrator may take their own role while another one remains.
    actions.revoke_role(
        admin_user=admin, company_id=company.pk, member_user_id=admin.pk, role="admin"
    )
    assert roles(company, bob) == [("admin", None)]
    assert roles(company, admin) == []
    assert code_of(
        lambda: actions.revoke_role(
            admin_user=bob, company_id=company.pk, member_user_id=bob.pk, role="buyer"
        )
    ) == ("role_not_held", 404)
    # The scope says which one: the company-wide viewer role is not the department's.
    assert code_of(
        lambda: actions.revoke_role(
            admin_user=bob, company_id=company.pk, member_user_id=carol.pk, role="viewer"
        )
    ) == ("role_not_held", 404)
    actions.revoke_role(
        admin_user=bob,
        company_id=company.pk,
        member_user_id=carol.pk,
        role="viewer",
        department_id=sales.pk,
    )
    assert roles(company, carol) == []

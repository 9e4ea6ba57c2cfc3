import pytest

from infoconnect.accounts import actions, selectors
from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError

pytestmark = pytest.mark.django_db


def test_get_user_by_username_ignores_case(make_user):
    alice = make_user("Alice")
    assert selectors.get_user_by_username(username="aLiCe") == alice


def test_get_user_by_username_hides_missing_and_deactivated_accounts(make_user):
    gone = make_user("gone")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    for username in ("gone", "nobody"):
        with pytest.raises(DomainError) as exc:
            selectors.get_user_by_username(username=username)
        assert (exc.value.code, exc.value.status) == ("account_not_found", 404)


def test_active_tokens_lists_only_working_tokens_newest_first(make_user):
    alice, bob = make_user("alice"), make_user("bob")
    first, _ = actions.create_access_token(user=alice, name="first")
    second, _ = actions.create_access_token(user=alice, name="second")
    revoked, _ = actions.create_access_token(user=alice, name="revoked")
    actions.create_access_token(user=bob, name="bob's")
    actions.revoke_access_token(user=alice, token_id=revoked.pk)
    assert [t.name for t in selectors.active_tokens(user=alice)] == ["second", "first"]


def test_merchant_applications(make_user):
    person = make_user("alice")
    first = make_user("acme", kind="merchant")
    make_user("done", kind="merchant", verified=True)
    second = make_user("bolt", kind="merchant")
    assert selectors.merchant_profile_for(user=person) is None
    assert selectors.merchant_profile_for(user=first).shop_name == "acme shop"
    assert [p.user.username for p in selectors.pending_merchant_applications()] == [
        "acme",
        "bolt",
    ]
    assert second.merchant_profile.status == "pending"

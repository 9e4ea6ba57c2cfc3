import pytest
from django.urls import reverse

from infoconnect.accounts import actions
from infoconnect.accounts.models import MerchantProfile, User

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_merchantprofile_changelist")


@pytest.fixture
def admin_client(client):
    client.force_login(actions.ensure_operator(username="ops", password="ops-pass-123"))
    return client


def test_operator_verifies_selected_merchants(admin_client, make_user):
    first = make_user("acme", kind="merchant")
    second = make_user("bolt", kind="merchant")
    listing = admin_client.get(CHANGELIST, {"status__exact": "pending"})
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "Verify selected merchants" in body and "Reject selected merchants" in body
    assert "acme shop" in body and "bolt shop" in body

    ids = [first.merchant_profile.pk, second.merchant_profile.pk]
    response = admin_client.post(
        CHANGELIST, {"action": "verify_selected", "_selected_action": ids}, follow=True
    )
    assert "2 merchants verified." in response.content.decode()
    assert set(MerchantProfile.objects.values_list("status", flat=True)) == {"verified"}
    assert not MerchantProfile.objects.filter(reviewed_at__isnull=True).exists()
    assert User.objects.filter(is_verified_merchant=True).count() == 2


def test_operator_rejects_selected_merchants(admin_client, make_user):
    merchant = make_user("acme", kind="merchant", verified=True)
    response = admin_client.post(
        CHANGELIST,
        {"action": "reject_selected", "_selected_action": [merchant.merchant_profile.pk]},
        follow=True,
    )
    assert "1 merchant rejected." in response.content.decode()
    merchant.refresh_from_db()
    assert (merchant.merchant_profile.status, merchant.is_verified_merchant) == (
        "rejected",
        False,
    )


def test_people_who_are_not_staff_cannot_use_the_admin(client, make_user):
    merchant = make_user("acme", kind="merchant")
    client.force_login(make_user("mallory"))
    response = client.post(
        CHANGELIST,
        {"action": "verify_selected", "_selected_action": [merchant.merchant_profile.pk]},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert MerchantProfile.objects.get(pk=merchant.merchant_profile.pk).status == "pending"


def test_user_admin_searches_names_and_opens_pages(admin_client, make_user):
    make_user("bob", display_name="Bob Wang")
    make_user("carol")
    body = admin_client.get(
        reverse("admin:accounts_user_changelist"), {"q": "Wang"}
    ).content.decode()
    assert "Bob Wang" in body and "carol" not in body
    bob = User.objects.get(username="bob")
    assert admin_client.get(reverse("admin:accounts_user_change", args=[bob.pk])).status_code == 200
    assert admin_client.get(reverse("admin:accounts_user_add")).status_code == 200


def test_admin_adds_a_user_with_a_case_insensitive_unique_name(admin_client, make_user):
    make_user("alice")
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "ALICE",
            "usable_password": "true",
            "password1": "tea-leaf-mountain-9",
            "password2": "tea-leaf-mountain-9",
        },
    )
    assert response.status_code == 200
    assert "That username is taken." in response.content.decode()
    assert User.objects.filter(username__iexact="alice").count() == 1

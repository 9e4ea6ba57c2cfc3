import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from conftest import TEST_PASSWORD
from infoconnect.accounts import actions
from infoconnect.accounts.models import AccessToken, MerchantProfile, User
from infoconnect.accounts.tests.images import image_upload
from infoconnect.accounts.tokens import user_for_token

pytestmark = pytest.mark.django_db

SIGNUP = reverse("accounts:signup")
PROFILE = reverse("accounts:settings")
PASSWORD = reverse("accounts:settings_password")
TOKENS = reverse("accounts:settings_tokens")
MERCHANT = reverse("accounts:settings_merchant")


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


# --- sign up, log in, log out --------------------------------------------------------------


def test_signup_page_shows_the_form(client):
    response = client.get(SIGNUP)
    assert response.status_code == 200
    body = text(response)
    for label in ("Username", "Password", "Password again", "Create account"):
        assert label in body


def test_signup_logs_the_new_person_in_and_goes_home(client):
    response = client.post(
        SIGNUP, {"username": "Newbie_7", "password1": TEST_PASSWORD, "password2": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(username="Newbie_7")
    assert int(client.session["_auth_user_id"]) == user.pk
    page = text(client.get(PROFILE))
    assert '<span class="nav-label">@Newbie_7</span>' in page
    assert "Welcome to InfoConnect, @Newbie_7!" in page


def test_signup_says_a_username_is_taken_in_any_case(client, alice):
    response = client.post(
        SIGNUP, {"username": "Alice", "password1": TEST_PASSWORD, "password2": TEST_PASSWORD}
    )
    assert response.status_code == 422
    assert "That username is taken." in text(response)
    assert User.objects.count() == 1
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "a b"}, "Use 3 to 30 letters, digits or underscores."),
        ({"password1": "password", "password2": "password"}, "This password is too common."),
        ({"password2": "something-else-entirely"}, "The two passwords do not match."),
        ({"username": ""}, "This field is required."),
    ],
)
def test_signup_shows_what_is_wrong(client, data, message):
    form = {"username": "bob", "password1": TEST_PASSWORD, "password2": TEST_PASSWORD, **data}
    response = client.post(SIGNUP, form)
    assert response.status_code == 422
    assert message in text(response)
    assert not User.objects.exists()


def test_signed_in_people_skip_the_signup_page(alice_client):
    response = alice_client.get(SIGNUP)
    assert (response.status_code, response["Location"]) == (302, "/")


def test_login_ignores_username_case(client, alice):
    response = client.post(
        reverse("accounts:login"), {"username": "ALICE", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == alice.pk


def test_login_says_when_the_password_is_wrong(client, alice):
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "Wrong username or password." in text(response)
    assert "_auth_user_id" not in client.session


def test_login_page_keeps_its_labels(client):
    body = text(client.get(reverse("accounts:login")))
    assert '<label for="id_username">Username</label>' in body
    assert '<label for="id_password">Password</label>' in body
    assert '<button type="submit">Log in</button>' in body


def test_logout_is_a_post(alice_client):
    assert alice_client.get(reverse("accounts:logout")).status_code == 405
    response = alice_client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in alice_client.session


@pytest.mark.parametrize("url", [PROFILE, PASSWORD, TOKENS, MERCHANT])
def test_settings_need_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


# --- profile -------------------------------------------------------------------------------


def test_settings_pages_share_a_nav(alice_client):
    body = text(alice_client.get(PROFILE))
    for url, label in (
        (PROFILE, "Profile"),
        (PASSWORD, "Password"),
        (TOKENS, "Access tokens"),
        (MERCHANT, "Merchant account"),
    ):
        assert f'href="{url}"' in body and label in body


def test_profile_settings_save(alice_client, alice):
    response = alice_client.post(
        PROFILE,
        {
            "display_name": "Alice Wang",
            "bio": "Tea.",
            "region": "ZJ",
            "message_policy": "following",
            "avatar": image_upload(),
        },
    )
    assert (response.status_code, response["Location"]) == (302, PROFILE)
    alice.refresh_from_db()
    assert (alice.display_name, alice.region, alice.message_policy) == (
        "Alice Wang",
        "ZJ",
        "following",
    )
    page = text(alice_client.get(PROFILE))
    assert "Your profile is saved." in page
    assert f'src="/media/{alice.avatar_thumb.name}"' in page
    assert 'value="Alice Wang"' in page
    assert '<option value="ZJ" selected>Zhejiang</option>' in page


def test_posting_defaults_are_saved_and_the_compose_box_starts_with_them(alice_client, alice):
    response = alice_client.post(
        PROFILE,
        {
            "display_name": "",
            "bio": "",
            "region": "",
            "message_policy": "everyone",
            "default_privacy": "private",
            "default_sensitive": "on",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.default_privacy, alice.default_sensitive) == ("private", True)
    settings_page = alice_client.get(PROFILE).content.decode()
    assert '<option value="private" selected>Followers only</option>' in settings_page
    home = alice_client.get("/").content.decode()
    assert '<option value="private" selected>Followers only</option>' in home
    bad = alice_client.post(
        PROFILE,
        {"display_name": "", "bio": "", "region": "", "message_policy": "everyone",
         "default_privacy": "friends"},
    )  # fmt: skip
    assert bad.status_code == 422
    assert "Select a valid choice. friends is not one of the available choices." in text(bad)
    alice.refresh_from_db()
    assert alice.default_privacy == "private"


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("me.jpg", b"MZ\x90\x00 not an image"),
            "Upload a JPEG, PNG, WebP or GIF image.",
        ),
        (
            SimpleUploadedFile("big.png", image_upload().read() + b"\0" * (5 * 1024 * 1024)),
            "The image must be at most 5 MB.",
        ),
    ],
    ids=["not-an-image", "over-5mb"],
)
def test_profile_settings_refuse_a_bad_avatar(alice_client, alice, upload, message):
    response = alice_client.post(
        PROFILE,
        {
            "display_name": "Changed",
            "bio": "",
            "region": "",
            "message_policy": "everyone",
            "avatar": upload,
        },
    )
    assert response.status_code == 422
    assert message in text(response)
    alice.refresh_from_db()
    assert (alice.display_name, alice.avatar.name) == ("", "")


def test_profile_settings_refuse_a_region_not_in_the_list(alice_client):
    response = alice_client.post(
        PROFILE, {"display_name": "", "bio": "", "region": "XX", "message_policy": "everyone"}
    )
    assert response.status_code == 422
    assert "Select a valid choice. XX is not one of the available choices." in text(response)


# --- password ------------------------------------------------------------------------------


def test_password_change_keeps_this_browser_signed_in(alice_client, alice):
    new = "tea-leaf-mountain-9"
    response = alice_client.post(
        PASSWORD, {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert (response.status_code, response["Location"]) == (302, PASSWORD)
    page = alice_client.get(PASSWORD)
    assert page.status_code == 200
    assert "Your password is changed." in text(page)
    alice.refresh_from_db()
    assert alice.check_password(new)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"old_password": "wrong"}, "Your current password is not correct."),
        (
            {"new_password1": "12345678", "new_password2": "12345678"},
            "This password is entirely numeric.",
        ),
        ({"new_password2": "different-one-here"}, "The two passwords do not match."),
    ],
)
def test_password_change_says_what_is_wrong(alice_client, alice, data, message):
    form = {
        "old_password": TEST_PASSWORD,
        "new_password1": "tea-leaf-mountain-9",
        "new_password2": "tea-leaf-mountain-9",
        **data,
    }
    response = alice_client.post(PASSWORD, form)
    assert response.status_code == 422
    assert message in text(response)
    alice.refresh_from_db()
    assert alice.check_password(TEST_PASSWORD)


# --- access tokens -------------------------------------------------------------------------


def test_a_new_token_is_shown_once(alice_client, alice):
    response = alice_client.post(TOKENS, {"name": "phone app"})
    assert response.status_code == 200
    body = text(response)
    key = re.search(r'data-testid="new-token-key"[^>]*>(ic_[^<]+)<', body).group(1)
    assert "Copy it now: it is shown only this once." in body
    token = AccessToken.objects.get(user=alice)
    listing = text(alice_client.get(TOKENS))
    assert key not in listing
    assert "phone app" in listing
    assert f"<code>{token.hint}…</code>" in listing
    assert "<td>Never</td>" in listing
    assert user_for_token(key) == alice
    used = AccessToken.objects.get(pk=token.pk).last_used_at
    assert f"<td>{timezone.localtime(used):%Y-%m-%d %H:%M}</td>" in text(alice_client.get(TOKENS))


def test_a_token_needs_a_name(alice_client, alice):
    response = alice_client.post(TOKENS, {"name": ""})
    assert response.status_code == 422
    assert "This field is required." in text(response)
    assert not AccessToken.objects.exists()


def test_revoking_a_token_from_the_page(alice_client, alice):
    token, key = actions.create_access_token(user=alice, name="cli")
    response = alice_client.post(reverse("accounts:token_revoke", args=[token.pk]), follow=True)
    assert "The token is revoked; it no longer works." in text(response)
    assert "You have no access tokens." in text(response)
    assert user_for_token(key) is None


def test_nobody_revokes_another_persons_token_from_the_page(alice_client, make_user):
    token, key = actions.create_access_token(user=make_user("bob"), name="cli")
    response = alice_client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    assert "That access token does not exist." in text(response)
    assert user_for_token(key) is not None
    assert alice_client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405


# --- merchant application ------------------------------------------------------------------


APPLICATION = {
    "shop_name": "Acme Tea",
    "company_name": "Acme Tea Trading Co., Ltd.",
    "business_license_number": "91310000MA1FL8TQ3X",
    "contact_phone": "13800138000",
    "description": "Oolong.",
}


def test_merchant_application_from_the_page(alice_client, alice):
    assert "Apply as a merchant" in text(alice_client.get(MERCHANT))
    response = alice_client.post(MERCHANT, APPLICATION, follow=True)
    body = text(response)
    assert "Your application is sent. An operator will review it." in body
    assert "Application for Acme Tea: Pending review" in body
    assert "Send application" not in body
    assert MerchantProfile.objects.get(user=alice).status == "pending"


def test_merchant_application_shows_bad_details(alice_client):
    response = alice_client.post(MERCHANT, {**APPLICATION, "business_license_number": "123"})
    assert response.status_code == 422
    assert "Enter the 18-character unified social credit code." in text(response)
    assert not MerchantProfile.objects.exists()


def test_a_pending_application_cannot_be_sent_again(alice_client, alice):
    actions.apply_as_merchant(user=alice, **APPLICATION)
    response = alice_client.post(MERCHANT, {**APPLICATION, "shop_name": "Other"})
    assert response.status_code == 409
    assert "Your merchant application is already under review." in text(response)


def test_verified_and_rejected_statuses(client, make_user):
    merchant = make_user("acme", kind="merchant", verified=True)
    client.force_login(merchant)
    body = text(client.get(MERCHANT))
    assert "Application for acme shop: Verified" in body
    assert '<span class="sr-only">Verified</span>' in body
    operator = make_user("ops", is_staff=True)
    actions.reject_merchant(
        operator=operator, profile_id=merchant.merchant_profile.pk, note="Licence expired."
    )
    body = text(client.get(MERCHANT))
    assert "Application for acme shop: Rejected" in body
    assert "Your application was not approved. Licence expired." in body
    assert 'value="acme shop"' in body


# --- includes other pages use --------------------------------------------------------------


def test_name_include_links_the_profile_and_escapes(make_user):
    person = make_user("bob", display_name="<b>Bob</b>")
    html = render_to_string("accounts/_name.html", {"account": person})
    assert '<a href="/@bob/"><strong>&lt;b&gt;Bob&lt;/b&gt;</strong>' in html
    assert '<span class="muted">@bob</span>' in html
    assert "Verified" not in html


def test_name_include_shows_the_badge_only_when_verified(make_user):
    verified = make_user("acme", kind="merchant", verified=True)
    pending = make_user("shop2", kind="merchant")
    badge = '<span class="verified" title="Verified merchant"><svg'
    assert badge in render_to_string("accounts/_name.html", {"account": verified})
    assert badge not in render_to_string("accounts/_name.html", {"account": pending})


def test_avatar_include_shows_the_thumbnail_or_a_placeholder(make_user):
    person = make_user("bob", display_name="bob wang")
    placeholder = render_to_string("accounts/_avatar.html", {"account": person})
    assert "<img" not in placeholder and ">B</span>" in placeholder
    actions.update_profile(user=person, display_name="", bio="", region="", avatar=image_upload())
    html = render_to_string("accounts/_avatar.html", {"account": person, "large": True})
    assert f'<img class="avatar avatar-lg" src="/media/{person.avatar_thumb.name}"' in html


def test_pages_speak_simplified_chinese(client, alice):
    response = client.post(
        SIGNUP,
        {"username": "ALICE", "password1": TEST_PASSWORD, "password2": TEST_PASSWORD},
        headers={"accept-language": "zh-hans"},
    )
    body = text(response)
    assert "该用户名已被占用。" in body
    assert "创建账号" in body

import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import TEST_PASSWORD
from infoconnect.accounts import actions
from infoconnect.accounts.models import AccessToken, MerchantProfile, User
from infoconnect.accounts.tests.images import image_upload
from infoconnect.accounts.tokens import user_for_token
from infoconnect.core.errors import DomainError

pytestmark = pytest.mark.django_db

APPLICATION = {
    "shop_name": "Acme Tea",
    "company_name": "Acme Tea Trading Co., Ltd.",
    "business_license_number": "91310000ma1fl8tq3x",
    "contact_phone": "138 0013 8000",
    "description": "Oolong and green tea.",
}


# --- sign up -----------------------------------------------------------------------------


def test_sign_up_creates_a_person_who_can_log_in_with_any_case():
    user = actions.sign_up(username="Alice_1", password=TEST_PASSWORD)
    assert user.username == "Alice_1"
    assert user.kind == User.Kind.PERSON
    assert user.is_verified_merchant is False
    assert User.objects.get_by_natural_key("alice_1").pk == user.pk
    assert user.check_password(TEST_PASSWORD)


def test_sign_up_refuses_a_username_taken_in_another_case(make_user):
    make_user("alice")
    with pytest.raises(DomainError) as exc:
        actions.sign_up(username="Alice", password=TEST_PASSWORD)
    assert exc.value.code == "username_taken"
    assert exc.value.status == 422
    assert exc.value.fields == {"username": ["That username is taken."]}
    assert User.objects.count() == 1


@pytest.mark.parametrize("username", ["ab", "a" * 31, "al ice", "alice!", "ålice", "", "李雷"])
def test_sign_up_refuses_a_malformed_username(username):
    with pytest.raises(DomainError) as exc:
        actions.sign_up(username=username, password=TEST_PASSWORD)
    assert exc.value.code == "username_invalid"
    assert exc.value.message == "Use 3 to 30 letters, digits or underscores."
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password", "This password is too common."),
        ("48291037465", "This password is entirely numeric."),
        ("Xq1!", "This password is too short. It must contain at least 8 characters."),
        ("carolwhite", "The password is too similar to the username."),
    ],
)
def test_sign_up_runs_the_password_validators(password, message):
    with pytest.raises(DomainError) as exc:
        actions.sign_up(username="carolwhite", password=password)
    assert exc.value.code == "password_invalid"
    assert message in exc.value.fields["password"]
    assert not User.objects.exists()


# --- password ------------------------------------------------------------------------------


def test_change_password(make_user):
    user = make_user("alice")
    actions.change_password(
        user=user, old_password=TEST_PASSWORD, new_password="tea-leaf-mountain-9"
    )
    user.refresh_from_db()
    assert user.check_password("tea-leaf-mountain-9")


def test_change_password_needs_the_current_password(make_user):
    user = make_user("alice")
    with pytest.raises(DomainError) as exc:
        actions.change_password(user=user, old_password="wrong", new_password="tea-leaf-mountain-9")
    assert exc.value.code == "password_incorrect"
    assert exc.value.message == "Your current password is not correct."
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_change_password_refuses_a_weak_password(make_user):
    user = make_user("alice")
    with pytest.raises(DomainError) as exc:
        actions.change_password(user=user, old_password=TEST_PASSWORD, new_password="12345678")
    assert exc.value.code == "password_invalid"
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


# --- profile -------------------------------------------------------------------------------


def test_update_profile_saves_the_fields(make_user):
    user = make_user("alice")
    actions.update_profile(
        user=user,
        display_name="  Alice   Wang ",
        bio="Tea lover.\r\nShanghai.",
        region="SH",
        message_policy="following",
    )
    stored = User.objects.get(pk=user.pk)
    assert (stored.display_name, stored.bio, stored.region, stored.message_policy) == (
        "Alice Wang",
        "Tea lover.\nShanghai.",
        "SH",
        "following",
    )
    assert stored.name == "Alice Wang"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"region": "ZZ"}, "region", "Choose a region from the list."),
        (
            {"display_name": "x" * 51},
            "display_name",
            "A display name can have at most 50 characters.",
        ),
        ({"bio": "x" * 501}, "bio", "A bio can have at most 500 characters."),
        (
            {"message_policy": "nobody"},
            "message_policy",
            "Choose who can message you from the list.",
        ),
    ],
)
def test_update_profile_refuses_bad_fields_and_writes_nothing(make_user, fields, field, message):
    user = make_user("alice", display_name="Alice")
    values = {"display_name": "New", "bio": "", "region": "", **fields}
    with pytest.raises(DomainError) as exc:
        actions.update_profile(user=user, **values)
    assert exc.value.code == "profile_invalid"
    assert exc.value.fields == {field: [message]}
    assert User.objects.get(pk=user.pk).display_name == "Alice"


def test_avatar_upload_stores_a_square_thumbnail(make_user):
    user = make_user("alice")
    actions.update_profile(
        user=user, display_name="", bio="", region="", avatar=image_upload(300, 200, "PNG")
    )
    stored = User.objects.get(pk=user.pk)
    assert stored.avatar.name.startswith("avatars/") and stored.avatar.name.endswith(".png")
    assert stored.avatar_thumb.name.startswith("avatars/thumbs/")
    with Image.open(stored.avatar_thumb.path) as thumb:
        assert (thumb.format, thumb.size) == ("WEBP", (256, 256))
    with Image.open(stored.avatar.path) as original:
        assert original.size == (300, 200)


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP", "GIF"])
def test_avatar_accepts_the_other_formats(make_user, fmt):
    user = make_user("alice")
    upload = image_upload(64, 80, fmt, name="x.bin")
    actions.update_profile(user=user, display_name="", bio="", region="", avatar=upload)
    assert User.objects.get(pk=user.pk).avatar_thumb


def test_replacing_an_avatar_deletes_the_old_files(make_user, django_capture_on_commit_callbacks):
    user = make_user("alice")
    actions.update_profile(user=user, display_name="", bio="", region="", avatar=image_upload())
    old = [user.avatar.name, user.avatar_thumb.name]
    with django_capture_on_commit_callbacks(execute=True):
        actions.update_profile(user=user, display_name="", bio="", region="", avatar=image_upload())
    assert not any(default_storage.exists(name) for name in old)
    assert default_storage.exists(user.avatar.name)
    current = [user.avatar.name, user.avatar_thumb.name]
    with django_capture_on_commit_callbacks(execute=True):
        actions.update_profile(user=user, display_name="", bio="", region="", remove_avatar=True)
    assert not any(default_storage.exists(name) for name in current)
    stored = User.objects.get(pk=user.pk)
    assert (stored.avatar.name, stored.avatar_thumb.name) == ("", "")


@pytest.mark.parametrize(
    ("upload", "code", "message"),
    [
        (
            SimpleUploadedFile("me.png", b"<html>not a picture</html>"),
            "avatar_not_image",
            "Upload a JPEG, PNG, WebP or GIF image.",
        ),
        (
            image_upload(20, 20, "BMP", "me.bmp"),
            "avatar_not_image",
            "Upload a JPEG, PNG, WebP or GIF image.",
        ),
        (
            SimpleUploadedFile("big.png", image_upload().read() + b"\0" * (5 * 1024 * 1024)),
            "avatar_too_large",
            "The image must be at most 5 MB.",
        ),
        (
            image_upload(4097, 10, "PNG"),
            "avatar_too_many_pixels",
            "The image must be at most 4096 × 4096 pixels.",
        ),
        (
            SimpleUploadedFile("cut.png", image_upload().read()[:200]),
            "avatar_not_image",
            "Upload a JPEG, PNG, WebP or GIF image.",
        ),
    ],
    ids=["html", "bmp", "over-5mb", "too-wide", "truncated"],
)
def test_avatar_refuses_bad_files_and_keeps_the_old_profile(make_user, upload, code, message):
    user = make_user("alice", display_name="Alice")
    with pytest.raises(DomainError) as exc:
        actions.update_profile(user=user, display_name="Changed", bio="", region="", avatar=upload)
    assert exc.value.code == code
    assert exc.value.fields == {"avatar": [message]}
    stored = User.objects.get(pk=user.pk)
    assert (stored.display_name, stored.avatar.name) == ("Alice", "")


def test_set_message_policy(make_user):
    user = make_user("alice")
    actions.set_message_policy(user=user, policy="following")
    assert User.objects.get(pk=user.pk).message_policy == "following"
    with pytest.raises(DomainError) as exc:
        actions.set_message_policy(user=user, policy="friends")
    assert exc.value.code == "profile_invalid"
    assert exc.value.message == "Choose who can message you from the list."
    assert User.objects.get(pk=user.pk).message_policy == "following"


# --- merchants -----------------------------------------------------------------------------


@pytest.fixture
def operator(make_user):
    return make_user("ops", is_staff=True)


def test_apply_as_merchant_files_a_pending_application(make_user):
    user = make_user("acme")
    profile = actions.apply_as_merchant(user=user, **APPLICATION)
    assert profile.status == MerchantProfile.Status.PENDING
    assert profile.business_license_number == "91310000MA1FL8TQ3X"
    assert profile.contact_phone == "13800138000"
    stored = User.objects.get(pk=user.pk)
    assert (stored.kind, stored.is_verified_merchant) == ("merchant", False)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("business_license_number", "12345", "Enter the 18-character unified social credit code."),
        ("contact_phone", "02112345678", "Enter an 11-digit mobile number."),
        ("shop_name", "  ", "This field cannot be blank."),
    ],
)
def test_apply_as_merchant_refuses_bad_details(make_user, field, value, message):
    user = make_user("acme")
    with pytest.raises(DomainError) as exc:
        actions.apply_as_merchant(user=user, **{**APPLICATION, field: value})
    assert exc.value.code == "merchant_application_invalid"
    assert message in exc.value.fields[field]
    assert not MerchantProfile.objects.exists()
    assert User.objects.get(pk=user.pk).kind == "person"


def test_apply_twice_while_pending_is_refused(make_user):
    user = make_user("acme")
    actions.apply_as_merchant(user=user, **APPLICATION)
    with pytest.raises(DomainError) as exc:
        actions.apply_as_merchant(user=user, **{**APPLICATION, "shop_name": "Other"})
    assert (exc.value.code, exc.value.status) == ("merchant_application_pending", 409)
    assert MerchantProfile.objects.get(user=user).shop_name == "Acme Tea"


def test_operator_verifies_a_merchant(make_user, operator):
    user = make_user("acme")
    profile = actions.apply_as_merchant(user=user, **APPLICATION)
    verified = actions.verify_merchant(operator=operator, profile_id=profile.pk)
    assert verified.status == MerchantProfile.Status.VERIFIED
    assert verified.reviewed_at is not None
    stored = User.objects.get(pk=user.pk)
    assert (stored.kind, stored.is_verified_merchant) == ("merchant", True)
    with pytest.raises(DomainError) as exc:
        actions.apply_as_merchant(user=stored, **APPLICATION)
    assert exc.value.code == "merchant_already_verified"


def test_a_non_operator_cannot_review(make_user):
    user = make_user("acme")
    profile = actions.apply_as_merchant(user=user, **APPLICATION)
    for reviewer in (user, make_user("mallory")):
        for review in (actions.verify_merchant, actions.reject_merchant):
            with pytest.raises(DomainError) as exc:
                review(operator=reviewer, profile_id=profile.pk)
            assert (exc.value.code, exc.value.status) == ("not_operator", 403)
    profile.refresh_from_db()
    assert (profile.status, profile.reviewed_at) == ("pending", None)
    assert User.objects.get(pk=user.pk).is_verified_merchant is False


def test_reviewing_an_unknown_application_is_404(operator):
    with pytest.raises(DomainError) as exc:
        actions.verify_merchant(operator=operator, profile_id=999_999)
    assert (exc.value.code, exc.value.status) == ("merchant_profile_not_found", 404)


def test_rejection_then_a_new_application(make_user, operator):
    user = make_user("acme")
    profile = actions.apply_as_merchant(user=user, **APPLICATION)
    rejected = actions.reject_merchant(
        operator=operator, profile_id=profile.pk, note="The licence is unreadable."
    )
    assert (rejected.status, rejected.review_note) == ("rejected", "The licence is unreadable.")
    stored = User.objects.get(pk=user.pk)
    assert (stored.kind, stored.is_verified_merchant) == ("person", False)

    again = actions.apply_as_merchant(user=stored, **{**APPLICATION, "shop_name": "Acme Teas"})
    assert (again.pk, again.status, again.shop_name) == (profile.pk, "pending", "Acme Teas")
    assert (again.reviewed_at, again.review_note) == (None, "")
    assert User.objects.get(pk=user.pk).kind == "merchant"


def test_rejecting_a_verified_merchant_removes_the_badge(make_user, operator):
    merchant = make_user("acme", kind="merchant", verified=True)
    actions.reject_merchant(operator=operator, profile_id=merchant.merchant_profile.pk)
    assert User.objects.get(pk=merchant.pk).is_verified_merchant is False


# --- access tokens -------------------------------------------------------------------------


def test_create_access_token_returns_the_key_once_and_stores_its_hash(make_user):
    user = make_user("alice")
    token, key = actions.create_access_token(user=user, name="  phone   app ")
    assert key.startswith("ic_") and len(key) > 40
    assert token.name == "phone app"
    assert token.hint == key[:7]
    assert token.key_hash == AccessToken.hash_key(key)
    assert key not in {token.key_hash, token.hint}
    assert user_for_token(key) == user


@pytest.mark.parametrize("name", ["", "   ", "x" * 61])
def test_create_access_token_needs_a_name(make_user, name):
    user = make_user("alice")
    with pytest.raises(DomainError) as exc:
        actions.create_access_token(user=user, name=name)
    assert exc.value.code == "token_name_invalid"
    assert not AccessToken.objects.exists()


def test_active_tokens_are_capped(make_user):
    user = make_user("alice")
    for number in range(actions.MAX_ACTIVE_TOKENS):
        actions.create_access_token(user=user, name=f"t{number}")
    with pytest.raises(DomainError) as exc:
        actions.create_access_token(user=user, name="one more")
    assert exc.value.code == "token_limit_reached"
    actions.revoke_access_token(
        user=user, token_id=AccessToken.objects.filter(user=user).first().pk
    )
    actions.create_access_token(user=user, name="one more")


def test_a_revoked_token_stops_working_at_once(make_user):
    user = make_user("alice")
    token, key = actions.create_access_token(user=user, name="cli")
    assert user_for_token(key) == user
    actions.revoke_access_token(user=user, token_id=token.pk)
    assert user_for_token(key) is None
    # Revoking again changes nothing and is not an error.
    revoked_at = AccessToken.objects.get(pk=token.pk).revoked_at
    actions.revoke_access_token(user=user, token_id=token.pk)
    assert AccessToken.objects.get(pk=token.pk).revoked_at == revoked_at


def test_nobody_can_revoke_another_persons_token(make_user):
    alice, mallory = make_user("alice"), make_user("mallory")
    token, key = actions.create_access_token(user=alice, name="cli")
    with pytest.raises(DomainError) as exc:
        actions.revoke_access_token(user=mallory, token_id=token.pk)
    assert (exc.value.code, exc.value.status) == ("token_not_found", 404)
    assert user_for_token(key) == alice


def test_last_used_is_recorded_at_most_once_a_minute(make_user):
    user = make_user("alice")
    token, key = actions.create_access_token(user=user, name="cli")
    user_for_token(key)
    first = AccessToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    user_for_token(key)
    assert AccessToken.objects.get(pk=token.pk).last_used_at == first
    AccessToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    user_for_token(key)
    assert AccessToken.objects.get(pk=token.pk).last_used_at > first - timedelta(minutes=1)


# --- operator ------------------------------------------------------------------------------


def test_ensure_operator_creates_once_and_repairs(make_user):
    first = actions.ensure_operator(username="admin", password="demo-admin-pass")
    second = actions.ensure_operator(username="ADMIN", password="demo-admin-pass")
    assert first.pk == second.pk
    assert User.objects.filter(username__iexact="admin").count() == 1
    assert (second.is_staff, second.is_superuser) == (True, True)
    assert second.check_password("demo-admin-pass")

    person = make_user("ops")
    promoted = actions.ensure_operator(username="ops", password="new-ops-pass")
    stored = User.objects.get(pk=person.pk)
    assert promoted.pk == person.pk
    assert (stored.is_staff, stored.is_superuser) == (True, True)
    assert stored.check_password("new-ops-pass")


def test_ensure_operator_refuses_a_malformed_username():
    with pytest.raises(DomainError) as exc:
        actions.ensure_operator(username="no spaces", password="x")
    assert exc.value.code == "username_invalid"
    assert not User.objects.exists()


def test_avatar_drops_exif_and_applies_its_rotation(make_user):
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; show it rotated 90°.
    exif[0x010F] = "SecretCam"
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 20, 30)).save(buffer, format="JPEG", exif=exif)
    upload = SimpleUploadedFile("photo.jpg", buffer.getvalue())
    user = make_user("alice")
    actions.update_profile(user=user, display_name="", bio="", region="", avatar=upload)
    with Image.open(User.objects.get(pk=user.pk).avatar.path) as stored:
        assert stored.size == (200, 300)
        assert dict(stored.getexif()) == {}

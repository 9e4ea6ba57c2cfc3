"""Every write to accounts: sign-up, passwords, profiles, merchant verification, access tokens.

Merchant kind: applying makes the account ``kind=merchant`` at once (it presents itself as
a shop), but ``is_verified_merchant`` — the badge and every merchant privilege — turns on
only when an operator verifies the application. A rejection turns the account back into a
person; the applicant may correct the details and apply again.
"""

import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infoconnect.accounts.avatars import process_avatar
from infoconnect.accounts.errors import AccountsError
from infoconnect.accounts.models import (
    REGIONS,
    USERNAME_RE,
    AccessToken,
    ExpandMedia,
    MerchantProfile,
    PostingPrivacy,
    User,
)
from infoconnect.accounts.tokens import new_token_key
from infoconnect.core.errors import DomainError

MAX_ACTIVE_TOKENS = 20
_REGION_CODES = {code for code, _label in REGIONS}


def _field_error(error: AccountsError, field: str, messages: list[str] | None = None):
    messages = messages or [str(error.message)]
    return DomainError(error, " ".join(messages), fields={field: messages})


def _check_username(username: str) -> str:
    username = (username or "").strip()
    if not re.fullmatch(USERNAME_RE, username):
        raise _field_error(AccountsError.USERNAME_INVALID, "username")
    return username


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise _field_error(AccountsError.PASSWORD_INVALID, "password", list(exc.messages)) from None


@transaction.atomic
def sign_up(*, username: str, password: str, email: str = "") -> User:
    """Create a person; the username keeps the case it was typed in."""
    username = _check_username(username)
    if User.objects.filter(username__iexact=username).exists():
        raise _field_error(AccountsError.USERNAME_TAKEN, "username")
    _check_password(password, User(username=username, email=email))
    try:
        # The case-insensitive unique index decides a race between two sign-ups.
        with transaction.atomic():
            return User.objects.create_user(username=username, password=password, email=email)
    except IntegrityError:
        raise _field_error(AccountsError.USERNAME_TAKEN, "username") from None


@transaction.atomic
def change_password(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password or ""):
        raise _field_error(AccountsError.PASSWORD_INCORRECT, "old_password")
    _check_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])


def _check_message_policy(policy: str) -> str:
    if policy not in User.MessagePolicy.values:
        message = str(_("Choose who can message you from the list."))
        raise DomainError(
            AccountsError.PROFILE_INVALID, message, fields={"message_policy": [message]}
        )
    return policy


@transaction.atomic
def set_message_policy(*, user: User, policy: str) -> None:
    """Who may start a private conversation with this person."""
    user.message_policy = _check_message_policy(policy)
    User.objects.filter(pk=user.pk).update(message_policy=user.message_policy)


@transaction.atomic
def update_profile(
    *,
    user: User,
    display_name: str,
    bio: str,
    region: str,
    message_policy: str | None = None,
    avatar=None,
    remove_avatar: bool = False,
    locked: bool | None = None,
) -> User:
    """Replace the profile fields; ``avatar`` is an uploaded file, checked and thumbnailed.
    ``locked`` (when given) makes each new follower wait for approval."""
    display_name = " ".join((display_name or "").split())
    bio = (bio or "").strip().replace("\r\n", "\n")
    region = region or ""
    fields: dict[str, list[str]] = {}
    if len(display_name) > 50:
        fields["display_name"] = [str(_("A display name can have at most 50 characters."))]
    if len(bio) > 500:
        fields["bio"] = [str(_("A bio can have at most 500 characters."))]
    if region and region not in _REGION_CODES:
        fields["region"] = [str(_("Choose a region from the list."))]
    if message_policy is not None and message_policy not in User.MessagePolicy.values:
        fields["message_policy"] = [str(_("Choose who can message you from the list."))]
    if fields:
        first = next(iter(fields.values()))[0]
        raise DomainError(AccountsError.PROFILE_INVALID, first, fields=fields)

    changes: dict = {"display_name": display_name, "bio": bio, "region": region}
    if message_policy is not None:
        changes["message_policy"] = message_policy
    if locked is not None:
        changes["locked"] = locked
    # Locking the row makes concurrent avatar changes take turns, so the files replaced are
    # the ones stored, not the ones this (maybe stale) object remembers.
    stored = User.objects.select_for_update().filter(pk=user.pk).values("avatar", "avatar_thumb")
    old_files = [name for name in stored.get().values() if name]
    new_files: list[str] = []
    if avatar is not None:
        processed = process_avatar(avatar)
        changes["avatar"] = default_storage.save(
            user.avatar.field.generate_filename(user, processed.original.name), processed.original
        )
        changes["avatar_thumb"] = default_storage.save(
            user.avatar_thumb.field.generate_filename(user, processed.thumb.name), processed.thumb
        )
        new_files = [changes["avatar"], changes["avatar_thumb"]]
    elif remove_avatar:
        changes["avatar"] = ""
        changes["avatar_thumb"] = ""
    replaced = old_files if "avatar" in changes else []
    try:
        User.objects.filter(pk=user.pk).update(**changes)
    except Exception:
        _delete_files(new_files)
        raise
    # Old files go only once the new names are committed, so a rollback loses no picture.
    if replaced:
        transaction.on_commit(lambda: _delete_files(replaced))
    for name, value in changes.items():
        setattr(user, name, value)
    return user


LANGUAGE_RE = r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})?$"


@transaction.atomic
def update_credentials(
    *,
    user: User,
    display_name: str | None = None,
    note: str | None = None,
    avatar=None,
    locked: bool | None = None,
    discoverable: bool | None = None,
    indexable: bool | None = None,
    hide_collections: bool | None = None,
    privacy: str | None = None,
    sensitive: bool | None = None,
    language: str | None = None,
    expand_media: str | None = None,
    expand_spoilers: bool | None = None,
) -> User:
    """Change what is given of the profile and the posting and reading defaults (Mastodon's
    update_credentials); what is left out stays. Everything is checked before anything is
    written."""
    fields: dict[str, list[str]] = {}
    if privacy is not None and privacy not in PostingPrivacy.values:
        fields["source[privacy]"] = [
            str(_("Choose public, unlisted, private or direct as the default visibility."))
        ]
    if language is not None:
        language = language.strip()
        if language and not re.fullmatch(LANGUAGE_RE, language):
            fields["source[language]"] = [str(_("Give the language as an ISO 639 code."))]
    if expand_media is not None and expand_media not in ExpandMedia.values:
        fields["expand_media"] = [str(_("Choose default, show_all or hide_all."))]
    if fields:
        first = next(iter(fields.values()))[0]
        raise DomainError(AccountsError.PROFILE_INVALID, first, fields=fields)
    if display_name is not None or note is not None or avatar is not None or locked is not None:
        update_profile(
            user=user,
            display_name=user.display_name if display_name is None else display_name,
            bio=user.bio if note is None else note,
            region=user.region,
            avatar=avatar,
            locked=locked,
        )
    changes = {
        name: value
        for name, value in (
            ("discoverable", discoverable),
            ("indexable", indexable),
            ("hide_collections", hide_collections),
            ("default_privacy", privacy),
            ("default_sensitive", sensitive),
            ("default_language", language),
            ("expand_media", expand_media),
            ("expand_spoilers", expand_spoilers),
        )
        if value is not None
    }
    if changes:
        User.objects.filter(pk=user.pk).update(**changes)
        for name, value in changes.items():
            setattr(user, name, value)
    return user


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


@transaction.atomic
def apply_as_merchant(
    *,
    user: User,
    shop_name: str,
    company_name: str,
    business_license_number: str,
    contact_phone: str,
    description: str = "",
) -> MerchantProfile:
    """File (or, after a rejection, re-file) a merchant application for review."""
    values = {
        "shop_name": " ".join((shop_name or "").split()),
        "company_name": " ".join((company_name or "").split()),
        "business_license_number": (business_license_number or "").strip().upper(),
        "contact_phone": (contact_phone or "").strip().replace(" ", "").replace("-", ""),
        "description": (description or "").strip(),
    }
    candidate = MerchantProfile(user=user, **values)
    try:
        candidate.full_clean(exclude=["user", "status", "review_note", "reviewed_at"])
    except ValidationError as exc:
        fields = {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
        first = next(iter(fields.values()))[0]
        raise DomainError(
            AccountsError.MERCHANT_APPLICATION_INVALID, first, fields=fields
        ) from None

    existing = MerchantProfile.objects.select_for_update().filter(user=user).first()
    now = timezone.now()
    if existing is None:
        try:
            with transaction.atomic():
                profile = MerchantProfile.objects.create(user=user, **values)
        except IntegrityError:
            # Another request filed first: its application stands.
            raise DomainError(AccountsError.MERCHANT_APPLICATION_PENDING) from None
    elif existing.status == MerchantProfile.Status.PENDING:
        raise DomainError(AccountsError.MERCHANT_APPLICATION_PENDING)
    elif existing.status == MerchantProfile.Status.VERIFIED:
        raise DomainError(AccountsError.MERCHANT_ALREADY_VERIFIED)
    else:
        MerchantProfile.objects.filter(
            pk=existing.pk, status=MerchantProfile.Status.REJECTED
        ).update(
            **values,
            status=MerchantProfile.Status.PENDING,
            applied_at=now,
            reviewed_at=None,
            review_note="",
        )
        profile = MerchantProfile.objects.get(pk=existing.pk)
    User.objects.filter(pk=user.pk).update(kind=User.Kind.MERCHANT)
    user.kind = User.Kind.MERCHANT
    return profile


def _check_operator(operator: User) -> None:
    if not (operator.is_authenticated and operator.is_active and operator.is_staff):
        raise DomainError(AccountsError.NOT_OPERATOR)


def _review(*, operator: User, profile_id: int, verified: bool, note: str) -> MerchantProfile:
    _check_operator(operator)
    # Lock order: profile, then its user — the same in both review actions.
    profile = MerchantProfile.objects.select_for_update().filter(pk=profile_id).first()
    if profile is None:
        raise DomainError(AccountsError.MERCHANT_PROFILE_NOT_FOUND)
    status = MerchantProfile.Status.VERIFIED if verified else MerchantProfile.Status.REJECTED
    now = timezone.now()
    MerchantProfile.objects.filter(pk=profile.pk).update(
        status=status, reviewed_at=now, review_note=(note or "").strip()
    )
    User.objects.filter(pk=profile.user_id).update(
        is_verified_merchant=verified,
        kind=User.Kind.MERCHANT if verified else User.Kind.PERSON,
    )
    profile.refresh_from_db()
    return profile


@transaction.atomic
def verify_merchant(*, operator: User, profile_id: int, note: str = "") -> MerchantProfile:
    """An operator verifies an application: the account gets the badge in the same commit."""
    return _review(operator=operator, profile_id=profile_id, verified=True, note=note)


@transaction.atomic
def reject_merchant(*, operator: User, profile_id: int, note: str = "") -> MerchantProfile:
    """An operator rejects an application (or withdraws a verification) and the badge goes."""
    return _review(operator=operator, profile_id=profile_id, verified=False, note=note)


@transaction.atomic
def create_access_token(*, user: User, name: str) -> tuple[AccessToken, str]:
    """Return the token row and its full key; the key is never stored and never shown again."""
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= 60:
        raise _field_error(AccountsError.TOKEN_NAME_INVALID, "name")
    # Locking the owner serialises concurrent creations, so the cap holds.
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).get()
    active = AccessToken.objects.filter(user=user, revoked_at__isnull=True).count()
    if active >= MAX_ACTIVE_TOKENS:
        raise DomainError(AccountsError.TOKEN_LIMIT_REACHED)
    key = new_token_key()
    token = AccessToken.objects.create(
        user=user, name=name, key_hash=AccessToken.hash_key(key), hint=key[:7]
    )
    return token, key


@transaction.atomic
def revoke_access_token(*, user: User, token_id: int) -> None:
    """Revoke one of the user's own tokens; the next request with it is refused."""
    updated = AccessToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if updated == 0 and not AccessToken.objects.filter(pk=token_id, user=user).exists():
        # Someone else's token is reported as missing, not as forbidden: ids leak nothing.
        raise DomainError(AccountsError.TOKEN_NOT_FOUND)


@transaction.atomic
def ensure_operator(*, username: str, password: str) -> User:
    """Create the operator's admin account, or make sure it is one; running it twice adds nothing."""
    username = _check_username(username)
    user = User.objects.select_for_update().filter(username__iexact=username).first()
    if user is None:
        return User.objects.create_superuser(username=username, email="", password=password)
    if not (user.is_staff and user.is_superuser and user.is_active):
        User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True, is_active=True)
        user.is_staff = user.is_superuser = user.is_active = True
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return user

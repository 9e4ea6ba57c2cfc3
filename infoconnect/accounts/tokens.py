"""Personal access tokens: shown once at creation, stored as SHA-256, revocable."""

import secrets

from django.utils import timezone

from infoconnect.accounts.models import AccessToken, User


def user_for_token(key: str) -> User | None:
    if not key.startswith(AccessToken.PREFIX) or len(key) > 100:
        return None
    token = (
        AccessToken.objects.select_related("user")
        .filter(key_hash=AccessToken.hash_key(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Touch last_used_at at most once a minute so reads do not become writes.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def new_token_key() -> str:
    return AccessToken.PREFIX + secrets.token_urlsafe(32)
